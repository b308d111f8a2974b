"""The trained judge: reproducible from the repository, and what it reads."""

from __future__ import annotations

import json
from pathlib import Path

from streams.articles import Article
from streams.extract.judge import LABELS, MODEL_DIR, judge_text, load_judge
from streams.extract.training import fingerprint, label_for, train
from streams.scoring import Annotated

ROOT = Path(__file__).resolve().parents[2]


def test_the_versioned_judge_was_trained_on_the_files_in_the_repository():
    """`make train` must be run after any change to the training files."""
    meta = json.loads((MODEL_DIR / "judge.json").read_text(encoding="utf-8"))
    paths = [ROOT / p for p in meta["trained_on"]]
    assert fingerprint(paths, ROOT) == meta["trained_on"]
    assert meta["examples"] > 1000
    assert (MODEL_DIR / "textcat" / "model").stat().st_size < 4_000_000  # small


def test_the_judge_reads_the_sentence_with_names_masked(extractor):
    article = Article(
        id="j1",
        text="Chinese President Xi Jinping will visit France on May 6, the Elysee said.",
        published_at="2024-04-30T10:00:00Z",
    )
    doc = extractor.parse_all(article.text)
    mentions, findings = extractor.findings(article, doc)
    (text,) = {judge_text(f, doc, mentions) for f in findings}
    assert "VISITOR" in text and "HOST" in text and "TRIGGER_visit" in text
    assert "xi" not in text.split() and "france" not in text.split()
    assert "rule_planned" in text and "when_day_future" in text


def test_training_is_deterministic_and_yields_a_working_classifier():
    rows = [
        ("a", "VISITOR TRIGGER_arrived in HOST on monday rule_ongoing", "ongoing"),
        ("b", "VISITOR will TRIGGER_visit HOST next month rule_planned", "planned"),
        ("c", "VISITOR last TRIGGER_visited HOST in NUM rule_past", "past"),
        ("d", "an envoy of VISITOR TRIGGER_arrived in HOST rule_ongoing", "none"),
    ] * 5
    one, two = train(rows, epochs=3), train(rows, epochs=3)
    cats_one = [d.cats for d in one.pipe(r[1] for r in rows[:4])]
    assert cats_one == [d.cats for d in two.pipe(r[1] for r in rows[:4])]
    assert set(cats_one[0]) == set(LABELS)


def test_labels_come_from_the_gold_events():
    gold = Annotated(
        Article(id="x", text="t"),
        [
            {"type": "leader_visit", "visitor": {"country": "RUS"}, "host": {"country": "PRK"},
             "status": "ongoing"},
            {"type": "leader_visit", "visitor": {"country": "RUS"}, "host": {"country": "PRK"},
             "status": "past"},
        ],
    )  # fmt: skip
    assert label_for(gold, "RUS", "CHN", "ongoing") == "none"
    assert label_for(gold, "RUS", "PRK", "past") == "past"
    assert label_for(gold, "RUS", "PRK", "planned") is None  # two gold statuses, neither


def test_the_extractor_loads_the_judge_unless_told_not_to(extractor):
    assert load_judge() is not None
    assert extractor.judge is not None
