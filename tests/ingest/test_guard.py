"""The fetcher connects only to public addresses unless allowed (`guard.py`): the feed,
each page and every redirect hop; a refused address gets no connection at all."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import replace

import httpcore
import pytest

from streams.ingest.config import ConfigError, FeedConfig, IngestSettings
from streams.ingest.fetch import Fetcher, FetchError
from streams.ingest.guard import AllowList, GuardedTransport, is_public

from .server import FeedServer

PAGE = "/pages/scholz-warsaw.html"


@pytest.fixture
def connects(monkeypatch) -> list[tuple[str, int]]:
    """Every TCP connection the fetcher opens (host, port), as it opens it."""
    opened: list[tuple[str, int]] = []
    original = httpcore.SyncBackend.connect_tcp

    def spy(self, host, port, *args, **kwargs):
        opened.append((host, port))
        return original(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", spy)
    return opened


def refusal(fetcher: Fetcher, url: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    assert caught.value.reason == "blocked_address", caught.value
    assert not caught.value.transient
    return caught.value


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.1.2.3", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254",
        "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1", "198.18.0.1",
        "255.255.255.255", "224.0.0.1", "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1",
        "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
        "::127.0.0.1", "2002:7f00:1::1", "2002:a9fe:a9fe::1", "64:ff9b::a00:1",
        "2001:db8::1",
    ],
)  # fmt: skip
def test_non_public_addresses_and_their_ipv6_forms_are_refused(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_pass(address):
    assert is_public(ipaddress.ip_address(address))


def test_allow_list_of_names_addresses_and_ranges():
    allow = AllowList.parse(" Feeds.Example. , 127.0.0.1,10.1.0.0/16, [::1], fd00::/8,, ")
    assert allow.names == frozenset({"feeds.example"})
    assert allow.allows_name("feeds.example") and allow.allows_name("FEEDS.example.")
    assert not allow.allows_name("other.example")
    for yes in ("127.0.0.1", "10.1.200.3", "::1", "fd00::5"):
        assert allow.allows_address(ipaddress.ip_address(yes)), yes
    for no in ("127.0.0.2", "10.2.0.1", "::2", "fc00::1"):
        assert not allow.allows_address(ipaddress.ip_address(no)), no
    assert AllowList.parse("") == AllowList()


def test_allow_hosts_setting():
    settings = IngestSettings.from_env({"NEWSMON_INGEST_ALLOW_HOSTS": "localhost,10.0.0.0/8"})
    assert settings.allow_list.names == frozenset({"localhost"})
    assert IngestSettings.from_env({}).allow_list == AllowList()  # nothing by default
    for bad in ("10.0.0.0/33", "host:8080", "a b", "http://x/"):
        with pytest.raises(ConfigError, match="ALLOW_HOSTS"):
            IngestSettings.from_env({"NEWSMON_INGEST_ALLOW_HOSTS": bad})


@pytest.fixture
def strict(settings, sleeps) -> Iterator[Fetcher]:
    """A fetcher with the default settings' empty allow-list."""
    with Fetcher(replace(settings, allow_hosts=""), sleep=sleeps.sleep) as fetcher:
        yield fetcher


def test_loopback_private_and_link_local_are_refused_without_a_connection(
    server, second, strict, connects
):
    port = server.httpd.server_address[1]
    for url in (
        server.url(PAGE),  # 127.0.0.1
        second.url(PAGE),  # 127.0.0.2
        f"http://localhost:{port}{PAGE}",  # a name that resolves to loopback
        f"http://0.0.0.0:{port}{PAGE}",
        f"http://[::ffff:127.0.0.1]:{port}{PAGE}",
        "http://10.1.2.3/feed.xml",
        "http://172.16.5.4/feed.xml",
        "http://192.168.0.1/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/latest/meta-data/",
        "http://[fd00::1]/feed.xml",
        "http://[fe80::1]/feed.xml",
    ):
        assert "not a public address" in refusal(strict, url).detail
    assert connects == []  # not one connection was opened
    assert server.requests == [] and second.requests == []


def test_ipv6_loopback_is_refused(six, strict, connects):
    refusal(strict, six.url(PAGE))
    assert connects == [] and six.requests == []


@pytest.mark.parametrize(
    "target",
    [
        "second",
        "six",
        "http://10.1.2.3/internal",
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://[::1]:9/x",
        "http://[::ffff:10.0.0.1]/x",
    ],
)
def test_a_redirect_to_a_non_public_address_is_refused(
    request, server, settings, sleeps, connects, target
):
    """The first server (127.0.0.1) is allowed; where it redirects to is not."""
    targets: list[FeedServer] = []
    if target in ("second", "six"):
        targets.append(request.getfixturevalue(target))
        target = targets[0].url(PAGE)
    with Fetcher(settings, sleep=sleeps.sleep) as fetcher:
        error = refusal(fetcher, server.url("/goto?url=" + target))
    assert target.split("/")[2] in error.detail
    assert len(server.seen("/goto")) == 1  # the allowed hop was asked
    assert {host for host, _ in connects} == {"127.0.0.1"}  # and nothing else
    for other in targets:
        assert other.requests == []


