"""Feed parsing (feedparser on bytes): RSS 2.0, Atom 1.0, and what is not a feed."""

from __future__ import annotations

import pytest

from streams.ingest.feeds import FeedError, parse_feed

from .server import FEEDS

BASE = "http://127.0.0.1:8000"


def load(name: str) -> bytes:
    return (FEEDS / name).read_bytes().replace(b"{{BASE}}", BASE.encode())


def test_rss_entries_oldest_first_with_keys_dates_and_plain_text():
    feed = parse_feed(load("rss.xml"), f"{BASE}/feeds/rss.xml")
    assert (feed.version, feed.title, feed.language) == ("rss20", "Fixture World News", "en")
    assert [e.title for e in feed.entries] == [
        "Scholz meets Tusk in Warsaw",
        "Annual sanctions report published",
        "Watch: the foreign ministers' news conference",
        "Macron arrives in Tokyo for state visit",
    ]
    macron = feed.entries[-1]
    assert macron.key == "guid:fixture-world-2024-05-06-macron-tokyo"
    assert macron.link == f"{BASE}/pages/macron-tokyo.html?utm_source=rss&utm_medium=feed"
    assert macron.published_at == "2024-05-06T09:00:00Z"
    assert macron.language == "en"
    assert macron.summary == "The French president is in Japan for three days of talks."
    video = feed.entries[2]
    # HTML stripped, entities decoded, the script dropped
    assert video.summary == (
        "Foreign ministers of the Group of Seven met in Capri on Monday & discussed "
        "support for Ukraine."
    )


def test_atom_entries_times_in_utc_language_and_content():
    feed = parse_feed(load("atom.xml"), f"{BASE}/feeds/atom.xml")
    assert (feed.version, feed.title, feed.language) == ("atom10", "Fixture Asia Desk", "en")
    by_title = {e.title: e for e in feed.entries}
    lula = by_title["Lula lands in Beijing & meets Xi"]  # type="html" title, unescaped
    assert lula.published_at == "2024-05-06T09:30:00Z"  # +02:00 -> UTC
    assert lula.key == "guid:tag:asia.fixture,2024:lula-beijing"
    assert lula.language == "en"
    modi = by_title["Modi in Moscow: full text in the feed"]
    assert modi.link is None
    assert modi.content.startswith("Indian Prime Minister Narendra Modi arrived in Moscow")
    assert "\n" in modi.content  # one line per paragraph
    assert modi.summary == "Short summary."
    macron = by_title["Macron in Tokyo (Asia desk)"]
    assert macron.published_at == "2024-05-06T09:15:00Z"  # `updated` when not `published`


def test_entry_without_guid_or_link_gets_a_content_hash_key():
    feed = parse_feed(load("edge.xml"), f"{BASE}/feeds/edge.xml")
    keys = {e.title: e.key for e in feed.entries}
    # a guid not marked isPermaLink="false" is a link, resolved against the feed's URL
    assert keys["Redirect loop"] == f"guid:{BASE}/feeds/fixture-edge-loop"
    xml = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><title>No id</title><description>Text.</description></item>"
        b"<item><title>Link only</title><link>HTTP://Example.COM/a?utm_source=x#f</link></item>"
        b"</channel></rss>"
    )
    entries = {e.title: e for e in parse_feed(xml, f"{BASE}/x").entries}
    assert entries["No id"].key.startswith("hash:")
    assert entries["Link only"].key == "link:http://example.com/a"


def test_the_same_entry_gets_the_same_key_every_time():
    xml = b'<rss version="2.0"><channel><title>t</title><item><title>A</title></item></channel>'
    xml += b"</rss>"
    assert parse_feed(xml, BASE).entries[0].key == parse_feed(xml, BASE).entries[0].key


def test_malformed_xml_is_a_feed_error():
    with pytest.raises(FeedError) as caught:
        parse_feed(load("malformed.xml"), f"{BASE}/feeds/malformed.xml")
    assert caught.value.reason == "malformed_feed"


def test_a_web_page_is_not_a_feed():
    with pytest.raises(FeedError) as caught:
        parse_feed(load("not-a-feed.html"), f"{BASE}/feeds/not-a-feed.html")
    assert caught.value.reason == "malformed_feed"
    well_formed = b"<html><body><p>Not a feed</p></body></html>"
    with pytest.raises(FeedError) as caught:
        parse_feed(well_formed, f"{BASE}/index.html")
    assert "not an RSS or Atom feed" in caught.value.detail


def test_html_entities_in_xml_are_tolerated():
    feed = parse_feed(load("entities.xml"), f"{BASE}/feeds/entities.xml")
    assert [e.title for e in feed.entries] == ["Summit opens"]
    assert feed.entries[0].published_at is None


def test_relative_links_resolve_against_the_feed_url():
    xml = (
        b'<rss version="2.0"><channel><title>t</title><item><guid>1</guid>'
        b"<link>/news/1.html</link></item></channel></rss>"
    )
    assert parse_feed(xml, f"{BASE}/feeds/x.xml").entries[0].link == f"{BASE}/news/1.html"
