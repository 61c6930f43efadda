"""Two organisations never hold the same identifier: the rule both store adapters
apply to a write before it lands (their unique indexes and constraints are the
backstop). What counts is the graph after the write: an organisation of the batch
may take an identifier from a stored one whose own row in the batch gives it up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from graph.model import IDENTIFIER_FIELDS, Organisation
from graph.store import IdentifierTaken, StoreError

Claim = tuple[str, str]  # (kind: an IDENTIFIER_FIELDS name, value)


def last_rows(organisations: Iterable[Organisation]) -> list[Organisation]:
    """One row per id, the later one (as the writes upsert them)."""
    return list({o.id: o for o in organisations}.values())


def claims(rows: Iterable[Organisation]) -> dict[Claim, str]:
    """(kind, value) -> the organisation of the batch that holds it; IdentifierTaken
    when two organisations of the batch hold one (the later row names the earlier)."""
    out: dict[Claim, str] = {}
    for row in rows:
        for kind in IDENTIFIER_FIELDS:
            value = getattr(row, kind)
            if value is None:
                continue
            holder = out.setdefault((kind, value), row.id)
            if holder != row.id:
                raise IdentifierTaken(kind, value, row.id, holder)
    return out


def released(
    rows: Iterable[Organisation], claimed: Mapping[Claim, str], holders: Mapping[Claim, str]
) -> list[tuple[str, str]]:
    """(stored organisation, kind) of the identifiers the batch moves to another
    organisation: cleared before the batch's rows are written. IdentifierTaken when a
    stored holder keeps one (it is not in the batch, or its row holds it too)."""
    by_id = {o.id: o for o in rows}
    out = []
    for (kind, value), holder in sorted(holders.items()):
        taker = claimed[kind, value]
        if holder == taker:
            continue
        row = by_id.get(holder)
        if row is None or getattr(row, kind) == value:
            raise IdentifierTaken(kind, value, taker, holder)
        out.append((holder, kind))
    return out


def shared_error(where: str, shared: Mapping[Claim, list[str]], fix: str) -> StoreError:
    """Stored data from before identifiers were unique holds some twice: a person
    must choose which organisation keeps each (nothing is changed for them); `fix`
    says how to clear one."""
    shown = "; ".join(
        f"{kind} {value}: {', '.join(sorted(ids))}"
        for (kind, value), ids in sorted(shared.items())[:10]
    )
    more = f" (and {len(shared) - 10} more)" if len(shared) > 10 else ""
    return StoreError(
        f"{where} holds organisations that share an identifier, which this tiergraph "
        f"refuses (two organisations never hold one): {shown}{more}. Clear or correct "
        f"the identifier on all but one of each ({fix}), then open it again."
    )
