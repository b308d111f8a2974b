"""Fixtures of the ingest tests: a loopback feed server (and two more, on 127.0.0.2 and
::1, that the tests' settings do not allow), settings with short timeouts, a state
directory per test, and a publisher that keeps what it is given (the Kafka side is
tested end to end in tests/integration/test_ingest.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka.errors import KafkaTimeoutError

from streams.articles import Article
from streams.ingest.config import IngestSettings
from streams.ingest.fetch import Fetcher
from streams.ingest.ingest import Ingestor
from streams.ingest.metrics import IngestMetrics
from streams.ingest.state import State

from .server import FeedServer

TIMEOUT = 0.5  # the client's; the server's slow route waits longer
LOOPBACK = "127.0.0.1"  # where FeedServer listens, allowed by the tests' settings


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer(slow=TIMEOUT * 10) as running:
        yield running


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.fixture
def second() -> Iterator[FeedServer]:
    """Another loopback address (127.0.0.2), not in the tests' allow-list."""
    with FeedServer(host="127.0.0.2") as running:
        yield running


@pytest.fixture
def six() -> Iterator[FeedServer]:
    if not ipv6_loopback():
        pytest.skip("no IPv6 loopback here")
    with FeedServer(host="::1") as running:
        yield running


@pytest.fixture
def settings(tmp_path: Path) -> IngestSettings:
    return IngestSettings(
        state_dir=str(tmp_path / "state"),
        timeout=TIMEOUT,
        max_bytes=1 << 20,
        max_redirects=3,
        retries=2,
        backoff=0.01,
        max_retry_wait=30.0,
        item_attempts=1,
        allow_hosts=LOOPBACK,  # the test server's address; 127.0.0.2 and ::1 stay refused
    )


class Sleeps:
    """An injectable sleep that does not sleep, on a clock it moves forward."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.calls: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


class Recorder:
    """A publisher that keeps the articles; `fail` makes it refuse like a broker that is
    gone (kafka-python raises KafkaTimeoutError)."""

    def __init__(self) -> None:
        self.articles: list[Article] = []
        self.fail = False

    def publish(self, article: Article) -> None:
        if self.fail:
            raise KafkaTimeoutError("broker gone")
        self.articles.append(article)

    def by_title(self) -> dict[str, Article]:
        return {a.title or "": a for a in self.articles}


@pytest.fixture
def publisher() -> Recorder:
    return Recorder()


@pytest.fixture
def make_ingestor(settings: IngestSettings, publisher: Recorder, sleeps: Sleeps):
    """Ingestor(**overrides) on the test's state directory; each one opens the state
    afresh, as a new run of the command would."""
    opened: list[tuple[State, Fetcher]] = []

    def make(settings: IngestSettings = settings, **kwargs) -> Ingestor:
        state = State(settings.state_dir)
        fetcher = Fetcher(settings, sleep=sleeps.sleep)
        opened.append((state, fetcher))
        kwargs.setdefault("metrics", IngestMetrics())
        return Ingestor(settings, state, kwargs.pop("publisher", publisher), fetcher, **kwargs)

    yield make
    for state, fetcher in opened:
        fetcher.close()
        state.close()
