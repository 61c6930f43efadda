"""Attacks on the API's writes (issue 12, item 2; docs/api.md, "Writing"): every
mutation sent through the real app with real keys by a principal that may not do
it, or aimed at nodes it may not touch, on every store.

The forum is tests/views/forum.py: M1 -> S1 -> S2 -> F1, M1 -> S3, S2 <-> S3,
S1 -> S4; M2 -> S4, M2 -> S9. R1 (M1's) passed to S1 and on to S2; R2 (M2's)
passed to S4. A1 on S1 and A2 on S2 by M1; A3 on S3 by M2 (shared with M1), A4
on S4 and A9 on S9 by M2.

Every refusal here must carry a code other than INTERNAL, no trace, no data, and
leave the store as it was: the same graph version, counts and mutation records.

The tests after "holes this review found" each failed before its fix.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from access.keys import create_key, revoke_key
from access.principal import Principal, Role
from graph.model import GraphBatch, Kind, Organisation, Recognition, Sourcing
from tests.api.member_client import (
    code,
    data,
    execute,
    execute_json,
    execute_with_key,
)
from tests.factories import LEI
from tests.views.forum import PRINCIPALS, forum

M1 = PRINCIPALS["sourcing"]
ANALYST = PRINCIPALS["analyst"]
M2 = PRINCIPALS["other member"]
OPERATOR = PRINCIPALS["operator"]
S1 = PRINCIPALS["supplier inside"]
S9 = PRINCIPALS["supplier outside"]
S2 = Principal(Role.SUPPLIER, "S2", "k-s2")
S3 = Principal(Role.SUPPLIER, "S3", "k-s3")
S4 = Principal(Role.SUPPLIER, "S4", "k-s4")
M1_AS_SUPPLIER = Principal(Role.SUPPLIER, "M1", "k-m1-supplier")  # a member buying in its own right
WHO = {"M1": M1, "M2": M2, "S1": S1, "S2": S2, "S3": S3, "S4": S4, "S9": S9}

ORGANISATIONS = ("M1", "M2", "S1", "S2", "S3", "S4", "S9", "F1")

REGISTER = """mutation($s: NewSupplier!, $use: ID, $anyway: String, $key: String) {
  registerSupplier(supplier: $s, commodity: "cocoa", useExisting: $use, createAnyway: $anyway,
                   idempotencyKey: $key) {
    outcome organisation reason candidates { id name country abbreviation score conflicts }
    mutation { id } replayed } }"""

# One write of each mutation that its rightful principal may make in the forum.
SUPPLIER_WRITES = {
    "registerSupplier": (
        'mutation { registerSupplier(supplier: {name: "Volta Beans", country: "GH"}, '
        'commodity: "cocoa") { outcome } }'
    ),
    "removeSourcing": 'mutation { removeSourcing(supplier: "S2") { removed } }',
    "passOn": 'mutation { passOn(requirement: "R1", to: "S4") { to } }',
    "adopt": 'mutation { adopt(requirement: "R1", evidence: "signed") { requirement } }',
    "uploadAudit": (
        'mutation { uploadAudit(audit: {scheme: "SMETA", auditDate: "2026-02-01", '
        'validUntil: "2027-01-31"}, findings: [{severity: MAJOR}]) { audit } }'
    ),
    "shareAudit": 'mutation { shareAudit(audit: "A1", members: ["M2"]) { sharedWith } }',
    "unshareAudit": 'mutation { unshareAudit(audit: "A1", allCustomers: true) { sharedWith } }',
}
MEMBER_WRITES = {
    "recognise": 'mutation { recognise(scheme: "RBA") { recognised } }',
    "unrecognise": 'mutation { unrecognise(scheme: "SMETA") { recognised } }',
    "require": 'mutation { require(requirement: "R7", title: "Deforestation-free") { title } }',
    "passOn": 'mutation { passOn(requirement: "R1", to: "S3") { to } }',
}


def state(store) -> tuple:
    """What a write changes: the graph version, the counts, the mutation records."""
    records = {o: [r.id for r in store.mutation_records(o)] for o in ORGANISATIONS}
    return store.graph_version(), store.counts(), records


def check_refusal(result: Any) -> tuple[str, str]:
    """(code, message) of a refusal: one coded error, no data, no trace."""
    assert result.status == 200, result
    assert result.errors and len(result.errors) == 1, result
    assert not result.data, result.data
    error = result.errors[0]
    text = json.dumps(vars(error))
    assert "Traceback" not in text and 'File "' not in text, text
    assert code(error) in ("FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT"), (code(error), text)
    return code(error), error.message


def refused(store, principal: Principal, query: str, **variables: Any) -> tuple[str, str]:
    """The refusal of an operation, which must have written nothing."""
    before = state(store)
    found = check_refusal(execute(store, principal, query, variables or None))
    assert state(store) == before, f"{found} was answered, but something was written"
    return found


def refused_json(store, principal: Principal, body: str) -> tuple[str, str]:
    before = state(store)
    found = check_refusal(execute_json(store, principal, body))
    assert state(store) == before, f"{found} was answered, but something was written"
    return found


@pytest.fixture
def forum_store(store):
    store.write(forum())
    return store


# ---- rules that hold (kept as regression tests) ------------------------------------


@pytest.mark.parametrize(
    ("principal", "writes"),
    [
        (ANALYST, {**SUPPLIER_WRITES, **MEMBER_WRITES}),
        (OPERATOR, {**SUPPLIER_WRITES, **MEMBER_WRITES}),
        (M1, {k: v for k, v in SUPPLIER_WRITES.items() if k != "passOn"}),
        (S1, {k: v for k, v in MEMBER_WRITES.items() if k != "passOn"}),
    ],
    ids=["analyst", "operator", "sourcing", "supplier"],
)
def test_a_role_that_may_not_write_it_is_forbidden_and_writes_nothing(
    forum_store, principal, writes
):
    for name, query in writes.items():
        found, message = refused(forum_store, principal, query)
        assert found == "FORBIDDEN", (name, message)


def test_a_revoked_key_writes_nothing(forum_store):
    record, key = create_key(forum_store, role=Role.SUPPLIER, organisation="S1")
    first = execute_with_key(forum_store, key, SUPPLIER_WRITES["registerSupplier"])
    assert first.errors is None and first.data["registerSupplier"]["outcome"] == "CREATED"
    revoke_key(forum_store, record.id)
    before = state(forum_store)
    for query in SUPPLIER_WRITES.values():
        again = execute_with_key(forum_store, key, query)
        assert again.status == 401
        assert [code(e) for e in again.errors] == ["UNAUTHENTICATED"]
    assert state(forum_store) == before


# (principal, operation with {} for the node, a node it may not touch, one that never was)
HIDDEN_AND_ABSENT = [
    ("S1", 'mutation { removeSourcing(supplier: "{}") { removed } }', "S3", "S99"),
    ("S1", 'mutation { removeSourcing(supplier: "{}") { removed } }', "M2", "S99"),
    ("S1", 'mutation { passOn(requirement: "R1", to: "{}") { to } }', "S3", "S99"),
    ("S1", 'mutation { passOn(requirement: "R1", to: "{}") { to } }', "M1", "S99"),
    ("S1", 'mutation { passOn(requirement: "{}", to: "S2") { to } }', "R2", "R99"),
    ("S2", 'mutation { passOn(requirement: "R1", to: "{}") { to } }', "S4", "S99"),
    ("S4", 'mutation { passOn(requirement: "{}", to: "S1") { to } }', "R1", "R99"),
    ("S1", 'mutation { adopt(requirement: "{}") { requirement } }', "R2", "R99"),
    ("S3", 'mutation { adopt(requirement: "{}") { requirement } }', "R1", "R99"),  # adopted
    ("S1", 'mutation { shareAudit(audit: "{}", allCustomers: true) { audit } }', "A4", "A99"),
    ("S1", 'mutation { shareAudit(audit: "{}", members: ["M1"]) { audit } }', "A2", "A99"),
    ("S4", 'mutation { unshareAudit(audit: "{}", members: ["M1"]) { audit } }', "A3", "A99"),
    ("S1", 'mutation { shareAudit(audit: "A1", members: ["{}"]) { audit } }', "S2", "M99"),
    ("S3", 'mutation { unshareAudit(audit: "A3", members: ["{}"]) { audit } }', "S1", "M99"),
    ("M1", 'mutation { passOn(requirement: "R1", to: "{}") { to } }', "S2", "S99"),  # tier 2
    ("M1", 'mutation { passOn(requirement: "R1", to: "{}") { to } }', "S4", "S99"),  # M2's
    ("M1", 'mutation { passOn(requirement: "R1", to: "{}") { to } }', "S9", "S99"),  # outside
    ("M1", 'mutation { passOn(requirement: "{}", to: "S1") { to } }', "R2", "R99"),
    ("M2", 'mutation { passOn(requirement: "R2", to: "{}") { to } }', "S1", "S99"),
    (
        "S1",
        'mutation { registerSupplier(supplier: {name: "Volta Beans", country: "GH"}, '
        'commodity: "cocoa", useExisting: "{}") { outcome } }',
        "S4",
        "S99",
    ),
    (
        "S9",
        'mutation { registerSupplier(supplier: {name: "Volta Beans", country: "GH"}, '
        'commodity: "cocoa", useExisting: "{}") { outcome } }',
        "M1",
        "S99",
    ),
]


@pytest.mark.parametrize(
    ("who", "operation", "hidden", "absent"),
    HIDDEN_AND_ABSENT,
    ids=[f"{w}-{o.split('(')[0][11:]}-{h}" for w, o, h, _ in HIDDEN_AND_ABSENT],
)
def test_a_node_it_may_not_touch_is_not_found_word_for_word_like_one_that_never_was(
    forum_store, who, operation, hidden, absent
):
    seen = refused(forum_store, WHO[who], operation.replace("{}", hidden))
    never = refused(forum_store, WHO[who], operation.replace("{}", absent))
    assert seen[0] == never[0] == "NOT_FOUND"
    assert seen[1].replace(hidden, "X") == never[1].replace(absent, "X")


def test_use_existing_names_only_a_candidate_offered(forum_store):
    c1 = Organisation("C1", Kind.SUPPLIER, "Asunafo North Cocoa Cooperative", "GH")
    forum_store.write(GraphBatch(organisations=[c1]))
    new = {"name": "Asunafo Cocoa Cooperative", "country": "GH"}
    offered = data(forum_store, S1, REGISTER, s=new)["registerSupplier"]
    assert [c["id"] for c in offered["candidates"]] == ["C1"]
    for other in ("S4", "S3", "M2", "F1", "S99"):  # some in S1's reach, none offered
        found, message = refused(forum_store, S1, REGISTER, s=new, use=other)
        assert (found, message) == ("NOT_FOUND", f"no organisation {other!r}")


def test_create_anyway_is_refused_when_its_identifiers_are_taken(forum_store):
    forum_store.write(GraphBatch(organisations=[replace(org_of(forum_store, "S4"), lei=LEI)]))
    for country, lei in (("GH", LEI), ("BR", LEI.lower())):
        found, message = refused(
            forum_store,
            S9,
            REGISTER,
            s={"name": "Nothing Like It", "country": country, "lei": lei},
            anyway="ours is another company",
        )
        assert found == "BAD_USER_INPUT" and message.startswith("createAnyway: ")


def org_of(store, ident: str) -> Organisation:
    [found] = store.organisations([ident])
    return found


def test_candidates_name_no_buyer_and_no_member_behind_them(forum_store):
    c1 = Organisation("C1", Kind.SUPPLIER, "Asunafo North Cocoa Cooperative", "GH", lei=LEI)
    forum_store.write(
        GraphBatch(
            organisations=[c1],
            sourcing=[Sourcing("M2", "C1", "cocoa"), Sourcing("S1", "C1", "cocoa")],
        )
    )
    asked = data(
        forum_store, S9, REGISTER, s={"name": "Asunafo Cocoa Cooperative", "country": "GH"}
    )
    answer = asked["registerSupplier"]
    assert answer["outcome"] == "CHOOSE" and answer["mutation"] is None
    assert answer["candidates"] == [
        {
            "id": "C1",
            "name": "Asunafo North Cocoa Cooperative",
            "country": "GH",
            "abbreviation": None,
            "score": answer["candidates"][0]["score"],
            "conflicts": [],
        }
    ]
    text = json.dumps(asked)
    assert [ident for ident in ("M1", "M2", "S1", LEI) if ident in text] == []


def test_idempotency_keys_are_kept_per_organisation_and_role(forum_store):
    query = """mutation($r: ID!, $to: ID!, $key: String) {
      passOn(requirement: $r, to: $to, idempotencyKey: $key) { by to mutation { id } replayed } }"""
    first = data(forum_store, S1, query, r="R1", to="S2", key="same")["passOn"]
    assert first["replayed"] is False
    # Another organisation sending the same key: its own call, never S1's answer.
    found, message = refused(forum_store, S3, query, r="R1", to="S2", key="same")
    assert found == "NOT_FOUND" and "already used" not in message
    own = data(forum_store, S2, query, r="R1", to="S3", key="same")["passOn"]
    assert own["replayed"] is False and own["by"] == "S2"
    assert own["mutation"]["id"] != first["mutation"]["id"]
    # The same organisation in another role: its own call too.
    found, message = refused(forum_store, M1_AS_SUPPLIER, query, r="R1", to="S1", key="same")
    assert found == "NOT_FOUND" and "already used" not in message
    # Another key of the same organisation and role shares the scope (docs/api.md).
    _, key = create_key(forum_store, role=Role.SUPPLIER, organisation="S1")
    again = execute_with_key(forum_store, key, query, {"r": "R1", "to": "S2", "key": "same"})
    assert again.errors is None and again.data["passOn"] == {**first, "replayed": True}


@pytest.mark.parametrize(
    "who", ["sourcing", "analyst", "other member", "operator", "supplier inside"]
)
def test_me_supplier_shows_a_supplier_key_only_its_own_part(forum_store, who):
    query = """{ me { role supplier { organisation { id } suppliers { id } buyers { id }
      requirements { id passedBy passedOnTo } audits { id sharedWith findings { id } } } } }"""
    me = data(forum_store, PRINCIPALS[who], query)["me"]
    if who != "supplier inside":
        assert me["supplier"] is None
        return
    assert me["supplier"] == {
        "organisation": {"id": "S1"},
        "suppliers": [{"id": "S2"}, {"id": "S4"}],
        "buyers": [{"id": "M1"}],
        "requirements": [{"id": "R1", "passedBy": ["M1"], "passedOnTo": ["S2"]}],
        "audits": [{"id": "A1", "sharedWith": [], "findings": []}],
    }


INJECTIONS = [
    "S2') DETACH DELETE n //",
    'S2"}) MATCH (n) DETACH DELETE n //',
    "' OR '1'='1",
    "S2; DROP TABLE organisation; --",
    "$to",
    "`S2`",
    "S%",
    "S_",
    "*",
    "{id: 'S2'}",
]


@pytest.mark.parametrize(
    "operation",
    [
        "mutation($x: ID!) { removeSourcing(supplier: $x) { removed } }",
        'mutation($x: ID!) { passOn(requirement: "R1", to: $x) { to } }',
        'mutation($x: ID!) { passOn(requirement: $x, to: "S2") { to } }',
        "mutation($x: ID!) { adopt(requirement: $x) { requirement } }",
        "mutation($x: ID!) { shareAudit(audit: $x, allCustomers: true) { audit } }",
        'mutation($x: ID!) { shareAudit(audit: "A1", members: [$x]) { audit } }',
        "mutation($x: ID!) { unshareAudit(audit: $x, allCustomers: true) { audit } }",
    ],
)
def test_injection_looking_ids_are_plain_values(forum_store, operation):
    for value in INJECTIONS:
        found, message = refused(forum_store, S1, operation, x=value)
        assert found == "NOT_FOUND" and repr(value) in message


def test_injection_looking_text_is_kept_as_written(forum_store):
    name = "Robert'); DROP TABLE organisation; -- \"}) DETACH DELETE n //"
    commodity = "cocoa' OR '1'='1"
    query = """mutation($n: String!, $c: String!) {
      registerSupplier(supplier: {name: $n, country: "GH"}, commodity: $c) { outcome organisation } }"""
    made = data(forum_store, S1, query, n=name, c=commodity)["registerSupplier"]
    assert made["outcome"] == "CREATED"
    me = data(forum_store, S1, "{ me { supplier { suppliers { id name commodities } } } }")
    assert {"id": made["organisation"], "name": name, "commodities": [commodity]} in me["me"][
        "supplier"
    ]["suppliers"]
    recognised = data(forum_store, M1, 'mutation { recognise(scheme: "x\\") //") { recognised } }')
    assert 'x") //' in recognised["recognise"]["recognised"]
    assert forum_store.counts()["members"] == 2


AUDIT = {"scheme": "SMETA", "auditDate": "2026-02-01", "validUntil": "2027-01-31"}
UPLOAD = """mutation($a: NewAudit!, $f: [NewFinding!]) {
  uploadAudit(audit: $a, findings: $f) { audit findings } }"""
SHARE = 'mutation($m: [ID!]) { shareAudit(audit: "A1", members: $m) { sharedWith } }'


def test_huge_inputs_within_the_request_size_limit_are_refused_naming_the_limit(forum_store):
    found = refused(forum_store, S1, UPLOAD, a=AUDIT, f=[{"severity": "MINOR"}] * 501)
    assert found == ("BAD_USER_INPUT", "findings: at most 500 in one upload")
    made = data(forum_store, S1, UPLOAD, a=AUDIT, f=[{"severity": "MINOR"}] * 500)
    assert len(made["uploadAudit"]["findings"]) == 500
    found = refused(forum_store, S1, SHARE, m=[f"M{n}" for n in range(101)])
    assert found == ("BAD_USER_INPUT", "members: at most 100 in one call")
    found = refused(forum_store, S1, SHARE, m=["M1"] * 40_000)  # ~200 KB
    assert found == ("BAD_USER_INPUT", "members: at most 100 in one call")
    long = "x" * 2001
    cases = [
        (S1, UPLOAD, {"a": AUDIT, "f": [{"severity": "MINOR", "category": long}]}, "findings[0]"),
        (S1, UPLOAD, {"a": {**AUDIT, "auditor": long}}, "audit.auditor"),
        (S1, REGISTER, {"s": {"name": long, "country": "GH"}}, "supplier.name"),
        (S1, REGISTER, {"s": {"name": "V", "country": "GH"}, "anyway": long[:501]}, "createAnyway"),
        (S1, REGISTER, {"s": {"name": "V", "country": "GH"}, "key": long[:201]}, "idempotencyKey"),
        (
            S1,
            'mutation($e: String) { adopt(requirement: "R1", evidence: $e) { requirement } }',
            {"e": long},
            "evidence",
        ),
        (
            M1,
            'mutation($t: String) { require(requirement: "R7", title: $t) { title } }',
            {"t": long},
            "input.title",
        ),
    ]
    for principal, query, variables, field in cases:
        found, message = refused(forum_store, principal, query, **variables)
        assert found == "BAD_USER_INPUT" and message.startswith(field), message


# ---- holes this review found, each failing before its fix ------------------------------


def test_a_supplier_cannot_register_a_new_member_of_the_forum(forum_store):
    new = {"name": "Brand New Brands Plc", "country": "GH", "kind": "MEMBER"}
    found, message = refused(forum_store, S1, REGISTER, s=new)
    assert found == "BAD_USER_INPUT" and message.startswith("supplier.kind: ")
    assert forum_store.members() == ["M1", "M2"]


def test_a_supplier_cannot_make_a_member_its_sub_supplier(forum_store):
    """S1 sourcing from M2 would put M2 and its network (S9) into M1's network: M1
    would learn M2's suppliers and which member S9 sells to."""
    m3 = Organisation("M3", Kind.MEMBER, "Asunafo North Cocoa Cooperative", "GH")
    forum_store.write(GraphBatch(organisations=[m3, replace(org_of(forum_store, "M2"), lei=LEI)]))
    by_name = {"name": "M2 Ltd", "country": "US"}
    by_identifier = {"name": "Nothing Like It", "country": "GH", "lei": LEI}
    close = {"name": "Asunafo Cocoa Cooperative", "country": "GH"}
    for principal in (S1, M1_AS_SUPPLIER):
        for new, use in ((by_name, None), (by_identifier, None), (by_identifier, "M2")):
            found, message = refused(forum_store, principal, REGISTER, s=new, use=use)
            assert found == "FORBIDDEN" and "member" in message, message
        asked = data(forum_store, principal, REGISTER, s=close)["registerSupplier"]
        assert [c["id"] for c in asked["candidates"]] == ["M3"]
        found, message = refused(forum_store, principal, REGISTER, s=close, use="M3")
        assert found == "FORBIDDEN" and "member" in message, message
    network = data(forum_store, M1, "{ network(first: 500) { nodes { id } } }")["network"]
    assert {n["id"] for n in network["nodes"]} == {"S1", "S2", "S3", "S4", "F1"}


