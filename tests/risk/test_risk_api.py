"""The `risk` query on every store: for each kind of principal, nothing of another
member's network, every score with its components, weights and table versions;
and `tiergraph risk show --format json` answers what the API answers."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from graph.sqlite_store import SqliteStore
from graph.store import RiskTableRecord
from tests.api.member_client import _client, data, execute, refusal
from tests.views.forum import AS_OF, PRINCIPALS, forum
from tiergraph.cli import app

COMPONENTS = "country goods audit cascade upstream criticality"
QUERY = f"""query($asOf: Date, $top: Int) {{ risk(asOf: $asOf, top: $top) {{
  member asOf network decay commodityAliases
  weights {{ component weight configured }}
  absent {{ component reason }}
  tables {{ kind source edition imported rows }}
  nodes {{ id name kind country tier score countryFallback components {{ {COMPONENTS} }} }}
}} }}"""
EXPECTED = {
    "sourcing": "ok",
    "analyst": "ok",
    "other member": "ok",  # its own member's risk: there is no argument naming a member
    "supplier inside": "FORBIDDEN",
    "supplier outside": "FORBIDDEN",
    "operator": "FORBIDDEN",
}
NEVER_FOR_M1 = ("M2", "S9", "Secret Bureau", "hidden wages", "R2", "Palm")
GOVERNANCE = [["GH", 0.52, "Ghana"], ["CI", 0.38, "Côte d'Ivoire"]]
GOODS = [["Cocoa", "Agriculture", "CI", "Côte d'Ivoire", True, False, True, False]]


def tables(store) -> None:
    store.save_risk_table(RiskTableRecord("countries", "WGI", "2022", "2026-11-30", GOVERNANCE))
    store.save_risk_table(RiskTableRecord("goods", "ILAB", "2022", "2026-11-30", GOODS))


def test_every_principal(store):
    store.write(forum())
    tables(store)
    got = {}
    for who, principal in PRINCIPALS.items():
        result = execute(store, principal, QUERY, {"asOf": AS_OF.isoformat()})
        got[who] = refusal(store, principal, QUERY)[0] if result.errors else "ok"
        if principal.member == "M1" and not result.errors:
            shown = json.dumps(result.data)
            assert not [w for w in NEVER_FOR_M1 if w in shown], (who, shown)
    assert got == EXPECTED


def test_no_key_is_refused_before_graphql(store):
    store.write(forum())
    response = _client(store).post("/graphql", json={"query": QUERY})
    assert response.status_code == 401


def test_each_member_sees_its_own_network_only(store):
    store.write(forum())
    tables(store)
    m1 = data(store, PRINCIPALS["analyst"], QUERY, top=500)["risk"]
    m2 = data(store, PRINCIPALS["other member"], QUERY, top=500)["risk"]
    assert {n["id"] for n in m1["nodes"]} == {"S1", "S2", "S3", "S4", "F1"}
    assert m1["network"] == 5 and m1["member"] == "M1"
    assert {n["id"] for n in m2["nodes"]} == {"S4", "S9"} and m2["member"] == "M2"


def test_scores_with_components_weights_and_tables(store):
    store.write(forum())
    tables(store)
    risk = data(store, PRINCIPALS["sourcing"], QUERY, asOf=AS_OF.isoformat(), top=3)["risk"]
    assert risk["absent"] == [] and len(risk["nodes"]) == 3
    assert [t["kind"] for t in risk["tables"]] == ["countries", "goods"]
    assert risk["tables"][0] == {
        "kind": "countries",
        "source": "WGI",
        "edition": "2022",
        "imported": "2026-11-30",
        "rows": 2,
    }
    weights = {w["component"]: w["weight"] for w in risk["weights"]}
    assert sum(weights.values()) == pytest.approx(1) and weights["country"] == 0.2
    scores = [n["score"] for n in risk["nodes"]]
    assert scores == sorted(scores, reverse=True)
    for n in risk["nodes"]:
        total = sum(weights[c] * (v or 0) for c, v in n["components"].items())
        assert n["score"] == pytest.approx(100 * total)
    # S2 in Côte d'Ivoire sells cocoa to S1 and S3 inside M1's network: ILAB lists it.
    s2 = next(n for n in data(store, PRINCIPALS["sourcing"], QUERY, top=5)["risk"]["nodes"]
              if n["id"] == "S2")  # fmt: skip
    assert s2["components"]["goods"] == 1.0
    assert s2["components"]["country"] == pytest.approx(1 - 0.38)
    f1 = next(n for n in data(store, PRINCIPALS["sourcing"], QUERY, top=5)["risk"]["nodes"]
              if n["id"] == "F1")  # fmt: skip
    assert f1["countryFallback"] is False and f1["components"]["audit"] == 1.0


def test_without_tables_the_answer_says_what_is_absent(store):
    store.write(forum())
    risk = data(store, PRINCIPALS["analyst"], QUERY)["risk"]
    assert [a["component"] for a in risk["absent"]] == ["country", "goods"]
    assert risk["tables"] == []
    weights = {w["component"]: w["weight"] for w in risk["weights"]}
    assert weights["country"] == weights["goods"] == 0
    assert sum(weights.values()) == pytest.approx(1)
    assert all(n["components"]["country"] is None for n in risk["nodes"])


@pytest.mark.parametrize("top", [0, 501, -1])
def test_top_out_of_range_is_a_clear_error(store, top):
    store.write(forum())
    code, message = refusal(store, PRINCIPALS["analyst"], QUERY, top=top)
    assert code == "BAD_USER_INPUT" and message.startswith("top: must be between 1 and 500")


BAD_SETTINGS = [
    # (variable, file name, content, what the message must name beside the file)
    ("TIERGRAPH_RISK_WEIGHTS", "weights.toml", "country = 0.5\n", "sum to 1.3"),
    ("TIERGRAPH_RISK_WEIGHTS", "weights.toml", "audit = -0.2\ncountry = 0.6\n", "weight audit"),
    ("TIERGRAPH_RISK_WEIGHTS", "weights.json", '{"colour": 1}', "unknown name(s) colour"),
    ("TIERGRAPH_RISK_WEIGHTS", "missing.toml", None, "No such file"),
    ("TIERGRAPH_RISK_COMMODITIES", "aliases.toml", "[aliases]\ncocoa = 3\n", "entry 'cocoa'"),
]
EXPORT = 'mutation { startExport(format: csv, asOf: "2026-03-01") { id state } }'


@pytest.mark.parametrize(("variable", "name", "content", "field"), BAD_SETTINGS)
def test_a_risk_setting_that_cannot_be_used_is_named(
    store, tmp_path, monkeypatch, variable, name, content, field
):
    """Read at each request: `risk` and `startExport` answer BAD_SETTING naming the
    variable, the file and the field (never INTERNAL), before any export job is recorded."""
    store.write(forum())
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    monkeypatch.setenv(variable, str(path))
    monkeypatch.setenv("TIERGRAPH_EXPORT_DIR", str(tmp_path / "exports"))
    for query in (QUERY, EXPORT):
        code, message = refusal(store, PRINCIPALS["analyst"], query)
        assert code == "BAD_SETTING", message
        assert variable in message and str(path) in message and field in message, message
    monkeypatch.delenv(variable)
    assert data(store, PRINCIPALS["analyst"], QUERY)["risk"]["nodes"]  # fixed: answered again


def test_cli_json_is_the_apis_answer(tmp_path, monkeypatch):
    monkeypatch.setenv("TIERGRAPH_STORE", "embedded")
    monkeypatch.setenv("TIERGRAPH_DATA_DIR", str(tmp_path / "data"))
    store = SqliteStore(tmp_path / "data")
    store.write(forum())
    tables(store)
    day = AS_OF.isoformat()
    api = data(store, PRINCIPALS["analyst"], QUERY, asOf=day, top=4)["risk"]
    result = CliRunner().invoke(
        app, ["risk", "show", "-m", "M1", "--as-of", day, "--top", "4", "--format", "json"]
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    cli = json.loads(result.stdout)
    assert cli["member"] == api["member"] and cli["as_of"] == api["asOf"]
    assert (cli["network"], cli["decay"]) == (api["network"], api["decay"])
    assert cli["weights"] == {w["component"]: w["weight"] for w in api["weights"]}
    assert cli["configured_weights"] == {w["component"]: w["configured"] for w in api["weights"]}
    assert cli["absent"] == api["absent"] and cli["tables"] == api["tables"]
    assert cli["commodity_aliases"] == api["commodityAliases"]
    for n in api["nodes"]:
        n["country_fallback"] = n.pop("countryFallback")
    assert cli["nodes"] == api["nodes"]
    store.close()
