"""A projection restated by id, so that two projections of one graph compare equal
whatever positions they gave their organisations (a build numbers in id order, a
catch-up appends): every position replaced by its organisation's id."""

from __future__ import annotations

import numpy as np

from cascade.projection import Projection, edge_keys, pair_parts


def by_id(p: Projection) -> dict[str, object]:
    """Every array of the projection as sets and maps of ids (audit positions stay:
    audits are numbered in id order), after checking the arrays hang together."""
    ids = p.ids.tolist()
    n = len(ids)
    assert sorted(p.order.tolist()) == list(range(n)), "order is a permutation"
    in_order = p.ids[p.order]
    assert all(in_order[1:] > in_order[:-1]), "order sorts the ids, which are distinct"
    assert len(p.kind) == n and len(p.indptr) in (n + 1, 2)
    for v in range(n):  # sellers sorted and distinct within each buyer's row
        row = p.indices[p.indptr[v] : p.indptr[v + 1]]
        assert np.all(row[1:] > row[:-1]), f"row {ids[v]}"
    buyers, sellers = pair_parts(edge_keys(p.indptr, p.indices))
    edges = list(
        zip([ids[b] for b in buyers.tolist()], [ids[s] for s in sellers.tolist()], strict=True)
    )

    def pairs(keys: np.ndarray) -> set[tuple[str, str]]:
        b, s = pair_parts(keys)
        return {(ids[x], ids[y]) for x, y in zip(b.tolist(), s.tolist(), strict=True)}

    a = p.audits
    return {
        "kind": dict(zip(ids, p.kind.tolist(), strict=True)),
        "edges": sorted(edges),
        "passed": {r: sorted(edges[e] for e in x.tolist()) for r, x in p.passed.items()},
        "pass_pairs": {r: pairs(x) for r, x in p.pass_pairs.items()},
        "adopters": {r: sorted(ids[v] for v in x.tolist()) for r, x in p.adopters.items()},
        "audit organisation": [ids[v] for v in a.organisation.tolist()],
        "audit commissioner": [ids[v] for v in a.commissioner.tolist()],
        "shares": {
            (int(x), ids[m])
            for x, m in zip(a.share_audit.tolist(), a.share_member.tolist(), strict=True)
        },
    }
