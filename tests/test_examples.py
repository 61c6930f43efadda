"""examples/tiny: the figures examples/README.md works out by hand from DOMAIN.md are
what the commands print (a user checks the README against the tool)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tiergraph.cli import app

TINY = Path(__file__).resolve().parents[1] / "examples" / "tiny"
runner = CliRunner()


def run_json(*args: str):
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.stdout
    return json.loads(result.stdout)


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    monkeypatch.setenv("TIERGRAPH_STORE", "embedded")
    monkeypatch.setenv("TIERGRAPH_DATA_DIR", str(tmp_path / "data"))
    loaded = run_json("load", str(TINY))
    assert loaded["ok"] and loaded["rejected"] == []


def test_tiny_coverage_and_gaps_as_the_readme_says(tiny):
    ran = run_json("cascade", "run", "-m", "M-TINY", "--as-of", "2026-06-30")
    coverage = next(r["payload"] for r in ran["results"] if r["kind"] == "coverage")
    tiers = [(t["tier"], t["reached"], t["nodes"]) for t in coverage["tiers"]]
    assert tiers == [(1, 1, 2), (2, 1, 2), (3, 0, 1)]
    assert (coverage["reached"], coverage["nodes"], coverage["depth"]) == (2, 5, 2)
    gaps = {(g["reason"], g["buyer"], g["node"], g["tier"]) for g in coverage["gaps"]}
    assert gaps == {
        ("NOT_PASSED_ON", "M-TINY", "S2", 1),
        ("ORPHAN_ADOPTION", None, "S4", 2),
        ("NOT_ADOPTED", "S3", "SH1", 3),
    }


def test_tiny_audits_on_two_days_as_the_readme_says(tiny):
    june = run_json("audits", "-m", "M-TINY", "--as-of", "2026-06-30")
    assert (june["in_scope"], june["covered"], june["saved"]) == (4, 2, 1)
    assert {(g["node"], g["reason"]) for g in june["gaps"]} == {
        ("S3", "UNRECOGNISED_SCHEME"),
        ("S4", "EXPIRED"),
    }
    january = run_json("audits", "-m", "M-TINY", "--as-of", "2027-01-15")
    assert (january["covered"], january["saved"]) == (1, 0)
    assert ("S2", "EXPIRED") in {(g["node"], g["reason"]) for g in january["gaps"]}


def test_tiny_savings_and_a_second_load_writes_nothing(tiny):
    savings = run_json("savings", "--as-of", "2026-06-30")
    by_member = {m["member"]: m for m in savings["members"]}
    assert (by_member["M-TINY"]["covered"], by_member["M-TINY"]["saved"]) == (2, 1)
    assert (by_member["M-OTHER"]["in_scope"], by_member["M-OTHER"]["covered"]) == (3, 0)
    assert savings["forum"] == {"members": 2, "covered": 2, "audits": 2, "per_audit": 1.0}
    again = run_json("load", str(TINY))
    assert again["ok"] and not any(again["written"].values()), again["written"]
