"""The event kinds: one module per kind, and the registry everything else loops over.

A kind (`base.Kind`) says all the system needs to know about one type of event: its
name (the event's `type`, and the suffix of its alert topic), its `event_id` prefix, its
statuses, which of its events alert, its summary line and table row, its metric labels,
its scoring key, how its reports join one real-world event, and its finder in the
extractor. The extractor, resolution, metrics, the command line, scoring and the sinks
ask the registry and never name a kind.

Built in: `leader_visit` and `sanctions_allegation`. More are loaded from the modules
named in `NEWSMON_KINDS` (comma-separated import paths, each defining `KIND`), or
registered in code with `register`.
"""

from __future__ import annotations

import importlib
import os

from .base import Kind, Reading

__all__ = ["Kind", "KindsUnavailable", "Reading", "all_kinds", "get", "names", "register"]

KINDS_ENV = "NEWSMON_KINDS"
BUILT_IN = ("streams.kinds.leader_visit", "streams.kinds.sanctions_allegation")

_registry: dict[str, Kind] = {}
_loaded = False


class KindsUnavailable(ValueError):
    """A module named in NEWSMON_KINDS cannot be imported or defines no `KIND`."""


def register(kind: Kind) -> Kind:
    """Adds `kind` (or replaces the one of its name) after the built-in and configured
    kinds; its prefix must be its own."""
    _load()
    for other in _registry.values():
        if other.prefix == kind.prefix and other.name != kind.name:
            raise ValueError(f"kind {kind.name}: prefix {kind.prefix!r} is {other.name}'s")
    _registry[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    _registry.pop(name, None)


def _load() -> None:
    """The built-in kinds and those of `NEWSMON_KINDS`, once."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    extra = [m.strip() for m in os.environ.get(KINDS_ENV, "").split(",") if m.strip()]
    try:
        for module in (*BUILT_IN, *extra):
            try:
                kind = importlib.import_module(module).KIND
            except (ImportError, AttributeError) as exc:
                why = f"{KINDS_ENV}: cannot load a kind from {module} ({exc})"
                raise KindsUnavailable(why) from None
            register(kind)
    except Exception:
        _loaded = False
        raise


def all_kinds() -> list[Kind]:
    _load()
    return list(_registry.values())


def names() -> tuple[str, ...]:
    return tuple(k.name for k in all_kinds())


def get(name: str) -> Kind | None:
    """The kind named `name`, None for a type nobody registered."""
    _load()
    return _registry.get(name)


def of(event: dict) -> Kind:
    """The kind of an event or alert (its `type`); KeyError for an unknown one."""
    kind = get(event.get("type", ""))
    if kind is None:
        raise KeyError(f"unknown event type {event.get('type')!r}")
    return kind
