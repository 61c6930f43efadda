"""What the risk model reads from the store beyond the projection, once per
projection: every organisation's country and every SOURCES_FROM edge's commodity,
as arrays over the projection's positions (two bulk column reads; a million
organisations and 1.7M edges take seconds, a JSON list of ids took 15 s)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cascade.projection import Projection
from graph.store import GraphStore


@dataclass(frozen=True, eq=False)
class RiskColumns:
    """Per position its country; every SOURCES_FROM edge (by buyer position, then
    seller, then commodity: a buyer's edges are one slice) with its commodity."""

    country: np.ndarray  # int32 per position: index into `countries`
    countries: list[str]  # distinct countries ('' for none)
    buyer: np.ndarray  # int32 position of each edge's buyer
    seller: np.ndarray  # int32 position of each edge's seller
    commodity: np.ndarray  # int32 index into `commodities`
    commodities: list[str]

    def country_of(self, at: int) -> str:
        return self.countries[int(self.country[at])]


_kept: weakref.WeakKeyDictionary[Projection, RiskColumns] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def risk_columns(projection: Projection, store: GraphStore) -> RiskColumns:
    with _lock:
        found = _kept.get(projection)
    if found is None:
        found = _read(projection, store)
        with _lock:
            _kept[projection] = found
    return found


def _read(projection: Projection, store: GraphStore) -> RiskColumns:
    handles, ids, country_index, names = store.organisation_countries()
    if _same(ids, projection.ids):
        position = np.arange(projection.size, dtype=np.int64)  # the same ids, in its order
    else:  # written since the projection was read, or read in another order
        found, inside = projection.lookup(ids)
        position = found.astype(np.int64)
        position[~inside] = -1
    del ids
    handle = np.asarray(handles, dtype=np.int64)
    lookup = np.full(int(handle.max(initial=-1)) + 2, -1, dtype=np.int64)
    lookup[handle] = position

    # A position whose node is no longer in the store: no country ('' is added last).
    names = [*names, ""]
    country = np.full(projection.size, len(names) - 1, dtype=np.int32)
    known = position >= 0
    country[position[known]] = np.asarray(country_index, dtype=np.int32)[known]

    del handle, position, known, country_index, handles
    buyers, sellers, commodity_index, commodity_names = store.sourcing_commodities()
    buyer = _positions(lookup, buyers)
    del buyers
    seller = _positions(lookup, sellers)
    del sellers
    commodity = np.asarray(commodity_index, dtype=np.int32)
    keep = (buyer >= 0) & (seller >= 0)  # both ends known to the projection
    if not keep.all():
        buyer, seller, commodity = buyer[keep], seller[keep], commodity[keep]
    order = _by_pair(buyer, seller, commodity, projection.size, len(commodity_names))
    if order is not None:
        buyer, seller, commodity = buyer[order], seller[order], commodity[order]
    # Kept as long as the projection: positions fit in 32 bits (13 MB less at 1M).
    buyer, seller = buyer.astype(np.int32), seller.astype(np.int32)
    return RiskColumns(country, names, buyer, seller, commodity, commodity_names)


def _by_pair(
    buyer: np.ndarray, seller: np.ndarray, commodity: np.ndarray, n: int, names: int
) -> np.ndarray | None:
    """The order by buyer, seller, then commodity (None: already so, as the embedded
    store's scan mostly gives them), so that a buyer's edges are one slice."""
    if not len(buyer):
        return None
    if n * n * max(names, 1) < 2**62:
        key = (buyer * n + seller) * max(names, 1) + commodity
        if bool((key[1:] >= key[:-1]).all()):
            return None
        return np.argsort(key, kind="stable")
    return np.lexsort((commodity, seller, buyer))


def _same(ids: Sequence[str], known: np.ndarray, step: int = 65_536) -> bool:
    """The ids are the projection's, in its order: compared a slice at a time (one
    array of a million ids cost 40 MB more at the peak), or as one joined string
    when the store gives them so (graph.sqlite_risk.JoinedIds: no list at all)."""
    if len(ids) != len(known):
        return False
    joined, separator = getattr(ids, "joined", None), getattr(ids, "separator", None)
    if isinstance(joined, str) and isinstance(separator, str):
        parts = [separator.join(known[i : i + step].tolist()) for i in range(0, len(known), step)]
        return joined == separator.join(parts)
    return all(
        np.array_equal(np.array(ids[i : i + step], dtype=str), known[i : i + step])
        for i in range(0, len(ids), step)
    )


def _positions(lookup: np.ndarray, handles: Collection[Any]) -> np.ndarray:
    """The position of each handle (-1: not in the projection), in place of the
    store's array where it gave one (an edge's two columns are the reads' peak)."""
    h = np.array(handles, dtype=np.int64, copy=not isinstance(handles, np.ndarray))
    h[(h < 0) | (h >= len(lookup))] = len(lookup) - 1  # the last slot is -1
    return lookup.take(h, out=h, mode="clip")  # element by element: in place is safe