# A NUL ends a string inside SQLite's JSON functions ("S2\u0000" looks up "S2"), and
# a lone surrogate cannot be stored or sent to Neo4j: both were INTERNAL, and a NUL
# let a member retitle a requirement other members require.
UNSTORABLE = [
    (
        M1,
        '{"query": "mutation { passOn(requirement: \\"R1\\", to: \\"S1\\\\u0000\\") { to } }"}',
        "to",
    ),
    (
        S1,
        '{"query": "mutation($x: ID!) { passOn(requirement: \\"R1\\", to: $x) { to } }", '
        '"variables": {"x": "S2\\u0000"}}',
        "to",
    ),
    (
        S1,
        '{"query": "mutation($x: ID!) { removeSourcing(supplier: $x) { removed } }", '
        '"variables": {"x": "S2\\ud800"}}',
        "supplier",
    ),
    (
        S1,
        '{"query": "mutation($x: ID!) { passOn(requirement: \\"R1\\", to: $x) { to } }", '
        '"variables": {"x": "S2\\udfff"}}',
        "to",
    ),
    (
        S1,
        '{"query": "mutation($x: String) { adopt(requirement: \\"R1\\", evidence: $x) '
        '{ requirement } }", "variables": {"x": "signed \\ud800"}}',
        "evidence",
    ),
    (
        S1,
        '{"query": "mutation($x: String) { adopt(requirement: \\"R1\\", idempotencyKey: $x) '
        '{ requirement } }", "variables": {"x": "k\\ud800"}}',
        "idempotencyKey",
    ),
    (
        S1,
        '{"query": "mutation($x: String!) { registerSupplier(supplier: {name: $x, '
        'country: \\"GH\\"}, commodity: \\"cocoa\\") { outcome } }", '
        '"variables": {"x": "Volta\\u0000 Beans"}}',
        "supplier.name",
    ),
    (
        M1,
        '{"query": "mutation($x: ID!) { require(requirement: $x) { title } }", '
        '"variables": {"x": "R1\\ud800"}}',
        "requirement",
    ),
    (
        M1,
        '{"query": "mutation($x: String!) { recognise(scheme: $x) { recognised } }", '
        '"variables": {"x": "SMETA\\u0000"}}',
        "scheme",
    ),
    (  # a list's items named from 0, as GraphQL's own paths count them
        M1,
        '{"query": "mutation($x: [String!]) { require(requirement: \\"R1\\", frameworks: $x) '
        '{ title } }", "variables": {"x": ["ILO", "UNGC\\u0000"]}}',
        "frameworks[1]",
    ),
]


