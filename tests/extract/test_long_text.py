"""Long texts are read in parts: bounded memory, same events, offsets into the whole text."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from streams.extract import PART_CHARS, parts

FILLER = "Markets were calm and the weather stayed mild across the region this week.\n"


@given(st.text(alphabet=st.sampled_from("ab \n"), max_size=400), st.integers(5, 60))
def test_parts_cover_the_text_in_order_and_respect_the_size(text, size):
    pieces = list(parts(text, size))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= size for _, p in pieces)
    assert [start for start, _ in pieces] == [
        sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))
    ]


def test_parts_end_at_line_breaks_where_there_are_some():
    text = "first line\nsecond line\nthird line\n"
    assert [p for _, p in parts(text, 25)] == ["first line\nsecond line\n", "third line\n"]


def test_a_long_article_gives_the_events_of_its_parts_with_offsets_into_the_whole(
    extractor, reference_article
):
    padding = FILLER * (PART_CHARS // len(FILLER) + 1)
    text = padding + reference_article.text
    long = replace(reference_article, text=text)
    assert len(text) > PART_CHARS

    events = extractor.extract(long)
    alone = extractor.extract(reference_article)
    assert sorted(e["event_id"] for e in events) == sorted(e["event_id"] for e in alone)
    for event in events:
        for item in event["evidence"]:
            assert text[item["start"] : item["end"]] == item["text"]
    (again,) = [a for _, a in extractor.extract_many([long])]
    assert sorted(e["event_id"] for e in again) == sorted(e["event_id"] for e in events)
