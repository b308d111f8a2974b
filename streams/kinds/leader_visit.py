"""`leader_visit`: a head of state or government visiting another country.

Its reports join one real-world trip when their trip spans meet. A trip's span is the
dates its text gives (`event["dates"]`), else one made from the publication day:
ongoing [day - 3, day] (an arrival a few days back is still news), planned
[day, day + 30] (trips are announced days to weeks ahead), past unknown. Spans match when
they overlap, day-dated ones with VISIT_SLACK days to spare: "on May 16-17" meets the
arrival on the 16th, an announcement ten days ahead meets the arrival, two trips months
apart never merge. An undated past mention joins the latest earlier event of its block.
Past visits do not alert unless asked (`NEWSMON_ALERT_PAST_VISITS`); a planned visit
first reported under way sends a `status_changed` alert.
"""

from __future__ import annotations

from datetime import date, timedelta

from .base import Kind, Pass, Reading

VISIT_SLACK = timedelta(days=3)
ONGOING_BACK = timedelta(days=3)
PLANNED_AHEAD = timedelta(days=30)
STATUS_ORDER = {"planned": 0, "ongoing": 1, "past": 2}
PRECISION_ORDER = {"day": 0, "week": 1, "month": 2, "year": 3}

Span = tuple[date, date, str]


def visit_span(event: dict, day: date) -> Span | None:
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


def _overlap(a: Span, b: Span) -> bool:
    slack = VISIT_SLACK if "day" in (a[2], b[2]) else timedelta(0)
    return a[0] <= b[1] + slack and b[0] <= a[1] + slack


def _span_of(record: dict) -> Span | None:
    if not record.get("first"):
        return None
    return (
        date.fromisoformat(record["first"]),
        date.fromisoformat(record["last"]),
        record["precision"],
    )


def _span_fields(span: Span | None) -> dict:
    if span is None or span[2] == "report":
        # a span made from the publication day locates the trip but is no date of it
        return {
            "first": span[0].isoformat() if span else None,
            "last": span[1].isoformat() if span else None,
            "precision": "report" if span else None,
        }
    return {"first": span[0].isoformat(), "last": span[1].isoformat(), "precision": span[2]}


