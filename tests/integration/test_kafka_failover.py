"""A broker of the 3-node Apache Kafka cluster SIGKILLed while 2,000 articles stream
through a worker, and started again later: every article accounted for, the alerts of the
offline extractor, none twice. Once the broker leading the most partitions of the articles
and events topics, once the active KRaft controller. Runs with `make test-kafka`."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from .conftest import ON_KAFKA
from .test_pipeline import Offline, corpus_articles
from .test_reliability import (
    ARTICLES,
    check_accounted,
    expected_events,
    originals_of,
    start_publishing,
    stream_of,
)

pytestmark = [
    pytest.mark.kafka,
    pytest.mark.skipif(not ON_KAFKA, reason="needs NEWSMON_TEST_BROKER=kafka (make test-kafka)"),
]

DOWN_FOR = 20.0  # seconds the broker stays dead, the stream still flowing


@pytest.mark.parametrize("victim", ["partition leader", "controller"])
def test_a_broker_killed_mid_stream_loses_nothing_and_duplicates_no_alert(
    victim, tmp_path, env, settings, kafka_cluster, start_worker, read_topic, wait_drained
):
    originals = corpus_articles()
    articles = stream_of(originals, ARTICLES)
    offline = Offline(env, tmp_path / "originals.jsonl", originals_of(articles))
    worker = start_worker()
    worker.wait_ready()
    topics = [settings.articles_topic, settings.events_topic]
    if victim == "controller":
        node = kafka_cluster.controller()
    else:
        node = kafka_cluster.leaders(*topics).most_common(1)[0][0]

    began = time.monotonic()
    publisher = start_publishing(settings, articles, 0.01)
    time.sleep(6.0)  # mid-stream
    kafka_cluster.kill(node)
    killed = time.monotonic()
    try:
        time.sleep(DOWN_FOR)
        assert worker.process.poll() is None, worker.output()[-3000:]
    finally:
        kafka_cluster.restart(node)
    restarted = time.monotonic()
    publisher.join(timeout=600)
    assert not publisher.is_alive()
    wait_drained([worker], timeout=900)
    drained = time.monotonic()
    while not kafka_cluster.fully_replicated(*topics):
        assert time.monotonic() - drained < 300, "the restarted broker never caught up"
        time.sleep(1.0)
    in_sync = time.monotonic()

    expected = expected_events(offline, articles)
    streamed = {(e["article_id"], e["event_id"]) for e in read_topic("--topic", topics[1])}
    alerts = read_topic()
    ids = Counter(a["alert_id"] for a in alerts)
    figures = {
        "victim": victim,
        "node": node,
        "articles": len(articles),
        "missing_events": len({(e["article_id"], e["event_id"]) for e in expected} - streamed),
        "duplicate_alerts": sum(n - 1 for n in ids.values()),
        "alerts": len(ids),
        "down_s": round(restarted - killed, 1),
        "drained_after_restart_s": round(drained - restarted, 1),
        "back_in_sync_after_restart_s": round(in_sync - restarted, 1),
        "stream_s": round(drained - began, 1),
    }
    print("broker failure:", json.dumps(figures))
    reports = Path(kafka_cluster.state["nodes"]["1"]["data"]).parents[1] / "reports"
    reports.mkdir(exist_ok=True)
    with (reports / "broker-failure.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps({"at": time.strftime("%Y-%m-%dT%H:%M:%S"), **figures}) + "\n")
    check_accounted(settings, read_topic, articles, expected)
