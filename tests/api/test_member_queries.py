"""The member queries over GraphQL on every store: each field for each kind of
principal, the shapes a sourcing team reads, and nothing of another member."""

from __future__ import annotations

import json

import pytest

from tests.api.member_client import data, execute, key_of, refusal
from tests.views.forum import AS_OF, PRINCIPALS, forum

QUERIES = {
    "me": "{ me { role keyId organisation { id name kind country } } }",
    "network": "{ network(first: 500) { nodes { id tier kind name country } "
    "pageInfo { hasNextPage endCursor } totalCount } }",
    "organisation": """{ organisation(id: "S4") { id name kind country tier lei
        suppliers { count nodes { id tier } } buyers { count nodes { id tier name } }
        requirements { requirement reached adopted }
        auditStatus(asOf: "2026-03-01") { inScope covered reason
          audits { id scheme auditDate validUntil visible rating auditor commissionedByYou
                   findings { id severity status category dueDate } } } } }""",
    "requirements": "{ requirements { id title version frameworks } }",
    "tierCoverage": '{ tierCoverage(requirement: "R1") { requirement depth nodes reached '
    "tiers { tier nodes reached } } }",
    "cascadeGaps": '{ cascadeGaps(requirement: "R1") { totalCount '
    "nodes { reason tier node { id name } buyer { id } } } }",
    "coverageHistory": '{ coverageHistory(requirement: "R1") { computedAt '
    "coverage { depth reached } gaps { reason count } } }",
    "auditGaps": '{ auditGaps(asOf: "2026-03-01", includeSmallholders: true) { totalCount '
    "nodes { node { id name country } tier reason audit { id scheme validUntil visible rating "
    "auditor commissionedByYou findings { id severity } } } } }",
    "auditSavings": '{ auditSavings(asOf: "2026-03-01") { asOf inScope covered saved savings } }',
    "runCascade": 'mutation { runCascade(asOf: "2026-03-01") { id state requirements } }',
}
ANYONE = dict.fromkeys(PRINCIPALS, "ok")
MEMBERS = {
    "sourcing": "ok",
    "analyst": "ok",
    "other member": "ok",
    "supplier inside": "FORBIDDEN",
    "supplier outside": "FORBIDDEN",
    "operator": "FORBIDDEN",
}
M1_ONLY = {**MEMBERS, "other member": "NOT_FOUND"}
EXPECTED = {
    "me": ANYONE,
    "network": MEMBERS,
    "organisation": {**MEMBERS, "other member": "ok"},  # S4 is in both networks
    "requirements": MEMBERS,
    "tierCoverage": M1_ONLY,
    "cascadeGaps": M1_ONLY,
    "coverageHistory": M1_ONLY,
    "auditGaps": MEMBERS,
    "auditSavings": MEMBERS,
    "runCascade": {**MEMBERS, "analyst": "FORBIDDEN"},
}
# What M1's people must never read: M2's buying, M2's and its hidden audit's details.
NEVER_FOR_M1 = ("M2", "S9", "A9", "Secret Bureau", "hidden wages", "F-4", "R2", "Palm")


def test_every_field_for_every_principal(store):
    store.write(forum())
    got = {}
    for field, query in QUERIES.items():
        for who, principal in PRINCIPALS.items():
            result = execute(store, principal, query)
            if result.errors:
                got[(field, who)] = refusal(store, principal, query)[0]
            else:
                got[(field, who)] = "ok"
                if principal.member == "M1":
                    shown = json.dumps(result.data)
                    assert not [w for w in NEVER_FOR_M1 if w in shown], (field, who, shown)
    wanted = {(f, who): EXPECTED[f][who] for f in QUERIES for who in PRINCIPALS}
    assert {k: v for k, v in got.items() if v != wanted[k]} == {}


