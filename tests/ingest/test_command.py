"""`newsmon ingest` on the command line: usage errors, an unreachable broker, and what
it prints. Runs against a real broker are in tests/integration/test_ingest.py."""

from __future__ import annotations

import socket
import subprocess
import sys

from rich.console import Console

from streams.cli import EXIT_BROKER, EXIT_USAGE, main
from streams.ingest.command import poll_line, status_table, totals
from streams.ingest.config import FeedConfig
from streams.ingest.ingest import FeedReport
from streams.ingest.metrics import IngestMetrics

from ..conftest import ROOT


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ingest(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "streams.cli", "ingest", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_no_feeds_is_a_usage_error(tmp_path, capsys):
    assert main(["ingest", "--once", "--state-dir", str(tmp_path)]) == EXIT_USAGE
    assert "no feeds" in capsys.readouterr().err


def test_bad_feed_url_and_bad_config_are_usage_errors(tmp_path, capsys):
    assert main(["ingest", "--state-dir", str(tmp_path), "feed.example/rss"]) == EXIT_USAGE
    assert "not an http(s) URL" in capsys.readouterr().err
    config = tmp_path / "feeds.toml"
    config.write_text("[[feed]]\nurl = 'https://a.example/rss'\ncolour = 1\n", encoding="utf-8")
    assert main(["ingest", "--config", str(config), "--state-dir", str(tmp_path)]) == EXIT_USAGE
    assert "unknown key(s): colour" in capsys.readouterr().err


def test_unreachable_broker_exits_3_without_polling(tmp_path, server):
    result = ingest(
        "--once",
        "--broker", f"kafka://127.0.0.1:{closed_port()}",
        "--state-dir", str(tmp_path),
        server.url("/feeds/rss.xml"),
    )  # fmt: skip
    assert result.returncode == EXIT_BROKER, result.stderr
    assert "broker error" in result.stderr
    assert "Traceback" not in result.stderr
    assert server.requests == []  # no feed is polled without a broker to publish to


def test_poll_lines_and_status_table():
    world = FeedConfig(url="http://world.example/rss", source="World")
    ok = FeedReport(world, http_status=200, entries=4, new=4, published=3, failed=1)
    ok.failures["no_text"] = 1
    assert "4 entries, 4 new, 3 published, 0 skipped, 1 failed (no_text 1)" in poll_line(ok)
    broken = FeedReport(world, http_status=200, error="malformed_feed", detail="syntax error")
    assert "failed" in poll_line(broken) and "malformed_feed" in poll_line(broken)
    same = FeedReport(world, http_status=304)
    assert "unchanged" in poll_line(same)
    console = Console(width=150, record=True)
    console.print(status_table([ok, broken, same]))
    text = console.export_text()
    assert "3 feed(s) polled" in text
    assert "malformed_feed" in text and "not modified" in text and "no_text 1" in text


def test_totals_line():
    metrics = IngestMetrics()
    metrics.item("published")
    metrics.item("skipped")
    metrics.item("skipped")
    assert totals(metrics) == "0 fetched, 1 published, 2 skipped, 0 failed"
