"""What rules out taking a stored organisation for a new one automatically
(docs/matching.md, "Conflicts"): per pair (`conflicts`), and for every pair the
blocks select at once (`conflict_bits`, the same rules over numpy columns).

A name several stored organisations share is always a conflict (DOMAIN.md). With
Thresholds(strict_shared_names=False) it is not when something beyond the name
singles one of them out (`singled_out`): the new organisation agrees with it (the
same abbreviation, or within max_distance_km) and conflicts with every other holder.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from matching.facts import Facts
from matching.model import Conflict, Thresholds
from matching.names import numbers_placed_apart

if TYPE_CHECKING:
    from matching.index import StoredIndex

_EARTH_KM = 6371.0088
# One bit per conflict a pair can have before the decision (ambiguous and
# identifiers_split come from the decision itself). Tuple order is report order.
BITS: tuple[tuple[Conflict, int], ...] = (
    (Conflict.IDENTIFIER, 1),
    (Conflict.ABBREVIATION, 2),
    (Conflict.NUMBERS, 4),
    (Conflict.LOCATION, 8),
    (Conflict.SHARED_NAME, 16),
)
SHARED = 16
NUMBERS = 4
_AS_TUPLE = [tuple(c for c, bit in BITS if mask & bit) for mask in range(32)]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def identifiers_differ(new: Facts, stored: Facts) -> bool:
    """Both hold an identifier of one kind and the values differ."""
    if not (new.identifiers and stored.identifiers):
        return False
    theirs = dict(stored.identifiers)
    return any(theirs.get(kind, value) != value for kind, value in new.identifiers)


def _facts_differ(new: Facts, stored: Facts) -> int:
    """The bits of the identifier, abbreviation and numbers conflicts."""
    bits = 1 if identifiers_differ(new, stored) else 0
    if new.abbreviation and stored.abbreviation and new.abbreviation != stored.abbreviation:
        bits |= 2
    if new.numbers != stored.numbers or numbers_placed_apart(new.labels, stored.labels):
        bits |= 4
    return bits


def differences(new: Facts, stored: Facts, thresholds: Thresholds) -> int:
    """The bits of every conflict but the shared name."""
    bits = _facts_differ(new, stored)
    if new.located and stored.located:
        km = distance_km(new.lat, new.lon, stored.lat, stored.lon)  # type: ignore[arg-type]
        if km > thresholds.max_distance_km:
            bits |= 8
    return bits


def agrees(new: Facts, stored: Facts, thresholds: Thresholds) -> bool:
    """Evidence beyond the name: both have an abbreviation and it is the same, or both
    have coordinates within max_distance_km."""
    if new.abbreviation and new.abbreviation == stored.abbreviation:
        return True
    if new.located and stored.located:
        km = distance_km(new.lat, new.lon, stored.lat, stored.lon)  # type: ignore[arg-type]
        return km <= thresholds.max_distance_km
    return False


def singled_out(new: Facts, i: int, index: StoredIndex, thresholds: Thresholds) -> bool:
    """Whether stored organisation `i`, whose name others hold too, is picked out by
    more than the name: `new` agrees with it and conflicts with every other holder."""
    if thresholds.strict_shared_names or not agrees(new, index.facts_at(i), thresholds):
        return False
    return all(
        differences(new, index.facts_at(j), thresholds) for j in index.name_holders(i) if j != i
    )


def refine(bits: int, new: Facts, i: int, index: StoredIndex, thresholds: Thresholds) -> int:
    """`bits` without the shared-name bit when more than the name singles `i` out."""
    if bits & SHARED and singled_out(new, i, index, thresholds):
        return bits & ~SHARED
    return bits


def as_conflicts(bits: int) -> tuple[Conflict, ...]:
    return _AS_TUPLE[bits]


def conflicts(
    new: Facts, i: int, index: StoredIndex, thresholds: Thresholds
) -> tuple[Conflict, ...]:
    """What rules out taking stored organisation `i` for `new` automatically."""
    bits = differences(new, index.facts_at(i), thresholds)
    if index.shared_name(i):
        bits = refine(bits | SHARED, new, i, index, thresholds)
    return as_conflicts(bits)


def conflict_bits(
    new: list[Facts],
    new_at: np.ndarray,
    stored_at: np.ndarray,
    index: StoredIndex,
    thresholds: Thresholds,
) -> np.ndarray:
    """`conflicts` for every pair (new[new_at[k]], stored stored_at[k]) as bits, the
    shared-name bit before `refine` (applied only to the pairs a decision looks at)."""
    columns = index.columns()
    codes = index.codes(new)
    bits = np.zeros(len(new_at), dtype=np.int64)
    abbreviation_new = codes.abbreviation[new_at]
    abbreviation_stored = columns.abbreviation[stored_at]
    bits |= 2 * (
        (abbreviation_new != -1)  # -1: none; a code below -1: one no stored organisation has
        & (abbreviation_stored != -1)
        & (abbreviation_new != abbreviation_stored)
    )
    bits |= 4 * (codes.numbers[new_at] != columns.numbers[stored_at])
    labelled = np.fromiter((bool(f.labels) for f in new), np.bool_, len(new))
    for k in np.flatnonzero(labelled[new_at] & (bits & 4 == 0)).tolist():
        # the same numbers, counting different words ("Afdeling 3 Blok 7", "... 7 Blok 3")
        if numbers_placed_apart(new[new_at[k]].labels, index.facts_at(int(stored_at[k])).labels):
            bits[k] |= 4
    lat1, lon1 = codes.lat[new_at], codes.lon[new_at]
    lat2, lon2 = columns.lat[stored_at], columns.lon[stored_at]
    both = ~(np.isnan(lat1) | np.isnan(lat2))
    if both.any():
        km = np.full(len(new_at), 0.0)
        km[both] = _haversine(lat1[both], lon1[both], lat2[both], lon2[both])
        bits |= 8 * (km > thresholds.max_distance_km)
    bits |= SHARED * (columns.name_count[stored_at] > 1)
    for k in np.flatnonzero(codes.identified[new_at] & columns.identified[stored_at]).tolist():
        if identifiers_differ(new[new_at[k]], index.facts_at(int(stored_at[k]))):
            bits[k] |= 1
    return bits


def pair_bits(
    new: Facts, positions: list[int], index: StoredIndex, thresholds: Thresholds
) -> list[int]:
    """`conflict_bits` of one new organisation against a few stored ones, computed as
    it computes them (the distances in one numpy call too): match.match_many's path
    for one organisation with a small block."""
    bits, located = [], []
    for n, i in enumerate(positions):
        stored = index.facts_at(i)
        if new.located and stored.located:
            located.append((n, stored.lat, stored.lon))
        bits.append(_facts_differ(new, stored) | (SHARED if index.shared_name(i) else 0))
    if located:
        at, lat, lon = (np.array(column) for column in zip(*located, strict=True))
        km = _haversine(np.full(len(at), new.lat), np.full(len(at), new.lon), lat, lon)
        for n in at[km > thresholds.max_distance_km].tolist():
            bits[n] |= 8
    return bits


def _haversine(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
