"""A member's view: its network as the walk from the member finds it.

Everything a sourcing team or an analyst may see starts here: the walk on the
cascade's projection decides which nodes are visible (the member itself at
tier 0 and its network), and the other services ask the store only for those.
Views are kept per store for the current graph version (a few members at a
time), with what they computed on demand (coverage per requirement, audit status
per day), so that the pages of one answer do not walk or compute again.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from access.errors import Forbidden, NotFound
from access.principal import Principal, Role
from cascade import projection as projections
from cascade.audits import AuditStatus, audit_status
from cascade.coverage import (
    Since,
    counts,
    covered,
    gaps,
    reached_from,
    reached_per_tier,
    reached_set,
    tier_sizes,
)
from cascade.engine import walked
from cascade.network import Network
from cascade.projection import Projection
from graph import read_scope
from graph.model import Kind
from graph.store import KIND_ORDER, GraphChange, GraphStore
from views import carry

MEMBER_ROLES = (Role.SOURCING, Role.ANALYST)
VIEWS_KEPT = 8  # members' views kept per store and graph version
STATUSES_KEPT = 4  # audit statuses (per day and scope) kept per view


def require_role(principal: Principal, *roles: Role) -> None:
    """Refuse a role that may not ask this (the refusal names no node)."""
    if principal.role not in roles:
        wanted = " or ".join(r.value for r in roles)
        raise Forbidden(f"{principal.role.value} keys cannot ask this: it needs a {wanted} key")


def not_found(what: str, ident: str) -> NotFound:
    """The one answer for an id that is absent or outside the view."""
    return NotFound(what, ident)


@dataclass(eq=False)
class MemberView:
    member: str
    projection: Projection
    network: Network
    _coverage: dict[str, dict[str, Any]] = field(default_factory=dict)
    _counts: dict[str, dict[str, Any]] = field(default_factory=dict)
    _reached: dict[str, np.ndarray] = field(default_factory=dict)
    # Per requirement, nodes known reached (carried from an earlier version: views.carry).
    known: dict[str, np.ndarray] = field(default_factory=dict)
    # Per requirement, reached nodes per tier: of _reached's set (_reached_at), of
    # known's (_known_at, carried: used when the reached set did not grow since).
    _reached_at: dict[str, np.ndarray] = field(default_factory=dict)
    _known_at: dict[str, np.ndarray] = field(default_factory=dict)
    # Per requirement in known: what was written since it was right (O(change) check).
    _since: dict[str, Since] = field(default_factory=dict)
    _statuses: OrderedDict[tuple[date, bool], AuditStatus] = field(default_factory=OrderedDict)
    _visible_audits: np.ndarray | None = None
    _countries: np.ndarray | None = None
    _by_tier: np.ndarray | None = None
    _nodes_at: np.ndarray | None = None  # nodes per tier
    _required: list[str] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def visible(self) -> np.ndarray:
        """bool per position: the member itself or a node of its network."""
        return self.network.tier >= 0

    def position(self, org_id: str) -> int | None:
        """The node's position when it is visible (the member or its network), else None."""
        at = self.projection.position(org_id)
        return at if at is not None and self.network.tier[at] >= 0 else None

    def positions(self, org_ids: list[str]) -> list[int | None]:
        """position() of each id, in one search (one by one for a few: numpy's
        per-call cost is more than a search)."""
        if len(org_ids) < 8 or not self.projection.size:
            return [self.position(i) for i in org_ids]
        found, there = self.projection.lookup(org_ids)
        hit = there & (self.network.tier[found] >= 0)
        return [int(a) if h else None for a, h in zip(found.tolist(), hit.tolist(), strict=True)]

    def require(self, org_id: str) -> int:
        at = self.position(org_id)
        if at is None:
            raise not_found("organisation", org_id)
        return at

    def tier(self, at: int) -> int:
        return int(self.network.tier[at])

    def kind(self, at: int) -> Kind:
        return KIND_ORDER[int(self.projection.kind[at])]

    def ids(self, positions: np.ndarray) -> list[str]:
        return [str(i) for i in self.projection.ids[positions].tolist()]

    # ---- computed on demand, kept for this graph version -----------------
    def required(self, store: GraphStore) -> list[str]:
        """The requirements the member REQUIRES, read once per graph version (a
        REQUIRES written changes the version: the next request gets a new view)."""
        if self._required is None:
            self._required = store.requirements_of(self.member)
        return self._required

    def required_if_read(self) -> list[str] | None:
        return self._required

    def carry_required(self, required: list[str] | None) -> None:
        """The requirements as read at an earlier version that wrote no REQUIRES."""
        self._required = required

    def tier_sizes_if_counted(self) -> np.ndarray | None:
        return self._nodes_at

    def carry_tier_sizes(self, sizes: np.ndarray | None) -> None:
        """Nodes per tier as carried from an earlier version (views.carry)."""
        self._nodes_at = sizes

    def carry_reached(
        self, requirement: str, known: np.ndarray, at: np.ndarray | None, since: Since
    ) -> None:
        """The requirement's reached set of an earlier version, when counted its nodes
        per tier on this view's network, and what was written since (views.carry)."""
        self.known[requirement] = known
        self._since[requirement] = since
        if at is not None:
            self._known_at[requirement] = at

    def reached_state(
        self,
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, Since | None]]:
        """What views.carry carries, read at one moment (another request may bring a
        carried set up to date meanwhile): the reached set per requirement (computed,
        or carried and not yet used: reached_sets()), its nodes per tier where
        counted, and for a carried set not yet used what was written since it was
        right (None for a computed one)."""
        with self._lock:
            sets = {**self.known, **self._reached}
            per_tier = {**self._known_at, **self._reached_at}
            since = {r: self._since.get(r) if r in self.known else None for r in sets}
            return sets, per_tier, since

    def counts(self, requirement: str) -> dict[str, Any]:
        """The CLI's coverage payload of one requirement without its gaps (tierCoverage)."""
        with self._lock:
            return self._counts_locked(requirement)

    def coverage(self, requirement: str) -> dict[str, Any]:
        """The CLI's coverage payload of one requirement the member requires."""
        with self._lock:
            if requirement not in self._coverage:
                passed, adopted = covered(self.projection, requirement)
                reached = self._reached_locked(requirement)
                found = gaps(self.projection, self.network, passed, adopted, reached)
                self._coverage[requirement] = self._counts_locked(requirement) | {"gaps": found}
            return self._coverage[requirement]

    def reached(self, requirement: str) -> np.ndarray:
        """bool per position: the requirement has reached the node (DOMAIN.md)."""
        with self._lock:
            return self._reached_locked(requirement)

    def reached_sets(self) -> dict[str, np.ndarray]:
        """What is known reached per requirement: computed, or carried and not yet used."""
        with self._lock:
            return {**self.known, **self._reached}

    def _counts_locked(self, requirement: str) -> dict[str, Any]:
        if requirement not in self._counts:
            reached = self._reached_locked(requirement)
            if self._nodes_at is None:
                self._nodes_at = tier_sizes(self.network)
            at = self._reached_at.get(requirement)
            if at is None:
                at = self._reached_at[requirement] = reached_per_tier(
                    self.network, reached, len(self._nodes_at)
                )
            self._counts[requirement] = counts(
                self.projection, self.network, requirement, reached, self._nodes_at, at
            )
        return self._counts[requirement]

    def _reached_locked(self, requirement: str) -> np.ndarray:
        if requirement not in self._reached:
            known = self.known.pop(requirement, None)
            known_at = self._known_at.pop(requirement, None)
            since = self._since.pop(requirement, None)
            if known is not None:
                found = reached_from(self.projection, self.network, requirement, known, since)
                if found is known and known_at is not None:  # it did not grow
                    self._reached_at[requirement] = known_at
            else:
                passed, adopted = covered(self.projection, requirement)
                found = reached_set(self.projection, self.network, passed, adopted)
            self._reached[requirement] = found
        return self._reached[requirement]

    def audit_status(self, store: GraphStore, day: date, include_smallholders: bool) -> AuditStatus:
        key = (day, include_smallholders)
        with self._lock:
            if key not in self._statuses:
                self._statuses[key] = audit_status(
                    self.projection,
                    self.network,
                    store.recognised_schemes(self.member),
                    day,
                    include_smallholders=include_smallholders,
                )
                while len(self._statuses) > STATUSES_KEPT:
                    self._statuses.popitem(last=False)
            self._statuses.move_to_end(key)
            return self._statuses[key]

    @property
    def visible_audits(self) -> np.ndarray:
        """bool per audit position: the member commissioned it, it is shared with the
        member, or shared with every customer."""
        if self._visible_audits is None:
            audits, me = self.projection.audits, self.network.member
            shared = np.zeros(len(audits.ids), dtype=bool)
            shared[audits.share_audit[audits.share_member == me]] = True
            self._visible_audits = (audits.commissioner == me) | shared | audits.to_all
        return self._visible_audits

    @property
    def by_tier(self) -> np.ndarray:
        """The network's positions (the member left out) by tier, then id: the order of
        its pages, sorted once per view (2.7 ms at 118,000 nodes, per page before)."""
        if self._by_tier is None:
            nodes = self.projection.by_id(np.flatnonzero(self.network.in_network))
            self._by_tier = nodes[np.argsort(self.network.tier[nodes], kind="stable")]
        return self._by_tier

    def countries(self, store: GraphStore) -> np.ndarray:
        """Country per position for the visible nodes ('' elsewhere), read once."""
        with self._lock:
            if self._countries is None:
                at = np.flatnonzero(self.visible)
                found = store.countries(self.ids(at))
                out = np.full(self.projection.size, "", dtype=object)
                out[at] = [found.get(i, "") for i in self.ids(at)]
                self._countries = out
            return self._countries

    def buyers(self, at: int) -> np.ndarray:
        """Positions of the node's direct buyers inside the view, in id order."""
        indptr, buyers = _reverse(self.projection)
        found = buyers[indptr[at] : indptr[at + 1]]
        return found[self.network.tier[found] >= 0]

    def suppliers(self, at: int) -> np.ndarray:
        """Positions of the node's direct suppliers inside the view, in id order."""
        p = self.projection
        found = p.indices[p.indptr[at] : p.indptr[at + 1]]
        return found[self.network.tier[found] >= 0]


