"""A write request's API key, read with the request's first round trip instead of
a round trip of its own before the request runs (docs/api.md, "Authentication";
api/edge.py sets it, graph.neo4j_store reads it).

On Neo4j a mutation's first round trip is the read of the kept changes its pin makes
(graph.neo4j_rows, RowCopy.bring_past); the key's record comes with it. The store
confirms the key before it writes (a key found not valid never writes), and the edge
reads the record at the end of a request that made no round trip before answering.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from typing import Any


class KeyRefused(BaseException):
    """A write request's key was found not valid (revoked) before its write: the
    request is answered 401 and nothing is written (api/edge.py). Not an Exception:
    no `except Exception` on the way turns it into an answer."""


class KeyCheck:
    """A write request's key, trusted from the key cache until its record is read
    with the request's first round trip (on Neo4j the kept changes' read that a
    mutation's pin makes: graph.neo4j_store), instead of a round trip of its own
    before the request runs. `valid(record)` says whether the record found lets the
    key act (the key's hash, not revoked: access.keys); `found` is None until read.
    The store calls `confirm` before it writes: a key found not valid never writes
    (docs/api.md, "Authentication"); the edge reads the record at the end of a
    request that made no round trip."""

    __slots__ = ("found", "key_id", "started", "valid")

    def __init__(self, key_id: str, valid: Callable[[Any], bool]) -> None:
        self.key_id = key_id
        self.valid = valid
        self.found: bool | None = None
        self.started = time.monotonic()  # the record is read after this

    def take(self, record: Any) -> None:
        """The key's record (None: no such key), read in this request."""
        self.found = self.valid(record)

    def confirm(self, read: Callable[[str], Any]) -> None:
        """Before a write: the record read now when it was not yet (`read(key_id)`);
        KeyRefused when it does not let the key act."""
        if self.found is None:
            self.take(read(self.key_id))
        if not self.found:
            raise KeyRefused


_check: contextvars.ContextVar[KeyCheck | None] = contextvars.ContextVar("key_ahead", default=None)


def check_ahead(check: KeyCheck | None) -> None:
    """The current request's key, to be read with its first round trip (None: read)."""
    _check.set(check)


def pending() -> KeyCheck | None:
    """The current request's key whose record is still to be read, if any."""
    check = _check.get()
    return check if check is not None and check.found is None else None


def current() -> KeyCheck | None:
    """The current request's key check, read or not."""
    return _check.get()
