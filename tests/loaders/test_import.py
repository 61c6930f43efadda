"""`tiergraph import`: Neo4j's offline importer, run for real on a fresh Neo4j home,
then the database opened by the embedded Neo4j and read back through the store."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest
from typer.testing import CliRunner

from graph.codec import sorted_batch
from graph.model import Organisation, Requirement, Sourcing
from graph.neo4j_import import LAUNCHER_DIR, ImportFailed, run_import, write_import_files
from graph.neo4j_store import Neo4jStore
from graph.sqlite_store import SqliteStore
from loaders.generate import generate
from loaders.writers import write_csv_dir
from tests.conftest import IN_CI
from tests.factories import small_network
from tiergraph.cli import app
from tiergraph.launcher import EmbeddedNeo4j

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _importer_jars():
    if not (LAUNCHER_DIR / "lib").is_dir():
        message = f"{LAUNCHER_DIR}/lib is missing: run scripts/setup.sh"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def awkward_network():
    """small_network plus text the CSV files must carry intact: commas, quotes,
    line breaks, non-ASCII, an empty list, a duplicate edge row (the last wins)."""
    batch = small_network()
    batch.organisations.append(
        Organisation("S4", batch.organisations[0].kind.SUPPLIER, 'Kakao "Süd", Ltd\nDepot 2', "CI")
    )
    batch.requirements.append(Requirement("R2", "Deforestation-free; no \u00e9 loss", "1", ()))
    batch.sourcing += [
        Sourcing("S1", "S4", "cocoa", date(2020, 2, 29), "S1"),
        Sourcing("S1", "S4", "cocoa", date(2021, 3, 1), "S1"),
    ]
    batch.audits[0] = dataclasses.replace(batch.audits[0], shared_with_all=True, rating=None)
    return batch


def expected(batch):
    memory = SqliteStore()
    memory.write(batch)
    return memory


def test_an_imported_network_reads_back_as_the_online_write_stores_it(tmp_path):
    batch = awkward_network()
    batch.extend(generate(nodes=1500, members=3, seed=7))
    files = write_import_files(batch, tmp_path / "files")
    run_import(files, tmp_path / "home")
    with EmbeddedNeo4j(tmp_path / "home") as neo4j:
        store = Neo4jStore.connect(neo4j.uri)
        try:
            want = expected(batch)
            assert store.counts() == want.counts()
            assert sorted_batch(store.export()) == sorted_batch(want.export())
        finally:
            store.close()


def test_the_importer_refuses_an_existing_database_unless_told_to_replace_it(tmp_path):
    first = write_import_files(small_network(), tmp_path / "one")
    run_import(first, tmp_path / "home")
    second = write_import_files(generate(nodes=300, members=2, seed=1), tmp_path / "two")
    with pytest.raises(ImportFailed, match="exist"):
        run_import(second, tmp_path / "home")
    run_import(second, tmp_path / "home", replace=True)
    with EmbeddedNeo4j(tmp_path / "home") as neo4j:
        store = Neo4jStore.connect(neo4j.uri)
        try:
            assert store.counts() == expected(generate(nodes=300, members=2, seed=1)).counts()
        finally:
            store.close()


def test_cli_import_checks_every_row_and_writes_nothing_on_a_bad_one(tmp_path):
    src = tmp_path / "src"
    write_csv_dir(small_network(), src)
    sourcing = src / "sourcing.csv"
    sourcing.write_text(sourcing.read_text() + "S1,NOBODY,cocoa,,\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["import", str(src), "--out", str(tmp_path / "files"), "--neo4j-home", str(tmp_path / "h")],
    )
    assert result.exit_code == 1
    assert "sourcing.csv" in result.output and "NOBODY" in result.output
    assert not (tmp_path / "files").exists() and not (tmp_path / "h").exists()


def test_cli_import_json_report(tmp_path):
    src = tmp_path / "src"
    write_csv_dir(small_network(), src)
    result = CliRunner().invoke(
        app,
        ["import", str(src), "--out", str(tmp_path / "files"), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    want = expected(small_network()).counts()
    assert report["ok"] and not report["imported"]
    assert (
        report["relationships"]
        == sum(
            want[k]
            for k in ("requires", "sourcing", "pass_on", "adoptions", "shares", "recognitions")
        )
        + want["audits"]
        + want["findings"]
    )  # each audit COVERS a site, each finding hangs off one
    assert report["command"].startswith("neo4j-admin database import full neo4j @")


def test_the_importer_refuses_a_home_whose_server_is_running(tmp_path):
    files = write_import_files(small_network(), tmp_path / "files")
    run_import(files, tmp_path / "home")
    with EmbeddedNeo4j(tmp_path / "home"):
        with pytest.raises(ImportFailed, match="in use"):
            run_import(files, tmp_path / "home", replace=True)
