"""Alerts and status changes sent once only, even across crashes, without Kafka
transactions. The protocol, per identity block:

1. the block's new state is written to the table with its records under `PENDING`, and
   the producer is flushed (the changelog holds the pending state);
2. the records are sent to every topic they go to (`alert_topics`: `alerts` and the
   event type's topic), to the partition of their event, and acknowledged;
3. the state is written again without `PENDING` (done).

A crash between 1 and 3 leaves the records pending in the restored table. The next report
of that block finds them (`finish_pending`): each topic is read on the event's partition
for their `alert_id`s (`clients.alert_ids_on_partition`), and the records a topic lacks
are sent to it then. Update records (`alerts.updates`) are not part of the protocol:
`resolution.py` sends them as they come.
"""

from __future__ import annotations

import asyncio

from faust.types import TopicT

from ..clients import alert_ids_on_partition
from .context import Context, log
from .topics import Topics

PENDING = "alerts_pending"  # block state: alerts written before they are sent


def alert_topics(topics: Topics, record: dict) -> list[TopicT]:
    """`alerts`, and the topic of the record's event type when there is one."""
    return [topics.alerts, *filter(None, [topics.by_type.get(record["type"])])]


def is_pending(state: object) -> bool:
    """Whether a block state holds records a crash may have left unsent."""
    return isinstance(state, dict) and bool(state.get(PENDING))


async def publish_once(ctx: Context, key: str, state: dict, records: list[dict]) -> None:
    """Alerts and status changes, once, even across crashes (no Kafka transactions):
    the block's state is written with the records pending and flushed first, the
    records sent to the partition of their events and acknowledged, then the state
    is written as done. A crash in between leaves them pending, and `finish_pending`
    sends those the topics lack."""
    ctx.table[key] = {**state, PENDING: records}
    await ctx.app.producer.flush()
    sent = [
        await topic.send(
            key=record["event_id"].encode(), value=record, partition=state["partition"]
        )
        for record in records
        for topic in alert_topics(ctx.topics, record)
    ]
    for acknowledged in sent:  # every topic in one round trip
        await acknowledged
    ctx.table[key] = state


async def finish_pending(ctx: Context, key: str, state: dict) -> dict:
    """After a crash mid-publish: sends each pending record to the topics that lack
    it (looked up by its alert_id on the partition)."""
    records = state[PENDING]
    state = {k: v for k, v in state.items() if k != PENDING}
    targets = {t.get_topic_name(): t for r in records for t in alert_topics(ctx.topics, r)}
    for topic in targets.values():
        wanted = [r for r in records if topic in alert_topics(ctx.topics, r)]
        await _send_missing(ctx, topic, state["partition"], wanted)
    ctx.table[key] = state
    return state


async def _send_missing(ctx: Context, topic: TopicT, partition: int, wanted: list[dict]) -> None:
    """The `wanted` records `topic` lacks on `partition`, sent and acknowledged."""
    loop = asyncio.get_running_loop()
    found = await loop.run_in_executor(
        ctx.lookups, alert_ids_on_partition, ctx.settings, topic.get_topic_name(), partition,
        {r["alert_id"] for r in wanted},
    )  # fmt: skip
    for record in wanted:
        if record["alert_id"] not in found:
            log.warning("%s was interrupted by a crash: sending it now", record["alert_id"])
            sent = await topic.send(
                key=record["event_id"].encode(), value=record, partition=partition
            )
            await sent
