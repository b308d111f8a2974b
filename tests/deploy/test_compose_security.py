"""docker-compose.yml exposes nothing beyond the Docker host: every published port is bound
to 127.0.0.1, and Grafana has no anonymous access and no default admin password."""

from __future__ import annotations

import re

import pytest

from tests.deploy.composefile import (
    COMPOSE,
    ROOT,
    environment,
    load_compose,
    published_ports,
    with_defaults,
)

LOOPBACK = "127.0.0.1"
README = ROOT / "README.md"
REQUIRED_VARIABLE = re.compile(r"\$\{(\w+):\?[^}]+\}")


@pytest.mark.parametrize(
    "name", [n for n, s in load_compose()["services"].items() if s.get("ports")]
)
def test_every_published_port_is_bound_to_loopback(services: dict, name: str) -> None:
    for port in published_ports(services[name]):
        assert port.host_ip == LOOPBACK, (
            f"{name}: {port} is reachable from other machines; publish it as "
            f'"{LOOPBACK}:{port.published or port.target}:{port.target}"'
        )
        assert port.published, f"{name}: {port} gets a random host port"


def test_the_web_uis_and_kafka_are_published_on_loopback(services: dict) -> None:
    published = {
        (name, port.host_ip, port.published)
        for name, service in services.items()
        for port in published_ports(service)
    }
    for expected in [
        ("prometheus", LOOPBACK, "9090"),
        ("alertmanager", LOOPBACK, "9093"),
        ("grafana", LOOPBACK, "3000"),
        ("kafka-1", LOOPBACK, "29092"),
    ]:
        assert expected in published


def test_nothing_uses_the_host_network(services: dict) -> None:
    for name, service in services.items():
        assert service.get("network_mode") != "host", name
        assert not service.get("privileged"), name


def test_grafana_has_no_anonymous_access(services: dict) -> None:
    env = environment(services["grafana"])
    assert env.get("GF_AUTH_ANONYMOUS_ENABLED", "false").lower() == "false"
    assert "GF_AUTH_ANONYMOUS_ORG_ROLE" not in env
    assert env.get("GF_USERS_ALLOW_SIGN_UP", "").lower() == "false"
    assert env.get("GF_AUTH_DISABLE_LOGIN_FORM", "false").lower() == "false"


def test_grafana_admin_password_has_no_default(services: dict) -> None:
    """From a variable Compose requires (`${VAR:?message}`), or from a secret file."""
    env = environment(services["grafana"])
    if "GF_SECURITY_ADMIN_PASSWORD__FILE" in env:
        assert "GF_SECURITY_ADMIN_PASSWORD" not in env
        secret = env["GF_SECURITY_ADMIN_PASSWORD__FILE"]
        assert secret.startswith("/run/secrets/"), secret
        return
    password = env["GF_SECURITY_ADMIN_PASSWORD"]
    match = REQUIRED_VARIABLE.fullmatch(password)
    assert match, f"GF_SECURITY_ADMIN_PASSWORD={password!r}: use ${{VAR:?message}}"
    with pytest.raises(KeyError):
        with_defaults(env)
    # no fallback for it anywhere in the file (`${GRAFANA_ADMIN_PASSWORD:-admin}` and the like)
    text = COMPOSE.read_text(encoding="utf-8")
    assert not re.search(rf"\$\{{{match.group(1)}:?-", text)


def test_readme_says_how_to_open_the_ports_safely() -> None:
    readme = README.read_text(encoding="utf-8")
    section = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    assert "GRAFANA_ADMIN_PASSWORD" in section
    assert "127.0.0.1" in section
    assert re.search(r"reverse proxy", section, flags=re.I)
    assert "TLS" in section
