"""Leader visits: a leader, a travel or meeting word, a foreign place, in one clause."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from spacy.tokens import Doc, Span

from .gazetteer import BODY, CITY, DEMONYM
from .lexicon import (
    DESTINATION_PREPS,
    HOST_VERBS,
    MEET_WORDS,
    NEGATIONS,
    PAST_CUES,
    PLANNED_CUES,
    TRANSITIVE_VISIT_VERBS,
    VISIT_HEDGES,
    VISIT_NOUNS,
    VISIT_VERBS,
)
from .mentions import LeaderMention, Mentions, Person, PlaceMention
from .timex import FUTURE, PAST, RECENT, TimePhrase

#: Words that end a clause for the purpose of pairing a trigger with its arguments.
CLAUSE_BREAKS = frozenset(";:—–()") | frozenset(
    "while whereas but although though where which who whom whose".split()
)
#: Verbs that need a preposition before their destination, and which ones.
NEEDS_PREP = {
    "land": {"in", "at"},
    "go": {"to"},
    "come": {"to"},
    "head": {"to", "for"},
    "leave": {"for"},
    "depart": {"for"},
    "return": {"to"},
    "touch": {"in", "at"},
    "jet": {"to", "into", "in"},
}
_VERB_BASE = {
    "lands": "land", "landed": "land", "landing": "land",
    "goes": "go", "went": "go", "going": "go",
    "comes": "come", "came": "come", "coming": "come",
    "heads": "head", "headed": "head", "heading": "head",
    "leaves": "leave", "left": "leave", "leaving": "leave",
    "departs": "depart", "departed": "depart", "departing": "depart",
    "returns": "return", "returned": "return", "returning": "return",
    "touches": "touch", "touched": "touch",
    "jets": "jet", "jetted": "jet",
}  # fmt: skip
RIGHT_REACH = 12  # tokens after a trigger in which its destination may stand


@dataclass
class VisitFinding:
    person: Person
    mention: LeaderMention
    host: PlaceMention
    status: str
    when: TimePhrase | None
    sentence: Span
    trigger: int
    host_leader_hint: Person | None = None


@dataclass
class _Clause:
    start: int
    end: int


def _clause(sent: Span, i: int) -> _Clause:
    doc = sent.doc
    start = i
    while start > sent.start and doc[start - 1].lower_ not in CLAUSE_BREAKS:
        start -= 1
    end = i + 1
    while end < sent.end and doc[end].lower_ not in CLAUSE_BREAKS:
        end += 1
    return _Clause(start, end)


def find_visits(
    doc: Doc, mentions: Mentions, times: list[TimePhrase], today: date
) -> list[VisitFinding]:
    out: list[VisitFinding] = []
    for sent in doc.sents:
        sent_times = [t for t in times if sent.start_char <= t.start < sent.end_char]
        for tok in sent:
            low = tok.lower_
            if low in VISIT_VERBS or low in VISIT_NOUNS:
                out.extend(_travel(doc, sent, tok.i, mentions, sent_times))
            if low in MEET_WORDS:
                out.extend(_meeting(doc, sent, tok.i, mentions, sent_times))
            if low in HOST_VERBS:
                out.extend(_hosting(doc, sent, tok.i, mentions, sent_times))
    return [f for f in out if _valid(f, today)]


# -- the three kinds of trigger -------------------------------------------------------------


def _travel(doc, sent, i, mentions, times) -> list[VisitFinding]:
    clause = _clause(sent, i)
    host = _destination(doc, i, clause, mentions)
    if host is None:
        return []
    visitor = _visitor_left(doc, i, clause, mentions) or _visitor_by(doc, i, clause, mentions)
    if visitor is None:
        return []
    return _finding(doc, sent, i, clause, visitor, host, times)


def _meeting(doc, sent, i, mentions, times) -> list[VisitFinding]:
    """'Biden met Xi on the sidelines of the APEC summit in Lima': both visit Peru."""
    clause = _clause(sent, i)
    host = _place_after(doc, i, clause, mentions, preps={"in", "at"})
    if host is None:
        return []
    people = [m for m in mentions.leaders_in(clause.start, clause.end) if m.start < host.start]
    out = []
    for m in people:
        out.extend(_finding(doc, sent, i, clause, m, host, times))
    return out


def _hosting(doc, sent, i, mentions, times) -> list[VisitFinding]:
    """'Xi hosted Lula in Beijing': Lula visits China."""
    clause = _clause(sent, i)
    hosts = [m for m in mentions.leaders_in(clause.start, i)]
    guests = [m for m in mentions.leaders_in(i + 1, min(clause.end, i + 6))]
    if not hosts or not guests:
        return []
    place = _place_after(doc, i, clause, mentions, preps={"in", "at", "to"})
    if place is None:
        place = PlaceMention(_country_place(hosts[-1].person.country), hosts[-1].start, hosts[-1].end)
    out = []
    for g in guests:
        out.extend(_finding(doc, sent, i, clause, g, place, times, hint=hosts[-1].person))
    return out


# -- arguments ---------------------------------------------------------------------------


def _destination(doc, i, clause, mentions) -> PlaceMention | None:
    low = doc[i].lower_
    base = _VERB_BASE.get(low)
    preps = NEEDS_PREP.get(base, DESTINATION_PREPS) if base else DESTINATION_PREPS
    if base in ("leave", "depart") and not any(t.lower_ == "for" for t in doc[i + 1 : i + 4]):
        return None
    # "a Pyongyang visit", "his China trip", "a state visit to Japan"
    if low in VISIT_NOUNS and i > clause.start:
        prev = i - 1
        while prev > clause.start and doc[prev].lower_ in ("state", "official", "two-day", "working"):
            prev -= 1
        for p in mentions.places:
            if p.end == prev + 1 and p.place.kind not in (BODY, DEMONYM):
                if not (prev >= 1 and doc[p.start - 1].lower_ in ("'s", "’s")):
                    return p
    direct = low in TRANSITIVE_VISIT_VERBS
    return _place_after(doc, i, clause, mentions, preps=preps, direct=direct)


def _place_after(doc, i, clause, mentions, preps, direct=False) -> PlaceMention | None:
    end = min(clause.end, i + RIGHT_REACH)
    for p in mentions.places_in(i + 1, end):
        if p.place.kind in (BODY, DEMONYM):
            continue
        before = _skip_determiners(doc, p.start, i)
        if before is None:
            continue
        if before == i and direct:
            return p
        if doc[before].lower_ in preps:
            return p
        if doc[before].lower_ in ("from", "via", "through", "across", "over"):
            continue
    return None


def _skip_determiners(doc, j, floor) -> int | None:
    """Index of the word that governs the place at j, skipping 'the', adjectives of size."""
    k = j - 1
    while k > floor and doc[k].lower_ in ("the", "neighbouring", "neighboring", "nearby", "southern",
                                          "northern", "eastern", "western", "central", "capital",
                                          "city", "of"):
        if doc[k].lower_ == "of" and doc[k - 1].lower_ not in ("capital", "city"):
            break
        k -= 1
    return k if k >= floor else None


def _visitor_left(doc, i, clause, mentions) -> LeaderMention | None:
    for m in reversed(mentions.leaders_in(clause.start, i)):
        before = doc[m.start - 1].lower_ if m.start > 0 else ""
        if before in ("with", "by", "to", "from", "against", "for", "invited", "invite"):
            continue
        return m
    return None


def _visitor_by(doc, i, clause, mentions) -> LeaderMention | None:
    """'the visit by Chinese President Xi Jinping', 'a trip of the premier'."""
    for m in mentions.leaders_in(i + 1, min(clause.end, i + 6)):
        if doc[m.start - 1].lower_ in ("by", "of") or doc[i + 1].lower_ in ("by", "of"):
            return m
    return None


def _country_place(code: str):
    from .gazetteer import COUNTRY, Place

    return Place(code, COUNTRY)


# -- status --------------------------------------------------------------------------------


def _finding(doc, sent, i, clause, visitor, host, times, hint=None) -> list[VisitFinding]:
    times = _clause_times(doc, clause, times)
    status = _status(doc, i, clause, host, times)
    if status is None:
        return []
    when = _when(i, doc, times)
    return [VisitFinding(visitor.person, visitor, host, status, when, sent, i, hint)]


def _status(doc, i, clause, host, times) -> str | None:
    left = [t.lower_ for t in doc[max(clause.start, i - 8) : i]]
    right_end = min(clause.end, host.end + 4)
    right = [t.lower_ for t in doc[i + 1 : right_end]]
    if any(w in VISIT_HEDGES for w in left + right):
        return None
    if any(w in NEGATIONS for w in left[-4:]):
        return None
    relations = {t.relation for t in times}
    if any(w in PLANNED_CUES for w in left[-6:]) or FUTURE in relations:
        if PAST in relations:
            return "past"
        return "planned"
    if PAST in relations or any(w in PAST_CUES for w in left[-3:]):
        return "past"
    return "ongoing"


def _clause_times(doc, clause, times: list[TimePhrase]) -> list[TimePhrase]:
    """Time phrases of the clause; a clause without one ('..., where he visited a
    factory') takes those of the sentence before it."""
    start = doc[clause.start].idx
    end = doc[clause.end - 1].idx + len(doc[clause.end - 1])
    inside = [t for t in times if start <= t.start < end]
    return inside or [t for t in times if t.start < start]


def _when(i, doc, times: list[TimePhrase]) -> TimePhrase | None:
    if not times:
        return None
    anchor = doc[i].idx
    return min(times, key=lambda t: (t.relation not in (PAST, RECENT, FUTURE), abs(t.start - anchor)))


def _valid(f: VisitFinding, today: date) -> bool:
    if f.mention.former or f.host.code == f.person.country:
        return False
    if f.status == "past" and f.when is not None and f.when.year is not None:
        return f.person.led_in(f.when.year)
    if f.status in ("ongoing", "planned"):
        return f.person.leads_on(today)
    return True


__all__ = ["CITY", "VisitFinding", "find_visits"]
