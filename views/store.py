"""What the store as a whole holds: for operators only (whole-forum counts say
nothing a member's people or a supplier should compute from)."""

from __future__ import annotations

from access.principal import Principal, Role
from graph.store import GraphStore
from views.member import require_role


def store_counts(*, principal: Principal, store: GraphStore) -> dict[str, int]:
    require_role(principal, Role.OPERATOR)
    return store.counts()
