"""A load's reads of the store come in batches of thousands of rows (one record of
columns on Neo4j: graph/neo4j_load_checks.py): on every engine, a bad row among
thousands is still named by its file, line and field with nothing written, and a
second load finds exactly the rows that changed, empty fields and days included."""

from __future__ import annotations

import csv
from pathlib import Path

from loaders.load import load

ROWS = 3_000


def duns(n: int) -> str:
    return f"{100_000_000 + n}"


def write_network(folder: Path, *, names: dict[int, str] | None = None) -> Path:
    """A member sourcing from ROWS suppliers, each with a DUNS; every other edge has a
    day, every third supplier no country-free field left empty (abbreviation)."""
    folder.mkdir(parents=True, exist_ok=True)
    names = names or {}
    with (folder / "organisations.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "kind", "name", "country", "duns", "abbreviation"])
        w.writerow(["M-BATCH", "member", "Batch Brands", "NL", "", ""])
        for n in range(ROWS):
            abbreviation = f"S{n}" if n % 3 == 0 else ""
            name = names.get(n, f"Supplier {n}")
            w.writerow([f"S-{n:05d}", "supplier", name, "GH", duns(n), abbreviation])
    with (folder / "sourcing.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["buyer", "seller", "commodity", "since"])
        for n in range(ROWS):
            w.writerow(["M-BATCH", f"S-{n:05d}", "cocoa", "2024-01-15" if n % 2 else ""])
    return folder


def test_an_identifier_held_by_a_stored_organisation_is_found_among_thousands(
    engine_store, tmp_path
):
    store = engine_store
    assert load(store, [write_network(tmp_path / "first")]).ok
    before = store.export()
    path = tmp_path / "new" / "organisations.csv"
    path.parent.mkdir()
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "kind", "name", "country", "duns"])
        for n in range(ROWS):  # new organisations, new identifiers, but one
            taken = duns(1234) if n == 2_500 else duns(ROWS + n)
            w.writerow([f"N-{n:05d}", "supplier", f"New {n}", "CI", taken])

    report = load(store, [path])

    assert [(p.file, p.line, p.field) for p in report.problems] == [(str(path), 2_502, "duns")]
    assert "already held by stored organisation 'S-01234'" in report.problems[0].reason
    assert not report.written
    assert store.export() == before  # nothing half-written


def test_a_second_load_of_thousands_of_rows_writes_exactly_the_changed_ones(engine_store, tmp_path):
    store = engine_store
    assert load(store, [write_network(tmp_path / "first")]).ok

    again = load(store, [write_network(tmp_path / "again")])
    assert again.ok and again.written == {}
    assert again.unchanged == {"organisations": ROWS + 1, "sourcing": ROWS}

    renamed = {7: "Supplier seven", 2_999: "Supplier last"}  # one with, one without abbreviation
    changed = load(store, [write_network(tmp_path / "changed", names=renamed)])
    assert changed.written == {"organisations": 2}
    assert {o.id: o.name for o in changed.batch.organisations} == {
        "S-00007": "Supplier seven",
        "S-02999": "Supplier last",
    }
    assert {o.id: o.name for o in store.organisations(["S-00007", "S-02999"])} == {
        "S-00007": "Supplier seven",
        "S-02999": "Supplier last",
    }
