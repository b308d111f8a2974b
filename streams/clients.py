"""Plain kafka-python clients for the command line: topic creation, publishing, tailing;
all with the TLS and SASL settings of `streams.security`."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import (
    CoordinatorLoadInProgressError,
    CoordinatorNotAvailableError,
    KafkaError,
    NotCoordinatorError,
)

from .articles import Article
from .security import kafka_python_options, mask_in_logs, redact, uses_sasl
from .settings import Settings

C = TypeVar("C")


class _LastConnectionError(logging.Handler):
    """kafka-python logs why a connection failed, then raises a bare "Unable to bootstrap";
    this keeps the last such reason (a TLS handshake refused, a SASL login refused...)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.reason = ""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "fail" in message.lower() and "Unable to bootstrap" not in message:
            self.reason = message.split(" (backoff")[0]


def connect(kind: Callable[..., C], settings: Settings, **config: Any) -> C:
    """A kafka-python client (`KafkaProducer`, `KafkaConsumer`, `KafkaAdminClient`) on
    `settings.bootstrap` with the security options of `settings`; when it cannot connect,
    the error says why, without the password."""
    mask_in_logs(settings)
    watcher = _LastConnectionError()
    logger = logging.getLogger("kafka")
    logger.addHandler(watcher)
    try:
        options = {**config, **kafka_python_options(settings)}
        return kind(bootstrap_servers=settings.bootstrap, **options)
    except KafkaError as exc:
        detail = exc.args[0] if exc.args else type(exc).__name__
        why = f" (last error: {watcher.reason})" if watcher.reason else ""
        hint = (
            "; check NEWSMON_SASL_USERNAME, NEWSMON_SASL_PASSWORD and NEWSMON_SASL_MECHANISM"
            if uses_sasl(settings)
            else ""
        )
        message = redact(f"{detail} over {settings.security_protocol}{why}{hint}", settings)
        try:
            error = type(exc)(message)
        except TypeError:  # an error class with its own signature
            error = KafkaError(message)
        raise error from None
    finally:
        logger.removeHandler(watcher)


def _admin(settings: Settings) -> KafkaAdminClient:
    return connect(KafkaAdminClient, settings, client_id="newsmon-admin")


def ensure_topics(settings: Settings, topics: Iterable[str] | None = None) -> None:
    """Creates the topology's topics that do not exist yet (idempotent, race-safe)."""
    wanted = list(topics if topics is not None else settings.all_topics)
    admin = _admin(settings)
    try:
        missing = [t for t in wanted if t not in set(admin.list_topics())]
        if missing:
            spec = {
                t: {
                    "num_partitions": settings.partitions,
                    "replication_factor": settings.replication_factor,
                }
                for t in missing
            }
            admin.create_topics(spec, raise_errors=False)
    finally:
        admin.close()


def describe_topics(settings: Settings, topics: list[str]) -> dict[str, tuple[int, int]]:
    """(partitions, replicas of the first partition) of each of `topics` that exists."""
    admin = _admin(settings)
    try:
        existing = set(admin.list_topics())
        wanted = [t for t in topics if t in existing]
        found = admin.describe_topics(wanted) if wanted else []
    finally:
        admin.close()
    out = {}
    for topic in found:
        partitions = topic.get("partitions") or []
        if topic.get("error_code", 0) == 0 and partitions:
            out[topic["name"]] = (len(partitions), len(partitions[0].get("replica_nodes") or []))
    return out


def create_topology(
    settings: Settings, wait: float = 60.0, pause: float = 2.0
) -> dict[str, tuple[int, int]]:
    """Every topic of the topology (`Settings.all_topics`, one alert topic per kind)
    created if missing, trying again for `wait` seconds while the broker refuses (a
    cluster not yet counting enough brokers for the replication factor); returns each
    topic's (partitions, replicas). Raises TopicsMissing naming those still missing."""
    deadline = time.monotonic() + wait
    wanted = settings.all_topics
    while True:
        try:
            ensure_topics(settings, wanted)
            found = describe_topics(settings, wanted)
        except KafkaError:
            found = {}
        missing = [t for t in wanted if t not in found]
        if not missing:
            return found
        if time.monotonic() >= deadline:
            raise TopicsMissing(missing)
        time.sleep(pause)


class TopicsMissing(Exception):
    """Topics the broker did not create in time."""

    def __init__(self, topics: list[str]) -> None:
        super().__init__(f"not created: {', '.join(topics)}")
        self.topics = topics


