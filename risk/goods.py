"""The `goods` component: ILAB's listing of the commodities a node sells inside the
member's network (on SOURCES_FROM edges into it from the member or its network),
in the node's country; the highest level over its commodities, 0 when none is listed."""

from __future__ import annotations

import threading
import weakref

import numpy as np

from cascade.projection import Projection
from graph.store import GraphStore
from risk.tables import RiskTables
from views.member import MemberView

_kept: weakref.WeakKeyDictionary[Projection, tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]]
_kept = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def commodity_edges(
    projection: Projection, store: GraphStore
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Every SOURCES_FROM edge with its commodity, once per projection: buyer and
    seller positions, commodity index, the distinct commodities."""
    with _lock:
        found = _kept.get(projection)
    if found is not None:
        return found
    buyers, sellers, commodities = store.sourcing_commodities()
    codes: dict[str, int] = {}
    index = np.fromiter(
        (codes.setdefault(c, len(codes)) for c in commodities), np.int32, len(commodities)
    )
    b, b_known = _positions(projection, buyers)
    s, s_known = _positions(projection, sellers)
    known = b_known & s_known  # an edge written after the projection was read: left out
    found = (b[known], s[known], index[known], list(codes))
    with _lock:
        _kept[projection] = found
    return found


def _positions(projection: Projection, ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each id's position, and whether the projection holds it."""
    wanted = np.array(ids, dtype=str)
    at = np.searchsorted(projection.ids, wanted)
    inside = at < projection.size
    inside[inside] = projection.ids[at[inside]] == wanted[inside]
    return np.where(inside, at, 0), inside


def goods_component(
    view: MemberView, store: GraphStore, countries: np.ndarray, tables: RiskTables
) -> np.ndarray:
    """float64 per position: the goods component on the network, NaN elsewhere."""
    goods = tables.goods
    assert goods is not None
    tier = view.network.tier
    buyer, seller, commodity, names = commodity_edges(view.projection, store)
    keep = (tier[buyer] >= 0) & (tier[seller] > 0)
    seller, commodity = seller[keep], commodity[keep]
    good_of = [tables.commodities.good_of(c, goods.goods) for c in names]

    codes, country_index = np.unique(countries[seller].astype(str), return_inverse=True)
    out = np.where(tier > 0, 0.0, np.nan)
    for c, good in enumerate(good_of):
        if good is None:
            continue
        by_country = np.array([goods.level.get((good, str(cc)), 0.0) for cc in codes])
        at = commodity == c
        if at.any():
            np.maximum.at(out, seller[at], by_country[country_index[at]])
    return out
