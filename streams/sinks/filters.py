"""Which alerts a sink wants: pure, no I/O.

A filter left out lets everything through; the ones given must all match:

- `kinds`: the alert's event type (`leader_visit`, `sanctions_allegation`, or any
  registered kind, `streams.kinds`);
- `countries`: ISO 3166-1 alpha-3 codes, matched by the countries its kind says an event
  is about (`Kind.countries`): a visit by its visitor's or its host's country, an
  allegation by its accused country;
- `statuses`: statuses of kinds that have them (visits: `planned`, `ongoing`, `past`),
  the event's status now; events of kinds without statuses (allegations) are not held
  back by it (`kinds` leaves them out);
- `min_confidence`: the event's `confidence` (0 to 1) is at least this.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import kinds
from ..kinds.base import NO_STATUS


def statuses() -> set[str]:
    """Every status of a registered kind."""
    return {s for kind in kinds.all_kinds() for s in kind.statuses} - {NO_STATUS}


@dataclass(frozen=True)
class Filters:
    kinds: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    min_confidence: float = 0.0

    def matches(self, alert: dict) -> bool:
        return not self.reject(alert)

    def reject(self, alert: dict) -> str:
        """Why `alert` is not for this sink (the filter's name), or "" when it is."""
        event = alert.get("event") or {}
        kind = alert.get("type") or event.get("type")
        if self.kinds and kind not in self.kinds:
            return "kinds"
        if self.countries and not (countries(event) & self.countries):
            return "countries"
        known = kinds.get(str(kind))
        if self.statuses and known is not None and NO_STATUS not in known.statuses:
            status = alert.get("status") or event.get("status")
            if status not in self.statuses:
                return "statuses"
        if self.min_confidence > 0:
            confidence = event.get("confidence")
            if not isinstance(confidence, int | float) or confidence < self.min_confidence:
                return "min_confidence"
        return ""


def countries(event: dict) -> set[str]:
    """The countries an event is about (`Kind.countries`); none for an event it cannot
    read."""
    kind = kinds.get(str(event.get("type")))
    try:
        found = kind.countries(event) if kind else set()
    except (KeyError, TypeError, AttributeError):
        return set()
    return {c for c in found if isinstance(c, str)}
