"""Exports read back as an analyst's tools read them (csv, json, networkx), into
one shape for comparing: nodes by id, edges by (source, target)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

FLAG = {"true": True, "false": False, "": None}


@dataclass
class Read:
    header: dict[str, Any]
    order: list[str]  # node ids in file order
    nodes: dict[str, dict[str, Any]]  # id -> name, country, kind, tier, reached, covered, reason
    edges: dict[tuple[str, str], list[str]]  # (buyer, seller) -> commodities
    risk: dict[str, dict[str, Any]]  # id -> risk columns (absent: no risk in the export)


def read_export(path: Path, fmt: str) -> Read:
    return {"csv": _csv, "jsonl": _jsonl, "graphml": _graphml}[fmt](path)


def _node(row: dict[str, Any], reached: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "name": row["name"],
        "country": row["country"],
        "kind": row["kind"],
        "tier": int(row["tier"]),
        "reached": reached,
        "covered": row.get("audit_covered"),
        "reason": row.get("audit_gap_reason") or None,
    }


def _csv(path: Path) -> Read:
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["about.csv", "edges.csv", "nodes.csv"]
        texts = {n: archive.read(n) for n in archive.namelist()}
    for raw in texts.values():
        assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    tables = {
        n: list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        for n, raw in texts.items()
    }
    header = {r["key"]: r["value"] for r in tables["about.csv"]}
    header = {k: _json_or_text(v) for k, v in header.items()}
    nodes, order, risk = {}, [], {}
    for row in tables["nodes.csv"]:
        requirements = [c.split(":", 1)[1] for c in row if c.startswith("reached:")]
        reached = {r: FLAG[row[f"reached:{r}"]] for r in requirements}
        row = {**row, "audit_covered": FLAG[row["audit_covered"]]}
        node = _node(row, reached if int(row["tier"]) > 0 else None)
        nodes[row["id"]], order = node, [*order, row["id"]]
        risk[row["id"]] = {
            k: FLAG[v] if k == "risk_country_fallback" else float(v)
            for k, v in row.items()
            if k.startswith("risk_") and v
        }
    edges = {(r["source"], r["target"]): r["commodity"].split(";") for r in tables["edges.csv"]}
    return Read(header, order, nodes, edges, risk)


def _json_or_text(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def _jsonl(path: Path) -> Read:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    header = lines[0]
    assert header.pop("type") == "header"
    nodes, order, edges, risk = {}, [], {}, {}
    for line in lines[1:]:
        if line["type"] == "node":
            nodes[line["id"]] = _node(line, line["reached"])
            order.append(line["id"])
            risk[line["id"]] = {
                k: v for k, v in line.items() if k.startswith("risk_") and v is not None
            }
        else:
            assert line["type"] == "edge"
            edges[(line["source"], line["target"])] = line["commodities"]
    return Read(header, order, nodes, edges, risk)


def _graphml(path: Path) -> Read:
    graph = nx.read_graphml(path)
    assert isinstance(graph, nx.DiGraph) and not graph.is_multigraph()
    header = {
        k: _json_or_text(v) if isinstance(v, str) else v
        for k, v in graph.graph.items()
        if k not in ("node_default", "edge_default")
    }
    nodes, risk = {}, {}
    for node, attrs in graph.nodes(data=True):
        reached = {k.split(":", 1)[1]: v for k, v in attrs.items() if k.startswith("reached:")}
        nodes[node] = _node(attrs, reached if attrs["tier"] > 0 else None)
        risk[node] = {k: v for k, v in attrs.items() if k.startswith("risk_")}
    edges = {(s, t): a["commodity"].split(";") for s, t, a in graph.edges(data=True)}
    return Read(header, list(graph.nodes), nodes, edges, risk)
