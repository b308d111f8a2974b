"""Page text (trafilatura), canonical URLs, languages, URL normalisation and ids."""

from __future__ import annotations

import importlib.util

import pytest

from streams.ingest.text import (
    DETECTORS,
    article_id,
    detect_language,
    extract_page,
    html_to_text,
    language_tag,
    normalize_url,
)

from .server import FEEDS

PAGES = FEEDS / "pages"
URL = "http://127.0.0.1:8000/pages/macron-tokyo.html"


def page(name: str):
    return extract_page((PAGES / name).read_bytes(), URL, "utf-8")


def test_main_text_without_navigation_scripts_or_footer():
    macron = page("macron-tokyo.html")
    assert macron.text.splitlines()[1].startswith(
        "French President Emmanuel Macron arrived in Tokyo on Monday for a three-day state visit"
    )
    assert "returning to Paris on Wednesday" in macron.text
    for noise in ("Subscribe", "Most read", "Copyright", "analytics", "display: flex"):
        assert noise not in macron.text
    assert macron.language == "en"  # <html lang="en-GB">
    assert macron.title.startswith("Macron arrives in Tokyo")


def test_relative_canonical_link_resolves_against_the_page():
    canonical = page("macron-tokyo.html").canonical
    assert canonical == "http://127.0.0.1:8000/world/2024/05/06/macron-tokyo?utm_campaign=share#top"
    assert normalize_url(canonical) == "http://127.0.0.1:8000/world/2024/05/06/macron-tokyo"


def test_language_from_content_language_meta_and_absolute_canonical():
    lula = page("lula-beijing.html")
    assert lula.language == "en"
    assert (
        article_id(lula.canonical) == "https://asia.fixture.example/2024/05/06/lula-beijing?page=1"
    )


def test_a_home_page_canonical_is_ignored():
    html = b"<html><head><link rel='canonical' href='https://news.example/'></head></html>"
    assert extract_page(html, URL).canonical is None
    html = b"<html><head><link rel='alternate canonical' href='/a/b'></head></html>"
    assert extract_page(html, URL).canonical == "http://127.0.0.1:8000/a/b"


def test_page_without_body_has_no_text():
    empty = page("no-body.html")
    assert empty.text == ""
    assert empty.title == "Watch: the foreign ministers' news conference"
    assert extract_page(b"", URL).text == ""
    assert extract_page(b"   ", URL, "utf-8").text == ""


def test_wrong_charset_falls_back_to_the_page_itself():
    html = (
        "<html><head><meta charset='utf-8'></head><body><article>"
        + (
            "<p>Président Macron est arrivé à Tokyo lundi pour une visite d'État de trois jours "
            "au Japon.</p>" * 3
        )
        + "</article></body></html>"
    )
    result = extract_page(html.encode("utf-8"), URL, "no-such-charset")
    assert "Président Macron est arrivé à Tokyo" in result.text


def test_html_to_text():
    assert html_to_text("<p>One &amp; two</p><p>three<br>four</p>") == "One & two\nthree\nfour"
    assert html_to_text("<script>x()</script><style>p{}</style>Plain") == "Plain"
    assert html_to_text("  just   text  ") == "just text"
    assert html_to_text(None) == ""


def test_normalize_url():
    assert normalize_url("HTTPS://News.Example.COM:443/a/b?utm_source=x&id=7&fbclid=z#frag") == (
        "https://news.example.com/a/b?id=7"
    )
    assert normalize_url("http://example.com") == "http://example.com/"
    assert normalize_url("http://example.com:8080/x?b=2&a=1") == "http://example.com:8080/x?b=2&a=1"


def test_normalize_url_keeps_ipv6_literals_and_drops_user_info():
    # the hand-written normaliser lost the brackets (`http://::1:8080/x`), and normalising
    # that again (as `article_id` does) raised "Port could not be cast to integer value"
    assert normalize_url("http://[::1]:8080/x") == "http://[::1]:8080/x"
    assert normalize_url(normalize_url("http://[::1]:8080/x")) == "http://[::1]:8080/x"
    assert normalize_url("HTTP://[2001:DB8::1]:80/a") == "http://[2001:db8::1]/a"
    assert (
        normalize_url("https://user:pw@News.Example:443/a?id=1#f") == "https://news.example/a?id=1"
    )
    assert normalize_url("http://token@news.example/a") == "http://news.example/a"


def test_normalize_url_keeps_percent_encoding_and_parameter_order():
    url = "http://news.example/a%20b?q=a%20b&utm_source=rss&b=&a=1"
    assert normalize_url(url) == "http://news.example/a%20b?q=a%20b&b=&a=1"  # not `q=a+b`
    assert normalize_url("http://news.example/a b//c") == "http://news.example/a%20b/c"
    assert normalize_url("http://news.example/x?UTM_Medium=x&Fbclid=y") == "http://news.example/x"


@pytest.mark.parametrize(
    "url", ["http://news.example:99999/", "http://news.example:port/", "http://[::1/x", "http:///x"]
)
def test_what_is_not_an_http_url_is_a_value_error(url):
    with pytest.raises(ValueError):
        normalize_url(url)
    assert article_id(url) == url  # taken as it is, like a GUID


def test_a_broken_canonical_link_is_ignored():
    for href in ("http://[::1/x", "http://news.example:99999/a/b"):
        html = f"<html><head><link rel='canonical' href='{href}'></head></html>".encode()
        assert extract_page(html, URL).canonical is None


def test_article_id_from_url_or_guid():
    assert article_id("HTTP://Example.com/x?utm_medium=rss") == "http://example.com/x"
    assert article_id("tag:asia.fixture,2024:lula") == "tag:asia.fixture,2024:lula"
    long = "https://example.com/" + "a" * 600
    assert article_id(long).startswith("sha256:") and len(article_id(long)) == 71
    assert article_id(long) == article_id(long)
    assert article_id("http://user:pw@Example.com/x?q=a%20b") == "http://example.com/x?q=a%20b"


def test_language_tags():
    assert language_tag("en-US") == "en"
    assert language_tag("EN_gb") == "en"
    assert language_tag("fr") == "fr"
    assert language_tag("1234") is None
    assert language_tag(None) is None


def test_detect_language_uses_an_installed_detector_or_says_nothing():
    found = detect_language("The president arrived in Tokyo on Monday for a state visit.")
    installed = [name for name in DETECTORS if importlib.util.find_spec(name)]
    assert found == ("en" if installed else None)
