"""Structural checks of the container deployment (no Docker engine needed): docker-compose.yml,
deploy/Dockerfile, .dockerignore, and their agreement with the settings, the topics and the
Prometheus / Grafana files they mount."""

from __future__ import annotations

import dataclasses
import fnmatch
import re
import shlex
from pathlib import PurePosixPath

import yaml

from streams.ingest.config import IngestSettings
from streams.settings import Settings
from tests.deploy.composefile import (
    COMPOSE,
    DOCKERFILE,
    KAFKA_NODES,
    ROOT,
    bind_mounts,
    dockerfile_instructions,
    environment,
    final_stage,
    host_ports,
    named_volumes,
    script,
)

DOCKERIGNORE = ROOT / ".dockerignore"
PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"

SERVICES = {
    *KAFKA_NODES,
    "kafka-init",
    "worker",
    "ingest",
    "prometheus",
    "alertmanager",
    "grafana",
}
METRICS_PORT = 9464


# --- compose: services and wiring


def test_compose_file_has_the_services_and_no_version_key(compose: dict) -> None:
    assert "version" not in compose, "Compose Specification: no `version:` key"
    assert set(compose["services"]) == SERVICES


def test_every_named_volume_is_declared(compose: dict, services: dict) -> None:
    declared = set(compose.get("volumes") or {})
    used = {name for service in services.values() for name, _ in named_volumes(service)}
    assert used == declared, f"used {sorted(used)}, declared {sorted(declared)}"


def test_every_bind_mount_source_exists(services: dict) -> None:
    """In the repository, or (a file the operator writes, such as deploy/feeds.toml) as
    `<source>.example` next to where it goes."""
    mounts = [(name, s, t) for name, svc in services.items() for s, t in bind_mounts(svc)]
    assert mounts
    missing = [
        f"{name}: {source}"
        for name, source, _ in mounts
        if not (ROOT / source).exists() and not (ROOT / f"{source}.example").is_file()
    ]
    assert not missing, f"bind-mount sources missing from the repo: {missing}"
    for name, source, target in mounts:
        # a config directory mounted over a directory must be a directory
        if target.startswith(("/etc/", "/var/lib/")) and not PurePosixPath(target).suffix:
            assert (ROOT / source).is_dir(), f"{name}: {source} should be a directory"


def test_every_depends_on_names_a_service(services: dict) -> None:
    for name, service in services.items():
        for dependency in service.get("depends_on") or []:
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert dependency != name


def test_startup_order(services: dict) -> None:
    for node in KAFKA_NODES:
        assert services["kafka-init"]["depends_on"][node]["condition"] == "service_healthy"
    for name in ("worker", "ingest"):
        deps = services[name]["depends_on"]
        assert deps["kafka-init"]["condition"] == "service_completed_successfully"
    assert str(services["kafka-init"].get("restart", "no")) == "no"
    assert "prometheus" in services["grafana"]["depends_on"]
    assert "alertmanager" in services["prometheus"]["depends_on"]


def test_published_host_ports(services: dict) -> None:
    published = set().union(*(host_ports(s) for s in services.values()))
    assert {"9090", "9093", "3000", "29092", "29093", "29094"} <= published
    for node, port in zip(KAFKA_NODES, ("29092", "29093", "29094"), strict=True):
        assert host_ports(services[node]) == {port}
    assert host_ports(services["prometheus"]) == {"9090"}
    assert host_ports(services["alertmanager"]) == {"9093"}
    assert host_ports(services["grafana"]) == {"3000"}
    for name in ("kafka-init", "worker", "ingest"):
        assert not host_ports(services[name]), f"{name} publishes no port"


def test_worker_is_built_from_the_dockerfile_and_scalable(services: dict) -> None:
    worker = services["worker"]
    build = worker["build"]
    assert (ROOT / build.get("context", ".")).resolve() == ROOT
    assert (ROOT / build["dockerfile"]).resolve() == DOCKERFILE
    assert DOCKERFILE.is_file()
    assert not worker.get("ports"), "a fixed host port would break --scale worker=N"
    assert "container_name" not in worker
    assert str(METRICS_PORT) in [str(p) for p in worker.get("expose", [])]


def test_worker_reaches_kafka_in_network_and_serves_metrics(services: dict) -> None:
    env = environment(services["worker"])
    assert env["NEWSMON_BROKER"] == "kafka://kafka-1:9092;kafka-2:9092;kafka-3:9092"
    for node in KAFKA_NODES:
        advertised = environment(services[node])["KAFKA_ADVERTISED_LISTENERS"].split(",")
        assert f"CLIENT://{node}:9092" in advertised
    assert env["NEWSMON_METRICS_HOST"] == "0.0.0.0"
    assert env["NEWSMON_METRICS_PORT"] == str(METRICS_PORT)


def test_newsmon_environment_names_real_settings(services: dict) -> None:
    known = {f"NEWSMON_{f.name.upper()}" for f in dataclasses.fields(Settings)}
    known |= {f"NEWSMON_INGEST_{f.name.upper()}" for f in dataclasses.fields(IngestSettings)}
    for name in ("worker", "ingest"):
        set_here = {k for k in environment(services[name]) if k.startswith("NEWSMON_")}
        unknown = sorted(set_here - known)
        assert not unknown, f"{name}: not fields of Settings or IngestSettings: {unknown}"


def test_kafka_init_creates_every_topic_with_newsmon_topics(services: dict) -> None:
    """`newsmon topics` makes the topic list from the settings and the kinds registry
    (tests/integration/test_topics.py runs it), so no topic is named here."""
    init = services["kafka-init"]
    assert init["image"] == services["worker"]["image"]
    assert init["build"] == services["worker"]["build"]
    assert script(init["command"]).split()[:1] == ["topics"]
    assert "--wait" in script(init["command"])
    assert "newsmon.alerts" not in script(init["command"])


