"""sinks.toml: what is accepted, and a clear error naming the sink and the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from streams.sinks.config import ConfigError, load_sinks, parse_sinks

ROOT = Path(__file__).resolve().parents[2]
ENV = {"HOOK_SECRET": "s3cret"}
GOOD = {"name": "ops", "type": "webhook", "url": "https://h.example/x", "secret_env": "HOOK_SECRET"}


def parse(*tables: dict, env: dict | None = None):
    return parse_sinks({"sink": list(tables)}, "sinks.toml", ENV if env is None else env)


def test_a_minimal_webhook_sink_takes_the_defaults():
    (sink,) = parse(GOOD)
    assert (sink.name, sink.type, sink.url, sink.start) == (
        "ops",
        "webhook",
        GOOD["url"],
        "earliest",
    )
    assert sink.secret == b"s3cret"
    assert sink.policy.max_attempts == 8 and sink.policy.backoff == 1.0
    assert not sink.filters.kinds and sink.filters.min_confidence == 0
    assert sink.group("newsmon") == "newsmon.sink.ops"
    assert sink.dlq_topic("newsmon.alerts") == "newsmon.alerts.sink.ops.dlq"
    assert "s3cret" not in repr(sink)


def test_the_example_file_is_valid():
    env = {"NEWSMON_OPS_WEBHOOK_SECRET": "x"}
    sinks = load_sinks(ROOT / "deploy" / "sinks.toml.example", env)
    assert [(s.name, s.type) for s in sinks] == [
        ("ops-webhook", "webhook"),
        ("newsroom-chat", "chat"),
    ]
    chat = sinks[1]
    assert chat.secret is None
    assert chat.filters.kinds == {"leader_visit"}
    assert chat.filters.countries == {"PRK", "RUS", "CHN"}
    assert chat.filters.min_confidence == 0.6


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "email"}, "sink 'ops': type: one of webhook, chat"),
        ({"url": "ftp://h.example/"}, "sink 'ops': url: needs an http(s) URL"),
        ({"url": "https:///nohost"}, "sink 'ops': url: needs an http(s) URL"),
        ({"url": "http://h.example:port/"}, "sink 'ops': url: bad port"),
        ({"secret_env": None}, "sink 'ops': secret_env: a webhook needs"),
        ({"secret_env": "NOT SET"}, "sink 'ops': secret_env: the name of an environment"),
        ({"secret_env": "MISSING_SECRET"}, "sink 'ops': secret_env: the variable MISSING_SECRET"),
        ({"max_attempts": 0}, "sink 'ops': max_attempts: must be between 1 and 1000"),
        ({"max_attempts": 2.5}, "sink 'ops': max_attempts: needs an integer"),
        ({"backoff": "1s"}, "sink 'ops': backoff: needs a number"),
        ({"backoff": 10, "max_backoff": 5}, "sink 'ops': max_backoff: must be at least backoff"),
        ({"jitter": 1.5}, "sink 'ops': jitter: must be between 0 and 1"),
        ({"kinds": ["visit"]}, "sink 'ops': kinds: unknown value(s): 'visit'"),
        ({"kinds": "leader_visit"}, "sink 'ops': kinds: needs a list of strings"),
        ({"countries": ["ru"]}, "sink 'ops': countries: unknown value(s): 'ru'"),
        ({"statuses": ["done"]}, "sink 'ops': statuses: unknown value(s): 'done'"),
        ({"min_confidence": 2}, "sink 'ops': min_confidence: must be between 0 and 1"),
        ({"start": "now"}, "sink 'ops': start: one of earliest, latest"),
        ({"colour": "red"}, "sink 'ops': unknown key(s): colour"),
    ],
)
def test_errors_name_the_sink_and_the_key(change, message):
    table = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    with pytest.raises(ConfigError) as error:
        parse(table)
    assert str(error.value).startswith("sinks.toml: ")
    assert message in str(error.value)
    assert "s3cret" not in str(error.value)


def test_file_level_errors():
    with pytest.raises(ConfigError, match="no \\[\\[sink\\]\\] tables"):
        parse_sinks({}, "sinks.toml", ENV)
    with pytest.raises(ConfigError, match="unknown key\\(s\\): sinks"):
        parse_sinks({"sinks": []}, "sinks.toml", ENV)
    with pytest.raises(ConfigError, match="sink 1: name: needs"):
        parse({**GOOD, "name": "a b"})
    with pytest.raises(ConfigError, match="sink name\\(s\\) used twice: ops"):
        parse(GOOD, GOOD)
    with pytest.raises(ConfigError, match="no such file"):
        load_sinks(Path("/nonexistent/sinks.toml"), ENV)


def test_a_toml_syntax_error_is_reported(tmp_path):
    path = tmp_path / "sinks.toml"
    path.write_text("[[sink]\nname = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=str(path)):
        load_sinks(path, ENV)


def test_the_command_exits_2_with_one_line(tmp_path):
    path = tmp_path / "sinks.toml"
    path.write_text('[[sink]]\nname = "ops"\ntype = "webhook"\nurl = "https://h.example/"\n'
                    'secret_env = "UNSET_SINK_SECRET_X"\n', encoding="utf-8")  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "streams.cli", "deliver", "--config", str(path),
         "--broker", "kafka://127.0.0.1:1"],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "sink 'ops': secret_env" in lines[0], lines
    assert "UNSET_SINK_SECRET_X" in lines[0]