def _previous_visit(records: list[dict], span: Span | None, day: date) -> dict | None:
    """The latest visit of the block that ended before this one began."""
    start = span[0] if span else day
    earlier = [
        r
        for r in records
        if r["type"] == LeaderVisit.name
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


def _who(visitor: dict) -> str:
    title = visitor.get("title")
    return f"{title + ' ' if title else ''}{visitor['name']} ({visitor['country']})"


def _where(host: dict) -> str:
    where = host["country"] + (f" ({host['city']})" if host.get("city") else "")
    return where + (f", meets {host['leader']}" if host.get("leader") else "")


class LeaderVisit(Kind):
    name = "leader_visit"
    prefix = "lv"
    label = "visit"
    statuses = ("ongoing", "planned", "past")

    def first_pass(self, doc, verdict) -> Pass:
        return "whole" if verdict.visit is not None else None

    def find(self, reading: Reading) -> list[dict]:
        from ..extract.events import visit_events
        from ..extract.visits import find_visits

        day = reading.article.day
        visits = find_visits(reading.doc, reading.mentions, reading.times, day)
        if reading.judge is not None:
            visits = reading.judge.review(visits, reading.doc, reading.mentions)
        return visit_events(visits, reading.mentions, reading.article.id, day)

    def block(self, event: dict) -> str:
        from ..identity import person_id

        visitor = event["visitor"]
        return f"{person_id(visitor['name'], visitor['country'])}|{event['host']['country']}"

    def alertable(self, item: dict, alert_past_visits: bool) -> bool:
        return alert_past_visits if item["status"] == "past" else True

    def anchor(self, event: dict, day: date) -> str:
        span = visit_span(event, day)
        return span[0].isoformat() if span else f"past:{day.isoformat()}"

    def match(self, records: list[dict], event: dict, day: date) -> dict | None:
        span = visit_span(event, day)
        if span is None:  # an undated past mention: the latest earlier event of the block
            earlier = [
                r for r in records if (s := _span_of(r)) is None or s[1] < day - timedelta(1)
            ]
            dated = [r for r in earlier if _span_of(r)]
            if dated:
                return max(dated, key=lambda r: r["last"])
            return next((r for r in earlier if r["status"] == "past"), None)
        found = [r for r in records if (s := _span_of(r)) is not None and _overlap(s, span)]
        if not found:
            return None
        center = span[0] + (span[1] - span[0]) / 2
        return min(found, key=lambda r: abs((date.fromisoformat(r["first"]) - center).days))

    def start(self, record: dict, event: dict, day: date, records: list[dict]) -> None:
        span = visit_span(event, day)
        record["status"] = event["status"]
        record.update(_span_fields(span))
        record["previous_visit"] = _previous_visit(records, span, day)

    def merge(self, record: dict, event: dict, day: date) -> None:
        if STATUS_ORDER[event["status"]] > STATUS_ORDER[record["status"]]:
            record["status"] = event["status"]
        span = visit_span(event, day)
        old = _span_of(record)
        if span is not None and span[2] != "report":
            if (
                old is None
                or old[2] == "report"
                or PRECISION_ORDER[span[2]] < PRECISION_ORDER[old[2]]
            ):
                record.update(_span_fields(span))
        elif old is None and span is not None:
            record.update(_span_fields(span))

    def current(self, record: dict, event: dict, old: dict) -> dict:
        """The host's city and leader stay known once reported; a dated span wins."""
        current = {**event, "event_id": record["event_id"], "status": record["status"]}
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
        return current

    def status_changed(self, record: dict, previous_status: str | None) -> bool:
        return previous_status == "planned" and record["status"] == "ongoing"

    def alert_fields(self, record: dict, alert_kind: str, previous_status: str | None) -> dict:
        fields = {"status": record["status"], "previous_visit": record.get("previous_visit")}
        if alert_kind != "alert":
            fields["previous_status"] = previous_status
        return fields

    def describe(self, event: dict, alert: dict | None = None) -> str:
        alert = alert or {}
        status = alert.get("status") or event["status"]
        if alert.get("kind") == "status_changed":
            status = f"{alert.get('previous_status')} -> {status}"
        when = f", {event['when']}" if event.get("when") else ""
        text = f"visit: {_who(event['visitor'])} -> {_where(event['host'])} [{status}{when}]"
        if alert.get("previous_visit"):
            text += f" (previous visit {alert['previous_visit']['when']})"
        return text

    def row(self, event: dict) -> tuple[str, str, str, str]:
        return (
            _who(event["visitor"]),
            _where(event["host"]),
            event["status"],
            event.get("when") or "",
        )

    def country_pairs(self, event: dict) -> list[tuple[str, str]]:
        return [(event["visitor"]["country"], event["host"]["country"])]

    def score_parties(self, event: dict) -> tuple:
        return (event["visitor"]["country"], event["host"]["country"])

    def compare(self, gold: dict, pred: dict) -> dict[str, float]:
        return {
            "visitor.name": same(gold["visitor"]["name"], pred["visitor"]["name"]),
            "host.city": same(gold["host"].get("city"), pred["host"].get("city")),
            "host.leader": same(gold["host"].get("leader"), pred["host"].get("leader")),
            "when": same(gold.get("when"), pred.get("when")),
        }


def same(gold: str | None, pred: str | None) -> float:
    """1.0 when both are missing or equal but for case and spaces, else 0.0."""
    if gold is None or pred is None:
        return float(gold is None and pred is None)
    return float(gold.strip().lower() == pred.strip().lower())


KIND = LeaderVisit()
