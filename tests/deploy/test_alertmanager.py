"""An outage raises an alert, and the alert goes somewhere.

With DNS service discovery a stopped worker leaves the targets, so `up == 0` sees nothing:
NewsmonWorkerAbsent fires on `absent(up{job="newsmon"})`. Prometheus sends alerts to the
compose service `alertmanager`, which routes them to a webhook. The Alertmanager config is
checked structurally (no amtool); the rule's behaviour by promtool in test_prometheus_files.py
(rules.test.yml)."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest
import yaml

from tests.deploy.composefile import ROOT, bind_mounts, environment, named_volumes, script

PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
ALERTMANAGER_DIR = ROOT / "deploy" / "alertmanager"
ALERTMANAGER_CONFIG = ALERTMANAGER_DIR / "alertmanager.yml"
ABSENCE_ALERT = "NewsmonWorkerAbsent"


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def alerts() -> dict[str, dict]:
    rules = load_yaml(PROMETHEUS_DIR / "rules.yml")
    return {r["alert"]: r for g in rules["groups"] for r in g["rules"] if "alert" in r}


def duration_seconds(text: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    parts = re.findall(r"(\d+)([smhd])", text)
    assert parts and "".join(n + u for n, u in parts) == text, text
    return sum(int(n) * units[u] for n, u in parts)


@pytest.fixture(scope="module")
def config() -> dict:
    return load_yaml(ALERTMANAGER_CONFIG)


# --- the rule


def test_worker_absence_rule_watches_the_scrape_job() -> None:
    rule = alerts()[ABSENCE_ALERT]
    jobs = [j["job_name"] for j in load_yaml(PROMETHEUS_DIR / "prometheus.yml")["scrape_configs"]]
    match = re.fullmatch(
        r'\(\s*absent\(up\{job="([^"]+)"\}\)\s+or\s+vector\(0\)\s*\)\s*==\s*1', rule["expr"]
    )
    assert match, rule["expr"]
    assert match.group(1) == "newsmon" and "newsmon" in jobs
    # long enough to ride out a restart (DNS refresh 30s + a scrape), short enough to matter
    assert 60 <= duration_seconds(rule["for"]) <= 600
    assert rule["labels"]["severity"] == "critical"
    assert rule["annotations"]["summary"].strip()
    assert rule["annotations"]["description"].strip()


def test_worker_absence_rule_is_unit_tested_absent_and_present() -> None:
    tests = load_yaml(PROMETHEUS_DIR / "rules.test.yml")["tests"]
    firing, quiet = [], []
    for test in tests:
        series = " ".join(s["series"] + " " + s["values"] for s in test.get("input_series", []))
        for case in test.get("alert_rule_test", []):
            if case["alertname"] == ABSENCE_ALERT:
                (firing if case.get("exp_alerts") else quiet).append((test["name"], series))
    # fires when the series goes stale, and when it never existed
    assert any("stale" in series for _, series in firing), firing
    assert any('up{job="newsmon"' not in series for _, series in firing), firing
    # quiet while workers are scraped, even when they are down (up == 0)
    assert any('up{job="newsmon"' in series for _, series in quiet), quiet


# --- Prometheus -> Alertmanager


def test_prometheus_sends_alerts_to_the_alertmanager_service(services: dict) -> None:
    config = load_yaml(PROMETHEUS_DIR / "prometheus.yml")
    managers = config["alerting"]["alertmanagers"]
    targets = {t for m in managers for s in m.get("static_configs", []) for t in s["targets"]}
    assert targets == {"alertmanager:9093"}
    assert "alertmanager" in services


def test_alertmanager_service(services: dict, compose: dict) -> None:
    service = services["alertmanager"]
    image = service["image"]
    assert re.fullmatch(r"prom/alertmanager:v0\.(2[89]|[3-9]\d)\.\d+", image), (
        f"{image}: url_file needs Alertmanager >= 0.26, and 0.28 fixed its crash"
    )
    mounts = {target: ROOT / source for source, target in bind_mounts(service)}
    assert mounts["/etc/alertmanager"].resolve() == ALERTMANAGER_DIR
    text = script(service.get("entrypoint")) + "\n" + script(service.get("command"))
    assert "--config.file=/etc/alertmanager/alertmanager.yml" in text
    assert "--storage.path=/alertmanager" in text
    volumes = dict((target, name) for name, target in named_volumes(service))
    assert volumes.get("/alertmanager") in (compose.get("volumes") or {})
    assert service.get("restart") == "unless-stopped"


def test_webhook_url_comes_from_the_environment(services: dict, config: dict) -> None:
    """The service writes ALERTMANAGER_WEBHOOK_URL to the file the receiver reads."""
    service = services["alertmanager"]
    env = environment(service)
    assert re.fullmatch(
        r"\$\{ALERTMANAGER_WEBHOOK_URL(:-[^}]*)?\}", env["ALERTMANAGER_WEBHOOK_URL"]
    )
    text = script(service.get("command"))
    written = re.search(r'printf \'%s\' "\$ALERTMANAGER_WEBHOOK_URL" > (\S+)', text)
    assert written, text
    assert re.search(r"^\s*exec /bin/alertmanager\b", text, flags=re.M), "exec: signals reach it"
    files = {
        webhook["url_file"]
        for receiver in config["receivers"]
        for webhook in receiver.get("webhook_configs", [])
    }
    assert files == {written.group(1)}
    assert PurePosixPath(written.group(1)).parent == PurePosixPath("/alertmanager")


# --- alertmanager.yml


def routes(route: dict) -> list[dict]:
    found = [route]
    for child in route.get("routes") or []:
        found += routes(child)
    return found


def test_every_route_names_an_existing_receiver(config: dict) -> None:
    names = [receiver["name"] for receiver in config["receivers"]]
    assert len(names) == len(set(names)), names
    root = config["route"]
    assert root.get("receiver") in names, "the root route needs a default receiver"
    assert not root.get("matchers") and not root.get("match"), "the root route matches all"
    for route in routes(root):
        if "receiver" in route:
            assert route["receiver"] in names, route
    used = {route["receiver"] for route in routes(root) if "receiver" in route}
    assert used == set(names), f"receivers no route uses: {set(names) - used}"


def test_receivers_are_webhooks_without_secrets_in_the_file(config: dict) -> None:
    for receiver in config["receivers"]:
        webhooks = receiver.get("webhook_configs") or []
        assert webhooks, f"{receiver['name']}: no webhook_configs"
        for webhook in webhooks:
            assert "url" not in webhook and webhook.get("url_file"), webhook
            assert webhook.get("send_resolved", True) is True


def test_route_timings(config: dict) -> None:
    for route in routes(config["route"]):
        for key in ("group_wait", "group_interval", "repeat_interval"):
            if key in route:
                duration_seconds(route[key])
        if "group_interval" in route or "repeat_interval" in route:
            assert duration_seconds(route.get("repeat_interval", "4h")) >= duration_seconds(
                route.get("group_interval", "5m")
            )
    matchers = [m for route in routes(config["route"]) for m in route.get("matchers") or []]
    for matcher in matchers:
        assert re.fullmatch(r'\w+(=|!=|=~|!~)"[^"]*"', matcher), matcher


def test_alertmanager_config_has_only_known_top_level_keys(config: dict) -> None:
    known = {"global", "templates", "route", "receivers", "inhibit_rules", "time_intervals"}
    assert set(config) <= known
    assert "://" not in yaml.safe_dump(config), "no URL in the file: it comes from the environment"
