"""Faust's Kafka consumer with the changes that keep its commits behind its work.

Faust 0.15 can commit offsets of records nobody processed:

1. `getmany` drops the rest of a fetched batch when the partition is paused while the
   batch is being handed on (Faust pauses partitions while it recovers tables after a
   rebalance), though the fetch position has already moved past it;
2. `_add_gap` marks offsets a fetch jumped over as done;
3. `_new_offset` accepts a run of acknowledged offsets that starts one past the
   committed offset, and any run when the committed offset is 0 or unknown.

`RewindingConsumer` reads dropped records again (1), leaves jumped-over offsets open and
reads its partition again from the committed offset (2), and commits only a run that
starts exactly at the committed offset, which is the partition's earliest offset when
nothing was committed yet (3). Reading again is harmless: reports are counted by origin.
Seeks requested with `rewind` happen between two fetches, never while a fetched batch is
being handed on; `unstall` serves the partition watch in `streams.worker.watch`.
These override Faust internals: check them on a Faust upgrade.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import AsyncIterator
from importlib import metadata

import faust
from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.types import TP, Message
from faust.utils.functional import consecutive_numbers

log = logging.getLogger("newsmon.consumer")


# What the classes below override or read, per base class: checked at start
# (`check_internals`) because a Faust or aiokafka release may rename any of it.
OVERRIDDEN: dict[type, tuple[str, ...]] = {
    aiokafka_driver.AIOKafkaConsumerThread: ("_create_worker_consumer",),
    aiokafka_driver.Consumer: (
        "_new_consumer_thread",
        "_wait_next_records",
        "getmany",
        "_add_gap",
        "_new_offset",
        "perform_seek",
        "assignment",
        "earliest_offsets",
    ),
    faust.App: ("_new_transport",),
}
TESTED = "faust-streaming 0.15.x with aiokafka 0.14.x"


class InternalsChanged(RuntimeError):
    """An installed Faust or aiokafka lacks what `streams.worker.consumer` overrides."""


def check_internals(overridden: dict[type, tuple[str, ...]] = OVERRIDDEN) -> None:
    """Raises `InternalsChanged`, naming the installed versions, when a base class lacks
    a method this module overrides or calls, or aiokafka's consumer no longer reads
    `_fetch_max_wait_ms`."""
    missing = [
        f"{base.__module__}.{base.__qualname__}.{name}"
        for base, names in overridden.items()
        for name in names
        if not callable(getattr(base, name, None))
    ]
    from aiokafka import AIOKafkaConsumer

    # the names its constructor sets, from its code object (no source file read at start)
    if "_fetch_max_wait_ms" not in AIOKafkaConsumer.__init__.__code__.co_names:
        missing.append("aiokafka.AIOKafkaConsumer._fetch_max_wait_ms")
    if missing:
        installed = ", ".join(f"{p} {_version(p)}" for p in ("faust-streaming", "aiokafka"))
        raise InternalsChanged(
            f"installed {installed} lack {', '.join(missing)}, which newsmon overrides "
            f"(streams/worker/consumer.py, tested with {TESTED}): install the pinned versions "
            "(pip install -e .)"
        )


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "(not installed)"


class _ConsumerThread(aiokafka_driver.AIOKafkaConsumerThread):
    """Faust hard-codes `fetch_max_wait_ms=1500`; this takes `App.fetch_wait_ms`
    (`NEWSMON_FETCH_WAIT_MS`): a broker that answers a fetch only when its wait is over
    (tansu does) would delay records by up to 1.5 s at every hop."""

    def _create_worker_consumer(self, transport):  # type: ignore[no-untyped-def]
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = self.app.fetch_wait_ms
        return consumer


class RewindingConsumer(aiokafka_driver.Consumer):
    """Faust's aiokafka consumer whose commits never pass an unprocessed record."""

    def _new_consumer_thread(self) -> _ConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    _last_fetch: dict | None = None

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._rewinds: dict[TP, int] = {}

    def rewind(self, tp: TP, offset: int, why: str) -> None:
        """Asks for `tp` to be read again from `offset`. The seek happens between two
        fetches, in the fetch loop itself: a seek from elsewhere races the batch being
        handed on, whose records would move the read position past the seek again."""
        if offset < self._rewinds.get(tp, offset + 1):
            log.info("re-reading %s from offset %d: %s", tp, offset, why)
            self._rewinds[tp] = offset

    def positions(self, tp: TP) -> tuple[int, int | None]:
        """(committed offset, offset of the last record handed on) of a partition."""
        return self._committed_offset.get(tp) or 0, self._read_offset.get(tp)

    def unstall(self, tp: TP, committed: int) -> None:
        """Reads a stalled partition again from its committed offset. A partition Faust's
        flow control left out of fetching (a buffer-full pause whose "pressure drop"
        never came) is put back among the fetched ones first."""
        active = self._get_active_partitions()
        left_out = tp not in active and tp not in self._paused_partitions
        log.warning(
            "partition %s stalled at offset %d%s",
            tp,
            committed,
            " (left out of fetching by Faust's flow control: fetching it again)"
            if left_out
            else "",
        )
        if left_out:
            self._buffered_partitions.discard(tp)
            active.add(tp)
        self.rewind(tp, committed, "stalled")

    async def _wait_next_records(self, timeout: float):  # type: ignore[override]
        records, active = await super()._wait_next_records(timeout)
        self._last_fetch = records
        return records, active

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Message]]:
        if self._rewinds:
            assigned = self.assignment()
            rewinds, self._rewinds = self._rewinds, {}
            for tp, offset in rewinds.items():
                if tp in assigned:
                    await self.seek(tp, offset)
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
            return  # a rebalance seeks to the committed offsets anyway
        for tp, records in fetched.items():
            last = handed_on.get(tp)
            dropped = [r.offset for r in records if last is None or r.offset > last]
            if dropped:
                self.rewind(tp, dropped[0], f"{len(dropped)} fetched records were dropped")

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        """Faust marks offsets a fetch jumped over as done, so they get committed without
        being processed. Here they stay open (the commit stops before them) and the
        partition is read again from its committed offset."""
        committed = self._committed_offset.get(tp)
        start = committed if committed is not None else max(0, offset_from - 1)
        self.rewind(tp, start, f"offsets {offset_from}..{offset_to - 1} were not handed on")

    def _new_offset(self, tp: TP) -> int | None:
        """The offset to commit: one past the run of acknowledged offsets that starts at
        the committed offset. Faust's version also accepts a run starting one past it
        (and any run when the committed offset is 0), which skips a record."""
        acked = self._acked[tp]
        committed = self._committed_offset[tp]
        acked.sort()
        if committed is not None:
            stale = bisect.bisect_left(acked, committed)
            if stale:
                self._acked_index[tp].difference_update(acked[:stale])
                del acked[:stale]
        if not acked or (committed is not None and acked[0] != committed):
            return None
        run = next(consecutive_numbers(acked))
        del acked[: len(run)]
        self._acked_index[tp].difference_update(run)
        return run[-1] + 1

    async def perform_seek(self) -> None:
        """Faust's seek to the committed offsets; a partition without a commit counts
        as committed at its earliest offset, where the group starts reading it."""
        self._rewinds.clear()
        await super().perform_seek()
        unknown = [
            tp
            for tp in self.assignment()
            if self._committed_offset.get(tp) is None and self.app.topics.acks_enabled_for(tp.topic)
        ]
        if unknown:
            earliest = await self.earliest_offsets(*unknown)
            self._committed_offset.update(
                {TP(t.topic, t.partition): o for t, o in earliest.items()}
            )


class Transport(aiokafka_driver.Transport):
    Consumer = RewindingConsumer


class App(faust.App):
    """`faust.App` whose consumer is a `RewindingConsumer` with a configurable fetch wait."""

    def __init__(self, *args: object, fetch_wait_ms: int = 500, **kwargs: object) -> None:
        self.fetch_wait_ms = fetch_wait_ms
        super().__init__(*args, **kwargs)

    def _new_transport(self) -> Transport:
        return Transport(self.conf.broker_consumer, self)
