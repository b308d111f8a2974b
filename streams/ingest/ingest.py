"""The ingest loop: poll the feeds that are due, fetch each new item's page, build an
article, publish it, remember it.

Per item: an item already done in this feed is `skipped`; otherwise its page is fetched
(`fetched`) and its main text extracted. A page that failed for a reason that may pass
(timeout, 429, 5xx, refused) leaves the item pending (`failed`, tried again next poll)
until `item_attempts` tries; then, or at once for other reasons (not HTML, no body, too
large, redirect loop, 4xx), the feed's own content or summary is the text. An article
whose id was already published (from another feed) is `skipped`; one that does not
validate against `article.v1` is `failed`; the rest are `published`, and recorded only
after the broker confirmed the send. A feed's validators are stored only when every
entry of its current version is done, so a 304 never hides a pending item.

An item whose page (or a redirect on the way) is at an address that is not public and
not allowed (`guard.py`) is `failed` (`blocked_address`) for good: nothing is fetched
from it and nothing of it is published. An item whose link is not a URL (a bad port, a
broken IPv6 literal) is `failed` (`bad_url`). Anything else that goes wrong with one
item before it is published (`other`, counted as a try) fails that item alone: the
other items of the feed are still tried and published."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from kafka.errors import KafkaConnectionError, KafkaError

from ..articles import MAX_TEXT_BYTES, Article, InvalidArticle, from_dict
from ..settings import Settings
from .config import FeedConfig, IngestSettings
from .feeds import Entry, Feed, FeedError, parse_feed
from .fetch import FEED_ACCEPT, PAGE_ACCEPT, Fetcher, FetchError
from .metrics import IngestMetrics
from .state import State
from .text import Page, article_id, detect_language, extract_page, normalize_url

# fetch failures that fail the item instead of falling back to the feed's text
REFUSED = frozenset({"blocked_address"})


def article_url(canonical: str | None, final_url: str | None) -> str | None:
    """The article's URL, normalised: the page's canonical URL (when it is a URL), else
    the URL the page came from (ValueError when that is not one)."""
    if canonical:
        with contextlib.suppress(ValueError):
            return normalize_url(canonical)
    return normalize_url(final_url) if final_url else None


class Publisher(Protocol):
    def publish(self, article: Article) -> None:
        """Returns once the broker has the article; raises KafkaError otherwise."""


class KafkaPublisher:
    """kafka-python producer (`streams.clients.producer`) to the articles topic; each send
    waits for the broker's acknowledgement."""

    def __init__(self, settings: Settings, timeout: float = 30.0) -> None:
        from ..clients import ensure_topics, producer

        probe(settings.bootstrap)
        self.settings = settings
        self.timeout = timeout
        ensure_topics(settings, [settings.articles_topic])
        self.producer = producer(settings)

    def publish(self, article: Article) -> None:
        from ..clients import article_message

        key, value = article_message(article)
        self.producer.send(self.settings.articles_topic, key=key, value=value).get(
            timeout=self.timeout
        )

    def close(self) -> None:
        self.producer.close()


def probe(bootstrap: str, timeout: float = 3.0) -> None:
    """KafkaConnectionError at once when no bootstrap address accepts a connection (the
    producer itself would take its whole bootstrap timeout to say so)."""
    for address in bootstrap.split(","):
        host, _, port = address.rpartition(":")
        try:
            with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout):
                return
        except (OSError, ValueError):
            continue
    raise KafkaConnectionError(f"Unable to bootstrap from {bootstrap}")


class BrokerFailed(Exception):
    pass


@dataclass
class FeedReport:
    """What one poll of one feed did."""

    feed: FeedConfig
    http_status: int | None = None
    entries: int = 0
    new: int = 0
    published: int = 0
    skipped: int = 0
    failed: int = 0
    fallbacks: int = 0
    error: str | None = None  # reason of a failed poll
    detail: str = ""
    retry_after: float | None = None
    broker_failed: bool = False
    failures: dict[str, int] = field(default_factory=dict)  # item failures by reason
    title: str | None = None  # the feed's own

    @property
    def name(self) -> str:
        return self.feed.source or self.title or self.feed.name

    @property
    def ok(self) -> bool:
        return self.error is None and not self.broker_failed

    def item_failed(self, reason: str) -> None:
        self.failed += 1
        self.failures[reason] = self.failures.get(reason, 0) + 1


