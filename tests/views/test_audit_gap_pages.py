"""The member's audit gaps as the API pages them (filtered by reason or tier, a
few at a time) and one node's audit status, against the naive reference of
DOMAIN.md (tests/cascade/test_reference.py) on a generated forum, on every store:
the audit status is kept as arrays by position, and every answer built from it
must read the same as the definition."""

from __future__ import annotations

from access.principal import Principal, Role
from cascade.audits import AuditGapReason
from loaders.generate import REFERENCE_DAY, generate
from tests.cascade.test_reference import Forum, ref_audits, ref_tiers
from views import audits


def every_page(principal, store, smallholders: bool, **filters) -> list[dict]:
    rows, after = [], None
    while True:
        page = audits.audit_gaps(
            principal=principal,
            store=store,
            as_of=REFERENCE_DAY,
            include_smallholders=smallholders,
            first=7,
            after=after,
            **filters,
        )
        rows += [
            {
                "node": g.node,
                "tier": g.tier,
                "reason": g.reason.value,
                "audit": g.audit.id if g.audit else None,
            }
            for g in page.items
        ]
        if not page.has_next:
            assert page.total == len(rows)
            return rows
        after = page.end_cursor


def test_pages_filters_and_node_status_match_the_reference(store):
    batch = generate(nodes=900, members=3, seed=8)
    forum = Forum.of(batch)
    store.write(batch)
    for member in forum.members:
        principal = Principal(Role.ANALYST, member, "k")
        for smallholders in (False, True):
            want = ref_audits(forum, member, REFERENCE_DAY, smallholders)["gaps"]
            assert every_page(principal, store, smallholders) == want, member
            for reason in AuditGapReason:
                got = every_page(principal, store, smallholders, reason=reason)
                assert got == [g for g in want if g["reason"] == reason.value], (member, reason)
            for tier in sorted({g["tier"] for g in want})[:3]:
                got = every_page(principal, store, smallholders, tier=tier)
                assert got == [g for g in want if g["tier"] == tier], (member, tier)
        # One node's status: smallholders in scope, covered or its gap's reason.
        full = ref_audits(forum, member, REFERENCE_DAY, True)
        reasons = {g["node"]: g["reason"] for g in full["gaps"]}
        network = sorted(ref_tiers(forum, member))
        covered = [n for n in network if n not in reasons]
        for node in sorted(reasons)[:15] + covered[:15]:
            seen = audits.audit_status_of(
                principal=principal, store=store, id=node, as_of=REFERENCE_DAY
            )
            assert seen.in_scope and seen.covered == (node not in reasons), (member, node)
            assert (seen.reason.value if seen.reason else None) == reasons.get(node), node
        saved = audits.audit_savings(principal=principal, store=store, as_of=REFERENCE_DAY)
        plain = ref_audits(forum, member, REFERENCE_DAY)
        assert (saved.in_scope, saved.covered, saved.saved) == (
            plain["in_scope"],
            plain["covered"],
            plain["saved"],
        )
