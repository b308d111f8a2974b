"""The model is loaded by name; `none` or `rule-only` asks for the rule-only pipeline, and
a model that cannot be loaded is an error, not a quiet drop in accuracy."""

import warnings

import pytest

from streams.extract import Extractor, ModelUnavailable
from streams.extract.pipeline import build_pipeline


def test_a_missing_model_is_an_error_naming_it():
    with pytest.raises(ModelUnavailable) as caught:
        build_pipeline("newsmon-missing-model")
    message = str(caught.value)
    assert "'newsmon-missing-model'" in message and "NEWSMON_SPACY_MODEL=none" in message
    assert "\n" not in message


@pytest.mark.parametrize("name", ["none", "rule-only", "None", " RULE-ONLY "])
def test_the_rule_only_pipeline_is_asked_for_by_name_without_a_warning(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nlp = build_pipeline(name)
    assert "parser" not in nlp.pipe_names
    assert "sentencizer" in nlp.pipe_names and "newsmon_gazetteer" in nlp.pipe_names


def test_the_library_may_still_fall_back_when_asked_to():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build_pipeline.cache_clear()
        nlp = build_pipeline("newsmon-missing-model", fallback=True)
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
    monkeypatch.setenv("NEWSMON_SPACY_MODEL", "none")
    ex = Extractor()
    assert ex.model == "none"
    assert not ex.statistical
    monkeypatch.setenv("NEWSMON_SPACY_MODEL", "newsmon-missing-model")
    with pytest.raises(ModelUnavailable, match="newsmon-missing-model"):
        Extractor()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert not Extractor(fallback=True).statistical
