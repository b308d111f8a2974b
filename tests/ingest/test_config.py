"""NEWSMON_INGEST_* settings and feeds.toml."""

from __future__ import annotations

import pytest

from streams.ingest.config import ConfigError, IngestSettings, feeds_from_urls, load_feeds


def test_settings_from_environment_with_defaults():
    s = IngestSettings.from_env(
        {
            "NEWSMON_INGEST_TIMEOUT": "2.5",
            "NEWSMON_INGEST_MAX_REDIRECTS": "2",
            "NEWSMON_INGEST_LANGUAGE": "fr",
            "XDG_STATE_HOME": "/var/lib/x",
        }
    )
    assert (s.timeout, s.max_redirects, s.language) == (2.5, 2, "fr")
    assert s.state_dir == "/var/lib/x/newsmon"
    assert s.interval == 900.0 and s.metrics_port == 0


def test_overrides_win_over_the_environment():
    s = IngestSettings.from_env({"NEWSMON_INGEST_STATE_DIR": "/a"}, state_dir="/b", interval=None)
    assert s.state_dir == "/b" and s.interval == 900.0


@pytest.mark.parametrize(
    "env",
    [
        {"NEWSMON_INGEST_TIMEOUT": "soon"},
        {"NEWSMON_INGEST_TIMEOUT": "0"},
        {"NEWSMON_INGEST_RETRIES": "-1"},
        {"NEWSMON_INGEST_ITEM_ATTEMPTS": "0"},
    ],
)
def test_bad_settings_are_config_errors(env):
    with pytest.raises(ConfigError):
        IngestSettings.from_env(env)


def write(tmp_path, text: str):
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_feeds_file_with_defaults(tmp_path):
    path = write(
        tmp_path,
        """
[defaults]
interval = 300
language = "en"

[[feed]]
url = "https://world.example/rss.xml"
source = "World Example"

[[feed]]
url = "https://asia.example/atom.xml"
interval = 60.5
language = "fr"
""",
    )
    world, asia = load_feeds(path, IngestSettings(state_dir=str(tmp_path)))
    assert (world.url, world.interval, world.source, world.language) == (
        "https://world.example/rss.xml", 300.0, "World Example", "en",
    )  # fmt: skip
    assert (asia.interval, asia.source, asia.language) == (60.5, None, "fr")
    assert (world.name, asia.name) == ("World Example", "asia.example")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[feed]]\nurl = 'ftp://x/feed'", "not an http(s) URL"),
        ("[[feed]]\nsource = 'x'", "needs a url"),
        ("[[feed]]\nurl = 'https://x/f'\ninterval = -5", "positive"),
        ("[[feed]]\nurl = 'https://x/f'\ncolour = 'red'", "unknown key"),
        ("[[feed]]\nurl = 'https://x/f'\n[[feed]]\nurl = 'https://x/f'", "listed twice"),
        ("[defaults]\ninterval = 5", "no [[feed]]"),
        ("[feeds]\nurl = 'https://x/f'", "unknown table"),
        ("[[feed]\nurl = ", "feeds.toml"),
    ],
)
def test_bad_feeds_files_are_config_errors(tmp_path, text, message):
    with pytest.raises(ConfigError) as caught:
        load_feeds(write(tmp_path, text), IngestSettings(state_dir=str(tmp_path)))
    assert message in str(caught.value)


def test_missing_feeds_file(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_feeds(tmp_path / "nope.toml", IngestSettings(state_dir=str(tmp_path)))


def test_feed_urls_from_the_command_line(tmp_path):
    settings = IngestSettings(state_dir=str(tmp_path), interval=120)
    (feed,) = feeds_from_urls(["https://x.example/f"], settings, source="X", language=None)
    assert (feed.interval, feed.source, feed.language) == (120.0, "X", None)
    with pytest.raises(ConfigError):
        feeds_from_urls(["x.example/feed"], settings)
