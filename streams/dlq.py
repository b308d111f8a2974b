"""Dead letters per `schemas/dead-letter.v1.json`: pure, no Kafka in sight."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

from .articles import Article, InvalidArticle, from_json

SCHEMA = "newsmon.dead-letter.v1"
KEEP_BYTES = 1 << 20  # a dead letter keeps at most this much of the original value


def validate(raw: bytes | None, max_text_bytes: int) -> Article | InvalidArticle:
    """The article in one message value, or why it is not one (never raises)."""
    if raw is None:
        return InvalidArticle("empty_message", "the message has no value")
    try:
        return from_json(raw, max_text_bytes)
    except InvalidArticle as exc:
        return exc
    except Exception as exc:  # the agent must never crash on input
        return InvalidArticle("bad_json", f"unreadable: {type(exc).__name__}")


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
        "key_b64": _b64(key[:KEEP_BYTES] if key else key),
        "value_b64": _b64(value[:KEEP_BYTES] if value else value),
        "value_bytes": None if value is None else len(value),
        "value_truncated": value is not None and len(value) > KEEP_BYTES,
        "value_sha256": None if value is None else hashlib.sha256(value).hexdigest(),
        "failed_at": (now or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
    }


def original_value(letter: dict) -> bytes | None:
    """The original message bytes back from a dead letter (their first 1 MiB when the
    letter says `value_truncated`)."""
    raw = letter.get("value_b64")
    return None if raw is None else base64.b64decode(raw)
