"""What the agents and timers of one worker share: `Context`, built once by
`pipeline.build` and handed to every handler (no state hidden in closures)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import faust

from ..articles import Article
from ..metrics import Metrics
from ..resolve import Policy
from ..settings import Settings
from .topics import Topics

# one logger for the agents and their timers, under the name it has always had
log = logging.getLogger("newsmon.agents")

# the events of each article, in order, with the seconds it cost (Extractor.extract_timed)
ExtractAll = Callable[[list[Article]], list[tuple[list[dict], float]]]


@dataclass(frozen=True)
class Context:
    """One worker's app, settings, topics, table, policy, metrics and executors."""

    app: faust.App
    settings: Settings
    topics: Topics
    table: faust.Table  # identity block -> its state (`resolve.py`), see `pipeline.build`
    policy: Policy
    metrics: Metrics
    extract_all: ExtractAll
    extractor: ThreadPoolExecutor  # runs `extract_all`, one batch at a time
    lookups: ThreadPoolExecutor  # blocking kafka-python lookups (`clients.py`)
