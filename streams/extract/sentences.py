"""Clear sentence ends in the tokenizer's output, before any parse.

The parser decides where sentences end, and now and then runs one across the end of a
paragraph ("... sat with Xi.\nMarkets showed little reaction."). Rules that test word
lists "within one sentence" use the parser's sentences cut again at these clear ends
(`pieces`), so that what they can fire on never depends on such a join, and the first
pass (`gate.py`) can run the same tests on the tokenizer's output alone.
"""

from __future__ import annotations

from itertools import pairwise

from spacy.tokens import Doc, Span

#: Sentence-final punctuation tokens, and what may stand between them and the next word.
SENTENCE_ENDS = frozenset(".!?")
GAP_TOKENS = frozenset({'"', "'", "“", "”", "‘", "’", "(", ")", "[", "]", "«", "»"})


def sentence_cuts(doc: Doc) -> list[tuple[int, int]]:
    """Clear sentence ends, as (k, j): token k is '.', '!' or '?', token j the next word,
    which has a capital letter, and between them stand only white space, quotes and
    brackets. Cautious: no cut after abbreviations ('U.S.' is one token), before a
    number or a lower-case word ('"...?" he asked')."""
    out = []
    n_tokens = len(doc)
    for k in range(n_tokens - 1):
        if doc[k].text not in SENTENCE_ENDS:
            continue
        j = k + 1
        while j < n_tokens and (doc[j].is_space or doc[j].text in GAP_TOKENS):
            j += 1
        if j < n_tokens and doc[j].is_alpha and doc[j].text[0].isupper():
            out.append((k, j))
    return out


def cut_starts(doc: Doc) -> list[int]:
    """The first word after each clear sentence end."""
    return [j for _, j in sentence_cuts(doc)]


def windows(doc: Doc) -> list[tuple[int, int]]:
    """The whole text cut before each `cut_starts` word, as (start, end) token ranges."""
    return list(pairwise([0, *cut_starts(doc), len(doc)]))


def pieces(sent: Span, starts: list[int]) -> list[Span]:
    """A sentence cut before each of `starts` (from `cut_starts`) inside it: nearly
    always the sentence itself. Each piece lies in one of `windows`, but for white space,
    quotes and brackets that a cut leaves at its start."""
    inside = [j for j in starts if sent.start < j < sent.end]
    if not inside:
        return [sent]
    bounds = [sent.start, *inside, sent.end]
    return [sent.doc[a:b] for a, b in pairwise(bounds)]
