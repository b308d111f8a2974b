"""The streaming pipeline end to end: embedded broker, real worker, `newsmon publish` in,
`newsmon tail` out. No Kafka mocks; no timing assertions (only timeouts)."""

from __future__ import annotations

import base64
import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from kafka import KafkaConsumer, TopicPartition

from streams.clients import publish_raw, tail
from streams.dlq import KEEP_BYTES, original_value
from streams.identity import block_key
from streams.settings import Settings

from ..conftest import FIXTURES, REFERENCE
from ..test_stream_logic import load_schema
from .conftest import NEWSMON

pytestmark = pytest.mark.integration

CORPUS = FIXTURES / "corpus"
REFERENCE_ARTICLE = {
    "id": "putin-pyongyang-2024",
    "text": REFERENCE.read_text(encoding="utf-8"),
    "published_at": "2024-06-19T03:00:00Z",
    "source": "reference",
}
REWRITE = {
    "id": "rewrite-putin-landing",
    "source": "other-wire",
    "url": "https://other.example/putin-lands",
    "title": "Putin lands in Pyongyang",
    "published_at": "2024-06-19T09:30:00Z",
    "text": (
        "Russian President Vladimir Putin landed in Pyongyang early on Wednesday for a "
        "two-day state visit to North Korea, where he was greeted on the tarmac by leader "
        "Kim Jong Un.\nThe two leaders are expected to sign agreements on closer ties during "
        "talks in the North Korean capital, according to state media.\nKim and Putin embraced "
        "at the airport before driving into the city in a motorcade."
    ),
}


def signature(event: dict) -> tuple:
    if event["type"] == "leader_visit":
        return ("visit", event["visitor"]["country"], event["host"]["country"], event["status"])
    return ("sanctions", event["accused"])


def write_jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def where_lost(settings: Settings, article_ids: set[str]) -> str:
    """Where the articles whose events are missing sit on the articles topic, for the
    failure message: `partition/offset id`, and what the events topic saw per partition."""
    consumer = KafkaConsumer(bootstrap_servers=settings.bootstrap, group_id=None)
    try:
        lines = []
        for topic in (settings.articles_topic, settings.events_topic):
            tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
            consumer.assign(tps)
            consumer.seek_to_beginning(*tps)
            ends = consumer.end_offsets(tps)
            while any(consumer.position(tp) < end for tp, end in ends.items()):
                for records in consumer.poll(timeout_ms=1000).values():
                    for r in records:
                        key = (r.key or b"").decode("utf-8", "replace")
                        origin = dict(r.headers or []).get("newsmon-origin", b"").decode()
                        if topic == settings.articles_topic and key in article_ids:
                            lines.append(f"lost {r.partition}/{r.offset} {key}")
                        elif topic == settings.events_topic:
                            lines.append(f"event from {origin}")
        return "\n".join(sorted(lines))
    finally:
        consumer.close()


def corpus_articles(*names: str) -> list[dict]:
    files = [CORPUS / n for n in names] if names else sorted(CORPUS.glob("*.jsonl"))
    return [json.loads(line)["article"] for f in files for line in f.open(encoding="utf-8")]


