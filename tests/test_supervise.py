"""The worker supervisor: broker probe, growing pauses, restarts, clean stop (no Kafka)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from streams.settings import Settings
from streams.worker.supervise import MAX_PAUSE, Pauses, supervise, unreachable


def test_pauses_double_up_to_the_cap_and_start_over_after_a_reset():
    pauses = Pauses()
    taken = [pauses.take() for _ in range(7)]
    assert taken == [1.0, 2.0, 4.0, 8.0, 16.0, MAX_PAUSE, MAX_PAUSE]
    pauses.reset()
    assert pauses.take() == 1.0


def test_a_listening_server_is_reachable_and_a_closed_port_says_why():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert unreachable(f"127.0.0.1:{port}") is None
    reason = unreachable(f"127.0.0.1:{port}")
    assert reason is not None and f"127.0.0.1:{port}" in reason
    assert unreachable(f"127.0.0.1:1,127.0.0.1:{port}") is not None
    assert "nonsense" in unreachable("nonsense")


def test_a_crashing_worker_is_restarted_and_sigterm_stops_everything(tmp_path: Path):
    starts = tmp_path / "starts"
    with socket.socket() as server:  # the "broker": anything that accepts connections
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        port = server.getsockname()[1]
        crash = [
            sys.executable,
            "-c",
            f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)",
        ]
        script = textwrap.dedent(
            f"""
            from streams.settings import Settings
            from streams.worker.supervise import supervise
            raise SystemExit(supervise(Settings(broker="kafka://127.0.0.1:{port}"), {crash!r}))
            """
        )
        supervisor = subprocess.Popen(
            [sys.executable, "-c", script], stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 30
        while not starts.exists() or len(starts.read_text()) < 3:
            assert time.monotonic() < deadline, "the worker was not restarted"
            time.sleep(0.1)
        supervisor.send_signal(signal.SIGTERM)
        _, errors = supervisor.communicate(timeout=30)
    assert supervisor.returncode == 0
    assert "exited with status 3; restarting in 1 s" in errors
    assert "restarting in 2 s" in errors


def test_the_worker_refuses_faust_or_aiokafka_without_what_it_overrides():
    """The installed versions have every overridden method; a base class without one is
    named in the error, with the installed versions."""
    from streams.worker.consumer import InternalsChanged, check_internals

    check_internals()

    class Renamed:
        def _new_offset_v2(self) -> None: ...

    with pytest.raises(InternalsChanged) as error:
        check_internals({Renamed: ("_new_offset",)})
    assert "Renamed._new_offset" in str(error.value)
    assert "faust-streaming 0." in str(error.value) and "aiokafka 0." in str(error.value)


def test_a_worker_that_exits_2_is_not_restarted(tmp_path):
    """Exit 2 is a configuration the worker refuses (e.g. an alert topic with too few
    partitions): restarting would fail the same way."""
    runs = tmp_path / "runs"
    command = [sys.executable, "-c", f"open({str(runs)!r}, 'a').write('x'); raise SystemExit(2)"]
    said: list[str] = []
    with socket.socket() as server:  # the "broker": anything that accepts connections
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        settings = Settings(broker=f"kafka://127.0.0.1:{server.getsockname()[1]}")
        assert supervise(settings, command, say=said.append) == 2
    assert runs.read_text() == "x"
    assert any("not restarting" in line for line in said), said
