"""The wrong principals, over HTTP against `tiergraph serve` in a process of its own,
on the embedded store and on Neo4j (issue 12; DOMAIN.md, "Who may do what";
docs/api.md, "Writing"): another member, a member's analyst, a supplier outside the
network, a supplier acting for someone else, an operator.

The forum is tests/views/forum.py: M1 -> S1 -> S2 -> F1, M1 -> S3, S2 <-> S3,
S1 -> S4; M2 -> S4, M2 -> S9. R1 (M1's) passed to S1 and on to S2; R2 (M2's)
passed to S4. A1 (S1) and A2 (S2, finding F-2) by M1; A3 (S3) by M2 shared with
M1; A4 (S4, finding F-4) and A9 (S9) by M2.

Every request is sent twice: the first goes the normal path and prepares the
document, the second the edge's (api/edge.py, api/direct.py). A node outside the
caller's view must answer what a node that never existed answers: the whole body,
word for word once the two ids are put aside, on both paths; and nothing written.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.served_forum import STORES, Served, served_forum

# Valid LEIs (ISO 17442 check digits): one given to an organisation outside M1's
# network by the fixture, one nobody holds.
HELD_OUTSIDE, NOBODYS = "529900T8BM49AURSDO55", "969500ABCDEFGHIJ1261"


@pytest.fixture(scope="module", params=STORES)
def served(request, tmp_path_factory) -> Iterator[Served]:
    for s in served_forum(request, tmp_path_factory.mktemp("attacks-principals")):
        mill = {"name": "Volta Outside Mill", "country": "BR", "lei": HELD_OUTSIDE}
        made = s.ask("S9", REGISTER, {"s": mill, "key": None})["data"]["registerSupplier"]
        assert made["outcome"] == "CREATED", made
        yield s


REGISTER = """mutation($s: NewSupplier!, $key: String) {
  registerSupplier(supplier: $s, commodity: "cocoa", idempotencyKey: $key) {
    outcome organisation mutation { id at } replayed } }"""


def written(served: Served) -> tuple:
    """What a write would change: the graph version, the counts, the records kept."""
    records = {o: [r.id for r in served.store.mutation_records(o)] for o in ORGANISATIONS}
    return served.store.graph_version(), served.store.counts(), records


ORGANISATIONS = ("M1", "M2", "S1", "S2", "S3", "S4", "S9")


def twice(served: Served, who: str, query: str, variables: dict[str, Any] | None = None) -> str:
    """The answer's body, the same on the normal path and on the edge's."""
    first = served.post(who, query, variables)
    second = served.post(who, query, variables)
    assert first.status_code == second.status_code == 200, first.text
    assert first.text == second.text, (first.text, second.text)
    return first.text


def share_request(served: Served) -> str:
    """An open share request of M1 to S4 (the owner of A4)."""
    asked = served.ask("M1", 'mutation { requestShare(audit: "A4") { request { id } } }')
    return asked["data"]["requestShare"]["request"]["id"]  # type: ignore[no-any-return]


PROPOSE = (
    'mutation { proposeAction(finding: "{}", description: "d", targetDate: "2027-01-01") '
    "{ status } }"
)
USE_EXISTING = (
    'mutation { registerSupplier(supplier: {name: "Volta Beans", country: "GH"}, '
    'commodity: "cocoa", useExisting: "{}") { outcome } }'
)
# (who, operation with {} for the id, an id outside what it may see or touch, one that never was)
HIDDEN_AND_ABSENT = [
    # a member's queries: another member's nodes, requirement, audit findings
    ("M1", '{ organisation(id: "{}") { id name tier } }', "S9", "S99"),
    ("M1", '{ organisation(id: "{}") { id } }', "M2", "M99"),
    ("M1 analyst", '{ organisation(id: "{}") { buyers { count } } }', "S9", "S99"),
    ("M1", '{ organisation(identifier: "{}") { id } }', HELD_OUTSIDE, NOBODYS),
    ("M1", '{ tierCoverage(requirement: "{}") { depth nodes } }', "R2", "R99"),
    ("M1 analyst", '{ cascadeGaps(requirement: "{}") { totalCount } }', "R2", "R99"),
    ("M1", '{ coverageHistory(requirement: "{}") { computedAt } }', "R2", "R99"),
    ("M2", '{ tierCoverage(requirement: "{}") { depth } }', "R1", "R99"),
    ("M1", '{ correctiveAction(finding: "{}") { status } }', "F-4", "F-99"),
    ("M2", '{ correctiveAction(finding: "{}") { status } }', "F-2", "F-99"),
    ("S1", '{ correctiveAction(finding: "{}") { status } }', "F-2", "F-99"),
    # a member's writes: another member's requirement, nodes below tier 1, audits
    ("M1", 'mutation { passOn(requirement: "R1", to: "{}") { to } }', "S2", "S99"),
    ("M1", 'mutation { passOn(requirement: "R1", to: "{}") { to } }', "S9", "S99"),
    ("M1", 'mutation { passOn(requirement: "{}", to: "S1") { to } }', "R2", "R99"),
    ("M2", 'mutation { passOn(requirement: "R2", to: "{}") { to } }', "S1", "S99"),
    ("M1", 'mutation { runCascade(requirement: "{}") { id } }', "R2", "R99"),
    ("M1", 'mutation { requestShare(audit: "{}") { created } }', "A9", "A99"),
    ("M2", 'mutation { requestShare(audit: "{}") { created } }', "A2", "A99"),
    ("M1", 'mutation { acceptAction(finding: "{}") { status } }', "F-4", "F-99"),
    ("M2", 'mutation { verifyAction(finding: "{}") { status } }', "F-2", "F-99"),
    ("M2", 'mutation { answerExtension(finding: "{}", grant: true) { status } }', "F-2", "F-99"),
    # a supplier acting for someone else: others' edges, requirements, audits, findings
    ("S1", 'mutation { removeSourcing(supplier: "{}") { removed } }', "S3", "S99"),
    ("S1", 'mutation { passOn(requirement: "R1", to: "{}") { to } }', "S3", "S99"),
    ("S2", 'mutation { passOn(requirement: "R1", to: "{}") { to } }', "S4", "S99"),
    ("S4", 'mutation { passOn(requirement: "{}", to: "S1") { to } }', "R1", "R99"),
    ("S1", 'mutation { adopt(requirement: "{}") { requirement } }', "R2", "R99"),
    ("S9", 'mutation { adopt(requirement: "{}") { requirement } }', "R1", "R99"),
    ("S1", 'mutation { shareAudit(audit: "{}", allCustomers: true) { audit } }', "A4", "A99"),
    ("S4", 'mutation { unshareAudit(audit: "{}", members: ["M1"]) { audit } }', "A3", "A99"),
    ("S1", 'mutation { shareAudit(audit: "A1", members: ["{}"]) { audit } }', "S2", "M99"),
    ("S1", PROPOSE, "F-4", "F-99"),
    ("S1", 'mutation { completeAction(finding: "{}", evidence: "e") { status } }', "F-2", "F-99"),
    (
        "S9",
        'mutation { requestExtension(finding: "{}", dueDate: "2027-01-01") { status } }',
        "F-2",
        "F-99",
    ),
    ("S9", USE_EXISTING, "S1", "S99"),
]
CASES = [pytest.param(*case, id=f"{case[0]}-{case[1][:40]}") for case in HIDDEN_AND_ABSENT]


@pytest.mark.parametrize(("who", "operation", "hidden", "absent"), CASES)
def test_what_it_may_not_see_is_not_found_word_for_word_like_what_never_was(
    served, who, operation, hidden, absent
):
    before = written(served)
    seen = twice(served, who, operation.replace("{}", hidden))
    never = twice(served, who, operation.replace("{}", absent))
    body = json.loads(seen)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"], seen
    assert seen.replace(hidden, "X") == never.replace(absent, "X")
    assert written(served) == before


def test_a_share_request_made_to_another_is_not_found_like_one_never_made(served):
    made = share_request(served)
    answer = "mutation($r: ID!) { answerShareRequest(request: $r, grant: true) { request { id } } }"
    before = written(served)
    for who in ("S1", "S9", "M1 as supplier"):
        seen = twice(served, who, answer, {"r": made})
        never = twice(served, who, answer, {"r": "share-nothing"})
        assert json.loads(seen)["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert seen.replace(made, "X") == never.replace("share-nothing", "X"), who
    assert written(served) == before


@pytest.mark.parametrize(
    ("who", "code"),
    [("M2", None), ("M1", None), ("M1 analyst", None), ("S1", "FORBIDDEN"),
     ("operator", "FORBIDDEN")],
)  # fmt: skip
def test_a_document_prepared_by_one_principal_answers_another_as_its_own(served, who, code):
    """The edge keeps a document's parse and plans, never whose answer it was."""
    query = "query($id: ID) { organisation(id: $id) { id tier buyers { count nodes { id } } } }"
    for _ in range(2):  # M2's own answer, on both paths: S4 is its tier 1
        mine = served.ask("M2", query, {"id": "S4"})["data"]["organisation"]
        assert mine == {"id": "S4", "tier": 1, "buyers": {"count": 1, "nodes": [{"id": "M2"}]}}
    body = json.loads(twice(served, who, query, {"id": "S4"}))
    if code is not None:
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == code
    elif who == "M2":
        assert body["data"]["organisation"]["tier"] == 1
    else:  # M1's view: S4 at tier 2, bought by S1 only (M2 neither shown nor counted)
        organisation = body["data"]["organisation"]
        assert organisation == {
            "id": "S4",
            "tier": 2,
            "buyers": {"count": 1, "nodes": [{"id": "S1"}]},
        }


