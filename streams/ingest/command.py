"""`newsmon ingest`: settings and feeds from the command line, one line per feed poll on
stderr, a status table per feed at the end on stdout, the exit code."""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..progress import progress_bar
from .config import ConfigError, FeedConfig, IngestSettings, feeds_from_urls, load_feeds
from .fetch import Fetcher
from .ingest import FeedReport, Ingestor, KafkaPublisher
from .metrics import IngestMetrics
from .state import State

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE, EXIT_BROKER = 0, 1, 2, 3


def load(args: argparse.Namespace) -> tuple[IngestSettings, list[FeedConfig]]:
    """Settings and feeds from the arguments; ConfigError for a usage error."""
    settings = IngestSettings.from_env(
        state_dir=args.state_dir, metrics_port=args.metrics_port, interval=args.interval
    )
    feeds = load_feeds(Path(args.config), settings) if args.config else []
    feeds += feeds_from_urls(
        args.urls,
        settings,
        interval=args.interval,
        source=args.source,
        language=args.language,
    )
    if not feeds:
        raise ConfigError("no feeds: give feed URLs or --config FILE")
    urls = [f.url for f in feeds]
    twice = sorted({u for u in urls if urls.count(u) > 1})
    if twice:
        raise ConfigError(f"feed(s) given twice: {', '.join(twice)}")
    return settings, feeds


def run(args: argparse.Namespace, err: Console, out: Console | None = None) -> int:
    from ..settings import Settings

    # a table that does not fit a pipe's 80 columns is wider there, not squeezed
    out = out or Console(highlight=False)
    if not out.is_terminal:
        out.width = max(out.width, 132)
    try:
        settings, feeds = load(args)
        state = State(settings.state_dir)
    except ConfigError as exc:
        err.print(f"newsmon: {exc}", highlight=False, markup=False)
        return EXIT_USAGE
    except OSError as exc:
        err.print(f"newsmon: state directory: {exc}", highlight=False, markup=False)
        return EXIT_USAGE
    stop = threading.Event()
    metrics = IngestMetrics()
    try:
        # KafkaError here (broker unreachable) propagates: the CLI exits with EXIT_BROKER
        publisher = KafkaPublisher(Settings.from_env(broker=args.broker))
        try:
            if settings.metrics_port:
                metrics.serve(settings.metrics_host, settings.metrics_port)
                err.print(
                    f"metrics: http://{settings.metrics_host}:{settings.metrics_port}/metrics",
                    highlight=False,
                )
            with Fetcher(settings) as fetcher:
                ingestor = Ingestor(settings, state, publisher, fetcher, metrics, stop=stop)
                previous = _stop_on_signals(stop)
                try:
                    if args.once:
                        reports = _once(ingestor, feeds, err)
                    else:
                        reports = _forever(ingestor, feeds, err)
                finally:
                    for signum, handler in previous.items():
                        signal.signal(signum, handler)
        finally:
            publisher.close()
    finally:
        state.close()
    out.print(status_table(reports))
    err.print(totals(metrics), highlight=False)
    if any(r.broker_failed for r in reports):
        return EXIT_BROKER
    if args.once and any(r.error for r in reports):
        return EXIT_BAD_INPUT
    return EXIT_OK


def _once(ingestor: Ingestor, feeds: list[FeedConfig], err: Console) -> list[FeedReport]:
    with progress_bar(err, enabled=err.is_terminal) as progress:
        task = progress.add_task("polling feeds", total=len(feeds))

        def done(report: FeedReport) -> None:
            progress.console.print(poll_line(report), highlight=False)
            progress.advance(task)

        return ingestor.run_once(feeds, on_report=done)


def _forever(ingestor: Ingestor, feeds: list[FeedConfig], err: Console) -> list[FeedReport]:
    """Until stopped; the reports returned are each feed's last poll."""
    last: dict[str, FeedReport] = {}

    def done(report: FeedReport) -> None:
        last[report.feed.url] = report
        err.print(poll_line(report), highlight=False)

    err.print(f"polling {len(feeds)} feed(s) until stopped (Ctrl-C or SIGTERM)", highlight=False)
    ingestor.run_forever(feeds, on_report=done)
    return [last[f.url] for f in feeds if f.url in last]


def _stop_on_signals(stop: threading.Event) -> dict:
    """The first SIGINT or SIGTERM finishes the item at hand and stops; a second SIGINT
    interrupts at once. Returns the handlers it replaced."""

    def handler(signum: int, frame: object) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.getsignal(signum)
        signal.signal(signum, handler)
    return previous


def _http(report: FeedReport) -> str:
    return str(report.http_status) if report.http_status else "-"


def poll_line(report: FeedReport) -> str:
    name = report.name
    if report.error:
        return f"[red]failed[/] {name} ({_http(report)}): {report.error}: {report.detail}"
    if report.http_status == 304:
        return f"[dim]unchanged[/] {name} (304)"
    line = (
        f"{name} ({_http(report)}): {report.entries} entries, {report.new} new, "
        f"{report.published} published, {report.skipped} skipped, {report.failed} failed"
    )
    if report.failures:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(report.failures.items()))
        line += f" ({reasons})"
    if report.broker_failed:
        return f"[red]broker error[/] {line}: {report.detail}"
    return f"[green]ok[/] {line}" if not report.failed else f"[yellow]ok[/] {line}"


def status_table(reports: list[FeedReport]) -> Table:
    table = Table(title=f"{len(reports)} feed(s) polled")
    table.add_column("feed", no_wrap=True)
    for column in ("HTTP", "entries", "new", "published", "skipped", "failed"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("note", min_width=12)
    for r in reports:
        if r.error:
            note = r.error
        elif r.broker_failed:
            note = "broker error"
        elif r.http_status == 304:
            note = "not modified"
        else:
            note = ", ".join(f"{k} {v}" for k, v in sorted(r.failures.items()))
            if r.fallbacks:
                note = ", ".join(filter(None, [note, f"{r.fallbacks} from summary"]))
        table.add_row(
            r.name,
            _http(r),
            str(r.entries),
            str(r.new),
            str(r.published),
            str(r.skipped),
            str(r.failed),
            note,
        )
    return table


def totals(metrics: IngestMetrics) -> str:
    counts = {
        outcome: int(metrics.value("newsmon_ingest_items_total", outcome=outcome))
        for outcome in ("fetched", "published", "skipped", "failed")
    }
    return ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
