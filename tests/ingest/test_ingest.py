"""The ingest loop against the loopback feed server, with a publisher that keeps what it
gets (the real broker is in tests/integration/test_ingest.py)."""

from __future__ import annotations

import threading
from dataclasses import replace
from html import escape

from streams.articles import from_dict
from streams.ingest.config import FeedConfig
from streams.ingest.ingest import FeedReport, Ingestor
from streams.ingest.metrics import IngestMetrics


def feed(server, path: str, **kwargs) -> FeedConfig:
    return FeedConfig(url=server.url(path), **kwargs)


def items(metrics: IngestMetrics, outcome: str) -> float:
    return metrics.value("newsmon_ingest_items_total", outcome=outcome)


def failures(metrics: IngestMetrics, reason: str) -> float:
    return metrics.value("newsmon_ingest_failures_total", reason=reason)


def fallbacks(metrics: IngestMetrics, reason: str) -> float:
    return metrics.value("newsmon_ingest_summary_fallbacks_total", reason=reason)


def test_rss_items_become_valid_articles(server, make_ingestor, publisher):
    ingestor = make_ingestor()
    (report,) = ingestor.run_once([feed(server, "/feeds/rss.xml")])
    assert report.ok and report.http_status == 200
    assert (report.entries, report.new, report.published, report.failed) == (4, 4, 4, 0)
    articles = publisher.by_title()
    macron = articles["Macron arrives in Tokyo for state visit"]
    assert macron.id == server.url("/world/2024/05/06/macron-tokyo")  # canonical, normalised
    assert macron.url == macron.id
    assert macron.published_at == "2024-05-06T09:00:00Z"
    assert macron.language == "en"
    assert macron.source == "Fixture World News"
    assert macron.text.splitlines()[1].startswith("French President Emmanuel Macron arrived in")
    for article in publisher.articles:  # every one is a valid article.v1
        assert from_dict(article.to_dict()) == article
    assert [a.published_at for a in publisher.articles] == sorted(
        a.published_at for a in publisher.articles
    )  # oldest first
    metrics = ingestor.metrics
    assert items(metrics, "published") == 4
    assert items(metrics, "fetched") == 3  # the PDF was not downloaded


def test_page_without_body_falls_back_to_the_summary(server, make_ingestor, publisher):
    ingestor = make_ingestor()
    ingestor.run_once([feed(server, "/feeds/rss.xml")])
    video = publisher.by_title()["Watch: the foreign ministers' news conference"]
    assert video.text == (
        "Foreign ministers of the Group of Seven met in Capri on Monday & discussed "
        "support for Ukraine."
    )
    assert video.id == server.url("/pages/no-body.html")
    assert fallbacks(ingestor.metrics, "no_body") == 1


def test_non_html_page_falls_back_to_the_summary(server, make_ingestor, publisher):
    ingestor = make_ingestor()
    ingestor.run_once([feed(server, "/feeds/rss.xml")])
    report = publisher.by_title()["Annual sanctions report published"]
    assert report.text.startswith("The annual report on sanctions enforcement")
    assert fallbacks(ingestor.metrics, "not_html") == 1


def test_redirected_page_is_identified_by_its_final_url(server, make_ingestor, publisher):
    make_ingestor().run_once([feed(server, "/feeds/rss.xml")])
    scholz = publisher.by_title()["Scholz meets Tusk in Warsaw"]
    assert scholz.id == server.url("/pages/scholz-warsaw.html")
    assert "Polish Prime Minister Donald Tusk" in scholz.text


def test_second_run_sends_validators_gets_304_and_publishes_nothing(
    server, make_ingestor, publisher
):
    make_ingestor().run_once([feed(server, "/feeds/rss.xml")])
    first = server.seen("/feeds/rss.xml")[-1].headers
    assert "if-none-match" not in first
    ingestor = make_ingestor()  # a restart: a new state handle on the same directory
    (report,) = ingestor.run_once([feed(server, "/feeds/rss.xml")])
    sent = server.seen("/feeds/rss.xml")[-1].headers
    assert sent["if-none-match"].startswith('"') and "if-modified-since" in sent
    assert report.http_status == 304 and report.ok
    assert len(publisher.articles) == 4
    assert ingestor.metrics.value("newsmon_ingest_feed_polls_total", status="not_modified") == 1


