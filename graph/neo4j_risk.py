"""Neo4j's risk tables: one :RiskTable node per kind (metadata beside the graph, as
:ApiKey is), its rows kept as one JSON string; Cypher named here."""

from __future__ import annotations

from typing import Any

import orjson

from graph.store import RiskTableRecord

# MERGE on the kind: a new table of a kind replaces the old one in one statement.
SAVE = """
MERGE (t:RiskTable {kind: $kind})
SET t.source = $source, t.edition = $edition, t.imported = $imported, t.rows = $rows
"""
TABLES = "MATCH (t:RiskTable) RETURN t {.*} AS t ORDER BY t.kind"
COUNTRIES = """
MATCH (o:Organisation)
RETURN collect(id(o)) AS h, collect(o.id) AS i, collect(o.country) AS c
"""
COMMODITIES = """
MATCH (a:Organisation)-[s:SOURCES_FROM]->(b:Organisation)
RETURN collect(id(a)) AS a, collect(id(b)) AS b, collect(s.commodity) AS c
"""


def save_params(table: RiskTableRecord) -> dict[str, Any]:
    return {
        "kind": table.kind,
        "source": table.source,
        "edition": table.edition,
        "imported": table.imported,
        "rows": orjson.dumps(table.rows).decode(),
    }


def record(found: dict[str, Any]) -> RiskTableRecord:
    return RiskTableRecord(
        found["kind"],
        found["source"],
        found["edition"],
        found["imported"],
        orjson.loads(found["rows"]),
    )


def indexed(
    buyers: list[int], sellers: list[int], commodities: list[str]
) -> tuple[list[int], list[int], list[int], list[str]]:
    """The commodities as their index among the distinct ones, sorted."""
    names = sorted(set(commodities))
    at = {name: i for i, name in enumerate(names)}
    return buyers, sellers, [at[c] for c in commodities], names
