"""Static checks of the Prometheus and Grafana deployment files under deploy/.

promtool (Debian package `prometheus`) validates the configuration, the rules and runs the rule
unit tests in deploy/prometheus/rules.test.yml; the Grafana provisioning files and the dashboard
are checked structurally.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.promql import split_comparison

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
PROMETHEUS_CONFIG = PROMETHEUS_DIR / "prometheus.yml"
RULES = PROMETHEUS_DIR / "rules.yml"
RULES_TEST = PROMETHEUS_DIR / "rules.test.yml"
GRAFANA_DIR = ROOT / "deploy" / "grafana"
DATASOURCES = GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml"
DASHBOARD_PROVIDERS = GRAFANA_DIR / "provisioning" / "dashboards" / "newsmon.yml"
DASHBOARD = GRAFANA_DIR / "dashboards" / "newsmon.json"

DASHBOARDS_PATH = "/var/lib/grafana/dashboards"
# What a test substitutes for the Grafana variables before sending an expr to Prometheus.
GRAFANA_VARIABLES = {"__rate_interval": "1m", "__interval": "15s", "__range": "1h"}
SEVERITIES = {"critical", "warning", "info"}


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def run_promtool(*args: str) -> subprocess.CompletedProcess[str]:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail(
            "promtool not found on PATH: install Debian's `prometheus` package "
            "(apt-get install prometheus) to check the Prometheus deployment files"
        )
    return subprocess.run(
        [promtool, *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def assert_ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, (
        f"{' '.join(result.args)} exited with {result.returncode}\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )


def rules_of(kind: str) -> list[dict]:
    return [rule for group in load_yaml(RULES)["groups"] for rule in group["rules"] if kind in rule]


ALERTS = rules_of("alert")
RECORDS = rules_of("record")


def squash(expr: str) -> str:
    return re.sub(r"\s+", "", expr)


# --------------------------------------------------------------------------------------------
# promtool


def test_promtool_check_config() -> None:
    assert_ok(run_promtool("check", "config", str(PROMETHEUS_CONFIG.relative_to(ROOT))))


def test_promtool_check_rules() -> None:
    assert_ok(run_promtool("check", "rules", str(RULES.relative_to(ROOT))))


def test_promtool_test_rules() -> None:
    assert_ok(run_promtool("test", "rules", str(RULES_TEST.relative_to(ROOT))))


# --------------------------------------------------------------------------------------------
# prometheus.yml


def newsmon_job(config: dict) -> dict:
    jobs = [job for job in config["scrape_configs"] if job["job_name"] == "newsmon"]
    assert len(jobs) == 1, "exactly one scrape job `newsmon`"
    return jobs[0]


def test_prometheus_config_structure() -> None:
    config = load_yaml(PROMETHEUS_CONFIG)
    assert config["global"]["scrape_interval"] == "15s"
    assert config["global"]["evaluation_interval"] == "15s"
    assert config["rule_files"] == ["rules.yml"]
    names = [job["job_name"] for job in config["scrape_configs"]]
    assert len(names) == len(set(names)), f"duplicate job names: {names}"
    assert set(names) <= {"newsmon", "newsmon-ingest", "prometheus"}
    assert config["alerting"]["alertmanagers"] == [
        {"static_configs": [{"targets": ["alertmanager:9093"]}]}
    ]
    job = newsmon_job(config)
    assert job.get("metrics_path", "/metrics") == "/metrics"
    assert "static_configs" not in job
    assert job["dns_sd_configs"] == [
        {"names": ["worker"], "type": "A", "port": 9464, "refresh_interval": "30s"}
    ]


def test_prometheus_config_with_static_targets(tmp_path: Path) -> None:
    """What a live test does: the newsmon job scraping a local port instead of DNS names."""
    config = copy.deepcopy(load_yaml(PROMETHEUS_CONFIG))
    job = newsmon_job(config)
    del job["dns_sd_configs"]
    job["static_configs"] = [{"targets": ["127.0.0.1:19464"]}]
    shutil.copy(RULES, tmp_path / "rules.yml")
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    assert_ok(run_promtool("check", "config", str(path)))


# --------------------------------------------------------------------------------------------
# rules.yml


def test_expected_alerts_present() -> None:
    names = [rule["alert"] for rule in ALERTS]
    assert len(names) == len(set(names)), f"duplicate alert names: {names}"
    assert {
        "NewsmonWorkerDown",
        "NewsmonNoArticles",
        "NewsmonDeadLetterRateHigh",
        "NewsmonConsumerLagHigh",
        "NewsmonConsumerLagGrowing",
        "NewsmonExtractionSlow",
    } <= set(names)


def test_worker_down_expr() -> None:
    (rule,) = [rule for rule in ALERTS if rule["alert"] == "NewsmonWorkerDown"]
    assert split_comparison(rule["expr"]) == ('up{job="newsmon"}', "==", 0.0)


def without_strings(expr: str) -> str:
    return re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)


# The one form an absence alert may take (rules.yml header): its measure is 0 while the
# selector has series, 1 when it has none, so a live test can query it like any other.
ABSENCE = re.compile(r"\(\s*absent\((?P<selector>[^()]+)\)\s+or\s+vector\(0\)\s*\)")


def absence_selector(measure: str) -> str | None:
    match = ABSENCE.fullmatch(measure.strip())
    return match.group("selector") if match else None


@pytest.mark.parametrize("rule", ALERTS, ids=[rule["alert"] for rule in ALERTS])
def test_alert_rule_shape(rule: dict) -> None:
    measure, op, threshold = split_comparison(rule["expr"])
    absence = absence_selector(measure)
    bare = without_strings(absence or measure)
    assert not re.search(r"\b(and|or|unless)\b", bare), f"set operator in {measure!r}"
    assert not re.search(r"\babsent(_over_time)?\s*\(", bare), f"absent() in {measure!r}"
    assert not re.search(r"\bbool\b", bare), f"bool modifier in {measure!r}"
    assert op in {"==", "!=", ">", "<", ">=", "<="}
    assert isinstance(threshold, float)
    assert re.fullmatch(r"\d+[smhd]", str(rule.get("for", ""))), "every alert needs a `for`"
    assert rule.get("labels", {}).get("severity") in SEVERITIES
    annotations = rule.get("annotations", {})
    assert annotations.get("summary", "").strip()
    if absence:
        # nothing to quote: the value is always 1 when it fires
        assert (op, threshold) == ("==", 1.0)
        assert annotations.get("description", "").strip()
    else:
        assert "$value" in annotations.get("description", "")


def rules_tests() -> list[dict]:
    return load_yaml(RULES_TEST)["tests"]


@pytest.mark.parametrize("rule", ALERTS, ids=[rule["alert"] for rule in ALERTS])
def test_alert_unit_tested_firing_and_quiet(rule: dict) -> None:
    cases = [
        case
        for test in rules_tests()
        for case in test.get("alert_rule_test", [])
        if case["alertname"] == rule["alert"]
    ]
    firing = [case for case in cases if case.get("exp_alerts")]
    quiet = [case for case in cases if not case.get("exp_alerts")]
    assert firing, f"no promtool test where {rule['alert']} fires"
    assert quiet, f"no promtool test where {rule['alert']} stays quiet"
    for case in firing:
        for alert in case["exp_alerts"]:
            assert alert["exp_labels"]["severity"] == rule["labels"]["severity"]
            assert set(alert.get("exp_annotations", {})) == set(rule["annotations"])


@pytest.mark.parametrize("rule", ALERTS, ids=[rule["alert"] for rule in ALERTS])
def test_alert_measure_unit_tested_on_idle_worker(rule: dict) -> None:
    """rules.test.yml counts the series of every measure on a freshly started, idle worker."""
    measure, _, _ = split_comparison(rule["expr"])
    (idle,) = [test for test in rules_tests() if test["name"] == "fresh idle worker"]
    counted = {
        squash(case["expr"]): case["exp_samples"] for case in idle.get("promql_expr_test", [])
    }
    samples = counted.get(squash(f"count({measure})"))
    assert samples, f"no promql_expr_test of count({measure}) in 'fresh idle worker'"
    assert all(sample["value"] >= 1 for sample in samples)


@pytest.mark.parametrize("rule", RECORDS, ids=[rule["record"] for rule in RECORDS])
def test_recording_rule_unit_tested(rule: dict) -> None:
    assert rule["record"].startswith("newsmon:")
    exprs = [case["expr"] for test in rules_tests() for case in test.get("promql_expr_test", [])]
    assert any(re.search(rf"\b{re.escape(rule['record'])}\b", expr) for expr in exprs), (
        f"recording rule {rule['record']} is not checked in rules.test.yml"
    )


# --------------------------------------------------------------------------------------------
# split_comparison


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('up{job="newsmon"} == 0', ('up{job="newsmon"}', "==", 0.0)),
        ("sum(rate(x_total[15m])) > 0.1", ("sum(rate(x_total[15m]))", ">", 0.1)),
        ('x{a=~"b>c", d!="e"} >= 2', ('x{a=~"b>c", d!="e"}', ">=", 2.0)),
        ("x{a='<'} <= 1e3", ("x{a='<'}", "<=", 1000.0)),
        ('x{a="\\"<"} != -1', ('x{a="\\"<"}', "!=", -1.0)),
        ("sum by (le) (rate(h[5m]))\n  < 0x10", ("sum by (le) (rate(h[5m]))", "<", 16.0)),
        ("count(x > 1) > 0", ("count(x > 1)", ">", 0.0)),
        ("deriv(sum(x)[10m:30s]) > 0 # growing", ("deriv(sum(x)[10m:30s])", ">", 0.0)),
    ],
)
def test_split_comparison(expr: str, expected: tuple[str, str, float]) -> None:
    assert split_comparison(expr) == expected


@pytest.mark.parametrize(
    "expr",
    [
        "up",
        "(up == 0)",
        "a > 1 and b > 2",
        "a > 1 > 2",
        "a > 1 unless b",
        "a > bool 1",
        "a > b",
        "> 1",
        'a{x="1" > 1',
        "sum(a)) > 1",
    ],
)
def test_split_comparison_rejects(expr: str) -> None:
    with pytest.raises(ValueError):
        split_comparison(expr)


# --------------------------------------------------------------------------------------------
# Grafana


def datasource_uid() -> str:
    (source,) = load_yaml(DATASOURCES)["datasources"]
    return source["uid"]


def test_grafana_datasource() -> None:
    config = load_yaml(DATASOURCES)
    assert config["apiVersion"] == 1
    (source,) = config["datasources"]
    assert source["name"] == "Prometheus"
    assert source["uid"] == "prometheus"
    assert source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    assert source["isDefault"] is True


def test_grafana_dashboard_provider() -> None:
    config = load_yaml(DASHBOARD_PROVIDERS)
    assert config["apiVersion"] == 1
    (provider,) = config["providers"]
    assert provider["type"] == "file"
    assert provider["options"]["path"] == DASHBOARDS_PATH


def load_dashboard() -> dict:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def all_panels(dashboard: dict) -> list[dict]:
    """Top-level panels and the panels of collapsed rows."""
    panels = []
    for panel in dashboard["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))
    return panels


def query_panels(dashboard: dict) -> list[dict]:
    return [panel for panel in all_panels(dashboard) if panel["type"] != "row"]


def test_dashboard_metadata() -> None:
    dashboard = load_dashboard()
    assert dashboard["uid"] == "newsmon"
    assert dashboard["title"] == "newsmon"
    assert dashboard["schemaVersion"] == 39
    assert dashboard["refresh"] == "10s"
    assert dashboard["time"] == {"from": "now-1h", "to": "now"}
    assert dashboard.get("templating", {}).get("list", []) == [], "no templating variables"


def test_dashboard_panels_layout() -> None:
    panels = all_panels(load_dashboard())
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), f"duplicate panel ids: {ids}"
    occupied: dict[tuple[int, int], str] = {}
    for panel in panels:
        assert panel["title"].strip()
        assert panel["type"]
        pos = panel["gridPos"]
        assert pos["w"] >= 1 and pos["h"] >= 1 and pos["x"] >= 0 and pos["y"] >= 0
        assert pos["x"] + pos["w"] <= 24, f"{panel['title']!r} is wider than the grid"
        for x in range(pos["x"], pos["x"] + pos["w"]):
            for y in range(pos["y"], pos["y"] + pos["h"]):
                assert (x, y) not in occupied, f"{panel['title']!r} overlaps {occupied[x, y]!r}"
                occupied[x, y] = panel["title"]


def test_dashboard_has_expected_panels() -> None:
    panels = query_panels(load_dashboard())
    exprs = " ".join(target["expr"] for panel in panels for target in panel["targets"])
    for metric in (
        "newsmon_articles_consumed_total",
        "newsmon_articles_rejected_total",
        "newsmon_events_extracted_total",
        "newsmon_alerts_published_total",
        "newsmon_alert_country_pairs_total",
        "newsmon_duplicates_suppressed_total",
        "newsmon_extraction_seconds_bucket",
        "newsmon_end_to_end_seconds_bucket",
        "newsmon_consumer_lag_messages",
        "newsmon_worker_up",
        "newsmon_build_info",
    ):
        assert metric in exprs, f"no panel shows {metric}"
    assert "sum(newsmon_worker_up)" in exprs
    for quantile in ("0.5", "0.95", "0.99"):
        assert f"histogram_quantile({quantile}," in exprs
    tables = [
        target
        for panel in panels
        if panel["type"] == "table"
        for target in panel["targets"]
        if "newsmon_alert_country_pairs_total" in target["expr"]
    ]
    assert tables and all(t["format"] == "table" and t["instant"] for t in tables)


GRAFANA_VARIABLE = re.compile(r"\$(?:\{(\w+)(?::\w+)?\}|(\w+))|\[\[(\w+)\]\]")


@pytest.mark.parametrize(
    "panel", query_panels(load_dashboard()), ids=lambda panel: f"{panel['id']}-{panel['title']}"
)
def test_dashboard_panel_queries(panel: dict) -> None:
    uid = datasource_uid()
    assert panel["datasource"] == {"type": "prometheus", "uid": uid}
    if panel["type"] in {"timeseries", "stat"}:
        assert panel["fieldConfig"]["defaults"].get("unit"), "set a unit"
    targets = panel.get("targets", [])
    assert targets, "every non-row panel needs a query"
    ref_ids = [target["refId"] for target in targets]
    assert all(ref_ids) and len(ref_ids) == len(set(ref_ids))
    for target in targets:
        assert target["datasource"] == {"type": "prometheus", "uid": uid}
        expr = target["expr"]
        assert expr.strip(), f"empty expr in target {target['refId']}"
        variables = {next(filter(None, m.groups())) for m in GRAFANA_VARIABLE.finditer(expr)}
        assert variables <= set(GRAFANA_VARIABLES), f"unexpected variables {variables} in {expr}"


def substitute(expr: str) -> str:
    for name, value in GRAFANA_VARIABLES.items():
        expr = re.sub(rf"\$(?:\{{{name}\}}|{name}\b)", value, expr)
    return expr


def test_dashboard_exprs_are_valid_promql(tmp_path: Path) -> None:
    """promtool has no expression checker: check the exprs as recording rules."""
    dashboard = load_dashboard()
    exprs = [target["expr"] for panel in query_panels(dashboard) for target in panel["targets"]] + [
        a["expr"] for a in dashboard.get("annotations", {}).get("list", []) if "expr" in a
    ]
    rules = [
        {"record": f"dashboard:expr_{i}", "expr": substitute(expr)} for i, expr in enumerate(exprs)
    ]
    path = tmp_path / "dashboard_rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    assert_ok(run_promtool("check", "rules", str(path)))