def test_repeated_items_are_published_once_across_runs(server, make_ingestor, publisher):
    plain = feed(server, "/plain/rss.xml")  # no validators: the whole feed every time
    make_ingestor().run_once([plain])
    pages_before = len(server.seen("/pages/"))
    ingestor = make_ingestor()
    (report,) = ingestor.run_once([plain])
    assert (report.http_status, report.new, report.skipped, report.published) == (200, 0, 4, 0)
    assert len(publisher.articles) == 4
    assert len({a.id for a in publisher.articles}) == 4
    assert len(server.seen("/pages/")) == pages_before  # seen items are not fetched again
    assert items(ingestor.metrics, "skipped") == 4


def test_the_same_article_in_two_feeds_is_published_once(server, make_ingestor, publisher):
    ingestor = make_ingestor()
    rss, atom = ingestor.run_once([feed(server, "/feeds/rss.xml"), feed(server, "/feeds/atom.xml")])
    assert rss.published == 4
    assert (atom.new, atom.published, atom.skipped) == (3, 2, 1)  # Macron again: skipped
    macrons = [a for a in publisher.articles if "macron-tokyo" in a.id]
    assert len(macrons) == 1
    titles = publisher.by_title()
    assert titles["Lula lands in Beijing & meets Xi"].id == (
        "https://asia.fixture.example/2024/05/06/lula-beijing?page=1"
    )
    modi = titles["Modi in Moscow: full text in the feed"]  # no link: the feed's content
    assert modi.id == "tag:asia.fixture,2024:modi-moscow"
    assert modi.text.startswith("Indian Prime Minister Narendra Modi arrived in Moscow")
    assert modi.url is None
    assert fallbacks(ingestor.metrics, "no_link") == 1


def test_malformed_feed_fails_alone(server, make_ingestor, publisher):
    ingestor = make_ingestor()
    broken, good = ingestor.run_once(
        [feed(server, "/feeds/malformed.xml"), feed(server, "/feeds/atom.xml")]
    )
    assert (broken.ok, broken.error, broken.http_status) == (False, "malformed_feed", 200)
    assert good.ok and good.published == 3
    assert failures(ingestor.metrics, "malformed_feed") == 1
    assert ingestor.metrics.value("newsmon_ingest_feed_polls_total", status="failed") == 1


def test_unreachable_feed_fails_alone(server, make_ingestor):
    ingestor = make_ingestor()
    missing, good = ingestor.run_once(
        [feed(server, "/feeds/no-such.xml"), feed(server, "/feeds/atom.xml")]
    )
    assert (missing.error, missing.http_status) == ("http_error", 404)
    assert good.ok
    assert failures(ingestor.metrics, "http_error") == 1


def test_misbehaving_pages(server, make_ingestor, publisher):
    ingestor = make_ingestor()
    (report,) = ingestor.run_once([feed(server, "/feeds/edge.xml")])
    assert report.ok  # the feed was polled; its items failed one by one
    titles = publisher.by_title()
    assert titles["Redirect loop"].text.startswith("Summary of the item whose page redirects")
    assert titles["Redirect loop"].id == server.url("/loop/a")
    assert titles["Huge page"].text.startswith("Summary of the item whose page is too large")
    assert titles["Missing page"].text.startswith("Summary of the item whose page is gone")
    assert titles["Slow page"].text.startswith("Summary of the item whose page is too slow")
    assert "Nothing to say" not in titles
    assert (report.published, report.failed, report.failures) == (4, 1, {"no_text": 1})
    metrics = ingestor.metrics
    for reason in ("too_many_redirects", "too_large", "http_error", "timeout"):
        assert fallbacks(metrics, reason) == 1, reason
    assert failures(metrics, "no_text") == 1


def test_a_slow_page_is_tried_again_before_falling_back(server, make_ingestor, settings, publisher):
    patient = replace(settings, item_attempts=2)
    slow_only = feed(server, "/plain/edge.xml")
    first = make_ingestor(patient).run_once([slow_only])[0]
    assert first.failures == {"timeout": 1, "no_text": 1}
    assert "Slow page" not in publisher.by_title()  # pending, not published
    second = make_ingestor(patient).run_once([slow_only])[0]
    assert (second.new, second.published, second.failed) == (1, 1, 0)
    assert publisher.by_title()["Slow page"].text.startswith("Summary of the item whose page")
    assert len(server.seen("/slow/")) == 2


