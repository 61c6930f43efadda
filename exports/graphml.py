"""GraphML with typed attributes (docs/exports.md): every column is a <key> with
its attr.type (string, int, boolean, double), so networkx.read_graphml and Gephi
read numbers as numbers and flags as booleans. A value that does not apply (the
member's own reach, audit and risk) has no <data> element. The header's values
are graph data (`G.graph` in networkx). Written as text a chunk at a time, a
column at a time: no XML tree is ever built."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from exports.columns import COMMODITY_SEPARATOR, is_flag, node_columns, node_values
from exports.formats import Progress
from exports.table import ExportTable

OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)
SPECIAL = re.compile(r'[&<>"\x00-\x08\x0b\x0c\x0e-\x1f]')
# XML 1.0 cannot carry these control characters at all: they are left out.
ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def attr_type(column: str) -> str:
    if column == "tier":
        return "int"
    if is_flag(column):
        return "boolean"
    if column.startswith("risk_"):
        return "double"
    return "string"


def write(table: ExportTable, path: Path, progress: Progress) -> None:
    columns = node_columns(table)[1:]  # the id is the node's own id
    types = [attr_type(c) for c in columns]
    header = table.header()
    with path.open("w", encoding="utf-8", errors="replace", newline="\n") as out:
        out.write(OPEN)
        for i, name in enumerate(header):
            kind = _graph_type(header[name])
            out.write(f'<key id="g{i}" for="graph" attr.name="{name}" attr.type="{kind}"/>\n')
        for i, (name, kind) in enumerate(zip(columns, types, strict=True)):
            out.write(f'<key id="n{i}" for="node" attr.name="{_text(name)}" attr.type="{kind}"/>\n')
        out.write('<key id="e0" for="edge" attr.name="commodity" attr.type="string"/>\n')
        out.write('<graph id="G" edgedefault="directed">\n')
        for i, value in enumerate(header.values()):
            if value is not None:
                text = value if isinstance(value, str | int | float) else json.dumps(value)
                out.write(f'<data key="g{i}">{_text(str(text))}</data>\n')
        done = 0
        for chunk in table.node_chunks():
            values = node_values(table, chunk)
            ids = _escaped(values[0])
            data = [
                _data(f"n{i}", t, v) for i, (t, v) in enumerate(zip(types, values[1:], strict=True))
            ]
            out.writelines(
                f'<node id="{i}">{"".join(d)}</node>\n'
                for i, d in zip(ids, zip(*data, strict=True), strict=True)
            )
            done += len(chunk)
            progress(done)
        for edges in table.edge_chunks():
            sources, targets = _escaped(edges.sources), _escaped(edges.targets)
            joined = edges.joined(COMMODITY_SEPARATOR)
            commodity = _data("e0", "string", joined)
            out.writelines(
                f'<edge source="{s}" target="{t}">{c}</edge>\n'
                for s, t, c in zip(sources, targets, commodity, strict=True)
            )
            done += len(edges)
            progress(done)
        out.write("</graph>\n</graphml>\n")


def _graph_type(value: Any) -> str:
    """A header value's attr.type: lists and maps are JSON text."""
    if isinstance(value, bool):
        return "boolean"
    return {int: "int", float: "double"}.get(type(value), "string")


def _data(key: str, kind: str, values: list[Any]) -> list[str]:
    """Each value as its <data> element ("" for None)."""
    if kind == "boolean":
        text = {
            True: f'<data key="{key}">true</data>',
            False: f'<data key="{key}">false</data>',
            None: "",
        }
        return [text[v] for v in values]
    if kind == "string":
        strings = _escaped([v if v is not None else "" for v in values])
        return [
            f'<data key="{key}">{s}</data>' if v is not None else ""
            for s, v in zip(strings, values, strict=True)
        ]
    return [f'<data key="{key}">{v!r}</data>' if v is not None else "" for v in values]


def _escaped(values: list[str]) -> list[str]:
    """XML text: one scan of the whole column, and a value's escape only if needed."""
    if SPECIAL.search("".join(values)) is None:
        return values
    return [_text(v) for v in values]


def _text(value: str) -> str:
    return SPECIAL.sub(lambda m: ENTITY.get(m.group(), ""), value)
