"""The two agents: thin glue between the topics and the pure parts.

1. `articles` -> validate -> DLQ or extract -> `events` (keyed by `event_id`, with the
   article reference and the message origin in headers).
2. `events` -> dedup table -> `alerts` + `alerts.<type>` on a first report,
   `alerts.updates` on later reports of an alerted event.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import faust
from faust.types import TP, EventT, StreamT

from .articles import Article, InvalidArticle
from .clients import keys_on_partition
from .consumer import RewindingConsumer
from .dedup import Policy, build_alert, decide, is_expired
from .dlq import dead_letter, validate
from .metrics import Metrics
from .settings import Settings
from .topics import Topics, declare

log = logging.getLogger("newsmon.agents")

STALL_CHECK_SECONDS = 5.0
STALL_CHECKS = 3  # a partition behind its end whose commits stand still this long is stalled
ARTICLE_HEADER = "newsmon-article"
ORIGIN_HEADER = "newsmon-origin"
PENDING = "alert_pending"  # dedup state flag: written before an alert is sent
ARRIVED_HEADER = "newsmon-arrived"  # the article record's timestamp, seconds

ExtractAll = Callable[[list[Article]], list[list[dict]]]  # events of each article, in order
BATCH = 16  # articles per extraction batch
BATCH_WAIT = 0.02  # seconds a batch waits to fill up (a full batch goes at once)


@dataclass
class Pipeline:
    app: faust.App
    topics: Topics
    table: faust.Table


def origin_of(event: EventT) -> str:
    m = event.message
    return f"{m.topic}/{m.partition}/{m.offset}"


def article_headers(article: Article, origin: str, arrived: float | None) -> dict[str, bytes]:
    ref = {k: v for k, v in article.to_dict().items() if k != "text" and k != "language"}
    headers = {
        ARTICLE_HEADER: json.dumps(ref, ensure_ascii=False).encode(),
        ORIGIN_HEADER: origin.encode(),
    }
    if arrived is not None:
        headers[ARRIVED_HEADER] = repr(float(arrived)).encode()
    return headers


def _header(event: EventT, name: str) -> str | None:
    value = (event.headers or {}).get(name)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _seconds_since(raw: str | None) -> float | None:
    try:
        return time.time() - float(raw) if raw else None
    except ValueError:
        return None


def build(
    app: faust.App, settings: Settings, extract_all: ExtractAll, metrics: Metrics | None = None
) -> Pipeline:
    """Declares topics, the dedup table, both agents and the partition watch on `app`."""
    metrics = metrics or Metrics()
    topics = declare(app, settings)
    retention = timedelta(days=settings.dedup_retention_days)
    policy = Policy(retention=retention, alert_past_visits=settings.alert_past_visits)
    table = app.Table(
        "alerted",
        default=None,
        partitions=settings.partitions,
        help="event_id -> dedup state (first report, count, sources)",
        extra_topic_configs={"retention.ms": str(int(retention.total_seconds() * 2000))},
    )
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")
    lookups = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lookup")

    async def reject(event: EventT, error: InvalidArticle) -> None:
        m = event.message
        letter = dead_letter(
            error,
            topic=m.topic,
            partition=m.partition,
            offset=m.offset,
            value=m.value,
            key=m.key,
            timestamp=m.timestamp,
        )
        log.info("dead letter %s: %s", origin_of(event), error.reason)
        metrics.reject(error.reason)
        await topics.dlq.send(key=m.key, value=letter)

    async def publish_events(event: EventT, article: Article, found: list[dict]) -> None:
        headers = article_headers(article, origin_of(event), event.message.timestamp)
        for item in found:
            metrics.extracted(item)
            await topics.events.send(key=item["event_id"].encode(), value=item, headers=headers)

    async def extract_one(event: EventT, article: Article) -> None:
        """One article on its own: an extraction error dead-letters it alone."""
        loop = asyncio.get_running_loop()
        try:
            with metrics.extraction.time():
                found = await loop.run_in_executor(executor, extract_all, [article])
        except Exception as exc:
            log.exception("extraction failed for %s", article.id)
            await reject(event, InvalidArticle("extraction_failed", repr(exc)))
            return
        await publish_events(event, article, found[0])

    @app.agent(topics.articles, name="newsmon.extract")
    async def extract_events(stream: StreamT) -> None:
        """Batches of up to BATCH articles (or what came within BATCH_WAIT s) through
        `nlp.pipe`; the batch's offsets are acknowledged once all of it is published."""
        loop = asyncio.get_running_loop()
        async for batch in stream.take_events(BATCH, within=BATCH_WAIT):
            valid: list[tuple[EventT, Article]] = []
            for event in batch:
                metrics.consumed.inc()
                result = validate(event.message.value, settings.max_text_bytes)
                if isinstance(result, InvalidArticle):
                    await reject(event, result)
                else:
                    valid.append((event, result))
            if not valid:
                continue
            started = time.perf_counter()
            try:
                found = await loop.run_in_executor(
                    executor, extract_all, [article for _, article in valid]
                )
            except Exception:
                log.warning("a batch failed to extract: retrying its articles one by one")
                for event, article in valid:
                    await extract_one(event, article)
                continue
            share = (time.perf_counter() - started) / len(valid)
            for (event, article), events in zip(valid, found, strict=True):
                metrics.extraction.observe(share)
                await publish_events(event, article, events)

    @app.agent(topics.events, name="newsmon.dedup")
    async def dedup_events(stream: StreamT) -> None:
        async for event in stream.events():
            item = event.value
            if not isinstance(item, dict) or not isinstance(item.get("event_id"), str):
                log.warning("skipping a malformed event at %s", origin_of(event))
                continue
            raw_article = _header(event, ARTICLE_HEADER)
            try:
                article = json.loads(raw_article) if raw_article else None
            except ValueError:
                article = None
            origin = _header(event, ORIGIN_HEADER) or origin_of(event)
            key = item["event_id"]
            partition = event.message.partition
            state = table.get(key)
            if isinstance(state, dict) and state.get(PENDING):
                state = await finish_pending(key, state)
            decision = decide(state, item, article, origin, datetime.now(UTC), policy)
            if decision.alert is not None:
                await publish_alert(key, {**decision.state, "partition": partition})
                metrics.alerted(item, _seconds_since(_header(event, ARRIVED_HEADER)))
            elif decision.state is not None:
                if decision.state["report_count"] > 1:
                    metrics.duplicates.labels(item["type"]).inc()
                table[key] = {**decision.state, "partition": partition}
            if decision.update is not None:
                await topics.updates.send(key=key.encode(), value=decision.update)

    def alert_topics(state: dict) -> list:
        return [topics.alerts, *filter(None, [topics.by_type.get(state["type"])])]

    async def publish_alert(key: str, state: dict) -> None:
        """An alert, once, even across crashes (no Kafka transactions): the state is
        written as pending and flushed first, the alert sent to the partition of its
        event and acknowledged, then the state is written as done. A crash in between
        leaves a pending state, which `finish_pending` settles."""
        table[key] = {**state, PENDING: True}
        await app.producer.flush()
        alert = build_alert(state, "alert")
        sent = [
            await topic.send(key=key.encode(), value=alert, partition=state["partition"])
            for topic in alert_topics(state)
        ]
        for acknowledged in sent:  # both topics in one round trip
            await acknowledged
        table[key] = state

    async def send_acknowledged(topic, key: str, alert: dict, partition: int) -> None:
        """Sends to the partition of the alert's event and waits for the broker's ack."""
        sent = await topic.send(key=key.encode(), value=alert, partition=partition)
        await sent

    async def finish_pending(key: str, state: dict) -> dict:
        """After a crash mid-alert: publishes the alert to the topics that lack it."""
        loop = asyncio.get_running_loop()
        state = {k: v for k, v in state.items() if k != PENDING}
        alert = build_alert(state, "alert")
        for topic in alert_topics(state):
            found = await loop.run_in_executor(
                lookups, keys_on_partition, settings, topic.get_topic_name(),
                state["partition"], {key.encode()},
            )  # fmt: skip
            if not found:
                log.warning("alert %s was interrupted by a crash: publishing it now", key)
                await send_acknowledged(topic, key, alert, state["partition"])
        table[key] = state
        return state

    @app.timer(interval=3600.0, on_leader=False)
    async def purge_expired() -> None:
        """Tombstones for states past the retention window, in partitions we own."""
        actives = app.assignor.assigned_actives()
        now = datetime.now(UTC)
        for key, state in list(table.data.items()):
            partition = state.get("partition") if isinstance(state, dict) else None
            if partition is None or TP(settings.events_topic, partition) not in actives:
                continue
            if is_expired(state, now, policy):
                table.send_changelog(partition, key, None, value_serializer="raw")
                table.data.pop(key, None)

    # partition -> (committed offset, last handed-on offset, checks with neither moving)
    stalls: dict[TP, tuple[int, int | None, int]] = {}

    @app.timer(interval=STALL_CHECK_SECONDS)
    async def watch_partitions() -> None:
        """Publishes the lag of each assigned input partition, and reads a partition
        again from its committed offset when it is behind its end and neither its
        committed offset nor its last handed-on offset moved for STALL_CHECKS checks in
        a row (after a restart Faust sometimes stops fetching a partition until the next
        rebalance). Reading again is safe: reports are counted by origin."""
        consumer: RewindingConsumer = app.consumer
        if not consumer.flow_active:
            stalls.clear()
            return
        tps = [
            tp
            for tp in consumer.assignment()
            if tp.topic in (settings.articles_topic, settings.events_topic)
        ]
        ends = await consumer.highwaters(*tps) if tps else {}
        stuck = []
        lags: dict[tuple[str, int], int] = {}
        for tp in tps:
            committed, read = consumer.positions(tp)
            lags[(tp.topic, tp.partition)] = max(0, (ends.get(tp) or 0) - committed)
            if (ends.get(tp) or 0) <= committed:
                stalls.pop(tp, None)
                continue
            previous = stalls.get(tp, (committed, read, 0))
            unmoved = previous[2] + 1 if previous[:2] == (committed, read) else 0
            stalls[tp] = (committed, read, unmoved)
            if unmoved >= STALL_CHECKS:
                stuck.append((tp, committed))
        metrics.set_lag(lags)
        for tp, committed in stuck:
            consumer.unstall(tp, committed)
            stalls.pop(tp, None)

    return Pipeline(app, topics, table)
