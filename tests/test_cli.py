"""`newsmon extract` end to end, as a user runs it."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import subprocess
import sys

import pytest

from .conftest import REFERENCE

NEWSMON = [sys.executable, "-m", "streams.cli"]


def run(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [*NEWSMON, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def jsonl(tmp_path_factory):
    path = tmp_path_factory.mktemp("in") / "articles.jsonl"
    good = {
        "id": "ref",
        "text": REFERENCE.read_text(encoding="utf-8"),
        "published_at": "2024-06-19T03:00:00Z",
    }
    other = {"id": "quiet", "text": "Stocks closed higher on Tuesday as oil prices eased."}
    path.write_text(
        json.dumps(good) + "\n" + json.dumps(other) + "\n" + '{"id": "broken", "text": \n' + "\n",
        encoding="utf-8",
    )
    return path


def test_extract_writes_events_and_reports_bad_lines(jsonl):
    result = run("extract", str(jsonl))
    assert result.returncode == 1  # one line was bad
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert {e["article_id"] for e in events} == {"ref"}
    assert len(events) == 6
    assert f"{jsonl}:3" in result.stderr
    assert "2 articles read, 1 skipped" in result.stderr


KISHIDA = {
    "id": "s1",
    "text": "Japanese Prime Minister Fumio Kishida arrived in Washington on Tuesday "
    "for a state visit.",
    "published_at": "2024-04-09T12:00:00Z",
}


def test_extract_from_stdin_all_good_exits_zero():
    line = json.dumps(KISHIDA)
    result = run("extract", "-", stdin=line + "\n")
    assert result.returncode == 0, result.stderr
    events = [json.loads(x) for x in result.stdout.splitlines()]
    assert [(e["visitor"]["country"], e["host"]["country"], e["status"]) for e in events] == [
        ("JPN", "USA", "ongoing")
    ]


def test_extract_text_folder_uses_file_names_as_ids(tmp_path):
    (tmp_path / "putin.txt").write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "empty.txt").write_text("   ", encoding="utf-8")
    result = run("extract", "--text", str(tmp_path))
    assert result.returncode == 1  # the empty file is reported
    ids = {json.loads(x)["article_id"] for x in result.stdout.splitlines()}
    assert ids == {"putin"}
    assert "empty.txt" in result.stderr


def test_pretty_prints_a_table(jsonl):
    result = run("extract", "--pretty", str(jsonl))
    assert "Vladimir Putin" in result.stdout
    assert "denied" in result.stdout


def test_missing_path_is_a_usage_error(tmp_path):
    result = run("extract", str(tmp_path / "nope.jsonl"))
    assert result.returncode == 2
    assert "no such file" in result.stderr


def test_unreachable_broker_is_a_clear_error():
    line = json.dumps({"id": "a", "text": "Some text."})
    result = run("publish", "--broker", "kafka://127.0.0.1:1", "-", stdin=line + "\n")
    assert result.returncode == 3
    assert "newsmon: broker error" in result.stderr
    assert "Traceback" not in result.stderr


def test_errors_are_one_line_when_stderr_is_not_a_terminal():
    """A log shipper or a grep reads stderr: a long message is not wrapped at 80 columns."""
    profile = "no-such-profile-" * 8
    result = subprocess.run(
        [sys.executable, "-m", "streams.cli", "publish", "-"],
        input="",
        capture_output=True,
        text=True,
        env={**os.environ, "NEWSMON_BROKER_PROFILE": profile, "COLUMNS": "80"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and profile in lines[0], lines
    assert len(lines[0]) > 80


def test_a_mistyped_model_is_a_configuration_error():
    """No quiet fall back to the rule-only pipeline: exit 2, one line naming the model."""
    line = json.dumps(KISHIDA) + "\n"
    result = run("extract", "-", stdin=line, env={"NEWSMON_SPACY_MODEL": "typo"})
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newsmon: "), lines
    assert "'typo'" in lines[0] and "Traceback" not in result.stderr
    result = run("extract", "--model", "en_core_web_sm_typo", "-", stdin=line)
    assert result.returncode == 2 and "'en_core_web_sm_typo'" in result.stderr


@pytest.mark.parametrize("name", ["none", "rule-only"])
def test_the_rule_only_pipeline_asked_for_by_name_works(name):
    line = json.dumps(KISHIDA) + "\n"
    result = run("extract", "-", stdin=line, env={"NEWSMON_SPACY_MODEL": name})
    assert result.returncode == 0, result.stderr
    events = [json.loads(x) for x in result.stdout.splitlines()]
    assert [(e["visitor"]["country"], e["host"]["country"]) for e in events] == [("JPN", "USA")]
    assert "1 articles read, 0 skipped" in result.stderr


def test_pretty_output_read_by_a_program_keeps_whole_ids(tmp_path):
    """Piped, rich would assume 80 columns and cut the id ("…"): the whole id, one line."""
    long_id = "kishida-washington-" + "0123456789" * 12
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({**KISHIDA, "id": long_id}) + "\n", encoding="utf-8")
    result = run("extract", "--pretty", str(path), env={"COLUMNS": "80"})  # rich's default
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout
    rows = [line for line in result.stdout.splitlines() if long_id in line]
    assert len(rows) == 1, result.stdout
    assert "Fumio Kishida" in rows[0] and "USA" in rows[0]


# what each command's --help must list under "exit codes:" (what it returns: streams/cli.py)
EXIT_CODES = {
    "extract": {"0", "1", "2"},
    "broker": {"0", "2"},
    "worker": {"0", "2", "other"},
    "publish": {"0", "1", "2", "3"},
    "tail": {"0", "2", "3"},
    "ingest": {"0", "1", "2", "3"},
    "demo": {"0", "1", "2"},
    "deliver": {"0", "2", "3", "4"},
    "topics": {"0", "2", "3"},
}
EXTRACTOR_VARIABLES = {"NEWSMON_SPACY_MODEL", "NEWSMON_FAST_PATH", "NEWSMON_JUDGE", "NEWSMON_KINDS"}


def command_help(capsys, command: str) -> str:
    from streams.cli import main

    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_every_command_has_a_help_text_checked_here():
    from streams.cli import build_parser

    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(commands.choices) == set(EXIT_CODES)


@pytest.mark.parametrize("command", sorted(EXIT_CODES))
def test_help_says_what_a_command_reads_writes_honours_and_returns(capsys, command):
    from streams.ingest.config import IngestSettings
    from streams.settings import Settings

    text = command_help(capsys, command)
    assert "\nreads:\n" in text and "\nwrites" in text, text
    codes = text.split("\nexit codes:\n", 1)[1]
    listed = set(re.findall(r"^  (\d+|other) ", codes, flags=re.MULTILINE))
    assert listed == EXIT_CODES[command], codes
    known = {f"NEWSMON_{f.upper()}" for f in Settings.__dataclass_fields__}
    known |= {f"NEWSMON_INGEST_{f.name.upper()}" for f in dataclasses.fields(IngestSettings)}
    known |= EXTRACTOR_VARIABLES
    named = set(re.findall(r"\bNEWSMON_[A-Z_]+\b(?!\*)", text))  # not NEWSMON_INGEST_*
    assert named <= known, named - known  # no variable that does not exist
    if command == "broker":
        assert "no NEWSMON_ variables" in text
    else:
        assert named, text
    if command == "worker":
        assert named >= known - {v for v in known if v.startswith("NEWSMON_INGEST_")}
    if command == "ingest":
        assert named >= {v for v in known if v.startswith("NEWSMON_INGEST_")}
    if command == "extract":
        assert named == EXTRACTOR_VARIABLES


def test_help_is_not_wider_than_a_terminal(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    for command in EXIT_CODES:
        wide = [line for line in command_help(capsys, command).splitlines() if len(line) > 80]
        assert wide == [], (command, wide)
