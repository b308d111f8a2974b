"""HTTP fetching against the loopback server: conditional requests, redirects, limits,
content types, backoff. No real sleeping: the backoff's sleep and clock are injected."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from streams.ingest.fetch import PAGE_ACCEPT, Fetcher, FetchError, retry_after

from .server import LAST_MODIFIED


@pytest.fixture
def fetcher(settings, sleeps):
    with Fetcher(settings, sleep=sleeps.sleep, clock=sleeps.clock) as client:
        yield client


def failure(fetcher: Fetcher, url: str, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(url, **kwargs)
    return caught.value


def test_a_feed_comes_with_its_validators(server, fetcher):
    response = fetcher.fetch(server.url("/feeds/rss.xml"))
    assert response.status == 200
    assert b"Macron arrives in Tokyo" in response.content
    assert server.base.encode() in response.content  # {{BASE}} was filled in
    assert response.etag and response.etag.startswith('"')
    assert response.last_modified == LAST_MODIFIED
    assert response.media_type == "application/rss+xml"
    assert response.charset == "utf-8"
    assert server.seen("/feeds/rss.xml")[0].headers["user-agent"].startswith("newsmon-ingest/")


def test_conditional_request_gets_304_and_sends_both_validators(server, fetcher):
    first = fetcher.fetch(server.url("/feeds/rss.xml"))
    again = fetcher.fetch(
        server.url("/feeds/rss.xml"), etag=first.etag, last_modified=first.last_modified
    )
    assert again.not_modified and again.content == b""
    sent = server.seen("/feeds/rss.xml")[-1].headers
    assert sent["if-none-match"] == first.etag
    assert sent["if-modified-since"] == LAST_MODIFIED


def test_if_modified_since_alone_gets_304(server, fetcher):
    assert fetcher.fetch(server.url("/feeds/rss.xml"), last_modified=LAST_MODIFIED).not_modified
    assert "if-none-match" not in server.seen("/feeds/rss.xml")[-1].headers


def test_a_stale_etag_gets_the_new_content(server, fetcher):
    response = fetcher.fetch(server.url("/feeds/rss.xml"), etag='"not-the-current-one"')
    assert response.status == 200 and response.content


def test_redirect_chain_within_the_limit_is_followed(server, fetcher):
    response = fetcher.fetch(server.url("/redirect/3/pages/scholz-warsaw.html"))
    assert response.status == 200
    assert response.url == server.url("/pages/scholz-warsaw.html")
    assert response.redirects == 3
    assert b"Olaf Scholz" in response.content


def test_redirect_chain_over_the_limit_fails(server, fetcher):
    error = failure(fetcher, server.url("/redirect/4/pages/scholz-warsaw.html"))
    assert error.reason == "too_many_redirects"
    assert not server.seen("/pages/")  # the target was never asked for


def test_redirect_loop_fails_with_too_many_redirects(server, settings, sleeps):
    generous = replace(settings, max_redirects=50)
    with Fetcher(generous, sleep=sleeps.sleep, clock=sleeps.clock) as fetcher:
        error = failure(fetcher, server.url("/loop/a"))
    assert error.reason == "too_many_redirects"
    assert "loop" in error.detail
    assert len(server.seen("/loop/")) == 2  # caught at the first repeat, not after 50


def test_slow_response_times_out(server, settings):
    with Fetcher(settings) as fetcher:  # the real clock: the deadline is real
        error = failure(fetcher, server.url("/slow/pages/scholz-warsaw.html"))
    assert error.reason == "timeout"
    assert error.transient
    assert len(server.seen("/slow/")) == 1  # timeouts are not retried within a fetch


def test_oversized_response_is_cut_off_while_streaming(server, fetcher, settings):
    error = failure(fetcher, server.url("/big"))
    assert error.reason == "too_large"
    assert str(settings.max_bytes) in error.detail
    assert not error.transient


def test_oversized_declared_length_is_refused_before_reading(server, fetcher):
    error = failure(fetcher, server.url("/big-declared"))
    assert error.reason == "too_large"
    assert "declared" in error.detail


def test_non_html_page_is_refused_when_html_is_wanted(server, fetcher):
    error = failure(fetcher, server.url("/files/report.pdf"), accept=PAGE_ACCEPT, html_only=True)
    assert error.reason == "not_html"
    assert "application/pdf" in error.detail
    assert fetcher.fetch(server.url("/files/report.pdf")).content.startswith(b"%PDF")


def test_client_errors_are_not_retried(server, fetcher, sleeps):
    error = failure(fetcher, server.url("/status/404"))
    assert (error.reason, error.status) == ("http_error", 404)
    assert len(server.seen("/status/404")) == 1
    assert sleeps.calls == []


def test_server_errors_are_retried_with_doubling_delays(server, fetcher, settings, sleeps):
    error = failure(fetcher, server.url("/status/500"))
    assert (error.reason, error.status) == ("server_error", 500)
    assert len(server.seen("/status/500")) == settings.retries + 1
    assert sleeps.calls == [settings.backoff, settings.backoff * 2]


def test_429_retry_after_is_honoured_then_the_fetch_succeeds(server, fetcher, sleeps):
    url = server.url("/flaky/pages/scholz-warsaw.html?code=429&retry_after=7&times=1")
    response = fetcher.fetch(url)
    assert response.status == 200 and b"Olaf Scholz" in response.content
    assert sleeps.calls == [7.0]  # waited exactly as told, once
    assert len(server.seen("/flaky/")) == 2


def test_503_retry_after_is_honoured(server, fetcher, sleeps):
    url = server.url("/flaky/pages/scholz-warsaw.html?code=503&retry_after=3&times=2")
    assert fetcher.fetch(url).status == 200
    assert sleeps.calls == [3.0, 3.0]


def test_retry_after_too_long_gives_up_and_blocks_the_host(server, fetcher, settings, sleeps):
    error = failure(fetcher, server.url("/status/429?retry_after=3600"))
    assert error.reason == "rate_limited"
    assert error.retry_after == 3600
    assert sleeps.calls == []  # not waited for: longer than max_retry_wait
    asked = len(server.requests)
    later = failure(fetcher, server.url("/pages/scholz-warsaw.html"))
    assert later.reason == "rate_limited"  # the same host, still in its quiet time
    assert later.retry_after == pytest.approx(3600)
    assert len(server.requests) == asked  # not even asked
    sleeps.now += 3600
    assert fetcher.fetch(server.url("/pages/scholz-warsaw.html")).status == 200


def test_refused_connection_is_a_connection_error(settings, sleeps):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with Fetcher(settings, sleep=sleeps.sleep, clock=sleeps.clock) as fetcher:
        error = failure(fetcher, f"http://127.0.0.1:{port}/feed.xml")
    assert error.reason == "connection_error"
    assert len(sleeps.calls) == settings.retries  # retried with backoff


def test_not_http_is_a_bad_url(fetcher):
    assert failure(fetcher, "ftp://127.0.0.1/feed.xml").reason == "bad_url"


def test_retry_after_header_forms():
    now = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert retry_after("120") == 120.0
    assert retry_after(later, now=now.timestamp) == pytest.approx(90.0)
    assert retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now.timestamp) == 0
    assert retry_after("soon") is None
    assert retry_after(None) is None
