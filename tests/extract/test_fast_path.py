"""The fast path (first pass on the tokenizer's output, statistical pipeline only where a
rule may fire) gives exactly the events of the full path. No timing here: `make bench`."""

from __future__ import annotations

import importlib.util
import json
from itertools import pairwise

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.pipeline import AttributeRuler

from streams.articles import Article, from_dict
from streams.extract import Extractor, fast_path_default
from streams.extract.pipeline import DEFAULT_MODEL
from streams.extract.sentences import cut_starts, pieces, sentence_cuts, windows
from streams.scoring import load_corpus

from ..conftest import FIXTURES, ROOT

DAY = "2024-06-19T09:00:00Z"


def canonical(events: list[dict]) -> list[str]:
    return sorted(json.dumps(e, sort_keys=True) for e in events)


@pytest.fixture(scope="module")
def fast() -> Extractor:
    return Extractor(fast=True)


@pytest.fixture(scope="module")
def full() -> Extractor:
    return Extractor(fast=False)


@pytest.fixture(scope="module")
def articles(reference_article) -> list[Article]:
    return [c.article for c in load_corpus(FIXTURES / "corpus")] + [reference_article]


@pytest.fixture(scope="module")
def full_events(full, articles) -> dict[str, list[dict]]:
    return {a.id: events for a, events in full.extract_many(articles)}


def test_same_events_as_the_full_path_on_every_development_article(fast, articles, full_events):
    before = dict(fast.counts)
    got = {a.id: events for a, events in fast.extract_many(articles, batch_size=16)}
    for article in articles:
        assert canonical(got[article.id]) == canonical(full_events[article.id]), article.id
    assert fast.counts["texts"] - before["texts"] == len(articles)
    assert fast.counts["parsed"] - before["parsed"] < len(articles)  # some skipped


def test_one_at_a_time_gives_the_same_events(fast, full_events, reference_article):
    events = fast.extract(reference_article)
    assert canonical(events) == canonical(full_events[reference_article.id])
    assert len(events) == 6


def test_articles_the_first_pass_skips_have_no_event_on_the_full_path(fast, articles, full_events):
    skipped = 0
    for article in articles:
        verdict = fast.gate(fast.nlp.make_doc(article.text))
        if not verdict:
            skipped += 1
            assert full_events[article.id] == [], article.id
        elif verdict.visit is None and not fast.gate.claims(fast.nlp(article.text)):
            assert full_events[article.id] == [], article.id  # read up to the parser only
    assert skipped > 0


def test_every_article_with_an_event_passes_the_first_pass(fast, articles, full_events):
    for article in articles:
        if full_events[article.id]:
            verdict = fast.gate(fast.nlp.make_doc(article.text))
            kinds = {e["type"] for e in full_events[article.id]}
            assert ("leader_visit" not in kinds) or verdict.visit, article.id
            assert ("sanctions_allegation" not in kinds) or verdict.allegation, article.id


# --- the first pass on hand-written cases --------------------------------------------


def verdict(extractor: Extractor, text: str):
    return extractor.gate(extractor.nlp.make_doc(text))


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Kenyan President William Ruto arrived in Paris on Monday.", "full name"),
        ("President Biden arrived in Paris on Monday.", "title and name"),
        ("Iran's new president, Pezeshkian, flew to Moscow.", "title and name"),
        ("The French president arrived in Berlin on Monday for talks.", "title with a country"),
        ("The President of France arrived in Berlin on Monday.", "title of a country"),
        ("The Kenyan new president landed in Tokyo on Sunday.", "title with a country"),
    ],
)
def test_a_leader_can_be_first_mentioned_these_ways(fast, text, why):
    assert verdict(fast, text).visit == why


@pytest.mark.parametrize(
    "text",
    [
        # single surnames count only after a full mention: no first mention here
        "Biden said on Tuesday that Macron would travel to Berlin.",
        "Visitors flocked to the museum in Madrid as trade talks between the two "
        "companies resumed in Lisbon.",
        "The club's president, Tom Hadley, travelled to Madrid for the final.",
        "Fans from Spain arrived in Paris on Monday; the team will visit Rome next month.",
        "The regional premier is expected to visit Lyon.",
    ],
)
def test_ordinary_news_with_places_and_travel_words_is_skipped(fast, full, text):
    assert not verdict(fast, text)
    assert full.extract(Article(id="t", text=text, published_at=DAY)) == []


