"""What `newsmon ingest` remembers across restarts, in one SQLite file under the state
directory (`ingest.sqlite3`): each feed's validators (ETag, Last-Modified) and last poll,
each item's outcome per feed, and the ids of published articles (so an article carried by
two feeds is published once). Every change is one transaction, so a crash leaves the file
as it was before or after it, never half-written. Feed URLs may carry tokens, so the
directory is made 0700 and the files 0600 (and an existing directory or file that
others may read is made so when the state is opened).

An item is recorded as published only after the broker confirmed the send; an item whose
page failed for a reason that may pass (timeout, 429, 5xx, refused connection) is only
counted (`attempts`) and tried again at the next poll."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import time
from dataclasses import dataclass
from pathlib import Path

FILE = "ingest.sqlite3"
DIR_MODE, FILE_MODE = 0o700, 0o600  # feed URLs may carry tokens: the owner's alone
OUTCOMES = ("published", "skipped", "failed")  # final: the item is not looked at again

SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    polled_at REAL,
    title TEXT
);
CREATE TABLE IF NOT EXISTS items (
    feed TEXT NOT NULL,
    key TEXT NOT NULL,
    outcome TEXT,  -- NULL while pending
    article_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    PRIMARY KEY (feed, key)
);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    published_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None
    polled_at: float | None = None
    title: str | None = None  # the feed's own, from its last full fetch


class State:
    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory).expanduser()
        self.directory.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        _restrict(self.directory, DIR_MODE)  # one made before, or by someone else
        self.path = self.directory / FILE
        # made 0600 before SQLite opens it: its -wal and -shm files take the same mode
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE))
        _restrict(self.path, FILE_MODE)
        # one thread at a time uses it, but not always the one that opened it
        self.db = sqlite3.connect(
            self.path, timeout=30, isolation_level=None, check_same_thread=False
        )
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)  # idempotent; runs in its own transaction
        for suffix in ("-wal", "-shm", "-journal"):
            _restrict(self.path.with_name(FILE + suffix), FILE_MODE)

    def _transaction(self) -> _Transaction:
        return _Transaction(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # feeds

    def validators(self, url: str) -> Validators:
        row = self.db.execute(
            "SELECT etag, last_modified, polled_at, title FROM feeds WHERE url = ?", (url,)
        ).fetchone()
        return Validators(*row) if row else Validators()

    def polled(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        keep_validators: bool = True,
        title: str | None = None,
        when: float | None = None,
    ) -> None:
        """A poll of `url` ended; with `keep_validators=False` the new validators replace
        the stored ones (only when every entry of that version of the feed is done)."""
        when = time.time() if when is None else when
        with self._transaction():
            self.db.execute(
                "INSERT INTO feeds (url, polled_at) VALUES (?, ?) "
                "ON CONFLICT (url) DO UPDATE SET polled_at = excluded.polled_at",
                (url, when),
            )
            if title:
                self.db.execute("UPDATE feeds SET title = ? WHERE url = ?", (title, url))
            if not keep_validators:
                self.db.execute(
                    "UPDATE feeds SET etag = ?, last_modified = ? WHERE url = ?",
                    (etag, last_modified, url),
                )

    # items

    def is_done(self, feed: str, key: str) -> bool:
        row = self.db.execute(
            "SELECT outcome FROM items WHERE feed = ? AND key = ?", (feed, key)
        ).fetchone()
        return bool(row and row[0])

    def attempt(self, feed: str, key: str) -> int:
        """Counts one more failed try of a pending item; returns the tries so far."""
        with self._transaction():
            self.db.execute(
                "INSERT INTO items (feed, key, attempts, updated_at) VALUES (?, ?, 1, ?) "
                "ON CONFLICT (feed, key) DO UPDATE SET attempts = attempts + 1, "
                "updated_at = excluded.updated_at",
                (feed, key, time.time()),
            )
            return self.db.execute(
                "SELECT attempts FROM items WHERE feed = ? AND key = ?", (feed, key)
            ).fetchone()[0]

    def done(self, feed: str, key: str, outcome: str, article_id: str | None = None) -> None:
        """The item's final outcome; a published one also records its article id."""
        if outcome not in OUTCOMES:
            raise ValueError(f"not an outcome: {outcome}")
        now = time.time()
        with self._transaction():
            self.db.execute(
                "INSERT INTO items (feed, key, outcome, article_id, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (feed, key) DO UPDATE SET "
                "outcome = excluded.outcome, article_id = excluded.article_id, "
                "updated_at = excluded.updated_at",
                (feed, key, outcome, article_id, now),
            )
            if outcome == "published" and article_id:
                self.db.execute(
                    "INSERT OR IGNORE INTO articles (id, published_at) VALUES (?, ?)",
                    (article_id, now),
                )

    def is_published(self, article_id: str) -> bool:
        row = self.db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row is not None

    def published_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]


def _restrict(path: Path, mode: int) -> None:
    """Takes group and other permissions away from `path`, if it exists and has any; a
    path this user may not change is left as it is, with a warning."""
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if current & 0o077:
        try:
            path.chmod(mode)
        except PermissionError as exc:
            logging.getLogger(__name__).warning("cannot restrict %s to %o: %s", path, mode, exc)


class _Transaction:
    """`BEGIN IMMEDIATE` ... `COMMIT` (or `ROLLBACK` on an exception)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        self.db.execute("ROLLBACK" if kind else "COMMIT")
