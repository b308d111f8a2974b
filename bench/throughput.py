"""Throughput and latency, side by side in one run, on the benchmark stream.

python bench/throughput.py [--stream FILE] [--articles N] [--pairs N] [--quick] [--skip-e2e]

1. naive vs extractor, in this process, on the same articles and the same model, each
   after a warm-up, interleaved chunk by chunk (naive first, then extractor first):
   - naive: `nlp.pipe` of the plain statistical pipeline (`spacy.load(model)`) over every
     article: what a straightforward implementation pays before any rule runs;
   - extractor: `Extractor().extract_many`, the engine of `newsmon extract`, first pass
     and rules included.
   Every article's fast-path events are compared with the full path's (the naive Doc,
   the gazetteer component and the rules), outside the timings (`--no-verify` skips it);
   the exit code is 1 if any differ.
2. end to end (unless `--skip-e2e`): the embedded broker and one `newsmon worker`, then
   two (both ready before the first article); every article published (`publish_raw`),
   timed from the first send until no article or event is left uncommitted
   (`clients.backlog` == 0). Each run has its own topics and consumer group. The pair
   (one worker, then two) runs `--pairs` times (default 3): a busy neighbour on this
   machine moves single figures by 10 %; the ratios reported are medians over the pairs.
3. latency: one worker, articles offered at half the one-worker maximum for
   `--latency-seconds`; for each alert (and each update of an alerted event) the time
   from the article's send until the alert is read off its topic, p50 and p99.

Worker memory: the largest resident set of the Faust worker processes (`newsmon worker`
is a supervisor; the worker is its child, `newsmon worker --direct`), sampled twice a
second. The last line is `speedup_vs_naive=X e2e_ratio=Y scale2=Z`:
X = extractor / naive articles per second, Y = one worker end to end / extractor,
Z = two workers / one worker of the same pair (Y and Z: medians over the pairs).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from streams.progress import progress_bar  # noqa: E402

READY = "newsmon worker ready"
console = Console(stderr=True)


# --- the stream -----------------------------------------------------------------------


def load_stream(path: Path | None, articles: int, workdir: Path) -> list[dict]:
    if path is None:
        import make_stream

        path = workdir / "stream.jsonl"
        records = make_stream.generate(articles)
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        console.print(f"stream: {len(records)} articles generated into {path}")
        return records
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return records[:articles]


def describe(records: list[dict]) -> str:
    kinds: dict[str, int] = {}
    for r in records:
        kind = r["id"].split("-")[1]
        kind = kind if kind in ("event", "political") else "ordinary"
        kinds[kind] = kinds.get(kind, 0) + 1
    words = sum(len(r["text"].split()) for r in records)
    mix = ", ".join(f"{v} {k}" for k, v in sorted(kinds.items()))
    return f"{len(records)} articles ({mix}), {words / len(records):.0f} words on average"


# --- naive vs extractor -----------------------------------------------------------------


def compare_engines(records: list[dict], chunk: int, verify: bool) -> dict:
    import spacy

    from streams.articles import from_dict
    from streams.extract import Extractor

    articles = [from_dict(r) for r in records]
    extractor = Extractor()
    naive = spacy.load(extractor.model)
    warm = articles[:40]
    list(naive.pipe(a.text for a in warm))
    list(extractor.extract_many(warm))
    extractor.counts = dict.fromkeys(extractor.counts, 0)
    gazetteer = extractor.nlp.get_pipe("newsmon_gazetteer")
    times = {"naive": 0.0, "extractor": 0.0}
    mismatches: list[str] = []
    events = 0
    with progress_bar(console) as bar:
        task = bar.add_task("naive vs extractor", total=len(articles))
        for n, start in enumerate(range(0, len(articles), chunk)):
            part = articles[start : start + chunk]
            order = ("naive", "extractor") if n % 2 == 0 else ("extractor", "naive")
            for engine in order:
                began = time.perf_counter()
                if engine == "naive":
                    docs = list(naive.pipe(a.text for a in part))
                else:
                    fast = [found for _, found in extractor.extract_many(part)]
                times[engine] += time.perf_counter() - began
            events += sum(len(found) for found in fast)
            if verify:  # the full path's events from the naive Docs
                for article, doc, found in zip(part, docs, fast, strict=True):
                    full = extractor.events(article, gazetteer(doc))
                    if _canonical(full) != _canonical(found):
                        mismatches.append(article.id)
            del docs
            bar.advance(task, len(part))
    rates = {k: len(articles) / v for k, v in times.items()}
    return {
        "articles": len(articles),
        "seconds": times,
        "rates": rates,
        "speedup": rates["extractor"] / rates["naive"],
        "counts": extractor.counts,
        "events": events,
        "verified": verify,
        "mismatches": mismatches,
    }


def _canonical(events: list[dict]) -> list[str]:
    return sorted(json.dumps(e, sort_keys=True) for e in events)


# --- workers ----------------------------------------------------------------------------


class Worker:
    """One `newsmon worker` subprocess (a supervisor and its Faust child)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streams.cli", "worker"],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def readies(self) -> int:
        return self.log.read_text(encoding="utf-8", errors="replace").count(READY)

    def alive(self) -> bool:
        return self.process.poll() is None

    def children(self) -> list[int]:
        out = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                out.append(int(entry.name))
        return out

    def stop(self) -> None:
        from streams.broker import stop_process

        stop_process(self.process, 60)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemoryWatch(threading.Thread):
    """The largest resident set of the workers' Faust processes, sampled every 0.5 s."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.workers: list[Worker] = []
        self.peak_kib = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            for worker in list(self.workers):
                for pid in worker.children():
                    self.peak_kib = max(self.peak_kib, rss_kib(pid))
            time.sleep(0.5)


class Cluster:
    """Workers on their own topics and consumer group of a broker (`profile`: its
    `NEWSMON_BROKER_PROFILE`, the embedded broker's unless told)."""

    def __init__(
        self,
        broker_url: str,
        workdir: Path,
        name: str,
        memory: MemoryWatch,
        profile: str = "embedded",
    ):
        from streams.settings import Settings

        run = f"bench-{name}-{uuid.uuid4().hex[:8]}"
        self.workdir = workdir / run
        self.workdir.mkdir(parents=True)
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "NEWSMON_BROKER": broker_url,
            "NEWSMON_BROKER_PROFILE": profile,
            "NEWSMON_APP_ID": run,
            "NEWSMON_TOPIC_PREFIX": run,
            "NEWSMON_DATA_DIR": str(self.workdir / "data"),
            "NEWSMON_METRICS_PORT": "0",
            "NEWSMON_LOG_LEVEL": "warning",
        }
        self.env.pop("NEWSMON_FAST_PATH", None)
        self.settings = Settings.from_env(self.env)
        self.memory = memory
        self.workers: list[Worker] = []
        self.probe = None

    def start(self, count: int, timeout: float = 180.0) -> None:
        from streams.clients import ensure_topics

        ensure_topics(self.settings)
        for n in range(count):
            worker = Worker(self.env, self.workdir / f"worker-{n}.log")
            self.workers.append(worker)
            self.memory.workers.append(worker)
        deadline = time.monotonic() + timeout
        last, stable_since = None, time.monotonic()
        while True:  # every worker ready, and no new rebalance for 3 s
            for w in self.workers:
                if not w.alive():
                    raise RuntimeError(f"worker died: {w.log.read_text()[-2000:]}")
            counts = [w.readies() for w in self.workers]
            if counts != last:
                last, stable_since = counts, time.monotonic()
            if all(counts) and time.monotonic() - stable_since > 3.0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers not ready: {self.workdir}")
            time.sleep(0.2)

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
            self.memory.workers.remove(worker)
        if self.probe is not None:
            for client in self.probe:
                client.close()

    def backlog(self) -> int | None:
        """`clients.backlog`, with its two clients kept open between calls."""
        from kafka import KafkaConsumer

        from streams.clients import _admin, connect, uncommitted

        if self.probe is None:
            self.probe = connect(KafkaConsumer, self.settings, group_id=None), _admin(self.settings)
        return uncommitted(self.settings, *self.probe)

    def cpu(self) -> float:
        """CPU seconds of the workers (supervisors and Faust processes) so far."""
        pids = [w.process.pid for w in self.workers]
        pids += [child for w in self.workers for child in w.children()]
        return sum(cpu_seconds(pid) for pid in pids)