@pytest.mark.parametrize(
    ("principal", "body", "field"),
    UNSTORABLE,
    ids=[f"{p.organisation}-{f}-{n}" for n, (p, _, f) in enumerate(UNSTORABLE)],
)
def test_a_nul_or_a_lone_surrogate_is_bad_user_input_naming_its_field(
    forum_store, principal, body, field
):
    found, message = refused_json(forum_store, principal, body)
    assert found == "BAD_USER_INPUT" and message.split(": ")[0].endswith(field), message


UNREADABLE = [
    (M1, "query($x: ID!) { correctiveAction(finding: $x) { status } }", "F-2\\u0000x", "finding"),
    (M1, "query($x: ID!) { job(id: $x) { id } }", "\\ud800", "id"),
    (M1, "query($x: ID!) { organisation(id: $x) { id } }", "S1\\u0000", "id"),
    (M1, "query($x: ID!) { tierCoverage(requirement: $x) { depth } }", "R1\\udfff", "requirement"),
    (S1, "query($x: ID!) { organisation(id: $x) { id } }", "S2\\u0000x", "id"),
]


@pytest.mark.parametrize(
    ("principal", "query", "value", "field"),
    UNREADABLE,
    ids=[f"{p.organisation}-{q.split('{')[1].split('(')[0].strip()}" for p, q, _, _ in UNREADABLE],
)
def test_a_nul_or_a_lone_surrogate_in_a_query_is_bad_user_input_naming_its_field(
    forum_store, principal, query, value, field
):
    """Found by a reviewer on 2026-12-04: correctiveAction(finding: "F-2\u0000x")
    answered F-2's null plan on the embedded store (SQLite's JSON functions end a
    string at a NUL) and job(id: "\ud800") was INTERNAL."""
    body = json.dumps({"query": query})[:-1] + ', "variables": {"x": "' + value + '"}}'
    result = execute_json(forum_store, principal, body)
    assert not any((result.data or {}).values()), result.data  # a nullable field's null
    assert result.errors and len(result.errors) == 1, result
    [error] = result.errors
    assert code(error) == "BAD_USER_INPUT" and error.message.split(": ")[0] == field, error


