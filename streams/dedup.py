"""Deduplication and alerts: pure functions of (table state, event, article), no Kafka.

The dedup table maps `event_id` to a state dict. The first report of an event (or the
first after `retention` without any report) creates the state and, when the event is
alertable, an alert. Later reports raise `report_count`, add their source and yield an
update record of the same shape (`kind: "update"`). A report is identified by its
origin (topic/partition/offset of the article message), so a redelivered message is
not counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

SCHEMA = "newsmon.alert.v1"
ARTICLE_FIELDS = ("id", "url", "title", "source", "published_at")
#: How many origins and sources a state remembers (bounded memory per event).
MAX_ORIGINS = 256
MAX_SOURCES = 50


@dataclass(frozen=True)
class Policy:
    retention: timedelta = timedelta(days=7)
    alert_past_visits: bool = False


@dataclass(frozen=True)
class Decision:
    """What to do with one report: the new state (None: leave the table alone), and the
    alert or update to publish, if any."""

    state: dict | None
    alert: dict | None = None
    update: dict | None = None


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def is_alertable(event: dict, policy: Policy) -> bool:
    """Every event alerts except `past` visits (unless the policy says so)."""
    if event.get("type") == "leader_visit" and event.get("status") == "past":
        return policy.alert_past_visits
    return True


def article_ref(article: dict | None, event: dict) -> dict:
    """The article fields an alert carries; only the id when nothing else is known."""
    article = article or {}
    ref = {k: article.get(k) for k in ARTICLE_FIELDS}
    ref["id"] = ref["id"] or event["article_id"]
    return ref


def source_name(article: dict) -> str:
    """`source`, else the URL's host, else the article id."""
    if article.get("source"):
        return article["source"]
    host = urlparse(article.get("url") or "").hostname
    return host or article["id"]


def is_expired(state: dict, now: datetime, policy: Policy) -> bool:
    return now - parse_iso(state["last_seen_at"]) > policy.retention


def decide(
    state: dict | None,
    event: dict,
    article: dict | None,
    origin: str,
    now: datetime,
    policy: Policy,
) -> Decision:
    """The dedup decision for one report of `event` (from `article`, seen at `origin`)."""
    ref = article_ref(article, event)
    if state is None or is_expired(state, now, policy):
        alertable = is_alertable(event, policy)
        new = {
            "event_id": event["event_id"],
            "type": event["type"],
            "event": event,
            "article": ref,
            "detected_at": iso(now),
            "last_seen_at": iso(now),
            "report_count": 1,
            "sources": [source_name(ref)],
            "origins": [origin],
            "alerted": alertable,
        }
        return Decision(new, alert=build_alert(new, "alert") if alertable else None)
    if origin in state["origins"]:
        return Decision(None)  # a redelivery: already counted
    sources = list(state["sources"])
    if source_name(ref) not in sources and len(sources) < MAX_SOURCES:
        sources.append(source_name(ref))
    new = {
        **state,
        "last_seen_at": iso(now),
        "report_count": state["report_count"] + 1,
        "sources": sources,
        "origins": [*state["origins"], origin][-MAX_ORIGINS:],
        "last_article": ref,
    }
    return Decision(new, update=build_alert(new, "update") if new["alerted"] else None)


def build_alert(state: dict, kind: str) -> dict:
    """An alert record per `schemas/alert.v1.json` from a dedup state."""
    alert = {
        "schema": SCHEMA,
        "kind": kind,
        "event_id": state["event_id"],
        "type": state["type"],
        "event": state["event"],
        "article": state["article"],
        "detected_at": state["detected_at"],
        "updated_at": state["last_seen_at"],
        "report_count": state["report_count"],
        "sources": state["sources"],
    }
    if kind == "update":
        alert["last_article"] = state.get("last_article")
    return alert


def summary(alert: dict) -> str:
    """One readable line for an alert."""
    e = alert["event"]
    if e["type"] == "leader_visit":
        v, h = e["visitor"], e["host"]
        who = f"{v['title'] + ' ' if v.get('title') else ''}{v['name']} ({v['country']})"
        where = h["country"] + (f" ({h['city']})" if h.get("city") else "")
        if h.get("leader"):
            where += f", meets {h['leader']}"
        when = f", {e['when']}" if e.get("when") else ""
        text = f"visit: {who} -> {where} [{e['status']}{when}]"
    else:
        accused = e["accused"]
        if e.get("counterparties"):
            accused += " -> " + ", ".join(e["counterparties"])
        denied = " (denied)" if e.get("denied") else ""
        text = f"sanctions: {', '.join(e['accusers'])} accuse {accused}: {e['subject']}{denied}"
    article = alert["article"]
    label = "UPDATE" if alert.get("kind") == "update" else "ALERT"
    return (
        f"{label} {alert['event_id']} {text} | reports {alert['report_count']}"
        f" | first: {article['id']} ({article.get('source') or '-'})"
    )
