"""Topics as a subscriber finds them: every topic the worker writes exists once it is
ready (replicated 3 times with min.insync.replicas 2 on Apache Kafka, Faust's own topics
too); an alert topic with fewer partitions than the events topic stops the worker with
exit 2; and a client that is not ours (confluent-kafka, librdkafka's defaults) subscribed
before the first article publishes articles and receives schema-valid alerts. On both
brokers: `make test` (embedded) and `make test-kafka`."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from dataclasses import replace

import pytest
from confluent_kafka import Consumer, Producer
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from streams.clients import ensure_topics

from ..conftest import REFERENCE
from ..test_stream_logic import load_schema
from .conftest import NEWSMON, ON_KAFKA

pytestmark = pytest.mark.integration


def test_the_worker_creates_every_topic_it_writes_at_start(settings, start_worker):
    worker = start_worker()
    worker.wait_ready()
    admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap)
    try:
        ours = [t for t in admin.list_topics() if t.startswith(settings.app_id)]
        described = {t["name"]: t["partitions"] for t in admin.describe_topics(ours)}
        assert set(settings.all_topics) <= set(described), sorted(described)
        for topic in settings.all_topics:
            assert len(described[topic]) == settings.partitions, topic
        if ON_KAFKA:  # ours and Faust's internal topics (changelog, assignor) alike
            assert any("changelog" in t for t in described), sorted(described)
            for topic, partitions in described.items():
                assert {len(p["replica_nodes"]) for p in partitions} == {3}, topic
            wanted = {"min.insync.replicas": None}
            configs = admin.describe_configs(
                [ConfigResource(ConfigResourceType.TOPIC, t, configs=wanted) for t in described],
                config_filter="all",
            )["topic"]
            min_isr = {t: c["min.insync.replicas"]["value"] for t, c in configs.items()}
            assert set(min_isr) == set(described)
            assert set(min_isr.values()) == {"2"}, min_isr
    finally:
        admin.close()
    assert worker.process.poll() is None


def test_newsmon_topics_creates_every_topic_before_any_worker(env, settings, newsmon):
    """What docker-compose's kafka-init runs: the whole topology, a kind loaded with
    NEWSMON_KINDS included, with the partitions and replicas of the settings."""
    toy = settings.type_topic("armistice_call")
    result = subprocess.run(
        [*NEWSMON, "topics", "--wait", "60"], env={**env, "NEWSMON_KINDS": "tests.toy_kind"},
        cwd=env["PYTHONPATH"], capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    listed = {line.split("\t")[0]: line.split("\t")[1:] for line in result.stdout.splitlines()}
    assert set(listed) == {*settings.all_topics, toy}
    assert set(map(tuple, listed.values())) == {
        (str(settings.partitions), str(settings.replication_factor))
    }
    again = newsmon("topics")  # idempotent; without the kind, its topic is not listed
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("\n") == len(settings.all_topics)


def test_an_alert_topic_with_too_few_partitions_stops_the_worker(settings, start_worker):
    narrow = settings.type_topic("leader_visit")
    ensure_topics(replace(settings, partitions=1), [narrow])
    worker = start_worker()
    assert worker.process.wait(timeout=120) == 2, worker.output()[-3000:]
    assert f"{narrow} has fewer partitions than {settings.events_topic}" in worker.output()


def test_a_foreign_client_subscribed_before_the_first_article_gets_valid_alerts(
    settings, start_worker
):
    """confluent-kafka with its default batching and metadata refresh (5 minutes): the
    alert topics must exist before it subscribes, or it would see nothing for minutes."""
    worker = start_worker()
    worker.wait_ready()
    servers = {"bootstrap.servers": settings.bootstrap}
    consumer = Consumer(
        {**servers, "group.id": f"foreign-{uuid.uuid4().hex[:8]}", "auto.offset.reset": "earliest"}
    )
    consumer.subscribe(settings.alert_topics)
    try:
        deadline = time.monotonic() + 60
        while not consumer.assignment():  # joined: it knows the topics' partitions
            assert time.monotonic() < deadline, "the subscriber never got partitions"
            consumer.poll(0.5)
        producer = Producer(servers)
        article = {
            "id": "putin-pyongyang-2024",
            "text": REFERENCE.read_text(encoding="utf-8"),
            "published_at": "2024-06-19T03:00:00Z",
            "source": "reference",
        }
        producer.produce(settings.articles_topic, key=article["id"], value=json.dumps(article))
        assert producer.flush(30) == 0

        validate = load_schema("alert.v2.json")
        received: dict[str, list[dict]] = {}
        deadline = time.monotonic() + 180
        visits = settings.type_topic("leader_visit")
        while not (received.get(settings.alerts_topic) and received.get(visits)):
            assert time.monotonic() < deadline, f"alerts received: {received}"
            message = consumer.poll(1.0)
            if message is None or message.error():
                continue
            alert = validate(json.loads(message.value()))
            received.setdefault(message.topic(), []).append(alert)
    finally:
        consumer.close()
    alerts = [a for topic in received.values() for a in topic]
    assert {a["type"] for a in received[visits]} == {"leader_visit"}
    assert {a["last_article"]["id"] for a in alerts} == {"putin-pyongyang-2024"}
    assert worker.process.poll() is None
