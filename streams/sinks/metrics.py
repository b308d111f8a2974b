"""Prometheus metrics of `newsmon deliver`, in their own registry, labelled by sink (the
names of `sinks.toml`: a fixed set); served on `--metrics-port` when given."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

LATENCY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)


class SinkMetrics:
    def __init__(self, sinks: Iterable[str], registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.delivered = Counter(
            "newsmon_sink_delivered", "Alerts delivered (a 2xx), by sink", ["sink"], registry=r
        )
        self.retried = Counter(
            "newsmon_sink_retried",
            "Attempts made again after a timeout, a connection error, 408, 429 or 5xx",
            ["sink"],
            registry=r,
        )
        self.failed = Counter(
            "newsmon_sink_failed",
            "Alerts dead-lettered: refused for good or out of attempts",
            ["sink"],
            registry=r,
        )
        self.filtered = Counter(
            "newsmon_sink_filtered", "Alerts the sink's filters left out", ["sink"], registry=r
        )
        self.latency = Histogram(
            "newsmon_sink_delivery_seconds",
            "From an alert's first attempt to its delivery or dead letter, retries included",
            ["sink"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.up = Gauge(
            "newsmon_sink_up",
            "1 while the sink runs and its endpoint answered its last attempt with a 2xx "
            "(or none was made yet); 0 while it fails, or when stopped",
            ["sink"],
            registry=r,
        )
        for name in sinks:
            for metric in (self.delivered, self.retried, self.failed, self.filtered):
                metric.labels(name)
            self.latency.labels(name)
            self.up.labels(name).set(0)

    def value(self, name: str, **labels: str) -> float:
        """The current value of one series (for reports and tests)."""
        return self.registry.get_sample_value(name, labels) or 0.0

    def serve(self, host: str, port: int) -> None:
        start_http_server(port, addr=host, registry=self.registry)
