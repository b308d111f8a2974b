"""Per-sink filters: kinds, countries, statuses, minimum confidence."""

from __future__ import annotations

from streams.sinks.filters import Filters

from .alerts import allegation, visit


def test_no_filter_lets_everything_through():
    assert Filters().matches(visit()) and Filters().matches(allegation())


def test_kinds():
    only_visits = Filters(kinds=frozenset({"leader_visit"}))
    assert only_visits.matches(visit())
    assert only_visits.reject(allegation()) == "kinds"


def test_countries_match_visitor_host_or_accused():
    assert Filters(countries=frozenset({"RUS"})).matches(visit())  # visitor
    assert Filters(countries=frozenset({"PRK"})).matches(visit())  # host
    assert Filters(countries=frozenset({"PRK"})).matches(allegation())  # accused
    # accusers and counterparties are not what an allegation is about
    assert Filters(countries=frozenset({"USA", "RUS"})).reject(allegation()) == "countries"
    assert Filters(countries=frozenset({"FRA"})).reject(visit()) == "countries"


def test_statuses_hold_back_visits_only():
    ongoing = Filters(statuses=frozenset({"ongoing"}))
    assert ongoing.matches(visit())
    assert ongoing.reject(visit(status="planned")) == "statuses"
    assert ongoing.matches(allegation())  # no status: left to `kinds`


def test_min_confidence():
    assert Filters(min_confidence=0.9).matches(visit())  # 0.9
    assert Filters(min_confidence=0.8).reject(allegation()) == "min_confidence"  # 0.7


def test_all_given_filters_must_match():
    strict = Filters(
        kinds=frozenset({"leader_visit"}),
        countries=frozenset({"PRK"}),
        statuses=frozenset({"ongoing"}),
        min_confidence=0.5,
    )
    assert strict.matches(visit())
    assert not strict.matches(allegation())
    assert not strict.matches(visit(status="past"))


def test_a_record_without_an_event_is_rejected_by_any_filter_not_crashed():
    assert Filters(kinds=frozenset({"leader_visit"})).reject({"alert_id": "x"}) == "kinds"
    assert Filters(min_confidence=0.1).reject({"alert_id": "x", "event": None}) == "min_confidence"