def test_a_host_needs_no_place(fast, full):
    text = "Xi Jinping hosted Luiz Inácio Lula da Silva on Tuesday."
    assert verdict(fast, text).visit == "full name"
    assert not verdict(fast, text.replace("hosted", "called"))
    events = full.extract(Article(id="t", text=text, published_at=DAY))
    assert [(e["visitor"]["country"], e["host"]["country"]) for e in events] == [("BRA", "CHN")]


def test_allegations_need_a_claim_a_country_and_an_accuser(fast, full):
    claim = (
        "The United States accused Iran of supplying drones to Russia in violation of UN sanctions."
    )
    assert verdict(fast, claim).allegation is not None
    events = full.extract(Article(id="t", text=claim, published_at=DAY))
    assert {e["accused"] for e in events} == {"IRN"}
    one_country = (
        "Officials accused the firm of supplying drones in violation of sanctions in Iran."
    )
    assert verdict(fast, one_country).allegation is None
    no_claim = "The United States and Iran held talks about sanctions on Tuesday."
    assert verdict(fast, no_claim).allegation is None


def test_a_claim_spread_over_sentences_is_no_claim(fast, full):
    text = (
        "Officials in Madrid said the fireworks ban would stay. The city will buy new "
        "equipment from a supplier in Lisbon."
    )
    assert verdict(fast, text).allegation is None  # no sentence holds the whole claim
    assert full.extract(Article(id="t", text=text, published_at=DAY)) == []


def test_a_claim_that_needs_the_parser_is_read_up_to_the_parser_only(fast):
    text = (
        "Spain's government said it would ban the export of chips to Portugal and "
        "supply military equipment instead."
    )
    assert verdict(fast, text).visit is None
    assert verdict(fast, text).allegation == "claim of a transfer"
    before = dict(fast.counts)
    events = fast.extract(Article(id="t", text=text, published_at=DAY))
    assert fast.counts["sentences"] == before["sentences"] + 1
    parsed = fast.counts["parsed"] - before["parsed"]
    assert parsed == (1 if fast.gate.claims(fast.nlp(text)) else 0)
    assert events == [] or parsed == 1


def test_sentence_cuts_are_cautious(fast):
    doc = fast.nlp.make_doc(
        'He said no. "Why?" she asked. U.S. officials agreed! 2024 was calm.\nThen rain.'
    )
    cut_words = [doc[j].text for _, j in sentence_cuts(doc)]
    assert cut_words == ["Why", "Then"]  # not before 'she', 'officials' or '2024'
    spans = windows(doc)
    assert spans[0][0] == 0 and spans[-1][1] == len(doc)
    assert all(a[1] == b[0] for a, b in pairwise(spans))


def test_a_sentence_run_across_a_paragraph_end_is_read_in_pieces(fast):
    doc = fast.nlp(
        "Rwanda said such issues are better raised directly with Doha.\nSports Minister "
        "Amelie Oudea said the fund was fine."
    )
    (sent,) = [s for s in doc.sents if "Doha" in s.text]
    if sent.end < len(doc) - 2:  # this model's parser ended the sentence after all
        pytest.skip("the parser ended the sentence at the paragraph's end")
    texts = [p.text.strip() for p in pieces(sent, cut_starts(doc))]
    assert texts[0].endswith("Doha.") and texts[1].startswith("Sports Minister")


SUBJECTS = [
    "The United States", "Iran", "Officials in Madrid", "Russia", "The UN", "North Korea",
    "President Joe Biden", "The French president", "Xi Jinping", "He", "A think tank",
]  # fmt: skip
VERBS = [
    "said", "accused Iran of", "supplied", "sold", "held talks in", "visited", "hosted",
    "denied", "will travel to", "arrived in", "is shipping",
]  # fmt: skip
OBJECTS = [
    "drones to Russia", "oil", "military equipment", "sanctions", "Moscow", "Tehran",
    "the ban", "in violation of UN sanctions", "on Tuesday", "Paris", "Luiz Inácio Lula da Silva",
]  # fmt: skip
SENTENCE = st.tuples(st.sampled_from(SUBJECTS), st.sampled_from(VERBS), st.sampled_from(OBJECTS))


