"""Dead letters per `schemas/dead-letter.v1.json`: pure, no Kafka in sight."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from .articles import Article, InvalidArticle, from_json

SCHEMA = "newsmon.dead-letter.v1"


def validate(raw: bytes | None, max_text_bytes: int) -> Article | InvalidArticle:
    """The article in one message value, or why it is not one (never raises)."""
    if raw is None:
        return InvalidArticle("empty_message", "the message has no value")
    try:
        return from_json(raw, max_text_bytes)
    except InvalidArticle as exc:
        return exc


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def dead_letter(
    error: InvalidArticle,
    *,
    topic: str,
    partition: int,
    offset: int,
    value: bytes | None,
    key: bytes | None = None,
    timestamp: float | None = None,
    now: datetime | None = None,
) -> dict:
    """A dead letter: the reason, where the message came from, and its original bytes."""
    return {
        "schema": SCHEMA,
        "reason": error.reason,
        "detail": error.detail[:1000],
        "source": {
            "topic": topic,
            "partition": partition,
            "offset": offset,
            "timestamp": timestamp,
        },
        "key_b64": _b64(key),
        "value_b64": _b64(value),
        "value_bytes": None if value is None else len(value),
        "failed_at": (now or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
    }


def original_value(letter: dict) -> bytes | None:
    """The original message bytes back from a dead letter."""
    raw = letter.get("value_b64")
    return None if raw is None else base64.b64decode(raw)
