"""`tiergraph risk import` and `risk show` on a real data folder: JSON shapes, exit
codes, every unknown name reported, settings that cannot be used named."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from graph.sqlite_store import SqliteStore
from tests.risk.real_tables import ILAB, WGI
from tests.views.forum import forum
from tiergraph.cli import app

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TIERGRAPH_STORE", "embedded")
    monkeypatch.setenv("TIERGRAPH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TIERGRAPH_RISK_WEIGHTS", raising=False)
    monkeypatch.delenv("TIERGRAPH_RISK_COMMODITIES", raising=False)
    store = SqliteStore(tmp_path / "data")
    store.write(forum())
    store.close()
    return tmp_path


def run(*args: str) -> tuple[int, dict]:
    result = runner.invoke(app, [*args, "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def test_import_the_real_tables_then_show(data_dir):
    code, goods = run("risk", "import", "--goods", str(ILAB))
    assert code == 0 and (goods["rows"], goods["countries"], goods["edition"]) == (467, 78, "2022")
    code, countries = run("risk", "import", "--countries", str(WGI), "--source", "WGI 2022")
    assert code == 0 and countries["source"] == "WGI 2022" and countries["replaced"] is None
    code, shown = run("risk", "show", "-m", "M1", "--as-of", "2026-03-01")
    assert code == 0 and shown["absent"] == []
    assert [(t["kind"], t["edition"]) for t in shown["tables"]] == [
        ("countries", "2022"),
        ("goods", "2022"),
    ]
    code, again = run("risk", "import", "--countries", str(WGI))
    assert again["replaced"]["source"] == "WGI 2022"


def test_an_import_with_unknown_names_lists_them_all_and_keeps_nothing(data_dir):
    bad = data_dir / "index_2025.csv"
    bad.write_text("country,score\nNarnia,0.1\nGhana,0.5\nOz,0.2\n", encoding="utf-8")
    code, report = run("risk", "import", "--countries", str(bad))
    assert code == 1 and report["imported"] is None
    assert report["unmapped"] == [{"row": 2, "name": "Narnia"}, {"row": 4, "name": "Oz"}]
    _, shown = run("risk", "show", "-m", "M1")
    assert [a["component"] for a in shown["absent"]] == ["country", "goods"]
    code, report = run(
        "risk", "import", "--countries", str(bad), "--skip", "Narnia", "--skip", "oz"
    )
    assert code == 0 and report["rows"] == 1 and len(report["skipped"]) == 2


def test_show_refuses_what_it_cannot_answer(data_dir, monkeypatch):
    code, answer = run("risk", "show", "-m", "S1")
    assert code == 2 and answer["error"]["code"] == "bad_request"  # as every command says it
    code, answer = run("risk", "show", "-m", "M1", "--top", "0")
    assert (code, answer["error"]) == (
        2,
        {
            "code": "bad_parameter",
            "message": "--top must be a whole number from 1 to 500",
            "field": "--top",
        },
    )
    weights = data_dir / "weights.toml"
    weights.write_text("country = 0.5\n", encoding="utf-8")
    monkeypatch.setenv("TIERGRAPH_RISK_WEIGHTS", str(weights))
    code, answer = run("risk", "show", "-m", "M1")
    assert code == 2 and answer["error"]["code"] == "bad_setting"
    assert answer["error"]["field"] == "TIERGRAPH_RISK_WEIGHTS"
    assert "sum to 1.3" in answer["error"]["message"] and str(weights) in answer["error"]["message"]
    # The export refuses it in the same words (docs/exports.md), writing nothing.
    target = data_dir / "m1.jsonl"
    got = runner.invoke(
        app, ["export", "-m", "M1", "-f", "jsonl", "-o", str(target), "--report", "json"]
    )
    assert got.exit_code == 2 and not target.exists()
    error = json.loads(got.stdout)["error"]
    assert (error["code"], error["field"]) == ("bad_setting", "TIERGRAPH_RISK_WEIGHTS")
    assert error["message"] == answer["error"]["message"]


def test_a_weights_file_and_an_alias_file_are_used(data_dir, monkeypatch):
    weights = data_dir / "weights.json"
    weights.write_text(
        json.dumps(
            {
                "country": 0.1,
                "audit": 0.5,
                "cascade": 0.1,
                "upstream": 0.1,
                "criticality": 0.0,
                "decay": 0.25,
            }
        ),  # fmt: skip
        encoding="utf-8",
    )
    aliases = data_dir / "aliases.toml"
    aliases.write_text('[aliases]\n"cocoa" = "Gold"\n', encoding="utf-8")
    monkeypatch.setenv("TIERGRAPH_RISK_WEIGHTS", str(weights))
    monkeypatch.setenv("TIERGRAPH_RISK_COMMODITIES", str(aliases))
    code, shown = run("risk", "show", "-m", "M1")
    assert code == 0 and shown["decay"] == 0.25 and shown["commodity_aliases"] == str(aliases)
    assert shown["configured_weights"]["audit"] == 0.5
    assert shown["weights"]["audit"] == pytest.approx(0.5 / 0.7)


def test_exactly_one_table_per_import(data_dir):
    code, answer = run("risk", "import")
    assert code == 2 and "exactly one of --goods" in answer["error"]["message"]
