"""The resolve agent's work: `events` -> the resolution table (one entry per identity
block, `resolve.resolve`) -> `alerts` + `alerts.<type>` on an event's first report and
when a planned visit is first reported under way (`status_changed`), sent once only
(`alerts.py`); `alerts.updates` on other reports of an alerted event."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from faust.types import EventT

from ..identity import block_key
from ..resolve import resolve
from .alerts import finish_pending, is_pending, publish_once
from .context import Context, log
from .headers import ARRIVED_HEADER, ARTICLE_HEADER, ORIGIN_HEADER, header, origin_of

ONCE = ("alert", "status_changed")  # records sent once only, on the alert topics


async def handle_event(ctx: Context, event: EventT) -> None:
    """One report: resolved against its block's state, the state written, its records
    sent. A malformed event is logged and skipped; a redelivered report changes nothing."""
    item = event.value
    if not isinstance(item, dict) or not isinstance(item.get("event_id"), str):
        log.warning("skipping a malformed event at %s", origin_of(event))
        return
    article = _article(event)
    origin = header(event, ORIGIN_HEADER) or origin_of(event)
    try:
        key = block_key(item)
    except (KeyError, TypeError):
        log.warning("skipping an event without parties at %s", origin_of(event))
        return
    state = ctx.table.get(key)
    if is_pending(state):
        state = await finish_pending(ctx, key, state)
    outcome = resolve(state, item, article, origin, datetime.now(UTC), ctx.policy)
    if outcome.state is None:
        return  # a redelivered report
    new = {**outcome.state, "partition": event.message.partition}
    once = [r for r in outcome.records if r["kind"] in ONCE]
    if once:
        await publish_once(ctx, key, new, once)
        _count_once(ctx, event, item, once)
    else:
        ctx.table[key] = new
    if not outcome.new:
        ctx.metrics.duplicates.labels(item["type"]).inc()
    for record in outcome.records:
        if record["kind"] == "update":
            await ctx.topics.updates.send(key=record["event_id"].encode(), value=record)


def _article(event: EventT) -> dict | None:
    """The article reference of the article header, None when missing or unreadable."""
    raw = header(event, ARTICLE_HEADER)
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _count_once(ctx: Context, event: EventT, item: dict, once: list[dict]) -> None:
    """Alerts (with the time since the article arrived) and status changes sent."""
    for record in once:
        if record["kind"] == "alert":
            ctx.metrics.alerted(item, _seconds_since(header(event, ARRIVED_HEADER)))
        else:
            ctx.metrics.status_changes.labels(item["type"]).inc()


def _seconds_since(raw: str | None) -> float | None:
    try:
        return time.time() - float(raw) if raw else None
    except ValueError:
        return None
