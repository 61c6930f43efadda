"""What a load reads from Neo4j to check its rows, as one record of columns per read.

A load of 200,000 organisations compares about a million rows with the stored ones
(loaders.unchanged). Read one record per row, as maps, the driver's decoding and the
conversion to rows took 42 s of CPU on 2 cores against 5 s on the embedded store;
here each read is one record holding a list per stored row (positional, in the
row type's field order, days as ISO text), turned into rows with graph.codec's
decoders.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import fields
from typing import Any

from graph.codec import ROW_TYPES, decoders
from graph.cypher import ROW_PATTERNS

Run = Callable[..., Any]  # (query, **params) -> the first record

_KIND = "CASE WHEN o:Member THEN 'member' WHEN o:Supplier THEN 'supplier' ELSE 'smallholder' END"
_ORG = "o.id, " + _KIND + ", o.name, o.country, o.lei, o.duns, o.gln, o.os_id, o.mill_id, "
_ORG += "o.abbreviation, o.lat, o.lon, coalesce(o.listed, false)"

# kind -> the row's values in its type's field order, from cypher.ROW_PATTERNS' names.
_VALUES: dict[str, str] = {
    "organisations": _ORG,
    "requirements": "r.id, r.title, r.version, coalesce(r.frameworks, [])",
    "requires": "m.id, r.id",
    "sourcing": "b.id, s.id, e.commodity, toString(e.since), e.registered_by",
    "pass_on": "b.id, s.id, e.requirement, toString(e.at)",
    "adoptions": "o.id, r.id, toString(e.at), e.evidence",
    "audits": "a.id, o.id, a.scheme, toString(a.audit_date), toString(a.valid_until), "
    "a.commissioned_by, a.rating, a.auditor, coalesce(a.shared_with_all, false)",
    "findings": "f.id, a.id, f.severity, f.status, f.category, toString(f.due_date)",
    "shares": "a.id, m.id",
    "recognitions": "m.id, s.name",
}
# The owner found by its id through its constraint's index (graph.store.ROW_OWNER); a
# list per row, not a column per field: collect() would drop a column's nulls.
STORED_ROWS = {
    kind: f"UNWIND $ids AS id MATCH {pattern.replace('OWNER', '{id: id}')} "
    f"RETURN collect([{_VALUES[kind]}]) AS rows"
    for kind, pattern in ROW_PATTERNS.items()
}


def stored_rows(run: Run, kind: str, owners: Collection[str]) -> list[Any]:
    """The stored rows of `kind` whose owner is among `owners` (GraphStore.stored_rows)."""
    if not owners:
        return []
    found = run(STORED_ROWS[kind], ids=list(owners))["rows"]
    if not found:
        return []
    cls = ROW_TYPES[kind]
    decode = decoders(cls)
    columns = []
    for name, column in zip((f.name for f in fields(cls)), zip(*found, strict=True), strict=True):
        if name in decode:
            to = decode[name]
            column = tuple(None if v is None else to(v) for v in column)
        columns.append(column)
    return list(map(cls, *columns))
