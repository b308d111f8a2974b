"""The worker's data directory: by default the user's own XDG state directory, not a
predictable name in the shared /tmp, and created 0700."""

from __future__ import annotations

import os
import stat

from streams.settings import Settings


def test_default_is_under_xdg_state_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert Settings().data_dir == str(tmp_path / "state" / "newsmon" / "newsmon")
    assert Settings(app_id="desk").data_dir == str(tmp_path / "state" / "newsmon" / "desk")


def test_default_without_xdg_state_home_is_under_home(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    expected = tmp_path / ".local" / "state" / "newsmon" / "newsmon"
    assert Settings().data_dir == str(expected)
    monkeypatch.setenv("XDG_STATE_HOME", "relative/dir")  # not absolute: ignored (XDG)
    assert Settings().data_dir == str(expected)
    assert not Settings().data_dir.startswith("/tmp/newsmon")


def test_an_explicit_data_dir_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    env = {"NEWSMON_DATA_DIR": str(tmp_path / "mine")}
    assert Settings.from_env(env).data_dir == str(tmp_path / "mine")


def test_the_worker_creates_it_for_its_user_alone(tmp_path, monkeypatch):
    from streams.worker.app import create_app

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    old = os.umask(0o022)  # the usual one, under which it came out 0755 before
    try:
        settings = Settings(app_id="newsmon-test-data-dir")
        create_app(settings)
    finally:
        os.umask(old)
    assert os.path.isdir(settings.data_dir)
    assert stat.S_IMODE(os.stat(settings.data_dir).st_mode) == 0o700
