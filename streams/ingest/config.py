"""What `newsmon ingest` reads: `NEWSMON_INGEST_*` variables and the feeds (URLs or a
`feeds.toml`). No network, no Kafka.

Each field `x` of `IngestSettings` is read from `NEWSMON_INGEST_X`:

| variable                        | default                    | meaning                           |
| ------------------------------- | -------------------------- | --------------------------------- |
| `NEWSMON_INGEST_STATE_DIR`      | `~/.local/state/newsmon`   | seen items and feed validators    |
| `NEWSMON_INGEST_INTERVAL`       | `900` (float, s)           | default poll interval of a feed   |
| `NEWSMON_INGEST_TIMEOUT`        | `10` (float, s)            | whole time of one HTTP request    |
| `NEWSMON_INGEST_MAX_BYTES`      | `5242880` (int)            | larger responses: `too_large`     |
| `NEWSMON_INGEST_MAX_REDIRECTS`  | `5` (int)                  | more: `too_many_redirects`        |
| `NEWSMON_INGEST_RETRIES`        | `2` (int)                  | retries of a 429/5xx/refused call |
| `NEWSMON_INGEST_BACKOFF`        | `1` (float, s)             | first retry delay, then doubled   |
| `NEWSMON_INGEST_MAX_RETRY_WAIT` | `60` (float, s)            | longest wait honoured in a poll   |
| `NEWSMON_INGEST_MAX_BACKOFF`    | `21600` (float, s)         | longest delay of a failing feed   |
| `NEWSMON_INGEST_ITEM_ATTEMPTS`  | `3` (int)                  | page tries before the summary     |
| `NEWSMON_INGEST_USER_AGENT`     | `newsmon-ingest/<version>` | HTTP `User-Agent`                 |
| `NEWSMON_INGEST_LANGUAGE`       | `en`                       | language when nothing tells       |
| `NEWSMON_INGEST_METRICS_HOST`   | `127.0.0.1`                | address of its `/metrics`         |
| `NEWSMON_INGEST_METRICS_PORT`   | `0` (int)                  | its port; `0` (default) is off    |
| `NEWSMON_INGEST_ALLOW_HOSTS`    | (none)                     | non-public hosts it may fetch (*) |

(*) Feeds, pages and redirects are fetched only from public (global) addresses
(`guard.py`); anything else fails with `blocked_address`. This list, comma-separated,
lets some through for local use: host names (whatever they resolve to), IP addresses and
CIDR ranges, e.g. `127.0.0.1,intranet.example,10.1.0.0/16`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit

from .. import __version__
from .guard import AllowList

PREFIX = "NEWSMON_INGEST_"


class ConfigError(ValueError):
    """A bad feeds file, feed URL or `NEWSMON_INGEST_*` value (a usage error)."""


def default_state_dir(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "newsmon")


@dataclass(frozen=True)
class IngestSettings:
    state_dir: str = ""
    interval: float = 900.0
    timeout: float = 10.0
    max_bytes: int = 5 << 20
    max_redirects: int = 5
    retries: int = 2
    backoff: float = 1.0
    max_retry_wait: float = 60.0
    max_backoff: float = 21600.0
    item_attempts: int = 3
    user_agent: str = f"newsmon-ingest/{__version__}"
    language: str = "en"
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 0
    allow_hosts: str = ""  # `AllowList.parse`: names, addresses, CIDR ranges

    def __post_init__(self) -> None:
        if not self.state_dir:
            object.__setattr__(self, "state_dir", default_state_dir())
        for name in ("interval", "timeout", "max_bytes"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{PREFIX}{name.upper()} must be positive")
        for name in ("max_redirects", "retries", "backoff", "max_retry_wait", "max_backoff"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{PREFIX}{name.upper()} must not be negative")
        if self.item_attempts < 1:
            raise ConfigError(f"{PREFIX}ITEM_ATTEMPTS must be at least 1")
        try:
            AllowList.parse(self.allow_hosts)
        except ValueError as exc:
            raise ConfigError(f"{PREFIX}ALLOW_HOSTS: {exc}") from None

    @property
    def allow_list(self) -> AllowList:
        return AllowList.parse(self.allow_hosts)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> IngestSettings:
        """Settings from `NEWSMON_INGEST_<FIELD>`; explicit (non-None) `overrides` win."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for field in fields(cls):
            raw = env.get(f"{PREFIX}{field.name.upper()}")
            if raw is None or raw == "":
                continue
            try:
                if field.type == "int":
                    values[field.name] = int(raw)
                elif field.type == "float":
                    values[field.name] = float(raw)
                else:
                    values[field.name] = raw
            except ValueError:
                raise ConfigError(
                    f"{PREFIX}{field.name.upper()}: not a {field.type}: {raw!r}"
                ) from None
        if not values.get("state_dir"):
            values["state_dir"] = default_state_dir(env)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class FeedConfig:
    """One feed: where it is, how often to poll it, what to call its articles."""

    url: str
    interval: float = 900.0
    source: str | None = None  # default: the feed's own title, else its host
    language: str | None = None  # default: the feed's, the page's, detected, settings

    @property
    def name(self) -> str:
        return self.source or urlsplit(self.url).netloc or self.url


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"not an http(s) URL: {url!r}")
    return url


