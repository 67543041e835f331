"""The embedded store for local runs: one SQLite file in a per-user data folder.

Same semantics as the DynamoDB store: one item per user, a version per item,
conditional writes. One store object serves every thread of the web service: each
thread opens its own connection on first use and keeps it (a connection is not shared
between threads, and opening one per call costs more than the query). The file is in
WAL mode, so reads never wait for a write. Writes in one process take turns on a lock
(``update`` holds it from its read to its write, so threads of one process never make
each other's writes conflict), then take SQLite's write lock first (``BEGIN IMMEDIATE``),
waiting up to ``BUSY_TIMEOUT_MS`` for another process, rather than failing when another
connection wrote since the statement began.

Example:
    >>> import tempfile, pathlib
    >>> store = SqliteStore(pathlib.Path(tempfile.mkdtemp()) / "users.db")
    >>> store.write("user-1", {"hold_seconds": 30}, expected_version=0)
    1
    >>> store.read("user-1")
    ({'hold_seconds': 30}, 1)
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable

from skill.persistence.versioned import MAX_VERSION, Attributes, StoreUnavailable, VersionConflict, VersionedStore, clean_version

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    attributes TEXT NOT NULL,
    version INTEGER NOT NULL
)
"""


BUSY_TIMEOUT_MS = 5000

# Which stored versions a write expecting ``expected_version`` may replace (see versioned.py: a bad
# version reads as 0, a fraction as the next whole number; a good one matches itself only).
_BAD_VERSION = f"(typeof(version) NOT IN ('integer', 'real') OR version <= 0 OR version > {MAX_VERSION})"
_VERSION_IS = "(typeof(version) IN ('integer', 'real') AND version > ? AND version <= ?)"


class _ThreadConnection(threading.local):
    """The calling thread's connection, and the process that opened it (a forked worker opens its own)."""

    connection: sqlite3.Connection | None = None
    pid: int = 0


class SqliteStore(VersionedStore):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._ready = False
        self._setup = threading.Lock()
        self._local = _ThreadConnection()
        # SQLite's own lock is polled with growing sleeps and is not first come, first served: many
        # threads waiting on it can starve one past the busy timeout. Python's lock is a plain queue.
        self._writing = threading.RLock()

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened (and the file set up) on its first use."""
        local = self._local
        if local.connection is not None and local.pid == os.getpid():
            return local.connection
        try:
            if not self._ready:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if not self._ready:
                # Switching to WAL takes an exclusive lock that the busy timeout does not cover: once, alone.
                with self._setup:
                    if not self._ready:
                        connection.execute("PRAGMA journal_mode = WAL")
                        connection.execute(SCHEMA)
                        self._ready = True
        except (OSError, sqlite3.Error) as error:
            raise StoreUnavailable(f"cannot open {self.path}: {error}") from error
        local.connection, local.pid = connection, os.getpid()
        return connection

    def _forget_connection(self) -> None:
        """Drop this thread's connection after an error, so the next call starts on a fresh one."""
        connection, self._local.connection = self._local.connection, None
        if connection is not None:
            try:
                connection.close()
            except sqlite3.Error:
                pass

    def read(self, key: str) -> tuple[Attributes, int]:
        connection = self._connection()
        try:
            row = connection.execute("SELECT attributes, version FROM users WHERE id = ?", (key,)).fetchone()
        except sqlite3.Error as error:
            self._forget_connection()
            raise StoreUnavailable(str(error)) from error
        if row is None:
            return {}, 0
        try:
            attributes = json.loads(row[0])
        except json.JSONDecodeError:
            attributes = {"_corrupt": row[0][:200]}
        return (attributes if isinstance(attributes, dict) else {"_corrupt": row[0][:200]}), clean_version(row[1])

    def update(
        self,
        key: str,
        change: Callable[[Attributes], Attributes],
        known: tuple[Attributes, int] | None = None,
        deadline: float | None = None,
    ) -> tuple[Attributes, int]:
        """``VersionedStore.update`` with this process's write turn held from the read to the write."""
        wait = BUSY_TIMEOUT_MS / 1000
        if deadline is not None:
            wait = max(0.0, min(wait, deadline - time.monotonic()))
        if not self._writing.acquire(timeout=wait):
            raise StoreUnavailable(f"{self.path}: no turn to write within {wait:.1f} s")
        try:
            return super().update(key, change, known, deadline)
        finally:
            self._writing.release()

    def write(self, key: str, attributes: Attributes, expected_version: int) -> int:
        if not self._writing.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            raise StoreUnavailable(f"{self.path}: no turn to write within {BUSY_TIMEOUT_MS / 1000:.1f} s")
        try:
            return self._write(key, attributes, expected_version)
        finally:
            self._writing.release()

    def _write(self, key: str, attributes: Attributes, expected_version: int) -> int:
        payload = json.dumps(attributes, sort_keys=True)
        new_version = expected_version + 1
        connection = self._connection()
        try:
            # The write lock first, waiting for it under the busy timeout: a plain autocommit write
            # that finds another thread's commit newer than its snapshot fails at once ("locked").
            connection.execute("BEGIN IMMEDIATE")
            try:
                if expected_version == 0:
                    # A new item, or one whose version is bad (repaired by this write).
                    cursor = connection.execute(
                        "INSERT INTO users (id, attributes, version) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE"
                        f" SET attributes = excluded.attributes, version = excluded.version WHERE {_BAD_VERSION}",
                        (key, payload, new_version),
                    )
                else:
                    cursor = connection.execute(
                        f"UPDATE users SET attributes = ?, version = ? WHERE id = ? AND {_VERSION_IS}",
                        (payload, new_version, key, expected_version - 1, expected_version),
                    )
                changed = cursor.rowcount
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            self._forget_connection()
            raise StoreUnavailable(str(error)) from error
        if changed != 1:
            raise VersionConflict(f"{key}: stored version is no longer {expected_version}")
        return new_version
