"""A trained second opinion on the visit rules' findings.

The rules find (leader, country, status) in a sentence; where real copy breaks them is in
deciding whether the sentence reports a trip by that leader at all (an envoy, a phone
call, a trip that is only floated) and which status it has when no date says so. The
judge is a small spaCy text classifier (bag of words and pairs, no vectors) over the
finding's sentence with the visitor, the host and other people and places masked, plus
the rules' own signals as tokens. It is trained here from the project's annotated
articles (`make train`, `streams/extract/training.py`) and versioned under
`data/judge/`; nothing is downloaded.

It acts only where it is sure: a finding it calls `none` with probability NONE_FLOOR or
more is dropped, and a status the rules took from no date is replaced by the judge's
when that has probability STATUS_FLOOR or more.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import spacy
from spacy.tokens import Doc

from .mentions import Mentions
from .visits import VisitFinding

MODEL_DIR = Path(__file__).parent / "data" / "judge"
LABELS = ("none", "ongoing", "planned", "past")
STATUSES = LABELS[1:]
NONE_FLOOR = 0.9
STATUS_FLOOR = 0.9


def judge_text(f: VisitFinding, doc: Doc, mentions: Mentions) -> str:
    """The finding as the judge reads it: its sentence, lower-cased, with the visitor
    as VISITOR, the host as HOST, other leaders and places as LEADER and PLACE, the
    trigger marked, then the rules' signals ('rule_planned', 'when_day', ...)."""
    sent = f.sentence
    marks: dict[int, str] = {}
    for p in mentions.places_in(sent.start, sent.end):
        for k in range(p.start, p.end):
            marks[k] = "HOST" if p.code == f.host.code else "PLACE"
    for m in mentions.leaders_in(sent.start, sent.end):
        for k in range(m.start, m.end):
            marks[k] = "VISITOR" if m.person.name == f.person.name else "LEADER"
    words: list[str] = []
    for tok in sent:
        word = marks.get(tok.i) or ("NUM" if tok.like_num else tok.lower_)
        if tok.i == f.trigger:
            word = f"TRIGGER_{tok.lower_}"
        if not words or words[-1] != word or word not in ("HOST", "PLACE", "VISITOR", "LEADER"):
            words.append(word)
    when = f.when
    signals = [
        f"rule_{f.status}",
        f"cued_{f.cued}",
        f"mention_{f.mention.kind}",
        f"when_{when.precision or 'phrase'}_{when.relation}" if when else "when_none",
        "first_sentence" if sent.start == 0 else "later_sentence",
    ]
    return " ".join(words + signals)


class Judge:
    """Loads the trained classifier once; `review` applies it to an article's findings."""

    def __init__(self, path: Path = MODEL_DIR) -> None:
        self.nlp = spacy.load(path)
        self.meta = json.loads((path / "judge.json").read_text(encoding="utf-8"))

    def scores(self, texts: list[str]) -> list[dict[str, float]]:
        return [dict(d.cats) for d in self.nlp.pipe(texts)]

    def review(self, findings: list[VisitFinding], doc: Doc, mentions: Mentions) -> list:
        if not findings:
            return findings
        texts = [judge_text(f, doc, mentions) for f in findings]
        out = []
        for f, cats in zip(findings, self.scores(texts), strict=True):
            if cats.get("none", 0.0) >= NONE_FLOOR:
                continue
            dated = f.when is not None and f.when.precision == "day"
            best = max(STATUSES, key=lambda s: cats.get(s, 0.0))
            if not dated and cats.get(best, 0.0) >= STATUS_FLOOR and best != f.status:
                f = replace(f, status=best, cued=True)
            out.append(f)
        return out


def load_judge(path: Path = MODEL_DIR) -> Judge | None:
    """The trained judge, or None when it has not been trained (the rules alone)."""
    if not (path / "judge.json").exists():
        return None
    return Judge(path)
