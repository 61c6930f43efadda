"""Who is asking, the member's network page by page, and one organisation of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from access.errors import BadUserInput
from access.principal import Principal
from graph.model import Kind, Organisation
from graph.store import KIND_ORDER, GraphStore
from matching.identifiers import CHECKS
from mutations.registration import FIELD_OF_KIND
from views import pages
from views.member import MemberView, member_view, not_found
from views.pages import Page


@dataclass(frozen=True)
class Me:
    principal: Principal
    organisation: Organisation | None  # None for an operator


def me(*, principal: Principal, store: GraphStore) -> Me:
    """Any role: the key's role and the organisation it acts for (itself only)."""
    if principal.organisation is None:
        return Me(principal, None)
    found = store.organisations([principal.organisation])
    return Me(principal, found[0] if found else None)


class NetworkNode(NamedTuple):  # a tuple: a page makes hundreds
    id: str
    tier: int  # 0 for the member itself
    kind: Kind


@dataclass(frozen=True)
class Card:
    """An organisation as its viewer may see it: its details and its tier."""

    organisation: Organisation
    tier: int


def network(
    *,
    principal: Principal,
    store: GraphStore,
    tier: int | None = None,
    kind: Kind | None = None,
    country: str | None = None,
    first: int = pages.DEFAULT_PAGE,
    after: str | None = None,
) -> Page[NetworkNode]:
    """The member's network (the member excluded), by tier then id."""
    pages.check_first(first)
    pages.check_tier(tier)
    if country is not None and not (len(country) == 2 and country.isalpha()):
        raise BadUserInput("country", f"an ISO 3166-1 alpha-2 code such as 'GH', got {country!r}")
    cursor = pages.decode(after, (int, str))
    view = member_view(principal=principal, store=store)
    p, tiers = view.projection, view.network.tier
    nodes = view.by_tier
    if tier is not None:
        nodes = nodes[tiers[nodes] == tier]
    if kind is not None:
        nodes = nodes[p.kind[nodes] == KIND_ORDER.index(kind)]
    if country is not None:
        nodes = nodes[view.countries(store)[nodes] == country.upper()]
    total = len(nodes)
    if cursor is not None:
        # After (tier, id): a higher tier, or the same tier and a later id.
        after_id = p.ids_up_to(cursor[1])  # rank >= this: a later id
        later = (tiers[nodes] > cursor[0]) | (
            (tiers[nodes] == cursor[0]) & (p.rank[nodes] >= after_id)
        )
        nodes = nodes[later]
    shown = nodes[:first]
    items = [
        NetworkNode(i, int(t), KIND_ORDER[int(k)])
        for i, t, k in zip(
            view.ids(shown), tiers[shown].tolist(), p.kind[shown].tolist(), strict=True
        )
    ]
    end = pages.encode([items[-1].tier, items[-1].id]) if items else None
    return Page(items, len(nodes) > first, end, total)


def cards(*, principal: Principal, store: GraphStore, ids: list[str]) -> list[Card | None]:
    """Details and tier of each id, in order; None where it is outside the view or
    absent (the DataLoader's batch: ids come from answers already given)."""
    view = member_view(principal=principal, store=store)
    at = dict(zip(ids, view.positions(ids), strict=True))
    visible = [i for i, a in at.items() if a is not None]
    found = {o.id: o for o in store.organisations(visible)}
    return [
        Card(found[i], view.tier(a)) if (a := at[i]) is not None and i in found else None
        for i in ids
    ]


class Label(NamedTuple):
    """What a node of an answer shows: the view's tier and kind, the store's name
    and country (a tuple: a page makes hundreds)."""

    id: str
    tier: int
    kind: Kind
    name: str
    country: str


