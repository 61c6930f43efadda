"""The joint audited supplier list on a day (DOMAIN.md), on the cascade's projection.

Every Supplier that consented (`listed`) with at least one audit valid on the day
(audit_date <= d <= valid_until); per entry its own id, name and country, each
valid audit's scheme and valid_until, whether any of them has an open critical
finding, and how many members' networks hold it only as a band. No buyer is
ever named: an entry carries nothing of another organisation.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np

from access.principal import Principal, Role
from cascade import projection as projections
from cascade.engine import walked
from cascade.projection import Projection, distinct
from graph.model import Kind
from graph.store import KIND_ORDER, GraphStore
from views import pages
from views.member import require_role
from views.pages import Page

READERS = (Role.SOURCING, Role.ANALYST, Role.OPERATOR)


class Band(StrEnum):
    """How many members' networks hold a supplier, never the count itself."""

    NONE = "0"
    ONE = "1"
    TWO_TO_FOUR = "2-4"
    FIVE_OR_MORE = "5+"

    @classmethod
    def of(cls, members: int) -> Band:
        if members <= 1:
            return cls.NONE if members == 0 else cls.ONE
        return cls.TWO_TO_FOUR if members <= 4 else cls.FIVE_OR_MORE


@dataclass(frozen=True)
class ListedAudit:
    scheme: str
    valid_until: date


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    country: str
    audits: list[ListedAudit]  # the audits valid on the day, by scheme then valid_until
    open_critical_finding: bool  # any of those audits has one open
    networks: Band

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "country": self.country,
            "audits": [
                {"scheme": a.scheme, "valid_until": a.valid_until.isoformat()} for a in self.audits
            ],
            "open_critical_finding": self.open_critical_finding,
            "networks": self.networks.value,
        }


def day_number(day: date) -> int:
    return int(np.datetime64(day, "D").astype(int))


def _day(days: int) -> date:
    return date.fromordinal(date(1970, 1, 1).toordinal() + int(days))


# Networks holding each node, per projection (one walk per member, not per day).
_holding: weakref.WeakKeyDictionary[Projection, np.ndarray] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def networks_holding(projection: Projection) -> np.ndarray:
    """int per position: in how many members' networks the node is."""
    with _lock:
        found = _holding.get(projection)
    if found is None:
        found = np.zeros(projection.size, dtype=np.int64)
        member_kind = KIND_ORDER.index(Kind.MEMBER)
        for at in np.flatnonzero(projection.kind == member_kind).tolist():
            found += walked(projection, str(projection.ids[at])).in_network
        with _lock:
            _holding[projection] = found
    return found


def joint_list_on(store: GraphStore, as_of: date) -> list[Entry]:
    """The whole list on a day, by supplier id."""
    projection = projections.current(store)
    audits, day = projection.audits, day_number(as_of)
    supplier_kind = KIND_ORDER.index(Kind.SUPPLIER)
    valid = (audits.start <= day) & (day <= audits.until)
    valid &= projection.kind[audits.organisation] == supplier_kind
    candidates = projection.by_id(distinct(audits.organisation[valid]))
    orgs = store.organisations([str(i) for i in projection.ids[candidates].tolist()])
    listed = {o.id: o for o in orgs if o.listed and o.kind == Kind.SUPPLIER}
    if not listed:
        return []
    holding = networks_holding(projection)
    which = np.flatnonzero(valid)
    by_org: dict[int, list[int]] = {}
    for a, o in zip(which.tolist(), audits.organisation[which].tolist(), strict=True):
        by_org.setdefault(o, []).append(a)
    entries = []
    for at in candidates.tolist():
        org = listed.get(str(projection.ids[at]))
        if org is None:
            continue
        mine = by_org[at]
        shown = sorted(
            (
                ListedAudit(audits.schemes[int(audits.scheme[a])], _day(audits.until[a]))
                for a in mine
            ),
            key=lambda x: (x.scheme, x.valid_until),
        )
        entries.append(
            Entry(
                org.id,
                org.name,
                org.country,
                shown,
                bool(audits.open_critical[mine].any()),
                Band.of(int(holding[at])),
            )
        )
    return entries


def joint_list(
    *,
    principal: Principal,
    store: GraphStore,
    as_of: date | None = None,
    first: int = pages.DEFAULT_PAGE,
    after: str | None = None,
) -> Page[Entry]:
    """A page of the list by supplier id, for sourcing, analyst and operator keys."""
    require_role(principal, *READERS)
    pages.check_first(first)
    cursor = pages.decode(after, (str,))
    entries = joint_list_on(store, as_of or date.today())
    start = 0
    if cursor is not None:
        start = next((i for i, e in enumerate(entries) if e.id > cursor[0]), len(entries))
    shown = entries[start : start + first]
    end = pages.encode([shown[-1].id]) if shown else None
    return Page(shown, start + first < len(entries), end, len(entries))
