"""Event resolution: which real-world event a report belongs to, and what to tell
subscribers about it (pure: no Kafka; the stream keeps blocks in a Faust table,
`newsmon extract` in a dict).

A block (`identity.block_key`) holds the events one report could belong to. `resolve`
takes a block's state and one extracted event and returns the new state, the event's
identity and the records to publish:

- the first alertable report of an event: an `alert`;
- a planned visit first reported under way: a `status_changed` alert (previous and
  new status) on the alert topics;
- any later report of an alerted event, a visit reported over included: an `update`.

Matching, and why these windows:
Each kind says how its reports match (`kinds.Kind.match`: a visit by its trip span, an
allegation by its subject within two weeks), which of its events alert and what its
alerts carry; this module holds what is common to all of them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from . import kinds
from .identity import block_key

SCHEMA = "newsmon.alert.v2"
ARTICLE_FIELDS = ("id", "url", "title", "source", "published_at")
#: Bounds on what one block remembers.
MAX_EVENTS = 32
MAX_REPORTS = 256
MAX_SOURCES = 50


@dataclass(frozen=True)
class Policy:
    retention: timedelta = timedelta(days=400)  # a block's event not reported this long is dropped
    alert_past_visits: bool = False


@dataclass
class Outcome:
    """The block's new state (None: unchanged), the event's id and what to publish."""

    state: dict | None
    event_id: str
    records: list[dict] = field(default_factory=list)
    new: bool = False  # the report made a new event (else it joined a known one)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def article_ref(article: dict | None, event: dict) -> dict:
    """The article fields an alert carries; only the id when nothing else is known."""
    article = article or {}
    ref = {k: article.get(k) for k in ARTICLE_FIELDS}
    ref["id"] = ref["id"] or event["article_id"]
    return ref


def outlet(article: dict) -> str:
    """`source`, else the URL's host, else the article id."""
    if article.get("source"):
        return article["source"]
    return urlparse(article.get("url") or "").hostname or article["id"]


def published(ref: dict, now: datetime) -> datetime:
    try:
        return parse_iso(ref["published_at"]) if ref.get("published_at") else now
    except ValueError:
        return now


def in_resolution_order(events: list[dict]) -> list[dict]:
    """An article's events with recalled (past) visits first, so that the visit now
    reported finds the earlier one it follows."""
    return sorted(events, key=lambda e: e.get("status") != "past")


def new_event_id(kind: str, block: str, anchor: str) -> str:
    digest = hashlib.sha256(f"{kind}|{block}|{anchor}".encode()).hexdigest()[:16]
    return f"{kinds.get(kind).prefix}-{digest}"


# -- the decision ------------------------------------------------------------------------


def resolve(
    state: dict | None,
    event: dict,
    article: dict | None,
    origin: str,
    now: datetime,
    policy: Policy | None = None,
) -> Outcome:
    """One report of `event` (from `article`, read at `origin`) against its block."""
    policy = policy or Policy()
    kind = kinds.of(event)
    ref = article_ref(article, event)
    when = published(ref, now)
    day = when.date()
    block = block_key(event)
    records = [r for r in (state or {}).get("events", []) if not _expired(r, now, policy)]
    report = f"{origin}#{event['event_id']}"  # one article message may carry several events
    for r in records:
        if report in r["reports"]:
            return Outcome(None, r["event_id"])  # a redelivery: already counted
    match = kind.match(records, event, day)
    if match is None:
        record = _new_record(kind, block, event, ref, when, now, report, records)
        records.append(record)
        records = sorted(records, key=lambda r: r["updated_at"])[-MAX_EVENTS:]
        out = []
        if kind.alertable(record, policy.alert_past_visits):
            record["alerted"] = True
            out.append(build_alert(record, "alert"))
        return Outcome({"block": block, "events": records}, record["event_id"], out, new=True)
    previous_status = match.get("status")
    _add_report(kind, match, event, ref, when, now, report)
    out = []
    if not match["alerted"] and kind.alertable(event, policy.alert_past_visits):
        match["alerted"] = True  # its first alertable report
        out.append(build_alert(match, "alert"))
    elif match["alerted"] and kind.status_changed(match, previous_status):
        out.append(build_alert(match, "status_changed", previous_status=previous_status))
    elif match["alerted"]:
        out.append(build_alert(match, "update", previous_status=previous_status))
    return Outcome({"block": block, "events": records}, match["event_id"], out)


def _expired(record: dict, now: datetime, policy: Policy) -> bool:
    return now - parse_iso(record["updated_at"]) > policy.retention


