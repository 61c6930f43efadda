"""JSON Lines: one JSON object a line, UTF-8 (docs/exports.md). The first line is
the header ({"type": "header", ...}: member, day, counts, requirements, risk
weights and tables), then one {"type": "node", ...} per node, then one
{"type": "edge", ...} per edge: `pandas.read_json(path, lines=True)` reads it
whole, and a reader that streams needs only the first line to know the rest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from exports.columns import FIXED, node_columns, node_values
from exports.formats import Progress
from exports.table import ExportTable

TIER = FIXED.index("tier")


def write(table: ExportTable, path: Path, progress: Progress) -> None:
    done = 0
    with path.open("wb") as out:
        out.write(orjson.dumps({"type": "header", **table.header()}) + b"\n")
        columns = node_columns(table)
        reached_at = [i for i, c in enumerate(columns) if c.startswith("reached:")]
        plain = [i for i in range(len(columns)) if i not in reached_at]
        for chunk in table.node_chunks():
            values = node_values(table, chunk)
            lines = []
            for row in zip(*values, strict=True):
                node: dict[str, Any] = {"type": "node"}
                node.update((columns[i], row[i]) for i in plain)
                # The member (tier 0) is not in its own network: nothing reaches it.
                node["reached"] = (
                    {table.requirements[k]: row[i] for k, i in enumerate(reached_at)}
                    if row[TIER] > 0
                    else None
                )
                lines.append(orjson.dumps(node))
            out.write(b"\n".join(lines) + b"\n")
            done += len(chunk)
            progress(done)
        for edges in table.edge_chunks():
            lines = [
                orjson.dumps({"type": "edge", "source": s, "target": t, "commodities": c})
                for s, t, c in zip(edges.sources, edges.targets, edges.commodities, strict=True)
            ]
            out.write(b"\n".join(lines) + b"\n")
            done += len(edges)
            progress(done)
