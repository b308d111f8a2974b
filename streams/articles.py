"""Articles: the input record, parsed and checked without any Kafka in sight."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

MAX_TEXT_BYTES = 1 << 20  # 1 MiB
FIELDS = ("id", "text", "title", "url", "source", "published_at", "language")
# characters; the text's limit is in bytes and configurable (`NEWSMON_MAX_TEXT_BYTES`)
FIELD_LIMITS = {
    "id": 512,
    "title": 2048,
    "url": 4096,
    "source": 512,
    "published_at": 64,
    "language": 35,
}


class InvalidArticle(ValueError):
    """Why a record is not an article; `reason` is a short machine-readable code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Article:
    id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published_at: str | None = None
    language: str | None = None

    @property
    def day(self) -> date:
        """The publication day, or today when the article does not say."""
        parsed = parse_time(self.published_at)
        return parsed.date() if parsed else datetime.now(UTC).date()

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in FIELDS if getattr(self, k) is not None}


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def from_dict(record: object, max_text_bytes: int = MAX_TEXT_BYTES) -> Article:
    """Check one decoded JSON value against `schemas/article.v1.json` and build the article."""
    if not isinstance(record, dict):
        raise InvalidArticle(
            "not_an_object", f"expected a JSON object, got {type(record).__name__}"
        )
    for key in ("id", "text"):
        if key not in record:
            raise InvalidArticle("missing_field", f"field {key!r} is required")
    for key in FIELDS:
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise InvalidArticle("wrong_type", f"field {key!r} must be a string")
    for key in FIELDS:
        value = record.get(key)
        if value is None:
            continue
        if len(value) > FIELD_LIMITS.get(key, len(value)):
            raise InvalidArticle(
                "field_too_large", f"field {key!r} is over {FIELD_LIMITS[key]} characters"
            )
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidArticle("bad_unicode", f"field {key!r} holds a lone surrogate") from None
    if not record["id"].strip():
        raise InvalidArticle("empty_id", "field 'id' is empty")
    if not record["text"].strip():
        raise InvalidArticle("empty_text", "field 'text' is empty")
    if len(record["text"].encode("utf-8", "surrogatepass")) > max_text_bytes:
        raise InvalidArticle("text_too_large", f"text is over {max_text_bytes} bytes")
    if record.get("published_at") and parse_time(record["published_at"]) is None:
        raise InvalidArticle("bad_timestamp", "field 'published_at' is not ISO 8601")
    return Article(**{k: record.get(k) for k in FIELDS})


def from_json(
    raw: bytes | str, max_text_bytes: int = MAX_TEXT_BYTES, *, annotated: bool = False
) -> Article:
    """Bytes or text of one JSON document -> an article, or InvalidArticle. With
    `annotated`, a line of the annotated corpus (`{"article": {...}, "events": ...}`)
    stands for its article."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidArticle("not_utf8", str(exc)) from None
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidArticle("bad_json", str(exc)) from None
    except RecursionError:
        raise InvalidArticle("bad_json", "nested too deeply") from None
    if annotated and isinstance(record, dict) and isinstance(record.get("article"), dict):
        record = record["article"]
    return from_dict(record, max_text_bytes)


def parse_lines(
    lines: Iterable[bytes], *, annotated: bool = False
) -> Iterator[tuple[int, Article | InvalidArticle]]:
    """(line number, article or the reason it is not one) for each non-blank line."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield number, from_json(line, annotated=annotated)
        except InvalidArticle as exc:
            yield number, exc


def read_jsonl(
    path: Path, *, annotated: bool = False
) -> Iterator[tuple[int, Article | InvalidArticle]]:
    """`parse_lines` over a file."""
    with path.open("rb") as fh:
        yield from parse_lines(fh, annotated=annotated)


def read_text_file(path: Path) -> Article:
    """A plain-text article; its file name is its id."""
    text = path.read_text(encoding="utf-8")
    return from_dict({"id": path.stem, "text": text})
