"""Who and where, within one article: resolves leader mentions (full names, short names,
titles, "the Russian leader", pronouns) and place mentions to countries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc, Span, Token

from .gazetteer import BODY, CITY, COUNTRY, DEMONYM, METONYM, Gazetteer, Leader, Place
from .lexicon import (
    LEADER_TITLES,
    NON_STATE_OF,
    PLACE_NOUN_MODIFIERS,
    PLACE_NOUNS,
    PRONOUNS,
    TITLE_BLOCKERS,
    words,
)

MAX_TITLE_LEN = max(len(k) for k in LEADER_TITLES)
TITLE_FIRST_WORDS = frozenset(k[0] for k in LEADER_TITLES)
PRONOUN_REACH = 150  # tokens back in which a pronoun looks for its leader
GAZETTEER_SINCE = 2010  # the leaders data lists every term in office from this year on


@dataclass
class Person:
    """A leader as this article knows them."""

    name: str
    country: str
    title: str | None = None
    terms: list[Leader] = field(default_factory=list)

    def led_in(self, year: int) -> bool:
        """True unless the gazetteer knows they were not in office that year (it covers
        terms from 2010 on)."""
        if year < GAZETTEER_SINCE or not self.terms:
            return True
        return any(t.in_office_year(year) for t in self.terms)

    def leads_on(self, day: date) -> bool:
        return not self.terms or any(t.in_office(day) for t in self.terms)

    def leads_during(self, first: date, last: date) -> bool:
        return not self.terms or any(
            (t.start is None or t.start <= last) and (t.end is None or first <= t.end)
            for t in self.terms
        )


@dataclass
class LeaderMention:
    person: Person
    start: int  # token index
    end: int
    kind: str  # name | title | pronoun
    former: bool = False  # "former president", "then-vice president"
    sent_start: int = 0


@dataclass
class PlaceMention:
    place: Place
    start: int
    end: int

    @property
    def code(self) -> str:
        return self.place.code


@dataclass
class Mentions:
    leaders: list[LeaderMention]
    places: list[PlaceMention]
    persons: dict[str, Person]

    def leaders_in(self, start: int, end: int) -> list[LeaderMention]:
        return [m for m in self.leaders if start <= m.start < end]

    def places_in(self, start: int, end: int) -> list[PlaceMention]:
        return [p for p in self.places if start <= p.start < end]


def find_places(doc: Doc, gaz: Gazetteer) -> list[PlaceMention]:
    out = []
    for span in doc.spans["places"]:
        place = gaz.places[span.kb_id_]
        end = span.end
        if place.kind == CITY and end < len(doc) and doc[end].text in NAMED_AFTER_A_CITY:
            continue  # "the Shanghai Cooperation Organisation", "the Washington Post"
        while end < len(doc) and end - span.end < 2 and doc[end].lower_ in PLACE_NOUN_MODIFIERS:
            end += 1
        if place.kind == DEMONYM and end < len(doc) and doc[end].lower_ in PLACE_NOUNS:
            # "the Russian capital", "on Chinese soil", "the Russian border town of Khasan":
            # the demonym stands for the country
            out.append(PlaceMention(Place(place.code, COUNTRY), span.start, end + 1))
        else:
            out.append(PlaceMention(place, span.start, span.end))
    codes = {p.code for p in out if doc[p.start : p.end].text not in STATE_NAMES}
    for n, p in enumerate(out):  # "two days in Georgia courting investors" near Atlanta
        state_of = STATE_NAMES.get(doc[p.start : p.end].text)
        if state_of and state_of in codes and p.code not in codes:
            out[n] = PlaceMention(Place(state_of, CITY, city=None), p.start, p.end)
    return out


#: Honorifics between a title and a name.
HONORIFICS = frozenset({"Dr", "Mr", "Mrs", "Ms", "Madam", "Prof"})

#: Words after a city that make it part of another name.
NAMED_AFTER_A_CITY = frozenset(
    "Cooperation Organisation Organization Post Times Stock Exchange University Accord "
    "Accords Agreement Agreements Protocol Declaration Format Consensus".split()
)

#: Country names that are also names of states of another country: read as the state when
#: the article names that country and nothing else of the namesake.
STATE_NAMES = {"Georgia": "USA"}


class _Resolver:
    """Walks the article once, left to right, keeping who is in focus."""

    def __init__(self, doc: Doc, gaz: Gazetteer, day: date, places: list[PlaceMention]):
        self.doc, self.gaz, self.day = doc, gaz, day
        self.place_at = {i: p for p in places for i in range(p.start, p.end)}
        self.persons: dict[str, Person] = {}
        self.surnames: dict[str, Person] = {}
        self.mentions: list[LeaderMention] = []
        self.non_leader_at: set[int] = set()  # token starts of other people's names
        self.introduced: dict[str, int] = {}  # leader name -> last full mention
        self.other_surnames: dict[str, int] = {}  # surname of another person -> last index
        self.former: set[str] = set()  # leaders the article introduced as former

    # -- building persons ----------------------------------------------------------------
    def person_for(self, leaders: list[Leader]) -> Person:
        chosen = _pick_term(leaders, self.day)
        terms = [ld for ld in self.gaz.leaders if ld.name == chosen.name]
        person = self.persons.get(chosen.name)
        if person is None:
            person = Person(chosen.name, chosen.country, chosen.title or None, terms)
            self.persons[chosen.name] = person
        return person

    def holder(self, country: str, title: str | None) -> Person | None:
        """The leader of `country` on the article's day in the leaders data, the one
        with `title` when given, else the head of government."""
        holders = self.gaz.office_holders(country, self.day)
        if title:
            holders = [ld for ld in holders if ld.title == title] or holders
        else:
            holders = sorted(holders, key=lambda ld: ld.role != "head_of_government")
        return self.person_for(holders[:1]) if holders else None

    def new_person(self, name: str, country: str, title: str | None) -> Person:
        person = self.persons.get(name) or Person(name, country, title)
        self.persons[name] = person
        self.surnames[name.split()[-1]] = person
        return person

    # -- the walk --------------------------------------------------------------------------
    def run(self) -> list[LeaderMention]:
        doc = self.doc
        named = {sp.start: sp for sp in doc.spans["leaders"]}
        i = 0
        while i < len(doc):
            if i in named:
                i = self._named(named[i])
                continue
            title = _title_at(doc, i)
            if title is not None:
                i = self._titled(i, *title, named)
                continue
            tok = doc[i]
            if tok.lower_ in PRONOUNS:
                self._pronoun(tok)
            elif tok.text in self.surnames and tok.is_title and not _name_part_follows(doc, i):
                self._add(self.surnames[tok.text], i, i + 1, "name")
            elif tok.ent_type_ == "PERSON" and tok.ent_iob_ == "B":
                ent = next((e for e in doc.ents if e.start == i), None)
                if ent is not None and len(ent) > 1:  # a full name: single words are often
                    self.non_leader_at.add(i)  # the tagger's mistakes ("in May he was")
                    self.other_surnames[ent[-1].text] = i
            i += 1
        return self.mentions

    def _add(self, person: Person, start: int, end: int, kind: str, former: bool = False):
        # "Former U.S. President Jimmy Carter ... Carter left Pyongyang": still former
        sent_start = self.doc[start].sent.start  # not "... the former rivals. Erdogan went"
        window = {t.lower_.rstrip("-") for t in self.doc[max(sent_start, start - 3) : start]}
        if former and kind == "name" and window & {"former", "ex", "erstwhile"}:
            self.former.add(person.name)
        former = former or person.name in self.former
        self.mentions.append(LeaderMention(person, start, end, kind, former, sent_start))
        if kind == "name" and (end - start > 1 or self.doc[start].is_upper):
            self.introduced[person.name] = start

    def _named(self, span: Span) -> int:
        leaders = self.gaz.leaders_named(span.kb_id_)
        person = self.person_for(leaders)
        if len(span) == 1 and not self._may_shorten(person, span):
            self.non_leader_at.add(span.start)
            return span.end
        former = _is_former(self.doc, span.start)
        self._add(person, span.start, span.end, "name", former)
        return span.end

    def _may_shorten(self, person: Person, span: Span) -> bool:
        """A bare surname ('Harris', 'Biden') is the leader only once the article has named
        them in full, and not when another person of that name came up since ('Jill Biden')."""
        first = self.introduced.get(person.name)
        if first is None:
            return False
        return self.other_surnames.get(span.text, -1) < first

    def _titled(self, i: int, length: int, title: str | None, named: dict[int, Span]) -> int:
        """A title, possibly with a country cue before or after it and a name after it."""
        doc = self.doc
        end = i + length
        if end + 1 in named and doc[end].text.rstrip(".") in HONORIFICS:
            end += 1  # "Prime Minister Dr Keith Rowley"
        blocked = i > 0 and _blocks_title(doc[i - 1])
        country = self._country_cue(i, end)
        if end + 1 < len(doc) and doc[end].lower_ == "of":  # "President of the European ..."
            words_after = doc[end + 1 : end + 3].text.lower()
            if words_after in NON_STATE_OF or (
                doc[end + 1].lower_ in NON_STATE_OF and country is None
            ):
                blocked = True
        if end in named and not blocked:  # "President Vladimir Putin"
            span = named[end]
            person = self.person_for(self.gaz.leaders_named(span.kb_id_))
            if title and (person.title is None):
                person.title = title
            self._add(person, i, span.end, "name", _is_former(doc, i))
            return span.end
        name_end = end
        while name_end < len(doc) and _is_name_token(doc[name_end]):
            name_end += 1
        if blocked:
            if name_end > end:
                self.non_leader_at.add(end)
            return max(name_end, end)
        if name_end > end:  # a leader missing from the gazetteer: "President Bola Tinubu"
            country = country or self._country_of(name_end)  # "President Omar Guelleh of Djibouti"
            if country is not None:
                name = doc[end:name_end].text
                self._add(self.new_person(name, country, title), i, name_end, "name")
            return name_end
        if end + 1 in named and doc[end].text == ",":  # "Iran's new president, Masoud Pezeshkian"
            span = named[end + 1]
            person = self.person_for(self.gaz.leaders_named(span.kb_id_))
            self._add(person, i, span.end, "name", _is_former(doc, i))
            return span.end
        if title is None and country is None:
            return end  # bare "leader": too vague
        if _is_plural_or_generic(doc, i, end):
            return end
        person = self._by_role(country, title)
        if person is not None:
            self._add(person, i, end, "title")
        return end

    def _country_cue(self, start: int, end: int) -> str | None:
        """The country a title belongs to: "Russian President", "North Korea's leader",
        "President of France"."""
        doc = self.doc
        j = start - 1
        while j >= 0 and (doc[j].lower_ in ("'s", "’s", "'", "’") or doc[j].lower_ in EPITHETS):
            j -= 1
        if j >= 0 and j in self.place_at and self.place_at[j].place.kind != BODY:
            return self.place_at[j].code
        if end + 1 < len(doc) and doc[end].lower_ == "of":
            k = end + 1
            if doc[k].lower_ == "the":
                k += 1
            if k in self.place_at and self.place_at[k].place.kind in (COUNTRY, DEMONYM):
                return self.place_at[k].code
        return None

    def _country_of(self, k: int) -> str | None:
        """The country in 'of <country>' at token k, after a name."""
        doc = self.doc
        if k + 1 >= len(doc) or doc[k].lower_ != "of":
            return None
        k += 1 + (doc[k + 1].lower_ == "the")
        place = self.place_at.get(k)
        return place.code if place is not None and place.place.kind == COUNTRY else None

    def _by_role(self, country: str | None, title: str | None) -> Person | None:
        """ "the Russian leader", "the premier": someone already named, else the holder."""
        for m in reversed(self.mentions):
            p = m.person
            if (country is None or p.country == country) and (
                title is None or p.title is None or p.title == title or country is not None
            ):
                return p
        if country is None:
            return None
        holders = [
            ld
            for ld in self.gaz.office_holders(country, self.day)
            if not title or ld.title == title
        ]
        return self.person_for(holders) if holders else None

    def _pronoun(self, tok: Token) -> None:
        """He, his, she, her. Within its sentence: the nearest leader named before it who
        is not an object ('talks with Macron'), unless another person came in between.
        Across sentences: of the leaders in the last stretch of text, the one the article
        has named most (its protagonist), the nearest on a tie."""
        recent = [m for m in self.mentions if 0 < tok.i - m.start <= PRONOUN_REACH]
        if tok.lower_ in ("him", "himself") and recent and tok.i - recent[-1].end < 8:
            recent = recent[:-1]  # "Kim welcomed him": not Kim
        if not recent:
            return
        sent_start = tok.sent.start
        subjects = [m for m in recent if not _is_object(self.doc, m.start)]
        same = [m for m in subjects if m.start >= sent_start]
        if same:
            chosen = same[-1]
            if any(
                chosen.start < x < tok.i and not _is_object(self.doc, x) for x in self.non_leader_at
            ):
                return  # "..., Putin's aide Yuri Ushakov said he ..." (not "the killing of X")
        else:
            if any(
                sent_start <= x < tok.i and not _is_object(self.doc, x) for x in self.non_leader_at
            ):
                return
            pool = subjects or recent
            last_sent = pool[-1].sent_start
            chosen = next(m for m in pool if m.sent_start == last_sent)
        self._add(chosen.person, tok.i, tok.i + 1, "pronoun", chosen.former)


def _is_object(doc: Doc, start: int) -> bool:
    """'talks with UAE President X': the mention is governed by a preposition."""
    k = start - 1
    while (
        k >= 0
        and start - k <= 4
        and (doc[k].is_title or doc[k].is_upper or doc[k].lower_ in ("the", "'s", "’s"))
    ):
        k -= 1
    if k >= 0 and doc[k].lower_ == "and":  # "talks with X and Y", not "He and Ishiba met"
        before = [t.lower_ for t in doc[max(0, k - 8) : k]]
        return any(w in ("with", "by", "to", "for") for w in before) and not any(
            t.pos_ == "VERB" for t in doc[max(0, k - 8) : k]
        )
    return k >= 0 and doc[k].lower_ in OBJECT_MARKERS


#: Words between a country and a title that do not change whose title it is.
EPITHETS = words(
    "new incoming current sitting veteran embattled newly elected re-elected long-serving "
    "longtime populist conservative socialist leftist nationalist reformist hardline young "
    "interim acting"
)
OBJECT_MARKERS = words("with by to for from against than met told urged and of")


def _pick_term(leaders: list[Leader], day: date) -> Leader:
    current = [ld for ld in leaders if ld.in_office(day)]
    if current:
        # a head of state wins over a head of government of the same name
        return sorted(current, key=lambda ld: ld.role != "head_of_state")[0]
    before = [ld for ld in leaders if ld.start is None or ld.start <= day]
    pool = before or leaders
    return max(pool, key=lambda ld: ld.end or date.max)


def _title_at(doc: Doc, i: int) -> tuple[int, str | None] | None:
    if doc[i].lower_ not in TITLE_FIRST_WORDS:
        return None
    for n in range(MAX_TITLE_LEN, 0, -1):
        key = tuple(t.lower_ for t in doc[i : i + n])
        if len(key) == n and key in LEADER_TITLES:
            if key == ("leader",) and not _leader_word_ok(doc, i):
                return None
            if key == ("president",) and i + 1 < len(doc) and doc[i + 1].lower_ == "-elect":
                return None
            return n, LEADER_TITLES[key]
    return None


def _leader_word_ok(doc: Doc, i: int) -> bool:
    """'leader' is a leader's title only when a country stands right before it."""
    return i > 0 and (doc[i - 1].lower_ in ("'s", "’s") or doc[i - 1].is_title)


