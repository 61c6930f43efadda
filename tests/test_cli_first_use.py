"""What a new user meets on the command line, on a real SQLite data folder: a read
command on a folder with no store, `generate` into a folder holding its files, an
unknown member, an option value out of its choices, counts in tables."""

from __future__ import annotations

import csv
import json
import re

import pytest

from tests import test_cli
from tests.test_cli import _closed_port, runner
from tiergraph.cli import app

data_dir = test_cli.data_dir  # the same fixture: an empty embedded data folder


def said(result) -> str:
    return " ".join(result.stderr.split())  # rich folds long lines where it likes


def loaded(data_dir, nodes: int = 300, members: int = 1) -> None:
    net = data_dir / "net"
    assert (
        runner.invoke(
            app, ["generate", str(net), "--nodes", str(nodes), "--members", str(members)]
        ).exit_code
        == 0
    )
    assert runner.invoke(app, ["load", str(net)]).exit_code == 0


READS = [
    ["status"],
    ["reset", "--yes"],
    ["audits", "-m", "M-ACME"],
    ["audits", "--all"],
    ["findings", "-m", "M-ACME"],
    ["savings"],
    ["savings", "-m", "M-ACME"],
    ["joint-list"],
    ["share-requests", "-m", "M-ACME"],
    ["cascade", "run", "-m", "M-ACME"],
    ["cascade", "run", "--all"],
    ["cascade", "show", "-m", "M-ACME", "-r", "REQ"],
    ["export", "-m", "M-ACME", "-f", "csv"],
    ["risk", "show", "-m", "M-ACME"],
    ["keys", "list"],
    ["match", "."],
    ["keys", "revoke", "abc"],
    ["serve", "--port", str(_closed_port())],
]


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_a_read_command_on_a_folder_with_no_store_says_so_and_makes_nothing(data_dir, args):
    folder = data_dir / "data"
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert said(result).startswith(f"✗ no tiergraph store at {folder}: load a network there")
    assert f"TIERGRAPH_DATA_DIR={folder} tiergraph load FILES" in said(result)
    assert not folder.exists()
    if args[0] == "serve":
        return  # it prints no results: no --format
    option = "--report" if args[0] == "export" else "--format"
    as_json = runner.invoke(app, [*args, option, "json"])
    error = json.loads(as_json.stdout)["error"]
    assert as_json.exit_code == 2
    assert (error["code"], error["field"]) == ("no_store", "TIERGRAPH_DATA_DIR")
    assert not folder.exists()


def test_writing_commands_make_the_store(data_dir):
    folder = data_dir / "data"
    assert runner.invoke(app, ["keys", "create", "--role", "operator"]).exit_code == 0
    assert (folder / "store.db").is_file()
    listed = json.loads(runner.invoke(app, ["keys", "list", "-f", "json"]).stdout)
    assert [k["role"] for k in listed["keys"]] == ["operator"]


def test_generate_refuses_a_folder_holding_its_files_unless_forced(data_dir):
    net = data_dir / "net"
    first = json.loads(
        runner.invoke(app, ["generate", str(net), "--nodes", "300", "-f", "json"]).stdout
    )
    before = {p.name: p.read_bytes() for p in net.iterdir()}
    assert sorted(before) == sorted(p.rsplit("/", 1)[-1] for p in first["files"])

    again = runner.invoke(app, ["generate", str(net), "--nodes", "400", "--seed", "1"])
    assert again.exit_code == 2
    assert f"✗ {net} holds files generate writes (organisations.csv, " in said(again)
    assert "pass --force to replace them" in said(again)
    assert {p.name: p.read_bytes() for p in net.iterdir()} == before  # untouched
    as_json = runner.invoke(app, ["generate", str(net), "--json", "-f", "json"])
    assert json.loads(as_json.stdout)["error"]["code"] == "files_exist"

    forced = runner.invoke(app, ["generate", str(net), "--json", "--force", "-f", "json"])
    assert forced.exit_code == 0, forced.output
    assert sorted(p.name for p in net.iterdir()) == ["network.json"]  # one network, not two
    (net / "notes.txt").write_text("mine")
    forced = runner.invoke(app, ["generate", str(net), "--force"])
    assert forced.exit_code == 0
    assert "network.json" not in {p.name for p in net.iterdir()}
    assert (net / "notes.txt").read_text() == "mine"  # not a file generate writes


