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


def save(db: sqlite3.Connection, table: RiskTableRecord) -> None:
    db.execute(
        SAVE, (table.kind, table.source, table.edition, table.imported, orjson.dumps(table.rows))
    )


def tables(db: sqlite3.Connection) -> list[RiskTableRecord]:
    return [RiskTableRecord(k, s, e, i, orjson.loads(r)) for k, s, e, i, r in db.execute(TABLES)]


def commodities(db: sqlite3.Connection) -> tuple[list[str], list[str], list[str]]:
    rows = db.execute(COMMODITIES).fetchall()
    if not rows:
        return [], [], []
    b, s, c = zip(*rows, strict=True)
    return list(b), list(s), list(c)
