"""The seen-store on disk: outcomes, attempts, validators and published ids survive a
reopen (a restart); the directory and its files are the owner's alone."""

from __future__ import annotations

import os
import stat

import pytest

from streams.ingest.state import FILE, State

FEED = "http://127.0.0.1:8000/feeds/rss.xml"


def test_outcomes_survive_a_restart(tmp_path):
    with State(tmp_path) as state:
        assert not state.is_done(FEED, "guid:a")
        state.done(FEED, "guid:a", "published", "http://x/a")
        state.done(FEED, "guid:b", "failed")
    assert (tmp_path / FILE).is_file()
    with State(tmp_path) as state:
        assert state.is_done(FEED, "guid:a") and state.is_done(FEED, "guid:b")
        assert not state.is_done("http://other/feed", "guid:a")  # keys are per feed
        assert state.is_published("http://x/a")
        assert state.published_count() == 1


def test_attempts_count_and_leave_the_item_pending(tmp_path):
    with State(tmp_path) as state:
        assert [state.attempt(FEED, "guid:a") for _ in range(3)] == [1, 2, 3]
        assert not state.is_done(FEED, "guid:a")
        state.done(FEED, "guid:a", "published", "id-a")
        assert state.is_done(FEED, "guid:a")


def test_validators_change_only_when_the_poll_was_complete(tmp_path):
    with State(tmp_path) as state:
        state.polled(
            FEED, etag='"v1"', last_modified="Mon", keep_validators=False, title="W", when=10.0
        )
        state.polled(FEED, etag='"v2"', last_modified="Tue", keep_validators=True, when=20.0)
    with State(tmp_path) as state:
        known = state.validators(FEED)
        assert (known.etag, known.last_modified, known.polled_at) == ('"v1"', "Mon", 20.0)
        assert known.title == "W"
        assert state.validators("http://unknown/feed").etag is None


def test_unknown_outcome_is_refused(tmp_path):
    with State(tmp_path) as state, pytest.raises(ValueError):
        state.done(FEED, "guid:a", "maybe")


def test_a_failed_transaction_leaves_nothing_behind(tmp_path):
    with State(tmp_path) as state:
        with pytest.raises(RuntimeError), state._transaction() as db:
            db.execute("INSERT INTO articles (id, published_at) VALUES ('half', 1)")
            raise RuntimeError("crash in the middle")
        assert not state.is_published("half")


def test_the_state_directory_is_created(tmp_path):
    with State(tmp_path / "a" / "b") as state:
        assert state.path.parent.is_dir()


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_state_is_the_owners_alone(tmp_path):
    old = os.umask(0o022)  # the usual one, under which 0755/0644 came out before
    try:
        with State(tmp_path / "a" / "state") as state:
            state.done(FEED, "guid:a", "published", "http://x/a")
            files = list(state.directory.iterdir())
            assert {p.name for p in files} >= {FILE, FILE + "-wal", FILE + "-shm"}
            assert mode(state.directory) == 0o700
            for path in files:
                assert mode(path) == 0o600, path.name
    finally:
        os.umask(old)


def test_an_existing_state_others_could_read_is_restricted(tmp_path):
    directory = tmp_path / "state"
    with State(directory):
        pass
    directory.chmod(0o755)
    (directory / FILE).chmod(0o644)
    with State(directory) as state:
        assert mode(directory) == 0o700
        assert mode(directory / FILE) == 0o600
        assert not state.is_done(FEED, "guid:a")  # still a working state
