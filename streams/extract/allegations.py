"""Sanctions allegations: someone with standing claims a country violated or evaded
sanctions, or made a transfer sanctions prohibit; and whether the accused denies it.

Per sentence: is it a claim of a violation? Who claims it (the subject of the claim
verb, "according to ...", else the accusers of the last claim)? Who is accused (the
countries doing the deed) and who is on the other side ("to Russia", "from Iran")?"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from .gazetteer import BODY, COUNTRY, DEMONYM
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
    VIOLATION_NOUNS,
    VIOLATION_WORDS,
    words,
)
from .mentions import Mentions, PlaceMention
from .sentences import cut_starts, pieces

INHERIT_SENTENCES = 6  # an allegation without a named accuser inherits from this far back
VIOLATION_REACH = 10  # "in breach of the UN arms embargo": words from violation to sanctions
SANCTIONED_FOR_REACH = 13  # "sanctions on a refinery ... for buying": words to "for"
COUNTERPARTY_PREPS = frozenset({"to", "from", "with", "for"})
LOCATION_PREPS = words(
    "in across through via off near at over into inside around outside within on against of "
    "under between among"
)
#: A claimant named as a group of governments: "a group of 11 countries".
GROUP_NOUNS = frozenset("group countries nations team coalition governments states".split())
#: Bodies whose claims make an event (the schema's list); others (G20, FATF) do not.
ACCUSING_BODIES = frozenset({"UN", "EU", "G7", "IAEA", "NATO"})
#: A country inside the claimant's phrase under these is not a claimant: "a group set up
#: to track compliance with United Nations sanctions", "a panel monitoring sanctions on Iran".
NOT_ACCUSER_PREPS = frozenset({"on", "against", "over", "in", "with", "to", "for", "under"})
SUBJECT_STOP = frozenset(',;:.—–("“”')


@dataclass
class AllegationFinding:
    accused: str
    accusers: set[str] = field(default_factory=set)
    counterparties: set[str] = field(default_factory=set)
    subject: str = ""
    denied: bool = False
    sentences: list[Span] = field(default_factory=list)


def find_allegations(doc: Doc, mentions: Mentions) -> list[AllegationFinding]:
    found: dict[str, AllegationFinding] = {}
    sanctions_context = any(t.lower_ in SANCTION_WORDS for t in doc)
    last_accusers: set[str] = set()
    last_at = -99
    sents = list(doc.sents)
    starts = cut_starts(doc)
    for n, sent in enumerate(sents):
        if is_claim(sent, sanctions_context, starts):
            claim = _Claim(doc, sent, mentions)
            if claim.non_state_source():
                continue  # "a think tank said": not a claim with standing
            accusers = claim.accusers() or claim.members(sents[n + 1 : n + 3], mentions)
            if not accusers and n - last_at <= INHERIT_SENTENCES:
                accusers = set(last_accusers)
            accused, counter = claim.parties()
            if not accused and _names_both(sent):  # "cooperation between the two"
                accused = {code for f in found.values() for code in [f.accused]}
            accused -= accusers
            if accusers:
                last_accusers, last_at = accusers, n
            if accusers and accused:
                for code in sorted(accused):
                    f = found.setdefault(code, AllegationFinding(code))
                    f.accusers |= accusers
                    # two accused of one transfer are each other's other side
                    f.counterparties |= (counter or accused) - {code} - accusers
                    f.subject = f.subject or _subject(sent)
                    f.sentences.append(sent)
        if found and any(t.lower_ in DENIAL_CUES for t in sent):
            for code in _deniers(sent, mentions, found):
                found[code].denied = True
                found[code].sentences.append(sent)
    return list(found.values())


def is_claim(sent: Span, sanctions_context: bool, starts: list[int]) -> bool:
    """A sentence that alleges a breach (in one of its `pieces`: a sentence the parser
    ran across a paragraph's end is read as the two it should have been) and is no
    denial."""
    return not _is_denial(sent) and any(
        _is_allegation(piece, sanctions_context) for piece in pieces(sent, starts)
    )


def _is_allegation(sent: Span, sanctions_context: bool) -> bool:
    """A violation of sanctions ('in breach of the UN arms embargo'), an accusation of a
    banned transfer, or a claim of one in an article about sanctions."""
    low = [t.lower_ for t in sent]
    words = set(low)
    for k, w in enumerate(low):
        if w not in VIOLATION_WORDS or any(x in NEGATIONS for x in low[max(0, k - 3) : k]):
            continue
        if any(x in SANCTION_WORDS for x in low[k + 1 : k + 1 + VIOLATION_REACH]):
            return True  # "in breach of the UN arms embargo"
        if w in VIOLATION_NOUNS and any(x in SANCTION_WORDS for x in low[max(0, k - 3) : k]):
            return True  # "sanctions evasion"
    goods = bool(words & TRANSFER_GOODS)
    transfer = bool(words & TRANSFER_VERBS)
    for k, w in enumerate(low):  # "imposed sanctions on a refinery ... for buying Iranian crude"
        if w in ("sanctions", "sanctioned") and "for" in low[k + 1 : k + 1 + SANCTIONED_FOR_REACH]:
            j = low.index("for", k + 1)
            if j + 1 < len(low) and low[j + 1] in TRANSFER_VERBS:
                return True
    accuse = any(t.text in ACCUSE_VERBS for t in sent)
    if accuse and (goods or words & VIOLATION_WORDS) and (transfer or words & SANCTION_WORDS):
        return True
    claim = any(t.text in CLAIM_VERBS for t in sent)
    return sanctions_context and claim and transfer and goods


class _Claim:
    """One allegation sentence: where its accusers and its parties stand."""

    def __init__(self, doc: Doc, sent: Span, mentions: Mentions) -> None:
        self.doc, self.sent, self.mentions = doc, sent, mentions
        self.places = [p for p in mentions.places_in(sent.start, sent.end)]
        self.source_tokens = self._source_tokens()

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
            return out | (set(range(self.sent.start, verbs[0].i)) if verbs else set())
        for verb in verbs:
            found = _subject_tokens(verb)
            if not found and verb.tag_ in ("VBD", "VBZ", "VBP"):
                found = self._reporting_tag(verb)
            if found:
                return out | found
        return out | _subject_tokens(self.sent.root)  # "Britain ... have asked the UN ..."

    def _reporting_tag(self, verb: Token) -> set[int]:
        """'..., a panel of experts that monitors the measures said': the words between the
        comma and the verb, when the parser found no subject."""
        k = verb.i - 1
        while k > self.sent.start and self.doc[k].text not in (",", '"', "”", "'"):
            k -= 1
        if k <= self.sent.start or verb.i - k > 16:
            return set()
        return set(range(k + 1, verb.i))

    def non_state_source(self) -> bool:
        words = {self.doc[i].lower_ for i in self.source_tokens}
        return bool(words & NON_STATE_SOURCES)

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
            p.code
            for p in self.places
            if p.start in self.source_tokens
            and (p.place.kind != BODY or p.code in ACCUSING_BODIES)
            and _governor(self.doc, p, self.sent.start)[0] not in NOT_ACCUSER_PREPS
        }
        codes |= {
            m.person.country
            for m in self.mentions.leaders_in(self.sent.start, self.sent.end)
            if m.start in self.source_tokens
        }
        return codes

    def parties(self) -> tuple[set[str], set[str]]:
        accused: set[str] = set()
        counter: set[str] = set()
        targets: set[str] = set()
        recipients: set[str] = set()
        for p in self.places:
            if p.start in self.source_tokens or p.place.kind == BODY:
                continue
            role = self._role(p)
            if role == "accused":
                accused.add(p.code)
            elif role == "counterparty":
                counter.add(p.code)
            elif role == "target":
                targets.add(p.code)
            elif role == "recipient":
                recipients.add(p.code)
        if not accused:  # "South Sudan's government imported ... in violation of"
            accused = recipients
        else:
            counter |= recipients
        if not accused:  # "the deliveries defied the restrictions on Iran"
            accused = targets - counter
        return accused, counter - accused

    def _role(self, p: PlaceMention) -> str | None:
        """accused, counterparty, target (of sanctions: 'restrictions on Iran') or None."""
        doc = self.doc
        if _is_flag(doc, p):
            return None
        after = [t.lower_ for t in doc[p.end : min(p.end + 5, self.sent.end)]]
        if after[:1] and after[0] in SANCTION_WORDS:
            return None  # "U.S. sanctions", "UN restrictions": who imposes, not who breaks
        if after[:1] in (["'s"], ["’s"]) and any(w in COMPANY_NOUNS for w in after[1:4]):
            return "accused"  # "sanctions on Kyrgyzstan's Keremet Bank"
        if any(w in RECIPIENT_WORDS for w in after[:4]):
            return "recipient"  # "Moscow had received", "Syria was the main destination"
        prep, at = _governor(doc, p, self.sent.start)
        if p.place.kind == DEMONYM:
            if prep in COUNTERPARTY_PREPS:
                return "counterparty"  # "the supply of weapons to Houthi leaders"
            nxt = doc[p.end : min(p.end + 3, self.sent.end)]
            doer = any(t.lower_ in ENTITY_NOUNS or t.lower_ in TRANSFER_GOODS for t in nxt)
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
            if not any(w in DEED_NOUNS or w in ENTITY_NOUNS for w in owned):
                return None  # "Russia's war", "Libya's rival camps"
        if prep in ("from", "between"):
            return "accused"  # "any transfer of arms from North Korea", "a deal between X and Y"
        if prep in COUNTERPARTY_PREPS or prep in TRANSFER_VERBS:
            return "counterparty"  # "to Russia", "supplying Russia with", "backing Libya's"
        if prep in VICTIM_WORDS:
            return None
        if prep in ("on", "against"):
            return "target"
        if prep in LOCATION_PREPS:
            return None
        return "accused"


def _subject_tokens(verb: Token) -> set[int]:
    out: set[int] = set()
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass") and child.lower_ not in (
            "it",
            "they",
            "which",
            "that",
        ):
            out |= {t.i for t in child.subtree}
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
    before = doc[max(0, p.start - 3) : p.start].text.lower()
    return "flag" in after or "flag" in before or "registered" in before


def _names_both(sent: Span) -> bool:
    text = sent.text.lower()
    return any(p in text for p in ("the two countries", "between the two", "both countries"))


def _is_denial(sent: Span) -> bool:
    """'The UAE has denied providing military support': a denial, not a new claim."""
    low = [t.lower_ for t in sent]
    return any(w in DENIAL_WORDS for w in low) and not any(t.text in ACCUSE_VERBS for t in sent)


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
