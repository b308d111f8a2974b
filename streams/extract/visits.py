"""Leader visits: a leader, a travel or meeting word, a foreign place, in one clause.

Who travels comes from the dependency parse when there is one (the subject of the
travel verb, the owner of "visit"), else from the nearest leader to the left."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import pairwise

from spacy.tokens import Doc, Span, Token

from .gazetteer import BODY, CITY, COUNTRY, DEMONYM, Place
from .lexicon import (
    ACTIVITY_VERBS,
    ARRIVALS,
    CLAUSE_BREAKS,
    COORDINATION,
    COUNTERFACTUAL_CUES,
    DESTINATION_PREPS,
    DOMAIN_VERBS,
    EN_ROUTE,
    EVENT_NOUNS,
    FUTURE_WORDS,
    GOVERNORS,
    HEDGE_PHRASES,
    HOST_VERBS,
    MEET_WORDS,
    MEETING_PREPS,
    NEEDS_PREP,
    NEGATIONS,
    NOT_IN_OFFICE,
    OCCUPIED,
    PAST_CUES,
    PAST_FORMS,
    PLACE_ANAPHORS,
    PLACE_HEADS,
    PLANNED_CUES,
    STRONG_HEDGES,
    TRANSIT_WORDS,
    TRANSITIVE_VISIT_VERBS,
    VERB_BASE,
    VIRTUAL_WORDS,
    VISIT_HEDGES,
    VISIT_NOUNS,
    VISIT_VERBS,
    words,
)
from .mentions import LeaderMention, Mentions, Person, PlaceMention, _is_object
from .timex import FUTURE, PAST, RECENT, TimePhrase

ARRIVAL_DAYS = 3  # an arrival this many days back is still an ongoing visit
RIGHT_REACH = 12  # words after a trigger in which its destination may stand
MEETING_REACH = 6  # "talks in Doha", not "talks on trade and the war in Ukraine"
#: Gatherings whose place is the scene of an article about them.
SUMMIT_NOUNS = frozenset("summit summits conference forum gathering games olympics".split())
#: Words that say a leader is at a summit ("have arrived", "attending include", "joined by").
ATTENDANCE_CUES = frozenset(
    "arrive arrives arrived arriving attend attends attended attending join joins joined "
    "joining participate participates participated participating gather gathers gathered "
    "include includes included including converge converged assembled".split()
)
#: Subjects that carry a leader: "the planes carrying X and Y landed".
CARRIERS = frozenset(
    "plane planes aircraft jet jets motorcade convoy train helicopter delegation delegations "
    "entourage arrival".split()
)
#: Subjects that stand for the leaders they list: "other leaders such as X and Y arrived".
GROUPS = frozenset("leaders heads dignitaries guests presidents premiers those others".split())
DURATION_UNITS = frozenset("days weeks months years day week month year".split())
#: Dependency arcs followed upwards from a trigger to find who travels.
CLIMB = frozenset({"xcomp", "advcl", "conj", "dobj", "pobj", "prep", "acomp", "attr", "pcomp"})


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
    cued: bool = True  # the status rests on a time phrase, tense or cue word, not the default
    day: date | None = None  # the date a bare weekday stands for, read with the tense


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
        ctx = _Context(doc, sent, mentions, sent_times, today, out)
        for tok in sent:
            low = tok.lower_
            if low in VISIT_VERBS or low in VISIT_NOUNS:
                out.extend(ctx.travel(tok.i))
            if low in MEET_WORDS:
                out.extend(ctx.meeting(tok.i))
            if low in HOST_VERBS:
                out.extend(ctx.hosting(tok.i))
            if low in ("in", "at") and ctx.parsed:
                out.extend(ctx.presence(tok.i))
            if low == "among":
                out.extend(ctx.among(tok.i))
            if low in ("in", "at") and tok.i - sent.start <= 1:
                out.extend(ctx.placed_first(tok.i))
            if low == "itinerary":
                out.extend(ctx.itinerary(tok.i))
        out.extend(ctx.attendance())
    return [f for f in out if _valid(f, today)]


class _Context:
    """One sentence of one article, with what the rules need to read it."""

    def __init__(self, doc: Doc, sent: Span, mentions: Mentions, times, today: date, found):
        self.doc, self.sent, self.mentions, self.times, self.today = (
            doc,
            sent,
            mentions,
            times,
            today,
        )
        self.found: list[VisitFinding] = found  # findings of the sentences before
        self.name_tokens = {k for m in mentions.leaders for k in range(m.start, m.end)}
        self.parsed = doc.has_annotation("DEP")

    # -- the three kinds of trigger --------------------------------------------------------
    def travel(self, i: int) -> list[VisitFinding]:
        clause = _clause(self.sent, i)
        host = self._destination(i, clause) or self._scene(i)
        if host is None:
            return []
        out = []
        stops = [host, *self._listed_stops(host), *self._further_stops(host, clause)]
        for visitor in self._visitors(i, clause):
            for place in stops:
                out.extend(self._finding(i, clause, visitor, place))
        return out

    def _listed_stops(self, first: PlaceMention) -> list[PlaceMention]:
        """'state visits to France, Serbia and Hungary': the places listed after the
        first destination."""
        doc = self.doc
        if first.start > 0 and doc[first.start - 1].text == "(":
            return []  # not "the BRICS (Brazil, Russia, India ...) summit"
        at = {p.start: p for p in self.mentions.places if p.place.kind not in (BODY, DEMONYM)}
        out, k = [], first.end
        while k < self.sent.end:
            j = k
            while j < self.sent.end and doc[j].lower_ in (",", "and", "the"):
                j += 1
            if j == k or j not in at:
                break
            out.append(at[j])
            k = at[j].end
        return [p for p in out if p.code != first.code]

    def _further_stops(self, first: PlaceMention, clause: _Clause) -> list[PlaceMention]:
        """'to Kyiv and then to St Petersburg', 'to Lima ... and then on to Rio'."""
        doc = self.doc
        out = []
        for p in self.mentions.places_in(first.end, clause.end):
            if p.place.kind in (BODY, DEMONYM) or p.code == first.code:
                continue
            gov = _governor(doc, p.start, first.end)
            if doc[gov].lower_ != "to":
                continue
            lead_in = {t.lower_ for t in doc[max(first.end, gov - 3) : gov]}
            if lead_in & {"then", "and", "later", "next", "on", "before"}:
                out.append(p)
        return out

    def meeting(self, i: int) -> list[VisitFinding]:
        """'Biden met Xi on the sidelines of the APEC summit in Lima': both visit Peru."""
        clause = _clause(self.sent, i)
        placed = self._place_after(i, clause, preps=MEETING_PREPS, reach=MEETING_REACH)
        where = None if placed else self._where_antecedent(clause)
        host = placed or where or self._host_scene(i, clause)
        aside = self._sidelines(i, clause)  # "will meet Putin on the sidelines of the summit"
        if host is None and aside is not None:
            host = self._summit_place()
        if host is None:
            return []
        # the subject side, and whoever is met directly ("Biden met Xi in Lima");
        # not "talks with X" (X may be the host) nor "in place of X"
        people = [
            m
            for m in self.mentions.leaders_in(clause.start, i)
            if not _is_object(self.doc, m.start)
        ]
        if self.doc[i].lower_ in ("met", "meet", "meets") and where is None:
            people += [
                m
                for m in self.mentions.leaders_in(i + 1, min(host.start, clause.end))
                if self.doc[m.start - 1].lower_ not in ("with", "by", "to", "for", "of")
            ]  # "met Japanese Prime Minister Ishiba and South Korean President Yoon in Lima"
        if placed is not None:  # not "the first meeting between the two men since 2023"
            people += self._between(i, clause)
        if aside is not None:  # "will meet with X, Y and Z at the sidelines of the summit"
            people += [m for m in self.mentions.leaders_in(i + 1, aside) if m not in people]
        out = []
        for m in people:
            out.extend(self._finding(i, clause, m, host))
        return out

    def _sidelines(self, i: int, clause: _Clause) -> int | None:
        """Where 'on the sidelines of the summit' begins after a meeting verb, if it does:
        whoever is met there is at the summit too."""
        doc = self.doc
        if doc[i].lower_ not in ("met", "meet", "meets"):
            return None
        for k in range(i + 1, min(clause.end, i + 30)):
            if doc[k].pos_ in ("VERB", "AUX"):
                return None  # not "met ..., when they held talks on the sidelines of"
            if doc[k].lower_ == "sidelines" and doc[k + 1 : k + 2].text.lower() == "of":
                rest = doc[k + 2 : min(clause.end, k + 8)]
                if any(t.lower_ in SUMMIT_NOUNS for t in rest):
                    return k - 2 if doc[k - 1].lower_ == "the" else k - 1
        return None

    def _between(self, i: int, clause: _Clause) -> list[LeaderMention]:
        """'a summit in Vietnam between Kim and Trump', 'talks between Xi and Lula in
        Beijing': the leaders the meeting is between."""
        doc = self.doc
        if doc[i].pos_ not in ("NOUN", "PROPN"):
            return []
        end = min(clause.end, i + 10)
        between = next((k for k in range(i + 1, end) if doc[k].lower_ == "between"), None)
        if between is None or any(doc[k].pos_ == "VERB" for k in range(i + 1, between)):
            return []
        listed = self.mentions.leaders_in(between + 1, min(clause.end, between + 16))
        out = []
        for m in listed:
            gap = doc[out[-1].end : m.start] if out else doc[between + 1 : m.start]
            if out and not all(t.lower_ in COORDINATION or t.is_title for t in gap):
                break
            out.append(m)
        return out

    def presence(self, i: int) -> list[VisitFinding]:
        """'Maduro and Raisi signed a plan in Tehran', 'In Wellington he held talks': a
        leader doing something in a foreign place is there (needs the parse)."""
        prep = self.doc[i]
        place = self._place_object(prep)
        if place is None:
            return []
        verb = self._verb_of(prep)
        if verb is None or verb.lemma_ in DOMAIN_VERBS:
            return []
        subjects = _dep_subjects(verb)  # also "Meloni, who ... and was at his inauguration in ..."
        found = [m for t in subjects for m in self._mentions_at(t)]
        clause = _clause(self.sent, i)
        out = []
        for m in found:
            out.extend(self._finding(verb.i, clause, m, place))
        return out

    def _scene(self, i: int) -> PlaceMention | None:
        """'... flew in for the meeting', 'Xi arrived on Monday': an arrival with no place
        is an arrival where the article's last visit was reported."""
        doc = self.doc
        word = doc[i].lower_
        after = doc[i + 1 : i + 2].text.lower()
        arrival = (
            word in ("arrived", "arrives", "arriving", "visited", "came")
            or VERB_BASE.get(word) == "land"  # "Xi landed on Monday"
            or (word == "touched" and after == "down")
            or (word in ("flew", "flown", "flies") and after == "in")
            or self._due_bare(i)  # "Modi is due on Thursday", "Putin was expected later"
        )  # "Scholz, who visited on Tuesday"
        if not arrival:
            return None
        nearby = self.mentions.places_in(i + 1, min(i + 8, self.sent.end))
        owners = {  # "leading Beijing's delegation", not "capital of China's Fujian"
            p.start
            for p in nearby
            if doc[p.end : p.end + 1].text in ("'s", "’s")
            and doc[_governor(doc, p.start, i)].pos_ != "ADP"
        }
        if any(p.place.kind not in (BODY, DEMONYM) and p.start not in owners for p in nearby):
            return None  # "arrived in Hanoi": the destination rule's, or none
        return self._scene_place()  # "arrived at OR Tambo International Airport"

    def _due_bare(self, i: int) -> bool:
        """'Albanese is due on Wednesday', 'Putin was expected on Friday morning': an
        arrival told ahead with no place (not 'is expected to announce')."""
        doc = self.doc
        if VERB_BASE.get(doc[i].lower_) != "due" or i == self.sent.start:
            return False
        k = i - 1
        while k > self.sent.start and doc[k].lower_ in ("also", "now", "still", "not"):
            k -= 1
        if VERB_BASE.get(doc[k].lower_) != "be":
            return False
        nxt = doc[i + 1 : i + 3]
        if len(nxt) and nxt[0].lower_ == "to":
            return len(nxt) > 1 and (nxt[1].lower_ in ("arrive", "land"))
        ahead = doc[i + 1 : min(self.sent.end, i + 8)]
        if any(a.lower_ == "to" and b.tag_ == "VB" for a, b in pairwise(ahead)):
            return False  # "is expected on Friday to announce new measures"
        return any(t.start >= doc[i].idx for t in self.times) or (
            len(nxt) > 0 and nxt[0].lower_ in ("later", "shortly", "tomorrow", "overnight")
        )

    def _anaphor(self, i: int, clause: _Clause, preps) -> PlaceMention | None:
        """'to the kingdom', 'in the capital': the country or city last named."""
        doc = self.doc
        for k in range(i + 1, min(clause.end - 1, i + 5)):
            if doc[k].lower_ in preps and doc[k + 1].lower_ == "the":
                j = k + 2
                while j < clause.end and (doc[j].lower_ == "same" or doc[j].pos_ == "ADJ"):
                    j += 1
                if j < clause.end and doc[j].lower_ in PLACE_ANAPHORS:
                    # "in the city" (not "to the Siberian city of Ulan-Ude"): the last city
                    town = doc[j].lower_ in ("city", "capital", "town") and (
                        doc[j + 1 : j + 2].text != "of"
                    )
                    return self._previous_place(k, skip=True, city=town)
        return None

    def _describes_a_leader(self, p: PlaceMention) -> bool:
        """A place that says whose leader someone is: 'Britain's Rishi Sunak', 'The
        President of Brazil, Lula', 'Xi of China' (not where anyone goes)."""
        for m in self.mentions.leaders_in(max(0, p.start - 6), p.end + 6):
            if m.person.country == p.code and (
                0 <= m.start - p.end <= 4 or 0 <= p.start - m.end <= 2
            ):
                return True
        return False

    def _titles_a_leader(self, p: PlaceMention) -> bool:
        """A place that is part of a leader's title: 'Australia Prime Minister Malcolm
        Turnbull', 'the President of Brazil'."""
        for m in self.mentions.leaders_in(max(0, p.start - 6), p.end + 6):
            if m.person.country == p.code and (
                m.start == p.end or (m.end == p.start - 1 and self.doc[m.end].lower_ == "of")
            ):
                return True
        return False

    def _of_a_name(self, p: PlaceMention) -> bool:
        """'President Omar Guelleh of Djibouti': a place after a name, saying whose
        leader it is even when the gazetteer does not know him."""
        doc = self.doc
        named = p.start >= 2 and doc[p.start - 2].pos_ == "PROPN"
        return named and doc[p.start - 1].lower_ == "of"

    def _previous_place(
        self, i: int, skip: bool = False, city: bool = False
    ) -> PlaceMention | None:
        """'he travelled there': the last country or city named before; with `skip`,
        not one that only says whose leader someone is ('X of China and Y of India are
        expected to arrive in the country', or a list of leaders the sentence before)."""
        before = [
            p
            for p in self.mentions.places
            if p.end <= i
            and p.place.kind not in (BODY, DEMONYM)
            and not (skip and p.start >= self.sent.start and self._describes_a_leader(p))
            and not (skip and self._titles_a_leader(p))
            and not (skip and self._of_a_name(p))
        ]
        towns = [p for p in before[-3:] if p.place.kind == CITY] if city else []
        if towns:  # "in the city": Vilnius, not the "Sweden's bid" named since
            return towns[-1]
        return before[-1] if before else None

    def _where_antecedent(self, clause: _Clause) -> PlaceMention | None:
        """'... flew in from Jeddah, where on Monday he met MBS': the place before 'where'."""
        doc = self.doc
        k = clause.start - 1
        if k < 0 or doc[k].lower_ != "where":
            return None
        while k > 0 and doc[k - 1].text in (",", "where"):
            k -= 1
        for p in self.mentions.places:
            if p.end == k and p.place.kind not in (BODY, DEMONYM):
                return p
        return None

    def among(self, i: int) -> list[VisitFinding]:
        """'Among the foreign leaders in the congregation were X, Y and Z': they are
        where the article's scene is."""
        doc = self.doc
        clause = _Clause(self.sent.start, self.sent.end)
        were = next(
            (k for k in range(i + 1, min(i + 12, clause.end)) if doc[k].lower_ in ("were", "was")),
            None,
        )
        if were is None:
            return []
        place = self._place_after(i, clause, preps={"in", "at"}) or self._scene_place()
        if place is None:
            return []
        out = []
        for m in self.mentions.leaders_in(were + 1, clause.end):
            if not _is_object(doc, m.start):
                out.extend(self._finding(were, clause, m, place))
        return out

    def placed_first(self, i: int) -> list[VisitFinding]:
        """'Also in the city on Friday were Macron and Scholz': a sentence that opens on
        a place and then lists the leaders who were there."""
        doc = self.doc
        if i > self.sent.start and doc[i - 1].lower_ != "also":
            return []
        end = min(i + 10, self.sent.end)
        were = next((k for k in range(i + 1, end) if doc[k].lower_ in ("were", "was")), None)
        listed = self.mentions.leaders_in(were + 1, self.sent.end) if were else []
        subject = were is not None and any(
            c.dep_ in ("nsubj", "expl") and c.i < were for c in doc[were].children
        )
        if not listed or listed[0].start > were + 3 or subject:
            return []  # not "In Tokyo, the mood was sour as Biden ..."
        place = self._place_object(doc[i]) if self.parsed else None
        if place is None and doc[i + 1].lower_ == "the" and doc[i + 2].lower_ in PLACE_ANAPHORS:
            place = self._previous_place(i, skip=True)
        if place is None:
            return []
        clause = _Clause(self.sent.start, self.sent.end)
        out = []
        for m in listed:
            out.extend(self._finding(were, clause, m, place))
        return out

    def _host_scene(self, i: int, clause: _Clause) -> PlaceMention | None:
        """'Tinubu held talks with Xi on Tuesday' in an article set in Beijing: a meeting
        with the leader of the country where the article's scene is happens there."""
        if self.doc[i].lower_ not in ("talks", "met", "meet", "meets", "meeting"):
            return None
        scene = self._scene_place()
        partners = self.mentions.leaders_in(i + 1, min(clause.end, i + 6))
        if scene and any(m.person.country == scene.code for m in partners):
            return scene
        return None

    def itinerary(self, i: int) -> list[VisitFinding]:
        """'Britain is also on his itinerary': a planned stop of whoever 'his' is."""
        doc = self.doc
        owner = self._mentions_at(doc[i - 1]) if i > 0 else []
        places = [p for p in self.mentions.places_in(self.sent.start, i) if p.place.kind == COUNTRY]
        if not owner or not places or doc[i - 2 : i - 1].text.lower() != "on":
            return []
        clause = _Clause(self.sent.start, self.sent.end)
        out = []
        for p in places:
            found = self._finding(i, clause, owner[0], p)
            out.extend(replace(f, status="planned") for f in found)
        return out

    def _dateline_place(self) -> PlaceMention | None:
        """The place of the article's dateline ("MANILA -"), which `furniture.readable`
        leaves as a first sentence of its own: where "here" is."""
        first = next(iter(self.doc.sents))
        if len(first) > 6:
            return None
        places = self.mentions.places_in(first.start, first.end)
        return next((p for p in places if p.place.kind not in (BODY, DEMONYM)), None)

    def _scene_place(self) -> PlaceMention | None:
        """Where the article's news happens: its last ongoing visit, else the first city
        or country of its first sentence."""
        ongoing = [
            f for f in self.found if f.status == "ongoing" and f.host.code != f.person.country
        ]
        if ongoing:  # not "she flew back to Mexico City"
            return ongoing[-1].host
        summit = self._summit_place()
        if summit is not None:
            return summit
        first = next(iter(self.doc.sents))
        for p in self.mentions.places_in(first.start, first.end):
            if p.place.kind not in (BODY, DEMONYM) and not self._describes_a_leader(p):
                return p  # not "The President of Brazil, Lula, arrived ..."
        return None

    def attendance(self) -> list[VisitFinding]:
        """In an article about a summit: 'Presidents of Kenya, Mauritania and Cape Verde
        have arrived', 'Leaders attending include A, B and C', 'X and Y will be joined by
        the leaders of India and Iran': every leader such a sentence lists attends the
        summit in its country. Not in a sentence that names another country's place."""
        cues = [t.i for t in self.sent if t.lower_ in ATTENDANCE_CUES]
        if not cues:
            return []
        place = self._summit_place()
        if place is None:
            return []
        for p in self.mentions.places_in(self.sent.start, self.sent.end):
            other = p.place.kind not in (BODY, DEMONYM) and p.code != place.code
            if other and not self._describes_a_leader(p):
                return []
        clause = _Clause(self.sent.start, self.sent.end)
        out = []
        for m in self.mentions.leaders_in(self.sent.start, self.sent.end):
            head = self.doc[m.end - 1]
            while head.dep_ in ("conj", "appos") and head.head is not head:
                head = head.head  # "joined Xi and Tokayev": Tokayev is an object too
            passive = any(c.dep_ == "auxpass" for c in head.head.children)
            direct = head.dep_ == "dobj" or (head.dep_ == "pobj" and not passive)
            if m.person.country == place.code or m.former or _is_object(self.doc, m.start):
                continue
            if direct and head.head.lower_ not in ("include", "includes", "including"):
                continue  # not "Yellen and Blinken joined Biden for the call"
            cue = min(cues, key=lambda c: abs(c - m.start))
            if self.doc[cue].lower_.startswith("includ") and m.start < cue:
                continue  # "leaders attending include X", not "X ..., including trade"
            out.extend(self._finding(cue, _clause(self.sent, cue) if cue > m.start else clause,
                                     m, place))  # fmt: skip
        return out

    def _summit_place(self) -> PlaceMention | None:
        """Where the article's summit is held: 'the Hangzhou summit', 'the summit ... in
        Johannesburg', the first such place in the article."""
        doc = self.doc
        found: list[PlaceMention] = []
        for sent in doc.sents:
            for n in (t.i for t in sent if t.lower_ in SUMMIT_NOUNS):
                for p in self.mentions.places_in(max(sent.start, n - 8), min(sent.end, n + 12)):
                    if p.place.kind in (BODY, DEMONYM):
                        continue
                    gov = _governor(doc, p.start, n)
                    # "the Hangzhou summit", "G20 Hangzhou Summit", "summit ... in Lima"
                    at = gov > n and doc[gov].lower_ in ("in", "at") and _about(doc[gov], doc[n])
                    if p.end in (n, n - 1) or at or self._there_for(p, n):
                        found.append(p)
        if not found:
            return None
        # the summit the article is about: the one whose country it names most
        named = [p.code for p in self.mentions.places if p.place.kind != BODY]
        return max(found, key=lambda p: named.count(p.code))

    def _there_for(self, p: PlaceMention, n: int) -> bool:
        """'arrived in Samarkand on Wednesday for a summit of ...': a place someone is in
        for the gathering named a few words on."""
        doc = self.doc
        between = doc[p.end : n]
        gov = _governor(doc, p.start, max(doc[p.start].sent.start, p.start - 8))
        return (
            p.end < n
            and doc[gov].lower_ in ("in", "at")
            and any(t.lower_ == "for" for t in between)
            and not any(t.pos_ in ("VERB", "AUX") or t.text in ",;" for t in between)
        )

    def _verb_of(self, prep: Token) -> Token | None:
        """The verb a locative phrase belongs to, climbing over the nouns a parser often
        hangs it on: 'held talks with the Emir in Doha', 'were among dignitaries in Tokyo'.
        Other nouns stop the climb: 'discussed the war in Gaza' is not about being there."""
        node = prep.head
        for _ in range(5):
            if node.pos_ in ("VERB", "AUX"):
                return node
            passable = (
                node.pos_ == "ADP"
                or (node.dep_ == "dobj" and node.head.lemma_ in ACTIVITY_VERBS)
                or node.lower_ in EVENT_NOUNS
                or node.dep_ == "attr"
                or node.head.lower_ == "among"
                or bool(self._mentions_at(node))
            )
            if not passable or node.head is node:
                return None
            node = node.head
        return None

    def _place_object(self, prep: Token) -> PlaceMention | None:
        """The place a preposition governs: 'in Tehran', 'in the Kazakh capital Astana'."""
        objects = [c for c in prep.children if c.dep_ == "pobj"]
        if not objects:
            return None
        # "in the Black Sea resort of Sochi": the place may sit in the object's own "of",
        # but not in a clause hanging from it (", where a project led by France's ...")
        obj = objects[0]
        end = obj.i + 1
        while (
            end <= obj.right_edge.i
            and end - obj.i <= 4
            and (self.doc[end].lower_ in ("of", "the") or self.doc[end].pos_ == "PROPN")
        ):
            end += 1
        span = obj.left_edge.i, end
        for p in self.mentions.places_in(*span):
            if p.place.kind not in (BODY, DEMONYM):
                return p
        if obj.lower_ in EVENT_NOUNS:  # "at the G7 summit in Kananaskis"
            for child in obj.children:
                if child.dep_ == "prep" and child.lower_ in ("in", "at"):
                    return self._place_object(child)
        return None

    def hosting(self, i: int) -> list[VisitFinding]:
        """'Xi hosted Lula in Beijing': Lula visits China; 'Charles was welcomed by Ruto'."""
        clause = _clause(self.sent, i)
        doc = self.doc
        hosts = self.mentions.leaders_in(clause.start, i)
        by = next((k for k in range(i + 1, min(clause.end, i + 6)) if doc[k].lower_ == "by"), None)
        if by is not None:  # "was welcomed at the airport by X", "a dinner hosted by X"
            return self._hosted_by(i, clause, hosts[-1:])
        else:
            guests = [
                m
                for m in self.mentions.leaders_in(i + 1, clause.end)
                if not _is_object(self.doc, m.start)
            ]  # "welcomed Biden, Zelensky and the other leaders to the summit"
        if not hosts or not guests:
            return []
        place = self._place_after(i, clause, preps={"in", "at", "to"})
        if place is not None and _governor(doc, place.start, i) > i + 8:
            place = None  # "host him for talks on the war in Ukraine"
        if place is None:
            home = Place(hosts[-1].person.country, COUNTRY)
            place = PlaceMention(home, hosts[-1].start, hosts[-1].end)
        out = []
        for g in guests:
            out.extend(self._finding(i, clause, g, place, hint=hosts[-1].person))
        return out

    def _hosted_by(
        self, i: int, clause: _Clause, guests: list[LeaderMention]
    ) -> list[VisitFinding]:
        """'He was received by Steinmeier in Berlin in March, and by Macron in September':
        one visit per host, in the place named after each host, else the host's country."""
        doc = self.doc
        hosts = [
            m
            for m in self.mentions.leaders_in(i + 1, clause.end)
            if _skip_titles_back(doc, m.start) == "by"
        ]
        out = []
        before = self._place_after(
            i, clause, preps={"in", "at", "to"}
        )  # "welcomed to Beijing by Xi"
        if before is not None and hosts and before.start > hosts[0].start:
            before = None
        for n, host in enumerate(hosts):
            end = hosts[n + 1].start if n + 1 < len(hosts) else clause.end
            place = next(
                (
                    p
                    for p in self.mentions.places_in(host.end, end)
                    if p.place.kind not in (BODY, DEMONYM)
                    and doc[_governor(doc, p.start, host.end)].lower_ in ("in", "at")
                ),
                before or PlaceMention(Place(host.person.country, COUNTRY), host.start, host.end),
            )
            for g in guests:
                out.extend(self._finding(host.start, clause, g, place, hint=host.person))
        return out

    # -- arguments ---------------------------------------------------------------------------
    def _destination(self, i: int, clause: _Clause) -> PlaceMention | None:
        doc = self.doc
        low = doc[i].lower_
        base = VERB_BASE.get(low)
        preps = NEEDS_PREP.get(base, DESTINATION_PREPS) if base else DESTINATION_PREPS
        if base in ("leave", "depart") and not any(t.lower_ == "for" for t in doc[i + 1 : i + 4]):
            # "left the White House on Friday": was there
            return self._place_after(i, clause, preps=set(), direct=True)
        if (
            doc[i + 1 : i + 2].text.lower() == "there"
            or doc[i + 1 : i + 3].text.lower() == "back there"
        ):
            return self._previous_place(i)
        if doc[i + 1 : i + 2].text.lower() == "here":  # "arrived here on Sunday"
            return self._dateline_place()
        if base in ("be", "due") and doc[i + 1 : i + 2].text.lower() != "in":
            return None
        if low in VISIT_NOUNS and i > clause.start:
            # "a Pyongyang visit", "his China trip", "a state visit to Japan"
            prev = i - 1
            while prev > clause.start and doc[prev].lower_ in (
                "state",
                "official",
                "two-day",
                "working",
            ):
                prev -= 1
            for p in self.mentions.places:
                compound = p.end == prev + 1 and doc[p.end].lower_ not in ("'s", "’s")
                if compound and p.place.kind not in (BODY, DEMONYM):
                    return p
        direct = low in TRANSITIVE_VISIT_VERBS
        place = self._place_after(i, clause, preps=preps, direct=direct) or self._anaphor(
            i, clause, preps
        )
        gov = _governor(doc, place.start, i) if place is not None else i
        if low in VISIT_NOUNS and gov > i + 2 and not (self.parsed and doc[gov].head.i == i):
            return None  # "the trip comes on the eve of a summit in Washington"; not "a visit
            # by Venezuelan President Nicolas Maduro to Tehran"
        return place

    def _reach(self, i: int, clause: _Clause, reach: int = RIGHT_REACH) -> int:
        """End of the window after a trigger: `reach` words, not counting the words of
        leaders' names and titles ("talks with Qatar's Emir Sheikh Tamim ... in Doha")."""
        inside = self.name_tokens
        k, counted = i + 1, 0
        while k < clause.end and counted < reach:
            counted += k not in inside
            k += 1
        return k

    def _place_after(
        self, i, clause, preps, direct=False, reach=RIGHT_REACH
    ) -> PlaceMention | None:
        doc = self.doc
        end = self._reach(i, clause, reach)
        for p in self.mentions.places_in(i + 1, end):
            if p.place.kind in (BODY, DEMONYM):
                continue
            before = _governor(doc, p.start, i)
            if before == i and direct:
                return p
            if doc[before].lower_ in preps:
                return p
        return None

    def _visitors(self, i: int, clause: _Clause) -> list[LeaderMention]:
        if self.parsed and VERB_BASE.get(self.doc[i].lower_) == "take":
            # "a tour that will also take him to Cuba": the one taken travels
            taken = [c for c in self.doc[i].children if c.dep_ == "dobj"]
            named = {m.person.name for m in self.mentions.leaders_in(self.sent.start, i)}
            found = [
                m
                for t in taken
                for m in self._mentions_at(t)
                if m.kind == "name" or m.person.name in named  # "him": named before
            ]
            if found:
                return found
        if self.doc[i].lower_ in VISIT_NOUNS:
            by = self._visitor_by(i, clause)  # "a White House visit last week by Netanyahu"
            if by:
                return by
        if self.parsed:
            subjects = _dep_subjects(self.doc[i])
            if subjects and subjects[0].lower_ in VISIT_NOUNS:  # "The tour moved on to Accra"
                subjects = _dep_subjects(subjects[0]) or []
                if not subjects:
                    return self.mentions.leaders[:1]
            if subjects:
                # "The President of Brazil, Luiz Inácio Lula da Silva, arrived": the apposition
                subjects += [c for t in subjects for c in t.children if c.dep_ == "appos"]
                found = [m for t in subjects for m in self._mentions_at(t)]
                carried = [
                    t for t in subjects if t.lemma_.lower() in CARRIERS or t.lower_ in GROUPS
                ]
                if not found and carried:  # "The planes carrying X, Y and Z landed"
                    sub = carried[0]
                    found = self.mentions.leaders_in(sub.left_edge.i, sub.right_edge.i + 1)
                if found or any(t.pos_ in ("PROPN", "NOUN", "PRON") for t in subjects):
                    return found
        return (
            self._visitors_left(i, clause)
            or self._visitor_by(i, clause)
            or self._lead_for_definite(i)
        )

    def _lead_for_definite(self, i: int) -> list[LeaderMention]:
        """'The visit to Washington came a week after...': the article's lead leader."""
        doc = self.doc
        if doc[i].lower_ in VISIT_NOUNS and i > 0 and doc[i - 1].lower_ in ("the", "this"):
            lead = self.mentions.leaders[:1]
            return [m for m in lead if m.start < i]
        return []

    def _mentions_at(self, tok: Token) -> list[LeaderMention]:
        """The leaders a word refers to: one, or several for 'the two leaders'."""
        return [m for m in self.mentions.leaders if m.start <= tok.i < m.end]

    def _visitors_left(self, i: int, clause: _Clause) -> list[LeaderMention]:
        """The nearest leader to the left not governed by 'with', 'by', 'to'; and the
        leaders coordinated with them ("Macron, Merz and Tusk arrived")."""
        doc = self.doc
        found: list[LeaderMention] = []
        for m in reversed(self.mentions.leaders_in(clause.start, i)):
            before = doc[m.start - 1].lower_ if m.start > 0 else ""
            if not found:
                if before in ("invited", "invite") or _is_object(doc, m.start):
                    continue
                found.append(m)
                continue
            gap = doc[m.end : found[-1].start]
            if all(t.lower_ in COORDINATION or t.is_title for t in gap):
                found.append(m)
            else:
                break
        return found

    def _visitor_by(self, i: int, clause: _Clause) -> list[LeaderMention]:
        """'the visit by Chinese President Xi Jinping', 'a visit last week by X'."""
        doc = self.doc
        for m in self.mentions.leaders_in(i + 1, min(clause.end, i + 8)):
            k = m.start - 1
            while k > i and (doc[k].is_title or doc[k].is_upper):
                k -= 1  # "by Israeli Prime Minister ..."
            if doc[k].lower_ == "by":
                return [m]
        return []

    # -- status ------------------------------------------------------------------------------
    def _finding(self, i, clause, visitor, host, hint=None) -> list[VisitFinding]:
        when = _when(i, self.doc, _clause_times(self.doc, clause, self.times, i))
        status = self._status(i, clause, host, when)
        if status is None:
            return []
        cued = status != "ongoing" or when is not None or self._told_as_news(i)
        day = None
        if when is not None and when.weekday is not None:
            relation = self._relation(when, self._past_tense(i), i)
            shift = (when.weekday - self.today.weekday()) % 7
            if relation == FUTURE or (status == "planned" and relation != PAST):
                day = self.today + timedelta(days=shift)
            else:
                day = self.today - timedelta(days=(7 - shift) % 7)
        return [
            VisitFinding(visitor.person, visitor, host, status, when, self.sent, i, hint, cued, day)
        ]

    def _told_as_news(self, i: int) -> bool:
        """An ongoing visit told as it happens: a past-tense or progressive verb, or an
        arrival ('arrived', 'is in Beijing', 'held talks'), not a bare 'his visit'."""
        doc = self.doc
        if doc[i].lower_ in ARRIVALS or VERB_BASE.get(doc[i].lower_) == "land":
            return True
        if not doc.has_annotation("TAG"):
            return doc[i].lower_ in PAST_FORMS
        tok = doc[i]
        if tok.pos_ in ("NOUN", "PROPN"):  # "made a visit", not "the announcement of his trip"
            if tok.dep_ not in ("dobj", "nsubj", "nsubjpass", "attr") or tok.head.pos_ not in (
                "VERB",
                "AUX",
            ):
                return False
            verb = tok.head
            if tok.dep_ == "nsubj" and verb.tag_ == "VBZ":
                return False  # "The visit to Hanoi takes place at ...": as the lead says
        else:
            verb = _governing_verb(tok)
        if verb.lemma_ in FUTURE_HEADS or _future_verb(verb):
            return False
        return verb.tag_ in ("VBD", "VBG", "VBZ", "VBN")

    def _on_the_way(self, i: int, host: PlaceMention) -> bool:
        """A place passed 'on his way to' another is no visit of its own."""
        doc = self.doc
        end = min(self.sent.end, host.end + 8)
        words = [t.lower_ for t in doc[host.end : end]]
        for k in range(len(words) - 3):
            if words[k] == "on" and words[k + 2] == "way" and words[k + 3] == "to":
                return words[k + 1] in ("his", "her", "their", "the")
        return False

    def _began(self, i: int) -> bool:
        """A trip said to have begun ('a visit that began on Friday', 'his tour, which
        started on Saturday') and not said to be over is under way."""
        tok = self.doc[i]
        if tok.lower_ not in VISIT_NOUNS:
            return False
        clauses = [c for c in tok.subtree if c.dep_ in ("relcl", "acl") and c.head.i >= i]
        ended = any(t.lemma_ in ("end", "conclude", "wrap", "finish") for t in self.sent)
        begun = [c for c in clauses if c.lemma_ in ("begin", "start") and c.tag_ in ("VBD", "VBN")]
        return not ended and bool(begun)  # not "a visit starting June 19"

    def _returned_after(self, i: int) -> bool:
        """'returned to Beijing on Sunday after state visits to A, B and C': over."""
        after = _preposition_of(self.doc[i], "after")
        verb = after.head if after is not None else None
        return verb is not None and verb.tag_ == "VBD" and verb.lemma_ == "return"

    def _some_time_after(self, i: int) -> bool:
        """'The meeting comes two months after a summit in Vietnam': a meeting some time
        before the one now reported is over."""
        tok = self.doc[i]
        if tok.pos_ != "NOUN":
            return False
        after = _preposition_of(tok, "after")
        if tok.dep_ == "nsubj":  # "two months after a summit in Hanoi ended"
            marks = [c for c in tok.head.children if c.dep_ == "mark" and c.lower_ == "after"]
            after = marks[0] if marks else None
        if after is None:
            return False
        before = self.doc[max(0, after.i - 3) : after.i]
        return any(t.lower_ in DURATION_UNITS for t in before)

    def _status(self, i, clause, host, when: TimePhrase | None) -> str | None:
        doc = self.doc
        left = [_word(t) for t in doc[max(clause.start, i - 8) : i]]
        window = doc[max(clause.start, i - 8) : min(clause.end, max(host.end, i + 1) + 2)]
        if _preposition_of(doc[i], "during") is not None:
            window = list(doc[i].subtree)  # "extended an invitation during a visit to X"
        if any(_word(t) in VISIT_HEDGES and not _invited_host(t) for t in window):
            return None  # ("travelled to Canada hoping to see Trump" is no hedge)
        if self._sentence_hedged(i):
            return None
        if any(w in NEGATIONS for w in left[-4:]):
            return None
        if self.parsed and any(c.dep_ == "neg" for c in _governing_verb(doc[i]).children):
            return None  # "Putin will not attend this month's G20 summit in Rio"
        if when is None and self._some_time_after(i):
            return "past"
        of = _preposition_of(doc[i], "of")
        if of is not None and of.head.lemma_ == "anniversary":
            return "past"  # "the 45th anniversary of Nixon's visit to China"
        if self._returned_after(i):
            return "past"
        if self._began(i):
            return "ongoing"  # "a secretive visit to China that began last Friday"
        if self._on_the_way(i, host):
            return None  # "crossed into Poland early Wednesday on his way to Washington"
        if _has_counterfactual([*left, doc[i].lower_]):
            return None
        if OCCUPIED & {t.lower_ for t in doc[max(0, host.start - 5) : host.start]}:
            return None  # "visited the occupied Ukrainian port city of Mariupol": his own forces'

        relations = {self._relation(when, self._past_tense(i), i)} if when else set()
        on_visit = "on a state visit" in doc[self.sent.start : i].text.lower()
        if on_visit and when is not None and when.weekday is not None:
            relations = {RECENT}  # "Ramaphosa, on a state visit ..., was received on Monday"
        ahead = [_word(t) for t in doc[i + 1 : i + 3]]  # "Both presidents head next to Brazil"
        if (
            any(w in PLANNED_CUES for w in left[-6:])
            or (self.parsed and _future_verb(_governing_verb(doc[i])))
            or "next" in ahead
            or VERB_BASE.get(doc[i].lower_) == "due"
            or (doc[i].lower_ in EN_ROUTE and PAST not in relations)
        ):
            weekday = when is not None and when.weekday is not None  # ahead when told so
            return "past" if PAST in relations and not weekday else "planned"
        if PAST in relations:
            return "past"
        if FUTURE in relations:
            return "planned"
        if any(w in PAST_CUES for w in left[-3:]) and RECENT not in relations:
            return "past"
        return "ongoing"

    def _sentence_hedged(self, i: int) -> bool:
        """A sentence that calls its trip off ('the visit has been postponed'), makes it
        transit, or dates it to a time before office ('when both were vice presidents')."""
        trigger = self.doc[i]
        for t in self.sent:
            if t.lower_ in TRANSIT_WORDS or t.lower_ in VIRTUAL_WORDS:
                return True
            if t.lower_ in STRONG_HEDGES and (not self.parsed or _governs(t, trigger)):
                return True
        text = self.sent.text.lower()
        for phrase in HEDGE_PHRASES:  # "a planned trip to France ... was called off"
            at = text.find(phrase)
            if at >= 0:
                span = self.sent.char_span(at, at + len(phrase), alignment_mode="expand")
                if span is None or not self.parsed:
                    return True
                root = span.root  # "no dates had been fixed for a visit": 'dates' -> 'fixed'
                if _governs(root, trigger) or _governs(root.head, trigger):
                    return True
        before = self.doc[self.sent.start : i].text.lower()  # "had been scheduled to stop in
        return (  # Berlin, where he was to hold talks" (not "stuck ... was supposed to fly")
            any(p in before for p in COUNTERFACTUAL_CUES) or bool(NOT_IN_OFFICE.search(text))
        )

    def _past_tense(self, i: int) -> bool:
        doc = self.doc
        tok = doc[i]
        candidates = [tok]
        if self.parsed:
            verb = _governing_verb(tok)
            candidates.append(verb)
            if verb.tag_ in ("VBG", "VBN", "VB") and verb.dep_ in ("xcomp", "advcl", "conj"):
                candidates.append(verb.head)  # "spent Wednesday flying to Paris"
        candidates += list(doc[max(self.sent.start, i - 3) : i])
        if doc.has_annotation("TAG"):
            return any(t.tag_ == "VBD" for t in candidates)
        return any(t.lower_ in PAST_FORMS for t in candidates)

    def _sets_off(self, i: int) -> bool:
        """An arrival ('landed', 'arrived') or a departure for the place ('left
        Pyongyang for Russia'): a trip that starts then and goes on for some days."""
        doc = self.doc
        word = doc[i].lower_
        if VERB_BASE.get(word) == "land" or word in ARRIVALS:
            return True
        leaving = VERB_BASE.get(word) in ("leave", "depart")
        return leaving and any(t.lower_ == "for" for t in doc[i + 1 : i + 5])

    def _relation(self, t: TimePhrase, past_tense: bool, i: int) -> str:
        """Where a time phrase lies, reading bare weekdays and months by tense: 'on
        Monday' in an article of Thursday is three days back when the verb is past. An
        arrival a few days back starts a visit that may still be going on."""
        arrival = self._sets_off(i)
        if t.weekday is not None:
            back = (self.today.weekday() - t.weekday) % 7
            if back <= 1 or (arrival and back <= ARRIVAL_DAYS):
                return RECENT
            return PAST if past_tense else FUTURE
        if t.days and t.first is not None:
            back = (self.today - t.first).days
            if arrival and 0 <= back <= ARRIVAL_DAYS:
                return RECENT
            return t.relation
        if t.month_only and t.relation != RECENT:
            month = t.month
            if past_tense or (month is not None and month < self.today.month):
                return PAST
            return FUTURE
        return t.relation