def test_pending_items_keep_the_old_validators(server, make_ingestor, settings, publisher):
    patient = replace(settings, item_attempts=2)
    edge = feed(server, "/feeds/edge.xml")
    make_ingestor(patient).run_once([edge])
    # the slow item is pending: the feed must be fetched in full again, not answered by 304
    (again,) = make_ingestor(patient).run_once([edge])
    assert "if-none-match" not in server.seen("/feeds/edge.xml")[-1].headers
    assert again.http_status == 200 and again.published == 1
    (third,) = make_ingestor(patient).run_once([edge])
    assert third.http_status == 304


def test_an_item_is_recorded_only_after_the_broker_has_it(server, make_ingestor, publisher):
    publisher.fail = True
    reports = make_ingestor().run_once(
        [feed(server, "/feeds/atom.xml"), feed(server, "/feeds/rss.xml")]
    )
    assert len(reports) == 1  # a run stops at a broker failure
    (report,) = reports
    assert report.broker_failed and not report.ok
    assert not server.seen("/feeds/rss.xml")
    assert report.failures == {"publish_failed": 1}
    assert publisher.articles == []
    publisher.fail = False
    ingestor = make_ingestor()
    (report,) = ingestor.run_once([feed(server, "/feeds/atom.xml")])
    assert report.http_status == 200  # no validators were stored
    assert report.published == 3 and len(publisher.articles) == 3


def test_an_article_that_does_not_validate_is_failed_not_published(
    server, make_ingestor, publisher
):
    ingestor = make_ingestor(max_text_bytes=120)
    (report,) = ingestor.run_once([feed(server, "/plain/atom.xml")])
    assert report.failures == {"invalid_article": 3}  # every text is over 120 bytes
    assert "text_too_large" in report.detail
    assert publisher.articles == []
    assert failures(ingestor.metrics, "invalid_article") == 3
    # failed for good: not tried again
    (again,) = make_ingestor(max_text_bytes=120).run_once([feed(server, "/plain/atom.xml")])
    assert (again.new, again.skipped, again.failed) == (0, 3, 0)


def test_configured_source_and_language_win(server, make_ingestor, publisher):
    make_ingestor().run_once([feed(server, "/feeds/atom.xml", source="Asia", language="pt")])
    assert {(a.source, a.language) for a in publisher.articles} == {("Asia", "pt")}


def test_run_forever_polls_on_the_interval_until_stopped(server, make_ingestor, publisher):
    stop = threading.Event()
    ingestor = make_ingestor(stop=stop)
    reports: list[FeedReport] = []

    def seen(report: FeedReport) -> None:
        reports.append(report)
        if len(reports) == 3:
            stop.set()

    worker = threading.Thread(
        target=ingestor.run_forever,
        args=([feed(server, "/feeds/atom.xml", interval=0.05)],),
        kwargs={"on_report": seen},
    )
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert [r.http_status for r in reports] == [200, 304, 304]
    assert len(publisher.articles) == 3


def test_backoff_of_a_failing_feed(make_ingestor, settings):
    ingestor = make_ingestor(replace(settings, max_backoff=1000))
    polled = FeedConfig(url="http://x/f", interval=100)
    failed = FeedReport(polled, error="timeout")
    assert ingestor.delay(polled, 0, FeedReport(polled)) == 100
    assert [ingestor.delay(polled, n, failed) for n in (1, 2, 3, 4, 5)] == [
        100, 200, 400, 800, 1000,
    ]  # fmt: skip
    told = FeedReport(polled, error="rate_limited", retry_after=5000)
    assert ingestor.delay(polled, 1, told) == 5000


def test_ingestor_is_constructed_with_defaults(settings, tmp_path):
    from streams.ingest.fetch import Fetcher
    from streams.ingest.state import State

    with State(tmp_path) as state, Fetcher(settings) as fetcher:
        ingestor = Ingestor(settings, state, publisher=None, fetcher=fetcher)
        assert isinstance(ingestor.metrics, IngestMetrics)
        assert not ingestor.stop.is_set()


def test_an_unexpected_error_fails_that_feed_only(server, make_ingestor, publisher):
    class Broken:
        def publish(self, article):
            raise RuntimeError("bug in a publisher")

    ingestor = make_ingestor(publisher=Broken())
    first, second = ingestor.run_once([feed(server, "/feeds/atom.xml"), feed(server, "/x.xml")])
    assert (first.error, first.detail) == ("other", "RuntimeError: bug in a publisher")
    assert second.error == "http_error"  # the next feed was still polled
    assert failures(ingestor.metrics, "other") == 1


