"""The embedded store for local runs: one SQLite file in a per-user data folder.

Same semantics as the DynamoDB store: one item per user, a version per item,
conditional writes. A connection is opened per call, so the threaded Flask server
can share one store object.

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
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

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


class SqliteStore(VersionedStore):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._ready = False
        self._setup = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        try:
            if not self._ready:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            # Many requests at once (the threaded web service) wait for the lock instead of failing:
            # readers never block the writer in WAL mode, and a writer waits up to BUSY_TIMEOUT_MS.
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if not self._ready:
                # Switching to WAL takes an exclusive lock that the busy timeout does not cover: once, alone.
                with self._setup:
                    if not self._ready:
                        connection.execute("PRAGMA journal_mode = WAL")
                        connection.execute(SCHEMA)
                        self._ready = True
            return connection
        except (OSError, sqlite3.Error) as error:
            raise StoreUnavailable(f"cannot open {self.path}: {error}") from error

    def read(self, key: str) -> tuple[Attributes, int]:
        with closing(self._connect()) as connection:
            try:
                row = connection.execute("SELECT attributes, version FROM users WHERE id = ?", (key,)).fetchone()
            except sqlite3.Error as error:
                raise StoreUnavailable(str(error)) from error
        if row is None:
            return {}, 0
        try:
            attributes = json.loads(row[0])
        except json.JSONDecodeError:
            attributes = {"_corrupt": row[0][:200]}
        return (attributes if isinstance(attributes, dict) else {"_corrupt": row[0][:200]}), clean_version(row[1])

    def write(self, key: str, attributes: Attributes, expected_version: int) -> int:
        payload = json.dumps(attributes, sort_keys=True)
        new_version = expected_version + 1
        with closing(self._connect()) as connection:
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
            except sqlite3.Error as error:
                raise StoreUnavailable(str(error)) from error
        if cursor.rowcount != 1:
            raise VersionConflict(f"{key}: stored version is no longer {expected_version}")
        return new_version