class Ingestor:
    def __init__(
        self,
        settings: IngestSettings,
        state: State,
        publisher: Publisher,
        fetcher: Fetcher,
        metrics: IngestMetrics | None = None,
        *,
        max_text_bytes: int = MAX_TEXT_BYTES,
        stop: threading.Event | None = None,
    ) -> None:
        self.settings = settings
        self.state = state
        self.publisher = publisher
        self.fetcher = fetcher
        self.metrics = metrics or IngestMetrics()
        self.max_text_bytes = max_text_bytes
        self.stop = stop or threading.Event()

    # one feed

    def poll(self, feed: FeedConfig) -> FeedReport:
        known = self.state.validators(feed.url)
        report = FeedReport(feed, title=known.title)
        try:
            response = self.fetcher.fetch(
                feed.url, etag=known.etag, last_modified=known.last_modified, accept=FEED_ACCEPT
            )
        except FetchError as exc:
            report.http_status = exc.status
            return self._poll_failed(report, exc.reason, exc.detail, exc.retry_after)
        report.http_status = response.status
        if response.not_modified:
            self.state.polled(feed.url)
            self.metrics.poll("not_modified")
            return report
        try:
            parsed = parse_feed(response.content, response.url, response.headers)
        except FeedError as exc:
            return self._poll_failed(report, exc.reason, exc.detail)
        report.entries = len(parsed.entries)
        report.title = parsed.title or report.title
        complete = True
        for entry in parsed.entries:
            if self.stop.is_set():
                complete = False
                break
            try:
                if not self._item(feed, parsed, entry, report):
                    complete = False
            except BrokerFailed:
                report.broker_failed = True
                complete = False
                break
        self.state.polled(
            feed.url,
            etag=response.etag,
            last_modified=response.last_modified,
            keep_validators=not complete,
            title=parsed.title,
        )
        self.metrics.poll("ok")
        return report

    def _poll_failed(
        self, report: FeedReport, reason: str, detail: str, retry_after: float | None = None
    ) -> FeedReport:
        report.error, report.detail, report.retry_after = reason, detail, retry_after
        self.metrics.failure(reason)
        self.metrics.poll("failed")
        self.state.polled(report.feed.url)
        return report

    # one item

    def _item(self, feed: FeedConfig, parsed: Feed, entry: Entry, report: FeedReport) -> bool:
        """Handles one entry; False while it is pending (to be tried again). Whatever goes
        wrong with one entry before it is published fails that entry alone."""
        if self.state.is_done(feed.url, entry.key):
            report.skipped += 1
            self.metrics.item("skipped")
            return True
        report.new += 1
        try:
            built = self._article(feed, parsed, entry, report)
        except sqlite3.Error:  # the state itself: not this item's fault
            raise
        except Exception as exc:  # hostile input or a bug met on this item
            report.detail = f"{type(exc).__name__}: {exc}"
            final = self.state.attempt(feed.url, entry.key) >= self.settings.item_attempts
            return self._failed(report, "other", final=(feed.url, entry.key) if final else None)
        if isinstance(built, bool):
            return built
        article = built
        try:
            self.publisher.publish(article)
        except KafkaError as exc:
            report.detail = f"broker: {exc}"
            self._failed(report, "publish_failed", final=None)
            raise BrokerFailed(str(exc)) from exc
        self.state.done(feed.url, entry.key, "published", article.id)
        report.published += 1
        self.metrics.item("published")
        return True

    def _article(
        self, feed: FeedConfig, parsed: Feed, entry: Entry, report: FeedReport
    ) -> Article | bool:
        """The entry's article, or whether the entry is done (skipped or failed here)."""
        page: Page | None = None
        final_url = entry.link
        fallback = "no_link"
        if entry.link:
            try:
                response = self.fetcher.fetch(entry.link, accept=PAGE_ACCEPT, html_only=True)
            except FetchError as exc:
                if exc.reason in REFUSED:  # not fetched, and not published either
                    report.detail = exc.detail
                    return self._failed(report, exc.reason, final=(feed.url, entry.key))
                if exc.transient and self.state.attempt(feed.url, entry.key) < (
                    self.settings.item_attempts
                ):
                    return self._failed(report, exc.reason, final=None)
                fallback = exc.reason
            else:
                self.metrics.item("fetched")
                final_url = response.url
                fallback = "no_body"
                try:
                    page = extract_page(response.content, response.url, response.charset)
                except Exception:  # a parser's failure on hostile bytes: use the summary
                    fallback = "bad_response"
        text = page.text if page and page.text else ""
        if not text:
            text = entry.content or entry.summary
            if text:
                report.fallbacks += 1
                self.metrics.fallback(fallback)
        if not text.strip():
            return self._failed(report, "no_text", final=(feed.url, entry.key))
        try:
            url = article_url(page.canonical if page else None, final_url)
        except ValueError as exc:  # the item's link is not a URL
            report.detail = str(exc)
            return self._failed(report, "bad_url", final=(feed.url, entry.key))
        the_id = article_id(url or entry.guid or entry.key)
        if self.state.is_published(the_id):  # the same article from another feed or link
            self.state.done(feed.url, entry.key, "skipped", the_id)
            report.skipped += 1
            self.metrics.item("skipped")
            return True
        record = {
            "id": the_id,
            "text": text,
            "title": entry.title or (page.title if page else None),
            "url": url,
            "source": feed.source or parsed.title or urlsplit(feed.url).hostname,
            "published_at": entry.published_at,
            "language": self._language(feed, entry, page, text),
        }
        try:
            return from_dict(record, self.max_text_bytes)
        except InvalidArticle as exc:
            report.detail = str(exc)
            return self._failed(report, "invalid_article", final=(feed.url, entry.key))

    def _failed(self, report: FeedReport, reason: str, final: tuple[str, str] | None) -> bool:
        """Counts a failed item; `final` (feed, key) records it as done for good."""
        report.item_failed(reason)
        self.metrics.item("failed")
        self.metrics.failure(reason)
        if final:
            self.state.done(*final, "failed")
            return True
        return False

    def _language(self, feed: FeedConfig, entry: Entry, page: Page | None, text: str) -> str:
        return (
            feed.language
            or entry.language
            or (page.language if page else None)
            or detect_language(text)
            or self.settings.language
        )

    def poll_safely(self, feed: FeedConfig) -> FeedReport:
        """`poll`, with an unexpected error reported as that feed's failure (`other`)
        instead of ending the run."""
        try:
            return self.poll(feed)
        except Exception as exc:  # one feed's bug must not stop the others
            report = FeedReport(feed)
            return self._poll_failed(report, "other", f"{type(exc).__name__}: {exc}")

    # many feeds

    def run_once(
        self, feeds: Iterable[FeedConfig], on_report: Callable[[FeedReport], None] | None = None
    ) -> list[FeedReport]:
        """Polls every feed once, in order; stops early when `stop` is set or the broker
        failed (the feeds not polled yet are not in the result)."""
        reports = []
        for feed in feeds:
            if self.stop.is_set():
                break
            report = self.poll_safely(feed)
            reports.append(report)
            if on_report:
                on_report(report)
            if report.broker_failed:
                break
        return reports

    def run_forever(
        self,
        feeds: list[FeedConfig],
        on_report: Callable[[FeedReport], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Polls each feed whenever its interval has passed (a failing feed: the interval
        doubled per failure in a row, up to `max_backoff`, or longer when the server said
        so) until `stop` is set. The last poll times are on disk, so a restart does not
        poll everything at once again."""
        now = clock()
        due = {}
        for feed in feeds:
            last = self.state.validators(feed.url).polled_at
            due[feed.url] = now if last is None else min(now + feed.interval, last + feed.interval)
        failures = dict.fromkeys(due, 0)
        while not self.stop.is_set():
            for feed in feeds:
                if self.stop.is_set() or due[feed.url] > clock():
                    continue
                report = self.poll_safely(feed)
                if on_report:
                    on_report(report)
                failures[feed.url] = 0 if report.ok else failures[feed.url] + 1
                due[feed.url] = clock() + self.delay(feed, failures[feed.url], report)
            self.stop.wait(max(0.0, min(min(due.values()) - clock(), 60.0)))

    def delay(self, feed: FeedConfig, failures: int, report: FeedReport) -> float:
        """Seconds until the next poll of `feed` after `failures` failed polls in a row."""
        if failures == 0:
            return feed.interval
        backoff = min(feed.interval * 2 ** (failures - 1), max(self.settings.max_backoff, 1.0))
        return max(backoff, feed.interval, report.retry_after or 0.0)
