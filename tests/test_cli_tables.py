"""Tables for people on a terminal of 80 columns (a real SQLite data folder): every
id a row names is printed whole (a user copies it into the next command), counts
are right-aligned with thousands separators (docs/cli.md)."""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys

import pytest

from tests import test_cli
from tests.test_cli import runner
from tests.test_cli_first_use import loaded
from tiergraph.cli import app

data_dir = test_cli.data_dir
PIPE_BYTES = 4096  # the least a pipe holds on Linux


@pytest.fixture
def network(data_dir, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    loaded(data_dir, nodes=1500, members=2)
    return data_dir


def both(*args: str) -> tuple[str, dict]:
    table = runner.invoke(app, list(args))
    as_json = runner.invoke(app, [*args, "--format", "json"])
    assert table.exit_code == as_json.exit_code == 0, table.output
    return table.stdout, json.loads(as_json.stdout)


def cells(table: str) -> set[str]:
    """Every cell of a rich table's rows, stripped."""
    return {c.strip() for line in table.splitlines() for c in line.split("│")}


def test_every_id_in_a_table_is_whole(network):
    table, answer = both("share-requests", "-m", "M-ACME")
    assert answer["requests"], "the generator makes share requests"
    for r in answer["requests"]:
        assert {r["id"], r["organisation"], r["audit"]} <= cells(table), r
    table, answer = both("risk", "show", "-m", "M-ACME", "--top", "30")
    assert {n["id"] for n in answer["nodes"]} <= cells(table)
    table, answer = both("savings", "-m", "M-ACME")
    for step in ("share_request_away", "recognition_away"):
        for n in answer[step]["nodes"]:
            assert {n["node"], n["audit"]["id"]} <= cells(table)
    runner.invoke(app, ["keys", "create", "--role", "analyst", "--org", "M-ACME", "--label", "a"])
    table, answer = both("keys", "list")
    for k in answer["keys"]:
        assert {k["id"], k["role"], k["organisation"], k["created_at"][:10]} <= cells(table)


def test_counts_are_right_aligned(network):
    table, answer = both("cascade", "run", "-m", "M-ACME")
    coverage = next(r for r in answer["results"] if r["kind"] == "coverage")["payload"]
    for t in coverage["tiers"]:
        share = f"{t['reached'] / t['nodes']:.0%}"
        row = rf"│\s+{t['tier']} │\s+{t['nodes']:,} │\s+{t['reached']:,} │\s+{share} │"
        assert re.search(row, table), (row, table)
    table, answer = both("savings")
    for m in answer["members"]:
        row = rf"│ {m['member']}\s+│\s+{m['in_scope']:,} │\s+{m['covered']:,} │\s+{m['saved']:,} │"
        assert re.search(row, table), (row, table)
    table, answer = both("findings", "-m", "M-ACME")
    assert re.search(
        rf"│\s+{answer['open']:,} │\s+{answer['open_by_severity']['critical']:,} │", table
    )


def test_a_reader_that_leaves_early_ends_the_table_quietly(network):
    """`tiergraph audits -m M | head -1`: the command stops when `head` has its line,
    with no traceback and exit 141, as `yes | head -1` does (docs/cli.md), not 1,
    which tiergraph uses for bad rows."""
    command = [sys.executable, "-m", "tiergraph.cli", "audits", "-m", "M-ACME", "--gaps", "5000"]
    whole = subprocess.run(command, capture_output=True, text=True)
    assert whole.returncode == 0 and len(whole.stdout) > 4 * PIPE_BYTES, whole.stderr
    read, write = os.pipe()
    fcntl.fcntl(read, fcntl.F_SETPIPE_SZ, PIPE_BYTES)  # full long before the table ends
    with open(read, "rb") as reader:
        head = subprocess.Popen(command, stdout=write, stderr=subprocess.PIPE)
        os.close(write)
        assert reader.readline().startswith(b"audits of M-ACME on ")
    assert head.wait(timeout=120) == 141
    assert head.stderr is not None and head.stderr.read() == b""
