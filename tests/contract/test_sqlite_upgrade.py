"""A data folder of format 1 (before abbreviation, lat, lon and unique identifiers)
opens in place: its organisations gain the columns, identifiers become unique."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from graph import sqlite_sql as sql
from graph.model import GraphBatch, Kind, Organisation
from graph.sqlite_store import DB_FILE, SqliteStore
from graph.store import IdentifierTaken, StoreError
from tests.factories import LEI, org

# The two tables of format 1 that format 2 changes; opening makes the others.
FORMAT_1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE organisation (
  handle INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind INTEGER NOT NULL,
  name TEXT NOT NULL, country TEXT NOT NULL,
  lei TEXT, duns TEXT, gln TEXT, os_id TEXT, mill_id TEXT);
CREATE INDEX organisation_by_kind ON organisation (kind, id);
INSERT INTO meta VALUES ('format', '1'), ('version', '3'), ('database_id', 'old-db');
"""


def format_1(folder: Path, *organisations: tuple) -> Path:
    folder.mkdir()
    db = sqlite3.connect(folder / DB_FILE)
    db.executescript(FORMAT_1)
    db.executemany(
        "INSERT INTO organisation (id, kind, name, country, lei, mill_id) VALUES (?, ?, ?, ?, ?, ?)",
        organisations,
    )
    db.commit()
    db.close()
    return folder


def meta_format(folder: Path) -> str:
    with sqlite3.connect(folder / DB_FILE) as db:
        return db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()[0]


def test_a_format_1_store_opens_migrated_and_keeps_its_data(tmp_path):
    folder = format_1(
        tmp_path / "old",
        ("S1", 1, "Gold Coast Trading", "GH", LEI, None),
        ("MILL", 1, "Sawit Jaya POM", "ID", None, "PO1000008590"),
    )
    store = SqliteStore(folder)
    assert store.export().organisations == [
        Organisation("MILL", Kind.SUPPLIER, "Sawit Jaya POM", "ID", mill_id="PO1000008590"),
        Organisation("S1", Kind.SUPPLIER, "Gold Coast Trading", "GH", lei=LEI),
    ]
    assert meta_format(folder) == sql.FORMAT
    assert (store.database_id(), store.graph_version()) == ("old-db", "3")
    store.write(GraphBatch(organisations=[org("S1", abbreviation="GCT", lat=5.6, lon=-0.19)]))
    assert store.organisations(["S1"])[0].abbreviation == "GCT"
    with pytest.raises(IdentifierTaken):
        store.write(GraphBatch(organisations=[org("S2", mill_id="PO1000008590")]))
    store.close()
    again = SqliteStore(folder)  # the migration is done once; opening again is plain
    assert again.organisations(["S1"])[0].lat == 5.6


def test_a_format_1_store_whose_organisations_share_an_identifier_is_refused_unchanged(tmp_path):
    folder = format_1(
        tmp_path / "old",
        ("A", 1, "Alpha", "GH", LEI, None),
        ("B", 1, "Beta", "GH", LEI, None),
        ("C", 1, "Gamma", "GH", None, None),
    )
    with pytest.raises(StoreError) as caught:
        SqliteStore(folder)
    message = str(caught.value)
    assert f"lei {LEI}: A, B" in message and "UPDATE organisation SET" in message
    assert meta_format(folder) == "1"  # rolled back whole: columns and indexes too
    with sqlite3.connect(folder / DB_FILE) as db:
        db.execute("UPDATE organisation SET lei = NULL WHERE id = 'B'")
    assert SqliteStore(folder).holders([("lei", LEI)]) == {("lei", LEI): "A"}


def test_a_store_of_an_unknown_format_is_refused(tmp_path):
    folder = format_1(tmp_path / "new")
    with sqlite3.connect(folder / DB_FILE) as db:
        db.execute("UPDATE meta SET value = '9' WHERE key = 'format'")
    with pytest.raises(RuntimeError, match="format 9"):
        SqliteStore(folder)


def test_the_identifier_lookups_seek_their_indexes(tmp_path):
    store = SqliteStore(tmp_path)
    for query in (*sql.HOLDERS.values(), sql.MATCH_CANDIDATES):
        plan = " ".join(row[-1] for row in store.db.execute("EXPLAIN QUERY PLAN " + query, ("x",)))
        assert "USING INDEX organisation_" in plan, plan


def test_a_format_2_store_gains_listed_false_and_keeps_its_data(tmp_path):
    folder = tmp_path / "v2"
    store = SqliteStore(folder)
    store.write(GraphBatch(organisations=[org("S1", abbreviation="GCT")]))
    store.close()
    with sqlite3.connect(folder / DB_FILE) as db:  # back to format 2: no listed column
        db.execute("ALTER TABLE organisation DROP COLUMN listed")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'format'")
    store = SqliteStore(folder)
    assert store.organisations(["S1"]) == [org("S1", abbreviation="GCT")]
    assert meta_format(folder) == sql.FORMAT == "3"
    store.write(GraphBatch(organisations=[org("S1", abbreviation="GCT", listed=True)]))
    assert store.organisations(["S1"])[0].listed is True
    store.close()