#: Heads of an infinitive that put the trip ahead: "is scheduled to travel".
FUTURE_HEADS = words(
    "scheduled set slated expected due plan plans planning planned going poised likely"
)
FUTURE_AUX = words("will 'll shall wo")


def _future_verb(verb: Token) -> bool:
    """Whether the parse puts a verb ahead: 'will address', 'is set to embark', 'is to
    visit', and verbs coordinated with or governed by such a verb ('will arrive on
    Monday and hold talks')."""
    node = verb
    for _ in range(4):
        if any(c.dep_ == "aux" and c.lower_ in FUTURE_AUX for c in node.children):
            return True
        if node.dep_ == "xcomp" and node.head.lower_ in FUTURE_HEADS:
            return True
        if (
            node.dep_ == "xcomp"
            and node.head.lemma_ == "be"
            and any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children)
        ):
            return True  # "Xi is to visit Paris"
        if node.dep_ == "pcomp" and node.head.lower_ in ("before", "after", "then"):
            node = node.head  # "will attend the expo before travelling to Beijing"
        elif node.dep_ not in ("conj", "xcomp") or node.head is node:
            return False
        node = node.head
    return False


def _about(prep: Token, noun: Token) -> bool:
    """Whether a locative phrase places a gathering: 'the summit in Lima', 'the summit is
    held in Lima' (not 'the summit addressed the war in Gaza')."""
    if not prep.doc.has_annotation("DEP"):
        return prep.i - noun.i <= 3
    head = prep.head
    if head == noun:
        return True
    return (
        head.pos_ in ("VERB", "AUX")
        and noun.head == head
        and noun.dep_
        in (
            "nsubj",
            "nsubjpass",
            "dobj",
        )
    )