def test_a_mutation_prepared_by_one_principal_is_checked_for_the_next(served):
    passing = "mutation($r: ID!, $to: ID!) { passOn(requirement: $r, to: $to) { by to } }"
    for _ in range(2):
        done = served.ask("M2", passing, {"r": "R2", "to": "S4"})["data"]["passOn"]
        assert done == {"by": "M2", "to": "S4"}
    before = written(served)
    for who in ("M1", "S1"):  # R2 is neither M1's nor passed to S1
        seen = twice(served, who, passing, {"r": "R2", "to": "S4"})
        never = twice(served, who, passing, {"r": "R99", "to": "S4"})
        assert json.loads(seen)["errors"][0]["extensions"]["code"] == "NOT_FOUND", who
        assert seen.replace("R2", "X") == never.replace("R99", "X"), who
    assert written(served) == before


def test_an_idempotency_key_of_another_principal_never_answers_its_answer(served):
    new = {"name": "Kumasi Idempotent Beans", "country": "GH"}
    first = served.ask("S1", REGISTER, {"s": new, "key": "same-key"})["data"]["registerSupplier"]
    assert first["outcome"] == "CREATED" and first["replayed"] is False
    # The same organisation and role with another key: the first answer, nothing written.
    before = written(served)
    for who in ("S1", "S1 again"):
        again = json.loads(twice(served, who, REGISTER, {"s": new, "key": "same-key"}))
        assert again["data"]["registerSupplier"] == {**first, "replayed": True}
    assert written(served) == before
    # Another organisation, or S1's member acting as a supplier: their own calls.
    for who in ("S2", "M1 as supplier"):
        own = served.ask(who, REGISTER, {"s": new, "key": "same-key"})["data"]["registerSupplier"]
        assert own["replayed"] is False and own["outcome"] == "EXISTING", who
        assert own["mutation"]["id"] != first["mutation"]["id"], who
    # A member key sending it: refused for its role, not answered S1's answer.
    refused = json.loads(twice(served, "M1", REGISTER, {"s": new, "key": "same-key"}))
    assert refused["data"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]


