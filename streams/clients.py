"""Plain kafka-python clients for the command line: topic creation, publishing, tailing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from .articles import Article
from .settings import Settings


def ensure_topics(settings: Settings, topics: Iterable[str] | None = None) -> None:
    """Creates the topology's topics that do not exist yet (idempotent, race-safe)."""
    wanted = list(topics if topics is not None else settings.all_topics)
    admin = KafkaAdminClient(bootstrap_servers=settings.bootstrap, client_id="newsmon-admin")
    try:
        missing = [t for t in wanted if t not in set(admin.list_topics())]
        if missing:
            spec = {t: {"num_partitions": settings.partitions, "replication_factor": 1} for t in missing}
            admin.create_topics(spec, raise_errors=False)
    finally:
        admin.close()


def producer(settings: Settings) -> KafkaProducer:
    return KafkaProducer(
        bootstrap_servers=settings.bootstrap,
        client_id="newsmon-publish",
        acks="all",
        linger_ms=5,
        max_request_size=settings.max_message_bytes,
    )


def article_message(article: Article) -> tuple[bytes, bytes]:
    """(key, value) of an article: keyed by its id."""
    value = json.dumps(article.to_dict(), ensure_ascii=False).encode("utf-8")
    return article.id.encode("utf-8"), value


def publish_raw(
    settings: Settings, messages: Iterable[tuple[bytes | None, bytes | None]]
) -> Iterator[int]:
    """Sends raw (key, value) pairs to the articles topic as they are, bytes and all
    (tests use it for bad input); yields the running count, then flushes."""
    ensure_topics(settings)
    client = producer(settings)
    try:
        count = 0
        for key, value in messages:
            client.send(settings.articles_topic, key=key, value=value)
            count += 1
            yield count
        client.flush()
    finally:
        client.close()


def publish_articles(settings: Settings, articles: Iterable[Article]) -> Iterator[int]:
    return publish_raw(settings, (article_message(a) for a in articles))


def tail(
    settings: Settings,
    topics: list[str],
    from_beginning: bool = False,
    max_messages: int | None = None,
    idle_timeout: float | None = None,
) -> Iterator[tuple[str, dict | bytes]]:
    """(topic, decoded JSON or raw bytes) for each message on `topics`, without a consumer
    group (every partition assigned); stops after `max_messages` or `idle_timeout` s of
    silence when given."""
    ensure_topics(settings, topics)
    consumer = KafkaConsumer(
        bootstrap_servers=settings.bootstrap,
        client_id="newsmon-tail",
        group_id=None,
        enable_auto_commit=False,
        fetch_max_bytes=settings.max_message_bytes * 2,
        max_partition_fetch_bytes=settings.max_message_bytes,
    )
    try:
        partitions = _partitions(consumer, topics)
        consumer.assign(partitions)
        if from_beginning:
            consumer.seek_to_beginning(*partitions)
        else:
            consumer.seek_to_end(*partitions)
            for tp in partitions:
                consumer.position(tp)  # resolve "end" now, not at the first poll
        count, last = 0, time.monotonic()
        while max_messages is None or count < max_messages:
            batch = consumer.poll(timeout_ms=200)
            if not batch:
                if idle_timeout is not None and time.monotonic() - last > idle_timeout:
                    return
                continue
            last = time.monotonic()
            for records in batch.values():
                for record in records:
                    yield record.topic, _decode(record.value)
                    count += 1
                    if max_messages is not None and count >= max_messages:
                        return
    finally:
        consumer.close()


def _partitions(consumer: KafkaConsumer, topics: list[str], timeout: float = 30.0) -> list:
    deadline = time.monotonic() + timeout
    while True:
        found = {t: consumer.partitions_for_topic(t) for t in topics}
        if all(found.values()):
            return [TopicPartition(t, p) for t, ps in found.items() for p in sorted(ps)]
        if time.monotonic() > deadline:
            missing = [t for t, ps in found.items() if not ps]
            raise TimeoutError(f"topics not found: {', '.join(missing)}")
        time.sleep(0.2)


def _decode(value: bytes | None) -> dict | bytes:
    if value is None:
        return b""
    try:
        return json.loads(value)
    except (UnicodeDecodeError, ValueError):
        return value