def test_kafka_init_partitions_follow_newsmon_partitions(compose: dict, services: dict) -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    assert "${NEWSMON_PARTITIONS:-4}" in text
    for name in ("worker", "kafka-init"):
        assert environment(services[name])["NEWSMON_PARTITIONS"] == "${NEWSMON_PARTITIONS:-4}"


# --- Prometheus and Grafana files mounted into their services


def test_prometheus_scrapes_the_worker_metrics_port(services: dict) -> None:
    prometheus = services["prometheus"]
    assert any("--config.file=/etc/prometheus/prometheus.yml" in c for c in prometheus["command"])
    mounts = dict((t, s) for s, t in bind_mounts(prometheus))
    assert (ROOT / mounts["/etc/prometheus"]).resolve() == PROMETHEUS_CONFIG.parent
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    jobs = config["scrape_configs"]
    named = [j for j in jobs if "newsmon" in j["job_name"]] or jobs
    targets = set()
    for job in named:
        for sd in job.get("dns_sd_configs") or []:
            targets.update(f"{name}:{sd.get('port')}" for name in sd.get("names", []))
        for static in job.get("static_configs") or []:
            targets.update(static.get("targets", []))
    assert f"worker:{METRICS_PORT}" in targets, targets
    assert "worker" in services


def test_prometheus_rule_files_are_in_the_mounted_directory() -> None:
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    for pattern in config.get("rule_files") or []:
        relative = str(pattern).removeprefix("/etc/prometheus/")
        assert not relative.startswith("/"), f"{pattern} is outside the mounted /etc/prometheus"
        assert list(PROMETHEUS_CONFIG.parent.glob(relative)), f"no rule file for {pattern}"


def test_grafana_provisioning_and_home_dashboard(services: dict) -> None:
    grafana = services["grafana"]
    assert grafana["image"].startswith("grafana/grafana:")
    env = environment(grafana)
    mounts = {t: ROOT / s for s, t in bind_mounts(grafana)}
    home = PurePosixPath(env["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"])
    assert (mounts[str(home.parent)] / home.name).is_file()
    provisioning = mounts["/etc/grafana/provisioning"]
    provider = yaml.safe_load((provisioning / "dashboards" / "newsmon.yml").read_text())
    paths = [p["options"]["path"] for p in provider["providers"]]
    assert str(home.parent) in paths
    datasource = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())
    urls = [d.get("url", "") for d in datasource["datasources"]]
    assert any(re.match(r"https?://prometheus:9090/?$", url) for url in urls), urls


def test_images_are_pinned(services: dict) -> None:
    for name, service in services.items():
        if "image" in service and "build" not in service:
            image = service["image"]
            assert ":" in image and not image.endswith(":latest"), f"{name}: {image}"


# --- Dockerfile and .dockerignore


def test_dockerfile_runtime_stage() -> None:
    instructions = dockerfile_instructions()
    assert all(a.split()[0].startswith("python:3.11-slim") for k, a in instructions if k == "FROM")
    final = final_stage(instructions)
    users = [args for keyword, args in final if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert any(str(METRICS_PORT) in args.split() for keyword, args in final if keyword == "EXPOSE")
    entrypoints = [args for keyword, args in final if keyword == "ENTRYPOINT"]
    assert entrypoints and entrypoints[-1].replace(" ", "") == '["newsmon"]'
    cmds = [args for keyword, args in final if keyword == "CMD"]
    assert cmds and cmds[-1].replace(" ", "") == '["worker"]'
    env = " ".join(args for keyword, args in final if keyword == "ENV")
    assert "NEWSMON_METRICS_HOST=0.0.0.0" in env
    health = [args for keyword, args in final if keyword == "HEALTHCHECK"]
    assert health and "urllib" in health[-1] and "/metrics" in health[-1]
    assert "127.0.0.1" in health[-1] and "9464" in health[-1]
    assert "curl" not in health[-1] and "wget" not in health[-1]


def test_dockerfile_installs_the_package_without_dev_extras() -> None:
    instructions = dockerfile_instructions()
    runs = " ".join(args for keyword, args in instructions if keyword == "RUN")
    assert re.search(r"pip install( [^&;]*)? \.(\s|$)", runs)
    assert "[dev]" not in runs


def ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last matching pattern wins; `!` re-includes; a pattern also
    matches everything under a matched directory."""
    result = False
    parts = PurePosixPath(path).parts
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        for i in range(1, len(parts) + 1):
            prefix = "/".join(parts[:i])
            if fnmatch.fnmatchcase(prefix, pattern) or (
                pattern.startswith("**/") and fnmatch.fnmatchcase(parts[i - 1], pattern[3:])
            ):
                result = not negate
                break
    return result


def test_dockerfile_copies_only_existing_files_kept_by_dockerignore() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for required in (".venv", ".git"):
        assert ignored(required, patterns), f".dockerignore should exclude {required}"
    assert ignored("streams/__pycache__/x.pyc", patterns)
    assert not ignored("deploy/Dockerfile", patterns)
    sources = []
    for keyword, args in dockerfile_instructions():
        if keyword == "COPY" and "--from=" not in args:
            sources += [a for a in shlex.split(args) if not a.startswith("--")][:-1]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repo"
        assert not ignored(source.rstrip("/"), patterns), f"COPY {source}: in .dockerignore"
    # everything `pip install .` reads from the context is copied
    assert {"pyproject.toml", "README.md"} <= {s.rstrip("/") for s in sources}
    assert any(s.rstrip("/") == "streams" for s in sources)
