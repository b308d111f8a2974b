"""The kinds registry: the built-in kinds, loading more, and a toy kind defined in the
tests (`toy_kind.py`) flowing in process through resolution, the table, the metrics,
the summary line, the sinks' filters and scoring without a change in `streams/`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from streams import kinds
from streams.articles import Article
from streams.cli import events_table
from streams.metrics import Metrics
from streams.resolve import resolve, summary
from streams.scoring import Annotated, score
from streams.settings import Settings
from streams.sinks.config import ConfigError, parse_sinks

from .toy_kind import KIND as TOY

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
NOW = datetime(2026, 5, 5, 12, tzinfo=UTC)
EVENT = {
    "schema": "newsmon.event.v1",
    "type": "armistice_call",
    "event_id": TOY.event_id("NOR", "SDN", "2026-05-05"),
    "article_id": "toy-1",
    "caller": "NOR",
    "country": "SDN",
    "evidence": [{"text": "Norway called for an armistice in Sudan.", "start": 0, "end": 40}],
    "confidence": 0.6,
}
ARTICLE = {"id": "toy-1", "source": "wire-a", "published_at": "2026-05-05T09:00:00Z"}


@pytest.fixture
def toy():
    kinds.register(TOY)
    yield TOY
    kinds.unregister(TOY.name)


def test_the_built_in_kinds_and_their_prefixes():
    assert kinds.names()[:2] == ("leader_visit", "sanctions_allegation")
    prefixes = [k.prefix for k in kinds.all_kinds()]
    assert len(set(prefixes)) == len(prefixes)
    assert kinds.get("nothing") is None
    with pytest.raises(KeyError, match="unknown event type"):
        kinds.of({"type": "nothing"})


def test_a_kind_cannot_take_another_kinds_prefix(toy):
    class Clash(type(TOY)):
        name = "clash"
        prefix = "lv"

    with pytest.raises(ValueError, match="leader_visit"):
        kinds.register(Clash())


def test_a_bad_kinds_module_is_named(monkeypatch):
    monkeypatch.setattr(kinds, "_registry", {})
    monkeypatch.setattr(kinds, "_loaded", False)
    monkeypatch.setenv(kinds.KINDS_ENV, "no_such_module_here")
    with pytest.raises(ValueError, match="NEWSMON_KINDS: cannot load a kind from no_such_module"):
        kinds.names()


def test_the_schemas_name_every_built_in_kind():
    event = json.loads((SCHEMAS / "event.v1.json").read_text(encoding="utf-8"))
    alert = json.loads((SCHEMAS / "alert.v2.json").read_text(encoding="utf-8"))
    built_in = {k.name for k in kinds.all_kinds()}
    assert set(event["properties"]["type"]["enum"]) == built_in
    assert set(alert["properties"]["type"]["enum"]) == built_in
    typed = {block["if"]["properties"]["type"]["const"] for block in event["allOf"]}
    assert typed == built_in
    statuses = set(event["properties"]["status"]["enum"])
    assert {s for k in kinds.all_kinds() if len(k.statuses) > 1 for s in k.statuses} == statuses


def test_a_toy_kind_resolves_alerts_and_updates(toy):
    first = resolve(None, EVENT, ARTICLE, "t/0/0", NOW)
    (alert,) = first.records
    assert alert["kind"] == "alert" and alert["event_id"].startswith("ac-")
    assert summary(alert).startswith(
        f"ALERT {alert['event_id']} armistice: NOR calls for one in SDN"
    )
    again = resolve(first.state, {**EVENT, "article_id": "toy-2"}, {**ARTICLE, "id": "toy-2"},
                    "t/0/1", NOW)  # fmt: skip
    (update,) = again.records
    assert (update["kind"], update["event_id"], update["report_count"]) == (
        "update", alert["event_id"], 2,
    )  # fmt: skip
    far = {**ARTICLE, "id": "toy-3", "published_at": "2026-07-01T09:00:00Z"}
    later = resolve(again.state, {**EVENT, "article_id": "toy-3"}, far, "t/0/2", NOW)
    assert later.new and later.event_id != alert["event_id"]  # outside its 14-day window


def test_a_toy_kind_has_its_table_row_metrics_topic_and_filters(toy):
    console = Console(width=200, record=True)
    console.print(events_table([EVENT]))
    row = next(line for line in console.export_text().splitlines() if "toy-1" in line)
    assert "armistice" in row and "NOR" in row and "SDN" in row

    metrics = Metrics()
    metrics.extracted(EVENT)
    metrics.alerted(EVENT, 0.5)
    value = metrics.registry.get_sample_value
    assert (
        value("newsmon_events_extracted_total", {"type": "armistice_call", "status": "none"}) == 1
    )
    assert value("newsmon_alerts_published_total", {"type": "armistice_call"}) == 1
    pair = {"type": "armistice_call", "from_country": "NOR", "to_country": "SDN"}
    assert value("newsmon_alert_country_pairs_total", pair) == 1

    assert "newsmon.alerts.armistice_call" in Settings().alert_topics

    sink = {"name": "s", "type": "chat", "url": "https://h.example/x", "kinds": ["armistice_call"],
            "countries": ["SDN"]}  # fmt: skip
    (config,) = parse_sinks({"sink": [sink]}, "sinks.toml", {})
    alert = resolve(None, EVENT, ARTICLE, "t/0/0", NOW).records[0]
    assert config.filters.matches(alert)
    assert not config.filters.matches({**alert, "type": "leader_visit"})


def test_without_the_toy_kind_nothing_knows_it():
    with pytest.raises(KeyError):
        resolve(None, EVENT, ARTICLE, "t/0/0", NOW)
    sink = {"name": "s", "type": "chat", "url": "https://h.example/x", "kinds": ["armistice_call"]}
    with pytest.raises(ConfigError, match="armistice_call"):
        parse_sinks({"sink": [sink]}, "sinks.toml", {})


def test_a_toy_kind_is_scored_by_its_own_key(toy):
    article = Article(id="toy-1", text="Norway called for an armistice in Sudan.")
    gold = [Annotated(article, [EVENT])]
    report = score(gold, {"toy-1": [EVENT]})
    assert report.by_kind["armistice_call"].f1 == 1.0
    wrong = {**EVENT, "country": "SSD"}
    report = score(gold, {"toy-1": [wrong]})
    toy_score = report.by_kind["armistice_call"]
    assert (toy_score.tp, toy_score.fp, toy_score.fn) == (0, 1, 1)
