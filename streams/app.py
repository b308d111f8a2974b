"""The Faust app: settings in, a configured app with its topics, table and agents out."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import faust

from .consumer import App, InternalsChanged, check_internals
from .security import faust_credentials, mask_in_logs
from .settings import Settings


def create_app(settings: Settings) -> faust.App:
    """A Faust app on `settings.broker`; tables live in memory, backed by their changelog.
    TLS and SASL (`NEWSMON_SECURITY_PROTOCOL`...) apply to every Kafka client Faust makes."""
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
    mask_in_logs(settings)
    return App(
        settings.app_id,
        broker=settings.broker,
        broker_credentials=faust_credentials(settings),
        store="memory://",
        datadir=settings.data_dir,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        broker_rebalance_timeout=settings.rebalance_timeout,
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=min(3.0, settings.session_timeout / 4),
        broker_commit_interval=settings.commit_interval,
        consumer_auto_offset_reset="earliest",
        producer_max_request_size=settings.max_message_bytes,
        producer_max_batch_size=settings.producer_batch_bytes,
        producer_linger=settings.producer_linger_ms / 1000,
        consumer_max_fetch_size=settings.max_message_bytes,
        table_cleanup_interval=timedelta(hours=1).total_seconds(),
        web_enabled=False,
        fetch_wait_ms=settings.fetch_wait_ms,
    )


def run_worker(settings: Settings) -> None:
    """Runs the worker until SIGTERM or Ctrl-C: loads the extractor, builds the agents,
    serves `/metrics`, prints `newsmon worker ready` to stderr after each rebalance."""
    import sys

    from .agents import build
    from .extract import Extractor
    from .metrics import Metrics

    try:
        check_internals()
    except InternalsChanged as exc:
        print(f"newsmon worker: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    metrics = Metrics()
    if settings.metrics_port:
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
    app = create_app(settings)
    extractor = Extractor()
    metrics.set_build(extractor.model if extractor.statistical else "rule-only")
    pipeline = build(
        app,
        settings,
        lambda articles: [(found, s) for _, found, s in extractor.extract_timed(articles)],
        metrics,
    )

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

    worker = faust.Worker(app, loglevel=settings.log_level, quiet=True)
    worker.execute_from_commandline()
