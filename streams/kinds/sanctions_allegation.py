"""`sanctions_allegation`: a government or body accusing a country of breaking sanctions.

Its reports join one claim when they accuse the same country at most ALLEGATION_WINDOW
days apart and their subjects are of a compatible kind (`identity.subject_kinds`: arms,
oil...); accusers and counterparties accumulate on the event and are not part of its
identity.
"""

from __future__ import annotations

from datetime import date, timedelta

from .base import Kind, Pass, Reading

ALLEGATION_WINDOW = timedelta(days=14)


def _subject_kinds(event: dict) -> frozenset[str]:
    from ..identity import subject_kinds

    return subject_kinds(event.get("subject") or "")


class SanctionsAllegation(Kind):
    name = "sanctions_allegation"
    prefix = "sa"
    label = "sanctions"
    window = ALLEGATION_WINDOW

    def first_pass(self, doc, verdict) -> Pass:
        return "parsed" if verdict.allegation is not None else None

    def parsed_pass(self, doc, gate) -> bool:
        return gate.claims(doc)

    def find(self, reading: Reading) -> list[dict]:
        from ..extract.allegations import find_allegations
        from ..extract.events import allegation_events

        found = find_allegations(reading.doc, reading.mentions)
        return allegation_events(found, reading.article.id, reading.article.day)

    def block(self, event: dict) -> str:
        return event["accused"]

    def match(self, records: list[dict], event: dict, day: date) -> dict | None:
        from ..identity import kinds_compatible

        kinds = _subject_kinds(event)
        found = [
            r
            for r in records
            if abs((date.fromisoformat(r["last_day"]) - day).days) <= self.window.days
            and kinds_compatible(set(r["kinds"]), kinds)
        ]
        return max(found, key=lambda r: r["last_day"]) if found else None

    def start(self, record: dict, event: dict, day: date, records: list[dict]) -> None:
        record["last_day"] = day.isoformat()
        record["kinds"] = sorted(_subject_kinds(event))

    def merge(self, record: dict, event: dict, day: date) -> None:
        record["last_day"] = max(record["last_day"], day.isoformat())
        record["kinds"] = sorted(set(record["kinds"]) | _subject_kinds(event))

    def current(self, record: dict, event: dict, old: dict) -> dict:
        """Every accuser and counterparty reported so far; the first subject."""
        current = {**event, "event_id": record["event_id"]}
        for key in ("accusers", "counterparties"):
            current[key] = sorted(set(old.get(key, [])) | set(event.get(key, [])))
        current["denied"] = bool(old.get("denied")) or bool(event.get("denied"))
        current["subject"] = old.get("subject") or event.get("subject")
        return current

    def describe(self, event: dict, alert: dict | None = None) -> str:
        denied = " (denied)" if event.get("denied") else ""
        accusers = ", ".join(event.get("accusers") or []) or "?"
        return f"sanctions: {accusers} accuse {self._accused(event)}: {event['subject']}{denied}"

    def row(self, event: dict) -> tuple[str, str, str, str]:
        return (
            event["subject"],
            self._accused(event),
            ", ".join(event["accusers"]),
            "denied" if event["denied"] else "",
        )

    @staticmethod
    def _accused(event: dict) -> str:
        counterparties = event.get("counterparties") or []
        return event["accused"] + (" -> " + ", ".join(counterparties) if counterparties else "")

    def country_pairs(self, event: dict) -> list[tuple[str, str]]:
        return [(accuser, event.get("accused")) for accuser in event.get("accusers", [])]

    def countries(self, event: dict) -> set[str]:
        return {event["accused"]} if isinstance(event.get("accused"), str) else set()

    def score_parties(self, event: dict) -> tuple:
        return (event["accused"],)

    def compare(self, gold: dict, pred: dict) -> dict[str, float]:
        ga, pa = set(gold["accusers"]), set(pred["accusers"])
        return {
            "accusers": len(ga & pa) / len(ga | pa) if ga | pa else 1.0,
            "denied": float(gold["denied"] == pred["denied"]),
            "counterparties": float(set(gold["counterparties"]) == set(pred["counterparties"])),
        }


KIND = SanctionsAllegation()
