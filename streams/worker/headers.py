"""The headers of an events record: written by the extract agent (`extraction.py`), read
by the resolve agent (`resolution.py`). Events stay plain `event.v1` records; the article
reference, the message origin and the article's arrival travel beside them."""

from __future__ import annotations

import json

from faust.types import EventT

from ..articles import Article

ARTICLE_HEADER = "newsmon-article"
ORIGIN_HEADER = "newsmon-origin"
ARRIVED_HEADER = "newsmon-arrived"  # the article record's timestamp, seconds


def origin_of(event: EventT) -> str:
    """topic/partition/offset of the message: reports are counted by origin."""
    m = event.message
    return f"{m.topic}/{m.partition}/{m.offset}"


def article_headers(article: Article, origin: str, arrived: float | None) -> dict[str, bytes]:
    ref = {k: v for k, v in article.to_dict().items() if k != "text" and k != "language"}
    headers = {
        ARTICLE_HEADER: json.dumps(ref, ensure_ascii=False).encode(),
        ORIGIN_HEADER: origin.encode(),
    }
    if arrived is not None:
        headers[ARRIVED_HEADER] = repr(float(arrived)).encode()
    return headers


def header(event: EventT, name: str) -> str | None:
    value = (event.headers or {}).get(name)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