def poll_pause(left: int | None) -> float:
    """Seconds until the next backlog check: the broker answers the group's offset
    requests more slowly while they come often (two workers ran 20 % slower with a
    check every 0.25 s than every 2 s), so checks are rare until the end is near."""
    if left is None or left > 400:
        return 2.0
    return 0.5 if left > 100 else 0.2


def messages(records: list[dict]):
    for r in records:
        yield r["id"].encode(), json.dumps(r, ensure_ascii=False).encode()


def broker_cpu(broker) -> float:
    """CPU seconds of the broker's processes (`broker.pids`, or its one process)."""
    pids = getattr(broker, "pids", None) or [broker.process.pid]
    return sum(cpu_seconds(pid) for pid in pids)


def end_to_end(broker, workdir: Path, records: list[dict], workers: int, memory) -> dict:
    """`broker`: the embedded one, or any object with `url`, `profile` and `pids`."""
    from streams.clients import publish_raw

    profile = getattr(broker, "profile", "embedded")
    cluster = Cluster(broker.url, workdir, f"{workers}w", memory, profile)
    cluster.start(workers)
    cpu = {"workers": cluster.cpu(), "broker": broker_cpu(broker)}
    cpu["bench"] = cpu_seconds(os.getpid())
    try:
        with progress_bar(console) as bar:
            task = bar.add_task(f"end to end, {workers} worker(s): publishing", total=None)
            encoded = list(messages(records))
            began = time.perf_counter()
            for _ in publish_raw(cluster.settings, encoded):
                pass
            published = time.perf_counter() - began
            bar.update(task, description=f"end to end, {workers} worker(s): draining")
            bar.update(task, total=len(records), completed=0)
            while True:
                left = cluster.backlog()
                if left == 0:
                    break
                if not all(w.alive() for w in cluster.workers):
                    raise RuntimeError(f"a worker died, see {cluster.workdir}")
                bar.update(task, completed=max(0, len(records) - (left or 0)))
                time.sleep(poll_pause(left))
            seconds = time.perf_counter() - began
        cpu = {
            "workers": cluster.cpu() - cpu["workers"],
            "broker": broker_cpu(broker) - cpu["broker"],
            "bench": cpu_seconds(os.getpid()) - cpu["bench"],
        }
    finally:
        cluster.stop()
    return {
        "workers": workers,
        "seconds": seconds,
        "publish_seconds": published,
        "rate": len(records) / seconds,
        "cores": {k: v / seconds for k, v in cpu.items()},
    }


