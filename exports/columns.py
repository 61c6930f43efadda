"""The node columns every format shares, by name, in order (docs/exports.md)."""

from __future__ import annotations

from exports.risk_columns import FALLBACK
from exports.table import ExportTable, NodeChunk

FIXED = ("id", "name", "country", "kind", "tier")
AUDIT = ("audit_covered", "audit_gap_reason")


def reached_column(requirement: str) -> str:
    return f"reached:{requirement}"


def node_columns(table: ExportTable) -> list[str]:
    """id, name, country, kind, tier, reached:<R> per requirement (in id order),
    audit_covered, audit_gap_reason, risk_score, risk_<component> in DOMAIN.md's
    order, risk_country_fallback."""
    return [*FIXED, *(reached_column(r) for r in table.requirements), *AUDIT, *table.risk.names]


def node_values(table: ExportTable, chunk: NodeChunk) -> list[list]:
    """The chunk's columns in node_columns' order."""
    values: list[list] = [chunk.ids, chunk.names, chunk.countries, chunk.kinds, chunk.tiers]
    values += [chunk.reached[r] for r in table.requirements]
    values += [chunk.covered, chunk.reasons]
    values += [chunk.risk[name] for name in table.risk.names]
    return values


def is_flag(column: str) -> bool:
    """A boolean column (true/false, or empty where it does not apply)."""
    return column.startswith("reached:") or column in ("audit_covered", FALLBACK)


EDGE_COLUMNS = ("source", "target", "commodity")
COMMODITY_SEPARATOR = ";"