MEMBER_COMMANDS = [
    ["audits", "-m", "{}"],
    ["findings", "-m", "{}"],
    ["savings", "-m", "{}"],
    ["share-requests", "-m", "{}"],
    ["cascade", "run", "-m", "{}"],
    ["cascade", "show", "-m", "{}", "-r", "REQ-ACME-SCOC"],
    ["cascade", "queue", "-m", "{}"],
    ["export", "-m", "{}", "-f", "csv"],
    ["risk", "show", "-m", "{}"],
    ["keys", "create", "--role", "sourcing", "--org", "{}"],
]


def test_an_unknown_member_is_worded_the_same_by_every_command(data_dir):
    loaded(data_dir, nodes=400, members=2)
    status = json.loads(runner.invoke(app, ["status", "-f", "json"]).stdout)
    assert status["counts"]["members"] == 2
    with (data_dir / "net" / "organisations.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    members = ", ".join(sorted(r["id"] for r in rows if r["kind"] == "member"))
    supplier = next(r["id"] for r in rows if r["kind"] == "supplier")
    for who, says in [
        ("NOBODY", f"no member 'NOBODY' in the store; its members: {members}"),
        (supplier, f"'{supplier}' is not a member (it is a supplier); its members: {members}"),
    ]:
        for args in MEMBER_COMMANDS:
            result = runner.invoke(app, [a.format(who) for a in args])
            assert result.exit_code == 2, (args, result.output)
            assert said(result) == f"✗ {says}", args
            # One code for it everywhere, `risk show` too (docs/cli.md).
            as_json = ["--report" if args[0] == "export" else "--format", "json"]
            answer = json.loads(runner.invoke(app, [a.format(who) for a in args] + as_json).stdout)
            field = "--org" if args[0] == "keys" else "--member"
            assert answer == {"error": {"code": "bad_request", "message": says, "field": field}}


def test_a_key_for_an_organisation_on_a_folder_with_no_store_makes_nothing(data_dir):
    # As the README's first curl after `tiergraph demo` (whose store is elsewhere).
    refused = runner.invoke(app, ["keys", "create", "--org", "M-ACME", "--role", "sourcing"])
    assert refused.exit_code == 2 and refused.stdout == ""
    assert said(refused).startswith(f"✗ no tiergraph store at {data_dir / 'data'}")
    assert not (data_dir / "data").exists()
    status = json.loads(runner.invoke(app, ["status", "-f", "json"]).stdout)
    assert status["error"]["code"] == "no_store"  # not an empty store answering 0
    loaded(data_dir)
    answer = json.loads(
        runner.invoke(
            app, ["keys", "create", "--org", "NOPE", "--role", "supplier", "-f", "json"]
        ).stdout
    )
    assert answer["error"] == {
        "code": "bad_request",
        "message": "no organisation 'NOPE'",
        "field": "--org",
    }


def test_an_unknown_member_in_an_empty_store_says_to_load_one(data_dir):
    runner.invoke(app, ["keys", "create", "--role", "operator"])  # a store, no network
    result = runner.invoke(app, ["audits", "-m", "M-ACME"])
    assert (
        said(result)
        == "✗ no member 'M-ACME' in the store: the store holds no members (load a network first)"
    )


CHOICES = [
    (["status"], "--format", "table, json"),
    (["keys", "list"], "--format", "table, json"),
    (["joint-list"], "--format", "table, json, csv"),
    (["match", "."], "--format", "table, json, csv"),
    (["load", "."], "--format", "table, json"),
    (["export", "-m", "M-ACME"], "--format", "csv, jsonl, graphml"),
    (["export", "-m", "M-ACME", "-f", "csv"], "--report", "table, json"),
    (["generate", "out"], "--profile", "tiers, brands"),
    (["share-requests", "-m", "M-ACME"], "--state", "open, answered, granted, declined"),
]


@pytest.mark.parametrize(("args", "option", "allowed"), CHOICES, ids=lambda v: str(v))
def test_a_value_out_of_an_options_choices_names_the_option_and_its_values(
    data_dir, args, option, allowed
):
    result = runner.invoke(app, [*args, option, "xml"])
    assert result.exit_code == 2
    assert said(result) == f"✗ {option} must be one of {allowed}, not 'xml'"
    assert "Value error" not in result.output


def test_the_same_refusal_as_json_names_the_option(data_dir):
    args = ["share-requests", "-m", "M-ACME", "--state", "xml", "-f", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"] == {
        "code": "bad_parameter",
        "message": "--state must be one of open, answered, granted, declined, not 'xml'",
        "field": "--state",
    }


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["generate", "out", "--nodes", "abc"], "--nodes must be a whole number of at least 1"),
        (["generate", "out", "--nodes", "-5"], "--nodes must be a whole number of at least 1"),
        (["demo", "--port", "99999"], "--port must be a whole number from 1 to 65535"),
        (
            ["cascade", "show", "-m", "M", "-r", "R", "--history", "x"],
            "--history must be a whole number of at least 0",
        ),
        (["demo", "--nodes", "10"], "--nodes must be a whole number of at least 300"),
        (["risk", "show", "-m", "M", "--top", "0"], "--top must be a whole number from 1 to 500"),
        (
            ["savings", "-m", "M", "--first", "501"],
            "--first must be a whole number from 1 to 500",
        ),
    ],
)
def test_a_number_out_of_range_names_the_range(data_dir, args, says):
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and said(result) == f"✗ {says}"
    error = json.loads(runner.invoke(app, [*args, "-f", "json"]).stdout)["error"]
    assert error["message"] == says and error["code"] == "bad_parameter"


