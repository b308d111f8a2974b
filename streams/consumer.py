"""Faust's Kafka consumer with one fix: records it fetched but never handed on are re-read.

Faust's `Consumer.getmany` fetches a batch for the active partitions and then hands the
records on one by one, awaiting each. If a partition is paused meanwhile (Faust pauses
partitions while it recovers tables after a rebalance), the rest of that partition's
batch is silently dropped although the fetch position has already moved past it. The
next record Faust sees then jumps ahead, `_add_gap` marks the skipped offsets as done,
and they are committed without ever being processed: articles lost after a restart.

`RewindingConsumer` remembers each fetched batch and, when the generator ends within
the same generation with flow active, seeks every assigned partition back to its first
record that was fetched but not handed on. Drops caused by a rebalance (generation
change, flow stopped) are left alone: Faust seeks to the committed offsets then.
This reads Faust internals (`_wait_next_records`); check it on a Faust upgrade.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import faust
from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.types import TP, Message

log = logging.getLogger("newsmon.consumer")


class RewindingConsumer(aiokafka_driver.Consumer):
    """Faust's aiokafka consumer that re-reads records it fetched but dropped."""

    _last_fetch: dict | None = None

    async def _wait_next_records(self, timeout: float):  # type: ignore[override]
        records, active = await super()._wait_next_records(timeout)
        self._last_fetch = records
        return records, active

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Message]]:
        generation = self.app.consumer_generation_id
        handed_on: dict[TP, int] = {}
        async for tp, message in super().getmany(timeout):
            handed_on[tp] = message.offset
            yield tp, message
        fetched, self._last_fetch = self._last_fetch, None
        if (
            not fetched
            or self.should_stop
            or not self.flow_active
            or self.app.consumer_generation_id != generation
        ):
            return
        assigned = self.assignment()
        for tp, records in fetched.items():
            last = handed_on.get(tp)
            dropped = [r.offset for r in records if last is None or r.offset > last]
            if dropped and tp in assigned:
                log.info(
                    "re-reading %s from offset %d (%d fetched records were dropped)",
                    tp,
                    dropped[0],
                    len(dropped),
                )
                await self.seek(tp, dropped[0])


class Transport(aiokafka_driver.Transport):
    Consumer = RewindingConsumer


class App(faust.App):
    """`faust.App` whose consumer is a `RewindingConsumer`."""

    def _new_transport(self) -> Transport:
        return Transport(self.conf.broker_consumer, self)
