"""The bulk writer's scheduling: two transactions at a time that share no node."""

from __future__ import annotations

import random

from graph.neo4j_bulk import disjoint_rounds


def test_rounds_cover_every_row_once_and_their_chunks_share_no_node():
    rng = random.Random(5)
    hubs = [f"H{i}" for i in range(3)]  # a few hubs (requirements, big traders)
    rows = [
        (f"N{rng.randrange(400)}", rng.choice(hubs + [f"N{rng.randrange(400)}"]))
        for _ in range(5000)
    ]
    seen = []
    for first, second in disjoint_rounds(rows, rows, size=300):
        assert len(first) <= 300 and len(second) <= 300
        nodes_first = {n for row in first for n in row}
        nodes_second = {n for row in second for n in row}
        assert not nodes_first & nodes_second
        seen += first + second
    assert sorted(seen) == sorted(rows)


def test_a_single_hub_still_finishes():
    rows = [("R", f"O{i}") for i in range(1000)]
    rounds = list(disjoint_rounds(rows, rows, size=100))
    assert sum(len(a) + len(b) for a, b in rounds) == 1000
    assert all(not b for _, b in rounds)  # every row touches R: one transaction at a time
