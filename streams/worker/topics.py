"""The topics of the topology, declared on a Faust app (names from the settings), and
created by the worker when it starts: a subscriber can subscribe to the alert topics
before the first alert, and the alerts keep the partitioning of the events they resolve."""

from __future__ import annotations

from dataclasses import dataclass

import faust
from faust.types import TopicT

from .. import kinds
from ..settings import Settings


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
            internal=True,  # ours: Faust creates the ones it reads before subscribing
        )

    return Topics(
        articles=topic(settings.articles_topic, "raw"),
        events=topic(settings.events_topic),
        alerts=topic(settings.alerts_topic),
        by_type={t: topic(settings.type_topic(t)) for t in kinds.names()},
        updates=topic(settings.updates_topic),
        dlq=topic(settings.dlq_topic),
    )


async def create_all(topics: Topics) -> None:
    """Creates every topic of the topology that does not exist yet, through the worker's
    own (connected, authenticated) producer."""
    for topic in (
        topics.articles, topics.events, topics.alerts, *topics.by_type.values(),
        topics.updates, topics.dlq,
    ):  # fmt: skip
        await topic.maybe_declare()


def too_few_partitions(counts: dict[str, int], events: str, alerts: list[str]) -> list[str]:
    """The alert topics with fewer partitions than the events topic: an alert is sent to
    the partition of its event, which such a topic does not have."""
    return [t for t in alerts if counts.get(t, 0) < counts.get(events, 0)]
