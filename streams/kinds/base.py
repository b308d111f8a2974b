"""`Kind`: what the system needs to know about one type of event, with the defaults a
simple kind can keep (pure: no Kafka, no spaCy at import).

A kind overrides `find` (its finder) and `block` (who or what its events are about);
everything else has a default that suits a kind without statuses whose reports of the
same parties within `window` days are one event.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from ..articles import Article

#: What a kind's first pass asks of the fast path for a text (`Kind.first_pass`): the
#: whole pipeline, the components up to the parser and then `Kind.parsed_pass`, or
#: nothing (None: this kind has no event in the text).
Pass = Literal["whole", "parsed"] | None
NO_STATUS = "none"  # the status label of events that have none


@dataclass
class Reading:
    """One article as the finders see it: the parsed text, who and where it names
    (`extract.mentions.Mentions`), its time phrases and the visit judge (or None)."""

    article: Article
    doc: Doc
    mentions: Any
    times: list
    judge: Any = None


class Kind:
    name: str = ""  # the events' `type`; alerts also go to `alerts.<name>`
    prefix: str = ""  # of its `event_id`s and identity blocks: short and its own
    label: str = ""  # the word naming it in tables and summary lines
    statuses: tuple[str, ...] = (NO_STATUS,)  # the values of its `status` field
    window: timedelta = timedelta(days=14)  # default `match`: reports this close join

    # -- extraction -------------------------------------------------------------------

    def first_pass(self, doc: Doc, verdict: Any) -> Pass:
        """On the tokenizer's output alone (and the built-in first pass's
        `gate.Verdict`): what the text needs for this kind's finder to fire. The default
        sends every text through the whole pipeline; a kind should answer None when a
        cheap test shows it cannot fire, or the fast path is lost."""
        return "whole"

    def parsed_pass(self, doc: Doc, gate: Any) -> bool:
        """For a text `first_pass` answered "parsed": once the parser ran, whether the
        rest of the pipeline must run for this kind."""
        return True

    def find(self, reading: Reading) -> list[dict]:
        """The events of this kind in one article, per `schemas/event.v1.json`."""
        raise NotImplementedError

    def event_id(self, *parts: str) -> str:
        """An article-level id: the prefix and a digest of the kind and `parts`."""
        digest = hashlib.sha256("|".join((self.name, *parts)).encode()).hexdigest()[:16]
        return f"{self.prefix}-{digest}"

    # -- identity and resolution (`resolve.py`) ----------------------------------------

    def block(self, event: dict) -> str:
        """Who or what the event is about: reports that could be one event share it."""
        raise NotImplementedError

    def status(self, item: dict) -> str:
        return item.get("status") or NO_STATUS

    def alertable(self, item: dict, alert_past_visits: bool) -> bool:
        """Whether an event record or report alerts subscribers."""
        return True

    def anchor(self, event: dict, day: date) -> str:
        """What tells a new event from the earlier ones of its block, in its id."""
        return day.isoformat()

    def match(self, records: list[dict], event: dict, day: date) -> dict | None:
        """The block's event this report (published on `day`) belongs to, if any."""
        near = [
            r
            for r in records
            if abs((date.fromisoformat(r["last_day"]) - day).days) <= self.window.days
        ]
        return max(near, key=lambda r: r["last_day"]) if near else None

    def start(self, record: dict, event: dict, day: date, records: list[dict]) -> None:
        """Sets the kind's own fields of a new event record."""
        record["last_day"] = day.isoformat()

    def merge(self, record: dict, event: dict, day: date) -> None:
        """Folds a further report into the record's own fields."""
        record["last_day"] = max(record.get("last_day") or "", day.isoformat())

    def current(self, record: dict, event: dict, old: dict) -> dict:
        """The event as known now, from the latest report and the earlier one `old`."""
        return {**event, "event_id": record["event_id"]}

    def status_changed(self, record: dict, previous_status: str | None) -> bool:
        """Whether the report that moved an alerted event from `previous_status` to its
        status now is news of its own (a `status_changed` alert, sent once)."""
        return False

    def alert_fields(self, record: dict, alert_kind: str, previous_status: str | None) -> dict:
        """Fields an alert of this kind carries beside the common ones."""
        return {}

    # -- presentation, metrics, filters, scoring ---------------------------------------

    def describe(self, event: dict, alert: dict | None = None) -> str:
        """One line saying what happened ("visit: ... [ongoing]"), for summaries and chat."""
        return f"{self.label or self.name}: {self.block(event)}"

    def row(self, event: dict) -> tuple[str, str, str, str]:
        """The table row after article and label: who / what, where / accused,
        status / accusers, when / denied."""
        return (self.block(event), "", self.status(event), event.get("when") or "")

    def country_pairs(self, event: dict) -> list[tuple[str, str]]:
        """(from, to) country codes for the alerts-by-country-pair metric."""
        return []

    def countries(self, event: dict) -> set[str]:
        """The countries a sink's `countries` filter matches the event by."""
        return {c for _, c in self.country_pairs(event)} | {c for c, _ in self.country_pairs(event)}

    def score_parties(self, event: dict) -> tuple:
        """Who the event is about, as the scorer matches gold and predicted events (with
        the status, for kinds that have several)."""
        return (self.block(event),)

    def score_key(self, article_id: str, event: dict) -> tuple:
        key = (article_id, *self.score_parties(event))
        return (*key, self.status(event)) if len(self.statuses) > 1 else key

    def compare(self, gold: dict, pred: dict) -> dict[str, float]:
        """Field agreement (0 to 1) of a matched gold and predicted event, by field."""
        return {}
