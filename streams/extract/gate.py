"""The first pass: on the tokenizer's output alone, whether a text can hold an event.

Most news mentions no visit and no sanctions; the statistical pipeline (tagger, parser,
NER: nearly all of the extractor's time) runs only on texts this pass lets through. It is
a conservative superset of what the rules can fire on, read off the rules themselves:

- every leader mention (`mentions.py`) starts from a *first* one, which is a gazetteer
  name of two or more words ("Joe Biden"), a title followed by a gazetteer name
  ("President Biden", "Iran's new president, Masoud Pezeshkian"), or a title with a
  country cue ("the Russian leader", "President of France", "Kenyan President Ruto"):
  surnames, pronouns, "the premier" and "the two leaders" all refer back to it, and a
  bare surname counts only once its leader was named in full;
- a visit needs a leader and a host: a place of the gazetteer, or, with no place at all,
  a second leader who hosts ("Xi hosted Lula");
- an allegation needs a claim (`allegations._is_allegation`: a violation word before a
  sanctions word, "sanctioned ... for buying", an accusation of a transfer, or a claim
  of a transfer of goods in an article that speaks of sanctions) within one sentence
  piece, a country that is not a body, and an accuser: another country or body, or a
  leader.

Every check reads tokens, lower-cased words and the raw gazetteer matches (before the NER
filter on ambiguous names and before overlaps are resolved), so it holds whatever the
tagger, parser and NER later say. The claim test needs sentences, which the parser sets;
the rules run it on the parser's sentences cut again at clear sentence ends
(`sentences.pieces`), so every piece they test lies within one of the stretches between
clear ends (`sentences.windows`) that this pass tests, the tests being monotone (a
stretch holds whatever a piece of it holds; negations are left out here).

A text that only an allegation could make an event of is then read by the components up
to the parser, and goes on to the others only if one of its sentences is a claim
(`Gate.claims`, exactly the rules' test).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .allegations import SANCTIONED_FOR_REACH, VIOLATION_REACH, is_claim
from .gazetteer import BODY, Gazetteer
from .lexicon import (
    ACCUSE_VERBS,
    CLAIM_VERBS,
    HOST_VERBS,
    LEADER_TITLES,
    SANCTION_WORDS,
    TRANSFER_GOODS,
    TRANSFER_VERBS,
    VIOLATION_NOUNS,
    VIOLATION_WORDS,
)
from .mentions import EPITHETS, MAX_TITLE_LEN, STATE_NAMES, TITLE_FIRST_WORDS
from .sentences import cut_starts, windows

#: Tokens skipped back from a title to its country cue ("Iran's new president").
CUE_SKIP = frozenset({"'s", "’s", "'", "’"}) | EPITHETS


@dataclass(frozen=True)
class Verdict:
    """Why a text needs the statistical pipeline; falsy when it does not."""

    visit: str | None = None  # how its first leader mention may come about
    allegation: str | None = None  # which claim of `_is_allegation` it may hold

    def __bool__(self) -> bool:
        return self.visit is not None or self.allegation is not None


class Gate:
    """Phrase matching over the tokenizer's output: gazetteer places and leader names
    (the same phrase lists as the `newsmon_gazetteer` component) and the rules' word
    lists. `gate(doc)` is falsy when no rule can fire on `doc`."""

    def __init__(self, nlp: Language, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        if "newsmon_gazetteer" in nlp.pipe_names:  # the component's own matchers
            component = nlp.get_pipe("newsmon_gazetteer")
            self.places, self.leaders = component.places, component.leaders
        else:
            self.places = PhraseMatcher(nlp.vocab, attr="ORTH")
            self.leaders = PhraseMatcher(nlp.vocab, attr="ORTH")
            self.places.add("PLACE", list(nlp.tokenizer.pipe(sorted(gazetteer.places))))
            names = sorted(gazetteer.leaders_by_alias)
            self.leaders.add("LEADER", list(nlp.tokenizer.pipe(names)))

    def __call__(self, doc: Doc) -> Verdict:
        low = [t.lower_ for t in doc]
        vocabulary = set(low)
        places = [(s, e) for _, s, e in self.places(doc)]
        place_tokens = {k for s, e in places for k in range(s, e)}
        leader = self._first_leader(doc, low, vocabulary, place_tokens)
        visit = None
        if leader is not None and (places or vocabulary & HOST_VERBS):
            visit = leader
        allegation = None
        accused = any(self.gazetteer.places[doc[s:e].text].kind != BODY for s, e in places)
        if accused and (len(self._codes(doc, places)) >= 2 or leader is not None):
            context = bool(vocabulary & SANCTION_WORDS)
            if _claim(low, vocabulary, context) is not None:  # then sentence by sentence
                allegation = next(
                    (
                        reason
                        for start, end in windows(doc)
                        if (reason := _claim(low[start:end], set(low[start:end]), context))
                    ),
                    None,
                )
        return Verdict(visit, allegation)

    def claims(self, doc: Doc) -> bool:
        """Once the parser has set the sentences (the attribute ruler, lemmatizer and NER
        need not have run): whether some sentence names a country that is not a body and
        is a claim (`allegations.is_claim`), as `find_allegations` needs. Exact where
        `__call__` had to guess: a text that only an allegation could make an event of,
        and whose sentences all fail this, has no event."""
        places = [
            s for _, s, e in self.places(doc) if self.gazetteer.places[doc[s:e].text].kind != BODY
        ]
        if not places:
            return False
        context = any(t.lower_ in SANCTION_WORDS for t in doc)
        starts = cut_starts(doc)
        return any(
            is_claim(sent, context, starts)
            for sent in doc.sents
            if any(sent.start <= s < sent.end for s in places)
        )

    def _codes(self, doc: Doc, places: list[tuple[int, int]]) -> set[str]:
        """Every country or body code a place mention may end up with."""
        out = set()
        for s, e in places:
            text = doc[s:e].text
            out.add(self.gazetteer.places[text].code)
            if text in STATE_NAMES:  # "Georgia" may be read as the US state
                out.add(STATE_NAMES[text])
        return out

    def _first_leader(
        self, doc: Doc, low: list[str], vocabulary: set[str], place_tokens: set[int]
    ) -> str | None:
        """How the article's first leader mention may come about, if it can."""
        names = [(s, e) for _, s, e in self.leaders(doc)]
        if any(e - s > 1 for s, e in names):
            return "full name"
        if not vocabulary & TITLE_FIRST_WORDS:
            return None
        name_starts = {s for s, _ in names}
        n_tokens = len(low)
        for i, word in enumerate(low):
            if word not in TITLE_FIRST_WORDS:
                continue
            for n in range(1, MAX_TITLE_LEN + 1):
                if i + n > n_tokens or tuple(low[i : i + n]) not in LEADER_TITLES:
                    continue
                end = i + n
                if end in name_starts or (end + 1 in name_starts and doc[end].text == ","):
                    return "title and name"
                j = i - 1
                while j >= 0 and low[j] in CUE_SKIP:
                    j -= 1
                if j >= 0 and j in place_tokens:
                    return "title with a country"
                if end + 1 < n_tokens and low[end] == "of":
                    k = end + 2 if low[end + 1] == "the" else end + 1
                    if k in place_tokens:
                        return "title of a country"
        return None


