"""The API's numbers are the CLI's: tierCoverage, cascadeGaps, auditGaps and
auditSavings against `tiergraph cascade run`, `cascade show` and `audits` (JSON)
on a generated network of a few thousand organisations, on every store."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from access.principal import Principal, Role
from loaders.generate import REFERENCE_DAY, generate
from tests.api.member_client import data
from tiergraph.cli import app

DAY = REFERENCE_DAY.isoformat()
cli = CliRunner()


def cli_json(*args: str) -> dict:
    result = cli.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def every_page(store, principal, query: str, field: str, **variables) -> list[dict]:
    rows, after = [], None
    while True:
        page = data(store, principal, query, after=after, **variables)[field]
        rows += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return rows
        after = page["pageInfo"]["endCursor"]


COVERAGE = """query ($r: ID!) { tierCoverage(requirement: $r) {
  depth nodes reached tiers { tier nodes reached } } }"""
CASCADE_GAPS = """query ($r: ID!, $after: String) {
  cascadeGaps(requirement: $r, first: 500, after: $after) {
    nodes { reason tier node { id } buyer { id } } pageInfo { hasNextPage endCursor } } }"""
AUDIT_GAPS = """query ($day: Date!, $after: String) {
  auditGaps(asOf: $day, first: 500, after: $after) {
    nodes { node { id } tier reason audit { id } } pageInfo { hasNextPage endCursor } } }"""
SAVINGS = "query ($day: Date!) { auditSavings(asOf: $day) { inScope covered saved savings } }"


@pytest.mark.slow
def test_the_apis_answers_are_the_clis(store, request, monkeypatch):
    kind = request.node.callspec.params["store"]
    if kind == "embedded":
        monkeypatch.setenv("TIERGRAPH_STORE", "embedded")
        monkeypatch.setenv("TIERGRAPH_DATA_DIR", str(store.path.parent))
    else:
        monkeypatch.setenv("TIERGRAPH_STORE", "neo4j")
    store.write(generate(nodes=3000, members=3, seed=11))
    member = store.members()[1]
    principal = Principal(Role.ANALYST, member, "k")

    ran = cli_json("cascade", "run", "--member", member, "--as-of", DAY)
    coverages = {r["key"]: r["payload"] for r in ran["results"] if r["kind"] == "coverage"}
    assert coverages, "the generated member requires something"
    for requirement, payload in coverages.items():
        api = data(store, principal, COVERAGE, r=requirement)["tierCoverage"]
        assert api == {k: payload[k] for k in ("depth", "nodes", "reached", "tiers")}
        gaps = every_page(store, principal, CASCADE_GAPS, "cascadeGaps", r=requirement)
        assert [
            {
                "reason": g["reason"],
                "tier": g["tier"],
                "node": g["node"]["id"],
                "buyer": g["buyer"]["id"] if g["buyer"] else None,
            }
            for g in gaps
        ] == [{k: g[k] for k in ("reason", "tier", "node", "buyer")} for g in payload["gaps"]]
        shown = cli_json("cascade", "show", "--member", member, "--requirement", requirement)
        history = data(
            store,
            principal,
            "query ($r: ID!) { coverageHistory(requirement: $r, last: 1) "
            "{ computedAt coverage { depth nodes reached } } }",
            r=requirement,
        )["coverageHistory"]
        assert history[0]["computedAt"] == shown["latest"]["computed_at"]
        assert history[0]["coverage"]["reached"] == shown["latest"]["payload"]["reached"]

    audits = cli_json("audits", "--member", member, "--as-of", DAY)
    gaps = every_page(store, principal, AUDIT_GAPS, "auditGaps", day=DAY)
    assert len(gaps) > 500  # more than one page
    assert [
        {
            "node": g["node"]["id"],
            "tier": g["tier"],
            "reason": g["reason"],
            "audit": g["audit"]["id"] if g["audit"] else None,
        }
        for g in gaps
    ] == audits["gaps"]
    savings = data(store, principal, SAVINGS, day=DAY)["auditSavings"]
    assert savings == {
        "inScope": audits["in_scope"],
        "covered": audits["covered"],
        "saved": audits["saved"],
        "savings": audits["savings"],
    }
