"""Minimal PromQL helpers for the deployment tests (no PromQL parser needed).

`split_comparison` splits an alerting rule's expression `<measure> <op> <number>` at its one
top-level comparison, so that a test can query `<measure>` alone against a live Prometheus.
"""

from __future__ import annotations

COMPARISON_OPERATORS = ("==", "!=", ">=", "<=", ">", "<")

_OPENING = {"(": ")", "[": "]", "{": "}"}
_CLOSING = {v: k for k, v in _OPENING.items()}
_QUOTES = ('"', "'", "`")


def _top_level_comparisons(expr: str) -> list[tuple[int, str]]:
    """(position, operator) of every comparison outside brackets, strings and comments."""
    found: list[tuple[int, str]] = []
    stack: list[str] = []
    i, n = 0, len(expr)
    while i < n:
        c = expr[i]
        if c in _QUOTES:
            # Skip the string literal; backslash escapes only in "..." and '...'.
            j = i + 1
            while j < n and expr[j] != c:
                j += 2 if c != "`" and expr[j] == "\\" else 1
            if j >= n:
                raise ValueError(f"unterminated string literal in {expr!r}")
            i = j + 1
            continue
        if c == "#":
            end = expr.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in _OPENING:
            stack.append(c)
        elif c in _CLOSING:
            if not stack or stack[-1] != _CLOSING[c]:
                raise ValueError(f"unbalanced {c!r} at {i} in {expr!r}")
            stack.pop()
        elif not stack:
            for op in COMPARISON_OPERATORS:
                if expr.startswith(op, i):
                    found.append((i, op))
                    i += len(op)
                    break
            else:
                i += 1
            continue
        i += 1
    if stack:
        raise ValueError(f"unclosed {stack[-1]!r} in {expr!r}")
    return found


def _parse_number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    sign, digits = ("-", text[1:]) if text[:1] in "+-" else ("", text)
    if digits[:2].lower() == "0x":
        try:
            return float(int(sign + digits, 16))
        except ValueError:
            pass
    raise ValueError(f"threshold {text!r} is not a number")


def split_comparison(expr: str) -> tuple[str, str, float]:
    """Split `<measure> <op> <number>` into (measure, op, threshold).

    Brackets `()[]{}` (label matchers, ranges, subqueries, function calls), quoted strings and
    `#` comments are skipped, so only a comparison at the top level of the expression counts.
    Raises ValueError unless there is exactly one top-level comparison, with a non-empty measure
    on its left and a plain number on its right (so `x > bool 1`, `x > 1 and y` are refused).
    """
    comparisons = _top_level_comparisons(expr)
    if len(comparisons) != 1:
        ops = [op for _, op in comparisons]
        raise ValueError(
            f"expected exactly one top-level comparison, found {len(comparisons)} {ops} in {expr!r}"
        )
    pos, op = comparisons[0]
    measure = expr[:pos].strip()
    if not measure:
        raise ValueError(f"empty measure on the left of {op!r} in {expr!r}")
    threshold = _parse_number(expr[pos + len(op) :].partition("#")[0].strip())
    return measure, op, threshold
