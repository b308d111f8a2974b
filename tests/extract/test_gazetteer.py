"""The data files shipped in the package: valid codes, full coverage, sound terms."""

from __future__ import annotations

import json
from datetime import date

import pycountry
import pytest

from streams.extract.gazetteer import DATA_DIR, load_gazetteer

EXTRA_CODES = {"XKX"}  # Kosovo: no ISO code, the one the EU and IMF use
BODIES = {"UN", "EU", "G7", "IAEA", "NATO"}


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def is_country(code: str) -> bool:
    return code in EXTRA_CODES or pycountry.countries.get(alpha_3=code) is not None


def test_every_country_code_is_iso_alpha3(gaz):
    data = json.loads((DATA_DIR / "countries.json").read_text(encoding="utf-8"))
    assert len(data["countries"]) >= 193 + 4
    assert all(is_country(code) for code in data["countries"])
    assert set(data["bodies"]) >= BODIES


def test_common_forms_resolve(gaz):
    expect = {
        "North Korea": "PRK", "DPRK": "PRK", "the US": "USA", "US": "USA",
        "Washington": "USA", "Moscow": "RUS", "Russian": "RUS", "Pyongyang": "PRK",
        "Kyiv": "UKR", "Hanoi": "VNM", "South Korea": "KOR", "Kremlin": "RUS",
    }  # fmt: skip
    for phrase, code in expect.items():
        key = phrase[4:] if phrase.startswith("the ") else phrase
        assert gaz.places[key].code == code, phrase


def test_leaders_cover_every_un_member_and_have_sound_terms(gaz):
    assert len(gaz.leaders) > 1000
    for leader in gaz.leaders:
        assert is_country(leader.country) or leader.country in ("PSE", "TWN", "VAT"), leader
        assert leader.role in ("head_of_state", "head_of_government"), leader
        if leader.start and leader.end:
            assert leader.start <= leader.end, leader
    countries = {ld.country for ld in gaz.leaders}
    data = json.loads((DATA_DIR / "countries.json").read_text(encoding="utf-8"))
    missing = set(data["countries"]) - countries - {"SMR"}  # San Marino's regents rotate
    assert not missing, sorted(missing)


def test_office_holders_on_a_date(gaz):
    day = date(2024, 6, 19)
    assert "Vladimir Putin" in {ld.name for ld in gaz.office_holders("RUS", day)}
    assert "Kim Jong Un" in {ld.name for ld in gaz.office_holders("PRK", day)}
    assert "Joe Biden" in {ld.name for ld in gaz.office_holders("USA", day)}
    assert "Olaf Scholz" in {ld.name for ld in gaz.office_holders("DEU", day)}
