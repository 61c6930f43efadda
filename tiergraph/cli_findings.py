"""`tiergraph findings`: a member's corrective-action measures on a day."""

from __future__ import annotations

from tiergraph.cli_cascade import AsOfOpt, MemberOpt, open_store, parse_day
from tiergraph.console import Format, FormatOpt, emit_json, out, people_table
from tiergraph.members import require_member


def findings(member: MemberOpt, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Corrective actions of a member on a day: open findings by severity, overdue,
    closed in the last 90 days, median days from audit to verified close."""
    from access.principal import Principal, Role
    from remediation.measures import finding_measures

    day = parse_day(as_of)
    store = open_store()
    try:
        require_member(store, member)
        # What the member's own analysts see (the findings of audits visible to it).
        analyst = Principal(Role.ANALYST, member, "cli")
        measures = finding_measures(principal=analyst, store=store, as_of=day)
    finally:
        store.close()
    if fmt == Format.json:
        emit_json(measures.as_dict())
        return
    by = measures.open_by_severity
    columns = ("open", "critical", "major", "minor", "overdue", "closed (90 d)", "median days")
    table = people_table(*columns, right=columns)
    median = "-" if measures.median_days_to_close is None else f"{measures.median_days_to_close:g}"
    table.add_row(
        f"{measures.open:,}",
        f"{by['critical']:,}",
        f"{by['major']:,}",
        f"{by['minor']:,}",
        f"{measures.overdue:,}",
        f"{measures.closed_last_90_days:,}",
        median,
    )
    out.print(f"[bold]findings[/bold] of {measures.member} on {measures.as_of}")
    out.print(table)
    out.print(
        f"median over {measures.verified_last_365_days:,} findings verified in the last 365 days"
    )