# --- latency ----------------------------------------------------------------------------


def latency(
    broker_url: str,
    workdir: Path,
    records: list[dict],
    rate: float,
    seconds: float,
    memory: MemoryWatch,
) -> dict:
    from streams.clients import ensure_topics, publish_raw

    cluster = Cluster(broker_url, workdir, "latency", memory)
    cluster.start(1)
    sent_at: dict[str, float] = {}
    samples: list[float] = []
    stop = threading.Event()
    settings = cluster.settings

    def collect() -> None:
        """Alerts and updates as they come out, with the time they were read (the
        worker's `detected_at` has whole seconds only)."""
        from kafka import KafkaConsumer, TopicPartition

        from streams.clients import connect

        topics = [settings.alerts_topic, settings.updates_topic]
        ensure_topics(settings, topics)
        consumer = connect(
            KafkaConsumer, settings, group_id=None, enable_auto_commit=False,
            fetch_max_wait_ms=25,  # tansu answers a fetch only when its wait is over
        )  # fmt: skip
        try:
            partitions = [
                TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t)
            ]
            consumer.assign(partitions)
            consumer.seek_to_beginning(*partitions)
            while not stop.is_set():
                for batch in consumer.poll(timeout_ms=50).values():
                    now = time.time()
                    for record in batch:
                        alert = json.loads(record.value)
                        article = alert.get("last_article") or alert.get("article") or {}
                        published = sent_at.get(article.get("id"))
                        if published is not None:
                            samples.append(now - published)
        finally:
            consumer.close()

    count = max(1, int(rate * seconds))
    offered = [dict(records[k % len(records)]) for k in range(count)]
    for k, record in enumerate(offered):
        record["id"] = f"{record['id']}-lat{k}"

    def paced():
        start = time.time()
        for k, record in enumerate(offered):
            wait = start + k / rate - time.time()
            if wait > 0:
                time.sleep(wait)
            sent_at[record["id"]] = time.time()
            yield record["id"].encode(), json.dumps(record, ensure_ascii=False).encode()

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    try:
        with progress_bar(console) as bar:
            task = bar.add_task(f"latency at {rate:.1f} articles/s", total=count)
            for n in publish_raw(settings, paced()):
                bar.update(task, completed=n)
            deadline = time.monotonic() + 120
            while cluster.backlog() != 0 and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(2.0)
    finally:
        stop.set()
        reader.join(30)
        cluster.stop()
    samples.sort()
    return {
        "rate": rate,
        "articles": count,
        "alerts": len(samples),
        "p50": _quantile(samples, 0.50),
        "p99": _quantile(samples, 0.99),
        "max": samples[-1] if samples else float("nan"),
    }


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


