"""The metrics' names, labels and bounded label values (pure: no server, no broker)."""

from __future__ import annotations

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from streams.metrics import REJECT_REASONS, Metrics, country_pairs

VISIT = {
    "type": "leader_visit",
    "status": "ongoing",
    "visitor": {"name": "Vladimir Putin", "title": "President", "country": "RUS"},
    "host": {"country": "PRK", "city": "Pyongyang", "leader": "Kim Jong Un"},
}
ALLEGATION = {"type": "sanctions_allegation", "accusers": ["USA", "EU"], "accused": "PRK"}


def samples(metrics: Metrics) -> dict[tuple[str, tuple], float]:
    text = generate_latest(metrics.registry).decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_names_follow_prometheus_conventions():
    names = {name for name, _ in samples(Metrics())}
    for name in names:
        assert name.startswith("newsmon_"), name
    assert {
        "newsmon_articles_consumed_total",
        "newsmon_articles_rejected_total",
        "newsmon_events_extracted_total",
        "newsmon_alerts_published_total",
        "newsmon_duplicates_suppressed_total",
        "newsmon_extraction_seconds_bucket",
        "newsmon_end_to_end_seconds_bucket",
        "newsmon_worker_up",
    } <= names


def test_known_label_values_exist_at_zero_before_anything_happens():
    found = samples(Metrics())
    for reason in REJECT_REASONS:
        assert found[("newsmon_articles_rejected_total", (("reason", reason),))] == 0
    key = ("newsmon_events_extracted_total", (("status", "none"), ("type", "sanctions_allegation")))
    assert found[key] == 0


def test_unknown_reasons_and_statuses_collapse_into_other():
    metrics = Metrics()
    metrics.reject("something_new")
    metrics.extracted({**VISIT, "status": "weird"})
    found = samples(metrics)
    assert found[("newsmon_articles_rejected_total", (("reason", "other"),))] == 1
    key = ("newsmon_events_extracted_total", (("status", "other"), ("type", "leader_visit")))
    assert found[key] == 1


def test_country_pairs_go_from_visitor_to_host_and_accuser_to_accused():
    assert country_pairs(VISIT) == [("RUS", "PRK")]
    assert country_pairs(ALLEGATION) == [("USA", "PRK"), ("EU", "PRK")]
    assert country_pairs({**ALLEGATION, "accused": "not a code"}) == [
        ("USA", "other"),
        ("EU", "other"),
    ]


def test_an_alert_counts_its_type_pairs_and_latency():
    metrics = Metrics()
    metrics.alerted(ALLEGATION, 0.4)
    metrics.alerted(VISIT, None)
    found = samples(metrics)
    assert found[("newsmon_alerts_published_total", (("type", "sanctions_allegation"),))] == 1
    pair = (("from_country", "EU"), ("to_country", "PRK"), ("type", "sanctions_allegation"))
    assert found[("newsmon_alert_country_pairs_total", pair)] == 1
    assert found[("newsmon_end_to_end_seconds_count", ())] == 1
    assert found[("newsmon_end_to_end_seconds_bucket", (("le", "0.5"),))] == 1
    assert found[("newsmon_end_to_end_seconds_bucket", (("le", "0.25"),))] == 0


def test_lag_keeps_only_the_partitions_the_worker_owns():
    metrics = Metrics()
    metrics.set_lag({("newsmon.articles", 0): 5, ("newsmon.articles", 1): 2})
    metrics.set_lag({("newsmon.articles", 1): 0})
    lag = {k: v for k, v in samples(metrics).items() if k[0] == "newsmon_consumer_lag_messages"}
    assert lag == {
        ("newsmon_consumer_lag_messages", (("partition", "1"), ("topic", "newsmon.articles"))): 0
    }


def test_build_info_names_the_versions():
    metrics = Metrics()
    metrics.set_build("rule-only")
    (labels,) = [dict(k[1]) for k in samples(metrics) if k[0] == "newsmon_build_info"]
    assert labels["model"] == "rule-only" and labels["version"] and labels["spacy"] != "none"
