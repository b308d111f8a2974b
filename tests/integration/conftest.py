"""A real broker (embedded tansu on a free loopback port) and real workers, as subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from streams.broker import EmbeddedBroker, stop_process
from streams.clients import backlog
from streams.settings import Settings

from .cluster import KafkaCluster

ROOT = Path(__file__).resolve().parents[2]
NEWSMON = [sys.executable, "-m", "streams.cli"]
READY = "newsmon worker ready"
# `make test-kafka` sets it: the same tests on the local Apache Kafka cluster (`make kafka`)
ON_KAFKA = os.environ.get("NEWSMON_TEST_BROKER", "embedded") == "kafka"


class Worker:
    """One `newsmon worker` subprocess, its output in a log file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [*NEWSMON, "worker"],
                env=env,
                cwd=env["PYTHONPATH"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while READY not in self.output():
            assert self.process.poll() is None, f"worker died:\n{self.output()[-3000:]}"
            assert time.monotonic() < deadline, f"worker not ready:\n{self.output()[-3000:]}"
            time.sleep(0.2)

    def stop(self, timeout: float = 60.0) -> int:
        return stop_process(self.process, timeout)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no last commit."""
        self.process.kill()
        self.process.wait()


@pytest.fixture(scope="session")
def kafka_cluster() -> KafkaCluster:
    """The 3-node Apache Kafka cluster, started when it is not running."""
    return KafkaCluster.start()


@pytest.fixture
def broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedBroker]:
    """A fresh embedded broker per test; with `NEWSMON_TEST_BROKER=kafka`, the shared
    Apache Kafka cluster instead (each test then has its own topics and group)."""
    if ON_KAFKA:
        yield request.getfixturevalue("kafka_cluster")
        return
    with EmbeddedBroker(port=0, log=tmp_path / "broker.log") as running:
        yield running


@pytest.fixture
def env(broker: EmbeddedBroker, tmp_path: Path) -> dict[str, str]:
    """The environment of every `newsmon` subprocess of a test."""
    if ON_KAFKA:  # replication factor 3 and batched producers: the `kafka` profile
        run = f"it-{uuid.uuid4().hex[:10]}"
        where = {"NEWSMON_BROKER_PROFILE": "kafka", "NEWSMON_APP_ID": run}
        where["NEWSMON_TOPIC_PREFIX"] = run
    else:
        where = {"NEWSMON_BROKER_PROFILE": "embedded"}
    return {
        **os.environ,
        **where,
        "PYTHONPATH": str(ROOT),
        "NEWSMON_BROKER": broker.url,
        "NEWSMON_DATA_DIR": str(tmp_path / "worker-data"),
        "NEWSMON_LOG_LEVEL": "info",
        "NEWSMON_METRICS_PORT": "0",  # tests that scrape a worker give it a free port
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return Settings.from_env(env)


@pytest.fixture
def start_worker(env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    workers: list[Worker] = []

    def start(**overrides: str) -> Worker:
        worker = Worker({**env, **overrides}, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def newsmon(env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess]:
    """Runs `newsmon ARGS...` against the test broker."""

    def run(*args: str, timeout: float = 120.0) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*NEWSMON, *args],
            env=env,
            cwd=env["PYTHONPATH"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run


@pytest.fixture
def read_topic(newsmon) -> Callable[..., list]:
    """Everything on some topics so far, through `newsmon tail --json --from-beginning`."""

    def read(*args: str, idle: float = 3.0) -> list:
        result = newsmon("tail", "--json", "--from-beginning", "--timeout", str(idle), *args)
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]

    return read


@pytest.fixture
def wait_drained(settings: Settings) -> Callable[..., None]:
    """Waits until the worker has committed every article and event published so far."""

    def wait(workers: list[Worker] = (), timeout: float = 240.0) -> None:
        deadline = time.monotonic() + timeout
        while backlog(settings) != 0:
            for w in workers:
                assert w.process.poll() is None, f"worker died:\n{w.output()[-3000:]}"
            assert time.monotonic() < deadline, f"backlog left: {backlog(settings)}"
            time.sleep(0.5)

    return wait
