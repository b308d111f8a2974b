"""Which sentences claim a sanctions breach, read word by word and off the parse.

The first pass (`gate.py`) runs `is_claim` on texts only the tagger and parser have read,
and tests a superset of it on the tokenizer's output: `is_claim` may use words, tags and
the parse, never the part of speech or entities, and may only get narrower than the
first pass's test. The rules read further sentences (`claim_kind(..., broad=True)`,
`continues`) only in texts with such an anchor (`has_anchor`)."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Doc, Span, Token

from .gazetteer import BODY
from .lexicon import (
    ACCUSE_VERBS,
    CLAIM_VERBS,
    DEED_NOUNS,
    DENIAL_OBJECTS,
    DENIAL_WORDS,
    DISPUTE_WORDS,
    NEGATIONS,
    SANCTION_WORDS,
    TRANSFER_GOODS,
    TRANSFER_VERBS,
    VIOLATION_NOUNS,
    VIOLATION_WORDS,
    words,
)
from .mentions import Mentions
from .sentences import pieces

VIOLATION_REACH = 10  # "in breach of the UN arms embargo": words from violation to sanctions
SANCTIONED_FOR_REACH = 13  # "sanctions on a refinery ... for buying": words to "for"

#: Verbs of saying: their subject makes the claim below them ("Patel stated that France and
#: UK have expressed their views regarding Iran's supply of UAVs").
SAY_VERBS = (
    CLAIM_VERBS
    | ACCUSE_VERBS
    | words(
        "express expressed expresses share shared shares describe described describes call "
        "called calls condemn condemned condemns urge urged urges raise raised raises remind "
        "reminded note noted notes add added adds inform informed informs brief briefed "
        "believe believes believed suspect suspects suspected consider considers considered "
        "cite cited cites highlight highlighted detail detailed claim claimed claims announce "
        "announced announces estimate estimated voice voiced voices"
    )
)
#: Verbs of moving goods, besides the lexicon's verbs of transfer.
CARRY_VERBS = words(
    "carry carries carried carrying transport transports transported transporting load "
    "loaded loading move moves moved moving ferry ferried ferrying give gives gave giving given "
    "hand handed handing sail sailed sailing"
)
#: Nouns of the supplying end of a transfer ("Iran's supply of drones"), and of the buying end.
SUPPLY_NOUNS = words(
    "supply supplies transfer transfers shipment shipments delivery deliveries export exports "
    "sale sales smuggling provision"
)
PURCHASE_NOUNS = words(
    "purchase purchases procurement import imports acquisition importer importers purchaser "
    "purchasers"
)
COOPERATION_NOUNS = words("cooperation deal deals trade dealings")
#: Nouns of a deal between two countries ("arms negotiations between Moscow and
#: Pyongyang"), not of a rivalry or a trip ("a naval standoff between France and Turkey").
DEAL_NOUNS = (DEED_NOUNS - TRANSFER_GOODS) | words(
    "negotiations agreement agreements transactions transaction dealings exchange exchanges "
    "arrangement scheme"
)
#: What a denial denies, besides the deed itself: "rejected the accusations".
DENIED_THINGS = DENIAL_OBJECTS - words("that it them this any having")
#: Verbs that say what is transferred: arms.
ARMING = words("arm arms armed arming")
NOT_WORDS = words("no never not n't")
QUOTES = frozenset("\"“”‘’'")


def units(doc: Doc, starts: list[int]) -> list[Span]:
    """The sentences the rules read: the parser's, cut at clear sentence ends (`pieces`)
    and at line breaks (a headline or caption the parser ran into the next paragraph)."""
    out: list[Span] = []
    for sent in doc.sents:
        for piece in pieces(sent, starts):
            begin = piece.start
            for tok in piece:
                if tok.is_space and "\n" in tok.text:
                    if begin < tok.i:
                        out.append(doc[begin : tok.i])
                    begin = tok.i + 1
            if begin < piece.end:
                out.append(doc[begin : piece.end])
    return [u for u in out if any(not t.is_space for t in u)]


def has_anchor(doc: Doc, mentions: Mentions, sanctions_context: bool, starts: list[int]) -> bool:
    """Some sentence naming a country is a claim (`is_claim`): the first pass
    (`gate.Gate.claims`) lets exactly such texts through, so nothing is found without one."""
    countries = [p.start for p in mentions.places if p.place.kind != BODY]
    return any(
        is_claim(sent, sanctions_context, starts)
        for sent in doc.sents
        if any(sent.start <= k < sent.end for k in countries)
    )


def is_claim(sent: Span, sanctions_context: bool, starts: list[int]) -> bool:
    """A sentence that alleges a breach (in one of its `pieces`: a sentence the parser
    ran across a paragraph's end is read as the two it should have been) and is no
    denial."""
    return not is_denial(sent) and any(
        is_allegation(piece, sanctions_context) for piece in pieces(sent, starts)
    )


def is_allegation(sent: Span, sanctions_context: bool) -> bool:
    """A violation of sanctions ('in breach of the UN arms embargo'), an accusation of a
    banned transfer, or a claim of one in an article about sanctions."""
    return claim_kind(sent, sanctions_context) is not None


def claim_kind(sent: Span, sanctions_context: bool, broad: bool = False) -> str | None:
    """Which of the claims of `is_allegation` a sentence makes, if any: "violation",
    "sanctioned for", "accusation" or "transfer". `broad`: a transfer may also be told
    with any verb of saying ("noted", "added") or "according to", and be carried or
    loaded; the first pass looks for the narrow claims only."""
    low = [t.lower_ for t in sent]
    words = set(low)
    for k, w in enumerate(low):
        if w not in VIOLATION_WORDS or any(x in NEGATIONS for x in low[max(0, k - 3) : k]):
            continue
        if any(x in SANCTION_WORDS for x in low[k + 1 : k + 1 + VIOLATION_REACH]):
            return "violation"  # "in breach of the UN arms embargo"
        if w in VIOLATION_NOUNS and any(x in SANCTION_WORDS for x in low[max(0, k - 3) : k]):
            return "violation"  # "sanctions evasion"
    for k, w in enumerate(low):  # "imposed sanctions on a refinery ... for buying Iranian crude"
        if w in ("sanctions", "sanctioned") and "for" in low[k + 1 : k + 1 + SANCTIONED_FOR_REACH]:
            j = low.index("for", k + 1)
            if j + 1 < len(low) and low[j + 1] in TRANSFER_VERBS:
                return "sanctioned for"
    goods_words = TRANSFER_GOODS | ARMING if broad else TRANSFER_GOODS  # "of arming the RSF"
    for t in sent:
        if t.text not in ACCUSE_VERBS or negated(t):
            continue
        # what the accusation is of: "accusing Iran of seizing vessels" is no breach
        said = {x.lower_ for x in t.subtree} if t.doc.has_annotation("DEP") else words
        if (said & goods_words or said & VIOLATION_WORDS) and (
            said & TRANSFER_VERBS or said & SANCTION_WORDS
        ):
            return "accusation"
    # a claim of a transfer: "said" (a verb, not "state" in "Iran's state oil company"; the
    # tag, not the part of speech, which texts only the parser has read do not have),
    # "shipped" (not "the ships") and goods, in an article about sanctions
    tagged = sent.doc.has_annotation("TAG")
    goods = bool(words & goods_words)
    says = SAY_VERBS if broad else CLAIM_VERBS
    moves = TRANSFER_VERBS | CARRY_VERBS if broad else TRANSFER_VERBS
    claim = any(t.text in says and (not tagged or t.tag_.startswith("VB")) for t in sent)
    claim = claim or (broad and "according" in words)  # "..., according to a UN report"
    transfer = any(
        t.lower_ in moves and not (tagged and _vessel(t)) and not negated(t) for t in sent
    )
    if sanctions_context and claim and transfer and goods:
        return "transfer"
    return None


def _vessel(tok: Token) -> bool:
    """'the ships' (vessels), not 'ships' the verb."""
    return tok.lower_ in ("ship", "ships") and tok.tag_.startswith("NN")


def negated(tok: Token) -> bool:
    """Whether the parse puts a word under a negation: "It does not accuse the governments
    of Chad ...", "have not seen evidence that Beijing has actually sent weapons"."""
    if not tok.doc.has_annotation("DEP"):
        return False
    return under(tok, lambda c: c.dep_ == "neg")


def under(tok: Token, marks: Callable[[Token], bool]) -> bool:
    """Whether the word or one of its heads (up to 12 up) has a child that `marks` picks."""
    for _ in range(12):
        if any(marks(c) for c in tok.children):
            return True
        if tok.head.i == tok.i:
            return False
        tok = tok.head
    return False


def is_denial(sent: Span) -> bool:
    """'The UAE has denied providing military support', 'called reports of munitions
    exports absurd fabrications', 'is breaking no rules': a denial, not a new claim. A
    denial of something else ("experts said in a report that both governments
    rejected") leaves the claim standing; an accusation stands unless a denial governs
    it ("dismissed accusations that ..., accusing Washington of ...")."""
    accusing = [t for t in sent if t.text in ACCUSE_VERBS]
    if accusing:  # "dismissed accusations that ..., accusing Washington of ...": a denial
        parsed = sent.doc.has_annotation("DEP")
        denials = [t for t in sent if t.lower_ in DENIAL_WORDS and t.head.i == t.i]
        return parsed and any(all(dominates(d, a) for a in accusing) for d in denials)
    if any(t.lower_ in DISPUTE_WORDS for t in sent) and any(
        t.lower_ in DENIED_THINGS for t in sent
    ):
        return True  # "called reports of munitions exports absurd fabrications"
    low = [t.lower_ for t in sent]
    for k, w in enumerate(low):  # "is breaking no rules", "has never violated sanctions"
        near = set(low[max(0, k - 2) : k + 2])
        if w in VIOLATION_WORDS and sent[k].tag_.startswith("VB") and near & NOT_WORDS:
            return True
    denials = [t for t in sent if t.lower_ in DENIAL_WORDS]
    if not denials or not sent.doc.has_annotation("DEP"):
        return bool(denials)
    return any(any(is_deed(t) or t.lower_ in DENIED_THINGS for t in d.subtree) for d in denials)


def attributed(sent: Span) -> bool:
    """Whether a sentence says who says it ("he said", "according to the report", a
    quote): one that does not is the journalist's, and takes no accuser from far back."""
    if any(t.text in QUOTES for t in sent):
        return True
    low = [t.lower_ for t in sent]
    if "according" in low:
        return True
    tagged = sent.doc.has_annotation("TAG")
    return any(t.lower_ in SAY_VERBS and (not tagged or t.tag_.startswith("VB")) for t in sent)


def continues(sent: Span) -> bool:
    """A claim that goes on from one before it, without naming sanctions again: "North
    Korea and Iran, they said, were supplying Moscow with munitions and drones"; "The
    report also says Pyongyang and Tehran have resumed cooperation on missiles"."""
    words = {t.lower_ for t in sent}
    if not words & TRANSFER_GOODS or not attributed(sent):
        return False
    transfer = any(t.lower_ in TRANSFER_VERBS and not negated(t) for t in sent)
    return transfer or bool(words & (SUPPLY_NOUNS | PURCHASE_NOUNS | COOPERATION_NOUNS))


def refers_back(sent: Span) -> bool:
    """Whether a sentence's deed is one named before: "Such deliveries", "Those
    shipments", "any such deal", "The work had included the transfer of parts"."""
    low = [t.lower_ for t in sent]
    for k, w in enumerate(low[:-1]):
        if w in ("such", "these", "those", "this", "the") and (
            low[k + 1] in SUPPLY_NOUNS | DEAL_NOUNS or low[k + 1] == "work"
        ):
            return True
    return False


def names_both(sent: Span) -> bool:
    """'the two countries', 'both countries': the two parties of a transfer named before."""
    text = sent.text.lower()
    return any(p in text for p in ("the two countries", "between the two", "both countries"))


def is_deed(tok: Token) -> bool:
    """A word of the alleged act: a violation or a transfer."""
    return tok.lower_ in VIOLATION_WORDS or tok.lower_ in TRANSFER_VERBS | CARRY_VERBS


def dominates(head: Token, tok: Token) -> bool:
    """Whether `tok` is `head` or lies below it in the parse."""
    while True:
        if tok.i == head.i:
            return True
        if tok.head.i == tok.i:
            return False
        tok = tok.head