def _governs(hedge: Token, trigger: Token) -> bool:
    """Whether a cancelling word is about this trigger: 'postponed his trip', 'the trip
    was postponed' (and not 'a French trip that had been postponed' for another visit)."""
    ancestors = list(trigger.ancestors)[:4]
    return hedge in ancestors or (trigger in hedge.subtree and hedge.i - trigger.i < 25)


def _skip_titles_back(doc: Doc, start: int) -> str:
    """The word before a name and its titles: 'by' in 'by President Emmanuel Macron',
    'by Crown Prince and Prime Minister Mohammed bin Salman'."""
    k = start - 1
    while (
        k > 0
        and start - k <= 8
        and (
            doc[k].is_title
            or doc[k].is_upper
            or (doc[k].lower_ in ("and", "of") and doc[k - 1].is_title)
        )
    ):
        k -= 1
    return doc[k].lower_ if k >= 0 else ""


def _invited_host(tok: Token) -> bool:
    """'at the invitation of Kim Jong Un', 'accepted an invitation': the trip is on."""
    if tok.lower_ not in ("invitation", "invited"):
        return False
    before = " ".join(t.lower_ for t in tok.doc[max(0, tok.i - 3) : tok.i])
    return before.endswith(("at the", "on the", "accepted an", "accepting an", "accepted the"))