def test_me_for_each_role(store):
    store.write(forum())
    me = {who: data(store, p, QUERIES["me"])["me"] for who, p in PRINCIPALS.items()}
    assert me["sourcing"] == {
        "role": "SOURCING",
        "keyId": key_of(store, PRINCIPALS["sourcing"])[1],
        "organisation": {"id": "M1", "name": "M1 Ltd", "kind": "MEMBER", "country": "NL"},
    }
    assert me["supplier outside"]["organisation"]["id"] == "S9"
    operator_key = key_of(store, PRINCIPALS["operator"])[1]
    assert me["operator"] == {"role": "OPERATOR", "keyId": operator_key, "organisation": None}


def test_an_organisation_as_its_members_people_see_it(store):
    store.write(forum())
    s4 = data(store, PRINCIPALS["analyst"], QUERIES["organisation"])["organisation"]
    assert (s4["tier"], s4["kind"], s4["country"]) == (2, "SUPPLIER", "CI")
    assert s4["buyers"] == {"count": 1, "nodes": [{"id": "S1", "tier": 1, "name": "S1 Ltd"}]}
    assert s4["suppliers"] == {"count": 0, "nodes": []}
    assert s4["requirements"] == [{"requirement": "R1", "reached": False, "adopted": False}]
    assert s4["auditStatus"] == {
        "inScope": True,
        "covered": False,
        "reason": "NOT_SHARED",
        "audits": [
            {
                "id": "A4",
                "scheme": "SMETA",
                "auditDate": "2026-01-10",
                "validUntil": "2026-12-31",
                "visible": False,
                "rating": None,
                "auditor": None,
                "commissionedByYou": None,
                "findings": None,
            }
        ],
    }
    m2_view = data(store, PRINCIPALS["other member"], QUERIES["organisation"])["organisation"]
    assert m2_view["tier"] == 1 and m2_view["buyers"]["nodes"] == [
        {"id": "M2", "tier": 0, "name": "M2 Ltd"}
    ]
    assert m2_view["auditStatus"]["audits"][0]["findings"] == [
        {
            "id": "F-4",
            "severity": "MINOR",
            "status": "OPEN",
            "category": "hidden wages",
            "dueDate": None,
        }
    ]


@pytest.mark.parametrize("ident", ["S9", "M2", "NOPE"])
def test_hidden_and_absent_organisations_answer_alike(store, ident):
    store.write(forum())
    query = "query ($id: ID!) { organisation(id: $id) { id } }"
    found = refusal(store, PRINCIPALS["sourcing"], query, id=ident)
    assert found == ("NOT_FOUND", f"no organisation '{ident}'")


def test_a_network_page_fetches_its_nodes_details_in_one_store_read(store, monkeypatch):
    store.write(forum())
    calls = []
    real = store.label_columns  # names and countries: what a node of an answer shows

    def counted(ids):
        calls.append(sorted(ids))
        return real(ids)

    monkeypatch.setattr(store, "label_columns", counted)
    page = data(store, PRINCIPALS["sourcing"], QUERIES["network"])["network"]
    assert [(n["id"], n["tier"], n["country"]) for n in page["nodes"]] == [
        ("S1", 1, "GH"),
        ("S3", 1, "GH"),
        ("S2", 2, "CI"),
        ("S4", 2, "CI"),
        ("F1", 3, "GH"),
    ]
    assert calls == [["F1", "S1", "S2", "S3", "S4"]]
    gaps = data(store, PRINCIPALS["sourcing"], QUERIES["cascadeGaps"])["cascadeGaps"]
    assert gaps["totalCount"] == 4 and len(calls) == 2  # every gap's node and buyer: one read


