"""The sinks' Kafka side: each sink reads the alerts topic in its own consumer group
(`<app id>.sink.<name>`) on its own thread, so a slow or dead endpoint holds back only
its own sink, never the worker's extraction nor another sink.

At-least-once: offsets are committed by hand (`enable_auto_commit=False`), one record at
a time, only once the record is finished: delivered, left out by the filters, or
dead-lettered on `<alerts topic>.sink.<name>.dlq` (acknowledged by the broker before the
commit). A stop during the retries of a record leaves its offset uncommitted: it is
delivered again by the next run. While a record waits for its next attempt the sink's
partitions are paused and the consumer keeps polling, so it stays in its group however
long the pauses.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import CommitFailedError
from kafka.structs import OffsetAndMetadata

from ..clients import connect
from ..settings import Settings
from . import payloads
from .config import SinkConfig
from .deliver import DELIVERED, STOPPED, Attempt, Request, deliver
from .metrics import SinkMetrics

log = logging.getLogger("newsmon.deliver")
POLL_MS = 500
DLQ_ACK_TIMEOUT = 60.0


def request_for(sink: SinkConfig, alert: dict) -> Request:
    """The POST of one alert to `sink`: the signed alert (webhook) or a chat line."""
    raw = payloads.body(alert) if sink.type == "webhook" else payloads.chat_body(alert)
    return Request(sink.url, raw, payloads.headers(raw, alert, sink.secret))


class SinkRunner:
    """One sink: its consumer, its HTTP client, its loop (`run`, on its own thread)."""

    def __init__(
        self,
        sink: SinkConfig,
        settings: Settings,
        producer: KafkaProducer,
        metrics: SinkMetrics,
        stop: threading.Event,
    ) -> None:
        self.sink = sink
        self.settings = settings
        self.producer = producer
        self.metrics = metrics
        self.stop = stop
        self.dlq_topic = sink.dlq_topic(settings.alerts_topic)
        self.error: BaseException | None = None
        self.ready = threading.Event()
        self.consumer: KafkaConsumer | None = None

    def run(self) -> None:
        name = self.sink.name
        try:
            self.consumer = connect(
                KafkaConsumer,
                self.settings,
                client_id=f"newsmon-sink-{name}",
                group_id=self.sink.group(self.settings.app_id),
                enable_auto_commit=False,
                auto_offset_reset=self.sink.start,
                session_timeout_ms=int(self.settings.session_timeout * 1000),
                fetch_max_wait_ms=self.settings.fetch_wait_ms,
                max_partition_fetch_bytes=self.settings.max_message_bytes,
                fetch_max_bytes=self.settings.max_message_bytes * 2,
            )
            self.consumer.subscribe([self.settings.alerts_topic])
            with httpx.Client(trust_env=False) as client:
                self.metrics.up.labels(name).set(1)
                self.ready.set()
                log.info(
                    "sink %s (%s to %s): reading %s as group %s, dead letters to %s",
                    name,
                    self.sink.type,
                    self.sink.host,
                    self.settings.alerts_topic,
                    self.sink.group(self.settings.app_id),
                    self.dlq_topic,
                )
                self._loop(client)
        except BaseException as exc:  # the command reports it and stops every sink
            self.error = exc
            self.stop.set()
        finally:
            self.metrics.up.labels(name).set(0)
            self.ready.set()
            if self.consumer is not None:
                self.consumer.close(autocommit=False)

    def _loop(self, client: httpx.Client) -> None:
        consumer = self.consumer
        assert consumer is not None
        while not self.stop.is_set():
            batch = consumer.poll(timeout_ms=POLL_MS, max_records=1)
            for tp, records in batch.items():
                for record in records:
                    if not self.handle(client, record):
                        return  # stopped mid-retries: not committed, read again next run
                    self._commit(tp, record.offset + 1)

    def _commit(self, tp: TopicPartition, offset: int) -> None:
        assert self.consumer is not None
        try:
            self.consumer.commit({tp: OffsetAndMetadata(offset, "", -1)})
        except CommitFailedError:  # the partition moved to another member: it re-reads
            log.warning(
                "sink %s: commit of %s/%d refused (rebalanced)", self.sink.name, tp.topic, offset
            )

    def handle(self, client: httpx.Client, record) -> bool:
        """Finishes one record (delivered, filtered out or dead-lettered): True; or False
        when the command is stopping before it is finished."""
        name = self.sink.name
        alert = _alert(record.value)
        if alert is None:
            self._dead_letter(record, None, "not_an_alert", "not a JSON alert", 0, None, "")
            return True
        if not self.sink.filters.matches(alert):
            self.metrics.filtered.labels(name).inc()
            return True
        outcome = deliver(
            client,
            request_for(self.sink, alert),
            self.sink.policy,
            sleep=self._pause,
            on_attempt=lambda a: self._attempted(alert, a),
        )
        if outcome.result == STOPPED:
            return False
        self.metrics.latency.labels(name).observe(outcome.seconds)
        if outcome.result == DELIVERED:
            self.metrics.delivered.labels(name).inc()
            return True
        self._dead_letter(
            record,
            alert,
            outcome.result,
            outcome.reason,
            outcome.attempts,
            outcome.last_status,
            outcome.last_error,
        )
        return True

    def _attempted(self, alert: dict, attempt: Attempt) -> None:
        name = self.sink.name
        if attempt.number > 1:
            self.metrics.retried.labels(name).inc()
        self.metrics.up.labels(name).set(1 if attempt.ok else 0)
        if not attempt.ok:
            what = f"HTTP {attempt.status}" if attempt.status is not None else attempt.error
            log.warning(
                "sink %s: %s attempt %d of %d: %s",
                name,
                alert.get("alert_id"),
                attempt.number,
                self.sink.policy.max_attempts,
                what,
            )

    def _dead_letter(
        self,
        record,
        alert: dict | None,
        reason: str,
        detail: str,
        attempts: int,
        last_status: int | None,
        last_error: str,
    ) -> None:
        letter = payloads.dead_letter(
            sink=self.sink.name,
            sink_type=self.sink.type,
            reason=reason,
            detail=detail,
            attempts=attempts,
            last_status=last_status,
            last_error=last_error,
            alert=alert,
            value=record.value,
            source={
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "timestamp": record.timestamp / 1000 if record.timestamp is not None else None,
            },
            now=datetime.now(UTC),
        )
        value = json.dumps(letter, ensure_ascii=False).encode("utf-8")
        # acknowledged before the offset is committed: a lost dead letter is never possible
        self.producer.send(self.dlq_topic, key=record.key, value=value).get(DLQ_ACK_TIMEOUT)
        self.metrics.failed.labels(self.sink.name).inc()
        log.warning(
            "sink %s: %s dead-lettered to %s: %s",
            self.sink.name,
            letter["alert_id"],
            self.dlq_topic,
            detail,
        )

    def _pause(self, seconds: float) -> bool:
        """Waits `seconds` before the next attempt, polling with every partition paused
        (the group keeps the consumer); False when the command is stopping."""
        consumer = self.consumer
        assert consumer is not None
        deadline = time.monotonic() + seconds
        paused = consumer.assignment()
        consumer.pause(*paused)
        try:
            while not self.stop.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    return True
                got = consumer.poll(timeout_ms=max(1, int(min(left, POLL_MS / 1000) * 1000)))
                for tp, records in got.items():  # a partition assigned meanwhile: not now
                    consumer.seek(tp, records[0].offset)
            return False
        finally:
            consumer.resume(*(tp for tp in paused if tp in consumer.assignment()))


def _alert(value: bytes | None) -> dict | None:
    if value is None:
        return None
    try:
        alert = json.loads(value)
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(alert, dict) or not isinstance(alert.get("alert_id"), str):
        return None
    return alert


def run_sinks(
    settings: Settings,
    sinks: list[SinkConfig],
    producer: KafkaProducer,
    metrics: SinkMetrics,
    stop: threading.Event,
    on_ready: Callable[[], None] | None = None,
) -> list[tuple[str, BaseException]]:
    """Runs every sink on its own thread until `stop` is set (or a sink fails, which
    stops them all); the sinks that failed, with their error."""
    runners = [SinkRunner(s, settings, producer, metrics, stop) for s in sinks]
    threads = [
        threading.Thread(target=r.run, name=f"sink-{r.sink.name}", daemon=True) for r in runners
    ]
    for thread in threads:
        thread.start()
    for runner in runners:
        runner.ready.wait()
    if on_ready is not None and not stop.is_set():
        on_ready()
    while not stop.is_set():
        stop.wait(0.5)
    for thread in threads:
        thread.join()
    return [(r.sink.name, r.error) for r in runners if r.error is not None]
