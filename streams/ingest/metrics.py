"""Prometheus metrics of `newsmon ingest`, in their own registry; served on
`NEWSMON_INGEST_METRICS_HOST:NEWSMON_INGEST_METRICS_PORT` when the port is not 0.
Every label takes its values from a fixed set (anything else is `other`)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, start_http_server

from .feeds import FeedError
from .fetch import REASONS as FETCH_REASONS

OTHER = "other"
OUTCOMES = ("fetched", "published", "skipped", "failed")
FAILURE_REASONS = (
    *FETCH_REASONS,
    FeedError.reason,
    "no_text",
    "invalid_article",
    "publish_failed",
    OTHER,
)
FALLBACK_REASONS = ("no_link", "no_body", *FETCH_REASONS, OTHER)
POLL_STATUSES = ("ok", "not_modified", "failed")


class IngestMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.items = Counter(
            "newsmon_ingest_items",
            "Feed items: fetched (page downloaded), then published, skipped (seen) or failed",
            ["outcome"],
            registry=r,
        )
        self.failures = Counter(
            "newsmon_ingest_failures",
            "Failed feed polls and failed items, by reason",
            ["reason"],
            registry=r,
        )
        self.fallbacks = Counter(
            "newsmon_ingest_summary_fallbacks",
            "Items published with the feed's own text because the page gave none, by reason",
            ["reason"],
            registry=r,
        )
        self.polls = Counter(
            "newsmon_ingest_feed_polls", "Feed polls, by result", ["status"], registry=r
        )
        for outcome in OUTCOMES:
            self.items.labels(outcome)
        for reason in FAILURE_REASONS:
            self.failures.labels(reason)
        for reason in FALLBACK_REASONS:
            self.fallbacks.labels(reason)
        for status in POLL_STATUSES:
            self.polls.labels(status)

    def item(self, outcome: str) -> None:
        self.items.labels(outcome if outcome in OUTCOMES else OTHER).inc()

    def failure(self, reason: str) -> None:
        self.failures.labels(reason if reason in FAILURE_REASONS else OTHER).inc()

    def fallback(self, reason: str) -> None:
        self.fallbacks.labels(reason if reason in FALLBACK_REASONS else OTHER).inc()

    def poll(self, status: str) -> None:
        self.polls.labels(status if status in POLL_STATUSES else OTHER).inc()

    def value(self, name: str, **labels: str) -> float:
        """The current value of one series (for reports and tests)."""
        return self.registry.get_sample_value(name, labels) or 0.0

    def serve(self, host: str, port: int) -> None:
        start_http_server(port, addr=host, registry=self.registry)
