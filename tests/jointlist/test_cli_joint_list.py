"""`tiergraph joint-list` on a generated network loaded from files (the generator's
consents go through the organisations column `listed`): JSON, CSV and the table
say the same, and the JSON is the service's answer."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date

from graph.model import GraphBatch
from graph.sqlite_store import SqliteStore
from jointlist.listing import joint_list_on
from tests.test_cli import data_dir, run, run_json  # noqa: F401 - data_dir is a fixture


def test_joint_list_in_json_csv_and_a_table(data_dir):  # noqa: F811
    net = data_dir / "net"
    run_json("generate", str(net), "--nodes", "600", "--members", "3")
    assert run_json("load", str(net))["ok"]
    got = run_json("joint-list", "--as-of", "2026-11-25")
    assert got["as_of"] == "2026-11-25" and got["entries"]
    store = SqliteStore(data_dir / "data")
    try:
        want = [e.as_dict() for e in joint_list_on(store, date(2026, 11, 25))]
    finally:
        store.close()
    assert got["entries"] == want
    code, text = run("joint-list", "--as-of", "2026-11-25", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == [e["id"] for e in want]
    assert {r["open_critical_finding"] for r in rows} <= {"yes", "no"}
    assert rows[0]["audits"].startswith(want[0]["audits"][0]["scheme"] + " until ")
    code, text = run("joint-list", "--as-of", "2026-11-25")
    assert code == 0 and f"list on 2026-11-25: {len(want)}" in text
    code, _ = run("joint-list", "--as-of", "2026-13-01")
    assert code == 2


def test_a_name_a_spreadsheet_would_run_is_text_in_the_csv(data_dir):  # noqa: F811
    """The list goes to the whole forum as a spreadsheet: a supplier's name that
    starts with = gets a leading apostrophe in the CSV (exports.spreadsheet), and
    stays as written in the JSON."""
    net = data_dir / "net"
    run_json("generate", str(net), "--nodes", "600", "--members", "3")
    assert run_json("load", str(net))["ok"]
    first = run_json("joint-list", "--as-of", "2026-11-25")["entries"][0]
    store = SqliteStore(data_dir / "data")
    try:
        (listed,) = store.organisations([first["id"]])
        store.write(GraphBatch(organisations=[replace(listed, name="=1+1")]))
    finally:
        store.close()
    assert run_json("joint-list", "--as-of", "2026-11-25")["entries"][0]["name"] == "=1+1"
    code, text = run("joint-list", "--as-of", "2026-11-25", "--format", "csv")
    assert code == 0
    assert next(csv.DictReader(io.StringIO(text)))["name"] == "'=1+1"