def _word(tok: Token) -> str:
    """Lower-cased, except the month 'May', which is not the modal 'may'."""
    return tok.text if tok.text == "May" and not tok.is_sent_start else tok.lower_


def _governing_verb(tok: Token) -> Token:
    """The verb a noun trigger hangs from ('met on the sidelines of the summit')."""
    cur = tok
    for _ in range(6):
        if cur.pos_ in ("VERB", "AUX") or cur.head is cur:
            return cur
        cur = cur.head
    return cur


def _has_counterfactual(words: list[str]) -> bool:
    """'had been scheduled to', 'would have been': a trip that did not happen."""
    joined = " ".join(words)
    return any(cue in joined for cue in COUNTERFACTUAL_CUES)


def _governor(doc: Doc, j: int, floor: int) -> int:
    """Index of the preposition (or verb) that governs the place at j: 'in' for 'in the
    Black Sea resort of Sochi', skipping determiners, modifiers and 'resort of'."""
    k = j - 1
    while k > floor and j - k <= 7:
        word = doc[k].lower_
        if word == "of" and doc[k - 1].lower_ in PLACE_HEADS:
            k -= 1
            continue
        if word in GOVERNORS or doc[k].pos_ in ("VERB", "AUX"):
            return k
        if word in (",", ".", ";") or (doc[k].pos_ == "NOUN" and word not in PLACE_HEADS):
            return k
        k -= 1
    return k


