"""The resolver (pure): one real-world event, one id, through its life."""

from datetime import UTC, datetime

from streams.identity import block_key, person_id, subject_kinds
from streams.resolve import MemoryStore, Policy, resolve

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def visit(name, country, host, status, dates=None, provisional="lv-0000000000000001"):
    return {
        "type": "leader_visit",
        "event_id": provisional,
        "article_id": "a",
        "visitor": {"name": name, "title": "President", "country": country},
        "host": {"country": host, "city": None, "leader": None},
        "status": status,
        "when": None,
        "dates": dates,
        "evidence": [{"text": "x", "start": 0, "end": 1}],
        "confidence": 0.9,
    }


def allegation(accused, counterparties=(), accusers=("USA",), subject="arms transfers"):
    return {
        "type": "sanctions_allegation",
        "event_id": "sa-0000000000000001",
        "article_id": "a",
        "accusers": list(accusers),
        "accused": accused,
        "counterparties": list(counterparties),
        "subject": subject,
        "denied": False,
        "evidence": [{"text": "x", "start": 0, "end": 1}],
        "confidence": 0.9,
    }


def day(d: str) -> dict:
    return {"first": d, "last": d, "precision": "day"}


class Run:
    """Reports through one in-memory store, as the stream would see them."""

    def __init__(self):
        self.store = MemoryStore()
        self.n = 0

    def report(self, event, published, article_id=None):
        self.n += 1
        article = {"id": article_id or f"art-{self.n}", "published_at": published}
        (resolved,) = self.store.resolve_article(article, [event], NOW)
        return resolved["event_id"]

    def kinds(self):
        return [r["kind"] for r in self.store.records]


def test_spellings_of_one_leader_are_one_person():
    ids = {person_id(n, "UKR") for n in ("Volodymyr Zelensky", "Zelenskiy", "Volodymyr Zelenskyy")}
    assert len(ids) == 1
    assert person_id("Recep Tayyip Erdoğan", "TUR") == person_id("Erdogan", "TUR")
    assert person_id("Emmanuel Macron", "FRA") != person_id("Olaf Scholz", "DEU")


def test_spelling_variants_share_one_event_id():
    run = Run()
    a = run.report(visit("Volodymyr Zelensky", "UKR", "USA", "ongoing"), "2023-12-12T10:00:00Z")
    b = run.report(visit("Zelenskiy", "UKR", "USA", "ongoing"), "2023-12-12T18:00:00Z")
    assert a == b
    assert run.kinds() == ["alert", "update"]


def test_a_week_boundary_does_not_split_an_event():
    run = Run()
    a = run.report(visit("Emmanuel Macron", "FRA", "IND", "ongoing"), "2024-01-28T23:30:00Z")
    b = run.report(visit("Emmanuel Macron", "FRA", "IND", "ongoing"), "2024-01-29T00:30:00Z")
    assert a == b


def test_planned_then_ongoing_then_past_keeps_one_id_and_tells_the_change():
    run = Run()
    planned = visit("Vladimir Putin", "RUS", "CHN", "planned", day("2024-05-16"))
    a = run.report(planned, "2024-05-06T09:00:00Z")
    b = run.report(visit("Vladimir Putin", "RUS", "CHN", "ongoing"), "2024-05-16T08:00:00Z")
    c = run.report(visit("Vladimir Putin", "RUS", "CHN", "past"), "2024-05-25T08:00:00Z")
    assert a == b == c
    assert run.kinds() == ["alert", "status_changed", "update"]
    changed = run.store.records[1]
    assert (changed["previous_status"], changed["status"]) == ("planned", "ongoing")
    assert run.store.records[2]["status"] == "past"
    assert run.store.records[2]["report_count"] == 3


def test_two_trips_months_apart_are_two_events():
    run = Run()
    a = run.report(visit("Narendra Modi", "IND", "USA", "ongoing"), "2023-06-21T12:00:00Z")
    b = run.report(visit("Narendra Modi", "IND", "USA", "ongoing"), "2023-09-08T12:00:00Z")
    assert a != b
    assert run.kinds() == ["alert", "alert"]
    assert run.store.records[1]["previous_visit"] == {"event_id": a, "when": "2023-06-21"}


def test_previous_visit_comes_from_a_past_mention_in_the_store():
    run = Run()
    past = visit("Vladimir Putin", "RUS", "PRK", "past", {"first": "2000-07-01",
                 "last": "2000-07-31", "precision": "month"})  # fmt: skip
    now = visit("Vladimir Putin", "RUS", "PRK", "ongoing", day("2024-06-19"))
    article = {"id": "ref", "published_at": "2024-06-19T03:00:00Z"}
    run.store.resolve_article(article, [now, past], NOW)
    (alert,) = run.store.records
    assert alert["kind"] == "alert"
    assert alert["previous_visit"]["when"] == "2000-07"


def test_two_leaders_at_one_summit_on_one_day_are_two_events():
    run = Run()
    a = run.report(visit("Joe Biden", "USA", "PER", "ongoing"), "2024-11-15T12:00:00Z")
    b = run.report(visit("Xi Jinping", "CHN", "PER", "ongoing"), "2024-11-15T12:00:00Z")
    assert a != b


def test_an_allegation_with_and_without_counterparties_is_one_event():
    run = Run()
    a = run.report(allegation("PRK", ["RUS"], ["USA"]), "2023-09-05T10:00:00Z")
    b = run.report(allegation("PRK", [], ["KOR"]), "2023-09-06T10:00:00Z")
    assert a == b
    update = run.store.records[-1]
    assert update["event"]["accusers"] == ["KOR", "USA"]
    assert update["event"]["counterparties"] == ["RUS"]


def test_two_allegations_against_one_country_a_month_apart_stay_apart():
    run = Run()
    a = run.report(allegation("IRN", subject="oil smuggling to China"), "2024-03-01T10:00:00Z")
    b = run.report(allegation("IRN", subject="oil smuggling to China"), "2024-04-05T10:00:00Z")
    assert a != b


def test_allegations_about_different_goods_stay_apart_within_the_window():
    assert subject_kinds("drone deliveries to Russia") == {"arms"}
    run = Run()
    a = run.report(allegation("IRN", subject="drone deliveries to Russia"), "2024-03-01T10:00:00Z")
    b = run.report(allegation("IRN", subject="oil sales to China"), "2024-03-03T10:00:00Z")
    assert a != b


def test_a_redelivered_report_counts_once():
    event = visit("Lula", "BRA", "CHN", "ongoing")
    article = {"id": "x", "published_at": "2023-04-14T10:00:00Z"}
    first = resolve(None, event, article, "t/0/5", NOW)
    again = resolve(first.state, event, article, "t/0/5", NOW)
    assert again.state is None and again.event_id == first.event_id and not again.records


def test_past_visits_do_not_alert_unless_asked():
    event = visit("Kim Jong Un", "PRK", "RUS", "past", day("2023-09-13"))
    article = {"id": "x", "published_at": "2024-06-19T10:00:00Z"}
    assert resolve(None, event, article, "t/0/1", NOW).records == []
    alerted = resolve(None, event, article, "t/0/1", NOW, Policy(alert_past_visits=True))
    assert [r["kind"] for r in alerted.records] == ["alert"]


def test_block_keys_group_what_could_be_one_event():
    assert block_key(visit("Zelenskiy", "UKR", "USA", "ongoing")) == block_key(
        visit("Volodymyr Zelensky", "UKR", "USA", "planned")
    )
    assert block_key(allegation("PRK", ["RUS"])) == block_key(allegation("PRK"))
