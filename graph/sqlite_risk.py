"""The embedded store's risk tables: SQL and the two reads and one write behind the
port's save_risk_table, risk_tables and sourcing_commodities."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, overload

import orjson

from graph.store import RiskTableRecord

if TYPE_CHECKING:
    import numpy as np

RISK_SCHEMA = """
CREATE TABLE IF NOT EXISTS risk_table (
  kind TEXT PRIMARY KEY, source TEXT NOT NULL, edition TEXT NOT NULL,
  imported TEXT NOT NULL, rows BLOB NOT NULL) WITHOUT ROWID;
"""
SAVE = "INSERT OR REPLACE INTO risk_table VALUES (?, ?, ?, ?, ?)"
TABLES = "SELECT kind, source, edition, imported, rows FROM risk_table ORDER BY kind"
# Columns as joined strings (several times faster than a row each at a million rows);
# the unit separator cannot be in an id, else the rows are read. Distinct values
# (countries, commodities) come as their index among the sorted distinct ones, by a
# CASE of bound parameters (a join with the distinct values cost twice as much).
SEPARATOR = "\x1f"
IDS_JOINED = """
SELECT group_concat(handle), group_concat(id, char(31)), count(*)
FROM (SELECT handle, id FROM organisation ORDER BY id)
"""
IDS = "SELECT handle, id FROM organisation ORDER BY id"
DISTINCT = {
    "commodity": "SELECT DISTINCT commodity FROM sourcing ORDER BY commodity",
}
COUNTRIES_JOINED = "SELECT group_concat(handle), group_concat(country, char(31)) FROM organisation"
# Countries are ISO alpha-2 codes (or ''): two characters each, without a separator,
# become a numpy array of 2-byte strings with no Python string per organisation (a
# million of those held 60 MB while the risk columns were read).
COUNTRIES_FIXED = """
SELECT group_concat(handle), group_concat(substr(country || '  ', 1, 2), ''),
       max(length(country)), count(*)
FROM organisation
"""
COUNTRIES = "SELECT handle, country FROM organisation"
COMMODITY_INDEXES = (
    "SELECT group_concat(buyer), group_concat(seller), group_concat({index}) FROM sourcing"
)


def save(db: sqlite3.Connection, table: RiskTableRecord) -> None:
    db.execute(
        SAVE, (table.kind, table.source, table.edition, table.imported, orjson.dumps(table.rows))
    )


def tables(db: sqlite3.Connection) -> list[RiskTableRecord]:
    return [RiskTableRecord(k, s, e, i, orjson.loads(r)) for k, s, e, i, r in db.execute(TABLES)]


def _ints(joined: str | None) -> np.ndarray:
    import numpy as np  # only the risk model reads these: `status` must not load numpy

    return np.fromstring(joined, dtype=np.int64, sep=",") if joined else np.zeros(0, np.int64)


def _index(column: str, names: list[str]) -> tuple[str, list[str]]:
    """A CASE giving each value's index in `names` (SQL text with ? for the values)."""
    if not names:
        return "0", []
    whens = " ".join(f"WHEN ? THEN {i}" for i in range(len(names)))
    return f"CASE {column} {whens} END", names


class JoinedIds(Sequence[str]):
    """Ids joined by SEPARATOR, split only when a caller indexes them: the risk
    columns compare `joined` with the projection's ids and never need a million
    Python strings (68 MB at the reads' peak)."""

    def __init__(self, joined: str, count: int):
        self.joined, self.separator, self._count = joined, SEPARATOR, count
        self._split: list[str] | None = None

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, at: int) -> str: ...
    @overload
    def __getitem__(self, at: slice) -> list[str]: ...
    def __getitem__(self, at: int | slice) -> str | list[str]:
        if self._split is None:
            self._split = self.joined.split(SEPARATOR)
        return self._split[at]


def countries(
    db: sqlite3.Connection,
) -> tuple[np.ndarray, Sequence[str], np.ndarray, list[str]]:
    """Handles and ids in id order, each one's country index, the countries."""
    import numpy as np

    with _snapshot(db):
        handles, ids, count = db.execute(IDS_JOINED).fetchone()
        if not count:
            return np.zeros(0, np.int64), [], np.zeros(0, np.int32), []
        by_handle, fixed, longest, rows = db.execute(COUNTRIES_FIXED).fetchone()
        raw = fixed.encode("utf-8") if fixed else b""
        if longest is not None and longest <= 2 and len(raw) == 2 * rows:
            found = None  # two ASCII characters each: read as fixed-width bytes
        else:
            by_handle, found = db.execute(COUNTRIES_JOINED).fetchone()
    handle = _ints(handles)
    ids_: Sequence[str] = JoinedIds(ids, count)
    if ids.count(SEPARATOR) != count - 1:  # an id holds the separator: read the rows
        rows_ = db.execute(IDS).fetchall()
        handle, ids_ = np.array([r[0] for r in rows_], np.int64), [r[1] for r in rows_]
    # Countries are a few dozen short codes: numpy's sort of them beats SQL's CASE.
    h = _ints(by_handle)
    if found is None:
        padded, codes = np.unique(np.frombuffer(raw, dtype="S2"), return_inverse=True)
        del raw
        names_ = np.array([c.decode("ascii").rstrip() for c in padded.tolist()], dtype=str)
    else:
        each = found.split(SEPARATOR)
        if len(each) != len(h):  # a country holds the separator: read the rows
            rows_ = db.execute(COUNTRIES).fetchall()
            h, each = np.array([r[0] for r in rows_], np.int64), [r[1] for r in rows_]
        names_, codes = np.unique(np.array(each, dtype=str), return_inverse=True)
    code_of = np.zeros(int(handle.max(initial=0)) + 1, dtype=np.int32)
    inside = h < len(code_of)  # written after the ids were read: not in this state
    code_of[h[inside]] = codes[inside]
    return handle, ids_, code_of[handle], names_.tolist()


def commodities(db: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    import numpy as np

    with _snapshot(db):
        names = [c for (c,) in db.execute(DISTINCT["commodity"])]
        index, params = _index("commodity", names)
        joined = list(db.execute(COMMODITY_INDEXES.format(index=index), params).fetchone())
    # Each joined column parsed and dropped before the next (three held at once, and
    # their arrays, were the peak of the risk model's reads).
    columns = []
    for i in range(3):
        columns.append(_ints(joined[i]))
        joined[i] = None
    return columns[0], columns[1], columns[2].astype(np.int32), names


@contextmanager
def _snapshot(db: sqlite3.Connection) -> Iterator[None]:
    """Several reads of one committed state."""
    if db.in_transaction:
        yield
        return
    db.execute("BEGIN")
    try:
        yield
    finally:
        db.execute("COMMIT")
