"""Text in, events out: the pure extraction engine (no Kafka, no metrics).

>>> from streams.extract import Extractor
>>> events = Extractor().extract(article)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

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


class Extractor:
    """Builds the pipeline once; `extract` is then safe to call for every article."""

    def __init__(self, model: str | None = None) -> None:
        self.model = model or os.environ.get("NEWSMON_SPACY_MODEL") or DEFAULT_MODEL
        self.nlp = build_pipeline(self.model)
        self.gazetteer = load_gazetteer()
        self.statistical = is_statistical(self.nlp)

    def extract(self, article: Article) -> list[dict]:
        return self.events(article, self.nlp(article.text))

    def extract_many(
        self, articles: Iterable[Article], batch_size: int = 16
    ) -> Iterator[tuple[Article, list[dict]]]:
        """Like `extract` for many articles, batched through `nlp.pipe`."""
        pairs = ((a.text, a) for a in articles)
        for doc, article in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            yield article, self.events(article, doc)

    def events(self, article: Article, doc: Doc) -> list[dict]:
        day = article.day
        mentions = resolve(doc, self.gazetteer, day)
        times = [t for s in doc.sents for t in find_times(s.text, s.start_char, day)]
        visits = find_visits(doc, mentions, times, day)
        allegations = find_allegations(doc, mentions)
        return visit_events(visits, mentions, article.id, day) + allegation_events(
            allegations, article.id, day
        )
