"""Every member at once (`cascade run --all`, `audits --all`): the same results as
one member at a time, saved the same way, on one read of the graph."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Any

import pytest
from typer.testing import CliRunner

from cascade.engine import CascadeError, JobSpec
from cascade.service import live_audit_status, live_audit_statuses, run_here, run_members_here
from graph.sqlite_store import SqliteStore
from loaders.generate import generate
from tiergraph.cli import app

DAY = date(2026, 11, 25)
runner = CliRunner()


class CountingStore:
    """A real store, passed through, counting the calls of each method (how many
    times the graph's columns are read)."""

    def __init__(self, inner: Any):
        self._inner = inner
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attr(*args, **kwargs)

        return counted


@pytest.fixture
def forum(store):
    store.write(generate(nodes=700, members=4, seed=11))
    return store


def _saved(store: Any, meta: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """A finished job's results as saved, by (kind, key)."""
    found = {}
    for result_id in meta["results"]:
        _, kind, key = result_id.split(":", 2)
        [result] = [r for r in store.results(kind, meta["member"], key) if r.id == result_id]
        found[kind, key] = result.payload
    return found


def test_every_member_on_one_read_of_the_graph_as_one_at_a_time(forum):
    counted = CountingStore(forum)
    metas = run_members_here(counted, DAY)
    assert counted.calls["organisation_columns"] == 1
    assert counted.calls["sourcing_columns"] == 1
    assert counted.calls["save_results"] == 1  # every member's results in one write
    assert [m["member"] for m in metas] == forum.members()
    assert all(m["state"] == "done" for m in metas)
    for meta in metas:
        # the latest stored results are this run's: `cascade show` reads them
        for requirement in meta["requirements"]:
            latest = forum.results("coverage", meta["member"], requirement, limit=1)[0]
            assert latest.id == f"{meta['id']}:coverage:{requirement}"
        alone = run_here(forum, JobSpec(meta["member"], None, DAY))  # its own projection
        assert alone["requirements"] == meta["requirements"]
        assert _saved(forum, alone) == _saved(forum, meta)
        assert len(_saved(forum, meta)) == len(meta["requirements"]) + 1  # and the audits


def test_audit_status_of_every_member_on_one_read(forum):
    counted = CountingStore(forum)
    statuses = live_audit_statuses(counted, DAY, include_smallholders=True)
    assert counted.calls["organisation_columns"] == 1
    assert [s.member for s in statuses] == forum.members()
    for status in statuses:
        alone = live_audit_status(forum, status.member, DAY, include_smallholders=True)
        assert status.as_dict() == alone.as_dict()


def test_no_members_is_refused(tmp_path):
    with pytest.raises(CascadeError, match="holds no members"):
        run_members_here(SqliteStore(tmp_path / "data"), DAY)


# ---- the command, on the embedded store in a data folder -----------------
@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TIERGRAPH_STORE", "embedded")
    monkeypatch.setenv("TIERGRAPH_DATA_DIR", str(tmp_path / "data"))
    net = tmp_path / "net"
    assert _json("generate", str(net), "--nodes", "1500", "--members", "3")["files"]
    assert _json("load", str(net))["ok"]
    return tmp_path


def _json(*args: str) -> Any:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def _payloads(results: list[dict[str, Any]]) -> dict[tuple[str, str], Any]:
    return {(r["kind"], r["key"]): r["payload"] for r in results}


def test_cascade_run_all_matches_each_member_run_alone(data_dir):
    every = _json("cascade", "run", "--all", "--as-of", "2026-11-25")
    members = [m["member"] for m in every["members"]]
    assert members == ["M-ACME", "M-HELVA", "M-NORDA"]
    for entry in every["members"]:
        assert set(entry) == {"member", "job", "results"}
        assert entry["job"]["member"] == entry["member"] and entry["job"]["state"] == "done"
        coverage = next(r for r in entry["results"] if r["kind"] == "coverage")
        shown = _json("cascade", "show", "-m", entry["member"], "-r", coverage["key"])
        assert shown["latest"] == coverage  # saved as a one-member run saves it
    for entry in every["members"]:
        alone = _json("cascade", "run", "-m", entry["member"], "--as-of", "2026-11-25")
        assert _payloads(alone["results"]) == _payloads(entry["results"])


def test_audits_all_matches_each_member_alone(data_dir):
    every = _json("audits", "--all", "--as-of", "2026-11-25", "--smallholders")
    assert every["as_of"] == "2026-11-25"
    assert [p["member"] for p in every["members"]] == ["M-ACME", "M-HELVA", "M-NORDA"]
    for payload in every["members"]:
        alone = _json("audits", "-m", payload["member"], "--as-of", "2026-11-25", "--smallholders")
        assert payload == alone
        assert payload["include_smallholders"] is True


def test_table_output_lists_every_member_and_shows_one_progress_bar(data_dir):
    result = runner.invoke(app, ["cascade", "run", "--all", "--as-of", "2026-11-25"])
    assert result.exit_code == 0, result.stderr
    for member in ("M-ACME", "M-HELVA", "M-NORDA"):
        assert member in result.stdout
    assert "3/3" in result.stderr  # one bar, over the members


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cascade", "run", "--all", "-m", "M-ACME"], "give either -m/--member or --all"),
        (["cascade", "run"], "give -m/--member MEMBER, or --all"),
        (["cascade", "run", "--all", "-r", "REQ-ACME-SCOC"], "not with --all"),
        (["audits", "--all", "-m", "M-ACME"], "give either -m/--member or --all"),
        (["audits"], "give -m/--member MEMBER, or --all"),
    ],
)
def test_member_and_all_are_exclusive_and_one_is_needed(tmp_path, monkeypatch, args, message):
    monkeypatch.setenv("TIERGRAPH_STORE", "embedded")
    monkeypatch.setenv("TIERGRAPH_DATA_DIR", str(tmp_path / "data"))
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())


def test_all_on_an_empty_store_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("TIERGRAPH_STORE", "embedded")
    monkeypatch.setenv("TIERGRAPH_DATA_DIR", str(tmp_path / "data"))
    SqliteStore(tmp_path / "data").close()  # a store with nothing in it (none: no_store)
    for args in (["cascade", "run", "--all"], ["audits", "--all"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert "holds no members" in result.stderr