def _blocks_title(tok: Token) -> bool:
    text = tok.lower_.rstrip("-")
    return text in TITLE_BLOCKERS or tok.lower_ in TITLE_BLOCKERS or tok.lower_.endswith("-vice")


def _is_former(doc: Doc, i: int) -> bool:
    window = doc[max(doc[i].sent.start, i - 3) : i]  # not "the former rivals. Erdogan"
    return any(
        t.lower_.rstrip("-") in ("former", "ex", "late", "then", "erstwhile") for t in window
    )


def _is_plural_or_generic(doc: Doc, start: int, end: int) -> bool:
    prev = doc[start - 1].lower_ if start > 0 else ""
    nxt = doc[end].lower_ if end < len(doc) else ""
    return prev in ("a", "any", "every", "each", "another", "no") or nxt == "s"


def _is_name_token(tok: Token) -> bool:
    return (
        (tok.is_title or tok.is_upper) and tok.is_alpha and len(tok) > 1 and not tok.is_sent_start
    )


def _name_part_follows(doc: Doc, i: int) -> bool:
    return i + 1 < len(doc) and _is_name_token(doc[i + 1])


GROUP_TITLES = {"leaders": None, "presidents": "President", "heads": None, "premiers": "Premier"}


def _group_mentions(
    doc: Doc, leaders: list[LeaderMention], places: list[PlaceMention], resolver: _Resolver
):
    """Plural references: 'the leaders of France, Germany and Poland', 'presidents of
    Kenya and Angola', 'the French and German leaders', 'the two leaders', 'both men'.
    Each leader in the group gets a mention on the group's words: the one the article
    names, else the office holder of that day in the leaders data."""
    out: list[LeaderMention] = []
    place_at = {p.start: p for p in places}
    for i, tok in enumerate(doc):
        low = tok.lower_
        if low not in ("leaders", "men", "presidents", "heads"):
            continue
        before = doc[max(0, i - 2) : i].text.lower()
        if before in ("the two", "both", "two") or before.endswith(("the two", "both")):
            earlier = _lead_pair(doc, leaders, i)
            for m in reversed([m for m in leaders if m.start < i] if not earlier else []):
                if m.person not in [e.person for e in earlier]:
                    earlier.append(m)
                if len(earlier) == 2:
                    break
            out += [LeaderMention(m.person, i - 2, i + 1, "group", m.former) for m in earlier]
            continue
        countries: list[str] = []
        if low in GROUP_TITLES and i + 1 < len(doc) and doc[i + 1].lower_ == "of":
            k = i + 2
            while k < len(doc) and (k in place_at or doc[k].lower_ in (",", "and", "the")):
                if k in place_at:
                    countries.append(place_at[k].code)
                    k = place_at[k].end
                else:
                    k += 1
        elif low == "leaders":
            k = i - 1
            while k >= 0 and (doc[k].lower_ in (",", "and") or any(p.end == k + 1 for p in places)):
                p = next((p for p in places if p.end == k + 1), None)
                if p is not None:
                    countries.append(p.code)
                    k = p.start - 1
                else:
                    k -= 1
        for code in countries:
            person = _person_of(leaders, code, i) or resolver.holder(code, GROUP_TITLES[low])
            if person is not None:
                out.append(LeaderMention(person, i, i + 1, "group"))
    return out


