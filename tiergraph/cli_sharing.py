"""`tiergraph share-requests` (either side's requests) and `tiergraph savings -m M`
(a member's savings potential): what the API answers the member's analysts or the
owner's supplier keys, read from the store as those keys would read it."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import typer

from tiergraph.cli_cascade import AsOfOpt, open_store
from tiergraph.console import Format, FormatOpt, emit_json, fail, out, people_table
from tiergraph.members import require_member


class State(StrEnum):
    open = "open"
    answered = "answered"  # granted or declined
    granted = "granted"
    declined = "declined"


def share_requests(
    member: Annotated[
        str | None, typer.Option("--member", "-m", help="the requests a member made")
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="the requests made to an audited organisation")
    ] = None,
    state: Annotated[
        State | None, typer.Option("--state", help="open, answered (granted or declined), ...")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Share requests, newest first: a member's (-m) or those made to an audit's owner
    (--owner), as that side sees them through the API."""
    from access.errors import Forbidden, NotFound
    from access.principal import Principal, Role

    if (member is None) == (owner is None):
        raise typer.BadParameter("give one of --member or --owner", param_hint="--member")
    side = {"member": member} if member else {"owner": owner}
    principal = (
        Principal(Role.ANALYST, member, "cli") if member else Principal(Role.SUPPLIER, owner, "cli")
    )
    store = open_store()
    try:
        if member:
            require_member(store, member)  # the member's list would only be empty
        found = _every_request(principal, store, state)
    except (NotFound, Forbidden):
        fail(f"no organisation {owner!r} in the store", field="--owner")
    finally:
        store.close()
    rows = [request_dict(r) for r in found]
    if fmt == Format.json:
        emit_json({**side, "state": state.value if state else None, "requests": rows})
        return
    # The side asked about is in the title, not in a column: on a terminal of 80
    # columns every id stays whole.
    other = "organisation" if member else "member"
    table = people_table(
        "id", other, "audit", "scheme", "status", "at", whole=("id", other, "audit", "status", "at")
    )
    for r in rows:
        answered = f"\n{r['answered_at'][:10]}" if r["answered_at"] else ""  # its day below
        table.add_row(
            r["id"], r[other], r["audit"], r["scheme"] or "-", r["status"] + answered, r["at"][:10]
        )
    asked = f"made by member {member}" if member else f"made to {owner}"
    out.print(f"[bold]share requests[/bold] {asked}" + (f" ({state.value})" if state else ""))
    out.print(table)
    out.print(f"{len(rows):,} share request(s)")


def _every_request(principal: Any, store: Any, state: State | None) -> list[Any]:
    from graph.store import RequestStatus
    from sharing import lists
    from views.pages import MAX_PAGE

    status = None if state in (None, State.answered) else RequestStatus(state.value)
    found, after = [], None
    while True:
        page = lists.share_requests(
            principal=principal, store=store, status=status, first=MAX_PAGE, after=after
        )
        found += page.items
        if not page.has_next:
            break
        after = page.end_cursor
    if state == State.answered:
        found = [r for r in found if r.status != RequestStatus.OPEN]
    return found


def request_dict(r: Any) -> dict[str, Any]:
    """sharing.shown.RequestSeen in the CLI's stable shape (docs/cli.md)."""
    day = date.isoformat
    return {
        "id": r.id,
        "member": r.member,
        "organisation": r.organisation,
        "audit": r.audit,
        "scheme": r.scheme,
        "audit_date": day(r.audit_date) if r.audit_date else None,
        "valid_until": day(r.valid_until) if r.valid_until else None,
        "status": r.status.value,
        "message": r.message,
        "at": r.at,
        "answered_at": r.answered_at,
        "reason": r.reason,
    }


def member_potential(
    member: str, as_of: AsOfOpt, smallholders: bool, first: int, fmt: Format
) -> None:
    """`savings -m M`: the member's savings potential on the day."""
    from access.errors import BadUserInput
    from access.principal import Principal, Role
    from jointlist.potential import savings_potential
    from tiergraph.cli_cascade import parse_day

    day = parse_day(as_of)
    store = open_store()
    try:
        require_member(store, member)
        found = savings_potential(
            principal=Principal(Role.ANALYST, member, "cli"),
            store=store,
            as_of=day,
            include_smallholders=smallholders,
            first=first,
        )
    except BadUserInput as exc:
        raise typer.BadParameter(str(exc), param_hint="--first") from None
    finally:
        store.close()
    answer = {
        "member": member,
        "as_of": found.as_of.isoformat(),
        "in_scope": found.in_scope,
        "share_request_away": _step(found.not_shared),
        "recognition_away": _step(found.unrecognised_scheme),
    }
    if fmt == Format.json:
        emit_json(answer)
        return
    out.print(f"[bold]savings potential[/bold] of {member} on {answer['as_of']}: "
              f"{found.in_scope:,} nodes in scope")  # fmt: skip
    for name, what in (("share_request_away", "one share request away"),
                       ("recognition_away", "one recognition decision away")):  # fmt: skip
        step = answer[name]
        schemes = ", ".join(f"{s['scheme']} {s['nodes']:,}" for s in step["by_scheme"]) or "-"
        out.print(f"{step['count']:,} nodes {what} ({schemes})")
        table = people_table(
            "node", "tier", "schemes", "audit", "valid until",
            right=("tier",), whole=("node", "audit", "valid until"),
        )  # fmt: skip
        for n in step["nodes"]:
            a = n["audit"]
            table.add_row(n["node"], str(n["tier"]), ", ".join(n["schemes"]), a["id"],
                          a["valid_until"])  # fmt: skip
        if step["nodes"]:
            out.print(table)
        if (more := step["count"] - len(step["nodes"])) > 0:
            out.print(f"... and {more:,} more (--first N)", highlight=False)


def _step(step: Any) -> dict[str, Any]:
    return {
        "reason": step.reason.value,
        "count": step.nodes,
        "by_scheme": [{"scheme": s, "nodes": n} for s, n in step.by_scheme],
        "nodes": [
            {
                "node": n.node,
                "tier": n.tier,
                "schemes": n.schemes,
                "audit": {
                    "id": n.audit.id,
                    "scheme": n.audit.scheme,
                    "audit_date": n.audit.audit_date.isoformat(),
                    "valid_until": n.audit.valid_until.isoformat(),
                    "visible": n.audit.visible,
                },
            }
            for n in step.shown
        ],
    }
