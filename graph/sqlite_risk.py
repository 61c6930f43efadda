"""The embedded store's risk tables: SQL and the two reads and one write behind the
port's save_risk_table, risk_tables and sourcing_commodities."""

from __future__ import annotations

import sqlite3

import numpy as np
import orjson

from graph.store import RiskTableRecord

RISK_SCHEMA = """
CREATE TABLE IF NOT EXISTS risk_table (
  kind TEXT PRIMARY KEY, source TEXT NOT NULL, edition TEXT NOT NULL,
  imported TEXT NOT NULL, rows BLOB NOT NULL) WITHOUT ROWID;
"""
SAVE = "INSERT OR REPLACE INTO risk_table VALUES (?, ?, ?, ?, ?)"
TABLES = "SELECT kind, source, edition, imported, rows FROM risk_table ORDER BY kind"
# Columns as joined strings (several times faster than a row each at a million rows);
# the unit separator cannot be in an id or a country, else the rows are read.
SEPARATOR = "\x1f"
COUNTRIES_JOINED = """
SELECT group_concat(handle), group_concat(id, char(31)), group_concat(country, char(31)),
  count(*) FROM organisation
"""
COUNTRIES = "SELECT handle, id, country FROM organisation"
# Commodities as their index among the distinct ones, sorted.
DISTINCT_COMMODITIES = "SELECT DISTINCT commodity FROM sourcing ORDER BY commodity"
COMMODITIES_JOINED = """
WITH c AS (
  SELECT commodity, row_number() OVER (ORDER BY commodity) - 1 AS k
  FROM (SELECT DISTINCT commodity FROM sourcing))
SELECT group_concat(s.buyer), group_concat(s.seller), group_concat(c.k), count(*)
FROM sourcing s JOIN c ON c.commodity = s.commodity
"""


def save(db: sqlite3.Connection, table: RiskTableRecord) -> None:
    db.execute(
        SAVE, (table.kind, table.source, table.edition, table.imported, orjson.dumps(table.rows))
    )


def tables(db: sqlite3.Connection) -> list[RiskTableRecord]:
    return [RiskTableRecord(k, s, e, i, orjson.loads(r)) for k, s, e, i, r in db.execute(TABLES)]


def _ints(joined: str | None) -> np.ndarray:
    return np.fromstring(joined or "", dtype=np.int64, sep=",") if joined else np.zeros(0, np.int64)


def countries(db: sqlite3.Connection) -> tuple[np.ndarray, list[str], list[str]]:
    handles, ids, found, count = db.execute(COUNTRIES_JOINED).fetchone()
    if not count:
        return np.zeros(0, np.int64), [], []
    ids_, countries_ = ids.split(SEPARATOR), found.split(SEPARATOR)
    if len(ids_) == len(countries_) == count:
        return _ints(handles), ids_, countries_
    rows = db.execute(COUNTRIES).fetchall()
    return np.array([r[0] for r in rows], np.int64), [r[1] for r in rows], [r[2] for r in rows]


def commodities(db: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    with_snapshot = db.in_transaction
    if not with_snapshot:
        db.execute("BEGIN")  # the names and the indexes of one state
    try:
        names = [c for (c,) in db.execute(DISTINCT_COMMODITIES)]
        buyers, sellers, index, _ = db.execute(COMMODITIES_JOINED).fetchone()
    finally:
        if not with_snapshot:
            db.execute("COMMIT")
    return _ints(buyers), _ints(sellers), _ints(index).astype(np.int32), names