def _source(ref: dict, when: datetime) -> dict:
    return {
        "article_id": ref["id"],
        "url": ref.get("url"),
        "outlet": outlet(ref),
        "title": ref.get("title"),
        "published_at": iso(when),
    }


def _new_record(kind, block, event, ref, when, now, report, records) -> dict:
    day = when.date()
    record = {
        "event_id": new_event_id(kind.name, block, kind.anchor(event, day)),
        "type": event["type"],
        "event": event,
        "article": ref,
        "last_article": ref,
        "detected_at": iso(now),
        "updated_at": iso(now),
        "first_seen": iso(when),
        "last_seen": iso(when),
        "report_count": 1,
        "sources": [_source(ref, when)],
        "reports": [report],
        "alerted": False,
    }
    kind.start(record, event, day, records)
    record["event"] = kind.current(record, event, {})
    return record


def _add_report(kind, record, event, ref, when, now, report) -> None:
    record["report_count"] += 1
    record["reports"] = [*record["reports"], report][-MAX_REPORTS:]
    record["updated_at"] = iso(now)
    record["last_article"] = ref
    if iso(when) > record["last_seen"]:
        record["last_seen"] = iso(when)
    if iso(when) < record["first_seen"]:
        record["first_seen"] = iso(when)
    known = any(s["article_id"] == ref["id"] for s in record["sources"])
    if not known and len(record["sources"]) < MAX_SOURCES:
        record["sources"] = [*record["sources"], _source(ref, when)]
    kind.merge(record, event, when.date())
    record["event"] = kind.current(record, event, record.get("event") or {})


def build_alert(record: dict, kind: str, previous_status: str | None = None) -> dict:
    """An alert record per `schemas/alert.v2.json` from a block's event record."""
    alert = {
        "schema": SCHEMA,
        "kind": kind,
        "alert_id": f"{record['event_id']}:{kind}:{record['report_count']}",
        "event_id": record["event_id"],
        "type": record["type"],
        "event": record["event"],
        "article": record["article"],
        "last_article": record["last_article"],
        "detected_at": record["detected_at"],
        "updated_at": record["updated_at"],
        "first_seen": record["first_seen"],
        "last_seen": record["last_seen"],
        "report_count": record["report_count"],
        "sources": record["sources"],
    }
    alert.update(kinds.of(record).alert_fields(record, kind, previous_status))
    return alert


def summary(alert: dict) -> str:
    """One readable line for an alert, a status change or an update."""
    text = kinds.of(alert["event"]).describe(alert["event"], alert)
    article = alert["article"]
    label = {"update": "UPDATE", "status_changed": "CHANGE"}.get(alert.get("kind"), "ALERT")
    return (
        f"{label} {alert['event_id']} {text} | reports {alert['report_count']}"
        f" | first: {article['id']} ({article.get('source') or '-'})"
    )


class MemoryStore:
    """The offline store: blocks in a dict. `resolve_article` gives an article's events
    their resolved ids, resolving them in the order the stream does."""

    def __init__(self, policy: Policy | None = None) -> None:
        self.blocks: dict[str, dict] = {}
        self.policy = policy or Policy()
        self.records: list[dict] = []

    def resolve_article(self, article: dict, events: list[dict], now: datetime) -> list[dict]:
        """`events` (in their order) with their resolved event_id."""
        ids: dict[int, str] = {}
        order = sorted(range(len(events)), key=lambda n: events[n].get("status") != "past")
        for n in order:  # recalled visits first, as `in_resolution_order`
            event = events[n]
            key = block_key(event)
            origin = f"offline/{article.get('id')}/{n}"
            outcome = resolve(self.blocks.get(key), event, article, origin, now, self.policy)
            if outcome.state is not None:
                self.blocks[key] = outcome.state
            self.records += outcome.records
            ids[n] = outcome.event_id
        return [{**event, "event_id": ids[n]} for n, event in enumerate(events)]


def resolve_offline(
    results: list[tuple[dict, list[dict]]], policy: Policy | None = None
) -> list[list[dict]]:
    """The events of many articles (article dict, events) with resolved ids, resolved in
    publication order (articles without a time last, ties in input order), returned in
    input order: what the stream gives when articles arrive as they were published."""
    store = MemoryStore(policy)
    now = datetime.now(UTC)

    def when(n: int) -> datetime:
        return published(results[n][0], datetime.max.replace(tzinfo=UTC))

    out: dict[int, list[dict]] = {}
    for n in sorted(range(len(results)), key=lambda n: (when(n), n)):
        article, events = results[n]
        out[n] = store.resolve_article(article, events, now) if events else []
    return [out[n] for n in range(len(results))]
