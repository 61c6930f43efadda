"""Answers ordered by id stay in id order after catch-ups that append organisations
whose ids sort first, in the middle and last (a catch-up gives a new organisation
the next position: position order is no longer id order, cascade.projection).
Compared with a naive re-statement: tiers by a breadth-first walk of the edges
written (DOMAIN.md, "Tier"), pages sorted by (tier, id)."""

from __future__ import annotations

from collections import deque

from graph.model import GraphBatch, PassOn, Sourcing
from tests.factories import org
from tests.views.forum import AS_OF, PRINCIPALS, forum
from views import audits, coverage, network

M1 = PRINCIPALS["sourcing"]
# Each written after the forum, one write at a time, read between them.
ADDED = [
    ("S1", "A0"),  # sorts before every id, tier 2
    ("M1", "Z9"),  # sorts last, tier 1
    ("S2", "S25"),  # between S2 and S3, tier 3
    ("A0", "AA"),  # tier 3, appended after S25 but sorts before it
]


def naive_tiers(edges: list[tuple[str, str]], member: str) -> dict[str, int]:
    tier, queue = {member: 0}, deque([member])
    while queue:
        buyer = queue.popleft()
        for b, s in edges:
            if b == buyer and s not in tier:
                tier[s] = tier[buyer] + 1
                queue.append(s)
    del tier[member]
    return tier


def paged(read, **arguments) -> list:
    items, after = [], None
    while True:
        page = read(principal=M1, first=2, after=after, **arguments)
        items += page.items
        if not page.has_next:
            return items
        after = page.end_cursor


def test_pages_stay_in_tier_then_id_order_after_appends(store):
    batch = forum()
    store.write(batch)
    edges = [(s.buyer, s.seller) for s in batch.sourcing]
    network.network(principal=M1, store=store)  # a view to carry
    for buyer, seller in ADDED:
        store.write(
            GraphBatch(
                organisations=[org(seller)],
                sourcing=[Sourcing(buyer, seller, "cocoa")],
                pass_on=[PassOn(buyer, seller, "R1")] if buyer != "A0" else [],
            )
        )
        edges.append((buyer, seller))
        tiers = naive_tiers(edges, "M1")
        want = sorted(tiers.items(), key=lambda x: (x[1], x[0]))
        got = paged(lambda **a: network.network(store=store, **a))
        assert [(n.id, n.tier) for n in got] == want
        gaps = paged(lambda **a: audits.audit_gaps(store=store, as_of=AS_OF, **a))
        assert [(g.node, g.tier) for g in gaps] == sorted(
            [(g.node, g.tier) for g in gaps], key=lambda x: (x[1], x[0])
        )
        assert {g.node for g in gaps} >= {seller}  # unaudited: a gap
        cascade = paged(lambda **a: coverage.cascade_gaps(store=store, requirement="R1", **a))
        keys = [(g.tier, g.reason.value, g.node, g.buyer or "") for g in cascade]
        assert keys == sorted(keys) and len(keys) > 1
