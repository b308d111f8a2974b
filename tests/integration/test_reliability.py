"""Harm done for real on the real broker: workers killed with SIGKILL mid-stream, a second
worker taking over. Every article must end up accounted for, every alert exactly once."""

from __future__ import annotations

import json
import os
import random
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from streams.broker import free_port
from streams.clients import publish_raw
from streams.dlq import original_value

from .test_pipeline import Offline, check_alerts_once, corpus_articles, where_lost

pytestmark = pytest.mark.integration

ARTICLES = 2000
BAD = [b"{not json", b'{"id": "bad-empty", "text": ""}', b"\xff\xfe\xfd"]


FILLER_SUBJECTS = [
    "Shares of regional banks",
    "The city council",
    "A local football club",
    "Wheat futures",
    "The weather service",
    "A museum in the old town",
    "Researchers at the university",
    "The transport authority",
]
FILLER_VERBS = [
    "rose sharply",
    "announced new opening hours",
    "reported a quiet week",
    "fell slightly",
    "warned of heavy rain",
    "published its annual figures",
    "opened a new exhibition",
    "extended a consultation",
]
FILLER_ENDS = [
    "on Monday.",
    "after a long debate.",
    "as expected.",
    "for the third time.",
    "despite the cold.",
    "ahead of the holidays.",
]


def filler(n: int, rng: random.Random) -> dict:
    """A short piece of ordinary news: no leader, no travel, no sanctions."""
    sentences = [
        f"{rng.choice(FILLER_SUBJECTS)} {rng.choice(FILLER_VERBS)} {rng.choice(FILLER_ENDS)}"
        for _ in range(rng.randint(2, 5))
    ]
    text = " ".join(sentences)
    return {"id": f"filler-{n}", "text": text, "published_at": "2024-06-19T08:00:00Z"}


def stream_of(originals: list[dict], total: int, copies: int = 300) -> list[dict]:
    """`total` articles, shuffled: the corpus once, `copies` corpus articles again under
    new ids (same text and date: duplicate reports, not new alerts), and short ordinary
    news for the rest."""
    rng = random.Random(7)
    again = [
        {**originals[n % len(originals)], "id": f"{originals[n % len(originals)]['id']}~{n}"}
        for n in range(copies)
    ]
    rest = [filler(n, rng) for n in range(total - len(originals) - copies)]
    articles = [*originals, *again, *rest]
    rng.shuffle(articles)
    return articles


def messages(articles: list[dict], pause: float) -> Iterator[tuple[bytes | None, bytes]]:
    """Each article as a message, a bad message after every 250th; `pause` s apart."""
    for n, article in enumerate(articles, 1):
        yield article["id"].encode(), json.dumps(article).encode()
        if n % 250 == 0:
            yield None, BAD[n // 250 % len(BAD)]
        time.sleep(pause)


def start_publishing(settings, articles: list[dict], pause: float) -> threading.Thread:
    """Publish `messages(articles, pause)` from a background thread, while the test does
    harm; join it (and check it finished) before checking the outcome."""
    publisher = threading.Thread(
        target=lambda: list(publish_raw(settings, messages(articles, pause))), daemon=True
    )
    publisher.start()
    return publisher


def expected_events(offline: Offline, articles: list[dict]) -> list[dict]:
    """The offline events of each article (`offline` ran over the originals and the
    fillers); a copy `id~n` has the events of `id`."""
    by_article: dict[str, list[dict]] = {}
    for event in offline.events():
        by_article.setdefault(event["article_id"], []).append(event)
    return [
        {**event, "article_id": article["id"]}
        for article in articles
        for event in by_article.get(article["id"].split("~")[0], [])
    ]


def originals_of(articles: list[dict]) -> list[dict]:
    """What the offline extractor needs to see: every article but the copies."""
    return [a for a in articles if "~" not in a["id"]]


def check_accounted(settings, read_topic, articles: list[dict], events: list[dict]) -> None:
    """Every article has exactly its offline events on the events topic, every bad
    message is in the DLQ, and every alertable event has exactly one alert."""
    streamed = {
        (e["article_id"], e["event_id"]) for e in read_topic("--topic", settings.events_topic)
    }
    expected = {(e["article_id"], e["event_id"]) for e in events}
    assert streamed == expected, where_lost(settings, {a for a, _ in expected - streamed})
    # dead letters are at-least-once too: a re-read after a crash may repeat one
    dead = {
        (d["source"]["partition"], d["source"]["offset"]): d
        for d in read_topic("--topic", settings.dlq_topic)
    }
    assert len(dead) == len(articles) // 250
    assert {original_value(d) for d in dead.values()} <= set(BAD)
    check_alerts_once(read_topic(), events)


def owned_partitions(port: int, topic: str) -> list[str]:
    """The articles partitions a worker reports lag for on its /metrics."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            text = r.read().decode()
    except OSError:
        return []
    return [
        s.labels["partition"]
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "newsmon_consumer_lag_messages" and s.labels["topic"] == topic
    ]


def test_sigkill_at_random_moments_loses_nothing_and_duplicates_no_alert(
    tmp_path, env, settings, start_worker, read_topic, wait_drained
):
    seed = int(os.environ.get("NEWSMON_TEST_SEED", time.time()))
    rng = random.Random(seed)
    print(f"kill schedule seed: NEWSMON_TEST_SEED={seed}")
    originals = corpus_articles()
    articles = stream_of(originals, ARTICLES)
    offline = Offline(env, tmp_path / "originals.jsonl", originals_of(articles))

    worker = start_worker()
    worker.wait_ready()
    publisher = start_publishing(settings, articles, 0.02)
    for _ in range(5):
        time.sleep(rng.uniform(2.0, 12.0))
        assert worker.process.poll() is None, worker.output()[-3000:]
        worker.kill()
        worker = start_worker()
        worker.wait_ready()
    publisher.join(timeout=120)
    assert not publisher.is_alive()
    wait_drained([worker], timeout=600)

    check_accounted(settings, read_topic, articles, expected_events(offline, articles))


def test_two_workers_share_the_stream_and_one_takes_over_when_the_other_dies(
    tmp_path, env, settings, start_worker, read_topic, wait_drained
):
    originals = corpus_articles()
    articles = stream_of(originals, 800)
    offline = Offline(env, tmp_path / "originals.jsonl", originals_of(articles))

    ports = [free_port(), free_port()]
    first, second = (start_worker(NEWSMON_METRICS_PORT=str(p)) for p in ports)
    publisher = start_publishing(settings, articles, 0.01)
    # both own some article partitions (each exports lag only for its own partitions)
    deadline = time.monotonic() + 120
    while not all(owned_partitions(p, settings.articles_topic) for p in ports):
        assert time.monotonic() < deadline, "the two workers never shared the partitions"
        time.sleep(1.0)
    owned = [set(owned_partitions(p, settings.articles_topic)) for p in ports]
    assert not owned[0] & owned[1]
    second.kill()
    publisher.join(timeout=120)
    assert not publisher.is_alive()
    wait_drained([first], timeout=600)

    check_accounted(settings, read_topic, articles, expected_events(offline, articles))
