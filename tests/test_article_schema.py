"""One truth for what an article is: the run-time validator (`streams.articles`) accepts
exactly what `schemas/article.v1.json` accepts, plus the rules its descriptions state
and a JSON Schema cannot (text size in bytes, no lone surrogate, a `published_at` that
names a real instant)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone

import fastjsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from streams.articles import SCHEMA, Article, InvalidArticle
from streams.dlq import validate
from streams.metrics import REJECT_REASONS

from .conftest import ROOT
from .fuzz import hostile_messages

FILE_SCHEMA = json.loads((ROOT / "schemas" / "article.v1.json").read_text(encoding="utf-8"))
LIMIT = 1 << 20
SMALL = 100  # a text limit the edge cases can reach

# RFC 3339 section 5.6, written out here on its own (not the validator's code)
DATE_TIME = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})[Tt]"
    r"(?P<h>[0-9]{2}):(?P<mi>[0-9]{2}):(?P<s>[0-9]{2})(?:\.[0-9]+)?"
    r"(?:[Zz]|(?P<sign>[+-])(?P<oh>[0-9]{2}):(?P<om>[0-9]{2}))"
)


def rfc3339(value: str) -> bool:
    """RFC 3339 `date-time`, naming an instant Python can hold in UTC (years 1 to 9999;
    a leap second cannot be held)."""
    m = DATE_TIME.fullmatch(value)
    if not m:
        return False
    offset = timedelta(0)
    if m["sign"]:
        if int(m["oh"]) > 23 or int(m["om"]) > 59:
            return False
        offset = timedelta(hours=int(m["oh"]), minutes=int(m["om"]))
        offset = -offset if m["sign"] == "-" else offset
    try:
        moment = datetime(
            *(int(m[k]) for k in ("y", "mo", "d", "h", "mi", "s")), tzinfo=timezone(offset)
        )
        moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return False
    return True


SCHEMA_CHECK = fastjsonschema.compile(FILE_SCHEMA, formats={"date-time": rfc3339})


def schema_accepts(raw: bytes, limit: int) -> bool:
    """What the contract says of one message value: the schema file, then the limits its
    descriptions state."""
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False  # not a JSON document: no schema applies
    try:
        SCHEMA_CHECK(record)
    except fastjsonschema.JsonSchemaValueException:
        return False
    strings = [v for v in record.values() if isinstance(v, str)]
    if any(re.search("[\ud800-\udfff]", v) for v in strings):
        return False  # "No string may hold a lone surrogate."
    return len(record["text"].encode("utf-8")) <= limit  # "At most NEWSMON_MAX_TEXT_BYTES"


def agree(raw: bytes, limit: int = LIMIT) -> Article | InvalidArticle:
    result = validate(raw, limit)
    assert isinstance(result, Article | InvalidArticle)
    if isinstance(result, InvalidArticle):
        assert result.reason in REJECT_REASONS, result
    assert isinstance(result, Article) == schema_accepts(raw, limit), result
    return result


def doc(**fields: object) -> bytes:
    return json.dumps({"id": "a", "text": "Some text.", **fields}).encode()


def test_the_package_carries_the_schema_file():
    """`schemas/` is not in the package: the validator's copy is the file, exactly."""
    assert SCHEMA == FILE_SCHEMA


def test_the_schema_file_itself_refuses_a_date_alone_and_a_blank_id():
    """Which is right was decided for the schema (RFC 3339 date-time; an id must say
    something), checked here with fastjsonschema's own formats."""
    plain = fastjsonschema.compile(FILE_SCHEMA)
    for record in (
        {"id": "a", "text": "x", "published_at": "2024-07-08"},
        {"id": " ", "text": "x"},
        {"id": "a", "text": " \n"},
    ):
        with pytest.raises(fastjsonschema.JsonSchemaValueException):
            plain(record)
    plain({"id": "a", "text": "x", "published_at": "2024-07-08T10:00:00Z"})


CASES = hostile_messages()


@pytest.mark.parametrize(("name", "raw", "expected"), CASES, ids=[c[0] for c in CASES])
def test_validator_and_schema_agree_on_the_hostile_corpus(name, raw, expected):
    agree(raw)


