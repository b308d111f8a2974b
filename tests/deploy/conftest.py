"""Fixtures of the deployment tests: docker-compose.yml, parsed once per module."""

from __future__ import annotations

import pytest

from tests.deploy.composefile import load_compose


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]
