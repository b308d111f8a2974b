"""The Faust app: settings in, a configured app with its topics, table and agents out."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import faust

from .settings import Settings


def create_app(settings: Settings) -> faust.App:
    """A Faust app on `settings.broker`; tables live in memory, backed by their changelog."""
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    return faust.App(
        settings.app_id,
        broker=settings.broker,
        store="memory://",
        datadir=settings.data_dir,
        topic_partitions=settings.partitions,
        topic_replication_factor=1,
        broker_rebalance_timeout=settings.rebalance_timeout,
        broker_commit_interval=settings.commit_interval,
        consumer_auto_offset_reset="earliest",
        producer_max_request_size=settings.max_message_bytes,
        consumer_max_fetch_size=settings.max_message_bytes,
        table_cleanup_interval=timedelta(hours=1).total_seconds(),
        web_enabled=False,
    )