def test_the_same_idempotency_key_with_other_arguments_is_refused_naming_it(served):
    first = served.ask("S1", REGISTER, {"s": {"name": "Tema Keyed Mill", "country": "GH"},
                                        "key": "other-arguments"})  # fmt: skip
    assert first["data"]["registerSupplier"]["outcome"] == "CREATED"
    before = written(served)
    other = {"name": "Another Keyed Mill", "country": "GH"}
    body = json.loads(twice(served, "S1", REGISTER, {"s": other, "key": "other-arguments"}))
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["message"].startswith("idempotencyKey: already used at ")
    assert "Another" not in json.dumps(body) and "Tema" not in json.dumps(body)
    assert written(served) == before
    # Twice in one operation under two aliases: the second is refused the same way.
    both = """mutation { a: adopt(requirement: "R1", idempotencyKey: "twice") { replayed }
      b: adopt(requirement: "R1", evidence: "other", idempotencyKey: "twice") { replayed } }"""
    body = served.ask("S1", both)
    assert [e["path"] for e in body["errors"]] == [["b"]]
    assert body["errors"][0]["message"].startswith("idempotencyKey: already used at ")


@pytest.mark.parametrize(
    "query",
    [
        '{ a: organisation(id: "S1") { id } b: organisation(id: "{}") { id } }',
        '{ a: organisation(id: "{}") { ...F } b: organisation(id: "S1") { ...F } } '
        "fragment F on Organisation { id tier buyers { count } }",
        'query { ...Q } fragment Q on Query { organisation(id: "{}") { id } }',
        'query { ... on Query { x: organisation(id: "{}") { id } } }',
        '{ a: tierCoverage(requirement: "R1") { depth } b: organisation(id: "{}") { id } }',
    ],
    ids=["aliases", "fragment", "query-fragment", "inline-fragment", "two-fields"],
)
def test_a_field_asked_twice_under_other_names_hides_the_same(served, query):
    seen = twice(served, "M1", query.replace("{}", "S9"))
    never = twice(served, "M1", query.replace("{}", "S99"))
    assert json.loads(seen)["data"] is None  # organisation is non-null: no partial answer
    assert "NOT_FOUND" in seen and seen.replace("S9", "X") == never.replace("S99", "X")