def test_tables_for_people_have_thousands_separators_json_plain_numbers(data_dir):
    net = data_dir / "net"
    generated = runner.invoke(app, ["generate", str(net), "--nodes", "1500", "--members", "2"])
    assert re.search(r"│ organisations\s+│\s+1,500 │", generated.stdout)
    first = runner.invoke(app, ["load", str(net)])
    assert re.search(r"│ organisations\s+│\s+1,500 │\s+0 │", first.stdout), first.stdout
    again = runner.invoke(app, ["load", str(net)])
    assert re.search(r"│ organisations\s+│\s+0 │\s+1,500 │", again.stdout), again.stdout
    assert "nothing changed: the store held every row already" in " ".join(again.stdout.split())
    report = json.loads(runner.invoke(app, ["load", str(net), "-f", "json"]).stdout)
    assert report["written"] == {} and report["unchanged"]["organisations"] == 1500
    status = runner.invoke(app, ["status"])
    counts = json.loads(runner.invoke(app, ["status", "-f", "json"]).stdout)["counts"]
    assert counts["sourcing"] > 999
    for kind, n in counts.items():
        assert re.search(rf"│ {kind}\s+│\s+{n:,} │", status.stdout), kind


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("TIERGRAPH_STORE", "neo4jx", "must be one of embedded, neo4j, not 'neo4jx'"),
        ("TIERGRAPH_API_PORT", "abc", "must be a whole number, not 'abc'"),
        ("TIERGRAPH_API_WORKERS", "0", "must be 1 or more, not '0'"),
        ("TIERGRAPH_API_INTROSPECTION", "maybe", "must be true or false, not 'maybe'"),
    ],
)
def test_a_setting_that_does_not_parse_is_worded_as_an_option(
    data_dir, monkeypatch, variable, value, says
):
    monkeypatch.setenv(variable, value)
    result = runner.invoke(app, ["status", "-f", "json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"] == {
        "code": "bad_setting",
        "message": f"{variable} {says}",
        "field": variable,
    }
