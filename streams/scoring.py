"""Scores predicted events against an annotated corpus (see tests/fixtures/corpus/FORMAT.md).

Leader visits match on (article, visitor country, host country, status); sanctions
allegations on (article, accused country)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

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


def visit_key(article_id: str, e: dict) -> tuple:
    return (article_id, e["visitor"]["country"], e["host"]["country"], e["status"])


def allegation_key(article_id: str, e: dict) -> tuple:
    return (article_id, e["accused"])


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
    visits: TypeScore
    allegations: TypeScore
    status_accuracy: float
    accuser_overlap: float
    field_accuracy: dict[str, float]
    articles: int
    recall_by_status: dict[str, float] = field(default_factory=dict)

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
            "leader_visit": t(self.visits),
            "sanctions_allegation": t(self.allegations),
            "status_accuracy": round(self.status_accuracy, 4),
            "accuser_overlap": round(self.accuser_overlap, 4),
            "field_accuracy": {k: round(v, 4) for k, v in self.field_accuracy.items()},
            "recall_by_status": {k: round(v, 4) for k, v in self.recall_by_status.items()},
            "overall_f1": round(self.overall.f1, 4),
        }

    @property
    def overall(self) -> TypeScore:
        """Both types counted together (micro-averaged)."""
        v, a = self.visits, self.allegations
        return TypeScore(v.tp + a.tp, v.fp + a.fp, v.fn + a.fn)


def score(corpus: Iterable[Annotated], predictions: dict[str, list[dict]]) -> Report:
    visits, allegations = TypeScore(), TypeScore()
    status_hits = status_total = 0
    overlaps: list[float] = []
    fields: dict[str, list[bool]] = {}
    by_status: dict[str, list[bool]] = {}
    count = 0
    for item in corpus:
        count += 1
        aid = item.article.id
        pred = predictions.get(aid, [])
        gold_v = {visit_key(aid, e): e for e in item.events if e["type"] == "leader_visit"}
        pred_v = {visit_key(aid, e): e for e in pred if e["type"] == "leader_visit"}
        _count(visits, gold_v, pred_v)
        for k in gold_v:
            by_status.setdefault(k[3], []).append(k in pred_v)
        gold_statuses: dict[tuple, set[str]] = {}
        for k in gold_v:
            gold_statuses.setdefault(k[:3], set()).add(k[3])
        for k in pred_v:  # a predicted visit whose parties are in the gold: right status?
            if k[:3] in gold_statuses:
                status_total += 1
                status_hits += k[3] in gold_statuses[k[:3]]
        for k in gold_v.keys() & pred_v.keys():
            g, p = gold_v[k], pred_v[k]
            for name, gv, pv in (
                ("visitor.name", g["visitor"]["name"], p["visitor"]["name"]),
                ("host.city", g["host"].get("city"), p["host"].get("city")),
                ("host.leader", g["host"].get("leader"), p["host"].get("leader")),
                ("when", g.get("when"), p.get("when")),
            ):
                fields.setdefault(name, []).append(_same(gv, pv))
        gold_a = {
            allegation_key(aid, e): e for e in item.events if e["type"] == "sanctions_allegation"
        }
        pred_a = {allegation_key(aid, e): e for e in pred if e["type"] == "sanctions_allegation"}
        _count(allegations, gold_a, pred_a)
        for k in gold_a.keys() & pred_a.keys():
            g, p = gold_a[k], pred_a[k]
            ga, pa = set(g["accusers"]), set(p["accusers"])
            overlaps.append(len(ga & pa) / len(ga | pa) if ga | pa else 1.0)
            fields.setdefault("denied", []).append(g["denied"] == p["denied"])
            fields.setdefault("counterparties", []).append(
                set(g["counterparties"]) == set(p["counterparties"])
            )
    return Report(
        visits,
        allegations,
        status_hits / status_total if status_total else 1.0,
        sum(overlaps) / len(overlaps) if overlaps else 1.0,
        {k: sum(v) / len(v) for k, v in sorted(fields.items())},
        count,
        {k: sum(v) / len(v) for k, v in sorted(by_status.items())},
    )


def _same(gold, pred) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    return gold.strip().lower() == pred.strip().lower()


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
    for name, s in (("leader_visit", report.visits), ("sanctions_allegation", report.allegations)):
        counts = f"{s.tp:4d} {s.fp:3d} {s.fn:3d}"
        lines.append(f"{name:<20} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}  {counts}")
    o = report.overall
    lines.append(f"{'overall':<20} {o.precision:6.3f} {o.recall:6.3f} {o.f1:6.3f}")
    recall = ", ".join(f"{k} {v:.3f}" for k, v in report.recall_by_status.items())
    lines.append(f"visit recall by status: {recall}")
    lines.append(f"status accuracy (visits matched on parties): {report.status_accuracy:.3f}")
    lines.append(f"accuser overlap (Jaccard, matched allegations): {report.accuser_overlap:.3f}")
    for k, v in report.field_accuracy.items():
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
        pred = {_key(aid, e): e["event_id"] for e in predictions.get(aid, [])}
        for e in item.events:
            if "event_key" not in e:
                continue
            reports += 1
            key = _key(aid, e)
            if key in pred:
                found.append((e["event_key"], key[1:3] if len(key) > 2 else key[1:], pred[key]))
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


def _key(article_id: str, e: dict) -> tuple:
    return (
        visit_key(article_id, e) if e["type"] == "leader_visit" else allegation_key(article_id, e)
    )
