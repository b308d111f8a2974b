"""Training the judge (`make train`): the visit rules run over the project's annotated
articles, each finding labelled from the gold events, and a spaCy text classifier
trained on them. Deterministic for given files (fixed seed); the model and a record of
what it was trained on go to `data/judge/`.

Labels: `none` when the article has no visit of that visitor country to that host
country; else the rules' status when the gold has it for the pair, else the gold's one
status for the pair (findings of a pair with several gold statuses none of which the
rules gave are left out).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import spacy
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from ..scoring import Annotated, load_corpus
from .judge import LABELS, MODEL_DIR, judge_text

SEED = 7
EPOCHS = 12
TEXTCAT = {
    "model": {
        "@architectures": "spacy.TextCatBOW.v3",
        "exclusive_classes": True,
        "ngram_size": 2,
        "no_output_layer": False,
        "length": 2**16,
    }
}


def label_for(item: Annotated, visitor: str, host: str, status: str) -> str | None:
    gold = {
        e["status"]
        for e in item.events
        if e["type"] == "leader_visit"
        and (e["visitor"]["country"], e["host"]["country"]) == (visitor, host)
    }
    if not gold:
        return "none"
    if status in gold:
        return status
    return next(iter(gold)) if len(gold) == 1 else None


def examples(corpus: list[Annotated], extractor, progress: Callable | None = None) -> list:
    """(article id, judge text, label) for every rule finding in the corpus."""
    out = []
    for n, item in enumerate(corpus):
        article = item.article
        doc = extractor.parse_all(article.text)
        mentions, findings = extractor.findings(article, doc)
        for f in findings:
            label = label_for(item, f.person.country, f.host.code, f.status)
            if label is not None:
                out.append((article.id, judge_text(f, doc, mentions), label))
        if progress:
            progress(n + 1, len(corpus))
    return out


def train(rows: list[tuple[str, str, str]], epochs: int = EPOCHS, seed: int = SEED):
    """A blank English pipeline with one textcat trained on (id, text, label) rows."""
    fix_random_seed(seed)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat", config=TEXTCAT)
    for label in LABELS:
        textcat.add_label(label)
    data = [
        Example.from_dict(nlp.make_doc(text), {"cats": {k: float(k == y) for k in LABELS}})
        for _, text, y in rows
    ]
    nlp.initialize(lambda: data)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(data)
        for batch in minibatch(data, size=16):
            nlp.update(batch, drop=0.2)
    return nlp


def cross_validate(rows: list[tuple[str, str, str]], folds: int = 5) -> dict[str, float]:
    """Accuracy of the judge's top label on articles it was not trained on, against
    the rules' own reading (a finding is right by the rules unless labelled none, and
    its status is the rules')."""
    ids = sorted({r[0] for r in rows})
    random.Random(SEED).shuffle(ids)
    fold_of = {aid: n % folds for n, aid in enumerate(ids)}
    judge_right = rules_right = total = 0
    for k in range(folds):
        model = train([r for r in rows if fold_of[r[0]] != k])
        held = [r for r in rows if fold_of[r[0]] == k]
        for (_, text, label), doc in zip(held, model.pipe(t for _, t, _ in held), strict=True):
            judge_right += max(doc.cats, key=doc.cats.get) == label
            rule = text.split(" rule_", 1)[1].split()[0]
            rules_right += rule == label
            total += 1
    return {"judge_accuracy": judge_right / total, "rules_accuracy": rules_right / total}


def fingerprint(paths: Iterable[Path], root: Path | None = None) -> dict[str, str]:
    """File (relative to `root`) -> first 16 hex digits of its SHA-256."""
    files = sorted(q for p in paths for q in ([p] if p.is_file() else sorted(p.glob("*.jsonl"))))
    return {
        (str(f.resolve().relative_to(root)) if root else str(f)): hashlib.sha256(
            f.read_bytes()
        ).hexdigest()[:16]
        for f in files
    }


def build(
    paths: list[Path], extractor, out: Path = MODEL_DIR, progress=None, root: Path | None = None
) -> dict:
    """Trains on the annotated files under `paths` and saves the judge to `out`."""
    corpus = load_corpus(*paths)
    rows = examples(corpus, extractor, progress)
    validation = cross_validate(rows)
    model = train(rows)
    out.mkdir(parents=True, exist_ok=True)
    model.to_disk(out)
    meta = {
        "trained_on": fingerprint(paths, root),
        "articles": len(corpus),
        "examples": len(rows),
        "labels": dict(Counter(r[2] for r in rows)),
        "cross_validation": {k: round(v, 4) for k, v in validation.items()},
        "seed": SEED,
        "epochs": EPOCHS,
    }
    (out / "judge.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta
