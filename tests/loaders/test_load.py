"""`load` on both stores: good files land whole, bad rows are named, nothing half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loaders.load import load

ORGS = """id,kind,name,country,lei
M1,member,Acme Foods,NL,
S1,supplier,Gold Coast Trading,gh,5493001KJTIIGC8Y1R12
S2,supplier,Abidjan Grindery,CI,
F1,smallholder,Kofi farm,GH,
"""
SOURCING = """buyer,seller,commodity,since
M1,S1,cocoa,2021-04-01
S1,S2,cocoa,
S2,S1,cocoa,
S2,F1,cocoa,
"""
REQS = """id,title,version,frameworks
R1,Acme supplier code,3,UNGC;UNGP;ILO
"""
PASS_ON = "buyer,seller,requirement,at\nM1,S1,R1,2025-01-02\n"
ADOPT = "organisation,requirement,at,evidence\nS1,R1,2025-01-05,signed\n"
AUDITS = """id,organisation,scheme,audit_date,valid_until,commissioned_by,shared_with_all
A1,S1,SMETA,2026-01-10,2027-01-09,M1,true
"""
FINDINGS = (
    "id,audit,severity,status,category,due_date\nX1,A1,critical,open,child labour,2026-03-01\n"
)


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return folder


@pytest.fixture
def good(tmp_path) -> Path:
    return write(
        tmp_path / "good",
        {
            "organisations.csv": ORGS,
            "sourcing.csv": SOURCING,
            "requirements.csv": REQS,
            "requires.csv": "member,requirement\nM1,R1\n",
            "pass_on.csv": PASS_ON,
            "adoptions.csv": ADOPT,
            "audits.csv": AUDITS,
            "findings.csv": FINDINGS,
            "recognitions.csv": "member,scheme\nM1,SMETA\n",
            "shares.csv": "audit,member\nA1,M1\n",
        },
    )


def problems(report) -> list[str]:
    return [str(p) for p in report.problems]


def test_the_write_progress_ends_full_and_never_past_its_total(store, good):
    seen: list[tuple[int, int]] = []
    load(store, [good], on_write=lambda n, total: seen.append((n, total)))
    totals = {total for _, total in seen}
    assert len(totals) == 1  # 16 rows + the COVERS and HAS_FINDING they bring
    assert sum(n for n, _ in seen) == totals.pop() == 18
    seen.clear()
    again = load(store, [good], on_write=lambda n, total: seen.append((n, total)))
    assert seen == [] and again.written == {}  # all stored as they are: nothing to write


def test_a_good_folder_loads_every_kind(store, good):
    report = load(store, [good])
    assert problems(report) == []
    assert report.written == {
        "organisations": 4,
        "requirements": 1,
        "requires": 1,
        "sourcing": 4,
        "pass_on": 1,
        "adoptions": 1,
        "audits": 1,
        "findings": 1,
        "shares": 1,
        "recognitions": 1,
    }
    counts = store.counts()
    assert (counts["members"], counts["suppliers"], counts["smallholders"]) == (1, 2, 1)
    exported = store.export()
    s1 = next(o for o in exported.organisations if o.id == "S1")
    assert s1.country == "GH" and s1.lei == "5493001KJTIIGC8Y1R12"
    assert exported.requirements[0].frameworks == ("UNGC", "UNGP", "ILO")
    assert exported.audits[0].shared_with_all is True


def test_loading_the_same_files_twice_changes_nothing(store, good):
    load(store, [good])
    first = store.export()
    again = load(store, [good])
    assert again.ok
    assert store.export() == first


def test_later_loads_may_reference_what_is_already_stored(store, good, tmp_path):
    load(store, [good])
    more = write(
        tmp_path / "more",
        {
            "organisations.csv": "id,kind,name,country\nS3,supplier,New mill,ID\n",
            "sourcing.csv": "buyer,seller,commodity\nS2,S3,palm oil\n",
            "pass_on.csv": "buyer,seller,requirement\nS1,S2,R1\n",
        },
    )
    report = load(store, [more])
    assert problems(report) == []
    assert store.sourcing_pairs([("S2", "S3")]) == {("S2", "S3")}


BAD_CASES = {
    "duplicate id": (
        {"organisations.csv": ORGS + "S1,supplier,Again,GH,\n"},
        "organisations.csv:6: id: duplicate of line 3",
    ),
    "edge to an unknown node": (
        {"organisations.csv": ORGS, "sourcing.csv": SOURCING + "S1,S9,cocoa,\n"},
        "sourcing.csv:6: seller: unknown organisation 'S9'",
    ),
    "unknown country": (
        {"organisations.csv": ORGS + "S5,supplier,Nowhere,XX,\n"},
        "organisations.csv:6: country: 'XX' is not an ISO 3166-1 alpha-2 country code",
    ),
    "unparsable date": (
        {"organisations.csv": ORGS, "sourcing.csv": SOURCING + "M1,S2,cocoa,01/02/2024\n"},
        "sourcing.csv:6: since: '01/02/2024' is not a day (YYYY-MM-DD)",
    ),
    "impossible date": (
        {"organisations.csv": ORGS, "sourcing.csv": SOURCING + "M1,S2,cocoa,2024-02-30\n"},
        "sourcing.csv:6: since: '2024-02-30' is not a day of the calendar",
    ),
    "valid_until before audit_date": (
        {"organisations.csv": ORGS, "audits.csv": AUDITS.replace("2027-01-09", "2025-01-01")},
        "audits.csv:2: valid_until: 2025-01-01 precedes audit_date 2026-01-10",
    ),
    "wrong encoding": (
        {"organisations.csv": ORGS.encode() + "S6,supplier,Caf\u00e9 Sud,CI,\n".encode("latin-1")},
        "organisations.csv:6: file is not UTF-8 (byte 0xe9 at offset",
    ),
    "smallholder as a buyer": (
        {"organisations.csv": ORGS, "sourcing.csv": SOURCING + "F1,S2,cocoa,\n"},
        "sourcing.csv:6: buyer: 'F1' is a smallholder: a smallholder is a leaf",
    ),
    "requirement of a non-member": (
        {
            "organisations.csv": ORGS,
            "requirements.csv": REQS,
            "requires.csv": "member,requirement\nS1,R1\n",
        },
        "requires.csv:2: member: 'S1' is a supplier, not a member",
    ),
    "pass-on without sourcing": (
        {
            "organisations.csv": ORGS,
            "sourcing.csv": SOURCING,
            "requirements.csv": REQS,
            "pass_on.csv": "buyer,seller,requirement\nM1,S2,R1\n",
        },
        "pass_on.csv:2: seller: 'M1' does not source from 'S2'",
    ),
    "unknown kind": (
        {"organisations.csv": ORGS + "S7,factory,Plant,GH,\n"},
        "organisations.csv:6: kind: Input should be 'member', 'supplier' or 'smallholder' (got 'factory')",
    ),
    "missing required column": (
        {"organisations.csv": "id,kind,name\nS8,supplier,x\n"},
        "organisations.csv:1: country: required column missing for organisations",
    ),
    "unknown column": (
        {"organisations.csv": "id,kind,name,country,colour\nS8,supplier,x,GH,red\n"},
        "organisations.csv:1: colour: unknown column for organisations",
    ),
    "empty required value": (
        {"organisations.csv": ORGS + ",supplier,No id,GH,\n"},
        "organisations.csv:6: id: String should have at least 1 character",
    ),
    "wrong number of values": (
        {"organisations.csv": ORGS + "S9,supplier\n"},
        "organisations.csv:6: 2 values for 5 columns",
    ),
    "file named for no kind": (
        {"farmers.csv": "id\nx\n"},
        "farmers.csv: file name does not start with a kind",
    ),
}


@pytest.mark.parametrize("files,expected", BAD_CASES.values(), ids=BAD_CASES.keys())
def test_a_bad_row_is_named_and_nothing_is_written(store, tmp_path, files, expected):
    folder = write(tmp_path / "bad", files)
    report = load(store, [folder])
    assert not report.ok
    found = problems(report)
    assert any(p.replace(str(folder) + "/", "").startswith(expected) for p in found), found
    assert report.written == {}
    assert store.counts()["suppliers"] == 0 and store.counts()["members"] == 0


def test_a_kind_cannot_change_once_stored(store, good, tmp_path):
    load(store, [good])
    folder = write(
        tmp_path / "change", {"organisations.csv": "id,kind,name,country\nS1,member,x,GH\n"}
    )
    report = load(store, [folder])
    assert [p.field for p in report.problems] == ["kind"]
    assert "stored as a supplier" in report.problems[0].reason


def test_partial_writes_the_good_rows_and_drops_what_depends_on_bad_ones(store, tmp_path):
    folder = write(
        tmp_path / "mixed",
        {
            "organisations.csv": ORGS + "S5,supplier,Nowhere,XX,\n",
            "sourcing.csv": SOURCING + "S1,S5,cocoa,\n",
        },
    )
    report = load(store, [folder], partial=True)
    reasons = [(p.line, p.field, p.reason) for p in report.problems]
    assert reasons == [
        (6, "country", "'XX' is not an ISO 3166-1 alpha-2 country code"),
        (6, "seller", "unknown organisation 'S5' (its row was rejected)"),
    ]
    assert report.written == {"organisations": 4, "sourcing": 4}
    assert store.kinds(["S5"]) == {}
    assert store.counts()["sourcing"] == 4


def test_json_rows_and_bundles_load_like_csv(store, tmp_path):
    folder = tmp_path / "json"
    folder.mkdir()
    (folder / "network.json").write_text(
        json.dumps(
            {
                "organisations": [
                    {"id": "M1", "kind": "member", "name": "Acme", "country": "NL"},
                    {"id": "S1", "kind": "supplier", "name": "Trader", "country": "GH"},
                ],
                "requirements": [{"id": "R1", "title": "Code", "frameworks": ["UNGC", "ILO"]}],
            }
        )
    )
    (folder / "sourcing.json").write_text(
        json.dumps(
            [
                {"buyer": "M1", "seller": "S1", "commodity": "cocoa", "since": "2020-01-01"},
                {"buyer": "M1", "seller": "S1", "commodity": "cocoa", "since": "yesterday"},
            ]
        )
    )
    report = load(store, [folder])
    assert problems(report) == [
        f"{folder}/sourcing.json:row 2: since: 'yesterday' is not a day (YYYY-MM-DD)"
    ]
    fixed = json.loads((folder / "sourcing.json").read_text())[:1]
    (folder / "sourcing.json").write_text(json.dumps(fixed))
    assert load(store, [folder]).ok
    assert store.existing("requirement", ["R1"]) == {"R1"}
