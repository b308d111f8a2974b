"""The worker's topology on a Faust app: the topics, the resolution table, the two agents
and the timers beside them. Each registration here is one line of glue into the module
that does the work:

1. `newsmon.extract`: `articles` -> validate -> DLQ or extract -> `events`
   (`extraction.py`);
2. `newsmon.resolve`: `events` -> resolution table -> `alerts`, `alerts.<type>` (once
   only, `alerts.py`) and `alerts.updates` (`resolution.py`);
3. the startup topic check, the retention purge and the partition watch (`watch.py`).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import faust
from faust.types import StreamT

from ..metrics import Metrics
from ..resolve import Policy
from ..settings import Settings
from . import extraction, resolution, watch
from .context import Context, ExtractAll
from .extraction import BATCH, BATCH_WAIT
from .topics import Topics, declare
from .watch import STALL_CHECK_SECONDS, Stalls


@dataclass
class Pipeline:
    app: faust.App
    topics: Topics
    table: faust.Table
    topics_created: asyncio.Event  # set once every topic exists (the worker is ready after)


def build(
    app: faust.App, settings: Settings, extract_all: ExtractAll, metrics: Metrics | None = None
) -> Pipeline:
    """Declares topics, the resolution table, both agents and the partition watch."""
    ctx = _context(app, settings, extract_all, metrics or Metrics())
    topics_created = asyncio.Event()
    stalls: Stalls = {}

    @app.agent(ctx.topics.articles, name="newsmon.extract")
    async def extract_events(stream: StreamT) -> None:
        """Batches of up to BATCH articles (or what came within BATCH_WAIT s) through
        `nlp.pipe`; the batch's offsets are acknowledged once all of it is published."""
        async for batch in stream.take_events(BATCH, within=BATCH_WAIT):
            await extraction.handle_batch(ctx, batch)

    @app.agent(ctx.topics.events, name="newsmon.resolve")
    async def resolve_events(stream: StreamT) -> None:
        async for event in stream.events():
            await resolution.handle_event(ctx, event)

    @app.task
    async def create_topics() -> None:
        await watch.create_topics(ctx, topics_created)

    @app.timer(interval=3600.0, on_leader=False)
    async def purge_expired() -> None:
        watch.purge_expired(ctx)

    @app.timer(interval=STALL_CHECK_SECONDS)
    async def watch_partitions() -> None:
        await watch.watch_partitions(ctx, stalls)

    return Pipeline(app, ctx.topics, ctx.table, topics_created)


def _context(
    app: faust.App, settings: Settings, extract_all: ExtractAll, metrics: Metrics
) -> Context:
    """The topics and the resolution table declared on `app`, with what the handlers
    share."""
    topics = declare(app, settings)
    retention = timedelta(days=settings.dedup_retention_days)
    table = app.Table(
        "events-v2",
        default=None,
        partitions=settings.partitions,
        help="identity block -> the events it holds (resolve.py)",
        extra_topic_configs={"retention.ms": str(int(retention.total_seconds() * 2000))},
    )
    return Context(
        app=app,
        settings=settings,
        topics=topics,
        table=table,
        policy=Policy(retention=retention, alert_past_visits=settings.alert_past_visits),
        metrics=metrics,
        extract_all=extract_all,
        extractor=ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract"),
        lookups=ThreadPoolExecutor(max_workers=1, thread_name_prefix="lookup"),
    )
