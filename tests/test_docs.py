"""The README documents every setting the code reads."""

from __future__ import annotations

import re

from streams.settings import Settings

from .conftest import ROOT


def test_readme_lists_every_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(NEWSMON_[A-Z_]+)`", readme, flags=re.M))
    expected = {f"NEWSMON_{name.upper()}" for name in Settings.__dataclass_fields__}
    assert expected <= documented, sorted(expected - documented)
