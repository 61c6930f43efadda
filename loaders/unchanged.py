"""What a load would not change: its rows the store holds already, exactly so.

A load writes only the rest, so that loading the same files again writes nothing
(no new graph version, no cascade jobs) and its report says so. A key (an
organisation's id, a sourcing edge's buyer, seller and commodity, ...) given by
several rows of the load that differ is written as before: its last row wins.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import replace
from operator import attrgetter
from typing import Any

from graph.model import BATCH_FIELDS, CorrectiveAction, GraphBatch
from graph.store import ROW_OWNER, GraphStore

ASKED_AT_ONCE = 20_000  # owners per read of the store

KEY: dict[str, Callable[[Any], Hashable]] = {
    "organisations": attrgetter("id"),
    "requirements": attrgetter("id"),
    "requires": attrgetter("member", "requirement"),
    "sourcing": attrgetter("buyer", "seller", "commodity"),
    "pass_on": attrgetter("buyer", "seller", "requirement"),
    "adoptions": attrgetter("organisation", "requirement"),
    "audits": attrgetter("id"),
    "findings": attrgetter("id"),
    "shares": attrgetter("audit", "member"),
    "recognitions": attrgetter("member", "scheme"),
}


def split_unchanged(store: GraphStore, batch: GraphBatch) -> tuple[GraphBatch, dict[str, int]]:
    """The batch's rows that would change the store, and how many of each kind would not."""
    if not any(store.counts().values()):
        return batch, {}  # an empty store: every row is new
    changed = GraphBatch()
    same: dict[str, int] = {}
    for kind in BATCH_FIELDS:
        rows = getattr(batch, kind)
        stored = _stored(store, kind, rows)
        kept = _changing(rows, stored, KEY[kind])
        getattr(changed, kind).extend(kept)
        if len(rows) > len(kept):
            same[kind] = len(rows) - len(kept)
    return changed, same


def _stored(store: GraphStore, kind: str, rows: list[Any]) -> set[Any]:
    owners = {getattr(row, ROW_OWNER[kind]) for row in rows}
    return set(_read(owners, lambda some: store.stored_rows(kind, some)))


def _read(ids: set[str], read: Callable[[list[str]], list[Any]]) -> list[Any]:
    """`read` of the ids, ASKED_AT_ONCE at a time."""
    ordered, found = sorted(ids), []
    for start in range(0, len(ordered), ASKED_AT_ONCE):
        found.extend(read(ordered[start : start + ASKED_AT_ONCE]))
    return found


def _changing(rows: list[Any], stored: set[Any], key: Callable[[Any], Hashable]) -> list[Any]:
    """The rows to write: every row of a key that some row of the load would change."""
    changes: dict[Hashable, bool] = defaultdict(bool)
    for row in rows:
        changes[key(row)] |= row not in stored
    return [row for row in rows if changes[key(row)]]


def changing_actions(store: GraphStore, actions: list[CorrectiveAction]) -> list[CorrectiveAction]:
    """The plans a load would change: a plan is unchanged when the store holds it with
    the same fields and already every step of its history (a step is kept once, by
    its time and kind)."""
    if not actions:
        return []
    findings = {a.finding for a in actions}
    stored = {a.finding: a for a in _read(findings, store.corrective_actions)}
    return [a for a in actions if not _same_plan(a, stored.get(a.finding))]


def _same_plan(plan: CorrectiveAction, stored: CorrectiveAction | None) -> bool:
    if stored is None or replace(plan, history=()) != replace(stored, history=()):
        return False
    steps = {(s.at, s.kind) for s in stored.history}
    return all((s.at, s.kind) in steps for s in plan.history)
