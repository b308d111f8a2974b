"""A kind defined in the tests (`tests/toy_kind.py`, loaded with `NEWSMON_KINDS`) flows
through the real worker to its alert topic, the metrics, `tail` and the events table,
with nothing in `streams/` changed for it."""

from __future__ import annotations

import json
import subprocess
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from streams.broker import free_port

from .conftest import NEWSMON

pytestmark = pytest.mark.integration

TOY = {"NEWSMON_KINDS": "tests.toy_kind"}
CALL = "Norway called for an armistice in Sudan on Tuesday, as fighting spread to the capital."
ARTICLES = [
    {"id": "toy-1", "text": CALL, "source": "wire-a", "published_at": "2026-05-05T09:00:00Z"},
    {
        "id": "toy-2",
        "text": "On Tuesday Norway called for an armistice in Sudan, its foreign office said.",
        "source": "wire-b",
        "published_at": "2026-05-05T11:00:00Z",
    },
]


def scrape(port: int) -> dict[tuple[str, tuple], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_a_kind_defined_in_the_tests_alerts_counts_and_prints(
    tmp_path, env, settings, start_worker, wait_drained
):
    toy_env = {**env, **TOY}

    def newsmon(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*NEWSMON, *args], env=toy_env, cwd=env["PYTHONPATH"], capture_output=True,
            text=True, timeout=180, check=False,
        )  # fmt: skip

    port = free_port()
    worker = start_worker(NEWSMON_METRICS_PORT=str(port), **TOY)
    path = tmp_path / "toy.jsonl"
    path.write_text("".join(json.dumps(a) + "\n" for a in ARTICLES), encoding="utf-8")
    published = newsmon("publish", str(path))
    assert published.returncode == 0, published.stderr
    wait_drained([worker])

    # its alert topic: one alert, then an update for the second report
    read = newsmon(
        "tail", "--json", "--from-beginning", "--timeout", "3", "--type", "armistice_call"
    )
    assert read.returncode == 0, read.stderr
    alerts = [json.loads(line) for line in read.stdout.splitlines()]
    assert [(a["kind"], a["type"], a["report_count"]) for a in alerts] == [
        ("alert", "armistice_call", 1)
    ]
    assert alerts[0]["event"]["caller"] == "NOR" and alerts[0]["event"]["country"] == "SDN"
    assert alerts[0]["event_id"].startswith("ac-")
    read = newsmon(
        "tail", "--json", "--from-beginning", "--timeout", "3", "--topic", settings.updates_topic
    )
    updates = [json.loads(line) for line in read.stdout.splitlines()]
    assert [(u["event_id"], u["report_count"]) for u in updates] == [(alerts[0]["event_id"], 2)]

    # tail's readable line is the kind's own
    readable = newsmon("tail", "--from-beginning", "--max", "1", "--timeout", "30")
    assert readable.returncode == 0, readable.stderr
    assert f"ALERT {alerts[0]['event_id']} armistice: NOR calls for one in SDN" in readable.stdout

    # the metrics have its series
    samples = scrape(port)
    kind = ("type", "armistice_call")
    assert samples[("newsmon_alerts_published_total", (kind,))] == 1
    assert samples[("newsmon_duplicates_suppressed_total", (kind,))] == 1
    assert samples[("newsmon_events_extracted_total", (("status", "none"), kind))] == 2
    pair = (("from_country", "NOR"), ("to_country", "SDN"), kind)
    assert samples[("newsmon_alert_country_pairs_total", pair)] == 1
    worker.stop()

    # and the events table has its rows
    table = newsmon("extract", "--pretty", str(path))
    assert table.returncode == 0, table.stderr
    rows = [line for line in table.stdout.splitlines() if "armistice" in line]
    assert len(rows) == 2 and all("NOR" in r and "SDN" in r for r in rows)
