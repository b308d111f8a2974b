"""event_id is equal for the same real-world event across articles, distinct otherwise."""

from streams.articles import Article

VISIT_A = (
    "Indian Prime Minister Narendra Modi arrived in Moscow on Monday for talks with Vladimir Putin."
)
VISIT_B = (
    "Narendra Modi landed in Russia on Monday, the Indian prime minister's first trip there "
    "since 2019, and is due to meet President Vladimir Putin."
)


def ids(extractor, text, article_id, published="2024-07-08T10:00:00Z"):
    events = extractor.extract(Article(id=article_id, text=text, published_at=published))
    return {
        (e["visitor"]["country"], e["host"]["country"], e["status"]): e["event_id"] for e in events
    }


def test_same_visit_from_two_sources_shares_an_id(extractor):
    a = ids(extractor, VISIT_A, "a")
    b = ids(extractor, VISIT_B, "b", "2024-07-09T06:00:00Z")
    key = ("IND", "RUS", "ongoing")
    assert key in a and key in b
    assert a[key] == b[key]


def test_reports_far_apart_are_different_events(extractor):
    a = ids(extractor, VISIT_A, "a")
    later = ids(extractor, VISIT_A, "c", "2025-03-04T10:00:00Z")  # a Tuesday
    key = ("IND", "RUS", "ongoing")
    assert a[key] != later[key]
