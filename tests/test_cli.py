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
    assert "✗and8morerowsthatrefertorowsrejectedorwaitingabove" in err
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
    for written in ("25/11/2026", "20261125", "2026-W48-3"):  # YYYY-MM-DD only
        code, _ = run("audits", "-m", "M-ACME", "--as-of", written)
        assert code == 2, written


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


def test_a_worker_without_redis_is_one_line_not_celery_retries(data_dir):
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    code, err = run_console_script("worker", TIERGRAPH_REDIS_URL=url)
    assert code == 3
    assert f"Redis at {url} does not answer" in err and "Traceback" not in err
    assert "Trying again" not in err


# ---- what a new user hit (issue 10) -------------------------------------------


def test_reset_asks_and_refuses_without_a_terminal_or_yes(data_dir, monkeypatch):
    run("generate", str(data_dir / "net"), "--nodes", "300", "--members", "1")
    run("load", str(data_dir / "net"))
    result = runner.invoke(app, ["reset"])  # stdin is no terminal here
    assert result.exit_code == 2
    assert "pass --yes" in " ".join(result.stderr.split())
    monkeypatch.setattr("tiergraph.cli.stdin_is_terminal", lambda: True)
    declined = runner.invoke(app, ["reset"], input="n\n")
    assert declined.exit_code == 2 and "nothing was removed" in " ".join(declined.stderr.split())
    assert run_json("status")["counts"]["members"] == 1
    accepted = runner.invoke(app, ["reset"], input="y\n")
    assert accepted.exit_code == 0
    assert set(run_json("status")["counts"].values()) == {0}


def test_reset_yes_empties_the_store_and_says_what_went(data_dir):
    run("generate", str(data_dir / "net"), "--nodes", "300", "--members", "1")
    run("load", str(data_dir / "net"))
    run("cascade", "run", "-m", "M-ACME")
    removed = run_json("reset", "--yes")
    assert removed["store"] == "embedded" and removed["removed"]["members"] == 1
    assert set(run_json("status")["counts"].values()) == {0}
    assert run("cascade", "show", "-m", "M-ACME", "-r", "REQ-ACME-SCOC")[0] == 2  # results gone


def test_reset_forgets_the_stores_jobs_and_export_files(data_dir):
    """A second reader: after `reset` and a load of another network, a new key of a
    member with the same id read that member's old export job and downloaded its old
    file (the old network's suppliers). The jobs and files of the store go with it."""
    from cascade.jobstore import FileJobStore

    run("generate", str(data_dir / "net"), "--nodes", "300", "--members", "1")
    run("load", str(data_dir / "net"))
    folder = data_dir / "data"
    jobs = FileJobStore(folder / "jobs.db")
    jobs.update("job-1", kind="export", member="M-ACME", state="done")
    jobs.close()
    (folder / "exports").mkdir()
    (folder / "exports" / "job-1.zip").write_bytes(b"the old network")
    removed = run_json("reset", "--yes")
    assert (removed["jobs"], removed["export_files"]) == (1, 1)
    jobs = FileJobStore(folder / "jobs.db")
    assert jobs.meta("job-1") is None and jobs.recent() == []
    jobs.close()
    assert list((folder / "exports").iterdir()) == []
    code, said = run("reset", "--yes")  # nothing left: said as none
    assert code == 0 and "jobs forgotten: 0; export files deleted: 0" in " ".join(said.split())


@pytest.mark.neo4j
def test_reset_empties_neo4j(neo4j_store, tmp_path, monkeypatch):
    from tests.factories import small_network

    neo4j_store.write(small_network())
    monkeypatch.setenv("TIERGRAPH_STORE", "neo4j")
    import redis

    from cascade.jobstore import RedisJobStore

    jobs = RedisJobStore(redis.Redis.from_url(os.environ["TIERGRAPH_REDIS_URL"]))
    jobs.update("reset-test-job", kind="cascade", member="M1", state="done")
    removed = run_json("reset", "--yes")
    assert removed["store"] == "neo4j" and removed["removed"]["members"] == 2
    assert set(neo4j_store.counts().values()) == {0}
    assert removed["jobs"] >= 1 and jobs.meta("reset-test-job") is None


