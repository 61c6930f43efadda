"""Which findings a principal may act on: a supplier its own (of audits covering
its organisation), a member those of audits visible to it on nodes of its view
(views.audits.findings), an operator every one. Anything else is NOT_FOUND, word
for word like a finding that does not exist."""

from __future__ import annotations

from dataclasses import dataclass

from access.principal import Principal, Role
from graph.model import Audit, Finding
from graph.store import GraphStore
from views import audits as audit_views
from views.member import not_found


@dataclass(frozen=True)
class Reached:
    finding: Finding
    audit: Audit

    @property
    def owner(self) -> str:
        """The audited organisation: the plan's owner."""
        return self.audit.organisation


def reach(principal: Principal, store: GraphStore, finding_id: str) -> Reached:
    """The finding and its audit when the principal may see it, else NOT_FOUND."""
    found = store.findings([finding_id])
    audits = store.audits([found[0].audit]) if found else []
    if not found or not audits:
        raise not_found("finding", finding_id)
    reached = Reached(found[0], audits[0])
    if principal.role == Role.OPERATOR:
        return reached
    if principal.role == Role.SUPPLIER:
        if reached.owner != principal.organisation:
            raise not_found("finding", finding_id)
        return reached
    seen = audit_views.findings(principal=principal, store=store, audit_ids=[reached.audit.id])
    if seen[0] is None:
        raise not_found("finding", finding_id)
    return reached
