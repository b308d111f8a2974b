"""The two agents: thin glue between the topics and the pure parts.

1. `articles` -> validate -> DLQ or extract -> `events` (keyed by the event's identity
   block, `identity.block_key`, with the article reference and the message origin in
   headers).
2. `events` -> resolution table (one entry per block, `resolve.resolve`) -> `alerts` +
   `alerts.<type>` on an event's first report and when a planned visit is first reported
   under way (`status_changed`), `alerts.updates` on other reports of an alerted event.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import faust
from faust.types import TP, EventT, StreamT

from .articles import Article, InvalidArticle
from .clients import alert_ids_on_partition, partition_counts
from .consumer import RewindingConsumer
from .dlq import dead_letter, validate
from .identity import block_key
from .metrics import Metrics
from .resolve import Policy, in_resolution_order, parse_iso, resolve
from .settings import Settings
from .topics import Topics, create_all, declare, too_few_partitions

log = logging.getLogger("newsmon.agents")

STALL_CHECK_SECONDS = 5.0
STALL_CHECKS = 3  # a partition behind its end whose commits stand still this long is stalled
ARTICLE_HEADER = "newsmon-article"
ORIGIN_HEADER = "newsmon-origin"
PENDING = "alerts_pending"  # block state: alerts written before they are sent
ONCE = ("alert", "status_changed")  # records sent once only, on the alert topics
ARRIVED_HEADER = "newsmon-arrived"  # the article record's timestamp, seconds

# the events of each article, in order, with the seconds it cost (Extractor.extract_timed)
ExtractAll = Callable[[list[Article]], list[tuple[list[dict], float]]]
EXIT_CONFIG = 2  # the supervisor does not restart a worker that exits with it
BATCH = 16  # articles per extraction batch
BATCH_WAIT = 0.02  # seconds a batch waits to fill up (a full batch goes at once)


@dataclass
class Pipeline:
    app: faust.App
    topics: Topics
    table: faust.Table
    topics_created: asyncio.Event  # set once every topic exists (the worker is ready after)


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
    """Declares topics, the resolution table, both agents and the partition watch."""
    metrics = metrics or Metrics()
    topics = declare(app, settings)
    retention = timedelta(days=settings.dedup_retention_days)
    policy = Policy(retention=retention, alert_past_visits=settings.alert_past_visits)
    table = app.Table(
        "events-v2",
        default=None,
        partitions=settings.partitions,
        help="identity block -> the events it holds (resolve.py)",
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
        for item in in_resolution_order(found):
            metrics.extracted(item)
            key = block_key(item).encode()
            await topics.events.send(key=key, value=item, headers=headers)

    async def extract_one(event: EventT, article: Article) -> None:
        """One article on its own: an extraction error dead-letters it alone."""
        loop = asyncio.get_running_loop()
        try:
            ((found, seconds),) = await loop.run_in_executor(executor, extract_all, [article])
        except Exception as exc:
            log.exception("extraction failed for %s", article.id)
            await reject(event, InvalidArticle("extraction_failed", repr(exc)))
            return
        metrics.extraction.observe(seconds)
        await publish_events(event, article, found)

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
            try:
                found = await loop.run_in_executor(
                    executor, extract_all, [article for _, article in valid]
                )
            except Exception:
                log.warning("a batch failed to extract: retrying its articles one by one")
                for event, article in valid:
                    await extract_one(event, article)
                continue
            for (event, article), (events, seconds) in zip(valid, found, strict=True):
                metrics.extraction.observe(seconds)  # the article's own time, not the mean
                await publish_events(event, article, events)

    @app.agent(topics.events, name="newsmon.resolve")
    async def resolve_events(stream: StreamT) -> None:
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
            try:
                key = block_key(item)
            except (KeyError, TypeError):
                log.warning("skipping an event without parties at %s", origin_of(event))
                continue
            state = table.get(key)
            if isinstance(state, dict) and state.get(PENDING):
                state = await finish_pending(key, state)
            outcome = resolve(state, item, article, origin, datetime.now(UTC), policy)
            if outcome.state is None:
                continue  # a redelivered report
            new = {**outcome.state, "partition": event.message.partition}
            once = [r for r in outcome.records if r["kind"] in ONCE]
            if once:
                await publish_once(key, new, once)
                for record in once:
                    if record["kind"] == "alert":
                        metrics.alerted(item, _seconds_since(_header(event, ARRIVED_HEADER)))
                    else:
                        metrics.status_changes.labels(item["type"]).inc()
            else:
                table[key] = new
            if not outcome.new:
                metrics.duplicates.labels(item["type"]).inc()
            for record in outcome.records:
                if record["kind"] == "update":
                    await topics.updates.send(key=record["event_id"].encode(), value=record)

    def alert_topics(record: dict) -> list:
        return [topics.alerts, *filter(None, [topics.by_type.get(record["type"])])]

    async def publish_once(key: str, state: dict, records: list[dict]) -> None:
        """Alerts and status changes, once, even across crashes (no Kafka transactions):
        the block's state is written with the records pending and flushed first, the
        records sent to the partition of their events and acknowledged, then the state
        is written as done. A crash in between leaves them pending, and `finish_pending`
        sends those the topics lack."""
        table[key] = {**state, PENDING: records}
        await app.producer.flush()
        sent = [
            await topic.send(
                key=record["event_id"].encode(), value=record, partition=state["partition"]
            )
            for record in records
            for topic in alert_topics(record)
        ]
        for acknowledged in sent:  # every topic in one round trip
            await acknowledged
        table[key] = state

    async def finish_pending(key: str, state: dict) -> dict:
        """After a crash mid-publish: sends each pending record to the topics that lack
        it (looked up by its alert_id on the partition)."""
        loop = asyncio.get_running_loop()
        records = state[PENDING]
        state = {k: v for k, v in state.items() if k != PENDING}
        for topic in {t.get_topic_name(): t for r in records for t in alert_topics(r)}.values():
            name = topic.get_topic_name()
            wanted = [r for r in records if topic in alert_topics(r)]
            found = await loop.run_in_executor(
                lookups, alert_ids_on_partition, settings, name, state["partition"],
                {r["alert_id"] for r in wanted},
            )  # fmt: skip
            for record in wanted:
                if record["alert_id"] not in found:
                    log.warning("%s was interrupted by a crash: sending it now", record["alert_id"])
                    sent = await topic.send(
                        key=record["event_id"].encode(), value=record, partition=state["partition"]
                    )
                    await sent
        table[key] = state
        return state

    topics_created = asyncio.Event()

    @app.task
    async def create_topics() -> None:
        """At start, once Faust is connected: every topic we write exists, and each alert
        topic has at least the events topic's partitions; else exit 2 naming it."""
        await create_all(topics)
        names = [settings.events_topic, *settings.alert_topics]
        loop = asyncio.get_running_loop()
        counts = await loop.run_in_executor(lookups, partition_counts, settings, names)
        short = too_few_partitions(counts, settings.events_topic, settings.alert_topics)
        if short:
            print(
                f"newsmon worker: {', '.join(short)} has fewer partitions than "
                f"{settings.events_topic} ({counts[settings.events_topic]}): alerts go to the "
                "partition of their event; add partitions to it (kafka-topics --alter)",
                file=sys.stderr,
                flush=True,
            )
            os._exit(EXIT_CONFIG)  # nothing to clean up: every commit follows its work
        topics_created.set()

    @app.timer(interval=3600.0, on_leader=False)
    async def purge_expired() -> None:
        """Tombstones for states past the retention window, in partitions we own."""
        actives = app.assignor.assigned_actives()
        now = datetime.now(UTC)
        for key, state in list(table.data.items()):
            partition = state.get("partition") if isinstance(state, dict) else None
            if partition is None or TP(settings.events_topic, partition) not in actives:
                continue
            if all(now - parse_iso(e["updated_at"]) > policy.retention for e in state["events"]):
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

    return Pipeline(app, topics, table, topics_created)
