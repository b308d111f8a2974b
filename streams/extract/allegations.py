"""Sanctions allegations: someone with standing claims a country violated or evaded
sanctions, or made a transfer sanctions prohibit; and whether the accused denies it.

Sentence by sentence (`claims.py` says which make a claim): who claims it (the subject
of a verb of saying above the deed, "according to ...", else the accusers of the claim
before)? Who is accused (the countries the parse makes doers of the deed: subjects of
'supplied' or 'violated', objects of 'accused X of', owners of 'Iran's supply', 'from
North Korea', 'companies in China') and who is on the other side ('to Russia', a buyer
where the seller is named)? Countries that only speak, look on or lie on the route are
neither, and who accuses in the article is not accused in it."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from .claims import (
    CARRY_VERBS,
    DEAL_NOUNS,
    PURCHASE_NOUNS,
    QUOTES,
    SANCTIONED_FOR_REACH,
    SAY_VERBS,
    SUPPLY_NOUNS,
    VIOLATION_REACH,
    attributed,
    claim_kind,
    continues,
    dominates,
    has_anchor,
    is_claim,
    is_deed,
    is_denial,
    names_both,
    refers_back,
    under,
    units,
)
from .gazetteer import BODY, COUNTRY, DEMONYM, Place
from .lexicon import (
    ACCUSE_VERBS,
    CLAIM_VERBS,
    COMPANY_NOUNS,
    DEED_NOUNS,
    DENIAL_CUES,
    DENIAL_OBJECTS,
    DENIAL_WORDS,
    DISPUTE_WORDS,
    ENTITY_NOUNS,
    LEGITIMACY_WORDS,
    NEGATIONS,
    NON_STATE_SOURCES,
    RECIPIENT_WORDS,
    SANCTION_WORDS,
    TRADE_NOUNS,
    TRANSFER_GOODS,
    TRANSFER_VERBS,
    VICTIM_WORDS,
    VIOLATION_WORDS,
    words,
)
from .mentions import LeaderMention, Mentions, PlaceMention
from .sentences import cut_starts

__all__ = [
    "SANCTIONED_FOR_REACH",
    "VIOLATION_REACH",
    "AllegationFinding",
    "find_allegations",
    "is_claim",
]

FOLLOW_SENTENCES = 3  # a claim goes on this far without naming sanctions again
INHERIT_SENTENCES = 6  # an allegation without a named accuser inherits from this far back

# --- who speaks --------------------------------------------------------------------------

#: Verbs of saying or of acting on the deed: "imposed sanctions on ... for buying",
#: "slapped penalties on ... it accused of".
SOURCE_VERBS = SAY_VERBS | words(
    "impose imposed imposes slap slapped slaps target targeted targets sanction sanctioned "
    "blacklist blacklisted blacklists designate designated designates penalize penalized "
    "penalise penalised indict indicted fine fined charge charges seize seized seizes"
)
#: Verbs whose object is who is told, not who is accused: "told the U.S. Congress".
TELL_VERBS = words("tell tells told inform informs informed brief briefs briefed notify notified")
#: Government offices the gazetteer does not name, as they appear in a claim's source.
AGENCIES = {
    "Justice Department": "USA",
    "Department of Justice": "USA",
    "Commerce Department": "USA",
    "Treasury": "USA",
    "OFAC": "USA",
    "Office of Foreign Assets Control": "USA",
    "Central Command": "USA",
    "CENTCOM": "USA",
    "Southern Command": "USA",
    "National Security Council": "USA",
    "U.S": "USA",  # "the U.S accused Iran of ...", without its last full stop
}
#: The press as a source: "local media reported", "state news media said".
PRESS_WORDS = words("media")
#: A claimant named as a group of governments: "a group of 11 countries".
GROUP_NOUNS = frozenset("group countries nations team coalition governments states".split())
#: Bodies whose claims make an event (the schema's list); others (G20, FATF) do not.
ACCUSING_BODIES = frozenset({"UN", "EU", "G7", "IAEA", "NATO"})
#: A country inside the claimant's phrase under these is not a claimant: "a group set up
#: to track compliance with United Nations sanctions", "a panel monitoring sanctions on Iran".
NOT_ACCUSER_PREPS = frozenset({"on", "against", "over", "in", "with", "to", "for", "under"})
SUBJECT_STOP = frozenset(',;:.—–("“”')
PRONOUNS = words("it they he she we i which that who this these those")

# --- who does the deed -------------------------------------------------------------------

COUNTERPARTY_PREPS = frozenset({"to", "from", "with", "for"})
LOCATION_PREPS = words(
    "in across through via off near at over into inside around outside within on against of "
    "under between among"
)
#: Prepositions of place: the country they govern is where something happened.
PLACE_PREPS = words("in at near off via through across inside within around outside among")
#: Verbs whose subject is the receiving end of a transfer.
BUY_VERBS = RECIPIENT_WORDS | words(
    "buy buying purchase purchased purchases purchasing import importing receive procure "
    "procures acquire"
)
HELP_VERBS = words(
    "help helps helped helping assist assists assisted assisting enable enabled enabling"
)
#: Verbs of using weapons: their subject is no party to a transfer.
USE_VERBS = words("fire fires fired firing use uses used using launch launched launches")
ARRIVE_VERBS = words("reach reaches reached reaching")
ATTEMPT_NOUNS = words("attempt attempts effort efforts bid scheme schemes involvement")
DESTINATION_NOUNS = words("destination recipient recipients buyer buyers customer customers")
#: What comes "from" a country without being goods: "pressure from the United States".
NOT_GOODS = words(
    "pressure pressures request requests call calls letter statement warning warnings visit "
    "trip journey delegation officials envoy envoys objections opposition criticism figures data "
    "information intelligence evidence report reports imagery images"
)
#: Nouns that stand for a company named before ("accusing the company of buying"), and how
#: far back (in words) that company may be named.
FIRM_NOUNS = words("company firm bank lender trader refinery carrier corp corporation group")
FIRM_REACH = 60
#: Nouns that stand for a country named before: "accused the country of supplying".
ANAPHOR_NOUNS = words("country north regime nation kingdom republic")


@dataclass
class AllegationFinding:
    accused: str
    accusers: set[str] = field(default_factory=set)
    counterparties: set[str] = field(default_factory=set)
    subject: str = ""
    denied: bool = False
    sentences: list[Span] = field(default_factory=list)


def find_allegations(doc: Doc, mentions: Mentions) -> list[AllegationFinding]:
    """The allegations of an article, one per accused country."""
    starts = cut_starts(doc)
    context = any(t.lower_ in SANCTION_WORDS for t in doc)
    if not has_anchor(doc, mentions, context, starts):
        return []
    return _Reader(doc, mentions, context).read(units(doc, starts))


class _Reader:
    """Reads an article's sentences in order, carrying what a claim leaves to the next:
    its accusers ("..., he added"), whether it goes on, and the parties of the deeds named
    (for "Such deliveries would break the embargo")."""

    def __init__(self, doc: Doc, mentions: Mentions, sanctions_context: bool) -> None:
        self.doc, self.mentions, self.context = doc, mentions, sanctions_context
        self.parsed = doc.has_annotation("DEP")  # without a parse, read only plain claims
        self.found: dict[str, AllegationFinding] = {}
        self.all_accusers: set[str] = set()  # who makes a claim of their own
        self.last_accusers: set[str] = set()
        self.last_at = self.last_found = -99
        self.seen: dict[int, tuple[set[str], set[str]]] = {}  # deeds named, by sentence

    def read(self, sents: list[Span]) -> list[AllegationFinding]:
        for n, sent in enumerate(sents):
            if is_denial(sent):
                pass
            elif claim_kind(sent, self.context, broad=self.parsed):
                if not self._claim(n, sent, sents, follows=False):
                    continue
            elif self.parsed and n - self.last_found <= FOLLOW_SENTENCES and continues(sent):
                if not self._claim(n, sent, sents, follows=True):
                    continue
            else:
                self._note_deed(n, sent)
            if self.found and any(t.lower_ in DENIAL_CUES for t in sent):
                for code in _deniers(sent, self.mentions, self.found):
                    self.found[code].denied = True
                    self.found[code].sentences.append(sent)
        # who makes a claim in the article is not its target elsewhere in it
        return [f for f in self.found.values() if f.accused not in self.all_accusers]

    def _claim(self, n: int, sent: Span, sents: list[Span], follows: bool) -> bool:
        """Record the allegations of a claim; False for one without standing ("a think
        tank said", "France claims it has given the arms"). `follows`: a claim that goes
        on from the one before, whose doers must be plain."""
        claim = _Claim(self.doc, sent, self.mentions)
        if claim.non_state_source() or claim.own_deed():
            return False
        accusers = claim.accusers() or claim.members(sents[n + 1 : n + 3], self.mentions)
        reach = INHERIT_SENTENCES if attributed(sent) else 1
        if not accusers and n - self.last_at <= reach:
            accusers = set(self.last_accusers)
        accused, counter = claim.parties(strict=follows)
        if not accused and names_both(sent):  # "cooperation between the two"
            accused = {f.accused for f in self.found.values()}
        elif names_both(sent) and len(accused | counter) == 2:
            accused |= counter  # "I will remind both countries that any transfer ..."
        if not accused and refers_back(sent):  # "Such deliveries would break ..."
            earlier = range(n - 1, max(-1, n - 1 - FOLLOW_SENTENCES), -1)
            named = next((self.seen[k] for k in earlier if k in self.seen), (set(), set()))
            accused, counter = set(named[0]), set(named[1])
        accused -= accusers
        if accusers:
            self.last_accusers, self.last_at = accusers, n
        if not (accusers and accused):
            return True
        self.last_found = n
        if not claim.weak:
            self.all_accusers |= claim.accusers()
        for code in sorted(accused):
            f = self.found.setdefault(code, AllegationFinding(code))
            f.accusers |= accusers
            # two accused of one transfer are each other's other side
            f.counterparties |= (counter or accused) - {code} - accusers
            f.subject = f.subject or _subject(sent)
            f.sentences.append(sent)
        return True

    def _note_deed(self, n: int, sent: Span) -> None:
        """Keep the doers of a deed a sentence names without claiming a breach ("Pyongyang
        and Tehran have resumed cooperation"), for a later "such transfers"."""
        if not any(is_deed(t) or t.lower_ in DEAL_NOUNS for t in sent):
            return
        if self.mentions.places_in(sent.start, sent.end):
            accused, counter = _Claim(self.doc, sent, self.mentions).parties(strict=True)
            if accused:
                self.seen[n] = (accused, counter)


class _Claim:
    """One sentence read as a claim: its places (with "the country", "the company" and
    leaders who do the deed standing for their countries), the words that say who makes
    the claim (`source_tokens`; `weak` when only guessed from the sentence's subject),
    and the role the parse and the words around give each place."""

    def __init__(self, doc: Doc, sent: Span, mentions: Mentions) -> None:
        self.doc, self.sent, self.mentions = doc, sent, mentions
        self.places = [p for p in mentions.places_in(sent.start, sent.end)]
        self.places = sorted(self.places + self._anaphors(), key=lambda p: p.start)
        self.place_tokens = {k for p in self.places for k in range(p.start, p.end)}
        leaders = mentions.leaders_in(sent.start, sent.end) if doc.has_annotation("DEP") else []
        for m in leaders:  # "Putin was giving North Korea military technology"
            as_place = PlaceMention(Place(m.person.country, COUNTRY), m.start, m.end)
            if m.start not in self.place_tokens and self._doer(as_place):
                self.places = sorted([*self.places, as_place], key=lambda p: p.start)
        self.weak = False
        self.dateline = _dateline_end(sent)
        self.source_tokens = {k for k in self._source_tokens() if sent.start <= k < sent.end}

    def _anaphors(self) -> list[PlaceMention]:
        """'the country', 'the North', 'the regime' standing for the last country named
        before them ("The US ambassador to South Africa accused the country of ..."), and
        'the company' for the country of the last company named ("imposed sanctions on
        the Chinese state-run oil trader Zhuhai Zhenrong ..., accusing the company of")."""
        out: list[PlaceMention] = []
        for tok in self.sent:
            if tok.lower_ in FIRM_NOUNS and tok.i > 0 and self.doc[tok.i - 1].lower_ == "the":
                code = self._firm_country(tok.i - 1)
                if code:
                    out.append(PlaceMention(Place(code, COUNTRY), tok.i - 1, tok.i + 1))
                continue
            if tok.lower_ not in ANAPHOR_NOUNS or tok.i == 0 or self.doc[tok.i - 1].lower_ != "the":
                continue
            if tok.i + 1 < len(self.doc) and self.doc[tok.i + 1].lower_ in ("'s", "’s", "of"):
                continue  # "the country's", "the country of origin"
            before = [
                p
                for p in self.mentions.places
                if p.end <= tok.i - 1
                and p.place.kind != BODY
                and (tok.lower_ != "north" or p.code == "PRK")
            ]
            if before:
                place = Place(before[-1].code, COUNTRY)
                out.append(PlaceMention(place, tok.i - 1, tok.i + 1))
        return out

    def _firm_country(self, before: int) -> str | None:
        """The country of the last company named before a token: "China's ZTE Corp",
        "the Chinese state-run oil trader", "a Cyprus-based company"."""
        for p in reversed(self.mentions.places):
            if p.end > before or before - p.end > FIRM_REACH:
                continue
            if p.place.kind == BODY:
                continue
            nxt = [t.lower_ for t in self.doc[p.end : min(p.end + 5, before)]]
            if any(w in COMPANY_NOUNS or w in FIRM_NOUNS for w in nxt):
                return p.code
        return None

    def _source_tokens(self) -> set[int]:
        """Tokens that name who makes the claim: the subject of the claim verb, the agent
        of a passive one, or what follows 'according to'."""
        out: set[int] = set()
        toks = list(self.sent)
        for k, tok in enumerate(toks):
            if tok.lower_ == "according" and k + 1 < len(toks) and toks[k + 1].lower_ == "to":
                end = next(
                    (j for j in range(k + 2, len(toks)) if toks[j].text in SUBJECT_STOP), len(toks)
                )
                out |= {t.i for t in toks[k + 2 : end]}
        if any(p.start in out for p in self.places):
            return out  # "according to a report by UN sanctions monitors"
        out = set()  # "according to diplomats": the claim's own subject says who
        verbs = [t for t in self.sent if t.text in CLAIM_VERBS or t.text in ACCUSE_VERBS]
        if not self.doc.has_annotation("DEP"):
            self.weak = True  # the words before the verb: not clearly who speaks
            return out | (set(range(self.sent.start, verbs[0].i)) if verbs else set())
        speakers = self._speakers()
        if speakers:
            return speakers
        for verb in verbs:
            found = _subject_tokens(verb)
            if not found and verb.tag_ in ("VBD", "VBZ", "VBP"):
                found = self._reporting_tag(verb)
            if found:
                return out | found
        # the parser lost the verb's subject: "Foreign ministers of the Group of Seven on
        # Friday voiced concern about ..." (with "voiced" read as an adjective)
        first = self.dateline + 1 if self.dateline > self.sent.start else self.sent.start
        says = [t for t in self.sent if t.lower_ in SAY_VERBS and t.i >= first]
        if says and 0 < says[0].i - first <= 12:
            return set(range(first, says[0].i))
        root = self.sent.root
        if is_deed(root) or any(is_deed(c) for c in root.children if c.dep_ == "xcomp"):
            return out  # "North Korea continued to violate ..., according to a Reuters report"
        self.weak = True  # whoever does what the sentence says, not who says it
        return out | _subject_tokens(root)  # "Britain ... have asked the UN ..."

    def _speakers(self) -> set[int]:
        """The subjects of the verbs of saying or acting (said, expressed, imposed ...) that
        the deed hangs on: "Patel stated that France and UK have expressed their views
        regarding Iran's supply of UAVs" names Patel, France and the UK."""
        deeds = [t for t in self.sent if is_deed(t)]
        out: set[int] = set()
        for verb in self.sent:
            if verb.pos_ not in ("VERB", "AUX") or verb.lower_ not in SOURCE_VERBS:
                continue
            # "Uganda, the report added, had sent ...": a tag that reports its head clause
            top = verb.head if verb.dep_ == "parataxis" else verb
            if any(dominates(top, d) for d in deeds):
                out |= _subject_tokens(verb)
                for child in verb.lefts:
                    if child.dep_ in ("npadvmod", "appos"):  # "US State Department
                        out |= {t.i for t in child.subtree}  # Spokesperson, Matthew Miller"
        return out

    def _reporting_tag(self, verb: Token) -> set[int]:
        """'..., a panel of experts that monitors the measures said': the words between the
        comma and the verb, when the parser found no subject."""
        k = verb.i - 1
        while k > self.sent.start and self.doc[k].text not in (",", '"', "”", "'"):
            k -= 1
        if k <= self.sent.start and verb.i - self.sent.start <= 6:
            return set(range(self.sent.start, verb.i))  # "In March Turkey told ..."
        if k <= self.sent.start or verb.i - k > 16:
            return set()
        return set(range(k + 1, verb.i))

    def own_deed(self) -> bool:
        """Whether the speaker tells of its own act: "France claims it has given the
        arms to rebels", "We decided to provide self-defensive weapons"."""
        if not self.doc.has_annotation("DEP"):
            return False
        speaker = any(p.start in self.source_tokens for p in self.places) and not any(
            t.lower_ in SOURCE_VERBS - SAY_VERBS for t in self.sent
        )  # "it" is the speaker, not what "imposed sanctions on" fall on
        for tok in self.sent:
            if not any(t.lower_ in TRANSFER_GOODS for t in tok.subtree):
                continue  # "I will give detailed information"
            if is_deed(tok) and tok.lower_ not in VIOLATION_WORDS:
                for c in tok.children:
                    if c.dep_ == "nsubj" and (
                        c.lower_ in ("we", "i") or (c.lower_ == "it" and speaker)
                    ):
                        return True
                if tok.dep_ == "xcomp" and any(  # "We decided to provide"
                    c.dep_ == "nsubj" and c.lower_ in ("we", "i") for c in tok.head.children
                ):
                    return True
        return False

    def non_state_source(self) -> bool:
        words = {self.doc[i].lower_ for i in self.source_tokens}
        return bool(words & (NON_STATE_SOURCES | PRESS_WORDS))

    def members(self, following: list[Span], mentions: Mentions) -> set[str]:
        """'..., a group of 11 countries said.' followed by 'The team, formed by the United
        States, South Korea, Japan, ...': the group's members are the accusers."""
        words = {self.doc[i].lower_ for i in self.source_tokens}
        if not words & GROUP_NOUNS:
            return set()
        for sent in following:
            countries = [
                p for p in mentions.places_in(sent.start, sent.end) if p.place.kind == COUNTRY
            ]
            run: list[PlaceMention] = []  # the longest list "X, Y, Z and W"
            best: list[PlaceMention] = []
            for p in countries:
                gap = self.doc[run[-1].end : p.start] if run else None
                if run and all(t.lower_ in (",", "and", "the") for t in gap):
                    run.append(p)
                else:
                    run = [p]
                best = max(best, run, key=len)
            if len(best) >= 3:
                return {p.code for p in best}
        return set()

    def accusers(self) -> set[str]:
        codes = {
            _national(self.doc, p)
            for p in self.places
            if p.start in self.source_tokens
            and (p.place.kind != BODY or p.code in ACCUSING_BODIES)
            and _governor(self.doc, p, self.sent.start)[0] not in NOT_ACCUSER_PREPS
        }
        if not codes and self.source_tokens:  # "the Justice Department said"
            words = " ".join(self.doc[k].text for k in sorted(self.source_tokens))
            codes = {code for name, code in AGENCIES.items() if name in words}
            codes |= {  # "The Obama administration"
                person.country
                for person in self.mentions.persons.values()
                if f"{person.name.split()[-1]} administration" in words
                or f"{person.name.split()[-1]} government" in words
            }
        codes |= {
            _speaks_for(self.doc, self.mentions, m)
            for m in self.mentions.leaders_in(self.sent.start, self.sent.end)
            if m.start in self.source_tokens
        }
        return codes

    def parties(self, strict: bool = False) -> tuple[set[str], set[str]]:
        """Who is accused and who is on the other side; `strict`: only those the sentence
        itself makes doers (no buyer or target standing in for a missing one)."""
        accused: set[str] = set()
        counter: set[str] = set()
        targets: set[str] = set()
        recipients: set[str] = set()
        origins: set[str] = set()
        destinations: set[str] = set()
        for p in self.places:
            if p.start in self.source_tokens or p.place.kind == BODY:
                continue
            role = self._role(p)
            if strict and role == "accused" and not self._doer(p):
                role = None  # a claim that goes on names its doers plainly
            if role == "accused":
                accused.add(p.code)
            elif role == "counterparty":
                counter.add(p.code)
            elif role == "target":
                targets.add(p.code)
            elif role == "recipient":
                recipients.add(p.code)
            elif role == "origin":
                origins.add(p.code)
            elif role == "destination":
                destinations.add(p.code)
        # the buyer, the land the goods come from and their destination stand in for a
        # doer only where none is named ("South Sudan's government imported ..."), not
        # beside a doer that is no country ("accusing the company of buying Iranian crude")
        strict = strict or self._unnamed_doer()
        fallbacks = [recipients, origins - recipients, destinations - origins - recipients]
        for fallback in [] if strict else fallbacks:
            if not accused:
                accused = set(fallback)
            else:
                counter |= fallback - accused
        if not accused and not strict and self._deed_has_subject():
            accused = targets - counter  # "the deliveries defied the restrictions on Iran"
        return accused, counter - accused

    def _deed_has_subject(self) -> bool:
        """Whether a violation is something's doing ("the deliveries defied the
        restrictions on Iran"), not a bare noun ("found violations of the arms embargo
        imposed on South Sudan", whose target need not have broken it)."""
        if not self.doc.has_annotation("DEP"):
            return True

        def has_subject(tok: Token) -> bool:
            return any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children)

        for t in self.sent:
            if t.lower_ not in VIOLATION_WORDS:
                continue
            if has_subject(t) or (t.dep_ == "attr" and has_subject(t.head)):
                return True  # "the transfer was a clear breach of UN sanctions"
            if t.dep_ == "pobj" and has_subject(t.head.head):
                return True  # "the shipments ... in breach of"
        return not any(t.lower_ in VIOLATION_WORDS for t in self.sent)

    def _unnamed_doer(self) -> bool:
        """Whether the deed's doer is named by no country: the subject of 'sold' or the
        object of 'accused' is "the company", "Huawei", "the captains"."""
        if not self.doc.has_annotation("DEP"):
            return False
        for tok in self.sent:
            if tok.pos_ != "VERB":
                continue
            if is_deed(tok) and tok.lower_ not in VIOLATION_WORDS:
                deps = ("nsubj",)
            elif tok.text in ACCUSE_VERBS:
                deps = ("dobj",)
            else:
                continue
            for c in tok.children:
                named = any(t.i in self.place_tokens for t in c.subtree)
                if c.dep_ in deps and c.lower_ not in PRONOUNS and not named:
                    return True
        return False

    def _doer(self, p: PlaceMention) -> bool:
        """Whether the parse makes a place the doer of a transfer or violation: the subject
        of 'supplying', 'had begun transferring', 'violate'; the owner of 'Iran's supply';
        the source in 'shipments from North Korea'."""
        if not self.doc.has_annotation("DEP"):
            return True
        tok = self.doc[p.start : p.end].root
        while tok.dep_ in ("compound", "amod", "conj") and tok.head.i != tok.i:
            tok = tok.head
        if tok.dep_ == "poss" or (tok.dep_ == "pobj" and tok.head.lower_ == "from"):
            return tok.head.lower_ in SUPPLY_NOUNS or tok.head.lower_ == "from"
        if tok.dep_ not in ("nsubj", "nsubjpass"):
            return False
        verb = tok.head.head if tok.head.dep_ == "aux" else tok.head  # "has" in "has armed"
        return is_deed(verb) or any(
            is_deed(c) or c.lower_ in DEAL_NOUNS  # "have resumed cooperation on missiles"
            for c in verb.children
            if c.dep_ in ("xcomp", "ccomp", "conj", "acomp", "dobj", "attr", "oprd")
        )

    def _parse_role(self, p: PlaceMention) -> str | None:
        """The role the parse gives a place, or "?" where it says nothing clear: the noun
        it stands in is the object of 'to' (counterparty), of 'in' or 'at' (a location,
        unless companies are 'in' it), the subject of a verb of saying (a speaker), or
        what a verb of helping helps to evade ('helping Iran evade sanctions')."""
        if not self.doc.has_annotation("DEP"):
            return "?"
        noun = _noun_of(self.doc[p.start : p.end].root, self.place_tokens)
        if _conditional(noun):
            return None  # "if Iran went ahead with providing ballistic missiles to Russia"
        head = noun.head.head if noun.head.dep_ == "aux" else noun.head
        if noun.dep_ == "dobj" and head.lower_ in ARRIVE_VERBS:
            return "counterparty"  # "Chinese arms were reaching Russian forces"
        if noun.dep_ == "pobj":
            prep, owner = head.lower_, head.head
            if prep in ("to", "into", "onto", "aboard"):
                return "counterparty"  # "loaded onto a Russian cargo ship"
            if prep in PLACE_PREPS:
                before = self.doc[head.i - 1].lower_ if head.i > self.sent.start else ""
                if {owner.lower_, before} & COMPANY_NOUNS:
                    return "accused"  # "companies in China"
                if owner.lower_.endswith("based"):
                    return "?"
                return None  # "at a resort in the southern Italian region of Puglia"
            if prep == "by" and owner.head.lower_ in NOT_GOODS:
                return None  # "citing figures supplied by the United States"
            if prep == "by" and not is_deed(owner) and owner.lower_ not in DEED_NOUNS:
                return None  # "seized by Gibraltar", "resolutions voted for by Russia"
            if prep == "from" and owner.lower_ in NOT_GOODS:
                return None  # "under strong pressure from the United States"
            if prep == "from" and any(
                t.lower_ in BUY_VERBS for t in (owner, owner.head, owner.head.head)
            ):
                return "origin"  # "receiving oil shipments from Venezuela"
            if prep == "between" and owner.lower_ not in DEAL_NOUNS:
                return None  # "a naval standoff between France and Turkey"
            if prep == "of" and _is_help(owner):
                return "accused"  # "with the help of China"
        if _is_help(noun):
            return "accused"  # "with China's help"
        if noun.dep_ == "nsubj" and head.lower_ in VIOLATION_WORDS and head.pos_ == "VERB":
            if head.head.lower_ in HELP_VERBS:
                return "recipient"  # "helping Iran evade": accused unless its helpers are
            return "accused"  # "Jordan ... violated the embargo"
        if noun.dep_ == "nsubj" and head.lower_ in BUY_VERBS:
            return "recipient"  # "the Russian Defense Ministry was buying ... from"
        if noun.dep_ == "nsubj" and p.place.kind == DEMONYM and head.lower_ in USE_VERBS:
            return None  # "Russian forces have fired North Korean missiles"
        speaks = head.lower_ in SOURCE_VERBS and not is_deed(head)
        if noun.dep_ in ("nsubj", "nsubjpass") and speaks:
            return None  # "France and UK have expressed their views regarding ..."
        helped = any(c.lower_ in VIOLATION_WORDS for c in head.children if c.pos_ == "VERB")
        if noun.dep_ == "dobj" and head.lower_ in HELP_VERBS and helped:
            return "recipient"  # "helping Iran evade international sanctions"
        if noun.dep_ in ("dobj", "dative") and head.lower_ in TELL_VERBS:
            return None  # "a UN panel told the U.S. Congress that ...": who is told
        if noun.dep_ == "dative":
            return "counterparty"  # "North Korea sent Syria dozens of shipments"
        return "?"

    def _role(self, p: PlaceMention) -> str | None:
        """accused, counterparty, target (of sanctions: 'restrictions on Iran') or None."""
        doc = self.doc
        if _is_flag(doc, p) or p.end <= self.dateline:
            return None
        after = [t.lower_ for t in doc[p.end : min(p.end + 5, self.sent.end)]]
        if after[:1] and after[0] in SANCTION_WORDS:
            return None  # "U.S. sanctions", "UN restrictions": who imposes, not who breaks
        if after[:1] in (["'s"], ["’s"]) and any(w in COMPANY_NOUNS for w in after[1:4]):
            return "accused"  # "sanctions on Kyrgyzstan's Keremet Bank"
        if any(w in RECIPIENT_WORDS for w in after[:4]):
            if any(w in DESTINATION_NOUNS for w in after[:4]):
                return "destination"  # "Syria was the main destination"
            return "recipient"  # "Moscow had received"
        parsed = self._parse_role(p)
        if parsed != "?":
            return parsed
        prep, at = _governor(doc, p, self.sent.start)
        if p.place.kind == DEMONYM:
            if prep in COUNTERPARTY_PREPS:
                return "counterparty"  # "the supply of weapons to Houthi leaders"
            nxt = doc[p.end : min(p.end + 3, self.sent.end)]
            doer = any(t.lower_ in ENTITY_NOUNS for t in nxt)
            acts = (DEED_NOUNS - TRANSFER_GOODS) | ATTEMPT_NOUNS
            doer = doer or (len(nxt) > 0 and nxt[0].lower_ in acts)
            # "Chinese transfers", "Iranian attempts to evade United States sanctions"
            if not doer and any(t.lower_ in TRANSFER_GOODS for t in nxt):
                return "origin"  # "Iranian crude", "North Korean missiles"
            named = len(nxt) > 0 and nxt[0].is_title and nxt[0].lower_ not in ("president", "prime")
            # "Chinese companies", "Iranian missiles", "a North Korean Hwasong"
            return "accused" if doer or named else None
        based = after[:2] in (["-", "based"], ["based"]) or (
            after[:1] and after[0].endswith("-based")
        )
        if based and {"subsidiary", "unit", "affiliate"} & set(after):
            return None  # "a Geneva-based subsidiary of Russia's oil major": the parent's

        if prep in ("in", "of") and at > 0 and doc[at - 1].lower_ in COMPANY_NOUNS:
            return "accused"  # "companies in China", "a subsidiary of Russia's oil major"
        if after[:1] in (["'s"], ["’s"]):
            owned = after[1:4]
            deeds = DEED_NOUNS | ENTITY_NOUNS | SUPPLY_NOUNS | PURCHASE_NOUNS
            if not any(w in deeds for w in owned):
                return None  # "Russia's war", "Libya's rival camps"
            if prep in ("on", "against"):
                return "target"  # "US restrictions on Tehran's oil sales"
            if any(w in SUPPLY_NOUNS for w in owned):
                return "accused"  # "enabling Iran's delivery of weapons components"
            if any(w in PURCHASE_NOUNS for w in owned):
                return "recipient"  # "Russia's procurement of the missiles"
        if prep in ("from", "between"):
            return "accused"  # "any transfer of arms from North Korea", "a deal between X and Y"
        if prep in COUNTERPARTY_PREPS or prep in TRANSFER_VERBS or prep in CARRY_VERBS:
            return "counterparty"  # "to Russia", "supplying Russia with", "backing Libya's"
        if prep in VICTIM_WORDS:
            return None
        if prep in ("on", "against"):
            return "target"
        if prep in LOCATION_PREPS:
            return None
        return "accused"


def _dateline_end(sent: Span) -> int:
    """Where a dateline ends ("Juba/New York, November 13, 2018 (SSNA) —", "Addis
    Ababa:"): a dash or colon among the first words, with no verb before it; the
    sentence's start if there is none."""
    if not sent.doc.has_annotation("TAG"):
        return sent.start
    for tok in sent[:20]:
        if tok.text in ("—", "–", "--") or (tok.text == ":" and tok.i - sent.start <= 4):
            if not any(t.pos_ in ("VERB", "AUX") for t in sent[: tok.i - sent.start]):
                return tok.i
            break
    return sent.start


def _speaks_for(doc: Doc, mentions: Mentions, leader: LeaderMention) -> str:
    """The country a named leader speaks for, or the body the article makes them head of
    ("NATO Secretary-General Mark Rutte", a former Dutch prime minister)."""
    for m in mentions.leaders:
        if m.person is not leader.person:
            continue
        for p in mentions.places_in(max(0, m.start - 3), m.start):
            if p.place.kind == BODY and p.code in ACCUSING_BODIES:
                return p.code
    return leader.person.country


def _national(doc: Doc, p: PlaceMention) -> str:
    """A place's code, but the US for "the National Security Council" (not the UN's)."""
    if p.code == "UN" and p.start > 0 and doc[p.start - 1].text == "National":
        return "USA"
    return p.code


def _conditional(tok: Token) -> bool:
    """Whether the parse puts a word in a clause of "if", "unless" or "whether"."""
    return under(tok, lambda c: c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether"))


def _is_help(tok: Token) -> bool:
    """'help' in "with the help of", "through the apparent help of"."""
    return tok.lower_ in ("help", "assistance") and tok.head.lower_ in ("with", "through")


def _noun_of(tok: Token, places: set[int]) -> Token:
    """The noun a place word stands in: 'Russian' in 'a private Russian military company'
    is the company; 'Yemen' in 'to Libya, Yemen and Sudan' stands where 'Libya' does
    (`places`: the tokens of place mentions)."""
    for _ in range(8):
        modifies = tok.dep_ in ("compound", "amod", "nmod", "poss") and tok.head.i != tok.i
        listed = tok.dep_ == "conj" and tok.i in places and tok.head.i in places
        named = tok.dep_ == "appos" and tok.head.pos_ in ("NOUN", "PROPN")
        if not (modifies or listed or named):
            break
        tok = tok.head
    return tok


def _subject_tokens(verb: Token) -> set[int]:
    """The words of a verb's subject (the one nearest the verb where the parser found two,
    none with a quotation inside), its passive agent, and 'along with ...'."""
    out: set[int] = set()
    subjects = [
        c
        for c in verb.children
        if c.dep_ in ("nsubj", "nsubjpass") and c.lower_ not in ("it", "they", "which", "that")
    ]
    subjects = [c for c in subjects if not any(t.text in QUOTES for t in c.subtree)]
    if not subjects and verb.dep_ == "conj" and verb.lower_ not in CLAIM_VERBS:
        return _subject_tokens(verb.head)  # "NATO leaders branded China ... and accused"
    if subjects:
        nearest = min(subjects, key=lambda c: abs(c.i - verb.i))
        out |= {t.i for t in nearest.subtree}
    for child in verb.children:
        if child.dep_ == "agent" or child.lower_ in ("along", "together", "alongside"):
            out |= {t.i for t in child.subtree}  # "..., along with South Korea,"
    return out


def _governor(doc: Doc, p: PlaceMention, floor: int) -> tuple[str, int]:
    """The word that governs a place mention, skipping determiners and modifiers."""
    k = p.start - 1
    while k >= floor and (doc[k].lower_ in ("the", "both", "neighbouring") or doc[k].is_title):
        k -= 1
    if k < floor:
        return "", k
    word = doc[k].lower_
    if (
        word in ("to", "with")
        and k > floor
        and doc[k - 1].lower_ in ("according", "along", "together")
    ):
        return doc[k - 1].lower_, k
    return word, k


def _is_flag(doc: Doc, p: PlaceMention) -> bool:
    """'a Panama-flagged tanker', 'registered in Comoros': the flag state is not accused."""
    after = doc[p.end : p.end + 2].text.lower()
    if "registered" in after:
        return True  # "a Panamanian-registered tanker"
    before = doc[max(0, p.start - 3) : p.start].text.lower()
    return "flag" in after or "flag" in before or "registered" in before


def _subject(sent: Span) -> str:
    """A short phrase for what is alleged: the words after 'of' in 'accused X of ...', else
    the words from the violation on."""
    toks = list(sent)
    for k, tok in enumerate(toks):
        if tok.lower_ == "of" and k > 0 and any(t.text in ACCUSE_VERBS for t in toks[:k]):
            phrase = _phrase(toks[k + 1 :])
            if phrase:
                return phrase
    for k, tok in enumerate(toks):
        if tok.lower_ in VIOLATION_WORDS or tok.lower_ in TRANSFER_VERBS:
            phrase = _phrase(toks[k:])
            if phrase:
                return phrase
    return sent.text.strip()[:80]


def _phrase(toks: list[Token], limit: int = 10) -> str:
    words: list[str] = []
    for t in toks:
        if (
            t.text in SUBJECT_STOP
            or len(words) >= limit
            or t.lower_ in ("amid", "despite", "saying")
        ):
            break
        words.append(t.text_with_ws)
    return "".join(words).strip()


def _deniers(sent: Span, mentions: Mentions, found: dict[str, AllegationFinding]) -> set[str]:
    """Accused countries that dispute the facts ('denied supplying any weapons') or call
    the trade legitimate; rejecting the sanctions themselves is not a denial."""
    toks = list(sent)
    low = [t.lower_ for t in toks]
    out: set[str] = set()
    for k, word in enumerate(low):
        if word in DENIAL_WORDS:
            if any(w in NEGATIONS for w in low[max(0, k - 3) : k]):
                continue  # "did not deny"
            after = low[k + 1 : k + 6]
            gerund = bool(after) and after[0].endswith("ing")  # "denied arming the Houthis"
            if not gerund and not any(w in DENIAL_OBJECTS or w == "that" for w in after):
                continue
            if any(w in SANCTION_WORDS for w in after[:3]) and not any(
                w in ("allegations", "accusations", "claims", "charges") for w in after
            ):
                continue  # rejecting the sanctions themselves is not a denial
        elif word in DISPUTE_WORDS:
            pass  # "called the reports baseless", "fabricated"
        elif word in LEGITIMACY_WORDS:
            window = set(low[max(0, k - 8) : k + 4])
            if not window & TRADE_NOUNS or window & {"sanctions", "designations", "package"}:
                continue
        else:
            continue
        subject = {p.code for p in mentions.places_in(sent.start, toks[k].i)}
        subject |= {m.person.country for m in mentions.leaders_in(sent.start, toks[k].i)}
        if {"both", "two", "they", "countries"} & set(low[:k]):
            subject |= set(found)
        out |= subject & set(found)
    return out
