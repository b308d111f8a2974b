"""Structural checks of the container deployment (no Docker engine needed): docker-compose.yml,
deploy/Dockerfile, .dockerignore, and their agreement with the settings, the topics and the
Prometheus / Grafana files they mount."""

from __future__ import annotations

import dataclasses
import fnmatch
import re
import shlex
from pathlib import Path, PurePosixPath

import pytest
import yaml

from streams.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"

SERVICES = {"kafka", "kafka-init", "worker", "prometheus", "grafana"}
METRICS_PORT = 9464


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def environment(service: dict) -> dict[str, str]:
    """A service's environment as a dict, from either the mapping or the list form."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def host_ports(service: dict) -> set[str]:
    """Published host ports (short `"HOST:CONTAINER"` and long `{published: ...}` forms)."""
    found = set()
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            if port.get("published") is not None:
                found.add(str(port["published"]))
            continue
        parts = str(port).split("/")[0].split(":")
        if len(parts) >= 2:
            found.add(parts[-2])
    return found


def bind_mounts(service: dict) -> list[tuple[str, str]]:
    """(host source, container target) of the service's bind mounts (short or long form)."""
    mounts = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            if volume.get("type") == "bind":
                mounts.append((volume["source"], volume["target"]))
            continue
        source, target, *_ = str(volume).split(":")
        if source.startswith((".", "/", "~")):
            mounts.append((source, target))
    return mounts


def script(command: object) -> str:
    """A service's command as one shell text (list or string form, `$$` unescaped)."""
    text = " ".join(command) if isinstance(command, list) else str(command or "")
    return text.replace("$$", "$")


def created_topics(text: str) -> set[str]:
    """Topic names given to `kafka-topics.sh --create`, literally or through a
    `for VAR in NAMES...; do` loop variable."""
    loops: dict[str, list[str]] = {}
    for var, words in re.findall(r"\bfor\s+(\w+)\s+in\s+([^;\n]*?)\s*(?:;|\n)\s*do\b", text):
        loops[var] = shlex.split(words)
    topics: set[str] = set()
    for line in re.split(r"[;\n]|&&", text):
        if "kafka-topics.sh" not in line or "--create" not in line:
            continue
        tokens = shlex.split(line)
        for i, token in enumerate(tokens):
            if token == "--topic" and i + 1 < len(tokens):
                value = tokens[i + 1]
            elif token.startswith("--topic="):
                value = token.split("=", 1)[1]
            else:
                continue
            variable = re.fullmatch(r"\$\{?(\w+)\}?", value)
            if variable:
                topics.update(loops.get(variable.group(1), []))
            else:
                topics.add(value)
    return topics


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    lines = []
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if raw.strip().startswith("#"):
            continue
        lines.append(raw)
    text = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in text.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    starts = [i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    return instructions[starts[-1] :]


# --- compose: services and wiring


def test_compose_file_has_the_five_services_and_no_version_key(compose: dict) -> None:
    assert "version" not in compose, "Compose Specification: no `version:` key"
    assert set(compose["services"]) >= SERVICES


def test_kafka_is_a_single_kraft_node_without_zookeeper(services: dict) -> None:
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = environment(kafka)
    roles = {r.strip() for r in env["KAFKA_PROCESS_ROLES"].split(",")}
    assert roles == {"broker", "controller"}
    voters = env["KAFKA_CONTROLLER_QUORUM_VOTERS"]
    assert re.fullmatch(rf"{env['KAFKA_NODE_ID']}@[\w.-]+:\d+", voters)
    assert env["KAFKA_CONTROLLER_LISTENER_NAMES"] in env["KAFKA_LISTENERS"]
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"].lower() == "false"
    for key in ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",):
        assert env[key] == "1"
    assert "zookeeper" not in COMPOSE.read_text(encoding="utf-8").lower()


def test_kafka_listeners_serve_the_network_and_the_host(services: dict) -> None:
    env = environment(services["kafka"])
    advertised = env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert "PLAINTEXT://kafka:9092" in advertised
    assert "EXTERNAL://localhost:29092" in advertised
    protocols = dict(p.split(":") for p in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    for listener in env["KAFKA_LISTENERS"].split(","):
        assert listener.split("://")[0] in protocols


def test_kafka_has_a_healthcheck_and_a_named_data_volume(compose: dict, services: dict) -> None:
    kafka = services["kafka"]
    test = script(kafka["healthcheck"]["test"])
    assert "kafka-broker-api-versions.sh" in test
    assert "--bootstrap-server localhost:9092" in test
    named = [str(v).split(":")[0] for v in kafka["volumes"] if not bind_mounts({"volumes": [v]})]
    assert named and all(name in (compose.get("volumes") or {}) for name in named)


def test_every_bind_mount_source_exists(services: dict) -> None:
    mounts = [(name, s, t) for name, svc in services.items() for s, t in bind_mounts(svc)]
    assert mounts
    missing = [f"{name}: {source}" for name, source, _ in mounts if not (ROOT / source).exists()]
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
    assert services["kafka-init"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    worker_deps = services["worker"]["depends_on"]
    assert worker_deps["kafka-init"]["condition"] == "service_completed_successfully"
    assert str(services["kafka-init"].get("restart", "no")) == "no"
    assert "prometheus" in services["grafana"]["depends_on"]


def test_published_host_ports(services: dict) -> None:
    published = set().union(*(host_ports(s) for s in services.values()))
    assert {"9090", "3000", "29092"} <= published
    assert "29092" in host_ports(services["kafka"])
    assert "9090" in host_ports(services["prometheus"])
    assert "3000" in host_ports(services["grafana"])


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
    kafka_env = environment(services["kafka"])
    assert env["NEWSMON_BROKER"] == "kafka://kafka:9092"
    assert "PLAINTEXT://kafka:9092" in kafka_env["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert env["NEWSMON_METRICS_HOST"] == "0.0.0.0"
    assert env["NEWSMON_METRICS_PORT"] == str(METRICS_PORT)


def test_worker_environment_names_real_settings(services: dict) -> None:
    known = {f"NEWSMON_{f.name.upper()}" for f in dataclasses.fields(Settings)}
    set_here = {k for k in environment(services["worker"]) if k.startswith("NEWSMON_")}
    unknown = sorted(set_here - known)
    assert not unknown, f"not fields of streams.settings.Settings: {unknown}"


def test_kafka_init_creates_every_topic(services: dict) -> None:
    init = services["kafka-init"]
    assert init["image"] == services["kafka"]["image"]
    text = script(init.get("entrypoint")) + "\n" + script(init.get("command"))
    assert "--if-not-exists" in text
    assert "--bootstrap-server kafka:9092" in text
    missing = set(Settings().all_topics) - created_topics(text)
    assert not missing, f"kafka-init does not create {sorted(missing)}"


def test_kafka_init_partitions_follow_newsmon_partitions(compose: dict, services: dict) -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    assert "${NEWSMON_PARTITIONS:-4}" in text
    assert environment(services["worker"])["NEWSMON_PARTITIONS"] == "${NEWSMON_PARTITIONS:-4}"
    init_env = environment(services["kafka-init"])
    partitions = script(services["kafka-init"]["command"])
    variables = [k for k, v in init_env.items() if v == "${NEWSMON_PARTITIONS:-4}"]
    assert any(re.search(rf"--partitions \"?\$\{{?{v}\b", partitions) for v in variables)


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
    assert env["GF_AUTH_ANONYMOUS_ENABLED"] == "true"
    assert env["GF_AUTH_ANONYMOUS_ORG_ROLE"] == "Viewer"
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
