"""RSS and Atom feeds parsed by feedparser from bytes fetched by `fetch.py` (so the
conditional requests, redirects and limits are ours, not feedparser's)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from time import struct_time
from urllib.parse import urlsplit

import feedparser

from .text import html_to_text, language_tag, normalize_url

# bozo exceptions that say nothing against the content: the declared encoding was wrong,
# or the server called the feed text/html
BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


class FeedError(Exception):
    """Not a feed, or not well-formed XML: the whole poll of this feed failed."""

    reason = "malformed_feed"

    def __init__(self, detail: str) -> None:
        super().__init__(f"{self.reason}: {detail}")
        self.detail = detail


@dataclass(frozen=True)
class Entry:
    key: str  # identifies the item within its feed: "guid:...", "link:..." or "hash:..."
    guid: str | None
    link: str | None
    title: str | None
    summary: str  # plain text
    content: str  # plain text of the full content the feed carries, if any
    published_at: str | None  # RFC 3339, UTC
    language: str | None


@dataclass(frozen=True)
class Feed:
    version: str
    title: str | None
    language: str | None
    entries: list[Entry]


def parse_feed(content: bytes, url: str, headers: Mapping[str, str] | None = None) -> Feed:
    """The feed in `content` (fetched from `url`, with those response headers), entries in
    publication order (oldest first). FeedError when it is not a well-formed feed: XML
    errors other than undefined (HTML) entities fail the feed rather than trusting what a
    lenient parser recovered."""
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers["content-location"] = url
    parsed = feedparser.parse(content, response_headers=response_headers)
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        if not _benign(problem):
            raise FeedError(f"{url}: {problem}")
    version = parsed.get("version") or ""
    if not version:
        raise FeedError(f"{url}: not an RSS or Atom feed")
    meta = parsed.get("feed", {})
    feed_language = language_tag(meta.get("language"))
    entries = [_entry(e, feed_language) for e in parsed.get("entries", [])]
    # feeds list newest first; publish in the order things happened (undated: as listed,
    # after the dated ones)
    order = {id(e): n for n, e in enumerate(reversed(entries))}
    entries.sort(key=lambda e: (e.published_at is None, e.published_at or "", order[id(e)]))
    title = html_to_text(meta.get("title")) or None
    return Feed(version=version, title=title, language=feed_language, entries=entries)


def _benign(problem: object) -> bool:
    if isinstance(problem, BENIGN):
        return True
    # `&nbsp;` and friends in an XML feed: feedparser's own lenient parser decodes them
    message = getattr(problem, "getMessage", lambda: str(problem))()
    return "undefined entity" in str(message)


def _entry(entry: Mapping, feed_language: str | None) -> Entry:
    guid = (entry.get("id") or "").strip() or None
    link = (entry.get("link") or "").strip() or None
    if link and _scheme(link) not in ("http", "https"):
        link = None  # feedparser makes a link of a `tag:` or `urn:` id
    title = _text(entry.get("title"), entry.get("title_detail"))
    summary = html_to_text(entry.get("summary"))
    content = "\n".join(
        html_to_text(part.get("value")) for part in entry.get("content", []) if part.get("value")
    ).strip()
    if guid:
        key = f"guid:{guid}"
    elif link:
        try:
            key = f"link:{normalize_url(link)}"
        except ValueError:  # a broken link: the item fails later, not the whole feed
            key = f"link:{link}"
    else:
        digest = hashlib.sha256(f"{title}\n{summary}\n{content}".encode()).hexdigest()
        key = f"hash:{digest}"
    language = None
    for detail in (entry.get("title_detail"), entry.get("summary_detail")):
        if detail and detail.get("language"):
            language = language_tag(detail["language"])
            break
    return Entry(
        key=key,
        guid=guid,
        link=link,
        title=title or None,
        summary=summary,
        content=content,
        published_at=_time(entry.get("published_parsed") or entry.get("updated_parsed")),
        language=language or feed_language,
    )


def _scheme(link: str) -> str:
    """The scheme of a link; of a broken http(s) one (`http://[::1/x`) too, so that item
    fails alone (`bad_url`) instead of the feed."""
    try:
        return urlsplit(link).scheme.lower()
    except ValueError:
        return link.partition(":")[0].strip().lower()


def _text(value: str | None, detail: Mapping | None) -> str:
    if not value:
        return ""
    if detail and "html" in (detail.get("type") or ""):
        return html_to_text(value)
    return " ".join(value.split())


def _time(value: struct_time | None) -> str | None:
    """feedparser's parsed time (a UTC struct_time) as RFC 3339."""
    if not value:
        return None
    try:
        moment = datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None
    return moment.isoformat().replace("+00:00", "Z")
