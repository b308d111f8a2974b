"""Each article's own extraction time (`Extractor.extract_timed`, what the worker's
`newsmon_extraction_seconds` records): the events are those of `extract_many`, and an
article that goes through the statistical pipeline carries its share of the batch's
`nlp.pipe` time, so one slow article stands out instead of raising a batch mean."""

from __future__ import annotations

from streams.articles import Article

from ..conftest import REFERENCE

DAY = "2024-06-19T09:00:00Z"


def test_every_article_gets_its_own_cost_and_the_same_events(extractor):
    reference = Article(
        id="reference", text=REFERENCE.read_text(encoding="utf-8"), published_at=DAY
    )
    fillers = [
        Article(id=f"filler-{n}", text="The city council met on Monday.", published_at=DAY)
        for n in range(8)
    ]
    batch = [*fillers[:4], reference, *fillers[4:]]

    timed = list(extractor.extract_timed(batch))
    plain = list(extractor.extract_many(batch))
    assert [(a.id, e) for a, e, _ in timed] == [(a.id, e) for a, e in plain]
    costs = {a.id: seconds for a, _, seconds in timed}
    assert all(seconds > 0 for seconds in costs.values())
    # the reference went through the pipeline (thousands of tokens), the fillers not at all
    assert costs["reference"] > max(v for k, v in costs.items() if k != "reference")
    assert any(e for a, e, _ in timed if a.id == "reference")


def test_articles_dated_at_the_ends_of_the_calendar_are_read(extractor):
    """Year 1 and 9999 are valid RFC 3339: the rules' date arithmetic must not overflow."""
    text = REFERENCE.read_text(encoding="utf-8")
    for when in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"):
        events = extractor.extract(Article(id="edge", text=text, published_at=when))
        assert {e["type"] for e in events} == {"leader_visit", "sanctions_allegation"}
