"""Shared fixtures: one extractor per test session (building a pipeline takes seconds)."""

from __future__ import annotations

import json
from pathlib import Path

import fastjsonschema
import pytest
from hypothesis import settings as hypothesis_settings

from streams.articles import Article
from streams.extract import Extractor

# no timing in tests: Hypothesis' per-example deadline would make slow machines flaky
hypothesis_settings.register_profile("newsmon", deadline=None)
hypothesis_settings.load_profile("newsmon")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
REFERENCE = FIXTURES / "putin-pyongyang-2024.txt"


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    ex = Extractor()
    assert ex.statistical, "the statistical model must be installed for the test suite"
    return ex


@pytest.fixture(scope="session")
def rule_extractor() -> Extractor:
    return Extractor("rule-only")  # asked for by name (`RULE_ONLY`): no model loaded


@pytest.fixture(scope="session")
def reference_article() -> Article:
    return Article(
        id="putin-pyongyang-2024",
        text=REFERENCE.read_text(encoding="utf-8"),
        published_at="2024-06-19T03:00:00Z",
        source="reference",
    )


@pytest.fixture(scope="session")
def validate_event():
    schema = json.loads((ROOT / "schemas" / "event.v1.json").read_text(encoding="utf-8"))
    return fastjsonschema.compile(schema)
