"""The hostile-input corpus: messages built to break a naive consumer. Deterministic, so a
failure names the case that caused it."""

from __future__ import annotations

import json
import random

MIB = 1 << 20
REFERENCE_LIKE = (
    "Russian President Vladimir Putin arrived in Pyongyang on Wednesday for talks with "
    "North Korean leader Kim Jong Un."
)


def article(article_id: str, text: str, **fields: str) -> bytes:
    return json.dumps({"id": article_id, "text": text, **fields}).encode()


def hostile_messages() -> list[tuple[str, bytes, str | None]]:
    """(name, message value, expected dead-letter reason or None when it is an article)."""
    rng = random.Random(20261128)
    cases: list[tuple[str, bytes, str | None]] = [
        (f"random-bytes-{n}", rng.randbytes(rng.randint(1, 4096)), "*") for n in range(5)
    ]
    cases += [
        ("random-10MiB", rng.randbytes(10 * MIB), "*"),
        ("nested-arrays", b"[" * 100_000 + b"]" * 100_000, "bad_json"),
        ("nested-objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "bad_json"),
        (
            "nested-in-field",
            article("nested", "x").replace(b'"x"', b"[" * 5000 + b"]" * 5000),
            "bad_json",
        ),
        ("object-as-text", b'{"id": "obj", "text": {"a": [1, 2]}}', "wrong_type"),
        ("huge-json-10MiB", article("huge", "word " * (2 * MIB)), "text_too_large"),
        ("huge-title", article("title", "fine", title="T" * 100_000), "field_too_large"),
        ("lone-surrogate", b'{"id": "sur", "text": "bad \\ud800 text"}', "bad_unicode"),
        ("lone-surrogate-id", b'{"id": "\\udfff", "text": "fine"}', "bad_unicode"),
        ("not-utf8", b'{"id": "latin", "text": "caf\xe9"}', "not_utf8"),
        ("null-bytes", article("nul", "a\x00b\x00" * 1000), None),
        ("100k-lines", article("lines", "\n".join(str(n) for n in range(100_000))), None),
        ("zero-width", article("zw", REFERENCE_LIKE.replace("i", "i\u200b\u200d")), None),
        (
            "right-to-left",
            article("rtl", "\u202e" + REFERENCE_LIKE + "\u202c \u05e9\u05dc\u05d5\u05dd"),
            None,
        ),
        (
            "combining-marks",
            article("comb", "".join(c + "\u0301\u0308" for c in REFERENCE_LIKE)),
            None,
        ),
        ("emoji-and-astral", article("astral", "\U0001f600" * 5000 + REFERENCE_LIKE), None),
        ("backtrack-titles", article("titles", "President " * 20_000 + "Putin"), None),
        ("backtrack-capitals", article("caps", "Kim, " * 30_000 + "arrived in"), None),
        ("backtrack-parens", article("parens", "(" * 50_000 + "a" + ")" * 50_000), None),
        ("backtrack-digits", article("digits", "1" * 200_000 + " June 2024"), None),
        ("backtrack-weekdays", article("days", "on Monday and " * 20_000 + "Tuesday"), None),
        ("one-long-word", article("word", "a" * 500_000), None),
        ("many-sentences", article("dots", "Putin. " * 60_000), None),
        (
            "reference",
            article("reference", REFERENCE_LIKE, published_at="2024-06-19T03:00:00Z"),
            None,
        ),
    ]
    return cases
