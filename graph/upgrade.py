"""Data folders of earlier versions: the embedded store kept the whole graph in
one JSON file (store.json). The first open converts it, once, into SQLite."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import orjson

from graph.codec import batch_from_dict
from graph.sqlite_board import BOARD_SUFFIX
from graph.sqlite_store import DB_FILE, SqliteStore
from graph.store import StoredResult

JSON_FILE = "store.json"
CONVERTED_SUFFIX = ".converted"


def convert_json_store(data_dir: Path) -> bool:
    """Convert data_dir/store.json into data_dir/store.db when there is no store.db
    yet; the JSON file is kept, renamed store.json.converted. The new database is
    built under a temporary name and renamed whole: an interrupted conversion
    leaves the JSON file as it was and no database."""
    source = data_dir / JSON_FILE
    target = data_dir / DB_FILE
    if not source.exists() or target.exists():
        return False
    print(f"converting {source} to {target} (once)...", file=sys.stderr)
    data = orjson.loads(source.read_bytes())
    building = data_dir / ".converting"
    for leftover in building.glob("*") if building.exists() else []:
        leftover.unlink()
    store = SqliteStore(building)
    try:
        store.write(batch_from_dict(data["graph"]))
        stored = data.get("extra", {}).get("results", {}).values()
        store.save_results([StoredResult(**r) for r in stored])
    finally:
        store.close()  # the last connection closing folds the WAL into the file
    os.replace(building / DB_FILE, target)
    (building / (DB_FILE + BOARD_SUFFIX)).unlink(missing_ok=True)  # its processes' board
    building.rmdir()
    source.rename(source.with_name(JSON_FILE + CONVERTED_SUFFIX))
    return True
