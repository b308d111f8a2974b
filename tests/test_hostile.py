"""Hostile input against the pure parts: validation never raises, every rejection has a
known reason, dead letters stay small and faithful, the extractor survives odd text."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.articles import Article, InvalidArticle
from streams.dlq import KEEP_BYTES, dead_letter, original_value, validate
from streams.metrics import REJECT_REASONS

from .conftest import ROOT
from .fuzz import hostile_messages

LIMIT = 1 << 20
CASES = hostile_messages()


@pytest.mark.parametrize(("name", "raw", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_hostile_message_is_an_article_or_rejected_for_its_reason(name, raw, expected):
    result = validate(raw, LIMIT)
    if expected is None:
        assert isinstance(result, Article), result
    elif expected == "*":
        assert isinstance(result, InvalidArticle) and result.reason in REJECT_REASONS
    else:
        assert isinstance(result, InvalidArticle) and result.reason == expected


@pytest.mark.parametrize(("name", "raw", "expected"), CASES, ids=[c[0] for c in CASES])
def test_dead_letters_stay_small_and_keep_the_original_bytes(name, raw, expected):
    letter = dead_letter(
        InvalidArticle("bad_json", "x"), topic="t", partition=0, offset=1, value=raw
    )
    encoded = json.dumps(letter).encode()
    assert len(encoded) < 2 * KEEP_BYTES
    assert letter["value_bytes"] == len(raw)
    assert letter["value_sha256"] == hashlib.sha256(raw).hexdigest()
    assert letter["value_truncated"] == (len(raw) > KEEP_BYTES)
    assert original_value(letter) == raw[:KEEP_BYTES]


@settings(deadline=None)  # no timing in tests
@given(st.binary(max_size=2048))
def test_validation_never_raises_on_random_bytes(raw):
    result = validate(raw, LIMIT)
    assert isinstance(result, Article) or result.reason in REJECT_REASONS


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@settings(deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["id", "text", "title", "url", "source", "published_at", "language"]),
        JSON_VALUES,
    )
)
def test_validation_never_raises_on_random_json_objects(record):
    raw = json.dumps(record).encode()
    result = validate(raw, LIMIT)
    if isinstance(result, Article):
        assert result.text.strip() and result.id.strip()
        result.text.encode("utf-8")  # no lone surrogate got through
    else:
        assert result.reason in REJECT_REASONS


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=300))
def test_the_extractor_survives_any_unicode(extractor, text):
    article = Article(id="fuzz", text=text + " Putin arrived in Pyongyang.")
    for event in extractor.extract(article):
        for item in event["evidence"]:
            assert article.text[item["start"] : item["end"]] == item["text"]


@pytest.mark.parametrize(
    ("name", "raw"),
    [(c[0], c[1]) for c in CASES if c[2] is None],
    ids=[c[0] for c in CASES if c[2] is None],
)
def test_the_extractor_survives_the_start_of_each_hostile_text(extractor, name, raw):
    article = validate(raw, LIMIT)
    short = Article(id=article.id, text=article.text[:5000], published_at=article.published_at)
    assert isinstance(extractor.extract(short), list)


UNSAFE = re.compile(r"\b(eval|exec)\(|\bpickle\b|\bmarshal\b|yaml\.load\(|shell=True|__import__\(")


def test_no_code_path_evaluates_untrusted_text():
    """Input is only ever parsed as JSON, XML (feedparser/lxml) or text: no eval, no
    pickle, no unsafe YAML, no shell."""
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / "streams").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if UNSAFE.search(line)
    ]
    assert offenders == []
