"""A real Prometheus scrapes a real worker while articles flow; every Grafana panel's query
and every rule's query must then return data through the Prometheus HTTP API."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from streams.broker import free_port, stop_process
from streams.clients import publish_raw

from ..deploy.promql import split_comparison
from .conftest import ROOT
from .test_pipeline import corpus_articles

pytestmark = pytest.mark.integration

DEPLOY = ROOT / "deploy"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "newsmon.json"
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "1h"}
BAD_INPUT = [b"{not json", b'{"id": "x", "text": ""}', b"\xff\xfe"]


class Prometheus:
    """`prometheus` on a free loopback port with the project's config, its scrape job
    pointed at one worker and both intervals at one second."""

    def __init__(self, workdir: Path, target: str) -> None:
        binary = shutil.which("prometheus")
        assert binary, "prometheus not found: install Debian's `prometheus` package (.ci/run does)"
        config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
        config["global"].update(scrape_interval="1s", evaluation_interval="1s")
        config["rule_files"] = [str(DEPLOY / "prometheus" / p) for p in config["rule_files"]]
        jobs = [j for j in config["scrape_configs"] if j["job_name"] == "newsmon"]
        assert len(jobs) == 1, "prometheus.yml needs exactly one `newsmon` scrape job"
        for key in [k for k in jobs[0] if k.endswith("_sd_configs")]:
            del jobs[0][key]
        jobs[0]["static_configs"] = [{"targets": [target]}]
        config["scrape_configs"] = jobs
        path = workdir / "prometheus.yml"
        path.write_text(yaml.safe_dump(config))
        self.url = f"http://127.0.0.1:{free_port()}"
        self.log = workdir / "prometheus.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    binary,
                    f"--config.file={path}",
                    f"--storage.tsdb.path={workdir / 'tsdb'}",
                    f"--web.listen-address={self.url.removeprefix('http://')}",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"prometheus died:\n{self.log.read_text()}"
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            assert time.monotonic() < deadline, f"prometheus not ready:\n{self.log.read_text()}"
            time.sleep(0.3)

    def api(self, path: str, **params: str) -> dict:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}/api/v1/{path}{query}", timeout=10) as r:
            body = json.load(r)
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> list[dict]:
        return self.api("query", query=expr)["result"]

    def stop(self) -> None:
        stop_process(self.process)


@pytest.fixture
def prometheus_for(tmp_path: Path) -> Iterator:
    started: list[Prometheus] = []

    def start(target: str) -> Prometheus:
        started.append(Prometheus(tmp_path, target))
        return started[-1]

    yield start
    for p in started:
        p.stop()


def panel_queries() -> list[tuple[str, str]]:
    """(panel title, expr with Grafana's variables filled in) for every panel target."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    panels = []
    for panel in dashboard["panels"]:
        panels += [panel, *panel.get("panels", [])]
    queries = []
    for panel in panels:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for name, value in GRAFANA_VARIABLES.items():
                expr = expr.replace(name, value)
            queries.append((panel["title"], expr))
    return queries


def rule_queries() -> list[tuple[str, str]]:
    """(rule name, query) for every rule: a recording rule's expr, an alert's measure."""
    rules = yaml.safe_load((DEPLOY / "prometheus" / "rules.yml").read_text())
    queries = []
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "record" in rule:
                queries.append((rule["record"], rule["expr"]))
            else:
                measure, _, _ = split_comparison(rule["expr"])
                queries.append((rule["alert"], measure))
    return queries


def has_value(result: list[dict]) -> bool:
    """True when some series of an instant query has a finite value."""
    return any(math.isfinite(float(series["value"][1])) for series in result)


def flowing_articles(stop: threading.Event, pause: float = 0.25) -> Iterator[tuple]:
    """(key, value) messages until `stop`: the dev_a articles over and over, each round
    dated a week later (so its events are new and alert again, while repeats within a
    round are duplicates), with one bad message in ten."""
    articles = corpus_articles("dev_a.jsonl")
    n = 0
    while not stop.is_set():
        if n % 10 == 9:
            yield None, BAD_INPUT[n // 10 % len(BAD_INPUT)]
        else:
            article = articles[n % len(articles)]
            week = n // len(articles)
            published = datetime.fromisoformat(article["published_at"].replace("Z", "+00:00"))
            moved = {
                **article,
                "id": f"{article['id']}-{n}",
                "published_at": (published + timedelta(weeks=week)).isoformat(),
            }
            yield None, json.dumps(moved).encode()
        n += 1
        stop.wait(pause)


def test_every_panel_and_rule_query_returns_data(settings, start_worker, prometheus_for):
    port = free_port()
    worker = start_worker(NEWSMON_METRICS_PORT=str(port))
    worker.wait_ready()
    prometheus = prometheus_for(f"127.0.0.1:{port}")
    stop = threading.Event()
    publisher = threading.Thread(
        target=lambda: list(publish_raw(settings, flowing_articles(stop))), daemon=True
    )
    publisher.start()
    try:
        queries = panel_queries() + rule_queries()
        assert len(panel_queries()) >= 10 and len(rule_queries()) >= 5
        # rates need two scrapes and subqueries two evaluations: poll while articles flow
        deadline = time.monotonic() + 180
        while empty := [(n, q) for n, q in queries if not has_value(prometheus.query(q))]:
            assert worker.process.poll() is None, f"worker died:\n{worker.output()[-3000:]}"
            results = {q: prometheus.query(q) for _, q in empty}
            assert time.monotonic() < deadline, f"queries without data: {results}"
            time.sleep(2)
    finally:
        stop.set()
        publisher.join(timeout=30)

    targets = prometheus.api("targets")["activeTargets"]
    assert [t["health"] for t in targets] == ["up"], targets
    for group in prometheus.api("rules")["groups"]:
        for rule in group["rules"]:
            assert rule["health"] == "ok", rule
    consumed = prometheus.query("sum(newsmon_articles_consumed_total)")
    assert float(consumed[0]["value"][1]) > 0
