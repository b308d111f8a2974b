"""Gazetteers shipped with the package: countries (with demonyms, cities, metonyms),
international bodies, and heads of state and government with their terms of office.

Loaded once per process (`load_gazetteer()` is cached)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")

#: Kinds of place mention, in order of preference when two phrases overlap.
COUNTRY, DEMONYM, CITY, METONYM, BODY = "COUNTRY", "DEMONYM", "CITY", "METONYM", "BODY"


@dataclass(frozen=True)
class Leader:
    """One term of office of one head of state or government."""

    name: str
    country: str
    title: str
    role: str
    start: date | None
    end: date | None
    aliases: tuple[str, ...] = ()

    def in_office(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def in_office_year(self, year: int) -> bool:
        first = self.start.year if self.start else 0
        last = self.end.year if self.end else 9999
        return first <= year <= last


@dataclass(frozen=True)
class Place:
    """What a place phrase stands for: a country or body code, and the city if it is one."""

    code: str
    kind: str
    city: str | None = None


@dataclass
class Gazetteer:
    """All lookup tables. Phrases are keyed exactly as written (case matters for 'US')."""

    country_names: dict[str, str] = field(default_factory=dict)  # code -> common name
    places: dict[str, Place] = field(default_factory=dict)  # phrase -> place
    ambiguous: set[str] = field(default_factory=set)  # phrases that need an NER label
    leaders: list[Leader] = field(default_factory=list)
    leaders_by_alias: dict[str, list[Leader]] = field(default_factory=lambda: defaultdict(list))

    def leaders_named(self, phrase: str) -> list[Leader]:
        return self.leaders_by_alias.get(phrase, [])

    def office_holders(self, country: str, day: date) -> list[Leader]:
        return [ld for ld in self.leaders if ld.country == country and ld.in_office(day)]


def _parse_day(value: str | None, *, end: bool = False) -> date | None:
    """'2012', '2012-05' or '2012-05-07' -> a date (the first or last day of a partial one)."""
    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return date(parts[0], 12, 31) if end else date(parts[0], 1, 1)
    if len(parts) == 2:
        year, month = parts
        if not end:
            return date(year, month, 1)
        next_month = date(year + month // 12, month % 12 + 1, 1)
        return date.fromordinal(next_month.toordinal() - 1)
    return date(*parts)


def _variants(phrase: str) -> set[str]:
    """Spellings of one phrase as news writes it: as given, and with a leading 'the'."""
    phrase = phrase.strip()
    out = {phrase}
    if phrase.lower().startswith("the "):
        out.add(phrase[4:])
    return {p for p in out if p}


def _add_place(gaz: Gazetteer, phrase: str, place: Place) -> None:
    for variant in _variants(phrase):
        known = gaz.places.get(variant)
        # Countries and bodies win over cities and metonyms spelled the same way.
        if known is None or _rank(place.kind) < _rank(known.kind):
            gaz.places[variant] = place


def _rank(kind: str) -> int:
    return (COUNTRY, BODY, DEMONYM, CITY, METONYM).index(kind)


def _load_countries(gaz: Gazetteer, data: dict) -> None:
    for code, entry in data["countries"].items():
        gaz.country_names[code] = entry["name"]
        for phrase in [entry["name"], *entry.get("aliases", [])]:
            _add_place(gaz, phrase, Place(code, COUNTRY))
        for phrase in entry.get("demonyms", []):
            _add_place(gaz, phrase, Place(code, DEMONYM))
        for phrase in [entry.get("capital"), *entry.get("cities", [])]:
            if phrase:
                _add_place(gaz, phrase, Place(code, CITY, city=phrase))
        for phrase in entry.get("metonyms", []):
            _add_place(gaz, phrase, Place(code, METONYM))
        gaz.ambiguous.update(entry.get("ambiguous", []))
    for code, aliases in data.get("bodies", {}).items():
        for phrase in aliases:
            _add_place(gaz, phrase, Place(code, BODY))


def _load_leaders(gaz: Gazetteer, path: Path) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        leader = Leader(
            name=row["name"],
            country=row["country"],
            title=row.get("title") or "",
            role=row.get("role") or "",
            start=_parse_day(row.get("start")),
            end=_parse_day(row.get("end"), end=True),
            aliases=tuple(row.get("aliases") or ()),
        )
        gaz.leaders.append(leader)
        for phrase in {leader.name, *leader.aliases, *_derived_aliases(leader.name)}:
            if phrase and leader not in gaz.leaders_by_alias[phrase]:
                gaz.leaders_by_alias[phrase].append(leader)


HONORIFICS = ("Sheikh ", "King ", "Emir ", "Sultan ", "Queen ", "Prince ", "Pope ")


def _derived_aliases(name: str) -> list[str]:
    """'Sheikh Tamim bin Hamad Al Thani' is also 'Tamim' and 'Sheikh Tamim'; a monarch
    'Charles III' is also 'Charles'."""
    for honorific in HONORIFICS:
        if name.startswith(honorific):
            given = name[len(honorific) :].split()[0]
            return [given, honorific + given]
    parts = name.split()
    if len(parts) == 2 and set(parts[1]) <= set("IVX"):
        return [parts[0]]
    return []


@cache
def load_gazetteer(data_dir: Path = DATA_DIR) -> Gazetteer:
    """Read every data file once per process."""
    gaz = Gazetteer()
    _load_countries(gaz, json.loads((data_dir / "countries.json").read_text(encoding="utf-8")))
    for path in sorted((data_dir / "leaders").glob("*.jsonl")):
        _load_leaders(gaz, path)
    gaz.leaders_by_alias = dict(gaz.leaders_by_alias)
    return gaz