class Offline:
    """`Extractor().extract_many` over some articles, in a `newsmon extract` subprocess
    (the same code as the worker), started now, read later."""

    def __init__(
        self, env: dict[str, str], path: Path, articles: list[dict], resolve: bool = False
    ) -> None:
        """`resolve`: one id per real-world event (as alerts carry); else each article's
        own ids (as the events topic carries)."""
        write_jsonl(path, *articles)
        self.process = subprocess.Popen(
            [*NEWSMON, "extract", str(path), *([] if resolve else ["--no-resolve"])],
            env=env,
            cwd=env["PYTHONPATH"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def events(self) -> list[dict]:
        out, errors = self.process.communicate(timeout=300)
        assert self.process.returncode == 0, errors
        return [json.loads(line) for line in out.splitlines()]


def check_alerts_once(alerts: list[dict], events: list[dict]) -> None:
    """No alert record twice, no event alerted twice, and an alert for every identity
    block in which the offline extractor found an alertable event."""
    assert [k for k, n in Counter(a["alert_id"] for a in alerts).items() if n > 1] == []
    firsts = Counter(a["event_id"] for a in alerts if a["kind"] == "alert")
    assert [k for k, n in firsts.items() if n > 1] == []
    alertable = {block_key(e) for e in events if e.get("status") != "past"}
    assert {block_key(a["event"]) for a in alerts} == alertable


def test_reference_alerts_once_and_later_reports_raise_the_count(
    tmp_path, settings, start_worker, newsmon, read_topic, wait_drained
):
    worker = start_worker()
    reference = write_jsonl(tmp_path / "reference.jsonl", REFERENCE_ARTICLE)
    published = newsmon("publish", str(reference))
    assert published.returncode == 0, published.stderr
    assert "1 articles published" in published.stderr
    wait_drained([worker])

    alerts = read_topic()
    validate_alert = load_schema("alert.v2.json")
    for alert in alerts:
        validate_alert(alert)
    assert sorted(signature(a["event"]) for a in alerts) == sorted(
        [
            ("visit", "RUS", "PRK", "ongoing"),
            ("visit", "RUS", "VNM", "planned"),
            ("sanctions", "PRK"),
            ("sanctions", "RUS"),
        ]
    )
    assert {a["report_count"] for a in alerts} == {1}
    assert {a["article"]["id"] for a in alerts} == {"putin-pyongyang-2024"}
    visits = read_topic("--type", "leader_visit")
    assert sorted(a["event_id"] for a in visits) == sorted(
        a["event_id"] for a in alerts if a["type"] == "leader_visit"
    )

    # three more copies of the same article, and a rewrite from another source
    rewrite = write_jsonl(tmp_path / "rewrite.jsonl", REWRITE)
    again = newsmon("publish", str(reference), str(reference), str(reference), str(rewrite))
    assert again.returncode == 0, again.stderr
    assert "4 articles published" in again.stderr
    wait_drained([worker])

    assert sorted(a["event_id"] for a in read_topic()) == sorted(a["event_id"] for a in alerts)
    latest: dict[str, dict] = {}
    for update in read_topic("--topic", settings.updates_topic):
        validate_alert(update)
        assert update["kind"] == "update"
        if (
            update["report_count"]
            > latest.get(update["event_id"], {"report_count": 0})["report_count"]
        ):
            latest[update["event_id"]] = update
    counts = {signature(u["event"]): u["report_count"] for u in latest.values()}
    assert counts == {
        ("visit", "RUS", "PRK", "ongoing"): 5,
        ("visit", "RUS", "VNM", "planned"): 4,
        ("sanctions", "PRK"): 4,
        ("sanctions", "RUS"): 4,
    }
    landing = next(u for u in latest.values() if u["report_count"] == 5)
    assert [s["outlet"] for s in landing["sources"]] == ["reference", "other-wire"]
    assert landing["article"]["id"] == "putin-pyongyang-2024"

    # the readable form
    readable = newsmon("tail", "--from-beginning", "--max", "4", "--timeout", "30")
    assert readable.returncode == 0, readable.stderr
    assert readable.stdout.count("ALERT ") == 4
    assert "Vladimir Putin (RUS) -> PRK" in readable.stdout


def test_corpus_through_the_stream_matches_the_offline_extractor(
    tmp_path, env, settings, start_worker, newsmon, read_topic, wait_drained
):
    worker = start_worker()
    articles = corpus_articles()
    offline = Offline(env, tmp_path / "corpus.jsonl", articles)
    published = newsmon("publish", str(CORPUS))
    assert published.returncode == 0, published.stderr
    assert f"{len(articles)} articles published" in published.stderr
    events = offline.events()
    expected = {(e["article_id"], e["event_id"]) for e in events}
    wait_drained([worker])

    streamed = read_topic("--topic", settings.events_topic)
    assert {(e["article_id"], e["event_id"]) for e in streamed} == expected
    assert read_topic("--topic", settings.dlq_topic, idle=1.0) == []
    check_alerts_once(read_topic(), events)


BAD_INPUT = [
    (b"not-utf8", b'{"id": "x", "text": "caf\xe9"}', "not_utf8"),
    (b"bad-json", b'{"id": "bad-json", "text": "Putin', "bad_json"),
    (b"not-object", b'["id", "text"]', "not_an_object"),
    (b"missing", json.dumps({"id": "missing"}).encode(), "missing_field"),
    (b"wrong-type", json.dumps({"id": "wrong-type", "text": 42}).encode(), "wrong_type"),
    (b"empty", json.dumps({"id": "empty", "text": " \n "}).encode(), "empty_text"),
    (
        b"too-large",
        json.dumps({"id": "too-large", "text": "Putin visits. " * 80_000}).encode(),
        "text_too_large",
    ),
    (
        b"bad-time",
        json.dumps({"id": "t", "text": "x", "published_at": "soon"}).encode(),
        "bad_timestamp",
    ),
    (b"null", None, "empty_message"),
]


def test_bad_input_goes_to_the_dlq_and_good_articles_still_alert(
    settings, start_worker, read_topic, wait_drained
):
    worker = start_worker()
    good = [
        (b"ref", json.dumps(REFERENCE_ARTICLE).encode()),
        (b"rewrite", json.dumps(REWRITE).encode()),
    ]
    batch = [good[0], *[(k, v) for k, v, _ in BAD_INPUT], good[1]]
    assert list(publish_raw(settings, batch))[-1] == len(batch)
    wait_drained([worker])

    letters = read_topic("--topic", settings.dlq_topic)
    validate_letter = load_schema("dead-letter.v1.json")
    by_key = {}
    for letter in letters:
        validate_letter(letter)
        by_key[base64.b64decode(letter["key_b64"])] = letter
    assert {k: v["reason"] for k, v in by_key.items()} == {k: r for k, _, r in BAD_INPUT}
    for key, value, _ in BAD_INPUT:
        letter = by_key[key]
        assert original_value(letter) == (value[:KEEP_BYTES] if value else value)
        assert letter["value_truncated"] == (value is not None and len(value) > KEEP_BYTES)
        assert letter["source"]["topic"] == settings.articles_topic
        assert letter["source"]["offset"] >= 0 and 0 <= letter["source"]["partition"] < 4

    alerts = read_topic()
    assert len(alerts) == 4
    assert {a["article"]["id"] for a in alerts} == {"putin-pyongyang-2024"}
    assert worker.process.poll() is None  # the agent never crashes on input


def test_restart_mid_stream_loses_nothing_and_duplicates_no_alert(
    tmp_path, env, settings, start_worker, newsmon, read_topic, wait_drained
):
    articles = corpus_articles("dev_a.jsonl", "dev_b.jsonl", "dev_c.jsonl")
    offline = Offline(env, tmp_path / "articles.jsonl", articles)
    worker = start_worker()
    worker.wait_ready()
    published = newsmon("publish", str(CORPUS / "dev_a.jsonl"), str(CORPUS / "dev_b.jsonl"))
    assert published.returncode == 0, published.stderr
    # stop once the worker is visibly mid-stream
    seen = list(tail(settings, [settings.alerts_topic], from_beginning=True, max_messages=5))
    assert len(seen) == 5
    assert worker.stop() == 0, worker.output()[-3000:]

    more = newsmon("publish", str(CORPUS / "dev_c.jsonl"), str(CORPUS / "dev_a.jsonl"))
    assert more.returncode == 0, more.stderr
    restarted = start_worker()
    wait_drained([restarted])

    events = offline.events()
    streamed = {
        (e["article_id"], e["event_id"]) for e in read_topic("--topic", settings.events_topic)
    }
    expected = {(e["article_id"], e["event_id"]) for e in events}
    assert streamed == expected, where_lost(settings, {a for a, _ in expected - streamed})
    check_alerts_once(read_topic(), events)
