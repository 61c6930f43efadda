"""The `tiergraph` command as a newcomer uses it, on the embedded store: each
command a separate invocation, the data folder carrying the graph between them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tiergraph.cli import app

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TIERGRAPH_STORE", "memory")
    monkeypatch.setenv("TIERGRAPH_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def run_json(*args: str):
    code, out = run(*args, "--format", "json")
    assert code == 0, out
    return json.loads(out)


def test_generate_load_cascade_and_read_back(data_dir):
    net = data_dir / "net"
    generated = run_json("generate", str(net), "--nodes", "1500", "--members", "3")
    assert generated["rows"]["organisations"] == 1500

    loaded = run_json("load", str(net))
    assert loaded["ok"] and loaded["rejected"] == []
    assert loaded["written"]["sourcing"] == generated["rows"]["sourcing"]

    status = run_json("status")
    assert status["store"] == "memory"
    assert status["counts"]["members"] == 3
    assert sum(status["counts"][k] for k in ("members", "suppliers", "smallholders")) == 1500

    ran = run_json("cascade", "run", "-m", "M-ACME", "--as-of", "2026-11-25")
    assert ran["job"]["state"] == "done"
    kinds = sorted(r["kind"] for r in ran["results"])
    assert kinds == ["audits"] + ["coverage"] * len(ran["job"]["requirements"])
    coverage = next(r for r in ran["results"] if r["kind"] == "coverage")["payload"]
    assert set(coverage) == {"member", "requirement", "depth", "nodes", "reached", "tiers", "gaps"}
    assert coverage["reached"] == sum(t["reached"] for t in coverage["tiers"])

    shown = run_json("cascade", "show", "-m", "M-ACME", "-r", coverage["requirement"])
    assert shown["latest"]["payload"] == coverage  # read back from the data folder

    audits = run_json("audits", "-m", "M-ACME", "--as-of", "2026-11-25")
    stored = next(r for r in ran["results"] if r["kind"] == "audits")["payload"]
    assert audits == stored

    forum = run_json("savings", "--as-of", "2026-11-25")
    assert [m["member"] for m in forum["members"]] == ["M-ACME", "M-HELVA", "M-NORDA"]


def test_a_bad_file_writes_nothing_and_exits_non_zero(data_dir):
    folder = data_dir / "bad"
    folder.mkdir()
    (folder / "organisations.csv").write_text(
        "id,kind,name,country\nM1,member,Acme,NL\nS1,supplier,Trader,ZZ\n"
    )
    code, out = run("load", str(folder), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert report["rejected"] == [
        {
            "file": str(folder / "organisations.csv"),
            "line": 3,
            "field": "country",
            "reason": "'ZZ' is not an ISO 3166-1 alpha-2 country code",
        }
    ]
    assert run_json("status")["counts"]["members"] == 0


def test_an_unknown_member_and_a_bad_day_are_refused(data_dir):
    code, _ = run("cascade", "run", "-m", "NOBODY")
    assert code == 2
    code, _ = run("audits", "-m", "M-ACME", "--as-of", "25/11/2026")
    assert code == 2
