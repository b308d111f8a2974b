"""The reference article must yield exactly the six events listed in EVENTS.md."""

from __future__ import annotations

import pytest

# every field of every event (docs/guidelines.md, the reference article)
EXPECTED_VISITS = {
    ("RUS", "PRK", "ongoing"): {
        "city": "Pyongyang",
        "leader": "Kim Jong Un",
        "name": "Vladimir Putin",
        "title": "President",
        "when": "Wednesday",
        "evidence": [(0, 160), (161, 253)],
    },
    ("RUS", "VNM", "planned"): {
        "city": "Hanoi",
        "leader": None,
        "name": "Vladimir Putin",
        "title": "President",
        "when": None,
        "evidence": [(1651, 1810)],
    },
    ("RUS", "PRK", "past"): {
        "city": "Pyongyang",
        "leader": None,
        "name": "Vladimir Putin",
        "title": "President",
        "when": "July 2000",
        "evidence": [(605, 794)],
    },
    ("PRK", "RUS", "past"): {
        "city": None,
        "leader": None,
        "name": "Kim Jong Un",
        "title": "Supreme Leader",
        "when": "last September",
        "evidence": [(2443, 2646)],
    },
}
EXPECTED_ALLEGATIONS = {
    "PRK": {
        "accusers": ["KOR", "USA"],
        "counterparties": ["RUS"],
        "denied": True,
        "evidence": [(2034, 2208), (2377, 2442)],
    },
    "RUS": {
        "accusers": ["KOR", "USA"],
        "counterparties": ["PRK"],
        "denied": True,
        "evidence": [(2209, 2376), (2377, 2442)],
    },
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
        assert (e["visitor"]["name"], e["visitor"]["title"]) == (want["name"], want["title"])
        assert (e["host"]["city"], e["host"]["leader"]) == (want["city"], want["leader"]), e
        assert e["when"] == want["when"]
        assert [(x["start"], x["end"]) for x in e["evidence"]] == want["evidence"]


def test_allegation_fields(events):
    for e in (e for e in events if e["type"] == "sanctions_allegation"):
        want = EXPECTED_ALLEGATIONS[e["accused"]]
        assert e["accusers"] == want["accusers"]
        assert e["counterparties"] == want["counterparties"]
        assert e["denied"] is want["denied"]
        assert e["subject"]
        assert [(x["start"], x["end"]) for x in e["evidence"]] == want["evidence"]


def test_events_validate_and_carry_evidence(events, reference_article, validate_event):
    for e in events:
        validate_event(e)
        assert e["article_id"] == reference_article.id
        for ev in e["evidence"]:
            assert reference_article.text[ev["start"] : ev["end"]] == ev["text"]


def test_aide_and_spokesman_are_not_leaders(events):
    names = {e["visitor"]["name"] for e in events if e["type"] == "leader_visit"}
    assert names == {"Vladimir Putin", "Kim Jong Un"}