def test_allowed_hosts_are_fetched(server, second, settings, sleeps):
    port = server.httpd.server_address[1]
    for allow, url in (
        ("127.0.0.1", server.url(PAGE)),  # an address (the tests' settings)
        ("localhost", f"http://localhost:{port}{PAGE}"),  # a name, whatever it resolves to
        ("127.0.0.0/8", second.url(PAGE)),  # a range
    ):
        with Fetcher(replace(settings, allow_hosts=allow), sleep=sleeps.sleep) as fetcher:
            assert b"Olaf Scholz" in fetcher.fetch(url).content, allow
    # a redirect from one allowed host to another
    with Fetcher(replace(settings, allow_hosts="127.0.0.0/8"), sleep=sleeps.sleep) as fetcher:
        response = fetcher.fetch(server.url("/goto?url=" + second.url(PAGE)))
    assert response.url == second.url(PAGE) and response.redirects == 1


def test_an_allowed_ipv6_loopback_is_fetched(six, settings, sleeps):
    with Fetcher(replace(settings, allow_hosts="::1"), sleep=sleeps.sleep) as fetcher:
        response = fetcher.fetch(six.url(PAGE))
    assert response.url == six.url(PAGE) and b"Olaf Scholz" in response.content


def resolver(answers: dict[str, list[str]], calls: list[str]):
    def resolve(host, port, *args, **kwargs):
        calls.append(host)
        family = {4: socket.AF_INET, 6: socket.AF_INET6}
        found = answers[host] if len(answers[host]) == 1 else answers[host][: len(calls)]
        return [
            (family[ipaddress.ip_address(a).version], socket.SOCK_STREAM, 6, "", (a, port))
            for a in found
        ]

    return resolve


def test_a_name_with_any_non_public_address_is_refused(settings, sleeps, connects):
    calls: list[str] = []
    answers = {"news.example": ["10.0.0.5"], "mixed.example": ["8.8.8.8", "192.168.1.7"]}
    transport = GuardedTransport(AllowList(), resolve=resolver(answers, calls))
    with Fetcher(settings, sleep=sleeps.sleep, transport=transport) as fetcher:
        assert "10.0.0.5" in refusal(fetcher, "http://news.example/feed.xml").detail
        assert "192.168.1.7" in refusal(fetcher, "https://mixed.example/feed.xml").detail
    assert connects == []


def test_the_connection_goes_to_the_address_that_was_checked(server, second, settings, sleeps):
    """DNS rebinding: a name that is allowed at the check and then resolves elsewhere.
    The name is resolved once per connection; the checked address is the one used."""
    port = server.httpd.server_address[1]
    calls: list[str] = []

    def rebinding(host, port_, *args, **kwargs):
        calls.append(host)
        address = "127.0.0.1" if len(calls) == 1 else "127.0.0.2"  # the second answer lies
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port_))]

    allow = AllowList.parse("127.0.0.1")
    with Fetcher(settings, sleep=sleeps.sleep, transport=GuardedTransport(allow, rebinding)) as f:
        response = f.fetch(f"http://rebind.example:{port}{PAGE}")
    assert response.status == 200
    assert calls == ["rebind.example"]  # resolved once, not again to connect
    assert server.seen(PAGE)[0].headers["host"] == f"rebind.example:{port}"  # the name kept
    assert second.requests == []


def test_a_feed_at_a_non_public_address_fails_its_poll(second, make_ingestor, publisher):
    ingestor = make_ingestor()
    (report,) = ingestor.run_once([FeedConfig(url=second.url("/feeds/rss.xml"))])
    assert (report.ok, report.error) == (False, "blocked_address")
    assert second.requests == [] and publisher.articles == []
    assert ingestor.metrics.value("newsmon_ingest_failures_total", reason="blocked_address") == 1


ITEM = """<item><title>{title}</title><link>{link}</link><guid>{title}</guid>
<pubDate>Mon, 06 May 2024 0{n}:00:00 GMT</pubDate><description>Summary of {title}.</description>
</item>"""


def rss(*items: tuple[str, str]) -> str:
    body = "".join(ITEM.format(title=t, link=link, n=n) for n, (t, link) in enumerate(items))
    channel = f"<channel><title>Mixed</title>{body}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'


def test_items_at_non_public_addresses_fail_and_the_others_are_published(
    server, second, make_ingestor, publisher
):
    url = server.put(
        "/mixed.xml",
        rss(
            ("good", "{{BASE}}/pages/scholz-warsaw.html"),
            ("loopback", second.url(PAGE)),
            ("private", "http://10.1.2.3/story"),
            ("metadata", "http://169.254.169.254/latest/meta-data/"),
            ("v6loopback", "http://[::1]:8080/x"),
            ("redirected", "{{BASE}}/goto?url=http://169.254.169.254/latest/user-data"),
        ),
    )
    ingestor = make_ingestor()
    (report,) = ingestor.run_once([FeedConfig(url=url)])
    assert report.ok
    (good,) = publisher.articles
    assert good.title == "good" and "Olaf Scholz" in good.text
    assert (report.published, report.failed) == (1, 5)
    assert report.failures == {"blocked_address": 5}  # not published from the summary either
    assert second.requests == []
    assert ingestor.metrics.value("newsmon_ingest_failures_total", reason="blocked_address") == 5
    (again,) = make_ingestor().run_once([FeedConfig(url=url)])
    assert (again.new, again.skipped) == (0, 6)  # failed for good, not tried again
