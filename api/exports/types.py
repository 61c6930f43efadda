"""GraphQL types of exports."""

from __future__ import annotations

import strawberry

from exports.formats import ExportFormat

strawberry.enum(
    ExportFormat,
    description="csv: a zip of nodes.csv, edges.csv and about.csv (UTF-8 with a BOM); "
    "jsonl: JSON Lines, a header line then nodes then edges; graphml: GraphML with typed "
    "attributes (docs/exports.md)",
)
