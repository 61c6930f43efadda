"""`tiergraph match` and `tiergraph load --match` as an operator uses them, on the
embedded store: real files, each command a separate invocation."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from matching.identifiers import lei_check_digits
from tests.test_cli import data_dir, run  # noqa: F401 - data_dir is a fixture

LEI = "529900ABCDEFGHIJKL" + lei_check_digits("529900ABCDEFGHIJKL")

STORED = (
    "id,kind,name,country,lei,abbreviation\n"
    "M-ACME,member,Acme Foods,NL,,\n"
    f"P1,supplier,PT Sinar Mas Agro Resources,ID,{LEI},\n"
    "P3,supplier,PTPN III,ID,,\n"
    "C1,supplier,Asunafo North Cocoa Cooperative,GH,,ANCC\n"
)
ROW_KEYS = {
    "file",
    "line",
    "id",
    "name",
    "country",
    "decision",
    "organisation",
    "reason",
    "choice",
    "candidates",
    "namesakes",
}
CANDIDATE_KEYS = {"id", "name", "country", "kind", "score", "conflicts"}


@pytest.fixture
def stored(data_dir):  # noqa: F811 - the fixture imported above
    folder = data_dir / "stored"
    folder.mkdir()
    (folder / "organisations.csv").write_text(STORED)
    code, out = run("load", str(folder), "--format", "json")
    assert code == 0, out
    return data_dir


def files(root, name: str, organisations: str, sourcing: str | None = None):
    folder = root / name
    folder.mkdir()
    (folder / "organisations.csv").write_text(
        "id,kind,name,country,lei,abbreviation\n" + organisations
    )
    if sourcing is not None:
        (folder / "sourcing.csv").write_text("buyer,seller,commodity\n" + sourcing)
    return folder


def run_json(*args: str, code: int = 0):
    got, out = run(*args, "--format", "json")
    assert got == code, out
    return json.loads(out)


def by_id(report) -> dict:
    return {row["id"]: row for row in report["organisations"]}


def test_match_says_what_each_new_row_is_and_writes_nothing(stored):
    folder = files(
        stored,
        "suppliers",
        "F-SMAR,supplier,Sinar Mas Agro Resources Tbk,ID,,\n"  # a spelling variant
        "F-PTPN,supplier,Perkebunan Nusantara,ID,,\n"  # the group's name: which estate?
        "F-PTPN4,supplier,PTPN IV,ID,,\n"  # a numbered sibling: another organisation
        f"F-LEI,supplier,Another Name Entirely,MY,{LEI},\n"  # P1's LEI
        "F-ANC,supplier,Asunafo North Cocoa Coop,GH,,ANC\n"  # another cooperative
        "F-NEW,supplier,Kumasi Fresh Produce,GH,,\n"
        "M-ACME,member,Acme Foods,NL,,\n",  # stored: loaded as it is, not matched
    )
    before = run_json("status")["counts"]
    report = run_json("match", str(folder), code=1)  # rows need a person
    assert set(report) == {
        "ok",
        "files",
        "rows",
        "rejected",
        "unlisted",
        "counts",
        "organisations",
        "verdicts",
        "kept",
        "not_kept",
    }
    assert report["ok"] is False and report["rows"] == 7 and report["rejected"] == []
    assert report["counts"] == {"existing": 2, "choose": 2, "conflict": 0, "new": 2, "stored": 1}
    rows = by_id(report)
    assert all(set(row) == ROW_KEYS for row in rows.values())
    assert [row["line"] for row in report["organisations"]] == [2, 3, 4, 5, 6, 7]
    smar = rows["F-SMAR"]
    assert (smar["decision"], smar["organisation"], smar["reason"]) == (
        "existing",
        "P1",
        "name and country",
    )
    assert smar["candidates"] == [
        {
            "id": "P1",
            "name": "PT Sinar Mas Agro Resources",
            "country": "ID",
            "kind": "supplier",
            "score": 1.0,
            "conflicts": [],
        }
    ]
    assert (rows["F-LEI"]["organisation"], rows["F-LEI"]["reason"]) == ("P1", "shared identifier")
    group = rows["F-PTPN"]
    assert group["decision"] == "choose" and group["organisation"] is None
    assert [(c["id"], c["conflicts"]) for c in group["candidates"]] == [("P3", ["numbers"])]
    assert set(group["candidates"][0]) == CANDIDATE_KEYS
    assert (rows["F-PTPN4"]["decision"], rows["F-PTPN4"]["candidates"]) == ("new", [])
    coop = rows["F-ANC"]
    assert coop["decision"] == "choose" and coop["candidates"][0]["conflicts"] == ["abbreviation"]
    assert rows["F-NEW"]["decision"] == "new" and rows["F-NEW"]["candidates"] == []
    assert report["verdicts"] == [] and report["kept"] is False
    assert run_json("status")["counts"] == before


def test_match_table_and_csv(stored):
    folder = files(
        stored,
        "suppliers",
        "F-SMAR,supplier,Sinar Mas Agro Resources Tbk,ID,,\nF-PTPN,supplier,Perkebunan Nusantara,ID,,\n",
    )
    code, out = run("match", str(folder))
    assert code == 1
    assert "1 existing, 1 to choose" in out
    # the summary's count of rows decided "conflict" is not read as the table's conflicts
    assert re.search(r"0 with identifiers held by\s+several stored organisations", out)
    assert "conflict(s)" not in out
    for shown in ("F-PTPN", "PTPN III", "numbers", "F-SMAR", "PT Sinar"):
        assert shown in out
    table = out
    code, out = run("match", str(folder), "--format", "csv")
    assert code == 1
    lines = list(csv.DictReader(io.StringIO(out)))
    for r in lines:  # each candidate's id whole on a line of its own (--confirm takes it)
        assert re.search(rf"\s{r['candidate']}\s", table), r
    assert [(r["id"], r["decision"], r["candidate"], r["conflicts"]) for r in lines] == [
        ("F-SMAR", "existing", "P1", ""),
        ("F-PTPN", "choose", "P3", "numbers"),
    ]
    all_decided = files(stored, "decided", "F-SMAR,supplier,Sinar Mas Agro Resources Tbk,ID,,\n")
    assert run("match", str(all_decided))[0] == 0


def test_a_name_a_spreadsheet_would_run_is_text_in_the_csv(stored):
    folder = files(stored, "formula", "F-EQ,supplier,=HYPERLINK(1),ID,,\n")
    (row,) = csv.DictReader(io.StringIO(run("match", str(folder), "--format", "csv")[1]))
    assert (row["id"], row["name"]) == ("F-EQ", "'=HYPERLINK(1)")
    assert run_json("match", str(folder))["organisations"][0]["name"] == "=HYPERLINK(1)"


def test_bad_rows_are_listed_with_file_line_and_field(stored):
    folder = files(stored, "bad", "F-1,supplier,Somewhere,ZZ,,\nF-2,supplier,Elsewhere,ID,12345,\n")
    report = run_json("match", str(folder), code=1)
    assert [(p["line"], p["field"]) for p in report["rejected"]] == [(2, "country"), (3, "lei")]
    assert report["rejected"][0]["file"].endswith("organisations.csv")
    assert report["organisations"] == []


def test_a_load_needing_a_choice_writes_nothing_then_the_choice_loads_and_is_kept(stored):
    folder = files(
        stored,
        "suppliers",
        "F-ACME,member,ACME FOODS B.V.,NL,,\n"
        "F-SMR,supplier,Sinar Mas Resources,ID,,\n"
        "F-NEW,supplier,Kumasi Fresh Produce,GH,,\n",
        "F-ACME,F-SMR,palm oil\nF-SMR,F-NEW,palm oil\n",
    )
    before = run_json("status")["counts"]
    refused = run_json("load", "--match", str(folder), code=1)
    assert refused["ok"] is False and refused["written"] == {}
    question = refused["rejected"][0]
    assert question["line"] == 3 and question["field"] == "id"
    assert "'P1' (PT Sinar Mas Agro Resources, ID) score 0.75" in question["reason"]
    assert "--confirm F-SMR=STORED_ID" in question["reason"]
    assert refused["match"]["counts"]["choose"] == 1
    assert set(by_id(refused["match"])) == {"F-ACME", "F-SMR"}  # the new row only counted
    assert run_json("status")["counts"] == before

    loaded = run_json("load", str(folder), "--confirm", "F-SMR=P1")  # --confirm implies --match
    assert loaded["ok"] and loaded["written"] == {"organisations": 1, "sourcing": 2}
    assert loaded["match"]["verdicts"] == [{"id": "F-SMR", "organisation": "P1", "same": True}]
    assert loaded["match"]["kept"] is True
    rows = by_id(loaded["match"])
    assert (rows["F-SMR"]["organisation"], rows["F-SMR"]["choice"]) == ("P1", "confirm")
    assert rows["F-ACME"]["organisation"] == "M-ACME"
    counts = run_json("status")["counts"]
    assert counts["suppliers"] == before["suppliers"] + 1  # F-NEW only
    assert counts["members"] == before["members"]

    again = run_json("load", "--match", str(folder))  # the kept choice decides
    assert again["ok"] and by_id(again["match"])["F-SMR"]["reason"] == "confirmed before"
    assert run_json("status")["counts"] == counts


def test_reject_and_create_are_kept(stored):
    folder = files(stored, "suppliers", "F-SMAR,supplier,Sinar Mas Agro Resources Tbk,ID,,\n")
    rejected = run_json("match", str(folder), "--reject", "F-SMAR=P1")
    assert rejected["ok"] and rejected["kept"] is True
    row = by_id(rejected)["F-SMAR"]
    assert (row["decision"], row["choice"]) == ("new", "reject")
    assert by_id(run_json("match", str(folder)))["F-SMAR"]["decision"] == "new"  # kept

    sibling = files(
        stored,
        "sibling",
        "F-PTPN,supplier,Perkebunan Nusantara,ID,,\n",
        "M-ACME,F-PTPN,palm oil\n",
    )
    refused = run_json("load", str(sibling), "--match", code=1)
    assert "--create F-PTPN" in refused["rejected"][0]["reason"]
    created = run_json("load", str(sibling), "--create", "F-PTPN=the holding, not PTPN III")
    assert created["written"]["organisations"] == 1
    row = by_id(created["match"])["F-PTPN"]
    assert row["reason"] == "created anyway (--create): the holding, not PTPN III"
    assert created["match"]["verdicts"] == [{"id": "F-PTPN", "organisation": "P3", "same": False}]
    # another file's group name is now the one created, with no question about PTPN III
    other = files(stored, "other", 'G-PTPN,supplier,"Perkebunan Nusantara, PT",ID,,\n')
    row = by_id(run_json("match", str(other)))["G-PTPN"]
    assert (row["decision"], row["organisation"]) == ("existing", "F-PTPN")


def test_choices_that_cannot_be_taken_are_refused(stored):
    folder = files(
        stored,
        "suppliers",
        f"F-SMR,supplier,Sinar Mas Resources,ID,,\nF-LEI,supplier,Other,MY,{LEI},\n",
    )
    for args, field in [
        (["--confirm", "F-SMR=P3"], "--confirm"),  # not one of its candidates
        (["--confirm", "F-SMR"], "--confirm"),
        (["--confirm", "F-SMR=P1", "--create", "F-SMR"], "--create"),
        (["--reject", "NOBODY=P1"], "--reject"),
        (["--create", "F-LEI"], "--create"),  # a shared identifier decides
    ]:
        for command in (["match"], ["load", "--match"]):
            got = run_json(*command, str(folder), *args, code=2)
            assert got["error"]["code"] == "bad_parameter" and got["error"]["field"] == field
    code, out = run("match", str(folder), "--confirm", "F-SMR=P3")
    assert code == 2
    report = run_json("match", str(folder), code=1)
    assert report["verdicts"] == []  # nothing kept by the refusals


def test_thresholds_come_from_settings_and_options(stored, monkeypatch):
    folder = files(stored, "suppliers", "F-SMR,supplier,Sinar Mas Resources,ID,,\n")  # 0.75
    assert by_id(run_json("match", str(folder), code=1))["F-SMR"]["decision"] == "choose"
    lower = run_json("match", str(folder), "--automatic", "0.7")
    assert by_id(lower)["F-SMR"]["organisation"] == "P1"
    assert by_id(run_json("match", str(folder), "--candidate", "0.8", "--automatic", "0.9"))[
        "F-SMR"
    ]["decision"] == ("new")
    monkeypatch.setenv("TIERGRAPH_MATCH_AUTOMATIC", "0.7")
    assert by_id(run_json("match", str(folder)))["F-SMR"]["decision"] == "existing"
    loaded = run_json("load", str(folder), "--automatic", "0.9", code=1)  # implies --match
    assert loaded["match"]["counts"]["choose"] == 1
    bad = run_json("match", str(folder), "--candidate", "0.9", code=2)  # above automatic 0.7
    assert bad["error"]["field"] == "--candidate"
    monkeypatch.setenv("TIERGRAPH_MATCH_CANDIDATE", "0.95")
    bad = run_json("match", str(folder), code=2)
    assert bad["error"]["code"] == "bad_setting"


def test_without_match_a_load_creates_the_variant_as_before(stored):
    folder = files(stored, "suppliers", "F-SMAR,supplier,Sinar Mas Agro Resources Tbk,ID,,\n")
    loaded = run_json("load", str(folder))
    assert loaded["written"] == {"organisations": 1} and loaded["match"] is None


def test_rows_of_one_name_are_namesakes_and_share_a_choice(stored):
    folder = files(
        stored,
        "suppliers",
        "F-A,supplier,Perkebunan Nusantara,ID,,\nF-B,supplier,P.T.P.N.,ID,,\n",
    )
    rows = by_id(run_json("match", str(folder), code=1))
    assert (rows["F-A"]["namesakes"], rows["F-B"]["namesakes"]) == (["F-B"], ["F-A"])
    confirmed = by_id(run_json("match", str(folder), "--confirm", "F-A=P3"))
    assert (confirmed["F-A"]["reason"], confirmed["F-B"]["reason"]) == (
        "confirmed (--confirm)",
        "confirmed before",
    )
    assert confirmed["F-B"]["organisation"] == "P3"


def test_the_load_table_lists_the_rows_created_anyway(stored):
    """`load --match` lists, beside the questions, the rows a choice named: a row
    created with --create shows its reason (the JSON names it too)."""
    sibling = files(
        stored, "sibling", "F-PTPN,supplier,Perkebunan Nusantara,ID,,\n", "M-ACME,F-PTPN,palm oil\n"
    )
    code, out = run("load", str(sibling), "--create", "F-PTPN=the holding")
    assert code == 0, out
    shown, _, written = out.partition("choices kept")
    assert "F-PTPN" in shown and "F-PTPN is not P3" in written
    # the narrow table folds the reason over lines: its words are there
    assert {"new:", "created", "anyway", "(--create):", "holding"} <= set(shown.split())


def test_a_row_between_two_rows_matched_as_one_organisation_says_why(stored):
    folder = files(
        stored,
        "twice",
        "F-SMAR,supplier,Sinar Mas Agro Resources Tbk,ID,,\n"  # P1 by its name
        f"F-SMR2,supplier,Sinar Mas Agro Resources,ID,{LEI},\n",  # P1 by its LEI
        "F-SMAR,F-SMR2,palm oil\n",
    )
    refused = run_json("load", str(folder), "--match", code=1)
    assert {r["organisation"] for r in by_id(refused["match"]).values()} == {"P1"}
    (problem,) = refused["rejected"]
    assert problem["field"] == "seller" and problem["file"].endswith("sourcing.csv")
    assert (
        "'F-SMAR' and seller 'F-SMR2' are both the stored organisation 'P1'" in (problem["reason"])
    )
    assert "cannot source from itself" not in problem["reason"]


def test_a_row_named_by_a_stored_abbreviation_is_a_question(stored):
    folder = files(stored, "short", "F-ANCC,supplier,A.N.C.C.,GH,,\n")
    report = run_json("match", str(folder), code=1)
    row = by_id(report)["F-ANCC"]
    assert (row["decision"], [c["id"] for c in row["candidates"]]) == ("choose", ["C1"])
    assert row["reason"] == "its name is the abbreviation of a stored organisation"
    assert by_id(run_json("match", str(folder), "--confirm", "F-ANCC=C1"))["F-ANCC"][
        "organisation"
    ] == ("C1")
