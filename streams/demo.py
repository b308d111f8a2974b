"""`newsmon demo`: embedded broker + a worker subprocess + the bundled samples, alerts
printed as they arrive, then a summary. Everything it starts, it stops."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .articles import read_jsonl
from .broker import EmbeddedBroker, free_port, stop_process
from .clients import backlog, publish_articles, tail
from .resolve import summary
from .settings import Settings


def start_worker(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    """`python -m streams.cli worker` with the settings in its environment."""
    env = {
        **os.environ,
        "NEWSMON_BROKER": settings.broker,
        "NEWSMON_BROKER_PROFILE": settings.broker_profile,
        "NEWSMON_APP_ID": settings.app_id,
        "NEWSMON_DATA_DIR": settings.data_dir,
        "NEWSMON_METRICS_HOST": settings.metrics_host,
        "NEWSMON_METRICS_PORT": str(settings.metrics_port),
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "streams.cli", "worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def run_demo(samples: Path, timeout: float, console: Console) -> int:
    articles = [a for _, a in read_jsonl(samples) if not isinstance(a, Exception)]
    workdir = Path(tempfile.mkdtemp(prefix="newsmon-demo-"))
    with EmbeddedBroker(port=0, log=workdir / "broker.log") as broker:
        settings = Settings.from_env(
            broker=broker.url,
            broker_profile="embedded",
            data_dir=str(workdir / "data"),
            metrics_port=free_port(),
        )
        console.print(f"broker: tansu on {broker.bootstrap} (in memory)")
        console.print(
            f"metrics: http://{settings.metrics_host}:{settings.metrics_port}/metrics",
            highlight=False,
        )

        def publish() -> None:
            sent = list(publish_articles(settings, articles))[-1]
            console.print(f"published {sent} sample articles to {settings.articles_topic}")

        outcome = run_worker(settings, workdir, publish, timeout, console)
    if outcome is None:
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    alerts, updates = outcome
    console.print(summary_table(alerts, updates))
    console.print(f"{len(articles)} articles, {len(alerts)} alerts, {len(updates)} updates")
    return 0


def run_worker(
    settings: Settings,
    workdir: Path,
    publish: Callable[[], None],
    timeout: float,
    console: Console,
) -> tuple[list[dict], list[dict]] | None:
    """Starts a worker, calls `publish`, prints alerts and updates as they arrive until
    everything published is processed, and stops the worker. Returns (alerts, updates),
    or None once the failure (and where the worker's log is) has been printed."""
    worker = start_worker(settings, workdir / "worker.log")
    try:
        publish()
        console.print("waiting for the worker (the first start takes a few seconds)...")
        return watch(settings, worker, timeout, console)
    except (TimeoutError, RuntimeError) as exc:
        console.print(f"[red]demo failed:[/] {exc}; worker log: {workdir / 'worker.log'}")
        return None
    finally:
        stop_process(worker)


def watch(
    settings: Settings,
    worker: subprocess.Popen[bytes],
    timeout: float,
    console: Console,
) -> tuple[list[dict], list[dict]]:
    """Prints alerts and updates until the worker has committed everything published."""
    deadline = time.monotonic() + timeout
    alerts: list[dict] = []
    updates: list[dict] = []
    state = {"checked": 0.0}

    def done() -> bool:
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited with status {worker.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"not done after {timeout:.0f} s")
        if time.monotonic() - state["checked"] < 1.0:
            return False
        state["checked"] = time.monotonic()
        return backlog(settings) == 0

    topics = [settings.alerts_topic, settings.updates_topic]
    for topic, value in tail(settings, topics, from_beginning=True, until=done):
        if not isinstance(value, dict):
            continue
        (updates if topic == settings.updates_topic else alerts).append(value)
        console.print(summary(value), markup=False, highlight=False, soft_wrap=True)
    return alerts, updates


def summary_table(alerts: list[dict], updates: list[dict]) -> Table:
    counts: Counter[str] = Counter()
    for update in updates:
        counts[update["event_id"]] = max(counts[update["event_id"]], update["report_count"])
    table = Table(title="alerts")
    for column in ("event", "type", "first article", "reports"):
        table.add_column(column)
    for alert in alerts:
        reports = counts.get(alert["event_id"], alert["report_count"])
        table.add_row(alert["event_id"], alert["type"], alert["article"]["id"], str(reports))
    return table
