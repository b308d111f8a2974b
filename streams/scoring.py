"""Scores predicted events against an annotated corpus (see tests/fixtures/corpus/FORMAT.md).

Events match on their kind's scoring key (`Kind.score_key`): leader visits on (article,
visitor country, host country, status), sanctions allegations on (article, accused
country); matched events are compared field by field (`Kind.compare`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import kinds
from .articles import Article, from_dict


@dataclass(frozen=True)
class Annotated:
    article: Article
    events: list[dict]
    notes: str = ""


def load_corpus(*paths: Path) -> list[Annotated]:
    """Every annotated article in the given JSONL files or folders of them."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    out = []
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append(
                    Annotated(from_dict(row["article"]), row["events"], row.get("notes", ""))
                )
    return out


def match_key(article_id: str, e: dict) -> tuple:
    """What a gold and a predicted event match on: the article and the kind's key."""
    return kinds.of(e).score_key(article_id, e)


@dataclass
class TypeScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    by_kind: dict[str, TypeScore]
    status_accuracy: float
    field_accuracy: dict[str, float]
    articles: int
    recall_by_status: dict[str, float] = field(default_factory=dict)

    @property
    def visits(self) -> TypeScore:
        return self.by_kind["leader_visit"]

    @property
    def allegations(self) -> TypeScore:
        return self.by_kind["sanctions_allegation"]

    @property
    def accuser_overlap(self) -> float:
        """Jaccard overlap of the accusers of matched allegations."""
        return self.field_accuracy.get("accusers", 1.0)

    def as_dict(self) -> dict:
        def t(s: TypeScore) -> dict:
            return {
                "precision": round(s.precision, 4),
                "recall": round(s.recall, 4),
                "f1": round(s.f1, 4),
                "tp": s.tp,
                "fp": s.fp,
                "fn": s.fn,
            }

        return {
            "articles": self.articles,
            **{name: t(s) for name, s in self.by_kind.items()},
            "status_accuracy": round(self.status_accuracy, 4),
            "accuser_overlap": round(self.accuser_overlap, 4),
            "field_accuracy": {k: round(v, 4) for k, v in self.field_accuracy.items()},
            "recall_by_status": {k: round(v, 4) for k, v in self.recall_by_status.items()},
            "overall_f1": round(self.overall.f1, 4),
        }

    @property
    def overall(self) -> TypeScore:
        """Every kind counted together (micro-averaged)."""
        s = self.by_kind.values()
        return TypeScore(sum(x.tp for x in s), sum(x.fp for x in s), sum(x.fn for x in s))


def score(corpus: Iterable[Annotated], predictions: dict[str, list[dict]]) -> Report:
    """Per kind: gold and predicted events matched on `match_key`. For kinds with
    statuses, recall by status and the status accuracy of predictions whose parties
    (the key without its status) are in the gold."""
    by_kind = {kind.name: TypeScore() for kind in kinds.all_kinds()}
    status_hits = status_total = 0
    fields: dict[str, list[float]] = {}
    by_status: dict[str, list[bool]] = {}
    count = 0
    for item in corpus:
        count += 1
        aid = item.article.id
        pred = predictions.get(aid, [])
        for kind in kinds.all_kinds():
            gold_k = {match_key(aid, e): e for e in item.events if e["type"] == kind.name}
            pred_k = {match_key(aid, e): e for e in pred if e["type"] == kind.name}
            _count(by_kind[kind.name], gold_k, pred_k)
            if len(kind.statuses) > 1:  # keys end with the status
                for k in gold_k:
                    by_status.setdefault(k[-1], []).append(k in pred_k)
                gold_statuses: dict[tuple, set[str]] = {}
                for k in gold_k:
                    gold_statuses.setdefault(k[:-1], set()).add(k[-1])
                for k in pred_k:
                    if k[:-1] in gold_statuses:
                        status_total += 1
                        status_hits += k[-1] in gold_statuses[k[:-1]]
            for k in gold_k.keys() & pred_k.keys():
                for name, agreement in kind.compare(gold_k[k], pred_k[k]).items():
                    fields.setdefault(name, []).append(agreement)
    return Report(
        by_kind,
        status_hits / status_total if status_total else 1.0,
        {k: sum(v) / len(v) for k, v in sorted(fields.items())},
        count,
        {k: sum(v) / len(v) for k, v in sorted(by_status.items())},
    )