def test_a_name_of_no_letter_or_digit_is_refused_not_made_anew_each_time(forum_store):
    """Found by a reviewer on 2026-12-04: "...", "-", "!!!" or a zero-width space
    folded to nothing, and each call created another organisation."""
    for name in ("...", "-", "!!!", "\u200b", "有限公司"):
        found, message = refused(forum_store, S1, REGISTER, s={"name": name, "country": "GH"})
        assert found == "BAD_USER_INPUT" and message.startswith("supplier.name: "), message


def test_several_operations_and_no_operation_name_run_nothing(forum_store):
    """GraphQL's spec: an operation name must be given when a document holds several.
    Found by a reviewer on 2026-12-04: the first one ran, a mutation included."""
    both = 'mutation b { recognise(scheme: "ZZZ1") { recognised } } query a { health }'
    for body in (json.dumps({"query": both}), json.dumps({"query": both, "operationName": None})):
        found, message = refused_json(forum_store, M1, body)
        assert found == "BAD_USER_INPUT" and "operation name" in message, message
    assert "ZZZ1" not in forum_store.recognised_schemes("M1")
    named = execute_json(forum_store, M1, json.dumps({"query": both, "operationName": "a"}))
    assert named.data == {"health": "ok"} and not named.errors, named


def test_a_member_cannot_retitle_another_members_requirement_through_a_nul(forum_store):
    """On the embedded store "R2\\u0000" found R2 (M2's), which no other member
    requires under that id: M1 retitled it. Neo4j made a requirement "R2\\u0000"."""
    body = (
        '{"query": "mutation($x: ID!) { require(requirement: $x, title: \\"Hijacked\\") '
        '{ title } }", "variables": {"x": "R2\\u0000"}}'
    )
    found, _ = refused_json(forum_store, M1, body)
    assert found == "BAD_USER_INPUT"
    assert [r.title for r in forum_store.requirements(["R2"])] == ["Palm"]
    assert forum_store.requirements_of("M1") == ["R1"]