@settings(max_examples=40)
@given(st.lists(st.tuples(SENTENCE, st.sampled_from([". ", ".\n", ", ", " and "])), max_size=6))
def test_the_first_pass_never_skips_what_the_rules_find(fast, full, sentences):
    text = "".join(f"{s} {v} {o}{sep}" for (s, v, o), sep in sentences)
    events = full.extract(Article(id="t", text=text, published_at=DAY))
    found = verdict(fast, text)
    kinds = {e["type"] for e in events}
    assert "leader_visit" not in kinds or found.visit, text
    assert "sanctions_allegation" not in kinds or found.allegation, text
    assert canonical(fast.extract(Article(id="t", text=text, published_at=DAY))) == canonical(
        events
    )


# --- settings ---------------------------------------------------------------------------


def test_the_fast_path_is_on_unless_turned_off(monkeypatch):
    assert fast_path_default("") and fast_path_default("1") and fast_path_default("on")
    for off in ("0", "off", "false", "no", "OFF"):
        assert not fast_path_default(off)
    monkeypatch.setenv("NEWSMON_FAST_PATH", "off")
    assert not Extractor().fast
    assert Extractor(fast=True).fast
    monkeypatch.delenv("NEWSMON_FAST_PATH")
    assert Extractor().fast


def test_the_rule_only_pipeline_takes_the_fast_path_too(rule_extractor, reference_article):
    slow = Extractor("rule-only", fast=False)
    assert rule_extractor.fast
    assert canonical(rule_extractor.extract(reference_article)) == canonical(
        slow.extract(reference_article)
    )
    quiet = Article(id="q", text="Rain is forecast for Madrid on Monday.", published_at=DAY)
    before = rule_extractor.counts["parsed"]
    assert rule_extractor.extract(quiet) == []
    assert rule_extractor.counts["parsed"] == before


# --- the attribute ruler's own matching, replaced ---------------------------------------


def test_the_attribute_ruler_matches_as_spacys_matcher_does(fast, articles):
    ruler = fast.nlp.get_pipe("attribute_ruler")
    assert ruler.match.__self__.__class__.__name__ == "FastRulerMatch"
    texts = [a.text for a in articles[:40]]
    texts.append("I ain't gonna lie, y'all: let's go, we're doin' nothin' 'em ol' gotta.\n\n")
    skip = ["attribute_ruler", "lemmatizer", "ner", "newsmon_gazetteer"]
    for doc in fast.nlp.pipe(texts, disable=skip):
        assert set(ruler.match(doc)) == set(AttributeRuler.match(ruler, doc))


def test_the_pipeline_annotates_as_the_plain_model_does(fast, articles):
    plain = spacy.load(DEFAULT_MODEL)
    texts = [a.text for a in articles[:25]]

    def annotations(doc):
        return [
            (t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_, str(t.morph), t.ent_type_, t.ent_iob_)
            for t in doc
        ]

    for ours, theirs in zip(fast.nlp.pipe(texts), plain.pipe(texts), strict=True):
        assert annotations(ours) == annotations(theirs)


# --- the benchmark stream -----------------------------------------------------------------


@pytest.fixture(scope="module")
def make_stream():
    spec = importlib.util.spec_from_file_location("make_stream", ROOT / "bench" / "make_stream.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_stream_is_seeded_and_mixed_as_documented(make_stream):
    records = make_stream.generate(700, seed=3)
    assert records == make_stream.generate(700, seed=3)
    kinds = [make_stream.kind_of(r) for r in records]
    assert kinds.count("event") == 100  # one in seven
    assert len({r["id"] for r in records}) == 700
    for record in records:
        from_dict(record)  # valid article.v1
    ordinary = [r for r, k in zip(records, kinds, strict=True) if k in make_stream.TOPICS]
    lengths = [len(r["text"].split()) for r in ordinary]
    assert min(lengths) >= 100 and max(lengths) <= 830


def test_the_fast_path_agrees_with_the_full_path_on_a_sample_of_the_stream(make_stream, fast, full):
    records = make_stream.generate(140, seed=11)[:60]
    articles = [from_dict(r) for r in records]
    expected = {a.id: events for a, events in full.extract_many(articles)}
    for article, events in fast.extract_many(articles):
        assert canonical(events) == canonical(expected[article.id]), article.id
