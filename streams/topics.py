"""The topics of the topology, declared on a Faust app (names from the settings)."""

from __future__ import annotations

from dataclasses import dataclass

import faust
from faust.types import TopicT

from .settings import EVENT_TYPES, Settings


@dataclass(frozen=True)
class Topics:
    articles: TopicT
    events: TopicT
    alerts: TopicT
    by_type: dict[str, TopicT]
    updates: TopicT
    dlq: TopicT


def declare(app: faust.App, settings: Settings) -> Topics:
    """Articles are read as raw bytes (validation is ours); everything else is JSON."""

    def topic(name: str, value_serializer: str = "json") -> TopicT:
        return app.topic(
            name,
            key_serializer="raw",
            value_serializer=value_serializer,
            partitions=settings.partitions,
        )

    return Topics(
        articles=topic(settings.articles_topic, "raw"),
        events=topic(settings.events_topic),
        alerts=topic(settings.alerts_topic),
        by_type={t: topic(settings.type_topic(t)) for t in EVENT_TYPES},
        updates=topic(settings.updates_topic),
        dlq=topic(settings.dlq_topic),
    )
