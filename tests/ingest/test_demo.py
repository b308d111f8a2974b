"""`newsmon demo --feeds` fetches from its own loopback site, and only from there (the
whole demo runs in tests/integration/test_ingest.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from streams.ingest.demo import DEMO, FEEDS, LocalSite, ingest_settings_for
from streams.ingest.fetch import Fetcher, FetchError
from streams.ingest.guard import AllowList


def test_the_demo_allows_exactly_its_local_site(tmp_path, monkeypatch, second):
    monkeypatch.setenv("NEWSMON_INGEST_ALLOW_HOSTS", "10.0.0.0/8,intranet.example")
    with LocalSite(DEMO) as site:
        settings = ingest_settings_for(site, tmp_path / "state")
        assert settings.allow_list == AllowList.parse("127.0.0.1")
        with Fetcher(replace(settings, timeout=5)) as fetcher:
            assert fetcher.fetch(site.url(FEEDS[0])).status == 200
            with pytest.raises(FetchError) as caught:
                fetcher.fetch(second.url("/feeds/rss.xml"))  # 127.0.0.2: not the site
    assert caught.value.reason == "blocked_address"
    assert second.requests == []
