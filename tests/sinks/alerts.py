"""Alerts as the worker writes them (schemas/alert.v2.json), for the sink tests."""

from __future__ import annotations

import copy

SOURCE = {
    "article_id": "putin-pyongyang-2024",
    "url": "https://wire.example/putin-pyongyang?a=1&b=2",
    "outlet": "reference",
    "title": "Putin arrives in Pyongyang",
    "published_at": "2024-06-19T03:00:00Z",
}
ARTICLE = {
    "id": "putin-pyongyang-2024",
    "url": SOURCE["url"],
    "title": SOURCE["title"],
    "source": "reference",
    "published_at": "2024-06-19T03:00:00Z",
}
TIMES = {
    "detected_at": "2024-06-19T03:00:05Z",
    "updated_at": "2024-06-19T03:00:05Z",
    "first_seen": "2024-06-19T03:00:00Z",
    "last_seen": "2024-06-19T03:00:00Z",
}
VISIT = {
    "schema": "newsmon.alert.v2",
    "kind": "alert",
    "alert_id": "lv-0123456789abcdef:alert:1",
    "event_id": "lv-0123456789abcdef",
    "type": "leader_visit",
    "status": "ongoing",
    "previous_status": None,
    "previous_visit": None,
    "event": {
        "schema": "newsmon.event.v1",
        "type": "leader_visit",
        "event_id": "lv-0123456789abcdef",
        "article_id": "putin-pyongyang-2024",
        "confidence": 0.9,
        "evidence": [{"text": "Putin arrived in Pyongyang", "start": 0, "end": 26}],
        "visitor": {"name": "Vladimir Putin", "title": "President", "country": "RUS"},
        "host": {"country": "PRK", "city": "Pyongyang", "leader": "Kim Jong Un"},
        "status": "ongoing",
        "when": "Wednesday",
    },
    "article": ARTICLE,
    "last_article": ARTICLE,
    **TIMES,
    "report_count": 1,
    "sources": [SOURCE],
}
ALLEGATION = {
    "schema": "newsmon.alert.v2",
    "kind": "alert",
    "alert_id": "sa-fedcba9876543210:alert:1",
    "event_id": "sa-fedcba9876543210",
    "type": "sanctions_allegation",
    "event": {
        "schema": "newsmon.event.v1",
        "type": "sanctions_allegation",
        "event_id": "sa-fedcba9876543210",
        "article_id": "putin-pyongyang-2024",
        "confidence": 0.7,
        "evidence": [{"text": "supplied arms", "start": 10, "end": 23}],
        "accusers": ["USA", "KOR"],
        "accused": "PRK",
        "counterparties": ["RUS"],
        "subject": "arms",
        "denied": False,
    },
    "article": ARTICLE,
    "last_article": ARTICLE,
    **TIMES,
    "report_count": 1,
    "sources": [SOURCE],
}


def visit(**changes: object) -> dict:
    alert = copy.deepcopy(VISIT)
    alert.update(changes)
    return alert


def allegation(**changes: object) -> dict:
    alert = copy.deepcopy(ALLEGATION)
    alert.update(changes)
    return alert