def test_a_name_too_long_to_keep_a_choice_on_is_refused_before_anything(forum_store):
    """A choice kept on a name (useExisting, createAnyway) is keyed by the folded name;
    NFKD unfolds U+FDFA into 18 letters, and Neo4j cannot index a key of 66 KB:
    the choice was INTERNAL there, after the organisation had been created."""
    for name, abbreviation in (("\ufdfa" * 2000, "AAA"), ("\U0002070e" * 2000, "\U0002070e" * 50)):
        new = {"name": name, "country": "GH", "abbreviation": abbreviation}
        found, message = refused(forum_store, S1, REGISTER, s=new)
        assert found == "BAD_USER_INPUT" and message.startswith("supplier.name: "), message
    # a long name that can be kept goes through a choice on every store
    long = {"name": " ".join(["Kokoo Pa Farmers Union"] * 80), "country": "GH"}
    made = data(forum_store, S1, REGISTER, s={**long, "abbreviation": "KPFU"})["registerSupplier"]
    asked = data(forum_store, S9, REGISTER, s={**long, "abbreviation": "KPF"})["registerSupplier"]
    assert asked["outcome"] == "CHOOSE"
    chosen = data(
        forum_store, S9, REGISTER, s={**long, "abbreviation": "KPF"}, use=made["organisation"]
    )
    assert chosen["registerSupplier"]["outcome"] == "EXISTING"


