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
- a visit's trip span is the dates its text gives (`event["dates"]`), else one made
  from the publication day: ongoing [day - 3, day] (an arrival a few days back is still
  news), planned [day, day + 30] (trips are announced days to weeks ahead), past
  unknown. Spans match when they overlap, day-dated ones with VISIT_SLACK days to
  spare: "on May 16-17" meets the arrival on the 16th, an announcement ten days ahead
  meets the arrival, two trips months apart never merge. An undated past mention joins
  the latest earlier event of its block.
- an allegation matches an event against the same accused country last reported at
  most ALLEGATION_WINDOW days apart whose subject is of a compatible kind; accusers
  and counterparties accumulate on the event and are not part of its identity.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlparse

from .identity import block_key, kinds_compatible, subject_kinds

SCHEMA = "newsmon.alert.v2"
ARTICLE_FIELDS = ("id", "url", "title", "source", "published_at")
VISIT_SLACK = timedelta(days=3)
ONGOING_BACK = timedelta(days=3)
PLANNED_AHEAD = timedelta(days=30)
ALLEGATION_WINDOW = timedelta(days=14)
STATUS_ORDER = {"planned": 0, "ongoing": 1, "past": 2}
PRECISION_ORDER = {"day": 0, "week": 1, "month": 2, "year": 3}
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


# -- spans -----------------------------------------------------------------------------


def visit_span(event: dict, day: date) -> tuple[date, date, str] | None:
    """The trip's (first, last, precision): its own dates, else around the day."""
    dates = event.get("dates")
    if dates:
        return (
            date.fromisoformat(dates["first"]),
            date.fromisoformat(dates["last"]),
            dates["precision"],
        )
    if event["status"] == "ongoing":
        return day - ONGOING_BACK, day, "report"
    if event["status"] == "planned":
        return day, day + PLANNED_AHEAD, "report"
    return None


def _overlap(a: tuple, b: tuple) -> bool:
    slack = VISIT_SLACK if "day" in (a[2], b[2]) else timedelta(0)
    return a[0] <= b[1] + slack and b[0] <= a[1] + slack


def _span_of(record: dict) -> tuple[date, date, str] | None:
    if not record.get("first"):
        return None
    return (
        date.fromisoformat(record["first"]),
        date.fromisoformat(record["last"]),
        record["precision"],
    )


def _match_visit(records: list[dict], event: dict, span, day: date) -> dict | None:
    if span is None:  # an undated past mention: the latest earlier event of the block
        earlier = [r for r in records if (s := _span_of(r)) is None or s[1] < day - timedelta(1)]
        dated = [r for r in earlier if _span_of(r)]
        if dated:
            return max(dated, key=lambda r: r["last"])
        return next((r for r in earlier if r["status"] == "past"), None)
    found = [r for r in records if (s := _span_of(r)) is not None and _overlap(s, span)]
    if not found:
        return None
    center = span[0] + (span[1] - span[0]) / 2
    return min(found, key=lambda r: abs((date.fromisoformat(r["first"]) - center).days))


def _match_allegation(records: list[dict], event: dict, day: date) -> dict | None:
    kinds = subject_kinds(event.get("subject") or "")
    found = [
        r
        for r in records
        if abs((date.fromisoformat(r["last_day"]) - day).days) <= ALLEGATION_WINDOW.days
        and kinds_compatible(set(r["kinds"]), kinds)
    ]
    return max(found, key=lambda r: r["last_day"]) if found else None


def new_event_id(kind: str, block: str, anchor: str) -> str:
    digest = hashlib.sha256(f"{kind}|{block}|{anchor}".encode()).hexdigest()[:16]
    return f"{'lv' if kind == 'leader_visit' else 'sa'}-{digest}"


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
    ref = article_ref(article, event)
    when = published(ref, now)
    day = when.date()
    block = block_key(event)
    records = [r for r in (state or {}).get("events", []) if not _expired(r, now, policy)]
    report = f"{origin}#{event['event_id']}"  # one article message may carry several events
    for r in records:
        if report in r["reports"]:
            return Outcome(None, r["event_id"])  # a redelivery: already counted
    visit = event["type"] == "leader_visit"
    span = visit_span(event, day) if visit else None
    match = (
        _match_visit(records, event, span, day) if visit else _match_allegation(records, event, day)
    )
    if match is None:
        record = _new_record(block, event, ref, span, when, now, report, records)
        records.append(record)
        records = sorted(records, key=lambda r: r["updated_at"])[-MAX_EVENTS:]
        out = []
        if _alertable(record, policy):
            record["alerted"] = True
            out.append(build_alert(record, "alert"))
        return Outcome({"block": block, "events": records}, record["event_id"], out, new=True)
    previous_status = match.get("status")
    _add_report(match, event, ref, span, when, now, report)
    out = []
    if not match["alerted"] and _alertable(event, policy):  # its first alertable report
        match["alerted"] = True
        out.append(build_alert(match, "alert"))
    elif (
        visit and match["alerted"] and previous_status == "planned" and match["status"] == "ongoing"
    ):
        out.append(build_alert(match, "status_changed", previous_status=previous_status))
    elif match["alerted"]:
        out.append(build_alert(match, "update", previous_status=previous_status))
    return Outcome({"block": block, "events": records}, match["event_id"], out)


