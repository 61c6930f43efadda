"""The `tiergraph` command as a newcomer uses it, on the embedded store: each
command a separate invocation, the data folder carrying the graph between them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tiergraph.cli import app

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TIERGRAPH_STORE", "embedded")
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
    assert status["store"] == "embedded"
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


def test_rows_that_only_follow_a_bad_row_are_counted_not_all_listed(data_dir):
    folder = data_dir / "bad"
    folder.mkdir()
    sellers = [f"S{i}" for i in range(12)]
    (folder / "organisations.csv").write_text(
        "id,kind,name,country\nM1,member,Acme,NL\nT1,supplier,Trader,ZZ\n"
        + "".join(f"{s},supplier,Mill {s},GH\n" for s in sellers)
    )
    (folder / "sourcing.csv").write_text(
        "buyer,seller,commodity\nM1,T1,cocoa\n" + "".join(f"T1,{s},cocoa\n" for s in sellers)
    )
    result = runner.invoke(app, ["load", str(folder)])
    assert result.exit_code == 1
    err = "".join(result.stderr.split())  # rich folds long lines where it likes
    problems = err[err.index("✗") :]  # after the progress bar
    assert problems.index("organisations.csv:3:country:") < problems.index("✗", 1)
    assert err.count("(itsrowwasrejected)") == 5  # 13 rows follow T1, 5 shown
    assert "✗and8morerowsthatrefertorowsrejectedabove" in err
    assert "nothingwaswritten" in err
    assert len(json.loads(run("load", str(folder), "-f", "json")[1])["rejected"]) == 14


def test_an_unknown_member_and_a_bad_day_are_refused(data_dir):
    code, _ = run("cascade", "run", "-m", "NOBODY")
    assert code == 2
    run("generate", str(data_dir / "net"), "--nodes", "300", "--members", "1")
    run("load", str(data_dir / "net"))
    result = runner.invoke(app, ["cascade", "show", "-m", "M-ACME", "-r", "REQ-NOPE"])
    assert result.exit_code == 2
    assert "'M-ACME' does not require 'REQ-NOPE' (it requires: REQ-ACME-" in " ".join(
        result.stderr.split()
    )
    code, _ = run("audits", "-m", "M-ACME", "--as-of", "25/11/2026")
    assert code == 2


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_console_script(*args: str, **env: str) -> tuple[int, str]:
    """`tiergraph ARGS` in a process of its own, as the console script runs it."""
    done = subprocess.run(
        [sys.executable, "-c", "from tiergraph.cli import main; main()", *args],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return done.returncode, " ".join(done.stderr.split())


def test_neo4j_not_running_is_one_line_naming_it(data_dir):
    uri = f"bolt://127.0.0.1:{_closed_port()}"
    code, err = run_console_script("status", TIERGRAPH_STORE="neo4j", TIERGRAPH_NEO4J_URI=uri)
    assert code == 3
    assert f"Neo4j at {uri} does not answer" in err and "Traceback" not in err


def test_redis_not_running_is_one_line_naming_it(data_dir):
    run("generate", str(data_dir / "net"), "--nodes", "300", "--members", "1")
    run("load", str(data_dir / "net"))
    member = "M-ACME"  # the generator's first member
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    code, err = run_console_script("cascade", "queue", "-m", member, TIERGRAPH_REDIS_URL=url)
    assert code == 3
    assert f"Redis at {url} does not answer" in err and "Traceback" not in err
