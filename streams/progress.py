"""The progress bar of long commands (extract, publish, ingest --once, the benchmark)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def progress_bar(console: Console, enabled: bool = True) -> Progress:
    """Description, bar, done/total and elapsed time on `console`, gone when finished;
    `enabled=False` shows nothing (e.g. when the console is not a terminal)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not enabled,
        transient=True,
    )