def test_require_checks_a_change_as_the_loaders_check_a_new_requirement(forum_store):
    query = """mutation($r: ID!, $f: [String!]) {
      require(requirement: $r, title: "Supplier code", frameworks: $f) { frameworks } }"""
    frameworks = ["ILO; UNGP", " "]
    new = data(forum_store, M1, query, r="R8", f=frameworks)["require"]
    changed = data(forum_store, M1, query, r="R1", f=frameworks)["require"]
    assert new["frameworks"] == changed["frameworks"] == ["ILO", "UNGP"]
    assert [r.frameworks for r in forum_store.requirements(["R1"])] == [("ILO", "UNGP")]


def test_an_id_with_a_control_character_and_a_flood_of_frameworks_are_refused(forum_store):
    """A second reader required "a\\u0007\\u001b[31mb" (a bell and an ANSI escape, which
    no member could then un-require) and 20,000 copies of "ILO" (echoed on every
    read): an id holds no control character, frameworks are kept once each, 50 at most."""
    query = """mutation($r: ID!, $f: [String!]) {
      require(requirement: $r, title: "Supplier code", frameworks: $f) { frameworks } }"""
    before = forum_store.requirements_of("M1")
    found, message = refused(forum_store, M1, query, r="a\u0007\u001b[31mb", f=None)
    assert found == "BAD_USER_INPUT" and "control character (U+0007)" in message, message
    found, message = refused(forum_store, M1, query, r="R8", f=[f"F{n}" for n in range(51)])
    assert found == "BAD_USER_INPUT" and "at most 50" in message, message
    assert forum_store.requirements_of("M1") == before
    kept = data(forum_store, M1, query, r="R8", f=["ILO"] * 20_000 + ["UNGP"])["require"]
    assert kept["frameworks"] == ["ILO", "UNGP"]


