"""An edge chunk's commodities per row, as lists (JSON Lines) and joined (CSV,
GraphML): rows of none, one and several, and a chunk without any."""

from __future__ import annotations

import numpy as np

from exports.table import EdgeChunk


def chunk(codes: list[int], bounds: list[tuple[int, int]]) -> EdgeChunk:
    first, last = (np.array(b, dtype=np.int64) for b in zip(*bounds, strict=True))
    return EdgeChunk(
        sources=["B"] * len(bounds),
        targets=[f"S{i}" for i in range(len(bounds))],
        codes=np.array(codes, dtype=np.int32),
        vocabulary=["cocoa", "coffee", "palm oil"],
        first=first,
        last=last,
    )


def test_rows_of_none_one_and_several():
    edges = chunk([0, 1, 2, 2, 0], [(0, 1), (1, 3), (3, 3), (3, 4), (4, 5)])
    assert edges.commodities == [["cocoa"], ["coffee", "palm oil"], [], ["palm oil"], ["cocoa"]]
    assert edges.joined(";") == ["cocoa", "coffee;palm oil", "", "palm oil", "cocoa"]


def test_a_chunk_whose_pairs_the_store_no_longer_holds():
    edges = chunk([], [(0, 0), (0, 0)])
    assert edges.commodities == [[], []]
    assert edges.joined(";") == ["", ""]
