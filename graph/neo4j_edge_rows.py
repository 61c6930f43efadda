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

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from graph.model import Adoption, PassOn
from graph.store import GraphChange

# Each kind of edge as columns (lists of scalars: the driver decodes them several
# times faster than a list per organisation, which held a served process's event
# loop and its health check for seconds at 200,000 organisations). Nulls as '' and
# a flag: collect() drops nulls, which would misalign the columns.
EDGE_COLUMNS = {
    "sourcing": """
        MATCH (b:Organisation)-[:SOURCES_FROM]->(s:Organisation)
        RETURN collect(b.id) AS buyer, collect(s.id) AS seller""",
    "passed": """
        MATCH (b:Organisation)-[e:PASSED_ON]->(s:Organisation)
        RETURN collect(s.id) AS seller, collect(e.requirement) AS requirement,
               collect(b.id) AS buyer, collect(coalesce(toString(e.at), '')) AS at""",
    "adopted": """
        MATCH (o:Organisation)-[e:ADOPTED]->(r:Requirement)
        RETURN collect(o.id) AS organisation, collect(r.id) AS requirement,
               collect(coalesce(toString(e.at), '')) AS at,
               collect(e.evidence IS NOT NULL) AS has_evidence,
               collect(coalesce(e.evidence, '')) AS evidence""",
    "required": """
        MATCH (m:Organisation)-[:REQUIRES]->(r:Requirement)
        RETURN collect(m.id) AS member, collect(r.id) AS requirement""",
}

SELLERS, PASSED, ADOPTED, REQUIRED = range(4)
# (sellers, passed (requirement, buyer, at) sorted, adopted (requirement, at,
# evidence) sorted, required): sellers and required as sorted tuples of ids
EdgeRow = tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]
NONE: EdgeRow = ((), (), (), ())


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text is not None else None


def read_edges(run: Callable[[str], Any]) -> dict[str, EdgeRow]:
    """Every organisation's edges, from EDGE_COLUMNS (`run(query)`: its one record)."""
    parts: dict[str, list[list[Any]]] = {}

    def of(organisation: str) -> list[list[Any]]:
        found = parts.get(organisation)
        if found is None:
            found = parts[organisation] = [[], [], [], []]
        return found

    rec = run(EDGE_COLUMNS["sourcing"])
    for buyer, seller in zip(rec["buyer"], rec["seller"], strict=True):
        of(buyer)[SELLERS].append(seller)
    rec = run(EDGE_COLUMNS["passed"])
    columns = (rec["seller"], rec["requirement"], rec["buyer"], rec["at"])
    for seller, requirement, buyer, at in zip(*columns, strict=True):
        of(seller)[PASSED].append((requirement, buyer, _day(at or None)))
    rec = run(EDGE_COLUMNS["adopted"])
    columns = (rec["organisation"], rec["requirement"], rec["at"], rec["has_evidence"])
    for (organisation, requirement, at, has), evidence in zip(
        zip(*columns, strict=True), rec["evidence"], strict=True
    ):
        of(organisation)[ADOPTED].append((requirement, _day(at or None), evidence if has else None))
    rec = run(EDGE_COLUMNS["required"])
    for member, requirement in zip(rec["member"], rec["requirement"], strict=True):
        of(member)[REQUIRED].append(requirement)
    return {
        organisation: (
            tuple(sorted(set(sellers))),
            tuple(sorted(passed, key=_first2)),
            tuple(sorted(adopted, key=_first1)),
            tuple(sorted(set(required))),
        )
        for organisation, (sellers, passed, adopted, required) in parts.items()
    }


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
