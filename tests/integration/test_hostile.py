"""The hostile-input corpus through a real worker on the real broker: every message ends
alerted, eventless or dead-lettered with its reason; the worker neither crashes nor stalls."""

from __future__ import annotations

import pytest
from kafka import KafkaProducer

from ..fuzz import MIB, hostile_messages

pytestmark = pytest.mark.integration


def test_every_hostile_message_ends_processed_or_dead_lettered(
    settings, start_worker, read_topic, wait_drained
):
    worker = start_worker()
    worker.wait_ready()
    producer = KafkaProducer(
        bootstrap_servers=settings.bootstrap,
        acks="all",
        batch_size=0,
        max_request_size=16 * MIB,
    )
    sent: dict[tuple[int, int], tuple[str, str | None]] = {}
    try:
        for name, raw, expected in hostile_messages():
            meta = producer.send(settings.articles_topic, key=name.encode(), value=raw).get(60)
            sent[(meta.partition, meta.offset)] = (name, expected)
    finally:
        producer.close()
    wait_drained([worker], timeout=600)  # the bound on every message's time

    dead = {
        (d["source"]["partition"], d["source"]["offset"]): d
        for d in read_topic("--topic", settings.dlq_topic)
    }
    for where, (name, expected) in sent.items():
        if expected is None:
            assert where not in dead, (name, dead.get(where, {}).get("reason"))
        else:
            assert where in dead, f"{name} was not dead-lettered"
            assert expected == "*" or dead[where]["reason"] == expected, name
    assert any(d["value_truncated"] for d in dead.values())  # the 10 MiB ones
    alerts = read_topic()
    assert {a["article"]["id"] for a in alerts} >= {"reference"}
    output = worker.output()
    assert "exited with status" not in output and "stalled" not in output, output[-3000:]
