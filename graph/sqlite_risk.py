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
# Columns as joined strings (several times faster than a row each at a million rows);
# the unit separator cannot be in an id, a country or a commodity, else rows are read.
SEPARATOR = "\x1f"
COUNTRIES_JOINED = """
SELECT group_concat(handle), group_concat(id, char(31)), group_concat(country, char(31)),
  count(*) FROM (SELECT handle, id, country FROM organisation ORDER BY id)
"""
COUNTRIES = "SELECT handle, id, country FROM organisation ORDER BY id"
COMMODITIES_JOINED = """
SELECT group_concat(buyer), group_concat(seller, char(31)), group_concat(commodity, char(31)),
  count(*)
FROM sourcing
"""
COMMODITIES = "SELECT buyer, seller, commodity FROM sourcing"


def save(db: sqlite3.Connection, table: RiskTableRecord) -> None:
    db.execute(
        SAVE, (table.kind, table.source, table.edition, table.imported, orjson.dumps(table.rows))
    )


def tables(db: sqlite3.Connection) -> list[RiskTableRecord]:
    return [RiskTableRecord(k, s, e, i, orjson.loads(r)) for k, s, e, i, r in db.execute(TABLES)]


def _columns(
    db: sqlite3.Connection, joined: str, rows: str
) -> tuple[list[int], list[str], list[str]]:
    first, second, third, count = db.execute(joined).fetchone()
    if not count:
        return [], [], []
    out = (second.split(SEPARATOR), third.split(SEPARATOR))
    if all(len(c) == count for c in out):
        return [int(h) for h in first.split(",")], out[0], out[1]
    a, b, c = zip(*db.execute(rows).fetchall(), strict=True)
    return list(a), list(b), list(c)


def countries(db: sqlite3.Connection) -> tuple[list[int], list[str], list[str]]:
    return _columns(db, COUNTRIES_JOINED, COUNTRIES)


def commodities(db: sqlite3.Connection) -> tuple[list[int], list[int], list[str]]:
    buyers, sellers, names = _columns(db, COMMODITIES_JOINED, COMMODITIES)
    return buyers, [int(s) for s in sellers], names
