"""`newsmon worker --direct`: one Faust worker process, from the internals check to the
`newsmon worker ready` line (the supervisor, `supervise.py`, runs it as its child)."""

from __future__ import annotations

import asyncio
import sys

import faust

from ..extract import Extractor
from ..metrics import Metrics
from ..settings import Settings
from .app import create_app
from .consumer import InternalsChanged, check_internals
from .pipeline import Pipeline, build


def run_worker(settings: Settings) -> None:
    """Runs the worker until SIGTERM or Ctrl-C: loads the extractor, builds the agents,
    serves `/metrics`, prints `newsmon worker ready` to stderr after each rebalance."""
    _check_internals()
    metrics = Metrics()
    if settings.metrics_port:
        _serve_metrics(metrics, settings)
    app = create_app(settings)
    extractor = Extractor()
    metrics.set_build(extractor.model if extractor.statistical else "rule-only")
    pipeline = build(
        app,
        settings,
        lambda articles: [(found, s) for _, found, s in extractor.extract_timed(articles)],
        metrics,
    )
    _announce_readiness(app, pipeline, metrics)
    worker = faust.Worker(app, loglevel=settings.log_level, quiet=True)
    worker.execute_from_commandline()


def _check_internals() -> None:
    """Exit 2 (not restarted) on a Faust or aiokafka without what `consumer.py` overrides."""
    try:
        check_internals()
    except InternalsChanged as exc:
        print(f"newsmon worker: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _serve_metrics(metrics: Metrics, settings: Settings) -> None:
    """`/metrics` on the configured address; exit 2 (not restarted) when it is taken."""
    try:
        metrics.serve(settings.metrics_host, settings.metrics_port)
    except OSError as exc:
        print(
            f"newsmon worker: cannot serve metrics on "
            f"{settings.metrics_host}:{settings.metrics_port} ({exc.strerror}); "
            "set NEWSMON_METRICS_PORT to a free port, or 0 to turn metrics off",
            file=sys.stderr,
        )
        raise SystemExit(2) from None


def _announce_readiness(app: faust.App, pipeline: Pipeline, metrics: Metrics) -> None:
    """`newsmon_up` 1 and the ready line after each rebalance, once every topic exists;
    `newsmon_up` 0 when partitions are revoked."""
    announcing: set[asyncio.Task] = set()

    @app.on_rebalance_complete.connect
    async def ready(sender: object, **kwargs: object) -> None:
        # Faust starts the app's tasks (the one creating the topics) only after the first
        # rebalance: wait for it beside the rebalance, not inside it
        task = asyncio.ensure_future(announce())
        announcing.add(task)
        task.add_done_callback(announcing.discard)

    async def announce() -> None:
        await pipeline.topics_created.wait()
        metrics.up.set(1)
        print("newsmon worker ready", file=sys.stderr, flush=True)

    @app.on_partitions_revoked.connect
    async def rebalancing(sender: object, *args: object, **kwargs: object) -> None:
        metrics.up.set(0)
