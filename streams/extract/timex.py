"""Time phrases ("Wednesday", "July 2000", "last September", "next week") and where
they lie relative to the article's publication date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .lexicon import words

MONTHS = (
    "january february march april may june july august september october november december"
).split()
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.?|Feb\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_SEASON = r"(?:spring|summer|autumn|fall|winter)"
_UNIT = r"(?:day|week|month|year|decade|weekend)s?"
_NUM = (
    r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|few|a few)"
)
_REL = r"(?:last|next|this|coming|previous|past|following|early|late|earlier this|later this)"

PATTERNS = [
    # "July 2000", "June 19, 2024", "19 June 2024", "in 2000"
    rf"(?:(?:early|mid|late)[- ])?{_MONTH}(?:\s+\d{{1,2}})?,?\s+(?:19|20)\d\d",
    rf"\d{{1,2}}\s+{_MONTH}\s+(?:19|20)\d\d",
    rf"{_REL}\s+(?:{_MONTH}|{_WEEKDAY}|{_SEASON}|{_UNIT})",
    rf"{_NUM}\s+{_UNIT}\s+ago",
    rf"{_WEEKDAY}",
    rf"{_MONTH}\s+\d{{1,2}}",
    rf"(?:early|mid|late)[- ]{_MONTH}",
    rf"\d{{1,2}}\s+{_MONTH}",
    rf"(?:{_SEASON}\s+(?:of\s+)?)?(?:19|20)\d\d",
    r"(?:today|tomorrow|yesterday|tonight|overnight)",
    r"(?:in\s+)?the\s+coming\s+(?:days|weeks|months)",
    r"later\s+(?:this|in\s+the)\s+(?:week|month|year)",
    r"earlier\s+(?:this|in\s+the)\s+(?:week|month|year)",
    _MONTH,
]
TIME_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(f"(?:{p})" for p in PATTERNS) + r")(?![\w-])", re.IGNORECASE
)
_YEAR_RE = re.compile(r"\b(19|20)\d\d\b")
_MONTH_RE = re.compile(_MONTH, re.IGNORECASE)

#: Words before a bare number that make it a year ("in 2019"), and after it ("2019 when").
YEAR_PREPS = words("in since by until from of during before after between early late mid")
AFTER_YEAR = words(
    "when and to as after before with the in at on for during but while or until that which "
    "where election elections visit trip summit"
)
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
PAST, RECENT, FUTURE, UNKNOWN = "past", "recent", "future", "unknown"


@dataclass(frozen=True)
class TimePhrase:
    text: str
    start: int  # character offsets in the article
    end: int
    relation: str  # PAST | RECENT | FUTURE | UNKNOWN, against the publication date
    since: bool = False  # "since 2000", "since Thursday": the start of a span, not a date

    @property
    def weekday(self) -> int | None:
        """0-6 for a bare weekday ("Wednesday", "on Monday"); its direction needs tense."""
        low = self.text.lower()
        for n, name in enumerate(WEEKDAYS):
            if low == name:
                return n
        return None

    @property
    def month(self) -> int | None:
        match = _MONTH_RE.search(self.text)
        return _month_number(match.group()) if match else None

    def month_span(self, today: date) -> tuple[date, date] | None:
        """First and last day of a month phrase ("September" -> the last September up to
        today)."""
        month = self.month
        if month is None:
            return None
        year = self.year or (today.year if month <= today.month else today.year - 1)
        first = date(year, month, 1)
        last = date(year + month // 12, month % 12 + 1, 1).toordinal() - 1
        return first, date.fromordinal(last)

    @property
    def month_only(self) -> bool:
        """A month with no year ("in July"): before or after the article, tense tells."""
        return bool(re.fullmatch(rf"(?:(?:early|mid|late)[- ])?{_MONTH}", self.text, re.I))

    @property
    def year(self) -> int | None:
        match = _YEAR_RE.search(self.text)
        return int(match.group()) if match else None


def find_times(text: str, offset: int, today: date) -> list[TimePhrase]:
    """Every time phrase in `text` (a sentence starting at `offset` in the article)."""
    out = []
    for match in TIME_RE.finditer(text):
        phrase = match.group().strip()
        if phrase.lower().startswith(("in ", "by ", "during ", "until ", "since ")):
            phrase = phrase.split(None, 1)[1]
        if phrase == "may" or (phrase == "May" and match.start() == 0):  # the modal
            continue
        start = offset + match.end() - len(phrase)
        if _is_not_a_date(text, match):
            continue
        since = text[: start - offset].rstrip().lower().endswith("since")
        out.append(TimePhrase(phrase, start, start + len(phrase), relate(phrase, today), since))
    return out


def _is_not_a_date(text: str, match: re.Match) -> bool:
    """A bare number such as '2000 troops' or a clock time is not a year."""
    phrase = match.group()
    if not re.fullmatch(r"(?:19|20)\d\d", phrase.strip()):
        return False
    before = text[max(0, match.start() - 8) : match.start()].lower().split()
    if text[max(0, match.start() - 2) : match.start()].strip().endswith(("$", "€", "£")):
        return True
    if before and before[-1] in YEAR_PREPS:
        return False
    after = re.match(r"\s*([a-z%]+)", text[match.end() : match.end() + 16])
    return bool(after) and after.group(1) not in AFTER_YEAR


def relate(phrase: str, today: date) -> str:
    """Where the phrase lies: well before the article (PAST), about its day (RECENT), ahead."""
    low = phrase.lower()
    if "ago" in low or low.startswith(("last ", "previous ", "past ", "earlier")):
        if re.search(_WEEKDAY, phrase, re.I) or low == "last night":
            return RECENT
        return PAST
    if low.startswith(("next ", "coming ", "following ", "later")) or "coming" in low:
        return FUTURE
    if low in ("tomorrow",):
        return FUTURE
    if low.startswith("this ") and not _MONTH_RE.search(low):
        return RECENT
    if low in ("today", "yesterday", "tonight", "overnight") or re.search(_WEEKDAY, phrase, re.I):
        return RECENT
    year = _YEAR_RE.search(phrase)
    month = _MONTH_RE.search(phrase)
    if year:
        y = int(year.group())
        if y < today.year:
            return PAST
        if y > today.year:
            return FUTURE
        if month:
            m = _month_number(month.group())
            if m < today.month - 1:
                return PAST
            if m > today.month:
                return FUTURE
            return RECENT
        return UNKNOWN
    if month:
        m = _month_number(month.group())
        if m == today.month:
            return RECENT
        return UNKNOWN
    return UNKNOWN


def _month_number(text: str) -> int:
    prefix = text.lower()[:3]
    return [m[:3] for m in MONTHS].index(prefix) + 1
