"""Apache Kafka against the embedded broker, side by side in one run.

python bench/brokers.py [--articles N] [--pairs N] [--quick]

The local 3-node Apache Kafka cluster (`make kafka`, started here when it is not running)
and the embedded broker (tansu, in memory), each with its own profile's defaults
(`NEWSMON_BROKER_PROFILE`): on Kafka, replication factor 3, min.insync.replicas 2,
producers batching 16 KiB with a 5 ms linger; on the embedded broker one replica and one
record per producer batch. Each pair of runs measures, on both brokers in turn (which goes
first alternates between pairs), on fresh topics:

1. publish: every article of the stream sent with `publish_raw` (acks=all), timed from the
   first send to the last acknowledgement;
2. end to end: one `newsmon worker`, every article published, timed until no article or
   event is left uncommitted (as in `bench/throughput.py`).

The figures are ratios Kafka / embedded (medians over the pairs); a bare time on this
shared machine means little. The last line is `publish_ratio=X e2e_ratio=Y`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rich.table import Table  # noqa: E402
from throughput import (  # noqa: E402
    MemoryWatch,
    console,
    end_to_end,
    in_workdir,
    load_stream,
    messages,
)

CLUSTER = [sys.executable, str(ROOT / "deploy" / "kafka" / "cluster.py")]


@dataclass
class KafkaBroker:
    """The running local cluster, as `bench/throughput.py` sees a broker."""

    url: str
    pids: list[int] = field(default_factory=list)
    profile: str = "kafka"

    @classmethod
    def running(cls) -> KafkaBroker:
        subprocess.run([*CLUSTER, "start"], check=True, stdout=subprocess.DEVNULL)
        info = json.loads(
            subprocess.run([*CLUSTER, "info"], check=True, capture_output=True).stdout
        )
        nodes = info["nodes"].values()
        servers = ",".join(f"127.0.0.1:{n['ports']['CLIENT']}" for n in nodes)
        return cls(url=f"kafka://{servers}", pids=[n["pid"] for n in nodes])


@dataclass
class Embedded:
    """The embedded broker with the attributes `end_to_end` reads."""

    broker: object
    profile: str = "embedded"

    @property
    def url(self) -> str:
        return self.broker.url

    @property
    def pids(self) -> list[int]:
        return [self.broker.process.pid]


def publish_rate(broker, records: list[dict]) -> float:
    """Articles per second through `publish_raw` onto fresh topics of `broker`."""
    from streams.clients import ensure_topics, publish_raw
    from streams.settings import Settings

    prefix = f"bench-publish-{uuid.uuid4().hex[:8]}"
    settings = Settings(broker=broker.url, broker_profile=broker.profile, topic_prefix=prefix)
    ensure_topics(settings)
    encoded = list(messages(records))
    began = time.perf_counter()
    for _ in publish_raw(settings, encoded):
        pass
    return len(records) / (time.perf_counter() - began)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1500, help="stream size (default 1500)")
    parser.add_argument("--pairs", type=int, default=2, help="runs per broker (default 2)")
    parser.add_argument("--quick", action="store_true", help="500 articles, one pair")
    args = parser.parse_args()
    if args.quick:
        args.articles, args.pairs = min(args.articles, 500), 1
    return in_workdir(run, args, "newsmon-bench-brokers-")


def run(args: argparse.Namespace, workdir: Path) -> int:
    from streams.broker import EmbeddedBroker

    records = load_stream(None, args.articles, workdir)
    console.print(f"stream: {len(records)} articles; starting the Kafka cluster if needed")
    kafka = KafkaBroker.running()
    memory = MemoryWatch()
    rows: list[dict] = []
    with EmbeddedBroker(port=0, log=workdir / "broker.log") as running:
        embedded = Embedded(running)
        for pair in range(1, args.pairs + 1):
            order = [kafka, embedded] if pair % 2 else [embedded, kafka]
            for broker in order:
                publish = publish_rate(broker, records)
                e2e = end_to_end(broker, workdir, records, 1, memory)
                rows.append({"pair": pair, "broker": broker.profile, "publish": publish, **e2e})
                console.print(
                    f"pair {pair}, {broker.profile}: publish {publish:.0f}/s, "
                    f"end to end {e2e['rate']:.1f}/s"
                )
    table = Table(title=f"Kafka (3 nodes, RF 3) vs embedded, {len(records)} articles")
    for column in ("pair", "broker", "publish /s", "end to end /s", "broker cores"):
        table.add_column(column, justify="right")
    for r in rows:
        table.add_row(
            str(r["pair"]), r["broker"], f"{r['publish']:.0f}", f"{r['rate']:.1f}",
            f"{r['cores']['broker']:.2f}",
        )  # fmt: skip
    console.print(table)

    def ratio(key: str) -> float:
        by_pair = {}
        for r in rows:
            by_pair.setdefault(r["pair"], {})[r["broker"]] = r[key]
        return statistics.median(p["kafka"] / p["embedded"] for p in by_pair.values())

    print(f"publish_ratio={ratio('publish'):.2f} e2e_ratio={ratio('rate'):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