def labels(*, principal: Principal, store: GraphStore, ids: list[str]) -> list[Label | None]:
    """The label of each id, in order; None where it is outside the view or absent
    (the DataLoader's batch of answers' nodes: one read of names and countries)."""
    view = member_view(principal=principal, store=store)
    at = dict(zip(ids, view.positions(ids), strict=True))
    visible = [i for i, a in at.items() if a is not None]
    named: dict[str, tuple[str, str]] = {}
    if visible:
        found, names, countries = store.label_columns(visible)
        named = {i: (n, c) for i, n, c in zip(found, names, countries, strict=True)}
    shown = [i for i in visible if i in named]
    where = np.array([at[i] for i in shown], dtype=np.int64)
    tiers = view.network.tier[where].tolist()
    kinds = view.projection.kind[where].tolist()
    label = {
        i: Label(i, t, KIND_ORDER[k], *named[i])
        for i, t, k in zip(shown, tiers, kinds, strict=True)
    }
    return [label.get(i) for i in ids]


def organisation(*, principal: Principal, store: GraphStore, id: str) -> Card:
    """One organisation of the member's view (the member itself is tier 0);
    NOT_FOUND alike for one that does not exist and one outside the network."""
    found = cards(principal=principal, store=store, ids=[id])[0]
    if found is None:
        raise not_found("organisation", id)
    return found


def organisation_by_identifier(*, principal: Principal, store: GraphStore, identifier: str) -> Card:
    """The organisation of the member's view holding `identifier` (an LEI, DUNS, GLN,
    OS ID or UML id, written with or without spaces and hyphens); NOT_FOUND alike
    when nobody holds it and when its holder is outside the network."""
    wanted = []
    for kind, check in CHECKS.items():
        try:
            wanted.append((FIELD_OF_KIND[kind], check(identifier)))
        except ValueError:
            continue
    if not wanted:
        raise BadUserInput(
            "identifier", f"{identifier!r} is not an LEI, DUNS, GLN, OS ID or UML mill id"
        )
    member_view(principal=principal, store=store)  # the role is checked before any lookup
    holders = sorted(set(store.holders(wanted).values()))
    found = cards(principal=principal, store=store, ids=holders)
    seen = [c for c in found if c is not None]
    if not seen:
        raise not_found("organisation", identifier)
    return seen[0]


@dataclass(frozen=True)
class Neighbours:
    nodes: list[NetworkNode]  # the first ones, by tier then id
    count: int  # all of them


def _neighbours(view: MemberView, positions: np.ndarray, first: int) -> Neighbours:
    positions = view.projection.by_id(positions)  # positions are not in id order
    ordered = positions[np.argsort(view.network.tier[positions], kind="stable")][:first]
    nodes = [
        NetworkNode(i, view.tier(a), view.kind(a))
        for i, a in zip(view.ids(ordered), ordered.tolist(), strict=True)
    ]
    return Neighbours(nodes, len(positions))


def suppliers(
    *, principal: Principal, store: GraphStore, id: str, first: int = pages.DEFAULT_PAGE
) -> Neighbours:
    """The organisation's direct suppliers (all in the member's view)."""
    pages.check_first(first)
    view = member_view(principal=principal, store=store)
    return _neighbours(view, view.suppliers(view.require(id)), first)


def buyers(
    *, principal: Principal, store: GraphStore, id: str, first: int = pages.DEFAULT_PAGE
) -> Neighbours:
    """The organisation's direct buyers inside the member's view (the member counts
    as the buyer of its tier-1 suppliers); buyers outside it are never shown."""
    pages.check_first(first)
    view = member_view(principal=principal, store=store)
    return _neighbours(view, view.buyers(view.require(id)), first)


@dataclass(frozen=True)
class Reach:
    requirement: str
    reached: bool
    adopted: bool


def requirements_reached(*, principal: Principal, store: GraphStore, id: str) -> list[Reach]:
    """For each requirement the member requires: has it reached the node (DOMAIN.md),
    and has the node adopted it."""
    view = member_view(principal=principal, store=store)
    at = view.require(id)
    out = []
    for requirement in view.required(store):
        reached = bool(view.reached(requirement)[at])
        adopters = view.projection.adopters.get(requirement, np.zeros(0, dtype=np.int32))
        adopted = bool(np.isin(at, adopters))
        out.append(Reach(requirement, reached, adopted))
    return out
