"""Time phrases ("Wednesday", "July 2000", "May 16-17", "next month") and where they lie
relative to the article's publication date.

Each phrase that names a day, a week, a month or a year is resolved to the calendar span
it covers (`TimePhrase.first`, `.last`): dates and relative phrases by `dateparser`
against the publication day, day ranges ("May 16-17", "from 4 to 6 June") by their two
ends. A date written without its year is the one nearest the publication day. Bare
weekdays and months are left to the visit rules, which read their direction from tense."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from dateparser.date import DateDataParser

from .lexicon import words

MONTHS = (
    "january february march april may june july august september october november december"
).split()
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.?|Feb\.?|Mar\.|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_SEASON = r"(?:spring|summer|autumn|fall|winter)"
_UNIT = r"(?:day|week|month|year|decade|weekend)s?"
_NUM = (
    r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|few|a few)"
)
_REL = r"(?:last|next|this|coming|previous|past|following|early|late|earlier this|later this)"

_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DASH = r"\s*(?:-|–|—|to|and|through|until)\s*"
#: "May 16-17", "May 16 to 17, 2024", "16-17 May", "from 4 to 6 June 2024".
RANGE_MD = re.compile(
    rf"({_MONTH})\s+({_DAY}){_DASH}({_DAY})(?!\s+{_MONTH})(?:,?\s+((?:19|20)\d\d))?", re.I
)
RANGE_DM = re.compile(rf"({_DAY}){_DASH}({_DAY})\s+({_MONTH})(?:,?\s+((?:19|20)\d\d))?", re.I)

PATTERNS = [
    RANGE_MD.pattern,
    RANGE_DM.pattern,
    # "July 2000", "June 19, 2024", "19 June 2024", "in 2000"
    rf"(?:(?:early|mid|late)[- ])?{_MONTH}(?:\s+{_DAY})?,?\s+(?:19|20)\d\d",
    rf"{_DAY}\s+(?:of\s+)?{_MONTH}\s+(?:19|20)\d\d",
    rf"{_REL}\s+(?:{_MONTH}|{_WEEKDAY}|{_SEASON}|{_UNIT})",
    rf"{_NUM}\s+{_UNIT}\s+ago",
    rf"{_WEEKDAY}",
    rf"{_MONTH}\s+{_DAY}",
    rf"(?:early|mid|late)[- ]{_MONTH}",
    rf"{_DAY}\s+(?:of\s+)?{_MONTH}",
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
    first: date | None = None  # the calendar span the phrase names, when it names one
    last: date | None = None
    precision: str | None = None  # "day", "week", "month" or "year"
    dated: bool = False  # the year is written ("May 16, 2023"), not inferred

    @property
    def days(self) -> bool:
        """A phrase that names particular days ("May 16-17", "tomorrow", "two days ago")."""
        return self.precision == "day"

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
        if _is_not_a_date(text, match) or _names_another_thing(text, match):
            continue
        since = text[: start - offset].rstrip().lower().endswith("since")
        first, last, precision = span(phrase, today) or (None, None, None)
        relation = relate(phrase, today)
        if precision == "day":
            relation = _day_relation(first, last, today)
        out.append(
            TimePhrase(
                phrase,
                start,
                start + len(phrase),
                relation,
                since,
                first,
                last,
                precision,
                bool(_YEAR_RE.search(phrase)),
            )
        )
    return out


def _day_relation(first: date, last: date, today: date) -> str:
    if first > today:
        return FUTURE
    if last >= today - timedelta(days=1):
        return RECENT
    return PAST


Span = tuple[date, date, str]


def span(phrase: str, today: date) -> Span | None:
    """The first and last day a phrase names, and its precision; None for bare weekdays
    and months (their direction needs tense), seasons and vague phrases."""
    low = phrase.lower()
    if re.fullmatch(_WEEKDAY, phrase, re.I) or re.fullmatch(
        rf"(?:(?:early|mid|late)[- ])?{_MONTH}", phrase, re.I
    ):
        return None
    if low in ("tonight", "overnight"):
        return today, today, "day"
    for pattern, order in ((RANGE_MD, "md"), (RANGE_DM, "dm")):
        match = pattern.fullmatch(phrase)
        if match:
            month, d1, d2, year = (
                match.groups() if order == "md" else (match[3], match[1], match[2], match[4])
            )
            start = _day(f"{month} {_digits(d1)} {year or ''}".strip(), today)
            if start is None:
                return None
            try:
                end = start.replace(day=int(_digits(d2)))
            except ValueError:
                return None
            return (start, end, "day") if end >= start else None
    return _relative_span(low, today) or _parsed(phrase, today)


def _relative_span(low: str, today: date) -> Span | None:
    """What dateparser does not read: 'last September', 'earlier this year', 'later this
    month'."""
    match = re.fullmatch(rf"(last|next|this|previous|coming)\s+({_MONTH})", low, re.I)
    if match:
        month = _month_number(match[2])
        if match[1] in ("last", "previous"):
            year = today.year if month < today.month else today.year - 1
        elif match[1] in ("next", "coming"):
            year = today.year if month > today.month else today.year + 1
        else:
            year = today.year
        first = date(year, month, 1)
        return first, date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1), "month"
    match = re.fullmatch(r"(earlier|later)\s+(?:this|in\s+the)\s+(week|month|year)", low)
    if match:
        if match[2] == "week":
            first = today - timedelta(days=today.weekday())
            last = first + timedelta(days=6)
        elif match[2] == "month":
            first = today.replace(day=1)
            last = date(today.year + today.month // 12, today.month % 12 + 1, 1) - timedelta(1)
        else:
            first, last = date(today.year, 1, 1), date(today.year, 12, 31)
        if match[1] == "earlier":
            return first, max(first, today - timedelta(days=1)), "month"
        return min(last, today + timedelta(days=1)), last, "month"
    return None


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _day(text: str, today: date) -> date | None:
    found = _parsed(text, today)
    return found[0] if found and found[2] == "day" else None


@lru_cache(maxsize=4096)
def _parsed(phrase: str, today: date) -> Span | None:
    """dateparser's reading of a phrase against the publication day, widened to the span
    of its precision; a day or month written without its year is taken in the year that
    puts it nearest the publication day."""
    base = datetime(today.year, today.month, today.day, 12)
    found = _parser(base).get_date_data(phrase)
    if found.date_obj is None or found.period not in ("day", "week", "month", "year"):
        return None
    day = found.date_obj.date()
    if found.period == "day":
        if not _YEAR_RE.search(phrase) and not _RELATIVE_RE.search(phrase):
            day = min(
                (_with_year(day, today.year + k) for k in (-1, 0, 1)),
                key=lambda d: abs((d - today).days) if d else 10**6,
            )
        return day, day, "day"
    if found.period == "week":
        if "ago" in phrase.lower():
            return day, day + timedelta(days=6), "week"
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6), "week"
    if found.period == "month":
        first = day.replace(day=1)
        nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first, nxt - timedelta(days=1), "month"
    return date(day.year, 1, 1), date(day.year, 12, 31), "year"


_RELATIVE_RE = re.compile(r"\b(?:ago|today|tomorrow|yesterday|next|last|this)\b", re.I)


def _with_year(day: date, year: int) -> date | None:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return None


@lru_cache(maxsize=64)
def _parser(base: datetime) -> DateDataParser:
    return DateDataParser(
        languages=["en"],
        settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "current_period"},
    )


_ATTRIBUTIVE = re.compile(r"(?:\bthe|\bits|\btheir|\bhis|\bher|'s|’s)\s*$", re.I)
_DATED_NOUN = re.compile(r"\s+(?:state\s+)?(?:visit|trip|tour|summit|meeting|talks)\b", re.I)


def _names_another_thing(text: str, match: re.Match) -> bool:
    """'the October 7 Hamas attack', 'its 2022 invasion': a date naming some other event
    (not 'his 2019 visit', which dates a trip)."""
    if not _ATTRIBUTIVE.search(text[max(0, match.start() - 8) : match.start()]):
        return False
    rest = text[match.end() :]
    return bool(re.match(r"\s+\w", rest)) and not _DATED_NOUN.match(rest)


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
