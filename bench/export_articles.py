"""Write the articles of annotated corpora as plain JSON Lines articles (the input of
`newsmon extract` and `newsmon publish`).

    python bench/export_articles.py tests/fixtures/corpus > /tmp/corpus_articles.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from streams.scoring import load_corpus


def main() -> int:
    for item in load_corpus(*[Path(p) for p in sys.argv[1:]]):
        sys.stdout.write(json.dumps(item.article.to_dict(), ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