# (name, message value, the validator's reason or None for an article); limit SMALL
EDGES: list[tuple[str, bytes, str | None]] = [
    ("date-only", doc(published_at="2024-07-08"), "bad_timestamp"),
    ("no-offset", doc(published_at="2024-06-19T03:00:00"), "bad_timestamp"),
    ("space-separator", doc(published_at="2024-06-19 03:00:00Z"), "bad_timestamp"),
    ("no-seconds", doc(published_at="2024-06-19T03:00Z"), "bad_timestamp"),
    ("basic-format", doc(published_at="20240619T030000Z"), "bad_timestamp"),
    ("week-date", doc(published_at="2024-W25-3"), "bad_timestamp"),
    ("offset-without-colon", doc(published_at="2024-06-19T03:00:00+0530"), "bad_timestamp"),
    ("comma-fraction", doc(published_at="2024-06-19T03:00:00,5Z"), "bad_timestamp"),
    ("hour-24", doc(published_at="2024-06-19T24:00:00Z"), "bad_timestamp"),
    ("leap-second", doc(published_at="2016-12-31T23:59:60Z"), "bad_timestamp"),
    ("feb-30", doc(published_at="2024-02-30T00:00:00Z"), "bad_timestamp"),
    ("feb-29-common-year", doc(published_at="2023-02-29T00:00:00Z"), "bad_timestamp"),
    ("april-31", doc(published_at="2024-04-31T00:00:00Z"), "bad_timestamp"),
    ("year-zero", doc(published_at="0000-06-01T00:00:00Z"), "bad_timestamp"),
    ("before-year-one-in-utc", doc(published_at="0001-01-01T00:00:00+00:01"), "bad_timestamp"),
    ("after-9999-in-utc", doc(published_at="9999-12-31T23:59:59-00:01"), "bad_timestamp"),
    ("offset-minutes-60", doc(published_at="2024-06-19T03:00:00+05:60"), "bad_timestamp"),
    ("arabic-digits", doc(published_at="٢٠٢٤-06-19T03:00:00Z"), "bad_timestamp"),
    ("empty-published-at", doc(published_at=""), "bad_timestamp"),
    ("word-published-at", doc(published_at="yesterday"), "bad_timestamp"),
    ("long-published-at", doc(published_at="2024-06-19T03:00:00." + "1" * 60 + "Z"), "*"),
    ("number-published-at", doc(published_at=20240619), "wrong_type"),
    ("null-published-at", doc(published_at=None), None),
    ("rfc3339-utc", doc(published_at="2024-06-19T03:00:00Z"), None),
    ("rfc3339-lower-case", doc(published_at="2024-06-19t03:00:00z"), None),
    ("rfc3339-offset", doc(published_at="2024-06-19T03:00:00+05:30"), None),
    ("rfc3339-negative-zero", doc(published_at="2024-06-19T03:00:00-00:00"), None),
    ("rfc3339-nanoseconds", doc(published_at="2024-06-19T03:00:00.123456789Z"), None),
    ("feb-29-leap-year", doc(published_at="2024-02-29T23:59:59Z"), None),
    ("first-instant", doc(published_at="0001-01-01T00:00:00Z"), None),
    ("blank-id", doc(id=" "), "empty_id"),
    ("whitespace-id", doc(id="\t\n\u00a0\u2003"), "empty_id"),
    ("empty-id", doc(id=""), "empty_id"),
    ("zero-width-id", doc(id="\u200b"), None),
    ("null-id", doc(id=None), "wrong_type"),
    ("number-id", doc(id=5), "wrong_type"),
    ("bool-id", doc(id=True), "wrong_type"),
    ("longest-id", doc(id="i" * 512), None),
    ("too-long-id", doc(id="i" * 513), "field_too_large"),
    ("astral-id-chars", doc(id="\U0001f600" * 512), None),
    ("surrogate-id", b'{"id": "\\ud800", "text": "x"}', "bad_unicode"),
    ("surrogate-pair-id", b'{"id": "\\ud83d\\ude00", "text": "x"}', None),
    ("surrogate-title", b'{"id": "a", "text": "x", "title": "\\udc00"}', "bad_unicode"),
    ("empty-text", doc(text=""), "empty_text"),
    ("blank-text", doc(text=" \n\t\u3000"), "empty_text"),
    ("null-text", doc(text=None), "wrong_type"),
    ("list-text", doc(text=["x"]), "wrong_type"),
    ("text-at-limit", doc(text="é" * (SMALL // 2)), None),
    ("text-over-limit", doc(text="é" * (SMALL // 2 + 1)), "text_too_large"),
    ("null-title", doc(title=None), None),
    ("object-title", doc(title={"a": 1}), "wrong_type"),
    ("longest-title", doc(title="t" * 2048), None),
    ("too-long-title", doc(title="t" * 2049), "field_too_large"),
    ("too-long-url", doc(url="u" * 4097), "field_too_large"),
    ("too-long-source", doc(source="s" * 513), "field_too_large"),
    ("longest-language", doc(language="l" * 35), None),
    ("too-long-language", doc(language="l" * 36), "field_too_large"),
    ("unknown-field", doc(extra={"any": [1, 2]}), None),
    ("missing-id", json.dumps({"text": "x"}).encode(), "missing_field"),
    ("missing-text", json.dumps({"id": "a"}).encode(), "missing_field"),
    ("array", b"[]", "not_an_object"),
    ("string", b'"an article"', "not_an_object"),
    ("null", b"null", "not_an_object"),
    ("number", b"1", "not_an_object"),
    ("not-json", b"{", "bad_json"),
    ("not-utf8", b'{"id": "\xff", "text": "x"}', "not_utf8"),
]


@pytest.mark.parametrize(("name", "raw", "expected"), EDGES, ids=[c[0] for c in EDGES])
def test_validator_and_schema_agree_on_edge_cases(name, raw, expected):
    result = agree(raw, SMALL)
    if expected is None:
        assert isinstance(result, Article), result
    elif expected != "*":
        assert isinstance(result, InvalidArticle) and result.reason == expected, result


def test_lower_case_t_and_z_are_read_and_kept_upper_case():
    result = agree(doc(published_at="2024-06-19t23:30:00z"))
    assert result.published_at == "2024-06-19T23:30:00Z"
    assert result.day.isoformat() == "2024-06-19"


FIELD_VALUES = st.one_of(
    st.none(),
    st.integers(),
    st.booleans(),
    st.text(max_size=40),
    st.sampled_from(["", " ", "\u00a0", "2024-06-19T03:00:00Z", "2024-02-30T00:00:00Z"]),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.lists(st.integers(), max_size=2),
)


@given(
    st.dictionaries(
        st.sampled_from(["id", "text", "title", "url", "source", "published_at", "language"]),
        FIELD_VALUES,
    )
)
def test_validator_and_schema_agree_on_random_records(record):
    agree(json.dumps(record).encode(), SMALL)
