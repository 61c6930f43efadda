"""`share_requests` rows: checked on their own (states and their answers), against
the load and the store with the API's rules (an audit of the member's network that
it cannot see; one open request per member and audit; an answer given once), a
grant written with its SHARED_WITH, and loading the same files again writes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from access.principal import Principal, Role
from graph.store import RequestStatus
from loaders.load import load
from sharing.requests import request_share
from tests.loaders.test_load import problems, write

TODAY = date(2026, 3, 1)
ORGS = """id,kind,name,country
M1,member,Acme Foods,NL
M2,member,Brand Two,US
S1,supplier,Gold Coast Trading,GH
S2,supplier,Abidjan Grindery,CI
S9,supplier,Far Away Mill,BR
"""
SOURCING = "buyer,seller,commodity\nM1,S1,cocoa\nS1,S2,cocoa\nM2,S2,cocoa\nM2,S9,cocoa\n"
AUDITS = """id,organisation,scheme,audit_date,valid_until,commissioned_by,shared_with_all
A1,S1,SMETA,2026-01-10,2027-01-09,M2,false
A2,S2,SMETA,2026-01-10,2027-01-09,M2,false
A3,S2,SMETA,2026-01-10,2027-01-09,M1,false
A4,S1,SMETA,2026-01-10,2027-01-09,S1,true
A9,S9,SMETA,2026-01-10,2027-01-09,M2,false
"""
HEADER = "id,member,audit,status,at,message,answered_at,reason\n"
GOOD = HEADER + (
    "R-1,M1,A1,open,2026-02-01,please share,,\n"
    "R-2,M1,A2,granted,2026-02-01,,2026-02-03,\n"
    "R-3,M2,A3,declined,2026-02-01,,2026-02-05,not before the follow-up\n"
)


def _folder(tmp_path, requests: str, name: str = "f"):
    files = {"organisations.csv": ORGS, "sourcing.csv": SOURCING, "audits.csv": AUDITS}
    return write(tmp_path / name, {**files, "share_requests.csv": requests})


def _by_id(store) -> dict:
    return {r.id: r for m in ("M1", "M2") for r in store.share_requests(member=m)}


def test_requests_load_with_their_answers_and_load_again_once(engine_store, tmp_path):
    store = engine_store
    folder = _folder(tmp_path, GOOD)
    report = load(store, [folder], today=TODAY)
    assert report.ok, problems(report)
    assert report.written["share_requests"] == 3
    got = _by_id(store)
    assert {k: (r.status, r.owner) for k, r in got.items()} == {
        "R-1": (RequestStatus.OPEN, "S1"),
        "R-2": (RequestStatus.GRANTED, "S2"),
        "R-3": (RequestStatus.DECLINED, "S2"),
    }
    assert got["R-1"].message == "please share" and got["R-3"].reason.startswith("not before")
    assert got["R-2"].at.startswith("2026-02-01") and got["R-2"].answered_at.startswith(
        "2026-02-03"
    )
    assert store.shares_of(["A1", "A2", "A3"]).get("A2") == ["M1"]  # the grant shares it
    assert not store.shares_of(["A1", "A3"]).get("A1") and not store.shares_of(["A3"]).get("A3")
    counts = store.counts()
    again = load(store, [folder], today=TODAY)
    assert again.ok, problems(again)
    assert "share_requests" not in again.written  # nothing changed: nothing written
    assert _by_id(store) == got and store.counts() == counts


def test_a_load_answers_an_open_request_once(engine_store, tmp_path):
    store = engine_store
    assert load(store, [_folder(tmp_path, GOOD)], today=TODAY).ok
    answer = HEADER + "R-1,M1,A1,granted,2026-02-01,please share,2026-02-20,\n"
    report = load(store, [_folder(tmp_path, answer, "g")], today=TODAY)
    assert report.ok, problems(report)
    assert _by_id(store)["R-1"].status == RequestStatus.GRANTED
    assert store.shares_of(["A1"]) == {"A1": ["M1"]}
    undo = HEADER + "R-1,M1,A1,declined,2026-02-01,please share,2026-02-21,no\n"
    refused = load(store, [_folder(tmp_path, undo, "h")], today=TODAY)
    assert [(p.field, "answered once" in p.reason) for p in refused.problems] == [("status", True)]
    assert _by_id(store)["R-1"].status == RequestStatus.GRANTED
    other = HEADER + "R-3,M1,A1,open,2026-02-01,,,\n"  # R-3 is M2's request for A3
    refused = load(store, [_folder(tmp_path, other, "i")], today=TODAY)
    assert [(p.field, "cannot change" in p.reason) for p in refused.problems] == [("id", True)]
    # said plainly, the stored pair beside the row's (it read 'M2''s: a doubled quote)
    assert "'M2''s" not in refused.problems[0].reason
    assert "member 'M2'" in refused.problems[0].reason
    assert "member 'M1', audit 'A1'" in refused.problems[0].reason
    assert _by_id(store)["R-3"].member == "M2"


def test_one_open_request_per_member_and_audit_with_the_apis_own(engine_store, tmp_path):
    """An open request made through the API stands: a load may not open a second."""
    store = engine_store
    assert load(store, [_folder(tmp_path, HEADER)], today=TODAY).ok
    made = request_share(principal=Principal(Role.SOURCING, "M1", "k"), store=store, audit="A1")
    second = HEADER + "R-9,M1,A1,open,2026-02-01,,,\n"
    report = load(store, [_folder(tmp_path, second, "g")], today=TODAY)
    assert [p.field for p in report.problems] == ["status"], problems(report)
    assert made["request"]["id"] in report.problems[0].reason
    assert [r.id for r in store.share_requests(member="M1")] == [made["request"]["id"]]


def test_a_partial_load_keeps_the_stored_open_request_when_its_row_is_refused(
    engine_store, tmp_path
):
    store = engine_store
    assert load(store, [_folder(tmp_path, GOOD)], today=TODAY).ok
    rows = HEADER + "R-1,M2,A1,granted,2026-02-01,,2026-02-02,\nR-7,M1,A1,open,2026-02-03,,,\n"
    report = load(store, [_folder(tmp_path, rows, "g")], today=TODAY, partial=True)
    assert [p.field for p in report.problems] == ["id", "status"], problems(report)
    assert "'R-1'" in report.problems[1].reason
    assert sorted(_by_id(store)) == ["R-1", "R-2", "R-3"]
    assert _by_id(store)["R-1"].status == RequestStatus.OPEN


BAD = {
    "open with an answer day": ("R-1,M1,A1,open,2026-02-01,,2026-02-02,\n", "answered_at"),
    "granted without its day": ("R-1,M1,A1,granted,2026-02-01,,,\n", "answered_at"),
    "answered before asked": ("R-1,M1,A1,declined,2026-02-05,,2026-02-01,\n", "answered_at"),
    "a reason on a grant": ("R-1,M1,A1,granted,2026-02-01,,2026-02-02,because\n", "reason"),
    "unknown status": ("R-1,M1,A1,maybe,2026-02-01,,,\n", "status"),
    "a day to come": ("R-1,M1,A1,open,2026-12-01,,,\n", "at"),
    "unknown audit": ("R-1,M1,NOPE,open,2026-02-01,,,\n", "audit"),
    "not a member": ("R-1,S1,A2,open,2026-02-01,,,\n", "member"),
    "its own audit": ("R-1,M1,A3,open,2026-02-01,,,\n", "audit"),
    "outside its network": ("R-1,M1,A9,open,2026-02-01,,,\n", "audit"),
    "shared with all": ("R-1,M1,A4,open,2026-02-01,,,\n", "audit"),
    "seen through a grant": ("R-1,M1,A1,granted,2026-02-01,,2026-02-02,\nR-2,M1,A1,open,2026-02-03,,,\n", "audit"),
    "two open": ("R-1,M1,A1,open,2026-02-01,,,\nR-2,M1,A1,open,2026-02-02,,,\n", "status"),
    "one id twice": ("R-1,M1,A1,open,2026-02-01,,,\nR-1,M1,A2,open,2026-02-01,,,\n", "id"),
}  # fmt: skip


@pytest.mark.parametrize("rows,field", BAD.values(), ids=BAD.keys())
def test_a_bad_request_is_named_and_nothing_is_written(engine_store, tmp_path, rows, field):
    store = engine_store
    report = load(store, [_folder(tmp_path, HEADER + rows)], today=TODAY)
    assert not report.ok
    assert [p.field for p in report.problems] == [field], problems(report)
    assert all(p.file.endswith("share_requests.csv") for p in report.problems)
    assert store.counts()["audits"] == 0
    assert _by_id(store) == {}
