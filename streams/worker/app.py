"""The Faust app: settings in, a configured app out (its topics, table and agents are
declared on it by `pipeline.build`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import faust

from ..security import faust_credentials, mask_in_logs
from ..settings import Settings
from .consumer import App


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
