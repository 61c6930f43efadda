"""JSON Lines: one JSON object a line, UTF-8 (docs/exports.md). The first line is
the header ({"type": "header", ...}: member, day, counts, requirements, risk
weights and tables), then one {"type": "node", ...} per node, then one
{"type": "edge", ...} per edge: `pandas.read_json(path, lines=True)` reads it
whole, and a reader that streams needs only the first line to know the rest."""

from __future__ import annotations

from pathlib import Path

import orjson

from exports.columns import node_columns, node_values
from exports.formats import Progress
from exports.table import ExportTable

# One line at a time into the buffered file: each of orjson's outputs is freed
# before the next is made (a chunk's 50,000 held at once cost 400 MB of RSS).
LINE = orjson.OPT_APPEND_NEWLINE


def write(table: ExportTable, path: Path, progress: Progress) -> None:
    done = 0
    with path.open("wb") as out:
        out.write(orjson.dumps({"type": "header", **table.header()}) + b"\n")
        columns = node_columns(table)
        reached = [i for i, c in enumerate(columns) if c.startswith("reached:")]
        plain = [i for i in range(len(columns)) if i not in reached]
        names = ["type", *(columns[i] for i in plain), "reached"]
        for chunk in table.node_chunks():
            values = node_values(table, chunk)
            # The member (tier 0) is not in its own network: nothing reaches it.
            reach = (
                [
                    dict(zip(table.requirements, r, strict=True)) if t > 0 else None
                    for t, r in zip(
                        chunk.tiers, zip(*(values[i] for i in reached), strict=True), strict=True
                    )
                ]
                if reached
                else [None if t == 0 else {} for t in chunk.tiers]
            )
            kind = ["node"] * len(chunk)
            rows = zip(kind, *(values[i] for i in plain), reach, strict=True)
            out.writelines(
                orjson.dumps(dict(zip(names, r, strict=True)), option=LINE) for r in rows
            )
            done += len(chunk)
            progress(done)
        for edges in table.edge_chunks():
            out.writelines(
                orjson.dumps(
                    {"type": "edge", "source": s, "target": t, "commodities": c}, option=LINE
                )
                for s, t, c in zip(edges.sources, edges.targets, edges.commodities, strict=True)
            )
            done += len(edges)
            progress(done)
