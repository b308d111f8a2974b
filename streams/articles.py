"""Articles: the input record, parsed and checked without any Kafka in sight."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import fastjsonschema

MAX_TEXT_BYTES = 1 << 20  # 1 MiB; the worker's is `NEWSMON_MAX_TEXT_BYTES`
FIELDS = ("id", "text", "title", "url", "source", "published_at", "language")

#: `schemas/article.v1.json`, the public contract, as the package carries it (the
#: repository's `schemas/` folder is not part of the package; tests/test_article_schema.py
#: holds the two equal). Every record is checked with it, compiled once, and then with what
#: a JSON Schema cannot say, which its descriptions state: the text's size in bytes, no
#: lone surrogate, a `published_at` that names a real instant.
SCHEMA: dict = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": "https://newsmon.example/schemas/article.v1.json",
    "title": "newsmon article v1",
    "description": (
        "One news article, as published to the articles topic and read by `newsmon extract`."
    ),
    "type": "object",
    "required": ["id", "text"],
    "properties": {
        "id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 512,
            "pattern": "\\S",
            "description": "Not empty nor only white space.",
        },
        "text": {
            "type": "string",
            "minLength": 1,
            "pattern": "\\S",
            "description": (
                "At most NEWSMON_MAX_TEXT_BYTES bytes as UTF-8 (default 1 MiB). "
                "No string may hold a lone surrogate."
            ),
        },
        "title": {"type": ["string", "null"], "maxLength": 2048},
        "url": {"type": ["string", "null"], "maxLength": 4096},
        "source": {"type": ["string", "null"], "maxLength": 512},
        "published_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "maxLength": 64,
            "description": (
                "An RFC 3339 date and time with its offset (a date alone is not one), "
                "e.g. 2024-06-19T03:00:00Z; it must exist in UTC between the years 1 and "
                "9999, and a leap second (:60) is not taken."
            ),
        },
        "language": {"type": ["string", "null"], "maxLength": 35},
    },
}
# RFC 3339 `date-time` (fastjsonschema's own check is looser: `+0000`, second 60, year 0)
_RFC3339 = re.compile(
    r"\d{4}-\d\d-\d\d[Tt](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?"
    r"(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)
# the schema's rule that failed -> the dead-letter reason (`schemas/dead-letter.v1.json`)
_REASONS = {"required": "missing_field", "type": "wrong_type", "maxLength": "field_too_large"}
_BLANK = {"id": "empty_id", "text": "empty_text"}  # their `minLength` and `pattern`
_SURROGATE = re.compile(r"[\ud800-\udfff]")


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
        """The publication day, or today when the article does not say; kept within the
        years 100-9899, so the rules' date arithmetic ("last year", "next Tuesday") never
        leaves the calendar for an article dated at year 1 or 9999."""
        parsed = parse_time(self.published_at)
        day = parsed.date() if parsed else datetime.now(UTC).date()
        return min(max(day, EARLIEST_DAY), LATEST_DAY)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in FIELDS if getattr(self, k) is not None}


EARLIEST_DAY, LATEST_DAY = date(100, 1, 1), date(9899, 12, 31)


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time (UTC when it names no offset), or None when there is none or it
    cannot be read."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def is_date_time(value: str) -> bool:
    """The schema's `format: date-time`: RFC 3339 (`T` and `Z` in either case), naming an
    instant that exists (a day of its month, no leap second) within the years 1 to 9999,
    in UTC too."""
    if not _RFC3339.fullmatch(value):
        return False
    parsed = parse_time(value)
    if parsed is None:
        return False
    try:
        parsed.astimezone(UTC)
    except OverflowError:
        return False
    return True


_check_schema = fastjsonschema.compile(SCHEMA, formats={"date-time": is_date_time})


def _schema_error(record: object, exc: fastjsonschema.JsonSchemaValueException) -> InvalidArticle:
    """The dead-letter reason of the schema rule that failed."""
    field = exc.path[1] if len(exc.path) > 1 else None
    if field is None and exc.rule == "type":
        return InvalidArticle(
            "not_an_object", f"expected a JSON object, got {type(record).__name__}"
        )
    if field is None and exc.rule == "required" and isinstance(record, dict):
        missing = [k for k in SCHEMA["required"] if k not in record]
        return InvalidArticle("missing_field", f"field {missing[0]!r} is required")
    if exc.rule == "format" and field == "published_at":
        return InvalidArticle(
            "bad_timestamp", "field 'published_at' is not an RFC 3339 date and time that exists"
        )
    if exc.rule in ("minLength", "pattern") and field in _BLANK:
        return InvalidArticle(_BLANK[field], f"field {field!r} is empty")
    detail = exc.message
    if field is not None:
        detail = f"field {field!r} " + detail.removeprefix(f"data.{field} ")
    return InvalidArticle(_REASONS.get(exc.rule, "wrong_type"), detail)


def from_dict(record: object, max_text_bytes: int = MAX_TEXT_BYTES) -> Article:
    """Check one decoded JSON value against `schemas/article.v1.json` (`SCHEMA`), then
    what the schema cannot say, and build the article; InvalidArticle names the reason."""
    try:
        _check_schema(record)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise _schema_error(record, exc) from None
    assert isinstance(record, dict)  # the schema says so
    values = {k: record.get(k) for k in FIELDS}
    for key, value in values.items():
        if value is not None and _SURROGATE.search(value):
            raise InvalidArticle("bad_unicode", f"field {key!r} holds a lone surrogate")
    if len(values["text"].encode("utf-8")) > max_text_bytes:
        raise InvalidArticle("text_too_large", f"text is over {max_text_bytes} bytes")
    if values["published_at"] is not None:
        values["published_at"] = values["published_at"].upper()  # 't' and 'z' may be lower
    return Article(**values)


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