def _lead_pair(doc: Doc, leaders: list[LeaderMention], before: int) -> list[LeaderMention]:
    """The two leaders of the article's first sentence that names two: 'the two leaders'
    later on usually means them."""
    for sent in doc.sents:
        if sent.start >= before:
            break
        pair: list[LeaderMention] = []
        for m in leaders:
            if sent.start <= m.start < sent.end and m.person not in [p.person for p in pair]:
                pair.append(m)
        if len(pair) >= 2:
            return pair[:2]
    return []


def _person_of(leaders: list[LeaderMention], country: str, near: int):
    """The leader of `country` this article names closest to token `near`."""
    named = [
        m for m in leaders if m.person.country == country and m.kind == "name" and not m.former
    ]
    if not named:
        return None
    return min(named, key=lambda m: abs(m.start - near)).person


def resolve(doc: Doc, gaz: Gazetteer, day: date) -> Mentions:
    places = find_places(doc, gaz)
    resolver = _Resolver(doc, gaz, day, places)
    leaders = resolver.run()
    groups = _group_mentions(doc, leaders, places, resolver)
    leaders = sorted(leaders + groups, key=lambda m: m.start)
    return Mentions(leaders, places, resolver.persons)


__all__ = [
    "CITY",
    "COUNTRY",
    "METONYM",
    "LeaderMention",
    "Mentions",
    "Person",
    "PlaceMention",
    "resolve",
]
