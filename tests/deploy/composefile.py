"""Reading docker-compose.yml the way Compose does, for the structural tests (no Docker engine).

PyYAML resolves the file's anchors and `<<` merge keys as Compose does; `${VAR...}`
interpolation is left as written, so tests see e.g. `${NEWSMON_PARTITIONS:-4}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
KAFKA_NODES = ("kafka-1", "kafka-2", "kafka-3")


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def environment(service: dict) -> dict[str, str]:
    """A service's environment as a dict, from either the mapping or the list form."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


@dataclass(frozen=True)
class Port:
    host_ip: str  # "" when the short form names no address (Docker then binds every address)
    published: str
    target: str


def published_ports(service: dict) -> list[Port]:
    """The service's `ports`, short (`[IP:]HOST:CONTAINER[/proto]`, IPv6 in brackets) or
    long (`{host_ip, published, target}`) form; a bare `CONTAINER` publishes a random port."""
    ports = []
    for port in service.get("ports") or []:
        if isinstance(port, dict):
            ports.append(
                Port(
                    str(port.get("host_ip", "")),
                    str(port.get("published", "")),
                    str(port.get("target", "")),
                )
            )
            continue
        text = str(port).split("/")[0]
        match = re.fullmatch(r"(?:(\[[^\]]*\]|[^:]*):)??(?:([^:]*):)?([^:]+)", text)
        assert match, f"cannot read port {port!r}"
        ip, host, target = match.groups()
        ports.append(Port((ip or "").strip("[]"), host or "", target))
    return ports


def host_ports(service: dict) -> set[str]:
    """Published host ports."""
    return {port.published for port in published_ports(service) if port.published}


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


def named_volumes(service: dict) -> list[tuple[str, str]]:
    """(volume name, container target) of the service's named volumes."""
    found = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict):
            if volume.get("type") == "volume":
                found.append((volume["source"], volume["target"]))
            continue
        source, target, *_ = str(volume).split(":")
        if not source.startswith((".", "/", "~")):
            found.append((source, target))
    return found


def script(command: object) -> str:
    """A service's command as one shell text (list or string form, `$$` unescaped)."""
    text = " ".join(command) if isinstance(command, list) else str(command or "")
    return text.replace("$$", "$")


def listeners(value: str) -> dict[str, str]:
    """`NAME://host:port,...` -> {NAME: "host:port"}."""
    found = {}
    for item in value.split(","):
        name, _, address = item.strip().partition("://")
        found[name] = address
    return found


def protocol_map(value: str) -> dict[str, str]:
    """`NAME:PROTOCOL,...` -> {NAME: PROTOCOL}."""
    return dict(item.strip().split(":", 1) for item in value.split(","))


def with_defaults(env: dict[str, str]) -> dict[str, str]:
    """The environment as Compose sees it with nothing set in the shell: `${VAR:-default}`
    and `${VAR-default}` become their default, `${VAR}` the empty string; a required
    `${VAR:?message}` raises KeyError."""

    def value(match: re.Match) -> str:
        name, operator, rest = match.group(1), match.group(2) or "", match.group(3) or ""
        if operator.endswith("?"):
            raise KeyError(f"{name} is required: {rest}")
        return rest if operator.endswith("-") else ""

    pattern = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")
    return {k: pattern.sub(value, v) for k, v in env.items()}


# --- deploy/Dockerfile


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
