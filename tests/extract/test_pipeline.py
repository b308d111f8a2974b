"""The model is loaded by name; without it a rule-only pipeline runs, with a warning."""

import warnings

from streams.extract import Extractor
from streams.extract.pipeline import build_pipeline


def test_missing_model_falls_back_with_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build_pipeline.cache_clear()
        nlp = build_pipeline("newsmon-missing-model")
    assert any("rule-only" in str(w.message) for w in caught)
    assert "parser" not in nlp.pipe_names
    assert "newsmon_gazetteer" in nlp.pipe_names


def test_rule_only_pipeline_still_finds_the_reference_events(rule_extractor, reference_article):
    assert not rule_extractor.statistical
    events = rule_extractor.extract(reference_article)
    visits = {
        (e["visitor"]["country"], e["host"]["country"], e["status"])
        for e in events
        if e["type"] == "leader_visit"
    }
    assert ("RUS", "PRK", "ongoing") in visits
    assert ("RUS", "VNM", "planned") in visits


def test_model_name_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("NEWSMON_SPACY_MODEL", "newsmon-missing-model")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ex = Extractor()
    assert ex.model == "newsmon-missing-model"
    assert not ex.statistical
