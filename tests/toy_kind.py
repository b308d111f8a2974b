"""A toy third event kind, written here and nowhere in `streams/`: a country calling for
an armistice in another ("Norway called for an armistice in Sudan"). The kinds tests
load it (in process with `kinds.register`, in subprocesses with `NEWSMON_KINDS`) to show
that a kind is one module."""

from __future__ import annotations

from datetime import date

from streams.kinds import Kind, Reading


class ArmisticeCall(Kind):
    name = "armistice_call"
    prefix = "ac"
    label = "armistice"

    def first_pass(self, doc, verdict):
        return "whole" if any(t.lower_ == "armistice" for t in doc) else None

    def find(self, reading: Reading) -> list[dict]:
        events = []
        for sent in reading.doc.sents:
            if not any(t.lower_ == "armistice" for t in sent):
                continue
            codes = list(
                dict.fromkeys(p.code for p in reading.mentions.places_in(sent.start, sent.end))
            )
            if len(codes) < 2:
                continue
            caller, country = codes[:2]
            day: date = reading.article.day
            text = sent.text.rstrip()
            events.append(
                {
                    "schema": "newsmon.event.v1",
                    "type": self.name,
                    "event_id": self.event_id(caller, country, day.isoformat()),
                    "article_id": reading.article.id,
                    "caller": caller,
                    "country": country,
                    "evidence": [
                        {"text": text, "start": sent.start_char, "end": sent.start_char + len(text)}
                    ],
                    "confidence": 0.6,
                }
            )
        return events

    def block(self, event: dict) -> str:
        return f"{event['caller']}|{event['country']}"

    def describe(self, event: dict, alert: dict | None = None) -> str:
        return f"armistice: {event['caller']} calls for one in {event['country']}"

    def row(self, event: dict) -> tuple[str, str, str, str]:
        return (event["caller"], event["country"], "", "")

    def country_pairs(self, event: dict) -> list[tuple[str, str]]:
        return [(event["caller"], event["country"])]

    def score_parties(self, event: dict) -> tuple:
        return (event["caller"], event["country"])


KIND = ArmisticeCall()
