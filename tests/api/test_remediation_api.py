"""Corrective actions over GraphQL through the real app with real keys: the moves,
the plan and its history on a member's findings and on a supplier's own, the
refusals with their codes, and findingMeasures."""

from __future__ import annotations

from access.principal import Principal, Role
from tests.api.member_client import code, data, execute, refusal
from tests.views.forum import PRINCIPALS, forum

M1 = PRINCIPALS["sourcing"]
S2 = Principal(Role.SUPPLIER, "S2", "k-s2")
MOVED = "finding status dueDate findingClosed replayed mutation { id } action { status history { kind by byYou role note } }"

PROPOSE = (
    'mutation { proposeAction(finding: "F-2", description: "Unlock the exits", '
    'targetDate: "2026-04-01") { @M } }'.replace("@M", MOVED)
)
ACCEPT = 'mutation { acceptAction(finding: "F-2") { @M } }'.replace("@M", MOVED)
COMPLETE = 'mutation { completeAction(finding: "F-2", evidence: "photos") { @M } }'.replace(
    "@M", MOVED
)
VERIFY = 'mutation { verifyAction(finding: "F-2") { @M } }'.replace("@M", MOVED)
ASK = 'mutation { requestExtension(finding: "F-2", dueDate: "2026-09-01") { @M } }'.replace(
    "@M", MOVED
)
GRANT = 'mutation { answerExtension(finding: "F-2", grant: true) { @M } }'.replace("@M", MOVED)
MEMBER_FINDINGS = """{ organisation(id: "S2") { auditStatus(asOf: "2026-03-01") { covered reason
  audits { id findings { id status dueDate correctiveAction { status evidence
  history { kind by byYou } } } } } } }"""
OWN_FINDINGS = "{ me { supplier { audits { id findings { id correctiveAction { status } } } } } }"
MEASURES = """{ findingMeasures(asOf: "2026-03-01") { asOf open { critical major minor total }
  overdue closedLast90Days verifiedLast365Days medianDaysToClose } }"""


def test_the_whole_way_over_graphql(engine_store):
    store = engine_store
    store.write(forum())
    assert refusal(store, M1, PROPOSE)[0] == "FORBIDDEN"
    assert refusal(store, PRINCIPALS["supplier inside"], PROPOSE)[0] == "NOT_FOUND"
    proposed = data(store, S2, PROPOSE)["proposeAction"]
    assert proposed["status"] == "PROPOSED" and proposed["mutation"]["id"]
    assert proposed["action"]["history"] == [
        {
            "kind": "PROPOSED",
            "by": "S2",
            "byYou": True,
            "role": "supplier",
            "note": "Unlock the exits",
        }
    ]
    assert refusal(store, S2, ACCEPT)[0] == "FORBIDDEN"
    assert refusal(store, PRINCIPALS["other member"], ACCEPT)[0] == "NOT_FOUND"
    assert refusal(store, M1, COMPLETE)[0] == "FORBIDDEN"
    assert refusal(store, S2, COMPLETE)[0] == "BAD_USER_INPUT"
    assert data(store, M1, ACCEPT)["acceptAction"]["status"] == "ACCEPTED"
    granted = data(store, S2, ASK)["requestExtension"]
    assert granted["dueDate"] is None
    assert data(store, M1, GRANT)["answerExtension"]["dueDate"] == "2026-09-01"
    data(store, S2, COMPLETE)
    assert data(store, M1, MEASURES)["findingMeasures"]["open"]["critical"] == 1
    verified = data(store, PRINCIPALS["operator"], VERIFY)["verifyAction"]
    assert verified["findingClosed"] is True and verified["status"] == "VERIFIED"
    status = data(store, M1, MEMBER_FINDINGS)["organisation"]["auditStatus"]
    assert status["covered"] is True
    (finding,) = status["audits"][0]["findings"]
    assert finding["status"] == "CLOSED" and finding["dueDate"] == "2026-09-01"
    plan = finding["correctiveAction"]
    assert plan["status"] == "VERIFIED" and plan["evidence"] == "photos"
    assert [(s["kind"], s["by"]) for s in plan["history"]] == [
        ("PROPOSED", "S2"),
        ("ACCEPTED", "M1"),
        ("EXTENSION_REQUESTED", "S2"),
        ("EXTENSION_GRANTED", "M1"),
        ("COMPLETED", "S2"),
        ("VERIFIED", None),  # an operator: never named to a member
    ]
    own = data(store, S2, OWN_FINDINGS)["me"]["supplier"]["audits"]
    assert own == [
        {"id": "A2", "findings": [{"id": "F-2", "correctiveAction": {"status": "VERIFIED"}}]}
    ]
    # on 2026-03-01 it was still open (verified today); today it is closed
    assert data(store, M1, MEASURES)["findingMeasures"]["open"]["critical"] == 1
    today = data(store, M1, MEASURES.replace('(asOf: "2026-03-01")', ""))["findingMeasures"]
    assert today["open"] == {"critical": 0, "major": 0, "minor": 0, "total": 0}
    assert today["closedLast90Days"] == 1 and today["verifiedLast365Days"] == 1
    assert refusal(store, S2, MEASURES)[0] == "FORBIDDEN"
    hidden = execute(store, M1, '{ correctiveAction(finding: "F-4") { status } }')
    assert hidden.data == {"correctiveAction": None}  # nullable: the error says why
    assert [code(e) for e in hidden.errors or []] == ["NOT_FOUND"]
    assert data(store, M1, '{ correctiveAction(finding: "F-2") { status } }') == {
        "correctiveAction": {"status": "VERIFIED"}
    }