def test_a_page_the_parsers_choke_on_falls_back_to_the_summary(
    server, make_ingestor, publisher, monkeypatch
):
    def choke(content, url, charset=None):
        raise ValueError("hostile bytes")

    monkeypatch.setattr("streams.ingest.ingest.extract_page", choke)
    ingestor = make_ingestor()
    (report,) = ingestor.run_once([feed(server, "/feeds/rss.xml")])
    assert report.published == 4
    macron = publisher.by_title()["Macron arrives in Tokyo for state visit"]
    assert macron.text == "The French president is in Japan for three days of talks."
    assert macron.id == server.url("/pages/macron-tokyo.html")  # no canonical: the final URL
    assert fallbacks(ingestor.metrics, "bad_response") == 3


ITEM = """<item><title>{title}</title><link>{link}</link>{guid}
<pubDate>Mon, 06 May 2024 0{n}:00:00 GMT</pubDate><description>Summary of {title}.</description>
</item>"""


def rss(*items: tuple[str, str, bool]) -> str:
    """A feed of (title, link, with a guid) items, oldest first."""
    body = "".join(
        ITEM.format(title=t, link=escape(link), n=n, guid=f"<guid>{t}</guid>" if guid else "")
        for n, (t, link, guid) in enumerate(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Odd</title>{body}</channel></rss>'
    )


def test_bad_items_fail_alone_and_the_good_ones_are_published(server, make_ingestor, publisher):
    """An IPv6-literal link stopped the whole poll (ValueError from the old normaliser);
    now every item is handled on its own."""
    port = server.httpd.server_address[1]
    url = server.put(
        "/odd.xml",
        rss(
            ("good", "{{BASE}}/pages/scholz-warsaw.html", True),
            ("ipv6", "http://[::1]:8080/x", True),  # not allowed: refused, not a crash
            ("ipv6 no guid", "http://[::1]:8080/y", False),
            ("bad port", "http://127.0.0.1:99999/x", True),
            ("bad port no guid", "http://127.0.0.1:99999/y", False),
            ("user info", f"http://user:pw@127.0.0.1:{port}/pages/macron-tokyo.html", True),
            ("space", "{{BASE}}/pages/missing.html?q=a%20b&utm_source=rss", False),
        ),
    )
    ingestor = make_ingestor()
    (report,) = ingestor.run_once([FeedConfig(url=url)])
    assert report.ok and report.entries == 7
    assert report.failures == {"blocked_address": 2, "bad_url": 2}
    titles = publisher.by_title()
    assert sorted(titles) == ["good", "space", "user info"]
    assert "Olaf Scholz" in titles["good"].text
    # the page's relative canonical link, resolved against a URL with user info: no user info
    assert titles["user info"].id == server.url("/world/2024/05/06/macron-tokyo")
    assert titles["user info"].url == titles["user info"].id
    assert "Emmanuel Macron" in titles["user info"].text
    # a 404: the summary, and the link as the id, `%20` as it was (not `+`)
    assert titles["space"].id == server.url("/pages/missing.html?q=a%20b")
    for article in publisher.articles:
        assert "pw@" not in article.id and "pw@" not in (article.url or "")


def test_an_ipv6_literal_item_is_published_when_its_host_is_allowed(
    six, server, settings, make_ingestor, publisher
):
    url = server.put("/six.xml", rss(("v6", six.url("/pages/scholz-warsaw.html"), True)))
    ingestor = make_ingestor(replace(settings, allow_hosts="127.0.0.1,::1"))
    (report,) = ingestor.run_once([FeedConfig(url=url)])
    assert (report.ok, report.published) == (True, 1), report
    (article,) = publisher.articles
    assert article.id == six.url("/pages/scholz-warsaw.html")  # http://[::1]:PORT/...
    assert six.seen("/pages/")


def test_an_unexpected_error_on_one_item_fails_that_item_only(
    server, make_ingestor, publisher, monkeypatch
):
    from streams.ingest import ingest as module

    real = module.article_id

    def choke(value):
        if "macron" in value:
            raise RuntimeError("bug met on one item")
        return real(value)

    monkeypatch.setattr(module, "article_id", choke)
    ingestor = make_ingestor()
    (report,) = ingestor.run_once([feed(server, "/feeds/rss.xml")])
    assert report.ok and report.published == 3
    assert report.failures == {"other": 1}
    assert report.detail == "RuntimeError: bug met on one item"
    assert "Macron arrives in Tokyo for state visit" not in publisher.by_title()
    assert failures(ingestor.metrics, "other") == 1
