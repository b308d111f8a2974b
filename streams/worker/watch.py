"""What runs beside the agents: the startup topic check (`create_topics`), the retention
purge of the resolution table (`purge_expired`, hourly) and the partition watch
(`watch_partitions`, every STALL_CHECK_SECONDS: the lag gauge and the stall watchdog)."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime

from faust.types import TP

from ..clients import partition_counts
from ..resolve import parse_iso
from .consumer import RewindingConsumer
from .context import Context
from .topics import create_all, too_few_partitions

STALL_CHECK_SECONDS = 5.0
STALL_CHECKS = 3  # a partition behind its end whose commits stand still this long is stalled
EXIT_CONFIG = 2  # the supervisor does not restart a worker that exits with it

# partition -> (committed offset, last handed-on offset, checks with neither moving)
Stalls = dict[TP, tuple[int, int | None, int]]


async def create_topics(ctx: Context, created: asyncio.Event) -> None:
    """At start, once Faust is connected: every topic we write exists, and each alert
    topic has at least the events topic's partitions; else exit 2 naming it. Sets
    `created` when done (the worker is ready after)."""
    settings = ctx.settings
    await create_all(ctx.topics)
    names = [settings.events_topic, *settings.alert_topics]
    loop = asyncio.get_running_loop()
    counts = await loop.run_in_executor(ctx.lookups, partition_counts, settings, names)
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
    created.set()


def purge_expired(ctx: Context) -> None:
    """Tombstones for states past the retention window, in partitions we own."""
    table = ctx.table
    actives = ctx.app.assignor.assigned_actives()
    now = datetime.now(UTC)
    for key, state in list(table.data.items()):
        partition = state.get("partition") if isinstance(state, dict) else None
        if partition is None or TP(ctx.settings.events_topic, partition) not in actives:
            continue
        if all(now - parse_iso(e["updated_at"]) > ctx.policy.retention for e in state["events"]):
            table.send_changelog(partition, key, None, value_serializer="raw")
            table.data.pop(key, None)


async def watch_partitions(ctx: Context, stalls: Stalls) -> None:
    """Publishes the lag of each assigned input partition, and reads a partition
    again from its committed offset when it is behind its end and neither its
    committed offset nor its last handed-on offset moved for STALL_CHECKS checks in
    a row (after a restart Faust sometimes stops fetching a partition until the next
    rebalance). Reading again is safe: reports are counted by origin."""
    consumer: RewindingConsumer = ctx.app.consumer
    if not consumer.flow_active:
        stalls.clear()
        return
    inputs = (ctx.settings.articles_topic, ctx.settings.events_topic)
    tps = [tp for tp in consumer.assignment() if tp.topic in inputs]
    ends = await consumer.highwaters(*tps) if tps else {}
    stuck = []
    lags: dict[tuple[str, int], int] = {}
    for tp in tps:
        committed, read = consumer.positions(tp)
        end = ends.get(tp) or 0
        lags[(tp.topic, tp.partition)] = max(0, end - committed)
        if _stalled(stalls, tp, committed, read, end):
            stuck.append((tp, committed))
    ctx.metrics.set_lag(lags)
    for tp, committed in stuck:
        consumer.unstall(tp, committed)
        stalls.pop(tp, None)


def _stalled(stalls: Stalls, tp: TP, committed: int, read: int | None, end: int) -> bool:
    """Counts one more check of `tp`: whether it has been behind `end` with neither
    offset moving for STALL_CHECKS checks."""
    if end <= committed:
        stalls.pop(tp, None)
        return False
    previous = stalls.get(tp, (committed, read, 0))
    unmoved = previous[2] + 1 if previous[:2] == (committed, read) else 0
    stalls[tp] = (committed, read, unmoved)
    return unmoved >= STALL_CHECKS
