"""Turns findings into event objects per `schemas/event.v1.json`: one per real-world
event in the article, with a stable `event_id`, evidence and confidence."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from spacy.tokens import Span

from .allegations import AllegationFinding
from .gazetteer import CITY
from .lexicon import ARRIVALS, MEETING_CUES, VISIT_NOUNS
from .mentions import Mentions
from .timex import TimePhrase
from .visits import VisitFinding

SCHEMA = "newsmon.event.v1"
#: Reports of the same ongoing or planned event within this many days share an id.
BUCKET_DAYS = 7


def time_bucket(day: date) -> str:
    """A 7-day bucket number, counted from 1970-01-05 (a Monday)."""
    return str((day.toordinal() - date(1970, 1, 5).toordinal()) // BUCKET_DAYS)


def event_id(kind: str, *parts: str) -> str:
    """An article-level id (`Kind.event_id`): the kind's prefix and a digest."""
    from ..kinds import get

    return get(kind).event_id(*parts)


def evidence(sentences: list[Span]) -> list[dict]:
    seen: dict[int, Span] = {}
    for s in sentences:
        seen.setdefault(s.start_char, s)
    out = []
    for start in sorted(seen):
        s = seen[start]
        text = s.text.rstrip()
        out.append({"text": text, "start": s.start_char, "end": s.start_char + len(text)})
    return out


def visit_events(
    findings: list[VisitFinding], mentions: Mentions, article_id: str, day: date
) -> list[dict]:
    """One event per (visitor, host country, status); a planned trip to a country the
    leader is already visiting is a further stop of that visit."""
    groups: dict[tuple[str, str, str], list[VisitFinding]] = {}
    for f in _with_lead_status(findings):
        groups.setdefault((f.person.name, f.host.code, f.status), []).append(f)
    for name, host, _ in [k for k in groups if k[2] == "planned"]:
        if (name, host, "ongoing") in groups:
            groups[(name, host, "ongoing")] += groups.pop((name, host, "planned"))
    events = []
    for (name, host, status), group in groups.items():
        person = group[0].person
        cities = [f.host.place.city for f in group if f.host.place.kind == CITY]
        # its own time: from a finding of the event's status before a further stop's
        dated = sorted((f for f in group if f.when is not None), key=lambda f: f.status != status)
        phrase = dated[0].when if dated else None
        trip = trip_dates(phrase, dated[0].status, day, dated[0].day) if dated else None
        when = phrase.text if phrase else None
        year = next((f.when.year for f in group if f.when and f.when.year), None)
        bucket = str(year or "?") if status == "past" else time_bucket(day)
        events.append(
            {
                "schema": SCHEMA,
                "type": "leader_visit",
                "event_id": event_id("leader_visit", person.country, name, host, status, bucket),
                "article_id": article_id,
                "visitor": {"name": name, "title": person.title, "country": person.country},
                "host": {
                    "country": host,
                    "city": cities[0] if cities else _arrival_city(group, findings, mentions),
                    "leader": _host_leader(group, mentions, host, trip),
                },
                "status": status,
                "when": when,
                "dates": trip,
                "evidence": evidence([f.sentence for f in group]),
                "confidence": _visit_confidence(group),
            }
        )
    return events


def _with_lead_status(findings: list[VisitFinding]) -> list[VisitFinding]:
    """A mention of a trip with nothing to date it ("This will be his first visit to
    Turkey", "during the visit") takes the status of the first dated or tensed mention
    of the same trip (same leader and country) that is not a recalled one."""
    lead: dict[tuple[str, str], str] = {}
    for f in findings:
        if f.cued and f.status != "past":
            lead.setdefault((f.person.name, f.host.code), f.status)
    out = []
    for f in findings:
        status = lead.get((f.person.name, f.host.code))
        out.append(f if f.cued or status is None else replace(f, status=status))
    return out