# ---- kept per store: each view at the version it was last asked at -------------
# A view is carried to a newer version when its member asks (views.carry), not at
# every write for every member kept: under issue 12's write mix (5 members, a write
# in 2 of 5 requests) most versions are never read by most members, and carrying
# them all cost each server process about 20 ms per write at 200,000 organisations.
# A view behind holds its older projection: beyond PINNED_BYTES of them (the
# views read longest ago first) views are carried at once, so memory stays bounded.
PINNED_BYTES = 256 * 2**20

_kept: weakref.WeakKeyDictionary[Any, OrderedDict[str, MemberView]] = weakref.WeakKeyDictionary()
_reversed: weakref.WeakKeyDictionary[Projection, tuple[np.ndarray, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)
# Per older projection: the newer one its views were last carried to, the changes
# between them and where the new organisations went (None, None when they cannot be).
_places: weakref.WeakKeyDictionary[
    Projection, tuple[Projection, list[GraphChange] | None, np.ndarray | None]
] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def member_view(*, principal: Principal, store: GraphStore) -> MemberView:
    """The view of the principal's member; Forbidden for a role that has none."""
    require_role(principal, *MEMBER_ROLES)
    member = principal.member
    assert member is not None  # sourcing and analyst keys always name a member
    projection = projections.current(store)
    with _lock:
        views = _kept.setdefault(store, OrderedDict())
        view = views.get(member)
        reason = "first" if view is None else "not carried"
        if view is not None and view.projection is not projection:
            newer = view.projection
            if newer is projections.kept(store) or projections.leads_to(
                store, projection.version, newer.version
            ):
                # Another thread carried the view to a projection made after the one
                # this request got: as good, and not walked again on the older one
                # (which then went backwards for the next).
                projection = newer
                read_scope.note(store, projection.version)
            else:
                view = _carried(store, view, projection)
        if view is None:
            at = projection.position(member)
            if at is None or KIND_ORDER[int(projection.kind[at])] != Kind.MEMBER:
                raise not_found("organisation", member)  # the key's member is gone
            view = MemberView(member, projection, walked(projection, member, reason))
        views[member] = view
        views.move_to_end(member)
        while len(views) > VIEWS_KEPT:
            views.popitem(last=False)
        _unpin(store, views, projections.kept(store) or projection)
        return view


def _carried(store: GraphStore, view: MemberView, projection: Projection) -> MemberView | None:
    """The view carried to the projection's version (views.carry); None when it cannot
    be (an edge removed since, or changes this process did not take in itself): walk."""
    old = view.projection
    found = _places.get(old)
    if found is None or found[0] is not projection:  # once per pair, for every view on it
        changes = projections.changes_between(store, old.version, projection.version)
        points = None
        if changes is not None and not any(c.unlinked for c in changes):
            points = carry.new_places(old, projection, changes)
        found = _places[old] = (projection, changes, points)
    _, changes, points = found
    if changes is None or points is None:
        return None
    return carry.carried(view, projection, changes, points)


def _unpin(store: GraphStore, views: OrderedDict[str, MemberView], current: Projection) -> None:
    """Carry (or drop, when they cannot be) the views on the projections read longest
    ago while the older projections that views hold come to more than PINNED_BYTES."""
    held: dict[int, Projection] = {}  # in the order their views were last read
    for view in views.values():
        if view.projection is not current:
            held.setdefault(id(view.projection), view.projection)
    if not held:
        return
    total = sum(p.nbytes for p in held.values())
    for key, old in held.items():
        if total <= PINNED_BYTES:
            return
        total -= old.nbytes
        for member, view in list(views.items()):
            if id(view.projection) == key:
                moved = _carried(store, view, current)
                if moved is None:
                    del views[member]
                else:
                    views[member] = moved  # keeps its place in the reading order


def _reverse(projection: Projection) -> tuple[np.ndarray, np.ndarray]:
    """SOURCES_FROM by seller (CSR: indptr, buyers sorted within a seller), once per
    projection: who buys from a node."""
    with _lock:
        found = _reversed.get(projection)
        if found is None:
            n = projection.size
            buyers = np.repeat(np.arange(n, dtype=np.int32), np.diff(projection.indptr))
            order = np.lexsort((buyers, projection.indices))
            indptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(np.bincount(projection.indices, minlength=n), out=indptr[1:])
            found = _reversed[projection] = (indptr, buyers[order])
        return found
