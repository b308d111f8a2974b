"""The reference article must yield exactly the six events listed in EVENTS.md."""

from __future__ import annotations

import pytest

EXPECTED_VISITS = {
    ("RUS", "PRK", "ongoing"): {"city": None, "leader": "Kim Jong Un", "name": "Vladimir Putin"},
    ("RUS", "VNM", "planned"): {"city": "Hanoi", "leader": None, "name": "Vladimir Putin"},
    ("RUS", "PRK", "past"): {"city": "Pyongyang", "when": "July 2000", "name": "Vladimir Putin"},
    ("PRK", "RUS", "past"): {"when": "last September", "name": "Kim Jong Un"},
}
EXPECTED_ALLEGATIONS = {
    "PRK": {"accusers": ["KOR", "USA"], "counterparties": ["RUS"], "denied": True},
    "RUS": {"accusers": ["KOR", "USA"], "counterparties": ["PRK"], "denied": True},
}


@pytest.fixture(scope="module")
def events(extractor, reference_article):
    return extractor.extract(reference_article)


def test_exactly_the_six_events(events):
    visits = {
        (e["visitor"]["country"], e["host"]["country"], e["status"])
        for e in events
        if e["type"] == "leader_visit"
    }
    accused = [e["accused"] for e in events if e["type"] == "sanctions_allegation"]
    assert visits == set(EXPECTED_VISITS)
    assert sorted(accused) == sorted(EXPECTED_ALLEGATIONS)
    assert len(events) == 6


def test_visit_fields(events):
    for e in (e for e in events if e["type"] == "leader_visit"):
        want = EXPECTED_VISITS[(e["visitor"]["country"], e["host"]["country"], e["status"])]
        assert e["visitor"]["name"] == want["name"]
        for key in ("city", "leader"):
            if key in want:
                assert e["host"][key] == want[key], (key, e)
        if "when" in want:
            assert e["when"] == want["when"]


def test_allegation_fields(events):
    for e in (e for e in events if e["type"] == "sanctions_allegation"):
        want = EXPECTED_ALLEGATIONS[e["accused"]]
        assert e["accusers"] == want["accusers"]
        assert e["counterparties"] == want["counterparties"]
        assert e["denied"] is want["denied"]
        assert e["subject"]


def test_events_validate_and_carry_evidence(events, reference_article, validate_event):
    for e in events:
        validate_event(e)
        assert e["article_id"] == reference_article.id
        for ev in e["evidence"]:
            assert reference_article.text[ev["start"] : ev["end"]] == ev["text"]


def test_aide_and_spokesman_are_not_leaders(events):
    names = {e["visitor"]["name"] for e in events if e["type"] == "leader_visit"}
    assert names == {"Vladimir Putin", "Kim Jong Un"}