def test_pages_through_graphql(store):
    store.write(forum())
    query = """query ($after: String) { auditGaps(asOf: "2026-03-01", first: 1, after: $after,
      includeSmallholders: true) { nodes { node { id } reason } pageInfo { hasNextPage endCursor }
      totalCount } }"""
    seen, after = [], None
    while True:
        page = data(store, PRINCIPALS["sourcing"], query, after=after)["auditGaps"]
        seen += [(g["node"]["id"], g["reason"]) for g in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [("S2", "OPEN_CRITICAL_FINDING"), ("S4", "NOT_SHARED"), ("F1", "NO_AUDIT")]
    too_many = "{ network(first: 501) { totalCount } }"
    code, message = refusal(store, PRINCIPALS["sourcing"], too_many)
    assert code == "BAD_USER_INPUT" and message.startswith("first:")


def test_run_cascade_then_follow_the_job_on_the_embedded_store(tmp_path):
    from graph.sqlite_store import SqliteStore
    from views.job_runners import jobs_for

    store = SqliteStore(tmp_path / "data")
    try:
        store.write(forum())
        job = data(store, PRINCIPALS["sourcing"], QUERIES["runCascade"])["runCascade"]
        assert job["requirements"] == ["R1"]
        for thread in list(jobs_for(store).threads.values()):  # type: ignore[attr-defined]
            thread.join()
        query = "query ($id: ID!) { job(id: $id) { state phase nodes tier } }"
        done = data(store, PRINCIPALS["analyst"], query, id=job["id"])["job"]
        assert done == {"state": "done", "phase": "done", "nodes": 5, "tier": 3}
        hidden = refusal(store, PRINCIPALS["other member"], query, id=job["id"])
        absent = refusal(store, PRINCIPALS["other member"], query, id="f" * 32)
        assert hidden[0] == absent[0] == "NOT_FOUND"
        assert hidden[1].replace(job["id"], "?") == absent[1].replace("f" * 32, "?")
        history = data(store, PRINCIPALS["analyst"], QUERIES["coverageHistory"])
        assert history["coverageHistory"][0]["coverage"] == {"depth": 1, "reached": 1}
    finally:
        store.close()


@pytest.mark.neo4j
@pytest.mark.redis
def test_run_cascade_on_neo4j_is_queued_for_the_celery_workers(neo4j_store, redis_url, monkeypatch):
    from cascade.jobstore import RedisJobStore
    from tiergraph.bootstrap import redis_client
    from tiergraph.settings import Settings
    from views.job_runners import jobs_for

    monkeypatch.setenv("TIERGRAPH_REDIS_URL", redis_url)
    neo4j_store.write(forum())
    job = data(neo4j_store, PRINCIPALS["sourcing"], QUERIES["runCascade"])["runCascade"]
    assert job["state"] == "queued"
    kept = RedisJobStore(redis_client(Settings())).meta(job["id"])
    assert kept["member"] == "M1" and kept["as_of"] == AS_OF.isoformat()
    query = "query ($id: ID!) { job(id: $id) { state } }"
    assert data(neo4j_store, PRINCIPALS["analyst"], query, id=job["id"])["job"]["state"] == "queued"
    jobs_for(neo4j_store).dispatcher.app.control.purge()  # type: ignore[attr-defined]


def test_the_page_limit_is_the_apis():
    from api.limits import MAX_PAGE
    from views.pages import MAX_PAGE as SERVICES_MAX_PAGE

    assert MAX_PAGE == SERVICES_MAX_PAGE == 500


def test_the_store_is_asked_only_about_what_m1_may_see(tmp_path, monkeypatch):
    """Every detail read M1's people cause names only nodes of M1's view and audits
    M1 may see: A4 (M2's, not shared) and S9 never reach the store's detail reads."""
    from graph.sqlite_store import SqliteStore

    store = SqliteStore(tmp_path / "data")
    store.write(forum())
    asked: dict[str, set[str]] = {}
    for method in ("organisations", "countries", "audits", "findings_of"):
        real = getattr(store, method)

        def recorded(ids, _real=real, _name=method):
            ids = list(ids)
            asked.setdefault(_name, set()).update(ids)
            return _real(ids)

        monkeypatch.setattr(store, method, recorded)
    try:
        for principal in (PRINCIPALS["sourcing"], PRINCIPALS["analyst"]):
            for field, query in QUERIES.items():
                if field != "runCascade":
                    execute(store, principal, query)
            execute(store, principal, '{ network(country: "CI") { totalCount } }')
    finally:
        store.close()
    view = {"M1", "S1", "S2", "S3", "S4", "F1"}
    assert asked["organisations"] <= view and asked["countries"] <= view
    assert asked["audits"] <= {"A1", "A2", "A3"} and asked["findings_of"] <= {"A1", "A2", "A3"}
    assert "A2" in asked["findings_of"]  # the reads did happen