def _dep_subjects(tok: Token) -> list[Token]:
    """Who does the travelling: the subject up the verb chain, the owner of a noun
    ('Putin's visit'), or the agent ('a visit by Xi'); with their conjuncts."""
    cur = tok
    for _ in range(6):
        if cur.pos_ in ("NOUN", "PROPN"):
            owners = [c for c in cur.children if c.dep_ == "poss"]
            owners += [
                gc
                for c in cur.children
                if c.dep_ == "prep" and c.lower_ in ("by", "of")
                for gc in c.children
                if gc.dep_ == "pobj"
            ]
            if owners:
                return _with_conjuncts(owners)
        subjects = [c for c in cur.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects:
            # "Xi, who arrived in Moscow on Monday": the relative pronoun stands for Xi
            subjects = [
                _antecedent(cur.head) if s.lower_ in ("who", "that") and cur.dep_ == "relcl" else s
                for s in subjects
            ]
            return _with_conjuncts(subjects)
        if cur.dep_ not in CLIMB or cur.head is cur:
            return []
        if cur.dep_ in ("conj", "advcl") and cur.pos_ in ("VERB", "AUX"):
            # "..., and German Chancellor Olaf Scholz made a trip", "days before Donald
            # Trump returns": a subject the parser hung elsewhere stands before the verb
            k = cur.i - 1
            while k > 0 and cur.doc[k].pos_ in ("ADV", "AUX", "PART"):
                k -= 1
            if cur.doc[k].pos_ in ("PROPN", "PRON") and cur.doc[k].dep_ != "dobj":
                return [cur.doc[k]]
        cur = cur.head
    return []


def _preposition_of(tok: Token, word: str) -> Token | None:
    """The preposition `word` whose object `tok` is ('after' in 'after a summit')."""
    return tok.head if tok.dep_ == "pobj" and tok.head.lower_ == word else None


def _antecedent(noun: Token) -> Token:
    """What a relative clause's 'who' stands for: its noun, or for a group the leaders
    are counted among, the subject of that: 'A and B were among the leaders who
    arrived', 'Among those who reached Delhi are A and B'."""
    prep = noun.head
    if noun.lower_ in GROUPS and noun.dep_ == "pobj" and prep.lower_ == "among":
        named = [c for c in prep.head.children if c.dep_ in ("nsubj", "attr") and c is not prep]
        if named:
            return named[0]
    return noun


def _with_conjuncts(tokens: list[Token]) -> list[Token]:
    out = []
    for t in tokens:
        out += [t, *t.conjuncts]
    return out


def _clause_times(doc, clause, times: list[TimePhrase], i: int) -> list[TimePhrase]:
    """Time phrases of the clause; a clause without one ('..., where he visited a
    factory') takes those of the sentence before it. 'Since ...' after the trigger dates
    another visit ('his first visit since 2000'), before it the trigger's own ('since
    January 2020, when he flew to Tehran')."""
    start = doc[clause.start].idx
    end = doc[clause.end - 1].idx + len(doc[clause.end - 1])
    times = [
        t
        for t in times
        if (not t.since or _dates_trigger(doc, t, i))
        and not _dates_a_statement(doc, t, i)
        and not _in_since_clause(doc, t, i)
    ]
    inside = [t for t in times if start <= t.start < end]
    if inside:
        return inside
    before = [t for t in times if t.start < start]
    # "The tour began in Cairo, where Kishida met Sisi on Sunday" (not "..., where Biden
    # will host him on Thursday")
    after = [
        t
        for t in times
        if t.start >= end and not FUTURE_WORDS & set(doc.text[end : t.start].lower().split())
    ]
    return before or after[:1]


#: Verbs that report what someone said: a time phrase on them dates the statement.
REPORTING_VERBS = words(
    "say tell announce report confirm state add disclose reveal note write tweet post "
    "quote declare brief inform"
)


def _dates_a_statement(doc, t: TimePhrase, i: int) -> bool:
    """'..., the spokesman said on Tuesday': the day of the statement, not of the trip
    (unless the trigger itself is that verb's)."""
    span = doc.char_span(t.start, t.end, alignment_mode="expand")
    if span is None or not doc.has_annotation("DEP"):
        return False
    head = span.root.head
    if head.dep_ == "prep":
        head = head.head
    return head.lemma_ in REPORTING_VERBS and head.i != i


def _in_since_clause(doc, t: TimePhrase, i: int) -> bool:
    """'his first visit since the war began last year', 'since he took office in
    January': a time inside a 'since' clause dates that clause, not the trip."""
    span = doc.char_span(t.start, t.end, alignment_mode="expand")
    if span is None or not doc.has_annotation("DEP") or span.start <= i:
        return False
    node = span.root
    for _ in range(4):
        if node.i == i or node.head is node:
            return False
        if any(c.dep_ == "mark" and c.lower_ == "since" for c in node.children):
            # not "since they met at the summit in Osaka in June": the trip's own clause
            return not node.left_edge.i <= i <= node.right_edge.i
        node = node.head
    return False


def _dates_trigger(doc, t: TimePhrase, i: int) -> bool:
    """'since January 2020, when he flew to Tehran' dates the flight; 'has been in Peru
    since Thursday' and 'his first visit since 2000' do not date the trigger's visit."""
    between = doc.text[t.end : doc[i].idx].lower()
    return t.start < doc[i].idx and " when " in f" {between} "


def _when(i, doc, times: list[TimePhrase]) -> TimePhrase | None:
    """The time phrase nearest the trigger; it alone sets the visit's time."""
    if not times:
        return None
    anchor = doc[i].idx
    return min(times, key=lambda t: abs(t.start - anchor))


def _valid(f: VisitFinding, today: date) -> bool:
    if f.mention.former or f.host.code == f.person.country:
        return False
    if f.status == "past" and f.when is not None:
        span = f.when.month_span(today)  # "Johnson, who stepped down in September"
        if span is not None and span[0].year >= 2010 and f.person.terms:
            return f.person.leads_during(*span)
        if f.when.year is not None:
            return f.person.led_in(f.when.year)
    if f.status in ("ongoing", "planned"):
        return f.person.leads_on(today)
    return True
