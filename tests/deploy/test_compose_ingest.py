"""docker-compose.yml runs `newsmon ingest` on the operator's deploy/feeds.toml, with the
worker's broker settings and its state in a named volume."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from streams.cli import build_parser, cmd_ingest
from streams.ingest.config import IngestSettings, load_feeds
from tests.deploy.composefile import (
    ROOT,
    bind_mounts,
    dockerfile_instructions,
    environment,
    final_stage,
    named_volumes,
    with_defaults,
)

FEEDS_MOUNT = "/etc/newsmon/feeds.toml"
FEEDS_HOST = "./deploy/feeds.toml"
EXAMPLE = ROOT / "deploy" / "feeds.toml.example"


@pytest.fixture(scope="module")
def ingest(services: dict) -> dict:
    return services["ingest"]


def argv(service: dict) -> list[str]:
    """The process's argv: the service's entrypoint (else the image's) and its command."""
    entrypoint = service.get("entrypoint")
    if entrypoint is None:
        (args,) = [a for k, a in final_stage(dockerfile_instructions()) if k == "ENTRYPOINT"][-1:]
        entrypoint = yaml.safe_load(args)
    return words(entrypoint) + words(service.get("command") or [])


def words(value: str | list) -> list[str]:
    return shlex.split(value) if isinstance(value, str) else [str(x) for x in value]


def test_ingest_runs_newsmon_ingest_with_documented_flags(ingest: dict) -> None:
    command = argv(ingest)
    assert command[:2] == ["newsmon", "ingest"], command
    # the real parser of `newsmon ingest --help`: an unknown flag exits
    args = build_parser().parse_args(command[1:])
    assert args.func is cmd_ingest
    assert str(args.config) == FEEDS_MOUNT
    assert not args.once, "a service polls until stopped"
    assert not args.urls, "the feeds are in feeds.toml"
    assert args.state_dir, "--state-dir on the named volume"


def test_ingest_uses_the_newsmon_image(services: dict, ingest: dict) -> None:
    assert ingest["image"] == services["worker"]["image"]
    assert ingest.get("build") == services["worker"]["build"]


def test_ingest_mounts_the_operators_feeds_file(ingest: dict) -> None:
    mounts = [m for m in ingest["volumes"] if isinstance(m, dict) and m.get("type") == "bind"]
    (feeds,) = [m for m in mounts if m["target"] == FEEDS_MOUNT]
    assert feeds["source"] == FEEDS_HOST
    assert feeds.get("read_only") is True
    # a missing file is an error, not an empty directory made in its place
    assert feeds.get("bind", {}).get("create_host_path") is False
    assert (FEEDS_HOST, FEEDS_MOUNT) in bind_mounts(ingest)


def test_the_feeds_example_loads() -> None:
    feeds = load_feeds(EXAMPLE, IngestSettings(state_dir="/nonexistent"))
    assert feeds and all(f.url.startswith("https://") for f in feeds)
    text = EXAMPLE.read_text(encoding="utf-8")
    assert f"cp deploy/feeds.toml.example {FEEDS_HOST.removeprefix('./')}" in text


def test_ingest_state_is_a_named_volume(compose: dict, ingest: dict) -> None:
    args = build_parser().parse_args(argv(ingest)[1:])
    volumes = {target: name for name, target in named_volumes(ingest)}
    assert args.state_dir in volumes, f"--state-dir {args.state_dir} is not on a volume"
    assert volumes[args.state_dir] in (compose.get("volumes") or {})
    # the image makes this directory for its user, so a fresh volume is writable
    runs = " ".join(a for k, a in final_stage(dockerfile_instructions()) if k == "RUN")
    assert (
        f"mkdir -p {args.state_dir}" in runs and f"chown newsmon:newsmon {args.state_dir}" in runs
    )


def test_ingest_has_the_workers_broker(services: dict, ingest: dict) -> None:
    worker, env = environment(services["worker"]), environment(ingest)
    for key in ("NEWSMON_BROKER", "NEWSMON_BROKER_PROFILE", "NEWSMON_REPLICATION_FACTOR"):
        assert env[key] == worker[key], key
    args = build_parser().parse_args(argv(ingest)[1:])
    assert args.broker is None, "--broker would override NEWSMON_BROKER"


def test_ingest_restarts_and_is_not_scaled(ingest: dict) -> None:
    assert ingest.get("restart") == "unless-stopped"
    assert not ingest.get("ports")
    assert "container_name" not in ingest
    deploy = ingest.get("deploy") or {}
    assert deploy.get("replicas", 1) == 1, "one ingest: its state is one SQLite file"


def test_ingest_metrics_serve_the_image_healthcheck(ingest: dict) -> None:
    """The image's HEALTHCHECK GETs 127.0.0.1:$NEWSMON_METRICS_PORT/metrics (9464)."""
    args = build_parser().parse_args(argv(ingest)[1:])
    env = with_defaults(environment(ingest))
    port = env.get("NEWSMON_METRICS_PORT", "9464")
    if ingest.get("healthcheck", {}).get("disable"):
        return
    assert str(args.metrics_port) == port
    assert env.get("NEWSMON_INGEST_METRICS_HOST") in ("0.0.0.0", "127.0.0.1")
    assert str(port) in [str(p) for p in ingest.get("expose", [])]


def test_prometheus_scrapes_ingest(services: dict, ingest: dict) -> None:
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    jobs = [j for j in config["scrape_configs"] if j["job_name"] == "newsmon-ingest"]
    assert len(jobs) == 1
    args = build_parser().parse_args(argv(ingest)[1:])
    (sd,) = jobs[0]["dns_sd_configs"]
    assert sd["names"] == ["ingest"] and sd["port"] == args.metrics_port
    assert re.fullmatch(r"\d+s", sd["refresh_interval"])


def test_readme_tells_to_copy_the_example() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    assert "cp deploy/feeds.toml.example deploy/feeds.toml" in section
    assert Path(FEEDS_HOST).name in section
