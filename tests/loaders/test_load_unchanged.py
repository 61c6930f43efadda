"""Loading files again, on every store: the report says which rows the store held
already exactly so (`unchanged`) and which it wrote (`written`: new or changed),
compared with a naive re-statement (a file's row is unchanged when the store's
export holds an equal row); rows found unchanged are not written again (no new
graph version: nothing for the cascade to recompute)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from graph.model import BATCH_FIELDS
from loaders import beside
from loaders.generate import REFERENCE_DAY, generate
from loaders.load import load, read_and_check
from loaders.writers import write_csv_dir

SEED = 5


def network_files(folder: Path) -> Path:
    batch = generate(nodes=400, members=2, seed=SEED)
    write_csv_dir(batch, folder)
    beside.write_csv(beside.generated(batch, seed=SEED, today=REFERENCE_DAY), folder)
    return folder


def naive_unchanged(store, folder: Path) -> dict[str, int]:
    """Rows of the files equal to a row the store holds, by kind (graph rows only)."""
    stored = store.export()
    _, batch = read_and_check(store, [folder], today=REFERENCE_DAY)
    counts = {
        kind: sum(row in set(getattr(stored, kind)) for row in getattr(batch, kind))
        for kind in BATCH_FIELDS
    }
    return {kind: n for kind, n in counts.items() if n}


def rename(folder: Path, org_id: str, name: str) -> None:
    path = folder / "organisations.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["id"] == org_id:
            row["name"] = name
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_an_identical_load_writes_nothing_and_says_every_row_was_unchanged(store, tmp_path):
    folder = network_files(tmp_path / "net")
    first = load(store, [folder], today=REFERENCE_DAY)
    assert first.ok and first.unchanged == {}
    assert first.written["organisations"] == 400
    version, exported = store.graph_version(), store.export()
    assert naive_unchanged(store, folder) == {
        k: n for k, n in first.written.items() if k in BATCH_FIELDS
    }

    again = load(store, [folder], today=REFERENCE_DAY)
    assert again.ok and again.written == {}
    assert again.unchanged == first.written  # corrective actions and share requests too
    assert again.as_dict()["written"] == {} and again.as_dict()["unchanged"] == first.written
    assert store.graph_version() == version  # nothing written: the same graph
    assert store.export() == exported


def test_a_changed_row_is_written_and_the_rest_counted_unchanged(store, tmp_path):
    folder = network_files(tmp_path / "net")
    first = load(store, [folder], today=REFERENCE_DAY)
    supplier = next(o for o in store.export().organisations if o.kind == "supplier")
    rename(folder, supplier.id, supplier.name + " Holdings")
    expected = naive_unchanged(store, folder)
    assert expected["organisations"] == 399

    again = load(store, [folder], today=REFERENCE_DAY)
    assert again.written == {"organisations": 1}
    assert {k: n for k, n in again.unchanged.items() if k in BATCH_FIELDS} == expected
    assert again.unchanged["corrective_actions"] == first.written["corrective_actions"]
    assert store.organisations([supplier.id])[0].name == supplier.name + " Holdings"


@pytest.mark.parametrize("kind", ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_the_command_says_what_changed_on_each_store(kind, tmp_path, monkeypatch, request):
    from typer.testing import CliRunner

    from tiergraph.cli import app

    monkeypatch.setenv("TIERGRAPH_STORE", kind)
    monkeypatch.setenv("TIERGRAPH_DATA_DIR", str(tmp_path / "data"))
    if kind == "neo4j":
        request.getfixturevalue("neo4j_store")  # an empty database at TIERGRAPH_NEO4J_URI
    folder = network_files(tmp_path / "net")
    runner = CliRunner()
    first = json.loads(
        runner.invoke(app, ["load", str(folder), "--recompute", "none", "-f", "json"]).stdout
    )
    assert first["ok"] and first["unchanged"] == {}
    again = runner.invoke(app, ["load", str(folder), "-f", "json"])  # Neo4j: would queue jobs
    report = json.loads(again.stdout)
    assert report["written"] == {} and report["unchanged"] == first["written"]
    assert report["queued_jobs"] == []  # nothing changed: nothing to recompute
    table = runner.invoke(app, ["load", str(folder)]).stdout
    assert "nothing changed" in table
    assert re.search(r"│ organisations\s+│\s+0 │\s+400 │", table)