def _alertable(item: dict, policy: Policy) -> bool:
    """Every event alerts but `past` visits (unless the policy says so); `item` is an
    event record or a report."""
    if item["type"] == "leader_visit" and item["status"] == "past":
        return policy.alert_past_visits
    return True


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


def _new_record(block, event, ref, span, when, now, report, records) -> dict:
    day = when.date()
    visit = event["type"] == "leader_visit"
    anchor = span[0].isoformat() if span else f"past:{day.isoformat()}"
    record = {
        "event_id": new_event_id(event["type"], block, anchor if visit else day.isoformat()),
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
    if visit:
        record["status"] = event["status"]
        record.update(_span_fields(span))
        record["previous_visit"] = _previous_visit(records, span, day)
    else:
        record["last_day"] = day.isoformat()
        record["kinds"] = sorted(subject_kinds(event.get("subject") or ""))
    record["event"] = _current_event(record, event)
    return record


def _span_fields(span) -> dict:
    if span is None or span[2] == "report":
        # a span made from the publication day locates the trip but is no date of it
        return {
            "first": span[0].isoformat() if span else None,
            "last": span[1].isoformat() if span else None,
            "precision": "report" if span else None,
        }
    return {"first": span[0].isoformat(), "last": span[1].isoformat(), "precision": span[2]}


def _previous_visit(records: list[dict], span, day: date) -> dict | None:
    """The latest visit of the block that ended before this one began."""
    start = span[0] if span else day
    earlier = [
        r
        for r in records
        if r["type"] == "leader_visit"
        and r["status"] != "planned"  # a trip only announced may not have happened
        and (s := _span_of(r)) is not None
        and s[1] < start - VISIT_SLACK
    ]
    if not earlier:
        return None
    r = max(earlier, key=lambda r: r["last"])
    first = r["first"]
    when = {"year": first[:4], "month": first[:7], "week": first, "day": first}.get(
        r["precision"],
        r["last"],  # dated by its reports: the day it was reported
    )
    return {"event_id": r["event_id"], "when": when}


def _add_report(record, event, ref, span, when, now, report) -> None:
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
    if event["type"] == "leader_visit":
        if STATUS_ORDER[event["status"]] > STATUS_ORDER[record["status"]]:
            record["status"] = event["status"]
        old = _span_of(record)
        if span is not None and span[2] != "report":
            if (
                old is None
                or old[2] == "report"
                or (PRECISION_ORDER[span[2]] < PRECISION_ORDER[old[2]])
            ):
                record.update(_span_fields(span))
        elif old is None and span is not None:
            record.update(_span_fields(span))
    else:
        day = when.date().isoformat()
        record["last_day"] = max(record["last_day"], day)
        record["kinds"] = sorted(set(record["kinds"]) | subject_kinds(event.get("subject") or ""))
    record["event"] = _current_event(record, event)


def _current_event(record: dict, event: dict) -> dict:
    """The event as known now: the latest report's fields, the resolved id and status,
    and for allegations every accuser and counterparty reported so far."""
    current = {**event, "event_id": record["event_id"]}
    old = record.get("event") or {}
    if event["type"] == "leader_visit":
        current["status"] = record["status"]
        host = dict(event["host"])
        for key in ("city", "leader"):
            host[key] = host.get(key) or (old.get("host") or {}).get(key)
        current["host"] = host
        if record.get("precision") not in (None, "report"):
            current["dates"] = {
                "first": record["first"],
                "last": record["last"],
                "precision": record["precision"],
            }
    else:
        for key in ("accusers", "counterparties"):
            current[key] = sorted(set(old.get(key, [])) | set(event.get(key, [])))
        current["denied"] = bool(old.get("denied")) or bool(event.get("denied"))
        current["subject"] = old.get("subject") or event.get("subject")
    return current


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
    if record["type"] == "leader_visit":
        alert["status"] = record["status"]
        alert["previous_visit"] = record.get("previous_visit")
        if kind != "alert":
            alert["previous_status"] = previous_status
    return alert


def summary(alert: dict) -> str:
    """One readable line for an alert, a status change or an update."""
    e = alert["event"]
    if e["type"] == "leader_visit":
        v, h = e["visitor"], e["host"]
        who = f"{v['title'] + ' ' if v.get('title') else ''}{v['name']} ({v['country']})"
        where = h["country"] + (f" ({h['city']})" if h.get("city") else "")
        if h.get("leader"):
            where += f", meets {h['leader']}"
        when = f", {e['when']}" if e.get("when") else ""
        status = alert.get("status") or e["status"]
        if alert.get("kind") == "status_changed":
            status = f"{alert.get('previous_status')} -> {status}"
        text = f"visit: {who} -> {where} [{status}{when}]"
        if alert.get("previous_visit"):
            text += f" (previous visit {alert['previous_visit']['when']})"
    else:
        accused = e["accused"]
        if e.get("counterparties"):
            accused += " -> " + ", ".join(e["counterparties"])
        denied = " (denied)" if e.get("denied") else ""
        text = f"sanctions: {', '.join(e['accusers'])} accuse {accused}: {e['subject']}{denied}"
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
