"""`sinks.toml`: one `[[sink]]` table per sink, parsed and checked before anything runs.
A mistake is a `ConfigError` that names the file, the sink and the key (exit 2).

```toml
[[sink]]
name = "ops"                      # [A-Za-z0-9._-]: in its consumer group and DLQ topic
type = "webhook"                  # or "chat" (Slack-compatible incoming webhook)
url = "https://hooks.example.org/newsmon"
secret_env = "OPS_WEBHOOK_SECRET" # the variable holding the shared secret
max_attempts = 8                  # optional; then the dead-letter topic
kinds = ["leader_visit"]          # optional filters (streams/sinks/filters.py)
countries = ["PRK", "RUS"]
statuses = ["ongoing"]
min_confidence = 0.6
```

Optional too: `backoff`, `max_backoff`, `jitter`, `timeout`, `max_retry_wait` (see
`deliver.RetryPolicy`) and `start` (`earliest`, the default, or `latest`: where a sink's
new consumer group begins). `secret_env` is required for webhooks; a chat sink signs too
when it has one (the URL of an incoming webhook is its own secret).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .. import kinds
from ..ingest.config import read_toml
from .deliver import RetryPolicy
from .filters import Filters, statuses

TYPES = ("webhook", "chat")
STARTS = ("earliest", "latest")
NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
COUNTRY = re.compile(r"^[A-Z]{3}$")
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
POLICY_KEYS = ("max_attempts", "backoff", "max_backoff", "jitter", "timeout", "max_retry_wait")
FILTER_KEYS = ("kinds", "countries", "statuses", "min_confidence")
KEYS = {"name", "type", "url", "secret_env", "start", *POLICY_KEYS, *FILTER_KEYS}


class ConfigError(ValueError):
    """A bad `sinks.toml` (a usage error): the message names the sink and the key."""


@dataclass(frozen=True)
class SinkConfig:
    name: str
    type: str
    url: str
    secret_env: str = ""
    secret: bytes | None = field(default=None, repr=False)  # never shown
    filters: Filters = field(default_factory=Filters)
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    start: str = "earliest"

    def group(self, app_id: str) -> str:
        return f"{app_id}.sink.{self.name}"

    def dlq_topic(self, alerts_topic: str) -> str:
        return f"{alerts_topic}.sink.{self.name}.dlq"

    @property
    def host(self) -> str:
        """The endpoint's host, for messages: the whole URL may hold a token."""
        return urlsplit(self.url).hostname or "?"


def load_sinks(path: Path, env: Mapping[str, str] | None = None) -> list[SinkConfig]:
    data = read_toml(path, ConfigError)
    return parse_sinks(data, str(path), os.environ if env is None else env)


def parse_sinks(data: dict, where: str, env: Mapping[str, str]) -> list[SinkConfig]:
    unknown = set(data) - {"sink"}
    if unknown:
        raise ConfigError(f"{where}: unknown key(s): {', '.join(sorted(unknown))} (use [[sink]])")
    tables = data.get("sink")
    if not isinstance(tables, list) or not tables:
        raise ConfigError(f"{where}: no [[sink]] tables")
    sinks = [_sink(table, where, number, env) for number, table in enumerate(tables, 1)]
    names = [s.name for s in sinks]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(f"{where}: sink name(s) used twice: {', '.join(twice)}")
    return sinks


def _sink(table: object, path: str, number: int, env: Mapping[str, str]) -> SinkConfig:
    where = f"{path}: sink {number}"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: not a table")
    name = table.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        raise ConfigError(f"{where}: name: needs 1-100 of A-Z a-z 0-9 . _ - (got {name!r})")
    where = f"{path}: sink {name!r}"
    extra = set(table) - KEYS
    if extra:
        raise ConfigError(f"{where}: unknown key(s): {', '.join(sorted(extra))}")
    kind = table.get("type")
    if kind not in TYPES:
        raise ConfigError(f"{where}: type: one of {', '.join(TYPES)} (got {kind!r})")
    url = table.get("url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: url: needs an http(s) URL with a host")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ConfigError(f"{where}: url: bad port") from None
    secret_env, secret = _secret(table, kind, where, env)
    start = table.get("start", "earliest")
    if start not in STARTS:
        raise ConfigError(f"{where}: start: one of {', '.join(STARTS)} (got {start!r})")
    return SinkConfig(
        name=name,
        type=kind,
        url=url,
        secret_env=secret_env,
        secret=secret,
        filters=_filters(table, where),
        policy=_policy(table, where),
        start=start,
    )


def _secret(table: dict, kind: str, where: str, env: Mapping[str, str]) -> tuple[str, bytes | None]:
    variable = table.get("secret_env")
    if variable is None:
        if kind == "webhook":
            raise ConfigError(f"{where}: secret_env: a webhook needs the variable of its secret")
        return "", None
    if not isinstance(variable, str) or not VARIABLE.match(variable):
        raise ConfigError(f"{where}: secret_env: the name of an environment variable")
    value = env.get(variable, "")
    if not value:  # the message names the variable, never its value
        raise ConfigError(f"{where}: secret_env: the variable {variable} is not set or empty")
    return variable, value.encode("utf-8")


def _number(table: dict, key: str, where: str, default: float, low: float, high: float | None):
    value = table.get(key, default)
    integer = key == "max_attempts"
    kinds = int if integer else int | float
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ConfigError(f"{where}: {key}: needs {'an integer' if integer else 'a number'}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ConfigError(f"{where}: {key}: must be {bounds} (got {value})")
    return value if integer else float(value)


def _policy(table: dict, where: str) -> RetryPolicy:
    d = RetryPolicy()
    policy = RetryPolicy(
        max_attempts=_number(table, "max_attempts", where, d.max_attempts, 1, 1000),
        backoff=_number(table, "backoff", where, d.backoff, 0.001, None),
        max_backoff=_number(table, "max_backoff", where, d.max_backoff, 0.001, None),
        jitter=_number(table, "jitter", where, d.jitter, 0, 1),
        timeout=_number(table, "timeout", where, d.timeout, 0.001, None),
        max_retry_wait=_number(table, "max_retry_wait", where, d.max_retry_wait, 0, None),
    )
    if policy.max_backoff < policy.backoff:
        raise ConfigError(f"{where}: max_backoff: must be at least backoff ({policy.backoff})")
    return policy


def _strings(table: dict, key: str, where: str, allowed) -> frozenset[str]:
    values = table.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{where}: {key}: needs a list of strings")
    bad = [v for v in values if not allowed(v)]
    if bad:
        raise ConfigError(f"{where}: {key}: unknown value(s): {', '.join(map(repr, bad))}")
    return frozenset(values)


def _filters(table: dict, where: str) -> Filters:
    return Filters(
        kinds=_strings(table, "kinds", where, kinds.names().__contains__),
        countries=_strings(table, "countries", where, COUNTRY.match),
        statuses=_strings(table, "statuses", where, statuses().__contains__),
        min_confidence=_number(table, "min_confidence", where, 0.0, 0, 1),
    )
