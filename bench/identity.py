"""Event identity on the resolution fixtures: `newsmon extract`'s resolved ids against the
gold event keys (merged, apart, coverage).

python bench/identity.py [FILE_OR_DIR...] [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from streams.extract import Extractor
from streams.resolve import resolve_offline
from streams.scoring import load_corpus, score_identity

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[ROOT / "tests/fixtures/resolution"])
    args = parser.parse_args()
    corpus = load_corpus(*args.paths)
    extractor = Extractor()
    results = [(a.to_dict(), ev) for a, ev in extractor.extract_many(c.article for c in corpus)]
    resolved = resolve_offline(results)
    predictions = {a["id"]: ev for (a, _), ev in zip(results, resolved, strict=True)}
    print(json.dumps(score_identity(corpus, predictions).as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