def feeds_from_urls(urls: Iterable[str], settings: IngestSettings, **common: object) -> list:
    """Feeds named on the command line, all with the same interval, source and language."""
    interval = common.get("interval") or settings.interval
    return [
        FeedConfig(
            url=check_url(url),
            interval=float(interval),  # type: ignore[arg-type]
            source=common.get("source"),  # type: ignore[arg-type]
            language=common.get("language"),  # type: ignore[arg-type]
        )
        for url in urls
    ]


FEED_KEYS = {"url", "interval", "source", "language"}
DEFAULT_KEYS = FEED_KEYS - {"url"}


def read_toml(path: Path, error: type[Exception] = ConfigError) -> dict:
    """A TOML file's tables; a missing, unreadable or malformed file raises `error` with
    a one-line message naming the file (the feeds and the sinks files alike)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise error(f"{path}: {exc}") from None


def load_feeds(path: Path, settings: IngestSettings) -> list[FeedConfig]:
    """`feeds.toml`: an optional `[defaults]` table (interval, source, language) and one
    `[[feed]]` table per feed (url, and any of the defaults' keys)."""
    data = read_toml(path)
    unknown = set(data) - {"defaults", "feed"}
    if unknown:
        raise ConfigError(f"{path}: unknown table(s): {', '.join(sorted(unknown))}")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict) or set(defaults) - DEFAULT_KEYS:
        raise ConfigError(f"{path}: [defaults] takes only {', '.join(sorted(DEFAULT_KEYS))}")
    tables = data.get("feed", [])
    if not isinstance(tables, list) or not tables:
        raise ConfigError(f"{path}: no [[feed]] tables")
    feeds = []
    for number, table in enumerate(tables, 1):
        where = f"{path}: feed {number}"
        if not isinstance(table, dict) or "url" not in table:
            raise ConfigError(f"{where}: needs a url")
        if set(table) - FEED_KEYS:
            extra = ", ".join(sorted(set(table) - FEED_KEYS))
            raise ConfigError(f"{where}: unknown key(s): {extra}")
        merged = {**defaults, **table}
        interval = merged.get("interval", settings.interval)
        if isinstance(interval, bool) or not isinstance(interval, int | float) or interval <= 0:
            raise ConfigError(f"{where}: interval must be a positive number of seconds")
        for key in ("url", "source", "language"):
            if key in merged and not isinstance(merged[key], str):
                raise ConfigError(f"{where}: {key} must be a string")
        try:
            url = check_url(merged["url"])
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        feeds.append(
            FeedConfig(
                url=url,
                interval=float(interval),
                source=merged.get("source") or None,
                language=merged.get("language") or None,
            )
        )
    urls = [f.url for f in feeds]
    duplicates = sorted({u for u in urls if urls.count(u) > 1})
    if duplicates:
        raise ConfigError(f"{path}: feed(s) listed twice: {', '.join(duplicates)}")
    return feeds
