"""Text the tokenizer can take in linear time.

spaCy's tokenizer peels prefixes and suffixes off each whitespace-delimited chunk one at a
time, which is quadratic in the chunk's length: 8,000 "(" take 14 s, 50,000 several
minutes, all holding the GIL. No word of news is longer than a few dozen characters, so
in chunks longer than `LONGEST` every (LONGEST + 1)th character becomes a space. The text
keeps its length, so character offsets stay those of the original.
"""

from __future__ import annotations

import re

LONGEST = 100
_LONG_CHUNK = re.compile(rf"\S{{{LONGEST + 1},}}")


def _cut(match: re.Match[str]) -> str:
    chunk = match.group()
    step = LONGEST + 1
    return "".join(c if i % step != LONGEST else " " for i, c in enumerate(chunk))


def tokenizable(text: str) -> str:
    """`text` with every non-space run longer than LONGEST characters cut by spaces
    (same length, same offsets); other text is returned unchanged."""
    return _LONG_CHUNK.sub(_cut, text)
