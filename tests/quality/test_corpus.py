"""Extraction quality on the annotated development corpus, gated.

The issue's target is F1 >= 0.90 per type; the gates below are the floors the extractor
reaches today (see the README's Quality section), so that no change makes it worse. Raise
them as the extractor improves."""

from __future__ import annotations

import json

import fastjsonschema
import pytest

from streams.extract import Extractor
from streams.scoring import load_corpus, score

from ..conftest import FIXTURES, ROOT

CORPUS = FIXTURES / "corpus"
HELDOUT = FIXTURES / "heldout"
FLOORS = {"leader_visit": 0.90, "sanctions_allegation": 0.90}
#: Held-out batches, each gated on its own at its measured F1 minus 0.03 (README,
#: Quality). Batches G, H and I were sealed until their one final score; H's errors were
#: studied after it, so it is gated at its figure after that study.
HELDOUT_FLOORS = {
    "heldout_f.jsonl": {"leader_visit": 0.76, "sanctions_allegation": 0.91},
    "heldout_g.jsonl": {"leader_visit": 0.81, "sanctions_allegation": 0.62},
    "heldout_h.jsonl": {"leader_visit": 0.83, "sanctions_allegation": 0.77},
    "heldout_i.jsonl": {"leader_visit": 0.75, "sanctions_allegation": 0.76},
}
#: The rule-only pipeline (no statistical model) on the development corpus, likewise.
RULE_ONLY_FLOORS = {"leader_visit": 0.81, "sanctions_allegation": 0.66}
BODIES = {"UN", "EU", "G7", "IAEA", "NATO"}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


@pytest.fixture(scope="module")
def dev_report(extractor, corpus):
    predictions = {a.id: events for a, events in extractor.extract_many(c.article for c in corpus)}
    return score(corpus, predictions), predictions


def test_corpus_is_large_and_balanced(corpus):
    assert len(corpus) >= 120
    negatives = [c for c in corpus if not c.events]
    assert len(negatives) >= len(corpus) / 3
    types = {e["type"] for c in corpus for e in c.events}
    assert types == {"leader_visit", "sanctions_allegation"}
    assert len({c.article.id for c in corpus}) == len(corpus)


def test_annotations_follow_the_format(corpus):
    codes = lambda xs: all((len(x) == 3 and x.isupper()) or x in BODIES for x in xs)  # noqa: E731
    for c in corpus:
        keys = set()
        for e in c.events:
            if e["type"] == "leader_visit":
                assert e["status"] in ("ongoing", "planned", "past"), c.article.id
                assert codes([e["visitor"]["country"], e["host"]["country"]]), c.article.id
                if e["when"]:
                    assert e["when"] in c.article.text, (c.article.id, e["when"])
                key = (e["visitor"]["name"], e["host"]["country"], e["status"])
            else:
                assert codes(e["accusers"] + [e["accused"]] + e["counterparties"]), c.article.id
                key = (e["accused"],)
            assert key not in keys, (c.article.id, key)  # one event per key
            keys.add(key)


def test_predictions_validate_against_the_schema(dev_report):
    schema = json.loads((ROOT / "schemas" / "event.v1.json").read_text(encoding="utf-8"))
    validate = fastjsonschema.compile(schema)
    _, predictions = dev_report
    for events in predictions.values():
        for event in events:
            validate(event)


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_f1_on_the_development_corpus(dev_report, kind):
    report, _ = dev_report
    scores = report.visits if kind == "leader_visit" else report.allegations
    print(f"{kind}: P={scores.precision:.3f} R={scores.recall:.3f} F1={scores.f1:.3f}")
    assert scores.f1 >= FLOORS[kind]


@pytest.mark.parametrize("batch", sorted(HELDOUT_FLOORS))
def test_f1_on_held_out_articles(extractor, batch):
    heldout = load_corpus(HELDOUT / batch)
    predictions = {a.id: ev for a, ev in extractor.extract_many(c.article for c in heldout)}
    report = score(heldout, predictions)
    print(f"{batch}: visits {report.visits.f1:.3f} allegations {report.allegations.f1:.3f}")
    assert report.visits.f1 >= HELDOUT_FLOORS[batch]["leader_visit"]
    assert report.allegations.f1 >= HELDOUT_FLOORS[batch]["sanctions_allegation"]


def test_f1_of_the_rule_only_pipeline(corpus):
    rule_only = Extractor(model="rule-only")
    assert not rule_only.statistical
    predictions = {a.id: ev for a, ev in rule_only.extract_many(c.article for c in corpus)}
    report = score(corpus, predictions)
    print(f"rule-only: visits {report.visits.f1:.3f} allegations {report.allegations.f1:.3f}")
    assert report.visits.f1 >= RULE_ONLY_FLOORS["leader_visit"]
    assert report.allegations.f1 >= RULE_ONLY_FLOORS["sanctions_allegation"]


def test_scorer_counts_keys_and_status():
    from streams.articles import Article
    from streams.scoring import Annotated

    visit = {
        "type": "leader_visit",
        "visitor": {"name": "A", "title": None, "country": "FRA"},
        "host": {"country": "DEU", "city": None, "leader": None},
        "status": "ongoing",
        "when": None,
    }
    wrong_status = {**visit, "status": "past"}
    gold = [Annotated(Article(id="a", text="x"), [visit])]
    assert score(gold, {"a": [visit]}).visits.f1 == 1.0
    report = score(gold, {"a": [wrong_status]})
    assert (report.visits.tp, report.visits.fp, report.visits.fn) == (0, 1, 1)
    assert report.status_accuracy == 0.0
    assert score(gold, {}).visits.recall == 0.0
