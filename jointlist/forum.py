"""The forum's audit figure on a day (DOMAIN.md "Across the forum"), as a key may see
it: how many audits the forum would need with no sharing (the sum over members of
their covered nodes) against how many distinct audits it used.

Per-member rows are shown to operators only; a member's key gets the forum's
totals and its own row: another member's coverage and savings are its own business
(and would hint at the size of its network).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from access.principal import Principal, Role
from cascade.service import forum_savings_on
from graph.store import GraphStore
from views.member import require_role

READERS = (Role.SOURCING, Role.ANALYST, Role.OPERATOR)


def forum_savings(
    *, principal: Principal, store: GraphStore, as_of: date | None = None
) -> dict[str, Any]:
    """cascade.service.forum_savings_on's answer, its `members` cut to what the key may see."""
    require_role(principal, *READERS)
    figures = forum_savings_on(store, as_of or date.today())
    if principal.role != Role.OPERATOR:
        figures["members"] = [m for m in figures["members"] if m["member"] == principal.member]
    return figures