@pytest.mark.parametrize(
    "scheme, character", [("\ufeffSMETA", "FEFF"), ("SME\u200bTA", "200B"), ("ATEMS\u202e", "202E")]
)
def test_a_scheme_or_id_with_an_invisible_character_is_refused(forum_store, scheme, character):
    """A scheme that looks like SMETA and is not: "\\ufeffSMETA" recognised beside SMETA
    was a second, invisible scheme (a second reader); ids refuse them too."""
    recognise = "mutation($s: String!) { recognise(scheme: $s) { recognised } }"
    found, message = refused(forum_store, M1, recognise, s=scheme)
    assert found == "BAD_USER_INPUT" and message.startswith("input.scheme: "), message
    assert f"invisible formatting character (U+{character})" in message, message
    found, message = refused(forum_store, S1, UPLOAD, a={**AUDIT, "scheme": scheme})
    assert found == "BAD_USER_INPUT" and message.startswith("audit.scheme: "), message
    require = 'mutation($r: ID!) { require(requirement: $r, title: "Supplier code") { title } }'
    found, message = refused(forum_store, M1, require, r=scheme)
    assert f"invisible formatting character (U+{character})" in message, message
    assert "SMETA" in forum_store.recognised_schemes("M1")
    assert scheme not in forum_store.recognised_schemes("M1")
    # one recognised before the rule (a store written then) can still be taken back
    forum_store.write(GraphBatch(recognitions=[Recognition("M1", scheme)]))
    unrecognise = "mutation($s: String!) { unrecognise(scheme: $s) { recognised } }"
    assert scheme not in data(forum_store, M1, unrecognise, s=scheme)["unrecognise"]["recognised"]
    assert scheme not in forum_store.recognised_schemes("M1")


def test_an_audit_that_ends_before_it_starts_is_refused_in_the_apis_own_words(forum_store):
    before = forum_store.counts()
    found = refused(forum_store, S1, UPLOAD, a={**AUDIT, "validUntil": "2026-01-15"})
    assert found == ("BAD_USER_INPUT", "audit.validUntil: 2026-01-15 precedes auditDate 2026-02-01")
    assert forum_store.counts() == before


def test_a_finding_due_before_its_audit_is_refused(forum_store):
    """A second reader: uploadAudit took a finding due before the audit's own day,
    overdue from the day it was raised (a load refuses it too)."""
    findings = [{"severity": "MINOR"}, {"severity": "MAJOR", "dueDate": "2026-01-31"}]
    found = refused(forum_store, S1, UPLOAD, a=AUDIT, f=findings)
    assert found == (
        "BAD_USER_INPUT",
        "findings[1].dueDate: 2026-01-31 is before the audit's day 2026-02-01",
    )
    on_the_day = [{"severity": "MAJOR", "dueDate": "2026-02-01"}]
    assert data(forum_store, S1, UPLOAD, a=AUDIT, f=on_the_day)["uploadAudit"]["findings"]