WRONG_VARIABLES = [
    ("query($id: ID) { organisation(id: $id) { id } }", {"id": {"id": "S1"}}),
    ("query($id: ID) { organisation(id: $id) { id } }", {"id": ["S1"]}),
    ("query($id: ID) { organisation(id: $id) { id } }", {"id": True}),
    ("query($id: ID!) { organisation(id: $id) { id } }", {}),
    ("query($f: Int!) { network(first: $f) { totalCount } }", {"f": "10"}),
    ("query($f: Int!) { network(first: $f) { totalCount } }", {"f": 2**40}),
    ("query($k: Kind) { network(kind: $k) { totalCount } }", {"k": "member"}),
    ("query($d: Date) { auditGaps(asOf: $d) { totalCount } }", {"d": "2026-02-30"}),
    ("query($d: Date) { auditGaps(asOf: $d) { totalCount } }", {"d": 20260101}),
    # Python's date.fromisoformat takes these; the API's days are YYYY-MM-DD (a reviewer)
    ("query($d: Date) { auditGaps(asOf: $d) { totalCount } }", {"d": "20260101"}),
    ("query($d: Date) { auditGaps(asOf: $d) { totalCount } }", {"d": "2026-W01-1"}),
    ("query($d: Date) { auditGaps(asOf: $d) { totalCount } }", {"d": "2026-001"}),
    ("query($d: Date) { auditGaps(asOf: $d) { totalCount } }", {"d": " 2026-01-01"}),
    (
        "mutation($s: NewSupplier!) { registerSupplier(supplier: $s, commodity: \"c\") { outcome } }",
        {"s": {"name": "A", "country": "GH", "registeredBy": "S9"}},
    ),
    (
        "mutation($s: NewSupplier!) { registerSupplier(supplier: $s, commodity: \"c\") { outcome } }",
        {"s": "S9"},
    ),
    ('mutation($m: [ID!]) { shareAudit(audit: "A1", members: $m) { audit } }', {"m": [None]}),
    ('mutation($k: String) { adopt(requirement: "R1", idempotencyKey: $k) { requirement } }',
     {"k": 5}),
]  # fmt: skip


@pytest.mark.parametrize(("query", "variables"), WRONG_VARIABLES)
def test_a_variable_of_the_wrong_type_is_bad_user_input_and_runs_nothing(served, query, variables):
    who = "S1" if query.startswith("mutation") else "M1"
    before = written(served)
    body = json.loads(twice(served, who, query, variables))
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"], body
    assert body["errors"][0]["message"].startswith("Variable '$")
    assert written(served) == before


# ---- problems this review found, fixed ----------------------------------------------


RACERS = ["S1", "S2", "S4", "S9", "M1 as supplier", "S1 again"] * 2


def race(served: Served, news: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """registerSupplier of news[i] by RACERS[i], all sent at once: the answers."""

    async def sending() -> list[dict[str, Any]]:
        async with httpx.AsyncClient(timeout=120) as client:
            sent = [
                client.post(
                    f"{served.url}/graphql",
                    json={"query": REGISTER, "variables": {"s": new, "key": None}},
                    headers={"Authorization": f"Bearer {served.keys[who]}"},
                )
                for who, new in zip(RACERS, news, strict=False)
            ]
            return [r.json() for r in await asyncio.gather(*sent)]

    bodies = asyncio.run(sending())
    assert [b for b in bodies if "errors" in b] == []
    return [b["data"]["registerSupplier"] for b in bodies]


def test_suppliers_racing_to_register_one_new_organisation_create_it_once(served):
    """Each registration matched before the others committed: on Neo4j (mutations in
    parallel) 12 racing registrations of one new mill created 7 organisations of that
    name, and every later registration of it was asked to CHOOSE among them."""
    new = {"name": "Brambleworth Racing Cocoa Mill", "country": "GH"}
    answers = race(served, [new] * len(RACERS))
    assert {a["outcome"] for a in answers} <= {"CREATED", "EXISTING"}, answers
    assert len({a["organisation"] for a in answers}) == 1, answers
    stored = [o for o in served.store.match_candidates("GH") if o.name == new["name"]]
    assert [o.id for o in stored] == [answers[0]["organisation"]]
    again = served.ask("S2", REGISTER, {"s": {"name": new["name"], "country": "GH"}, "key": None})
    assert again["data"]["registerSupplier"]["outcome"] == "EXISTING"


def test_suppliers_racing_to_register_one_identifier_under_other_names_get_its_holder(served):
    """Was INTERNAL (IdentifierTaken) for every racer but the first on Neo4j: the
    identifiers were free when each matched, taken when it wrote."""
    lei = "213800RACEMILL000125"
    names = ["Alpha Grainworks", "Beta Tannery", "Gamma Oils", "Delta Cocoa", "Epsilon Mill"]
    news = [{"name": n, "country": "GH", "lei": lei} for n in [*names, "Zeta Farms"]]
    answers = race(served, news)
    holder = {o.id for o in served.store.match_candidates("GH") if o.lei == lei}
    assert len(holder) == 1
    assert {a["organisation"] for a in answers} == holder, answers
