"""Wire furniture the parser should not read as part of a sentence.

A dateline ("MOSCOW, June 17 (Reuters) - Russian President ...", "KIGALI –",
"Kathmandu, 13 June :", "(AP) —") glues a place, a date and an agency onto the first
sentence, and the parser then takes the city for the subject. `readable` ends the
dateline's place with a full stop and blanks its date and agency, so the place stays a
sentence of its own (the article's scene) and the story starts a new one; a place in
capitals is written as a name ("NEW DELHI" -> "New Delhi") so the gazetteer knows it. Bylines
("By Jane Doe") are blanked. The text keeps its length, so offsets stay the original's.
"""

from __future__ import annotations

import re

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH})(?:,?\s+\d{{4}})?"
_AGENCY = r"\([A-Z][\w .&'’/-]{0,30}\)"
_DASH = r"[-—–―:]+"
#: "MOSCOW", "ANDREWS AIR FORCE BASE, UNITED STATES", "NEW DELHI", "Kathmandu" (with a date)
_CAPS_PLACE = r"[A-Z][A-Z.'’ -]{1,40}[A-Z.](?:,\s*[A-Z][A-Za-z.'’ -]{1,30})?"
_ANY_PLACE = r"[A-Z][\w.'’-]+(?:\s[A-Z][\w.'’-]+){0,3}"
DATELINE = re.compile(
    rf"^(?P<place>{_CAPS_PLACE})(?P<rest>(?:,\s*{_DATE})?\s*(?:{_AGENCY})?\s*{_DASH}\s)"
    rf"|^(?P<place2>{_ANY_PLACE})(?P<rest2>,\s*{_DATE}\s*(?:{_AGENCY})?\s*{_DASH}\s)"
    rf"|^(?P<rest3>\s*{_AGENCY}\s*{_DASH}\s)",
    re.MULTILINE,
)
BYLINE = re.compile(r"^By\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\s*$", re.MULTILINE)


def readable(text: str) -> str:
    """`text` with datelines and bylines made harmless (same length, same offsets)."""
    if "\n" not in text[:400] and not DATELINE.match(text) and "By " not in text:
        return text
    chars = list(text)
    for match in DATELINE.finditer(text):
        start, end = match.span("place")
        if start >= 0 and text[start:end].isupper():
            chars[start:end] = text[start:end].title()
        for group in ("rest", "rest2", "rest3"):
            start, end = match.span(group)
            if start < 0:
                continue
            chars[start:end] = " " * (end - start)
            if group != "rest3":
                chars[start] = "."  # the place ends a sentence of its own
    for match in BYLINE.finditer(text):
        start, end = match.span()
        chars[start:end] = " " * (end - start)
    return "".join(chars)