def _count(score_: TypeScore, gold: dict, pred: dict) -> None:
    score_.tp += len(gold.keys() & pred.keys())
    for k in pred.keys() - gold.keys():
        score_.fp += 1
        score_.errors.append(f"FP {k}")
    for k in gold.keys() - pred.keys():
        score_.fn += 1
        score_.errors.append(f"FN {k}")


def format_report(report: Report) -> str:
    lines = [
        f"articles: {report.articles}",
        "type                   P      R      F1     tp  fp  fn",
    ]
    for name, s in report.by_kind.items():
        counts = f"{s.tp:4d} {s.fp:3d} {s.fn:3d}"
        lines.append(f"{name:<20} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}  {counts}")
    o = report.overall
    lines.append(f"{'overall':<20} {o.precision:6.3f} {o.recall:6.3f} {o.f1:6.3f}")
    recall = ", ".join(f"{k} {v:.3f}" for k, v in report.recall_by_status.items())
    lines.append(f"visit recall by status: {recall}")
    lines.append(f"status accuracy (visits matched on parties): {report.status_accuracy:.3f}")
    lines.append(f"accuser overlap (Jaccard, matched allegations): {report.accuser_overlap:.3f}")
    for k, v in report.field_accuracy.items():
        if k == "accusers":
            continue
        lines.append(f"field {k}: {v:.3f}")
    return "\n".join(lines)


@dataclass
class IdentityReport:
    """How predicted event ids line up with the gold `event_key`s of resolution fixtures."""

    merged: int  # real-world events reported by 2+ articles whose reports share one id
    clusters: int  # such events with 2+ reports found
    apart: int  # pairs of found reports of different events that got different ids
    pairs: int  # such pairs of the same parties (same visitor and host, or same accused)
    found: int  # gold reports matched by a prediction
    reports: int  # gold reports

    def as_dict(self) -> dict:
        return {
            "merged": f"{self.merged}/{self.clusters}",
            "apart": f"{self.apart}/{self.pairs}",
            "coverage": f"{self.found}/{self.reports}",
        }


def score_identity(corpus: Iterable[Annotated], predictions: dict[str, list[dict]]):
    """Merged, apart and coverage over gold events that carry an `event_key`."""
    found: list[tuple[str, tuple, str]] = []  # (event_key, parties, predicted id)
    reports = 0
    for item in corpus:
        aid = item.article.id
        pred = {match_key(aid, e): e["event_id"] for e in predictions.get(aid, [])}
        for e in item.events:
            if "event_key" not in e:
                continue
            reports += 1
            key = match_key(aid, e)
            if key in pred:
                found.append((e["event_key"], kinds.of(e).score_parties(e), pred[key]))
    by_key: dict[str, set[str]] = {}
    for event_key, _, pid in found:
        by_key.setdefault(event_key, set()).add(pid)
    counts = {k: sum(1 for f in found if f[0] == k) for k in by_key}
    clusters = [k for k in by_key if counts[k] >= 2]
    merged = sum(len(by_key[k]) == 1 for k in clusters)
    apart = pairs = 0
    for n, (k1, parties1, id1) in enumerate(found):
        for k2, parties2, id2 in found[n + 1 :]:
            if k1 != k2 and parties1 == parties2:
                pairs += 1
                apart += id1 != id2
    return IdentityReport(merged, len(clusters), apart, pairs, len(found), reports)
