"""Broker outages for real: a worker started before its broker exists, and a broker frozen
with SIGSTOP for 30 s mid-stream. The worker retries, never exits, and catches up."""

from __future__ import annotations

import os
import signal
import time

import pytest

from streams.broker import EmbeddedBroker, free_port
from streams.clients import backlog, publish_raw
from streams.settings import Settings

from .test_pipeline import Offline, corpus_articles
from .test_reliability import (
    check_accounted,
    expected_events,
    messages,
    originals_of,
    start_publishing,
    stream_of,
)

pytestmark = pytest.mark.integration


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.5)


def test_a_worker_started_before_its_broker_waits_then_catches_up(
    tmp_path, env, start_worker, read_topic
):
    port = free_port()
    url = f"kafka://127.0.0.1:{port}"
    worker = start_worker(NEWSMON_BROKER=url)
    wait_for(
        lambda: worker.output().count("broker unreachable") >= 3,
        60,
        f"no retries logged:\n{worker.output()[-2000:]}",
    )
    assert "retrying in 4 s" in worker.output()  # the pauses grow
    assert worker.process.poll() is None

    articles = corpus_articles("dev_a.jsonl")
    offline = Offline(env, tmp_path / "articles.jsonl", articles)
    with EmbeddedBroker(port=port, log=tmp_path / "late-broker.log"):
        settings = Settings.from_env({**env, "NEWSMON_BROKER": url})
        list(publish_raw(settings, messages(articles, 0.0)))
        worker.wait_ready()
        wait_for(
            lambda: backlog(settings) == 0 and worker.process.poll() is None,
            240,
            f"not drained:\n{worker.output()[-3000:]}",
        )
        check_accounted(
            settings, lambda *args: read_topic(*args, "--broker", url), articles, offline.events()
        )
        worker.stop()


def test_a_broker_frozen_for_30_s_mid_stream_loses_nothing(
    tmp_path, env, broker, settings, start_worker, read_topic, wait_drained
):
    originals = corpus_articles()
    articles = stream_of(originals, 400, copies=100)
    offline = Offline(env, tmp_path / "originals.jsonl", originals_of(articles))
    worker = start_worker()
    worker.wait_ready()

    publisher = start_publishing(settings, articles, 0.05)
    time.sleep(5.0)
    os.kill(broker.process.pid, signal.SIGSTOP)
    try:
        time.sleep(30.0)
        assert worker.process.poll() is None, worker.output()[-3000:]
    finally:
        os.kill(broker.process.pid, signal.SIGCONT)
    publisher.join(timeout=180)
    assert not publisher.is_alive()
    wait_drained([worker], timeout=400)

    check_accounted(settings, read_topic, articles, expected_events(offline, articles))
    assert worker.process.poll() is None
