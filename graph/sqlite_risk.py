"""The embedded store's risk tables: SQL and the two reads and one write behind the
port's save_risk_table, risk_tables and sourcing_commodities."""

from __future__ import annotations

import sqlite3

import orjson

from graph.store import RiskTableRecord

RISK_SCHEMA = """
CREATE TABLE IF NOT EXISTS risk_table (
  kind TEXT PRIMARY KEY, source TEXT NOT NULL, edition TEXT NOT NULL,
  imported TEXT NOT NULL, rows BLOB NOT NULL) WITHOUT ROWID;
"""
SAVE = "INSERT OR REPLACE INTO risk_table VALUES (?, ?, ?, ?, ?)"
TABLES = "SELECT kind, source, edition, imported, rows FROM risk_table ORDER BY kind"
COMMODITIES = """
SELECT b.id, s.id, e.commodity FROM sourcing e
JOIN organisation b ON b.handle = e.buyer JOIN organisation s ON s.handle = e.seller
"""
# The same as three strings joined in SQLite (2.7x faster than a row per edge at 340,000
# edges); the unit separator cannot be in an id or a commodity, else the rows are read.
SEPARATOR = "\x1f"
COMMODITIES_JOINED = """
SELECT group_concat(b.id, char(31)), group_concat(s.id, char(31)),
  group_concat(e.commodity, char(31)), count(*) FROM sourcing e
JOIN organisation b ON b.handle = e.buyer JOIN organisation s ON s.handle = e.seller
"""


def save(db: sqlite3.Connection, table: RiskTableRecord) -> None:
    db.execute(
        SAVE, (table.kind, table.source, table.edition, table.imported, orjson.dumps(table.rows))
    )


def tables(db: sqlite3.Connection) -> list[RiskTableRecord]:
    return [RiskTableRecord(k, s, e, i, orjson.loads(r)) for k, s, e, i, r in db.execute(TABLES)]


def commodities(db: sqlite3.Connection) -> tuple[list[str], list[str], list[str]]:
    buyers, sellers, names, count = db.execute(COMMODITIES_JOINED).fetchone()
    if not count:
        return [], [], []
    columns = [buyers.split(SEPARATOR), sellers.split(SEPARATOR), names.split(SEPARATOR)]
    if all(len(c) == count for c in columns):
        return columns[0], columns[1], columns[2]
    rows = db.execute(COMMODITIES).fetchall()
    if not rows:
        return [], [], []
    b, s, c = zip(*rows, strict=True)
    return list(b), list(s), list(c)
