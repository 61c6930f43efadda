"""A member's view carried to a newer graph version instead of walked again.

Most writes are small and only add: a supplier registers a sub-supplier (a new
organisation and its SOURCES_FROM edge), passes a requirement on, adopts one.
Then the old view's arrays grow by the new positions (a catch-up appends the
organisations it adds: no old position moves, cascade.projection), its tiers
fall only where a new edge shortens a path (Network.lower), and each reached
set only grows (cascade.coverage.reached_set from the old one). Anything else
(an edge taken away, changes this process did not take in itself) means
walking again. Tested against a full walk on random changes, both stores.
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING

import numpy as np

from cascade import growing
from cascade.coverage import Since
from cascade.network import UNSEEN, Network
from cascade.projection import Projection, distinct, pair_key, run_starts, spliced
from graph.store import GraphChange

if TYPE_CHECKING:
    from views.member import MemberView

CHECKED = 64  # positions whose ids are compared, old against new, as a guard


def new_places(old: Projection, new: Projection, changes: list[GraphChange]) -> np.ndarray | None:
    """Where the organisations the changes add go among the old positions (as np.insert
    takes them: all at the end, old.size, since positions are stable); None when
    `new` is not `old` plus those."""
    named = {o.id for c in changes for o in c.batch.organisations}
    added = sum(old.position(i) is None for i in named)
    points = np.full(added, old.size, dtype=np.int64)
    if old.size + added != new.size:
        return None
    probe = distinct(np.linspace(0, old.size - 1, CHECKED).astype(np.int64)) if old.size else points
    if not np.array_equal(new.ids[probe], old.ids[probe]):
        return None
    return points


def moved(positions: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Old positions in the new numbering, given new_places() (the same, as points
    are at the end; kept general)."""
    return positions + np.searchsorted(points, positions, side="right")


def retiered(
    at: np.ndarray, nodes: np.ndarray, was: np.ndarray, now: np.ndarray, depth: int
) -> np.ndarray:
    """Counts per tier (index 0 unused) after `nodes` moved from tier `was` (UNSEEN:
    they joined) to `now`, for a network `depth` tiers deep: O(moved), not O(n)."""
    out = np.concatenate((at, np.zeros(max(0, depth + 1 - len(at)), at.dtype)))
    np.subtract.at(out, was[was > 0], 1)
    np.add.at(out, now, 1)
    return out[: depth + 1]  # the deepest tier may have risen


EMPTY = np.zeros(0, dtype=np.int32)


