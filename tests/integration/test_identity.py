"""Event identity through a real worker on the embedded broker: visits told through their
life (tests/fixtures/resolution/lifecycles.jsonl: announcement, arrival, wrap-up by
different outlets) give one alert, one status change and updates each, with the ids
`newsmon extract` gives offline; a SIGKILL mid-stream changes nothing of that."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

import pytest

from streams.clients import publish_raw
from streams.identity import block_key
from streams.scoring import load_corpus, match_key

from ..conftest import FIXTURES
from .test_pipeline import Offline

pytestmark = pytest.mark.integration

LIFECYCLES = FIXTURES / "resolution" / "lifecycles.jsonl"


def lifecycle_articles(path=LIFECYCLES) -> list[dict]:
    """The articles in publication order (the order the stream sees them in)."""
    corpus = load_corpus(path)
    return [c.article.to_dict() for c in sorted(corpus, key=lambda c: c.article.published_at)]


def lifecycle_ids(offline_events: list[dict]) -> dict[str, set[str]]:
    """Each lifecycle's visit -> the offline ids its three reports got."""
    by_key = {
        match_key(e["article_id"], e): e["event_id"] for e in offline_events if "visitor" in e
    }
    rows = [json.loads(line) for line in LIFECYCLES.read_text(encoding="utf-8").splitlines()]
    main = {r["group"]: r for r in rows if r["role"] == "arrival"}
    out: dict[str, list[str]] = {}
    for row in rows:
        arrival = main[row["group"]]
        (key,) = {e["event_key"] for e in arrival["events"] if e["status"] == "ongoing"} or {None}
        for gold in row["events"]:
            if gold["event_key"] == key:
                found = by_key.get(match_key(row["article"]["id"], gold))
                if found:
                    out.setdefault(row["group"], []).append(found)
    return out


def check_lifecycles(settings, read_topic: Callable, offline_events: list[dict]) -> None:
    alerts = read_topic()
    updates = read_topic("--topic", settings.updates_topic)
    kinds = Counter((a["event_id"], a["kind"]) for a in alerts)
    assert [k for k, n in kinds.items() if n > 1] == [], "an alert or status change twice"
    groups = lifecycle_ids(offline_events)
    assert len(groups) >= 8
    one_id = [g for g, ids in groups.items() if len(set(ids)) == 1 and len(ids) >= 2]
    assert len(one_id) >= 7, groups  # the reports of a visit found: one id
    for group in one_id:
        event_id = groups[group][0]
        assert kinds[(event_id, "alert")] == 1, group
        assert kinds[(event_id, "status_changed")] == 1, group
        if len(groups[group]) >= 3:  # the wrap-up was found too: an update
            assert any(u["event_id"] == event_id for u in updates), group
    check_offline_ids([*alerts, *updates], offline_events)


def check_offline_ids(records: list[dict], offline_events: list[dict]) -> None:
    """The stream's ids are the offline ones: every record's report has its offline id."""
    offline: dict[tuple, set[str]] = {}
    for e in offline_events:
        offline.setdefault((e["article_id"], block_key(e)), set()).add(e["event_id"])
    assert records
    for record in records:
        report = (record["last_article"]["id"], block_key(record["event"]))
        assert record["event_id"] in offline[report], record["alert_id"]


def publish_in_order(settings, articles: list[dict], wait_drained, workers) -> None:
    """One article at a time, each read before the next goes (the articles topic is
    keyed by article id, so only this keeps the stream in publication order)."""
    for article in articles:
        publish_one(settings, article)
        wait_drained(workers)


def publish_one(settings, article: dict) -> None:
    list(publish_raw(settings, [(article["id"].encode(), json.dumps(article).encode())]))


def test_a_visit_told_through_its_life_alerts_once_and_changes_status_once(
    tmp_path, env, settings, start_worker, read_topic, wait_drained
):
    articles = lifecycle_articles()
    offline = Offline(env, tmp_path / "lifecycles.jsonl", articles, resolve=True)
    worker = start_worker()
    worker.wait_ready()
    publish_in_order(settings, articles, wait_drained, [worker])
    check_lifecycles(settings, read_topic, offline.events())


def test_a_sigkill_during_resolution_loses_nothing_and_repeats_nothing(
    tmp_path, env, settings, start_worker, read_topic, wait_drained
):
    articles = lifecycle_articles()
    offline = Offline(env, tmp_path / "lifecycles.jsonl", articles, resolve=True)
    worker = start_worker()
    worker.wait_ready()
    half = len(articles) // 2
    publish_in_order(settings, articles[:half], wait_drained, [worker])
    # the next report arrives and the worker dies while it works on it
    publish_one(settings, articles[half])
    worker.kill()
    worker = start_worker()
    worker.wait_ready()
    wait_drained([worker])
    publish_in_order(settings, articles[half + 1 :], wait_drained, [worker])
    check_lifecycles(settings, read_topic, offline.events())


def test_same_event_clusters_get_the_offline_ids_in_the_stream(
    tmp_path, env, settings, start_worker, read_topic, wait_drained
):
    """tests/fixtures/resolution/clusters.jsonl: 13 events reported three times by
    different outlets, and near-misses; one alert per event, the offline ids."""
    articles = lifecycle_articles(FIXTURES / "resolution" / "clusters.jsonl")
    offline = Offline(env, tmp_path / "clusters.jsonl", articles, resolve=True)
    worker = start_worker()
    worker.wait_ready()
    publish_in_order(settings, articles, wait_drained, [worker])
    alerts = read_topic()
    firsts = Counter(a["event_id"] for a in alerts if a["kind"] == "alert")
    assert [k for k, n in firsts.items() if n > 1] == []
    check_offline_ids([*alerts, *read_topic("--topic", settings.updates_topic)], offline.events())
