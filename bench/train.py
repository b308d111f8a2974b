"""Train the visit judge (`make train`) from the project's annotated articles.

python bench/train.py                       # the default training files, saved to the package
python bench/train.py FILE_OR_DIR... --out DIR
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rich.console import Console

from streams.extract import Extractor
from streams.extract.judge import MODEL_DIR
from streams.extract.training import build
from streams.progress import progress_bar

ROOT = Path(__file__).resolve().parent.parent
TRAINING = [
    ROOT / "tests/fixtures/corpus",
    ROOT / "tests/fixtures/train",
    ROOT / "tests/fixtures/resolution",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=TRAINING)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    args = parser.parse_args()
    extractor = Extractor(fast=False, judge=False)
    console = Console(stderr=True)
    with progress_bar(console, console.is_terminal) as bar:
        task = bar.add_task("rule findings", total=None)
        meta = build(
            args.paths,
            extractor,
            args.out,
            root=ROOT,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    print(json.dumps(meta, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