def _claim(low: list[str], vocabulary: set[str], context: bool) -> str | None:
    """Whether `allegations._is_allegation` may hold for some sentence inside these
    words (a whole text, or a stretch of sentences), the negations it looks for left
    out; `context`: the article has a sanctions word somewhere."""
    n_tokens = len(low)
    if vocabulary & SANCTION_WORDS:
        for k, word in enumerate(low):
            if word in VIOLATION_WORDS:
                if any(w in SANCTION_WORDS for w in low[k + 1 : k + 1 + VIOLATION_REACH]):
                    return "violation of sanctions"
                if word in VIOLATION_NOUNS and any(
                    w in SANCTION_WORDS for w in low[max(0, k - 3) : k]
                ):
                    return "sanctions evasion"
            if word in ("sanctions", "sanctioned"):
                for j in range(k + 1, min(k + 1 + SANCTIONED_FOR_REACH, n_tokens - 1)):
                    if low[j] == "for" and low[j + 1] in TRANSFER_VERBS:
                        return "sanctioned for a transfer"
    if (
        vocabulary & ACCUSE_VERBS
        and vocabulary & (TRANSFER_GOODS | VIOLATION_WORDS)
        and vocabulary & (TRANSFER_VERBS | SANCTION_WORDS)
    ):
        return "accusation"
    transfer = vocabulary & TRANSFER_VERBS and vocabulary & TRANSFER_GOODS
    if context and transfer and vocabulary & CLAIM_VERBS:
        return "claim of a transfer"
    return None