def carried_network(
    view: MemberView, new: Projection, points: np.ndarray, changes: list[GraphChange]
) -> tuple[Network, np.ndarray | None, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The walked network on `new` (the old tiers moved, lowered by the new edges), its
    nodes per tier when the old view had counted them, and the nodes whose tier
    changed: (positions, tier before (UNSEEN: joined), tier now)."""
    network, sizes = view.network, view.tier_sizes_if_counted()
    buyers = [s.buyer for c in changes for s in c.batch.sourcing]
    if not len(points) and not buyers:
        # the same nodes and edges: the same walk (never changed after)
        return network, sizes, (EMPTY, EMPTY, EMPTY)
    # The new positions appended, UNSEEN, without a copy while no old tier is lowered
    # (positions are stable: points are all at the end); Network.lower copies if one is.
    unseen = np.full(len(points), UNSEEN, dtype=np.int32)
    at_end = bool((points == len(network.tier)).all())
    if at_end:
        tier, shared = growing.appended(network.tier, unseen), len(network.tier)
    else:
        tier, shared = spliced(network.tier, points, unseen), 0
    member = int(moved(np.array([network.member]), points)[0])
    out = Network(member, tier, np.zeros(0, dtype=np.int32))
    out.depth, out.nodes = network.depth, network.nodes
    if not buyers:
        return out, sizes, (EMPTY, EMPTY, EMPTY)
    lowered, before = out.lower(new, new.positions_of(buyers), shared)
    if not len(lowered):
        return out, sizes, (EMPTY, EMPTY, EMPTY)
    # each node lowered leaves its tier before the first lowering for its last
    order = np.argsort(lowered, kind="stable")
    ordered = lowered[order]
    first = order[run_starts(ordered)]
    nodes, was = lowered[first], before[first]
    now = out.tier[nodes]
    if sizes is not None:
        sizes = retiered(sizes, nodes, was, now, out.depth)
    return out, sizes, (nodes, was, now)


# Per newer projection: the changes leading to it and what written() found for them,
# per requirement (the same for every member's view carried along that step).
_written: weakref.WeakKeyDictionary[Projection, tuple[list[GraphChange], dict[str, Since]]] = (
    weakref.WeakKeyDictionary()
)
_written_lock = threading.Lock()


def written(
    new: Projection, changes: list[GraphChange], requirements: list[str]
) -> dict[str, Since]:
    """Per requirement, what the changes wrote that could extend its reached set: every
    SOURCES_FROM pair, the requirement's PASSED_ON pairs and ADOPTED positions (the
    rows' ids looked up once per step and requirement, for all members' views)."""
    with _written_lock:
        found = _written.get(new)
        if found is None or found[0] is not changes:
            found = _written[new] = (changes, {})
        known = found[1]
        missing = [r for r in requirements if r not in known]
        if missing:
            known.update(_computed(new, changes, missing))
        return {r: known[r] for r in requirements}


def _computed(
    new: Projection, changes: list[GraphChange], requirements: list[str]
) -> dict[str, Since]:
    """written(), computed."""
    rows = [(s.buyer, s.seller, "") for c in changes for s in c.batch.sourcing]
    rows += [(p.buyer, p.seller, p.requirement) for c in changes for p in c.batch.pass_on]
    adoptions = [(a.organisation, a.requirement) for c in changes for a in c.batch.adoptions]
    if not rows and not adoptions:
        none = Since(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        return {r: none for r in requirements}
    keys = pair_key(
        new.positions_of([b for b, _, _ in rows]), new.positions_of([s for _, s, _ in rows])
    )
    of = np.array([r for _, _, r in rows], dtype=object)
    adopters = new.positions_of([o for o, _ in adoptions]).astype(np.int64)
    adopted = np.array([r for _, r in adoptions], dtype=object)
    return {r: Since(keys[(of == "") | (of == r)], adopters[adopted == r]) for r in requirements}


def carried(
    view: MemberView, new: Projection, changes: list[GraphChange], points: np.ndarray
) -> MemberView:
    """`view` at the version of `new`, which `changes` lead to, without an edge taken
    away (a path could be gone: tiers rise, reached sets shrink; walk again then);
    `points`: new_places(). Each requirement's reached nodes per tier, when counted,
    are moved with the nodes whose tier changed (valid while the reached set does not
    grow: MemberView recounts when it does)."""
    from views.member import MemberView

    network, sizes, (nodes, was, now) = carried_network(view, new, points, changes)
    out = MemberView(view.member, new, network)
    out.carry_tier_sizes(sizes)
    unreached = np.zeros(len(points), dtype=bool)
    sets, per_tier, pending = view.reached_state()
    since_all = written(new, changes, list(sets))
    for requirement, reached in sets.items():
        # Never changed in place (reached_set copies what it starts from): shared while
        # nothing moved, else the new positions appended, unreached, without a copy
        # (positions are stable: points are all at the end).
        at_end = bool(len(points)) and bool((points == len(reached)).all())
        if at_end:
            known = growing.appended(reached, unreached)
        else:
            known = spliced(reached, points, unreached) if len(points) else reached
        at = per_tier.get(requirement)
        if at is not None:
            kept = known[nodes]  # the new positions are never reached before
            at = retiered(at, nodes[kept], was[kept], now[kept], network.depth)
        since = since_all[requirement]
        before = pending[requirement]  # carried before and not yet used
        out.carry_reached(requirement, known, at, since if before is None else before.joined(since))
    if not any(c.batch.requires for c in changes):
        out.carry_required(view.required_if_read())
    return out
