"""Positions sorted by id, kept behind by catch-ups and made when asked.

A catch-up that registers an organisation appends it (cascade.projection: stable
positions); splicing its position into the 200,000 positions sorted by id cost an
O(n) copy per version, though only answers ordered by id (pages, gaps, exports)
and searches of many ids need that order. So a catch-up notes the ids it added
(`noted`) and the order is made from the last one made and the notes when a
projection is first asked for it (`merged`); notes are folded into a made order
once they are NOTED_MOST long, so the making stays cheap.
"""

from __future__ import annotations

import numpy as np

NOTED_MOST = 256  # ids noted before a catch-up makes the order itself


def noted(
    added: tuple[np.ndarray, np.ndarray] | None, new_ids: np.ndarray, positions: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The notes (ids sorted, their positions) with `new_ids` (distinct, absent
    before) at `positions` added."""
    if added is None:
        ids, at = new_ids, positions
    else:
        ids = np.concatenate((added[0].astype(np.result_type(added[0], new_ids)), new_ids))
        at = np.concatenate((added[1], positions))
    order = np.argsort(ids, kind="stable")
    return ids[order], at[order].astype(np.intp)


def merged(
    ids: np.ndarray, base: np.ndarray, added: tuple[np.ndarray, np.ndarray] | None
) -> np.ndarray:
    """Every position sorted by id: `base` (the first len(base) positions sorted by
    id) with the noted positions inserted where their ids go."""
    if added is None or not len(added[0]):
        return base
    from cascade.projection import spliced

    if len(base):
        points = np.searchsorted(ids[: len(base)], added[0], sorter=base)
    else:
        points = np.zeros(len(added[0]), dtype=np.intp)
    return spliced(base, points, added[1]).astype(np.intp, copy=False)
