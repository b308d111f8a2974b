"""Text in, events out: the pure extraction engine (no Kafka, no metrics).

>>> from streams.extract import Extractor
>>> events = Extractor().extract(article)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import islice

from spacy.tokens import Doc

from ..articles import Article
from .allegations import find_allegations
from .events import allegation_events, visit_events
from .gazetteer import load_gazetteer
from .mentions import resolve
from .pipeline import DEFAULT_MODEL, build_pipeline, is_statistical
from .timex import find_times
from .visits import find_visits

__all__ = ["Extractor"]

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


class Extractor:
    """Builds the pipeline once; `extract` is then safe to call for every article."""

    def __init__(self, model: str | None = None) -> None:
        self.model = model or os.environ.get("NEWSMON_SPACY_MODEL") or DEFAULT_MODEL
        self.nlp = build_pipeline(self.model)
        self.gazetteer = load_gazetteer()
        self.statistical = is_statistical(self.nlp)

    def extract(self, article: Article) -> list[dict]:
        if len(article.text) > PART_CHARS:
            return self._extract_long(article)
        return self.events(article, self.nlp(article.text))

    def extract_many(
        self, articles: Iterable[Article], batch_size: int = 16
    ) -> Iterator[tuple[Article, list[dict]]]:
        """Like `extract` for many articles, batched through `nlp.pipe`."""
        items = iter(articles)
        while batch := list(islice(items, batch_size)):
            short = [a for a in batch if len(a.text) <= PART_CHARS]
            docs = dict(zip(map(id, short), self.nlp.pipe(a.text for a in short), strict=True))
            for article in batch:
                doc = docs.get(id(article))
                if doc is None:
                    yield article, self._extract_long(article)
                else:
                    yield article, self.events(article, doc)

    def _extract_long(self, article: Article) -> list[dict]:
        """A long text read in parts (memory and time stay bounded per part); events of
        the same real-world event found in several parts become one."""
        merged: dict[str, dict] = {}
        for start, part in parts(article.text):
            for event in self.events(replace(article, text=part), self.nlp(part)):
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

    def events(self, article: Article, doc: Doc) -> list[dict]:
        day = article.day
        mentions = resolve(doc, self.gazetteer, day)
        times = [t for s in doc.sents for t in find_times(s.text, s.start_char, day)]
        visits = find_visits(doc, mentions, times, day)
        allegations = find_allegations(doc, mentions)
        return visit_events(visits, mentions, article.id, day) + allegation_events(
            allegations, article.id, day
        )
