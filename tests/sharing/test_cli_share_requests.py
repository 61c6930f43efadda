"""`tiergraph share-requests` and `tiergraph savings -m M` on a generated forum loaded
from the generator's files (share requests in every state): their JSON is the API's
answer to the member's analysts and to the owner's supplier key, field for field."""

from __future__ import annotations

from graph.sqlite_store import SqliteStore
from loaders.generate import REFERENCE_DAY
from tests.api.member_client import data
from tests.test_cli import data_dir, run, run_json  # noqa: F401 - data_dir is a fixture

DAY = REFERENCE_DAY.isoformat()
REQUESTS = """query ($status: ShareRequestStatus, $after: String) {
  shareRequests(status: $status, first: 500, after: $after) {
    nodes { id member organisation audit { id scheme auditDate validUntil }
            status message at answeredAt reason }
    pageInfo { hasNextPage endCursor } } }"""
POTENTIAL = """query ($day: Date!) { savingsPotential(asOf: $day, first: 500) {
  asOf inScope
  shareRequestAway { reason count byScheme { scheme nodes }
    nodes { node { id } tier schemes audit { id scheme auditDate validUntil visible } } }
  recognitionAway { reason count byScheme { scheme nodes }
    nodes { node { id } tier schemes audit { id scheme auditDate validUntil visible } } } } }"""


def _api_requests(store, principal, status=None) -> list[dict]:
    rows, after = [], None
    while True:
        page = data(store, principal, REQUESTS, status=status, after=after)["shareRequests"]
        rows += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return [
        {
            "id": r["id"],
            "member": r["member"],
            "organisation": r["organisation"],
            "audit": r["audit"]["id"],
            "scheme": r["audit"]["scheme"],
            "audit_date": r["audit"]["auditDate"],
            "valid_until": r["audit"]["validUntil"],
            "status": r["status"].lower(),
            "message": r["message"],
            "at": r["at"],
            "answered_at": r["answeredAt"],
            "reason": r["reason"],
        }
        for r in rows
    ]


def _api_step(step: dict) -> dict:
    return {
        "reason": step["reason"],
        "count": step["count"],
        "by_scheme": step["byScheme"],
        "nodes": [
            {
                "node": n["node"]["id"],
                "tier": n["tier"],
                "schemes": n["schemes"],
                "audit": {
                    "id": n["audit"]["id"],
                    "scheme": n["audit"]["scheme"],
                    "audit_date": n["audit"]["auditDate"],
                    "valid_until": n["audit"]["validUntil"],
                    "visible": n["audit"]["visible"],
                },
            }
            for n in step["nodes"]
        ],
    }


def test_the_clis_requests_and_potential_are_the_apis(data_dir):  # noqa: F811
    from access.principal import Principal, Role

    net = data_dir / "net"
    generated = run_json("generate", str(net), "--nodes", "500", "--members", "3", "--seed", "5")
    assert generated["rows"]["share_requests"] > 0
    loaded = run_json("load", str(net))
    assert (
        loaded["ok"] and loaded["written"]["share_requests"] == generated["rows"]["share_requests"]
    )
    store = SqliteStore(data_dir / "data")
    try:
        members = store.members()
        owners = set()
        states = set()
        for member in members:
            analyst = Principal(Role.ANALYST, member, "k")
            got = run_json("share-requests", "-m", member)
            assert got["member"] == member and got["state"] is None
            assert got["requests"] == _api_requests(store, analyst)
            owners |= {r["organisation"] for r in got["requests"]}
            states |= {r["status"] for r in got["requests"]}
            opened = run_json("share-requests", "-m", member, "--state", "open")["requests"]
            assert opened == _api_requests(store, analyst, "OPEN")
            answered = run_json("share-requests", "-m", member, "--state", "answered")
            assert answered["requests"] == [r for r in got["requests"] if r["status"] != "open"]
            potential = run_json("savings", "-m", member, "--as-of", DAY, "--first", "500")
            api = data(store, analyst, POTENTIAL, day=DAY)["savingsPotential"]
            assert potential == {
                "member": member,
                "as_of": api["asOf"],
                "in_scope": api["inScope"],
                "share_request_away": _api_step(api["shareRequestAway"]),
                "recognition_away": _api_step(api["recognitionAway"]),
            }
        assert states == {"open", "granted", "declined"}
        for owner in sorted(owners)[:5]:
            supplier = Principal(Role.SUPPLIER, owner, "k")
            got = run_json("share-requests", "--owner", owner)
            assert got["owner"] == owner and got["requests"]
            assert got["requests"] == _api_requests(store, supplier)
    finally:
        store.close()
    code, text = run("share-requests", "-m", members[0])
    assert code == 0 and "share request(s)" in text
    code, text = run("savings", "-m", members[0], "--as-of", DAY)
    assert code == 0 and "one share request away" in text
    # a table cut at --first says how many more there are
    whole = run_json("savings", "-m", members[0], "--as-of", DAY, "--first", "500")
    count = whole["share_request_away"]["count"]
    assert count > 1
    code, text = run("savings", "-m", members[0], "--as-of", DAY, "--first", "1")
    assert code == 0 and f"... and {count - 1:,} more (--first N)" in text
    assert run("share-requests", "-m", "NOPE")[0] == 2
    assert run("share-requests")[0] == 2  # neither side named
    assert run("savings", "-m", "NOPE", "--as-of", DAY)[0] == 2
    forum = run_json("savings", "--as-of", DAY)  # without -m: the forum's figure, as before
    assert set(forum) == {"as_of", "members", "forum"}
