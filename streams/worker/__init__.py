"""The stream worker: the Faust app, its agents and everything around them.

| module | owns |
| --- | --- |
| `supervise.py` | `newsmon worker`: keeps one Faust worker process (`--direct`) running |
| `run.py` | `run_worker`: internals check, metrics endpoint, extractor, ready line |
| `app.py` | `create_app`: the Faust app from the settings |
| `consumer.py` | the consumer fixes: commits never pass an unprocessed record |
| `topics.py` | topic declarations, their creation, the alert topics' partition check |
| `pipeline.py` | `build`: declares the topics and the table, registers agents and timers |
| `context.py` | `Context`, what the agents and timers share |
| `headers.py` | the headers an events record carries from one agent to the other |
| `extraction.py` | the extract agent: validate -> dead letter, or extract -> `events` |
| `resolution.py` | the resolve agent: `events` -> the resolution table -> alert records |
| `alerts.py` | the crash-safe protocol that sends alerts and status changes once only |
| `watch.py` | the startup topic check, the retention purge, the partition watch |

`dlq.py` (validation, the dead-letter record) stays in `streams/` beside the other pure
parts the agents call (`resolve.py`, `identity.py`, `extract/`): it needs no Kafka and no
Faust, and the sinks (`sinks/payloads.py`) and the unit tests use it without a worker.

`build`, `create_app` and `run_worker` are imported on first use: the supervisor
(`worker.supervise`) runs without loading Faust or the extractor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import create_app
    from .pipeline import build
    from .run import run_worker

__all__ = ["build", "create_app", "run_worker"]


def __getattr__(name: str) -> object:
    if name == "build":
        from .pipeline import build

        return build
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "run_worker":
        from .run import run_worker

        return run_worker
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