# --- report -----------------------------------------------------------------------------


def end_to_end_ratios(e2e: list[dict], extractor_rate: float) -> tuple[float, float]:
    """(e2e_ratio, scale2): medians over the pairs of one worker over the extractor, and
    of two workers over the one worker of the same pair; NaN without end-to-end runs."""
    ones = {r["pair"]: r["rate"] for r in e2e if r["workers"] == 1}
    twos = {r["pair"]: r["rate"] for r in e2e if r["workers"] == 2}
    if not ones:
        return float("nan"), float("nan")
    e2e_ratio = statistics.median(rate / extractor_rate for rate in ones.values())
    scale2 = statistics.median(twos[p] / ones[p] for p in twos) if twos else float("nan")
    return e2e_ratio, scale2


def report(stream: str, engines: dict, e2e: list[dict], lat: dict | None, peak_kib: int):
    table = Table(title=f"newsmon throughput - {stream}, {os.cpu_count()} CPU cores")
    table.add_column("measure")
    table.add_column("articles/s", justify="right")
    table.add_column("ratio", justify="right")
    table.add_column("notes")
    rates = engines["rates"]
    counts = engines["counts"]
    table.add_row("naive: nlp.pipe, full model", f"{rates['naive']:.1f}", "1.00", "no rules")
    parsed = counts["parsed"] / max(1, counts["texts"])
    sentenced = counts["sentences"] / max(1, counts["texts"])
    table.add_row(
        "extractor (fast path)",
        f"{rates['extractor']:.1f}",
        f"{engines['speedup']:.2f}",
        f"{parsed:.0%} fully parsed, {sentenced:.0%} up to the parser; {engines['events']} events",
    )
    if engines["verified"]:
        bad = engines["mismatches"]
        table.add_row(
            "  = full path?",
            "",
            "",
            "same events for every article" if not bad else f"DIFFERENT: {bad[:5]}",
        )
    for run in e2e:
        ratio = run["rate"] / rates["extractor"]
        label = "vs extractor"
        if run["workers"] == 2:
            one = next(r for r in e2e if r["pair"] == run["pair"] and r["workers"] == 1)
            ratio, label = run["rate"] / one["rate"], "vs one worker"
        table.add_row(
            f"end to end, pair {run['pair']}, {run['workers']} worker(s)",
            f"{run['rate']:.1f}",
            f"{ratio:.2f}",
            f"{label}; {run['seconds']:.1f} s (publishing {run['publish_seconds']:.1f} s); "
            + "cores busy: "
            + ", ".join(f"{k} {v:.2f}" for k, v in run["cores"].items()),
        )
    if e2e:
        e2e_ratio, scale2 = end_to_end_ratios(e2e, rates["extractor"])
        table.add_row(
            "end to end, median of pairs",
            "",
            f"{e2e_ratio:.2f} / {scale2:.2f}",
            "1 worker vs extractor / 2 workers vs 1",
        )
    if lat is not None:
        table.add_row(
            "latency at half load",
            f"{lat['rate']:.1f}",
            "",
            f"p50 {lat['p50']:.2f} s, p99 {lat['p99']:.2f} s, max {lat['max']:.2f} s "
            f"({lat['alerts']} alerts and updates)",
        )
    if peak_kib:
        table.add_row("worker resident memory", "", "", f"max {peak_kib / 1024:.0f} MiB")
    Console().print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stream", type=Path, help="JSON Lines articles (default: generate)")
    parser.add_argument("--articles", type=int, default=3500, help="stream size (default 3500)")
    parser.add_argument("--quick", action="store_true", help="700 articles, short latency run")
    parser.add_argument("--skip-e2e", action="store_true", help="naive vs extractor only")
    parser.add_argument("--chunk", type=int, default=250, help="articles per timed chunk")
    parser.add_argument("--latency-seconds", type=float, default=40.0)
    parser.add_argument(
        "--pairs", type=int, default=3, help="end-to-end runs of 1 then 2 workers (default 3)"
    )
    parser.add_argument(
        "--no-verify", dest="verify", action="store_false", help="skip the full-path check"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")
    if args.quick:
        args.articles, args.latency_seconds, args.pairs = min(args.articles, 700), 15.0, 1

    return in_workdir(run, args, "newsmon-bench-")


def in_workdir(run, args: argparse.Namespace, prefix: str) -> int:
    """`run(args, workdir)` in a fresh temporary folder, removed after a clean run and
    kept (and named) after a failure."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        status = run(args, workdir)
    except BaseException:
        console.print(f"the stream, the broker's and the workers' logs are in {workdir}")
        raise
    shutil.rmtree(workdir, ignore_errors=True)
    return status


def run(args: argparse.Namespace, workdir: Path) -> int:
    records = load_stream(args.stream, args.articles, workdir)
    stream = describe(records)
    console.print(f"stream: {stream}")
    engines = compare_engines(records, args.chunk, args.verify)
    console.print(
        f"naive {engines['rates']['naive']:.1f}/s, extractor "
        f"{engines['rates']['extractor']:.1f}/s: x{engines['speedup']:.2f}"
    )
    e2e: list[dict] = []
    lat = None
    memory = MemoryWatch()
    if not args.skip_e2e:
        from streams.broker import EmbeddedBroker

        memory.start()
        with EmbeddedBroker(port=0, log=workdir / "broker.log") as broker:
            for pair in range(1, args.pairs + 1):
                for workers in (1, 2):
                    e2e.append(end_to_end(broker, workdir, records, workers, memory))
                    e2e[-1]["pair"] = pair
                    console.print(
                        f"end to end, pair {pair}, {workers} worker(s): {e2e[-1]['rate']:.1f}/s"
                    )
            one = statistics.median(r["rate"] for r in e2e if r["workers"] == 1)
            lat = latency(broker.url, workdir, records, one / 2, args.latency_seconds, memory)
        memory.running = False
    report(stream, engines, e2e, lat, memory.peak_kib)
    e2e_ratio, scale2 = end_to_end_ratios(e2e, engines["rates"]["extractor"])
    if args.json:
        figures = {
            "stream": stream,
            "engines": engines,
            "end_to_end": e2e,
            "latency": lat,
            "worker_peak_rss_mib": memory.peak_kib / 1024,
        }
        args.json.write_text(json.dumps(figures, indent=2, default=str), encoding="utf-8")
    print(
        f"speedup_vs_naive={engines['speedup']:.2f} e2e_ratio={e2e_ratio:.2f} scale2={scale2:.2f}"
    )
    return 1 if engines["mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
