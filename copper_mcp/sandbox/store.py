"""JSON-document storage over stdlib sqlite3.

Every record kind (people, companies, webhooks, ...) lives in one table keyed by
``(kind, id)``; the document is stored as JSON text. The sandbox is small, so the
search layer loads a kind's documents and filters in Python; SQLite gives us
durability across restarts and all-or-nothing multi-record changes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    kind TEXT NOT NULL,
    id INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS sequences (
    kind TEXT PRIMARY KEY,
    last_id INTEGER NOT NULL
);
"""

# Ids start high enough to look like real Copper ids and never collide across kinds
# in a way that matters (each kind has its own sequence).
_FIRST_ID = 1000


class Store:
    """A tiny document store: ``kind`` names a collection, ``id`` is an integer key.

    ``Store(None)`` is in-memory; a path keeps data across restarts. Writes made
    outside :meth:`transaction` commit immediately; inside it they commit together
    or not at all.
    """

    def __init__(self, path: str | None) -> None:
        self.path = path
        # check_same_thread=False: the ASGI app may run handlers on different threads
        # (uvicorn, anyio); the lock below serialises access.
        self._db = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._depth = 0
        self._db.executescript(_SCHEMA)

    # -- transactions -------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Group writes so they are all applied or none are (nested calls join the outer one)."""
        with self._lock:
            if self._depth == 0:
                self._db.execute("BEGIN")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._db.execute("ROLLBACK")
                raise
            else:
                self._depth -= 1
                if self._depth == 0:
                    self._db.execute("COMMIT")

    # -- documents ------------------------------------------------------------

    def get(self, kind: str, id: int) -> dict[str, Any] | None:
        """Return the document ``kind/id`` or None."""
        if not _storable(id):
            return None
        with self._lock:
            row = self._db.execute("SELECT body FROM docs WHERE kind = ? AND id = ?", (kind, id)).fetchone()
        return None if row is None else _load(row[0])

    def insert(self, kind: str, doc: dict[str, Any]) -> dict[str, Any]:
        """Store a new document; assigns ``id`` when the doc has none. Returns the stored doc."""
        stored = dict(doc)
        with self.transaction():
            if stored.get("id") is None:
                stored["id"] = self._next_id(kind)
            else:
                self._bump_sequence(kind, int(stored["id"]))
            text = json.dumps(stored)
            self._db.execute("INSERT INTO docs (kind, id, body) VALUES (?, ?, ?)", (kind, int(stored["id"]), text))
        # Read back from the text, as every other read is, so callers never share our dict.
        return _load(text)

    def replace(self, kind: str, id: int, doc: dict[str, Any]) -> None:
        """Overwrite (or create) the document ``kind/id``; the stored ``id`` is forced to ``id``."""
        stored = dict(doc)
        stored["id"] = id
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO docs (kind, id, body) VALUES (?, ?, ?)",
                (kind, id, json.dumps(stored)),
            )
            self._bump_sequence(kind, id)

    def delete(self, kind: str, id: int) -> bool:
        """Remove ``kind/id``; True when something was deleted."""
        if not _storable(id):
            return False
        with self._lock:
            cur = self._db.execute("DELETE FROM docs WHERE kind = ? AND id = ?", (kind, id))
        return cur.rowcount > 0

    def list(self, kind: str) -> list[dict[str, Any]]:
        """Every document of ``kind`` in id order."""
        with self._lock:
            rows = self._db.execute("SELECT body FROM docs WHERE kind = ? ORDER BY id", (kind,)).fetchall()
        return [_load(r[0]) for r in rows]

    def count(self, kind: str) -> int:
        """How many documents of ``kind`` exist."""
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM docs WHERE kind = ?", (kind,)).fetchone()
        return int(row[0])

    def close(self) -> None:
        """Close the underlying connection."""
        with self._lock:
            self._db.close()

    # -- internals ------------------------------------------------------------

    def _next_id(self, kind: str) -> int:
        row = self._db.execute("SELECT last_id FROM sequences WHERE kind = ?", (kind,)).fetchone()
        next_id = _FIRST_ID if row is None else int(row[0]) + 1
        self._db.execute("INSERT OR REPLACE INTO sequences (kind, last_id) VALUES (?, ?)", (kind, next_id))
        return next_id

    def _bump_sequence(self, kind: str, id: int) -> None:
        # Explicit ids must never be handed out again by _next_id.
        self._db.execute(
            "INSERT INTO sequences (kind, last_id) VALUES (?, ?) "
            "ON CONFLICT(kind) DO UPDATE SET last_id = MAX(last_id, excluded.last_id)",
            (kind, id),
        )


def _load(text: str) -> dict[str, Any]:
    value = json.loads(text)
    assert isinstance(value, dict)
    return value


def _storable(id: int) -> bool:
    # SQLite integers are signed 64-bit; larger ids cannot exist, and asking would raise.
    return isinstance(id, int) and -(2**63) <= id < 2**63