def test_the_demo_keeps_to_its_own_folder(data_dir):
    own = data_dir / "net"
    run("generate", str(own), "--nodes", "300", "--members", "1")
    run("load", str(own))
    before = run_json("status")["counts"]
    result = runner.invoke(app, ["demo", "--nodes", "400", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert run_json("status")["counts"] == before  # the user's store: untouched
    demo_dir = data_dir / ".tiergraph-demo"  # beside TIERGRAPH_DATA_DIR
    assert f"TIERGRAPH_DATA_DIR={demo_dir}" in " ".join(result.stdout.split())
    again = runner.invoke(app, ["demo", "--no-serve"])  # reuses its network
    assert again.exit_code == 0 and "loaded a synthetic network" not in again.stdout


def test_the_demo_refuses_a_folder_holding_another_network(data_dir):
    run("generate", str(data_dir / "net"), "--nodes", "300", "--members", "1")
    run("load", str(data_dir / "net"))
    result = runner.invoke(app, ["demo", "--no-serve", "--data-dir", str(data_dir / "data")])
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert "holds a network the demo did not write" in said and "tiergraph reset" in said
    assert run_json("status")["counts"]["members"] == 1


def test_a_folder_with_other_files_is_named_and_nothing_is_written(data_dir):
    folder = data_dir / "net"
    run("generate", str(folder), "--nodes", "300", "--members", "1")
    (folder / "suppliers.xlsx").write_bytes(b"PK\x03\x04")
    code, out = run("load", str(folder), "-f", "json")
    assert code == 1
    report = json.loads(out)
    assert [p["file"] for p in report["rejected"]] == [str(folder / "suppliers.xlsx")]
    assert run_json("status")["counts"]["members"] == 0
    assert run_json("load", str(folder), "--ignore-other-files")["ok"]


def test_the_first_50_bad_rows_are_listed_then_counted(data_dir):
    folder = data_dir / "bad"
    folder.mkdir()
    rows = "".join(f"S{i},supplier,Mill {i},Germany\n" for i in range(60))
    (folder / "organisations.csv").write_text("id,kind,name,country\nM1,member,Acme,NL\n" + rows)
    result = runner.invoke(app, ["load", str(folder)])
    assert result.exit_code == 1
    err = result.stderr
    assert err.count("✗") == 51  # 50 rows, then the count
    assert "use DE" in err
    assert "and 10 more problem(s)" in " ".join(err.split())
    assert len(json.loads(run("load", str(folder), "-f", "json")[1])["rejected"]) == 60


def test_refusals_are_json_errors_with_format_json(data_dir):
    run("generate", str(data_dir / "net"), "--nodes", "300", "--members", "1")
    run("load", str(data_dir / "net"))
    code, out = run("cascade", "run", "-m", "NOBODY", "-f", "json")
    assert code == 2
    error = json.loads(out)["error"]
    assert error["code"] == "bad_request" and "NOBODY" in error["message"]
    code, out = run("audits", "-m", "M-ACME", "--as-of", "25/11/2026", "-f", "json")
    assert code == 2
    assert json.loads(out)["error"] == {
        "code": "bad_parameter",
        "message": json.loads(out)["error"]["message"],
        "field": "--as-of",
    }
    code, out = run("generate", str(data_dir / "n"), "--nodes", "-5", "-f", "json")
    assert code == 2 and json.loads(out)["error"]["field"] == "--nodes"
    code, out = run("status", "--bogus", "-f", "json")
    assert code == 2 and json.loads(out)["error"]["code"] == "usage"


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (("serve", "--port", "99999"), {}, "--port"),
        (("generate", "out", "--nodes", "-5"), {}, "--nodes"),
        (("generate", "out", "--nodes", "50"), {}, "nodes must exceed members"),
        (
            ("status",),
            {"TIERGRAPH_STORE": "neo4jx"},
            "TIERGRAPH_STORE must be one of embedded, neo4j, not 'neo4jx'",
        ),
        (
            ("serve",),
            {"TIERGRAPH_API_PORT": "99999"},
            "TIERGRAPH_API_PORT must be a whole number from 1 to 65535, not 99999",
        ),
        (("generate", "README.md"), {}, "README.md: File exists (a file is there where a folder"),
        (("status",), {"TIERGRAPH_DATA_DIR": "README.md"}, "README.md: File exists"),
        (("cascade", "show", "-m", "M", "-r", "R", "--history", "-1"), {}, "--history"),
        (("cascade", "show", "-m", "M", "-r", "R", "--gaps", "-3"), {}, "--gaps"),
    ],
)
def test_a_bad_argument_or_setting_is_one_line_and_exit_2(data_dir, args, env, says):
    code, err = run_console_script(*args, **env)
    assert code == 2, err
    assert says in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_busy_port_is_its_own_exit_code(data_dir, command):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, err = run_console_script(command, "--port", str(port))
        assert code == 4, err
        assert f"cannot listen on 127.0.0.1:{port}" in err and "Neo4j" not in err
        assert "pass another --port" in err and "TIERGRAPH_API_PORT" not in err
        # the port came from the settings: the hint names both ways to change it
        code, err = run_console_script(command, TIERGRAPH_API_PORT=str(port))
        assert code == 4, err
        assert "pass --port or set TIERGRAPH_API_PORT" in err


