from datetime import date

import pytest

from streams.extract.timex import FUTURE, PAST, RECENT, find_times, relate

TODAY = date(2024, 6, 19)


@pytest.mark.parametrize(
    ("phrase", "relation"),
    [
        ("July 2000", PAST),
        ("last September", PAST),
        ("three years ago", PAST),
        ("Wednesday", RECENT),
        ("today", RECENT),
        ("next week", FUTURE),
        ("later this month", FUTURE),
        ("2025", FUTURE),
        ("June 2024", RECENT),
    ],
)
def test_relation_to_publication_day(phrase, relation):
    assert relate(phrase, TODAY) == relation


def test_finds_phrases_with_offsets():
    text = "Putin's last visit was in July 2000; he lands on Wednesday."
    found = find_times(text, 100, TODAY)
    assert [t.text for t in found] == ["July 2000", "Wednesday"]
    assert found[0].start == 100 + text.index("July 2000")
    assert found[0].year == 2000


def test_modal_may_and_counts_are_not_dates():
    found = find_times("He may visit with 2000 troops.", 0, TODAY)
    assert found == []
