"""Validation of incoming records: bytes in, article or a reason out."""

import json

import pytest

from streams.articles import InvalidArticle, from_json

GOOD = {"id": "a1", "text": "Some text.", "published_at": "2024-06-19T06:30:00Z"}


def reason(raw) -> str:
    with pytest.raises(InvalidArticle) as exc:
        from_json(raw)
    return exc.value.reason


def test_good_article():
    article = from_json(json.dumps(GOOD).encode())
    assert article.id == "a1"
    assert article.day.isoformat() == "2024-06-19"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"\xff\xfe not utf8", "not_utf8"),
        (b"{not json", "bad_json"),
        (b"[1, 2]", "not_an_object"),
        (json.dumps({"text": "x"}).encode(), "missing_field"),
        (json.dumps({"id": 5, "text": "x"}).encode(), "wrong_type"),
        (json.dumps({"id": "a", "text": "   "}).encode(), "empty_text"),
        (
            json.dumps({"id": "a", "text": "x", "published_at": "yesterday"}).encode(),
            "bad_timestamp",
        ),
        (json.dumps({"id": "a", "text": "x" * ((1 << 20) + 1)}).encode(), "text_too_large"),
        # the schema decides: a date alone is not an RFC 3339 date-time, a blank id no id
        (
            json.dumps({"id": "a", "text": "x", "published_at": "2024-07-08"}).encode(),
            "bad_timestamp",
        ),
        (json.dumps({"id": " ", "text": "x"}).encode(), "empty_id"),
        (json.dumps({"id": None, "text": "x"}).encode(), "wrong_type"),
    ],
)
def test_rejections_name_their_reason(raw, expected):
    assert reason(raw) == expected
