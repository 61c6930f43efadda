"""Attacks on the member API's rules, over HTTP against a real `tiergraph serve`
on a real SQLite data folder (docs/api.md; DOMAIN.md, "Who may do what").

The forum: M1 and M2 both buy from S1; M2 alone from S4 -> S5 (and S4 sells to
S1). M2 commissioned A-7 on S1 (a critical finding, never shared with M1) and
A-SH on S3 (shared with M1); M1 commissioned A-M1 on S2. M1's people must learn
nothing of M2's side: not its name, its suppliers, its requirement, its audit's
commissioner, rating, auditor or findings.

The tests under "problems this review found" each failed before its fix: parse
errors without a code, nested cursors and bodies answered INTERNAL or 500, no
bound on a request's size, two Authorization headers accepted. The last ones ask
for the network risk and the exports (startExport, job, GET /exports/{id}) with
every wrong principal.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from access.keys import create_key
from access.principal import Role
from graph.model import (
    Adoption,
    Audit,
    Finding,
    FindingStatus,
    GraphBatch,
    PassOn,
    Recognition,
    Requirement,
    Requires,
    Severity,
    Share,
    Sourcing,
)
from graph.sqlite_store import SqliteStore
from tests.factories import chain, org
from tests.served import serving

ROOT = Path(__file__).resolve().parents[2]
# What only M2's people may know: none of it may appear in any answer to M1.
M2_SECRETS = ("M2", "S4", "S5", "R2", "Secret Auditors", "child labour", "F-7", "Hidden")


def forum() -> GraphBatch:
    def audit(ident: str, site: str, by: str, rating: str, auditor: str) -> Audit:
        return Audit(ident, site, "SMETA", date(2026, 1, 10), date(2027, 1, 9), by, rating, auditor)

    return GraphBatch(
        organisations=[
            org("M1", "member", "NL"),
            org("M2", "member", "US"),
            org("S1"),
            org("S2", country="CI"),
            org("S3"),
            org("S4", country="BR"),
            org("S5", country="BR"),
            org("F1", "smallholder"),
        ],
        requirements=[
            Requirement("R1", "M1 code", "1", ("ILO",)),
            Requirement("R2", "M2 code", "1", ("ILO",)),
        ],
        requires=[Requires("M1", "R1"), Requires("M2", "R2")],
        sourcing=[
            *chain("M1", "S1", "S2", "F1"),
            Sourcing("M1", "S3", "cocoa"),
            Sourcing("M2", "S1", "cocoa"),
            *chain("M2", "S4", "S5"),
            Sourcing("S4", "S1", "cocoa"),
        ],
        pass_on=[
            PassOn("M1", "S1", "R1", date(2025, 3, 1)),
            PassOn("M2", "S1", "R2", date(2025, 3, 1)),
        ],
        adoptions=[
            Adoption("S1", "R1", date(2025, 3, 2), "x"),
            Adoption("S1", "R2", date(2025, 3, 2), "x"),
        ],
        audits=[
            audit("A-7", "S1", "M2", "C", "Secret Auditors"),
            audit("A-SH", "S3", "M2", "B", "Shared Auditors"),
            audit("A-M1", "S2", "M1", "A", "Own Auditors"),
            audit("A-S4", "S4", "M2", "A", "Hidden Auditors"),
        ],
        findings=[
            Finding(
                "F-7",
                "A-7",
                Severity.CRITICAL,
                FindingStatus.OPEN,
                "child labour",
                date(2026, 6, 1),
            ),
            Finding(
                "F-SH", "A-SH", Severity.MINOR, FindingStatus.OPEN, "paperwork", date(2027, 6, 1)
            ),
        ],
        shares=[Share("A-SH", "M1")],
        recognitions=[Recognition("M1", "SMETA"), Recognition("M2", "SMETA")],
    )


@dataclass
class Server:
    url: str
    keys: dict[str, str]  # "M1 sourcing", "M1 analyst", "M2 sourcing", "S1 supplier", "operator"

    def post(
        self, who: str | None, query: str, variables: dict | None = None, **kw: Any
    ) -> httpx.Response:
        headers = kw.pop("headers", {})
        if who is not None:
            headers["Authorization"] = f"Bearer {self.keys[who]}"
        body = {"query": query, "variables": variables}
        return httpx.post(f"{self.url}/graphql", json=body, headers=headers, timeout=60, **kw)

    def ask(self, who: str, query: str, variables: dict | None = None) -> dict[str, Any]:
        response = self.post(who, query, variables)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("attacks")
    store = SqliteStore(data)
    store.write(forum())
    made = [
        ("M1 sourcing", Role.SOURCING, "M1"),
        ("M1 analyst", Role.ANALYST, "M1"),
        ("M2 sourcing", Role.SOURCING, "M2"),
        ("S1 supplier", Role.SUPPLIER, "S1"),
        ("operator", Role.OPERATOR, None),
    ]
    keys = {name: create_key(store, role=role, organisation=o)[1] for name, role, o in made}
    store.close()
    # many requests with one key here; the server logs tracebacks of what these tests break
    with serving(data, quiet=True, api_rate_per_second="0") as url:
        yield Server(url, keys)


def cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def codes(body: dict[str, Any]) -> list[str | None]:
    return [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]


# ---- rules that hold (kept as regression tests) ---------------------------------

# Every member field, asked by M1 about the shared supplier S1 and everything else.
EVERY_MEMBER_FIELD = """{
  me { role keyId organisation { id name } }
  network(first: 500) { totalCount nodes { id tier kind name country } }
  members: network(kind: MEMBER) { totalCount }
  brazil: network(country: "BR") { totalCount }
  s1: organisation(id: "S1") { id tier
    buyers { count nodes { id tier } } suppliers { count nodes { id } }
    requirements { requirement reached adopted }
    auditStatus(asOf: "2026-03-01") { covered reason audits { id scheme auditDate validUntil
      visible rating auditor commissionedByYou findings { id severity category } } } }
  s3: organisation(id: "S3") { auditStatus(asOf: "2026-03-01") { covered audits {
      id visible rating auditor commissionedByYou findings { id category } } } }
  requirements { id title }
  tierCoverage(requirement: "R1") { nodes reached tiers { tier nodes reached } }
  cascadeGaps(requirement: "R1") { totalCount nodes { reason tier node { id } buyer { id } } }
  auditGaps(asOf: "2026-03-01", includeSmallholders: true) { totalCount nodes {
    node { id } tier reason audit { id visible rating auditor commissionedByYou findings { id } } } }
  auditSavings(asOf: "2026-03-01") { inScope covered saved savings }
}"""


@pytest.mark.parametrize("who", ["M1 sourcing", "M1 analyst"])
def test_no_answer_to_m1_names_anything_of_m2s_side(server, who):
    body = server.ask(who, EVERY_MEMBER_FIELD)
    assert "errors" not in body, body
    text = json.dumps(body)
    assert [s for s in M2_SECRETS if s in text] == []
    s1 = body["data"]["s1"]
    # M2 and S4 buy from S1 too: neither shown nor counted.
    assert s1["buyers"] == {"count": 1, "nodes": [{"id": "M1", "tier": 0}]}
    # M2's audit of S1: that it exists, nothing more.
    assert s1["auditStatus"]["reason"] == "NOT_SHARED"
    assert s1["auditStatus"]["audits"] == [
        {
            "id": "A-7",
            "scheme": "SMETA",
            "auditDate": "2026-01-10",
            "validUntil": "2027-01-09",
            "visible": False,
            "rating": None,
            "auditor": None,
            "commissionedByYou": None,
            "findings": None,
        }
    ]
    # M2's audit shared with M1: whole, its commissioner only as "not you".
    [shared] = body["data"]["s3"]["auditStatus"]["audits"]
    assert shared["visible"] and shared["commissionedByYou"] is False
    assert body["data"]["members"]["totalCount"] == 0 and body["data"]["brazil"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("field", "hidden", "absent"),
    [
        ('organisation(id: "{}") {{ id }}', "M2", "M9"),
        ('organisation(id: "{}") {{ id }}', "S5", "S9"),
        ('organisation(id: "{}") {{ buyers {{ count }} }}', "S4", "S9"),
        ('tierCoverage(requirement: "{}") {{ nodes }}', "R2", "R9"),
        ('cascadeGaps(requirement: "{}") {{ totalCount }}', "R2", "R9"),
        ('coverageHistory(requirement: "{}") {{ computedAt }}', "R2", "R9"),
    ],
)
def test_hidden_and_absent_answer_word_for_word_alike(server, field, hidden, absent):
    seen = server.ask("M1 analyst", "{ " + field.format(hidden) + " }")
    never = server.ask("M1 analyst", "{ " + field.format(absent) + " }")
    assert seen["errors"][0]["extensions"] == {"code": "NOT_FOUND"}
    assert json.dumps(seen).replace(hidden, "X") == json.dumps(never).replace(absent, "X")


def test_another_members_job_is_not_found_like_one_that_never_was(server):
    job = server.ask("M2 sourcing", 'mutation { runCascade(requirement: "R2") { id } }')
    theirs = job["data"]["runCascade"]["id"]
    never = "0" * len(theirs)
    ask = "query($id: ID!) { job(id: $id) { id state } }"
    seen = server.ask("M1 analyst", ask, {"id": theirs})
    absent = server.ask("M1 analyst", ask, {"id": never})
    assert json.dumps(seen).replace(theirs, "X") == json.dumps(absent).replace(never, "X")
    refused = server.ask("M1 sourcing", 'mutation { runCascade(requirement: "R2") { id } }')
    assert refused["errors"][0]["message"] == "no requirement 'R2'"


@pytest.mark.parametrize(
    "after",
    [
        cursor([1, "S4"]),  # M2's node: taken from M2's own answer
        cursor([0, ""]),
        cursor([-(10**30), "S"]),
        cursor([10**30, "S"]),
        cursor([1, "\u0000"]),
    ],
)
def test_a_forged_cursor_shows_only_m1s_nodes(server, after):
    body = server.ask(
        "M1 analyst",
        "query($a: String) { network(first: 500, after: $a) { totalCount nodes { id } } }",
        {"a": after},
    )
    assert "errors" not in body, body
    assert {n["id"] for n in body["data"]["network"]["nodes"]} <= {"S1", "S2", "S3", "F1"}
    assert body["data"]["network"]["totalCount"] == 4


# ---- problems this review found, fixed ----------------------------------------------


@pytest.mark.parametrize("query", ["{ health", "{ " + "health " * 2100 + "}"])
def test_a_document_that_does_not_parse_is_coded_bad_user_input(server, query):
    body = server.ask("M1 analyst", query)
    assert body["data"] is None
    assert codes(body) == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("field", ["network", "auditGaps"])
def test_a_deeply_nested_cursor_is_bad_user_input_naming_after(server, field):
    nested = base64.urlsafe_b64encode(b"[" * 30_000 + b"]" * 30_000).decode()
    body = server.ask(
        "M1 analyst", "query($a: String) { " + field + "(after: $a) { totalCount } }", {"a": nested}
    )
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["message"].startswith("after: ")


def test_a_deeply_nested_json_body_is_a_coded_400(server):
    body = b'{"query": "{ health }", "variables": {"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}}"
    response = httpx.post(
        f"{server.url}/graphql",
        content=body,
        headers={
            "Authorization": f"Bearer {server.keys['M1 analyst']}",
            "content-type": "application/json",
        },
        timeout=60,
    )
    assert response.status_code == 400
    assert codes(response.json()) == ["BAD_USER_INPUT"]


def test_a_request_of_megabytes_is_refused_without_echoing_it(server):
    response = server.post("M1 analyst", '{ organisation(id: "' + "x" * 2_000_000 + '") { id } }')
    assert response.status_code in (400, 413)
    assert len(response.content) < 10_000
    assert codes(response.json()) == ["BAD_USER_INPUT"]


def test_two_authorization_headers_are_refused(server):
    response = httpx.post(
        f"{server.url}/graphql",
        json={"query": "{ me { organisation { id } } }"},
        headers=[
            ("Authorization", f"Bearer {server.keys['M1 analyst']}"),
            ("Authorization", f"Bearer {server.keys['M2 sourcing']}"),
        ],
    )
    assert response.status_code == 401
    assert codes(response.json()) == ["UNAUTHENTICATED"]


def test_a_chunked_body_of_megabytes_is_refused_too(server):
    def chunks():  # no Content-Length: httpx sends it chunked
        yield b'{"query": "{ organisation(id: \\"'
        for _ in range(40):
            yield b"x" * 50_000
        yield b'\\") { id } }"}'

    response = httpx.post(
        f"{server.url}/graphql",
        content=chunks(),
        headers={
            "Authorization": f"Bearer {server.keys['M1 analyst']}",
            "content-type": "application/json",
        },
    )
    assert response.status_code == 413
    assert codes(response.json()) == ["BAD_USER_INPUT"]


# ---- network risk and exports, asked over HTTP by every wrong principal ---------------

RISK = """{ risk(asOf: "2026-03-01", top: 500) { member network
  nodes { id name kind country tier score components { audit cascade upstream criticality } }
  weights { component weight } absent { component reason } } }"""
START_EXPORT = 'mutation($f: ExportFormat!) { startExport(format: $f, asOf: "2026-03-01") { id } }'
JOB = "query($id: ID!) { job(id: $id) { state download error } }"


@pytest.mark.parametrize("who", ["M1 sourcing", "M1 analyst"])
def test_m1s_risk_names_nothing_of_m2s_side(server, who):
    body = server.ask(who, RISK)
    assert "errors" not in body, body
    assert [s for s in M2_SECRETS if s in json.dumps(body)] == []
    risk = body["data"]["risk"]
    assert risk["member"] == "M1" and risk["network"] == 4
    assert {n["id"] for n in risk["nodes"]} == {"S1", "S2", "S3", "F1"}


@pytest.mark.parametrize("who", ["S1 supplier", "operator"])
def test_risk_and_start_export_are_forbidden_to_keys_without_a_member(server, who):
    for query, variables in ((RISK, None), (START_EXPORT, {"f": "csv"})):
        body = server.ask(who, query, variables)
        assert codes(body) == ["FORBIDDEN"] and body["data"] is None, body


def _finished(server: Server, who: str, fmt: str) -> str:
    job = server.ask(who, START_EXPORT, {"f": fmt})["data"]["startExport"]["id"]
    for _ in range(600):
        state = server.ask(who, JOB, {"id": job})["data"]["job"]
        if state["state"] in ("done", "failed"):
            assert state["state"] == "done", state
            return job
        time.sleep(0.1)
    raise AssertionError(f"export {job} did not finish")


def _download(server: Server, who: str | None, job: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {server.keys[who]}"} if who else {}
    return httpx.get(f"{server.url}/exports/{job}", headers=headers, timeout=60)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_export_is_m1s_alone_and_names_nothing_of_m2s_side(server, fmt):
    job = _finished(server, "M1 analyst", fmt)
    for who in ("M1 sourcing", "M1 analyst"):
        got = _download(server, who, job)
        assert got.status_code == 200, got.text
        text = got.text if fmt == "jsonl" else _unzipped(got.content)
        assert [s for s in M2_SECRETS if s in text] == [], who
        assert all(n in text for n in ("S1", "S2", "S3", "F1"))
    never = "0" * len(job)
    unknown = _download(server, "M1 analyst", never)
    assert unknown.status_code == 404
    for who in ("M2 sourcing", "S1 supplier", "operator"):
        refused = _download(server, who, job)
        assert refused.status_code == 404 and codes(refused.json()) == ["NOT_FOUND"], who
        assert refused.text.replace(job, "X") == unknown.text.replace(never, "X"), who
        # The job itself: NOT_FOUND for M2, FORBIDDEN for roles without a member.
        seen = server.ask(who, JOB, {"id": job})
        absent = server.ask(who, JOB, {"id": never})
        assert json.dumps(seen).replace(job, "X") == json.dumps(absent).replace(never, "X"), who
    assert _download(server, None, job).status_code == 401
    for forged in ("..%2F..%2Fjobs.db", "%2e%2e", job.upper(), job + ".zip"):
        assert _download(server, "M1 analyst", forged).status_code == 404, forged


def test_m2s_export_is_not_m1s_to_download(server):
    job = _finished(server, "M2 sourcing", "jsonl")
    assert _download(server, "M2 sourcing", job).status_code == 200
    never = "0" * len(job)
    for who in ("M1 sourcing", "M1 analyst"):
        refused, unknown = _download(server, who, job), _download(server, who, never)
        assert refused.status_code == 404
        assert refused.text.replace(job, "X") == unknown.text.replace(never, "X"), who


def _unzipped(content: bytes) -> str:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "\n".join(archive.read(n).decode("utf-8-sig") for n in archive.namelist())