HEAVY = ("numpy", "networkx", "neo4j", "redis", "celery", "fastapi", "strawberry", "uvicorn")


def test_the_command_line_imports_nothing_heavy_to_start():
    """`tiergraph --help` stays fast: the drivers, numpy and the API load with the
    commands that use them (docs/cli.md)."""
    code = (
        "import sys; import tiergraph.cli; "
        f"print(sorted(m for m in {HEAVY!r} + ('pydantic',) if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_status_on_the_embedded_store_loads_no_driver_nor_numpy(data_dir):
    run("keys", "create", "--role", "operator")  # a store to count
    code = (
        "import sys; from tiergraph.cli import app\n"
        "try:\n    app(['status'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "store: embedded" in done.stdout  # it counted the store
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_demo_prints_keys_that_answer_as_their_roles(data_dir):
    import re

    from access.keys import principal_for
    from graph.sqlite_store import SqliteStore

    result = runner.invoke(app, ["demo", "--nodes", "400", "--no-serve"])
    assert result.exit_code == 0, result.output
    keys = dict(
        re.findall(r"^\s+(sourcing|analyst|supplier)\s+\S+\s+(tg_\S+)$", result.stdout, re.M)
    )
    assert set(keys) == {"sourcing", "analyst", "supplier"}
    store = SqliteStore(data_dir / ".tiergraph-demo")
    try:
        named = {role: principal_for(store, key) for role, key in keys.items()}
        assert {role: p.role.value for role, p in named.items()} == {r: r for r in keys}
        member = named["sourcing"].organisation
        assert member in store.members() and named["analyst"].organisation == member
        supplier = named["supplier"].organisation
        assert store.sourcing_pairs([(member, supplier)]) == {(member, supplier)}
    finally:
        store.close()


def test_a_load_of_a_path_that_does_not_exist_says_so(data_dir):
    result = runner.invoke(app, ["load", str(data_dir / "no-such-folder")])
    assert result.exit_code == 2
    assert "does not exist" in " ".join(result.stderr.split())


def test_the_demo_keeps_its_projection_cache_out_of_the_users_folder(
    data_dir, tmp_path, monkeypatch
):
    monkeypatch.delenv("TIERGRAPH_CACHE_DIR", raising=False)
    result = runner.invoke(app, ["demo", "--nodes", "400", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert not (data_dir / "data" / "cache").exists()  # TIERGRAPH_DATA_DIR's
    assert (data_dir / ".tiergraph-demo" / "cache").is_dir()
