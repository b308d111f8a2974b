"""Score the extractor (or a predictions file) against annotated corpora.

python bench/score.py tests/fixtures/corpus                  # run the extractor
python bench/score.py tests/fixtures/corpus --errors         # list every miss
python bench/score.py CORPUS --predictions events.jsonl      # score `newsmon extract` output
NEWSMON_SPACY_MODEL=none python bench/score.py CORPUS        # rule-only pipeline
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from streams.scoring import format_report, load_corpus, score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="+", type=Path, help="annotated JSONL files or folders")
    parser.add_argument("--predictions", type=Path, help="events JSONL (default: run extractor)")
    parser.add_argument("--model", help="spaCy model name (default NEWSMON_SPACY_MODEL)")
    parser.add_argument("--errors", action="store_true", help="list false positives/negatives")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()

    corpus = load_corpus(*args.corpus)
    predictions: dict[str, list[dict]] = defaultdict(list)
    if args.predictions:
        for line in args.predictions.read_text(encoding="utf-8").splitlines():
            if line.strip():
                event = json.loads(line)
                predictions[event["article_id"]].append(event)
    else:
        from streams.extract import Extractor

        extractor = Extractor(args.model)
        for article, events in extractor.extract_many(a.article for a in corpus):
            predictions[article.id] = events
    report = score(corpus, predictions)
    print(json.dumps(report.as_dict(), indent=2) if args.json else format_report(report))
    if args.errors:
        for line in report.visits.errors + report.allegations.errors:
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
