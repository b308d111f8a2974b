"""`newsmon worker`: keeps one Faust worker process running, whatever the broker does.

Faust exits when it cannot bootstrap from its broker and on some errors a broker outage
causes. The supervisor waits for the broker with a growing pause, starts the Faust worker
(`newsmon worker --direct`) as a child process, and starts it again, after a pause, when
it exits without being asked to. SIGTERM or Ctrl-C stop the child, then the supervisor.
The child gets SIGKILL if the supervisor dies, so a killed worker never leaves an orphan.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from ..settings import Settings

FIRST_PAUSE, MAX_PAUSE = 1.0, 30.0
EXIT_CONFIG = 2  # a worker that exits with it would only fail the same way again
STABLE_AFTER = 60.0  # a child that ran this long starts the pauses over
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    with contextlib.suppress(OSError, AttributeError):  # not Linux: no such guard
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def unreachable(bootstrap: str, timeout: float = 3.0) -> str | None:
    """None when some bootstrap server accepts a TCP connection, else why not."""
    reasons = []
    for server in bootstrap.split(","):
        host, _, port = server.rpartition(":")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
                return None
        except (OSError, ValueError) as exc:
            reasons.append(f"{server}: {getattr(exc, 'strerror', None) or exc}")
    return "; ".join(reasons) or "no bootstrap server"


class Pauses:
    """1, 2, 4 ... 30 s; back to 1 s after `reset`."""

    def __init__(self) -> None:
        self.next = FIRST_PAUSE

    def take(self) -> float:
        pause, self.next = self.next, min(self.next * 2, MAX_PAUSE)
        return pause

    def reset(self) -> None:
        self.next = FIRST_PAUSE


def supervise(
    settings: Settings,
    command: list[str] | None = None,
    say: Callable[[str], None] | None = None,
) -> int:
    """Runs `command` (the direct Faust worker) until stopped; returns the exit code."""
    command = command or [sys.executable, "-m", "streams.cli", "worker", "--direct"]
    say = say or (lambda text: print(f"newsmon worker: {text}", file=sys.stderr, flush=True))
    stop = threading.Event()
    child: list[subprocess.Popen] = []

    def on_signal(signum: int, frame: object) -> None:
        stop.set()
        if child and child[0].poll() is None:
            child[0].send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    pauses = Pauses()
    while not stop.is_set():
        reason = unreachable(settings.bootstrap)
        if reason is not None:
            pause = pauses.take()
            say(f"broker unreachable ({reason}); retrying in {pause:.0f} s")
            stop.wait(pause)
            continue
        started = time.monotonic()
        env = {
            **os.environ,
            "NEWSMON_BROKER": settings.broker,
            "NEWSMON_BROKER_PROFILE": settings.broker_profile,
        }
        child[:] = [subprocess.Popen(command, env=env, preexec_fn=_die_with_parent)]
        code = child[0].wait()
        if stop.is_set():
            return 0 if code in (0, -signal.SIGTERM) else code
        if code == EXIT_CONFIG:
            say("the worker refused its configuration (exit 2): not restarting it")
            return code
        if time.monotonic() - started > STABLE_AFTER:
            pauses.reset()
        pause = pauses.take()
        say(f"the Faust worker exited with status {code}; restarting in {pause:.0f} s")
        stop.wait(pause)
    return 0
