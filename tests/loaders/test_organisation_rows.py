"""Organisation rows: abbreviation and location, identifiers checked, normalised and
held by one organisation at most (in the load, and against the store)."""

from __future__ import annotations

import json

import pytest

from graph.sqlite_store import SqliteStore
from loaders.load import load
from tests.loaders.test_load import problems, write

LEI = "5493001KJTIIGC8Y1R12"
HEADER = "id,kind,name,country,lei,mill_id,abbreviation,lat,lon\n"
ORGS = (
    HEADER
    + f"S1,supplier,Gold Coast Trading,GH,{LEI},,GCT,,\n"
    + "MILL,supplier,Sawit Jaya POM,ID,,po-1000008590,,0.5071,101.4478\n"
    + "COOP,supplier,Cooperative Agricole de Daloa,CI,,,  S.C.A.D. ,6.8276,-5.2893\n"
)


def organisations(store) -> dict:
    return {o.id: o for o in store.export().organisations}


def test_abbreviation_location_and_normalised_identifiers_load(store, tmp_path):
    report = load(store, [write(tmp_path / "in", {"organisations.csv": ORGS})])
    assert problems(report) == []
    found = organisations(store)
    assert (found["S1"].lei, found["S1"].abbreviation, found["S1"].lat) == (LEI, "GCT", None)
    assert found["MILL"].mill_id == "PO1000008590"  # checked as a UML id, stored normalised
    assert (found["MILL"].lat, found["MILL"].lon) == (0.5071, 101.4478)
    assert found["COOP"].abbreviation == "S.C.A.D."  # as written (matching folds it)


def test_json_rows_carry_numbers_for_the_location(tmp_path):
    rows = [{"id": "F1", "kind": "smallholder", "name": "Farm", "country": "GH"}]
    rows[0] |= {"lat": 6.6885, "lon": -1.6244, "lei": LEI.lower()}
    (tmp_path / "organisations.json").write_text(json.dumps(rows))
    store = SqliteStore()
    assert load(store, [tmp_path / "organisations.json"]).ok
    (f1,) = store.organisations(["F1"])
    assert (f1.lat, f1.lon, f1.lei) == (6.6885, -1.6244, LEI)


BAD_ROWS = {
    "latitude out of range": (
        "X,supplier,x,GH,,,,95,1",
        "lat: 95.0 is not a latitude (-90 to 90, WGS84 degrees)",
    ),
    "longitude out of range": (
        "X,supplier,x,GH,,,,5,-181",
        "lon: -181.0 is not a longitude (-180 to 180, WGS84 degrees)",
    ),
    "not a number": ("X,supplier,x,GH,,,,5°N,1", "lat: Input should be a valid number"),
    "latitude alone": ("X,supplier,x,GH,,,,5,", "lon: missing: a location needs both lat and lon"),
    "longitude alone": ("X,supplier,x,GH,,,,,5", "lat: missing: a location needs both lat and lon"),
    "LEI check digits": (
        "X,supplier,x,GH,5493001KJTIIGC8Y1R13,,,,",
        "lei: LEI '5493001KJTIIGC8Y1R13': check digits 13 are wrong",
    ),
    "UML id": ("X,supplier,x,ID,,PO123,,,", "mill_id: UML id 'PO123': a UML mill id is PO and 10"),
    "long abbreviation": (
        "X,supplier,x,GH,,," + "A" * 51 + ",,",
        "abbreviation: String should have at most 50 characters",
    ),
    "name of no letter": (
        "X,supplier,...,GH,,,,,",
        "name: '...' holds no letter or digit besides a legal form",
    ),
    "name of a legal form alone": (
        "X,supplier,有限公司,CN,,,,,",
        "name: '有限公司' holds no letter",
    ),
    "name of Thai legal forms alone": (
        "X,supplier,บริษัท จำกัด,TH,,,,,",
        "name: 'บริษัท จำกัด' holds no letter",
    ),
    "name of a zero-width space": (
        "X,supplier,\u200b,GH,,,,,",
        "name: '\\u200b' holds no letter or digit besides a legal form",
    ),
    "id with an escape": (
        "X\x1b[31m,supplier,x,GH,,,,,",
        "id: 'X\\x1b[31m' holds a control character (U+001B)",
    ),
    "id with a right-to-left override": (
        "X\u202eY,supplier,x,GH,,,,,",
        "id: 'X\\u202eY' holds an invisible formatting character (U+202E)",
    ),
    "identifier twice in the load": (
        f"X,supplier,x,GH,{LEI.lower()},,,,",
        f"lei: {LEI} is already held by 'S1' (line 2)",
    ),
}


@pytest.mark.parametrize("row,expected", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_bad_organisation_row_names_its_field(tmp_path, row, expected):
    folder = write(tmp_path / "bad", {"organisations.csv": ORGS + row + "\n"})
    report = load(SqliteStore(), [folder])
    found = [p.replace(str(folder) + "/", "") for p in problems(report)]
    assert any(p.startswith(f"organisations.csv:5: {expected}") for p in found), found
    assert report.written == {}


def test_other_identifier_columns_are_checked_too(tmp_path):
    rows = HEADER.replace("lei,mill_id", "duns,gln,os_id") + "X,supplier,x,GH,12345,1,DE2021,,,\n"
    report = load(SqliteStore(), [write(tmp_path / "bad", {"organisations.csv": rows})])
    assert [p.field for p in report.problems] == ["duns", "gln", "os_id"]


def test_an_identifier_a_stored_organisation_holds_is_refused(store, tmp_path):
    assert load(store, [write(tmp_path / "first", {"organisations.csv": ORGS})]).ok
    later = write(
        tmp_path / "later",
        {
            "organisations.csv": HEADER + f"S9,supplier,Gold Coast Trading Ltd,GH,{LEI},,,,\n",
            "sourcing.csv": "buyer,seller,commodity\nS1,S9,cocoa\n",
        },
    )
    report = load(store, [later], partial=True)
    assert [(p.line, p.field, p.reason) for p in report.problems] == [
        (2, "lei", f"{LEI} is already held by stored organisation 'S1'"),
        (2, "seller", "unknown organisation 'S9' (its row was rejected)"),
    ]
    assert store.kinds(["S9"]) == {}


def test_a_load_may_move_an_identifier_its_holder_gives_up(store, tmp_path):
    assert load(store, [write(tmp_path / "first", {"organisations.csv": ORGS})]).ok
    moved = HEADER + f"S9,supplier,Gold Coast Trading Ltd,GH,{LEI},,,,\nS1,supplier,x,GH,,,,,\n"
    report = load(store, [write(tmp_path / "fix", {"organisations.csv": moved})])
    assert problems(report) == []
    assert store.holders([("lei", LEI)]) == {("lei", LEI): "S9"}


def test_a_holder_whose_own_row_is_rejected_keeps_its_identifier(tmp_path):
    store = SqliteStore()
    assert load(store, [write(tmp_path / "first", {"organisations.csv": ORGS})]).ok
    moved = HEADER + f"S9,supplier,x,GH,{LEI},,,,\nS1,supplier,x,XX,,,,,\n"
    report = load(store, [write(tmp_path / "fix", {"organisations.csv": moved})], partial=True)
    assert [(p.line, p.field) for p in report.problems] == [(3, "country"), (2, "lei")]
    assert store.holders([("lei", LEI)]) == {("lei", LEI): "S1"}
