"""Sanctions allegations: someone with standing claims a country violated or evaded
sanctions, or made a transfer sanctions prohibit; and whether the accused denies it."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from .gazetteer import BODY
from .lexicon import (
    ACCUSE_VERBS,
    DENIAL_OBJECTS,
    DENIAL_WORDS,
    LEGITIMACY_WORDS,
    NON_STATE_SOURCES,
    SANCTION_WORDS,
    TRANSFER_GOODS,
    TRANSFER_VERBS,
    VIOLATION_WORDS,
)
from .mentions import Mentions, PlaceMention

INHERIT_SENTENCES = 3  # an allegation without a named accuser inherits from this far back
COUNTERPARTY_PREPS = frozenset({"to", "from", "with"})
SUBJECT_STOP = frozenset(",;:.—–(")
ACCUSER_EXCLUDED = frozenset({"to", "from", "in", "of", "against", "for", "on", "by"})


@dataclass
class AllegationFinding:
    accused: str
    accusers: set[str] = field(default_factory=set)
    counterparties: set[str] = field(default_factory=set)
    subject: str = ""
    denied: bool = False
    sentences: list[Span] = field(default_factory=list)


def _is_allegation(words: set[str]) -> bool:
    violation = words & VIOLATION_WORDS
    sanctions = words & SANCTION_WORDS
    goods = words & TRANSFER_GOODS
    transfer = words & TRANSFER_VERBS
    accuse = words & ACCUSE_VERBS
    if violation and (sanctions or goods):
        return True
    return bool(accuse and transfer and goods and (sanctions or {"accused", "accuses", "accuse"} & words))


def find_allegations(doc: Doc, mentions: Mentions) -> list[AllegationFinding]:
    found: dict[str, AllegationFinding] = {}
    last_accusers: set[str] = set()
    last_at = -99
    sents = list(doc.sents)
    for n, sent in enumerate(sents):
        words = {t.lower_ for t in sent}
        if _is_allegation(words):
            accusers, accused, counter = _parties(doc, sent, mentions)
            if _only_non_state(sent, accusers):
                continue
            if not accusers and n - last_at <= INHERIT_SENTENCES:
                accusers = set(last_accusers)
            accused -= accusers
            if accusers and accused:
                last_accusers, last_at = accusers, n
                for code in accused:
                    f = found.setdefault(code, AllegationFinding(code))
                    f.accusers |= accusers
                    f.counterparties |= (counter | accused) - {code} - accusers
                    f.subject = f.subject or _subject(doc, sent)
                    f.sentences.append(sent)
        if words & DENIAL_WORDS and found:
            for code in _deniers(doc, sent, mentions, found):
                found[code].denied = True
                found[code].sentences.append(sent)
    return list(found.values())


def _parties(doc: Doc, sent: Span, mentions: Mentions) -> tuple[set[str], set[str], set[str]]:
    """Accusers stand before the claim verb, the accused after it or as the subject of the
    violation; counterparties follow 'to', 'from' or 'with'."""
    pivot = _claim_pivot(sent)
    places = [p for p in mentions.places_in(sent.start, sent.end)]
    officials = {m.person.country for m in mentions.leaders_in(sent.start, pivot or sent.start)}
    accusers: set[str] = set(officials)
    accused: set[str] = set()
    counter: set[str] = set()
    for p in places:
        prep = _prep_before(doc, p, sent.start)
        if pivot is not None and p.start < pivot:
            if prep in ("according", "along", "together") or prep not in ACCUSER_EXCLUDED:
                accusers.add(p.code)
            continue
        if p.place.kind == BODY:
            if prep == "according":
                accusers.add(p.code)
            continue
        if prep in COUNTERPARTY_PREPS:
            counter.add(p.code)
        elif prep in ("in", "across", "over", "through", "via", "against") or _is_flag(doc, p):
            continue
        else:
            accused.add(p.code)
    if pivot is None:  # "Moscow's engagement with Pyongyang could violate sanctions"
        first = next((p for p in places if p.place.kind != BODY), None)
        accused = {first.code} if first else set()
        counter = {p.code for p in places if p is not first and p.place.kind != BODY and
                   _prep_before(doc, p, sent.start) in COUNTERPARTY_PREPS}
        accusers = {p.code for p in places if _prep_before(doc, p, sent.start) == "according"}
    return {a for a in accusers}, accused, counter - accused


def _claim_pivot(sent: Span) -> int | None:
    """Token index of the first claim verb ('accused', 'said', 'found')."""
    for tok in sent:
        if tok.text in ACCUSE_VERBS and tok.text != "according":
            return tok.i
    return None


def _prep_before(doc: Doc, p: PlaceMention, floor: int) -> str:
    k = p.start - 1
    while k >= floor and doc[k].lower_ in ("the", "'s", "’s", "both", "neighbouring"):
        k -= 1
    if k < floor:
        return ""
    word = doc[k].lower_
    if word in ("to", "with") and k > floor and doc[k - 1].lower_ in ("according", "along", "together"):
        return doc[k - 1].lower_
    return word


def _is_flag(doc: Doc, p: PlaceMention) -> bool:
    """'a Panama-flagged tanker': the flag state is not accused."""
    nxt = doc[p.end : p.end + 2].text.lower()
    return "flag" in nxt


def _only_non_state(sent: Span, accusers: set[str]) -> bool:
    words = {t.lower_ for t in sent}
    return bool(words & NON_STATE_SOURCES) and not accusers


def _subject(doc: Doc, sent: Span) -> str:
    """A short phrase for what is alleged: the words after 'of' in 'accused X of ...', else
    the words around the violation."""
    toks = list(sent)
    for k, tok in enumerate(toks):
        if tok.lower_ == "of" and k > 0 and any(t.lower_ in ACCUSE_VERBS for t in toks[:k]):
            words = []
            for t in toks[k + 1 :]:
                if t.text in SUBJECT_STOP or len(words) >= 10 or t.lower_ in ("amid", "despite"):
                    break
                words.append(t.text_with_ws)
            if words:
                return "".join(words).strip()
    for k, tok in enumerate(toks):
        if tok.lower_ in VIOLATION_WORDS:
            words = []
            for t in toks[k : k + 8]:
                if t.text in SUBJECT_STOP:
                    break
                words.append(t.text_with_ws)
            return "".join(words).strip()
    return sent.text.strip()[:80]


def _deniers(doc: Doc, sent: Span, mentions: Mentions, found: dict) -> set[str]:
    toks = list(sent)
    low = [t.lower_ for t in toks]
    out: set[str] = set()
    for k, word in enumerate(low):
        if word not in DENIAL_WORDS and word not in LEGITIMACY_WORDS:
            continue
        if word in LEGITIMACY_WORDS and not any(w in ("called", "calls", "insisted", "insists",
                                                        "described", "was", "is", "says", "said")
                                                for w in low[max(0, k - 6) : k]):
            continue
        after = low[k + 1 : k + 5]
        if word in DENIAL_WORDS and not any(w in DENIAL_OBJECTS or w == "that" for w in after):
            continue
        if word in DENIAL_WORDS and any(w in SANCTION_WORDS for w in after[:3]) and not any(
            w in ("allegations", "accusations", "claims", "charges") for w in after
        ):
            continue  # rejecting the sanctions themselves is not a denial
        subject = {p.code for p in mentions.places_in(sent.start, toks[k].i)}
        subject |= {m.person.country for m in mentions.leaders_in(sent.start, toks[k].i)}
        if {"both", "two", "all", "they", "countries"} & set(low[:k]):
            subject |= set(found)
        out |= subject & set(found)
    return out
