"""The store port: what the services need from a graph store.

Two adapters implement it, `graph.neo4j_store.Neo4jStore` and
`graph.memory.MemoryStore`; `tests/contract` runs the same tests on both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal, Protocol

from graph.model import GraphBatch, Kind

Entity = Literal["requirement", "audit", "finding"]


class StoreError(Exception):
    """A write was refused; nothing of it was written."""


class UnknownReference(StoreError):
    def __init__(self, what: str, ids: Iterable[str]):
        self.what = what
        self.ids = sorted(set(ids))
        shown = ", ".join(self.ids[:5]) + (" ..." if len(self.ids) > 5 else "")
        super().__init__(f"unknown {what}: {shown}")


class GraphStore(Protocol):
    """Every write is one transaction: it lands whole or not at all, and
    writing the same batch twice leaves the graph as after the first time."""

    def write(self, batch: GraphBatch, progress: Callable[[int], None] | None = None) -> None:
        """Write the batch atomically; `progress` is told how many rows went."""
        ...

    def remove_sourcing(self, buyer: str, seller: str, commodity: str | None = None) -> int:
        """Remove buyer->seller edges (one commodity, or all); returns how many."""
        ...

    def kinds(self, ids: Iterable[str]) -> dict[str, Kind]:
        """The kind of each known organisation among `ids`."""
        ...

    def existing(self, entity: Entity, ids: Iterable[str]) -> set[str]:
        """Which of `ids` exist as requirements, audits or findings."""
        ...

    def sourcing_pairs(self, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (buyer, seller) pairs have at least one SOURCES_FROM edge."""
        ...

    def counts(self) -> dict[str, int]:
        """Nodes by kind and relationships by type (keys as in COUNT_KEYS)."""
        ...

    def export(self) -> GraphBatch:
        """The whole graph as one batch, sorted (for snapshots and equality)."""
        ...

    def close(self) -> None: ...


COUNT_KEYS = (
    "members",
    "suppliers",
    "smallholders",
    "requirements",
    "audits",
    "findings",
    "requires",
    "sourcing",
    "pass_on",
    "adoptions",
    "shares",
    "recognitions",
)
