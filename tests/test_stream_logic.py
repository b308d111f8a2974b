"""Pure streaming logic without a broker: resolution records, alerts, dead letters, settings."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fastjsonschema
import pytest

from streams.articles import InvalidArticle
from streams.dlq import dead_letter, original_value, validate
from streams.resolve import Policy, resolve, summary
from streams.settings import Settings, bootstrap_servers

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
T0 = datetime(2024, 6, 19, 3, 0, tzinfo=UTC)
POLICY = Policy()


def load_schema(name: str):
    def local(uri: str) -> dict:
        return json.loads((SCHEMAS / uri.rsplit("/", 1)[-1]).read_text(encoding="utf-8"))

    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return fastjsonschema.compile(schema, handlers={"https": local})


@pytest.fixture(scope="module")
def validate_alert():
    return load_schema("alert.v2.json")


@pytest.fixture(scope="module")
def validate_letter():
    return load_schema("dead-letter.v1.json")


def visit(status: str = "ongoing", event_id: str = "lv-0123456789abcdef") -> dict:
    return {
        "schema": "newsmon.event.v1",
        "type": "leader_visit",
        "event_id": event_id,
        "article_id": "a1",
        "visitor": {"name": "Vladimir Putin", "title": "President", "country": "RUS"},
        "host": {"country": "PRK", "city": "Pyongyang", "leader": "Kim Jong Un"},
        "status": status,
        "when": "Wednesday",
        "evidence": [{"text": "Putin landed in Pyongyang.", "start": 0, "end": 26}],
        "confidence": 0.9,
    }


ARTICLE = {"id": "a1", "url": "https://example.org/a1", "title": "T", "source": "wire"}


def test_first_report_alerts(validate_alert):
    d = resolve(None, visit(), ARTICLE, "articles/0/0", T0, POLICY)
    (alert,) = d.records
    validate_alert(alert)
    assert alert["kind"] == "alert" and alert["report_count"] == 1
    assert alert["article"] == {**ARTICLE, "published_at": None}
    assert alert["detected_at"] == "2024-06-19T03:00:00Z"
    assert [s["outlet"] for s in alert["sources"]] == ["wire"]
    assert alert["status"] == "ongoing" and alert["previous_visit"] is None


def test_later_reports_count_and_update_but_do_not_alert(validate_alert):
    first = resolve(None, visit(), ARTICLE, "articles/0/0", T0, POLICY).state
    other = {"id": "b2", "url": "https://news.example.com/x"}
    d = resolve(first, visit(), other, "articles/1/7", T0 + timedelta(hours=1), POLICY)
    (update,) = d.records
    validate_alert(update)
    assert update["kind"] == "update" and update["report_count"] == 2
    assert [s["outlet"] for s in update["sources"]] == ["wire", "news.example.com"]
    assert update["article"]["id"] == "a1"  # still the first article
    assert update["last_article"]["id"] == "b2"
    assert update["detected_at"] == "2024-06-19T03:00:00Z"
    again = resolve(d.state, visit(), ARTICLE, "articles/2/3", T0, POLICY)
    (record,) = again.records
    assert record["report_count"] == 3 and len(record["sources"]) == 2


def test_a_status_change_validates(validate_alert):
    first = resolve(None, visit("planned"), ARTICLE, "articles/0/0", T0, POLICY).state
    d = resolve(first, visit(), ARTICLE, "articles/0/1", T0, POLICY)
    (change,) = d.records
    validate_alert(change)
    assert (change["kind"], change["previous_status"], change["status"]) == (
        "status_changed",
        "planned",
        "ongoing",
    )
    assert "CHANGE" in summary(change) and "planned -> ongoing" in summary(change)


def test_redelivered_report_is_not_counted_twice():
    first = resolve(None, visit(), ARTICLE, "articles/0/0", T0, POLICY).state
    d = resolve(first, visit(), ARTICLE, "articles/0/0", T0, POLICY)
    assert d.state is None and d.records == []


def test_past_visits_are_tracked_but_not_alerted():
    d = resolve(None, visit("past"), ARTICLE, "articles/0/0", T0, POLICY)
    assert d.records == [] and d.state["events"][0]["alerted"] is False
    later = resolve(d.state, visit("past"), ARTICLE, "articles/0/1", T0, POLICY)
    assert later.records == [] and later.state["events"][0]["report_count"] == 2
    loud = resolve(None, visit("past"), ARTICLE, "x/0/0", T0, Policy(alert_past_visits=True))
    assert [r["kind"] for r in loud.records] == ["alert"]


def test_an_event_not_reported_past_the_retention_is_forgotten():
    short = Policy(retention=timedelta(days=7))
    first = resolve(None, visit(), ARTICLE, "articles/0/0", T0, short).state
    late = resolve(first, visit(), ARTICLE, "articles/0/2", T0 + timedelta(days=14), short)
    assert [r["kind"] for r in late.records] == ["alert"]
    assert len(late.state["events"]) == 1


def test_missing_article_header_falls_back_to_the_event():
    d = resolve(None, visit(), None, "events/0/0", T0, POLICY)
    assert d.records[0]["article"]["id"] == "a1"
    assert [s["article_id"] for s in d.records[0]["sources"]] == ["a1"]


def test_summary_is_one_readable_line():
    line = summary(resolve(None, visit(), ARTICLE, "a/0/0", T0, POLICY).records[0])
    assert "ALERT" in line and "Vladimir Putin (RUS) -> PRK (Pyongyang)" in line
    assert "\n" not in line


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "empty_message"),
        (b"\xff\xfe not utf-8", "not_utf8"),
        (b'{"id": "x", "text": ', "bad_json"),
        (b"[1, 2]", "not_an_object"),
        (b'{"id": "x"}', "missing_field"),
        (b'{"id": "x", "text": 42}', "wrong_type"),
        (b'{"id": "x", "text": "   "}', "empty_text"),
        (json.dumps({"id": "x", "text": "a" * 101}).encode(), "text_too_large"),
    ],
)
def test_validate_gives_the_reason(raw, reason):
    result = validate(raw, max_text_bytes=100)
    assert isinstance(result, InvalidArticle)
    assert result.reason == reason


def test_validate_accepts_an_article():
    article = validate(b'{"id": "x", "text": "Putin arrived."}', 100)
    assert not isinstance(article, InvalidArticle) and article.id == "x"


def test_dead_letter_keeps_the_original_bytes(validate_letter):
    raw = b"\xff\x00 garbage"
    error = validate(raw, 100)
    letter = dead_letter(
        error, topic="newsmon.articles", partition=2, offset=41, value=raw, key=b"k"
    )
    validate_letter(letter)
    assert letter["reason"] == "not_utf8"
    assert letter["source"] == {
        "topic": "newsmon.articles",
        "partition": 2,
        "offset": 41,
        "timestamp": None,
    }
    assert original_value(letter) == raw
    assert json.loads(json.dumps(letter)) == letter


def test_settings_from_environment():
    env = {
        "NEWSMON_BROKER": "kafka://10.0.0.1:9093;10.0.0.2:9093",
        "NEWSMON_PARTITIONS": "8",
        "NEWSMON_ALERT_PAST_VISITS": "yes",
        "NEWSMON_TOPIC_PREFIX": "test",
        "NEWSMON_DEDUP_RETENTION_DAYS": "1.5",
    }
    s = Settings.from_env(env)
    assert s.bootstrap == "10.0.0.1:9093,10.0.0.2:9093"
    assert s.partitions == 8 and s.alert_past_visits is True and s.dedup_retention_days == 1.5
    assert s.articles_topic == "test.articles"
    assert s.updates_topic == "test.alerts.updates"
    assert s.type_topic("leader_visit") == "test.alerts.leader_visit"
    assert Settings.from_env({}, broker="kafka://h:1").broker == "kafka://h:1"
    assert Settings.from_env({}).max_text_bytes == 1 << 20
    assert bootstrap_servers("h:1") == "h:1"
    with pytest.raises(ValueError):
        Settings.from_env({"NEWSMON_ALERT_PAST_VISITS": "maybe"})


def test_the_backlog_is_unknown_while_the_group_coordinator_moves():
    """A coordinator that is moving or loading (a cluster just started) is no backlog of
    zero and no error: the callers wait and ask again."""
    from kafka.errors import CoordinatorLoadInProgressError, NotCoordinatorError

    from streams.clients import uncommitted
    from streams.settings import Settings

    class Consumer:
        def partitions_for_topic(self, topic):
            return {0}

        def end_offsets(self, tps):
            return {tp: 5 for tp in tps}

    for error in (NotCoordinatorError, CoordinatorLoadInProgressError):

        class Admin:
            def list_group_offsets(self, groups, _error=error):
                raise _error()

        assert uncommitted(Settings(), Consumer(), Admin()) is None
