"""Who a mutation acts for, and the nodes it may touch: a supplier's own
organisation and its direct suppliers; a member's requirements and its direct
suppliers. Anything else is NOT_FOUND, word for word like an id that does not
exist."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from access.errors import NotFound
from access.principal import Principal, Role
from graph import model, read_scope
from graph.store import GraphStore
from views.member import not_found, require_role

P = ParamSpec("P")
T = TypeVar("T")


def checked_from_memory(service: Callable[P, T]) -> Callable[P, T]:
    """A mutation whose checks, up to its write, may be answered from what the store
    keeps in memory once brought up to date after the call began (on Neo4j: one read
    of the kept changes instead of a round trip per check; graph.read_scope.pinned).
    mutations.record.perform unpins before it writes."""

    @functools.wraps(service)
    def checked(*args: P.args, **kwargs: P.kwargs) -> T:
        with read_scope.pinned():
            return service(*args, **kwargs)

    return checked


def own_organisation(principal: Principal, store: GraphStore, *roles: Role) -> model.Organisation:
    """The principal's organisation, for a role among `roles` (FORBIDDEN otherwise)."""
    require_role(principal, *roles)
    assert principal.organisation is not None  # only operator keys have none
    found = store.organisations([principal.organisation])
    if not found:  # the key's organisation is gone
        raise not_found("organisation", principal.organisation)
    return found[0]


def direct_supplier(store: GraphStore, buyer: str, seller: str) -> None:
    """`seller` is one the buyer sources from, else NOT_FOUND."""
    if seller == buyer or (buyer, seller) not in store.sourcing_pairs([(buyer, seller)]):
        raise not_found("organisation", seller)


def passed_to(store: GraphStore, organisation: str, requirement: str) -> list[model.PassOn]:
    """The PASSED_ON edges of `requirement` into `organisation`; NOT_FOUND when none
    (a requirement never passed to a supplier is not one it may see)."""
    found = [p for p in store.passed_to(organisation) if p.requirement == requirement]
    if not found:
        raise not_found("requirement", requirement)
    return found


def required_by(store: GraphStore, member: str, requirement: str) -> None:
    if requirement not in store.requirements_of(member):
        raise not_found("requirement", requirement)


__all__ = ["NotFound", "direct_supplier", "own_organisation", "passed_to", "required_by"]
