"""The worker's Prometheus metrics: names, labels and the `/metrics` endpoint.

Every label takes values from a fixed set (reasons, types, statuses, ISO codes, the
worker's own partitions), so the number of series stays bounded. Label combinations
that are known up front are created at zero so that rates exist before the first event.
"""

from __future__ import annotations

import platform
import re
from importlib import metadata

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from . import __version__, kinds

REJECT_REASONS = (
    "empty_message",
    "not_utf8",
    "bad_json",
    "not_an_object",
    "missing_field",
    "wrong_type",
    "empty_id",
    "empty_text",
    "text_too_large",
    "bad_timestamp",
    "field_too_large",
    "bad_unicode",
    "extraction_failed",
)
OTHER = "other"
CODE = re.compile(r"[A-Z0-9]{2,4}")

EXTRACTION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
END_TO_END_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "none"


class Metrics:
    """All metrics of one worker, registered in their own registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.consumed = Counter(
            "newsmon_articles_consumed", "Messages read from the articles topic", registry=r
        )
        self.rejected = Counter(
            "newsmon_articles_rejected", "Messages dead-lettered, by reason", ["reason"], registry=r
        )
        self.events = Counter(
            "newsmon_events_extracted", "Events extracted, by type and status",
            ["type", "status"], registry=r,
        )  # fmt: skip
        self.alerts = Counter(
            "newsmon_alerts_published", "Alerts published (first reports), by type", ["type"],
            registry=r,
        )  # fmt: skip
        self.pairs = Counter(
            "newsmon_alert_country_pairs",
            "Alerts by country pair: visitor -> host, accuser -> accused",
            ["type", "from_country", "to_country"],
            registry=r,
        )
        self.duplicates = Counter(
            "newsmon_duplicates_suppressed",
            "Later reports of a known event, which raise its report count instead of alerting",
            ["type"],
            registry=r,
        )
        self.status_changes = Counter(
            "newsmon_status_changes",
            "Planned visits first reported under way (status_changed alerts)",
            ["type"],
            registry=r,
        )
        self.extraction = Histogram(
            "newsmon_extraction_seconds", "Each article's own extraction time",
            buckets=EXTRACTION_BUCKETS, registry=r,
        )  # fmt: skip
        self.end_to_end = Histogram(
            "newsmon_end_to_end_seconds",
            "From the article's arrival on the articles topic (record timestamp) to its alert",
            buckets=END_TO_END_BUCKETS,
            registry=r,
        )
        self.lag = Gauge(
            "newsmon_consumer_lag_messages",
            "End offset minus committed offset, per assigned input partition",
            ["topic", "partition"],
            registry=r,
        )
        self.up = Gauge(
            "newsmon_worker_up", "1 while the worker has joined its group and consumes", registry=r
        )
        self.build = Gauge(
            "newsmon_build_info", "Versions this worker runs, always 1",
            ["version", "python", "faust", "spacy", "model"], registry=r,
        )  # fmt: skip
        for reason in REJECT_REASONS:
            self.rejected.labels(reason)
        for kind in kinds.all_kinds():
            self.alerts.labels(kind.name)
            self.duplicates.labels(kind.name)
            for status in kind.statuses:
                self.events.labels(kind.name, status)

    def set_build(self, model: str) -> None:
        self.build.labels(
            __version__,
            platform.python_version(),
            _version("faust-streaming"),
            _version("spacy"),
            model,
        ).set(1)

    def reject(self, reason: str) -> None:
        self.rejected.labels(reason if reason in REJECT_REASONS else OTHER).inc()

    def extracted(self, event: dict) -> None:
        kind = kinds.get(event.get("type", ""))
        if kind is None:
            return
        status = kind.status(event)
        self.events.labels(kind.name, status if status in kind.statuses else OTHER).inc()

    def alerted(self, event: dict, seconds_since_arrival: float | None) -> None:
        kind = event["type"]
        self.alerts.labels(kind).inc()
        for source, target in country_pairs(event):
            self.pairs.labels(kind, source, target).inc()
        if seconds_since_arrival is not None:
            self.end_to_end.observe(max(0.0, seconds_since_arrival))

    def set_lag(self, lags: dict[tuple[str, int], int]) -> None:
        """Lag of exactly the partitions in `lags`; series of others are removed."""
        current = {(topic, str(partition)): n for (topic, partition), n in lags.items()}
        for labels in list(self._lag_labels()):
            if labels not in current:
                self.lag.remove(*labels)
        for labels, n in current.items():
            self.lag.labels(*labels).set(n)

    def _lag_labels(self) -> list[tuple[str, str]]:
        return [
            (s.labels["topic"], s.labels["partition"])
            for metric in self.lag.collect()
            for s in metric.samples
        ]

    def serve(self, host: str, port: int) -> None:
        """Serves `/metrics` on host:port in a background thread."""
        start_http_server(port, addr=host, registry=self.registry)


def _code(code: object) -> str:
    """An ISO alpha-3 or body code as a label value; anything else is `other`."""
    return code if isinstance(code, str) and CODE.fullmatch(code) else OTHER


def country_pairs(event: dict) -> list[tuple[str, str]]:
    """(from, to) country codes of an event (`Kind.country_pairs`: visitor -> host, each
    accuser -> accused), as label values."""
    return [(_code(a), _code(b)) for a, b in kinds.of(event).country_pairs(event)]