def producer(settings: Settings) -> KafkaProducer:
    return connect(
        KafkaProducer,
        settings,
        client_id="newsmon-publish",
        acks="all",
        batch_size=settings.producer_batch_bytes,  # 1 on the embedded broker: see settings
        linger_ms=settings.producer_linger_ms,
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
        for count, (key, value) in enumerate(messages, 1):
            client.send(settings.articles_topic, key=key, value=value)
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
    until: Callable[[], bool] | None = None,
) -> Iterator[tuple[str, dict | bytes]]:
    """(topic, decoded JSON or raw bytes) for each message on `topics`, without a consumer
    group (every partition assigned); stops after `max_messages`, after `idle_timeout` s
    at the end of every partition with nothing new, or when `until()` (asked whenever a
    poll at the end comes back empty) is true."""
    ensure_topics(settings, topics)
    consumer = connect(
        KafkaConsumer,
        settings,
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
        count, last, stopping = 0, time.monotonic(), False
        while max_messages is None or count < max_messages:
            batch = consumer.poll(timeout_ms=200)
            if not batch:
                if not _caught_up(consumer, partitions):
                    last = time.monotonic()  # idle means: at the end, and nothing new
                    continue
                if stopping or (idle_timeout and time.monotonic() - last > idle_timeout):
                    return
                # one more poll after `until()`: what was sent before it is read too
                stopping = until is not None and until()
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


def _caught_up(consumer: KafkaConsumer, partitions: list) -> bool:
    ends = consumer.end_offsets(partitions)
    return all(consumer.position(tp) >= end for tp, end in ends.items())


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


def partition_counts(settings: Settings, topics: list[str]) -> dict[str, int]:
    """How many partitions each of `topics` has (waits for them to appear)."""
    consumer = connect(KafkaConsumer, settings, group_id=None)
    try:
        found = _partitions(consumer, topics)
    finally:
        consumer.close()
    return {t: sum(1 for tp in found if tp.topic == t) for t in topics}


def _decode(value: bytes | None) -> dict | bytes:
    if value is None:
        return b""
    try:
        return json.loads(value)
    except (UnicodeDecodeError, ValueError):
        return value


def backlog(settings: Settings, group: str | None = None) -> int | None:
    """Messages on the articles and events topics not yet committed by the worker's
    consumer group (None when the topics do not exist yet, or the group's coordinator
    cannot answer now)."""
    consumer = connect(KafkaConsumer, settings, group_id=None)
    admin = _admin(settings)
    try:
        return uncommitted(settings, consumer, admin, group)
    finally:
        consumer.close()
        admin.close()


def uncommitted(
    settings: Settings,
    consumer: KafkaConsumer,
    admin: KafkaAdminClient,
    group: str | None = None,
) -> int | None:
    """`backlog` with clients the caller keeps open between calls."""
    topics = [settings.articles_topic, settings.events_topic]
    found = {t: consumer.partitions_for_topic(t) for t in topics}
    if not all(found.values()):
        return None
    tps = [TopicPartition(t, p) for t, ps in found.items() for p in sorted(ps)]
    ends = consumer.end_offsets(tps)
    group_id = group or settings.app_id
    try:
        committed = admin.list_group_offsets({group_id: tps}).get(group_id, {})
    except (CoordinatorNotAvailableError, NotCoordinatorError, CoordinatorLoadInProgressError):
        return None  # the offsets topic made on first demand, or its coordinator moving
    done = {tp: meta.offset for tp, meta in committed.items() if meta.offset >= 0}
    return sum(max(0, end - done.get(tp, 0)) for tp, end in ends.items())


def alert_ids_on_partition(
    settings: Settings, topic: str, partition: int, alert_ids: set[str]
) -> set[str]:
    """Which of `alert_ids` some alert record on `topic`/`partition` carries, reading the
    partition from its start to its current end (the worker's check after a crash, see
    `worker/alerts.py`)."""
    consumer = connect(KafkaConsumer, settings, group_id=None, enable_auto_commit=False)
    try:
        tp = TopicPartition(topic, partition)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        end = consumer.end_offsets([tp])[tp]
        found: set[str] = set()
        while consumer.position(tp) < end:
            for records in consumer.poll(timeout_ms=1000).values():
                for r in records:
                    try:
                        alert_id = json.loads(r.value).get("alert_id")
                    except (ValueError, TypeError, AttributeError):
                        continue
                    if alert_id in alert_ids:
                        found.add(alert_id)
        return found
    finally:
        consumer.close()
