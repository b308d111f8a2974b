"""Event identity on the resolution fixtures (tests/fixtures/resolution, written for the
project): visits told through their life and same-event clusters with near-misses, each
gold event carrying the `event_key` of its real-world event."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from streams.resolve import resolve_offline
from streams.scoring import load_corpus, score_identity

from ..conftest import FIXTURES

RESOLUTION = FIXTURES / "resolution"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(RESOLUTION)


@pytest.fixture(scope="module")
def report(extractor, corpus):
    results = [(a.to_dict(), ev) for a, ev in extractor.extract_many(c.article for c in corpus)]
    resolved = resolve_offline(results)
    predictions = {a["id"]: ev for (a, _), ev in zip(results, resolved, strict=True)}
    return score_identity(corpus, predictions)


def test_the_fixtures_have_the_cases_the_issue_asks_for():
    lines = [
        json.loads(line)
        for path in sorted(RESOLUTION.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    roles = Counter(line["role"] for line in lines)
    lifecycles = {line["group"] for line in lines if line["role"] == "announcement"}
    clusters = Counter(line["group"] for line in lines if line["role"] == "report")
    assert len(lifecycles) >= 8 and roles["arrival"] >= 8 and roles["wrap-up"] >= 8
    assert sum(n >= 3 for n in clusters.values()) >= 12
    assert roles["near-miss"] >= 6


def test_reports_of_one_event_share_one_id(report):
    print(report.as_dict())
    assert report.merged / report.clusters >= 0.9


def test_different_events_never_share_an_id(report):
    assert report.pairs > 50
    assert report.apart == report.pairs


def test_most_reports_are_found(report):
    assert report.found / report.reports >= 0.8
