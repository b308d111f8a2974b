"""Text made safe for the tokenizer: same length, no overlong chunk, normal text untouched."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from streams.extract.guard import LONGEST, tokenizable


@given(st.text(alphabet=st.sampled_from("a( \n.é"), max_size=2000))
def test_length_is_kept_and_no_chunk_is_too_long(text):
    safe = tokenizable(text)
    assert len(safe) == len(text)
    assert all(len(chunk) <= LONGEST for chunk in safe.split())
    assert all(a == b or b == " " for a, b in zip(text, safe, strict=True))


def test_ordinary_text_is_left_alone():
    text = "Putin arrived in Pyongyang (North Korea) on Wednesday: https://example.org/a/b."
    assert tokenizable(text) == text


def test_a_wall_of_brackets_becomes_short_chunks():
    safe = tokenizable("(" * 10_000)
    assert safe.count(" ") == 10_000 // (LONGEST + 1)
