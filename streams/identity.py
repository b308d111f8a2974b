"""Who and what an event is about, as keys that survive spelling and wording (pure).

- `person_id`: a leader as a person, not a spelling: the leaders data's own entry
  ("Zelenskiy", "Zelensky" and "Volodymyr Zelenskyy" are `UKR:volodymyr-zelensky`),
  else the name folded to ASCII.
- `block_key`: the set of events a report could belong to (`Kind.block`: visitor person
  and host country for a visit, the accused country for an allegation). The stream keys the
  events topic by it, so every report that could join an event reaches one partition.
- `subject_kinds`: what an allegation is about, in coarse kinds (arms, oil, ...), so
  that two wordings of one claim match and two different claims do not.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from . import kinds
from .extract.gazetteer import Gazetteer, load_gazetteer


def fold(text: str) -> str:
    """Lower case ASCII words: 'Erdoğan' -> 'erdogan', 'Lula da Silva' -> 'lula da silva'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.findall(r"[a-z0-9]+", plain.lower()))


def _close(a: str, b: str) -> bool:
    """Spelling variants of one surname: equal, or one edit apart ('zelenskiy' and
    'zelensky', 'zelenskyy'), or one a prefix of the other of five letters or more."""
    if a == b:
        return True
    if min(len(a), len(b)) >= 5 and (a.startswith(b) or b.startswith(a)):
        return abs(len(a) - len(b)) <= 2
    if abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < 5:
        return False
    return _one_edit(a, b)


def _one_edit(a: str, b: str) -> bool:
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)) :] == b[i + 1 :]


@cache
def _names(country: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """(canonical name, folded spellings) of every leader of a country in the data."""
    gaz: Gazetteer = load_gazetteer()
    spellings: dict[str, set[str]] = {}
    for leader in gaz.leaders:
        if leader.country == country:
            spellings.setdefault(leader.name, set()).update(
                fold(n) for n in (leader.name, *leader.aliases) if n
            )
    return tuple((name, frozenset(s)) for name, s in spellings.items())


def _slug(text: str) -> str:
    return fold(text).replace(" ", "-") or "unknown"


@cache
def person_id(name: str, country: str) -> str:
    """`COUNTRY:slug` of the leader's entry in the leaders data when a spelling or the
    surname matches one of that country's leaders, else of the name itself."""
    folded = fold(name)
    known = _names(country)
    for canonical, spellings in known:
        if folded in spellings:
            return f"{country}:{_slug(canonical)}"
    surname = folded.split()[-1] if folded else ""
    matches = {
        canonical
        for canonical, spellings in known
        for s in spellings
        if s and surname and _close(surname, s.split()[-1])
    }
    if len(matches) == 1:
        return f"{country}:{_slug(matches.pop())}"
    return f"{country}:{_slug(name)}"


def block_key(event: dict) -> str:
    """The identity block of an event (also the events topic's message key): its kind's
    prefix and what its kind says it is about (`Kind.block`)."""
    kind = kinds.of(event)
    return f"{kind.prefix}|{kind.block(event)}"


SUBJECT_KINDS = {
    "arms": "arms weapon weapons munitions ammunition shells artillery missile missiles "
    "drone drones military rockets rocket tanks guns rifles explosives",
    "oil": "oil crude fuel petroleum diesel gas lng tanker tankers refined",
    "coal": "coal iron ore minerals gold metals steel",
    "technology": "chips semiconductors microelectronics electronics technology dual-use "
    "components machine tools equipment parts aircraft",
    "finance": "bank banks banking payments financial finance money crypto laundering funds",
    "luxury": "luxury cars vehicles alcohol",
    "workers": "workers labourers laborers labor labour",
    "nuclear": "nuclear uranium enrichment centrifuges",
    "shipping": "ship ships vessel vessels ship-to-ship transfers smuggling shipping",
}
_KIND_OF = {word: kind for kind, words in SUBJECT_KINDS.items() for word in words.split()}


def subject_kinds(subject: str) -> frozenset[str]:
    """Coarse kinds of what an allegation is about; empty for a generic subject."""
    return frozenset(_KIND_OF[w] for w in re.findall(r"[a-z-]+", subject.lower()) if w in _KIND_OF)


def kinds_compatible(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> bool:
    """Two subjects may be one claim: they share a kind, or either is generic.
    'Shipping' alone says how, not what, so it joins any kind."""
    a, b = set(a) - {"shipping"}, set(b) - {"shipping"}
    return not a or not b or bool(a & b)
