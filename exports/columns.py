"""The node columns every format shares, by name, in order (docs/exports.md)."""

from __future__ import annotations

from exports.table import ExportTable, NodeChunk

FIXED = ("id", "name", "country", "kind", "tier")
AUDIT = ("audit_covered", "audit_gap_reason")


def reached_column(requirement: str) -> str:
    return f"reached:{requirement}"


def node_columns(table: ExportTable) -> list[str]:
    """id, name, country, kind, tier, reached:<R> per requirement (in id order),
    audit_covered, audit_gap_reason, then risk_score and risk_<component> when the
    export has risk."""
    names = [*FIXED, *(reached_column(r) for r in table.requirements), *AUDIT]
    if table.risk is not None:
        names += list(table.risk.columns)
    return names


def node_values(table: ExportTable, chunk: NodeChunk) -> list[list]:
    """The chunk's columns in node_columns' order."""
    values: list[list] = [chunk.ids, chunk.names, chunk.countries, chunk.kinds, chunk.tiers]
    values += [chunk.reached[r] for r in table.requirements]
    values += [chunk.covered, chunk.reasons]
    if table.risk is not None:
        values += [chunk.risk[name] for name in table.risk.columns]
    return values


EDGE_COLUMNS = ("source", "target", "commodity")
COMMODITY_SEPARATOR = ";"
