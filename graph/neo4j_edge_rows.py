"""The edges a mutation's checks read, per organisation, in graph.neo4j_rows' copy:
which organisations it sources from, the PASSED_ON edges into it, its ADOPTED and
REQUIRES edges. Carried through the kept changes like the rows: a change keeps
the edges it upserted (whole: `at` and `evidence` as stored after it) and the
buyer->seller pairs it left with no SOURCES_FROM edge; PASSED_ON, ADOPTED and
REQUIRES edges are never removed but with everything (a wipe keeps no change).
Sourcing is kept as pairs only: a change does not say which commodity went while
others stayed, so sellers_of/buyers_of (with commodities) still read Neo4j.

One tuple per organisation, replaced whole on a change (a concurrent reader sees
the old one or the new one, never half of it); tuples of plain values, which the
garbage collector stops walking.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from graph.model import Adoption, PassOn
from graph.store import GraphChange

# Per organisation (chunks in id order, as neo4j_rows.ORGANISATION_ROWS): the sellers
# it sources from, the PASSED_ON edges into it, its ADOPTED and REQUIRES edges.
EDGE_ROWS = """
MATCH (o:Organisation) WHERE o.id > $after
WITH o ORDER BY o.id LIMIT $limit
CALL (o) { MATCH (o)-[:SOURCES_FROM]->(s:Organisation) RETURN collect(DISTINCT s.id) AS sellers }
CALL (o) {
  MATCH (b:Organisation)-[e:PASSED_ON]->(o)
  RETURN collect([e.requirement, b.id, toString(e.at)]) AS passed
}
CALL (o) {
  MATCH (o)-[e:ADOPTED]->(r:Requirement)
  RETURN collect([r.id, toString(e.at), e.evidence]) AS adopted
}
CALL (o) { MATCH (o)-[:REQUIRES]->(r:Requirement) RETURN collect(r.id) AS required }
RETURN collect([o.id, sellers, passed, adopted, required]) AS rows
"""

SELLERS, PASSED, ADOPTED, REQUIRED = range(4)
# (sellers, passed (requirement, buyer, at) sorted, adopted (requirement, at,
# evidence) sorted, required): sellers and required as sorted tuples of ids
EdgeRow = tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]
NONE: EdgeRow = ((), (), (), ())


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text is not None else None


def edge_values(values: list) -> EdgeRow | None:
    """EDGE_ROWS' row as the copy keeps it; None for an organisation with no edge."""
    _, sellers, passed, adopted, required = values
    if not (sellers or passed or adopted or required):
        return None
    return (
        tuple(sorted(sellers)),
        tuple(sorted(((r, b, _day(at)) for r, b, at in passed), key=_first2)),
        tuple(sorted(((r, _day(at), evidence) for r, at, evidence in adopted), key=_first1)),
        tuple(sorted(required)),
    )


def _first2(item: tuple[Any, ...]) -> tuple[Any, ...]:
    return item[:2]


def _first1(item: tuple[Any, ...]) -> tuple[Any, ...]:
    return item[:1]


def _with(row: EdgeRow, part: int, items: tuple[Any, ...]) -> EdgeRow:
    parts = list(row)
    parts[part] = items
    return (parts[0], parts[1], parts[2], parts[3])


def _upsert(items: tuple[Any, ...], item: tuple[Any, ...], width: int) -> tuple[Any, ...]:
    """`items` (sorted) with `item` in the place of the one of the same first `width`
    values (its key), or added."""
    kept = [i for i in items if i[:width] != item[:width]]
    return tuple(sorted([*kept, item], key=_first2 if width == 2 else _first1))


def take(edges: dict[str, EdgeRow], changes: Iterable[GraphChange]) -> None:
    """The edges the changes wrote and unlinked, change by change, in order; each
    organisation's tuple set once, to its last state (a concurrent reader never
    sees it go back to an older one)."""
    new: dict[str, EdgeRow] = {}

    def row(of: str) -> EdgeRow:
        found = new.get(of)
        return found if found is not None else edges.get(of, NONE)

    for change in changes:
        for buyer, seller in change.unlinked:
            had = row(buyer)
            new[buyer] = _with(had, SELLERS, tuple(s for s in had[SELLERS] if s != seller))
        batch = change.batch
        for s in batch.sourcing:
            had = row(s.buyer)
            if s.seller not in had[SELLERS]:
                new[s.buyer] = _with(had, SELLERS, tuple(sorted((*had[SELLERS], s.seller))))
        for p in batch.pass_on:
            had = row(p.seller)
            new[p.seller] = _with(
                had, PASSED, _upsert(had[PASSED], (p.requirement, p.buyer, p.at), 2)
            )
        for a in batch.adoptions:
            had, adopted = row(a.organisation), (a.requirement, a.at, a.evidence)
            new[a.organisation] = _with(had, ADOPTED, _upsert(had[ADOPTED], adopted, 1))
        for r in batch.requires:
            had = row(r.member)
            if r.requirement not in had[REQUIRED]:
                new[r.member] = _with(had, REQUIRED, tuple(sorted((*had[REQUIRED], r.requirement))))
    edges.update(new)


class EdgeAnswers:
    """The store port's answers from the kept edges, as Neo4jStore sorts them."""

    edges: dict[str, EdgeRow]

    def sourcing_pairs(self, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        edges = self.edges
        return {(b, s) for b, s in set(pairs) if s in edges.get(b, NONE)[SELLERS]}

    def passed_to(self, seller: str) -> list[PassOn]:
        return [PassOn(b, seller, r, at) for r, b, at in self.edges.get(seller, NONE)[PASSED]]

    def adoptions_of(self, organisation: str) -> list[Adoption]:
        adopted = self.edges.get(organisation, NONE)[ADOPTED]
        return [Adoption(organisation, r, at, evidence) for r, at, evidence in adopted]

    def requirements_of(self, member: str) -> list[str]:
        return list(self.edges.get(member, NONE)[REQUIRED])