def trip_dates(
    phrase: TimePhrase | None, status: str, today: date, weekday: date | None = None
) -> dict | None:
    """The calendar span a visit's time phrase names: {"first", "last", "precision"}
    (ISO dates; precision day, week, month or year), or None when it names none. Bare
    weekdays and months point back from the publication day, or ahead for a planned
    trip."""
    if phrase is None:
        return None
    first, last, precision = phrase.first, phrase.last, phrase.precision
    if phrase.weekday is not None and weekday is not None:
        first, last, precision = weekday, weekday, "day"
    elif phrase.weekday is not None:
        if status == "planned":
            first = today + timedelta(days=(phrase.weekday - today.weekday()) % 7)
        else:
            first = today - timedelta(days=(today.weekday() - phrase.weekday) % 7)
        last, precision = first, "day"
    elif phrase.month is not None and first is None:
        span = phrase.month_span(today)
        if span is None:
            return None
        first, last = span
        if status == "planned" and last < today:  # "in March", said in May: next March
            first = first.replace(year=first.year + 1)
            last = date(first.year + first.month // 12, first.month % 12 + 1, 1) - timedelta(1)
        precision = "month"
    elif first is None and phrase.year is not None:
        first, last, precision = date(phrase.year, 1, 1), date(phrase.year, 12, 31), "year"
    if first is None or last is None:
        return None
    return {"first": first.isoformat(), "last": last.isoformat(), "precision": precision}


def _arrival_city(
    group: list[VisitFinding], findings: list[VisitFinding], mentions: Mentions
) -> str | None:
    """For a visit now under way whose findings name no city: a city of the host country
    in a sentence about an arrival or the visit ('The streets of Pyongyang were
    festooned ... for his arrival'), not one of a recalled visit's sentences, and not a
    metonym ('ties between Moscow and Pyongyang')."""
    first = group[0]
    if first.status != "ongoing":
        return None
    doc = first.sentence.doc
    recalled = {
        f.sentence.start
        for f in findings
        if f.person.name == first.person.name and f.status == "past"
    }
    for sent in doc.sents:
        if sent.start in recalled or not {t.lower_ for t in sent} & (ARRIVALS | VISIT_NOUNS):
            continue
        for p in mentions.places_in(sent.start, sent.end):
            near = {t.lower_ for t in doc[max(0, p.start - 2) : p.end + 2]} - {"of"}
            metonym = near & {"and", "between", "with", "to"}
            if p.place.kind == CITY and p.code == first.host.code and p.place.city and not metonym:
                return p.place.city
    return None


def _host_leader(
    group: list[VisitFinding], mentions: Mentions, host: str, trip: dict | None = None
) -> str | None:
    """The host country's leader when named in the visit's sentences or the next one
    (for a dated visit, one in office then: not Kim Jong Un for a visit in 2000)."""
    span = _span(trip) if trip is not None else None

    def in_office(person) -> bool:
        return span is None or person.leads_during(*span)

    for f in group:
        hint = f.host_leader_hint
        if hint and hint.country == host and in_office(hint):
            return hint.name
    for f in group:
        sent = f.sentence
        end = sent.end
        nxt = sent.doc[end:].sents if end < len(sent.doc) else None
        if nxt is not None:
            end = next(iter(nxt)).end
        words = {t.lower_ for t in sent.doc[sent.start : end]}
        if not words & MEETING_CUES:
            continue
        for m in mentions.leaders_in(sent.start, end):
            if m.person.country == host and not m.former and in_office(m.person):
                return m.person.name
    return None


def _span(trip: dict) -> tuple[date, date]:
    return date.fromisoformat(trip["first"]), date.fromisoformat(trip["last"])


def _visit_confidence(group: list[VisitFinding]) -> float:
    score = 0.55 + 0.1 * min(len(group) - 1, 3)
    if any(f.mention.kind == "name" for f in group):
        score += 0.1
    if any(f.person.terms for f in group):
        score += 0.1
    return round(min(score, 0.98), 2)


def allegation_events(findings: list[AllegationFinding], article_id: str, day: date) -> list[dict]:
    events = []
    for f in findings:
        accusers = sorted(f.accusers)
        events.append(
            {
                "schema": SCHEMA,
                "type": "sanctions_allegation",
                "event_id": event_id(
                    "sanctions_allegation", f.accused, *sorted(f.counterparties), time_bucket(day)
                ),
                "article_id": article_id,
                "accusers": accusers,
                "accused": f.accused,
                "counterparties": sorted(f.counterparties),
                "subject": f.subject or "sanctions violation",
                "denied": f.denied,
                "evidence": evidence(f.sentences),
                "confidence": round(
                    min(0.5 + 0.1 * len(f.sentences) + 0.05 * len(accusers), 0.97), 2
                ),
            }
        )
    return events
