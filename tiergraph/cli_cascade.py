"""`tiergraph cascade ...`, `tiergraph audits` and `tiergraph worker`."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from tiergraph.cli_jobs import status as job_status
from tiergraph.console import Format, FormatOpt, emit_json, err, out, people_table, progress_bar
from tiergraph.console import fail as refuse
from tiergraph.members import LISTED_AT_MOST, require_member
from tiergraph.stores import current_settings, open_store

if TYPE_CHECKING:
    from tiergraph.settings import Settings

# `tiergraph --help` imports this module: cascade (numpy), the settings (pydantic)
# and the drivers are imported by the commands that use them.


cascade_app = typer.Typer(
    help="Tier coverage, cascade gaps and audit status, per member.", no_args_is_help=True
)

MemberOpt = Annotated[str, typer.Option("--member", "-m", help="the member's id")]
OneMemberOpt = Annotated[
    str | None, typer.Option("--member", "-m", help="the member's id (or --all)")
]
AllOpt = Annotated[
    bool, typer.Option("--all", help="every member, in one process on one read of the graph")
]
COVERAGE_COLUMNS = ("member", "requirement", "depth", "reached", "cascade gaps")
RequirementOpt = Annotated[
    str | None, typer.Option("--requirement", "-r", help="one requirement (default: all)")
]


def parse_day(value: str | None) -> date:
    if value is None:
        return date.today()
    from loaders.rows import day

    try:
        return day(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a day of the calendar as YYYY-MM-DD", param_hint="--as-of"
        ) from None


AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="audit day YYYY-MM-DD (default: today)")
]


def fail(message: str) -> NoReturn:
    """One line on stderr (a JSON error with --format json), exit 2."""
    refuse(message)


def one_or_all(member: str | None, every: bool) -> None:
    """-m M or --all: exactly one of them."""
    if member is not None and every:
        fail("give either -m/--member or --all, not both")
    if member is None and not every:
        fail("give -m/--member MEMBER, or --all for every member")


def print_coverage(payload: dict[str, Any], computed_at: str, gaps: int) -> None:
    out.print(
        f"[bold]{payload['requirement']}[/bold] of {payload['member']}: depth "
        f"{payload['depth']}, {payload['reached']:,} of {payload['nodes']:,} nodes reached "
        f"(computed {computed_at})"
    )
    table = people_table(
        "tier", "nodes", "reached", "share", right=("tier", "nodes", "reached", "share")
    )
    for t in payload["tiers"]:
        share = f"{t['reached'] / t['nodes']:.0%}" if t["nodes"] else "-"
        table.add_row(str(t["tier"]), f"{t['nodes']:,}", f"{t['reached']:,}", share)
    out.print(table)
    print_gaps(payload["gaps"], gaps, ("tier", "reason", "buyer", "node"))


def print_audits(payload: dict[str, Any], computed_at: str | None, gaps: int) -> None:
    savings = "-" if payload["savings"] is None else f"{payload['savings']:.0%}"
    when = f" (computed {computed_at})" if computed_at else ""
    out.print(
        f"[bold]audits[/bold] of {payload['member']} on {payload['as_of']}: "
        f"{payload['covered']:,} of {payload['in_scope']:,} nodes covered, "
        f"savings {savings}{when}"
    )
    print_gaps(payload["gaps"], gaps, ("tier", "reason", "node", "audit"))


def print_gaps(rows: list[dict[str, Any]], limit: int, columns: tuple[str, ...]) -> None:
    if not rows:
        out.print("no gaps")
        return
    by_reason = Counter(g["reason"] for g in rows)
    out.print("gaps: " + ", ".join(f"{reason} {n:,}" for reason, n in sorted(by_reason.items())))
    if limit:
        table = people_table(*columns, right=("tier",), whole=("buyer", "node", "audit"))
        for g in rows[:limit]:
            table.add_row(*("" if g[c] is None else str(g[c]) for c in columns))
        out.print(table)
        if len(rows) > limit:
            out.print(f"... and {len(rows) - limit:,} more (--gaps N, or --format json)")


GapsOpt = Annotated[int, typer.Option("--gaps", min=0, help="how many gaps to list in the table")]


@cascade_app.command("run")
def run(
    member: OneMemberOpt = None,
    every: AllOpt = False,
    requirement: RequirementOpt = None,
    as_of: AsOfOpt = None,
    gaps: GapsOpt = 20,
    fmt: FormatOpt = Format.table,
) -> None:
    """Compute here (no broker needed) and save the results with their time."""
    one_or_all(member, every)
    if every:
        if requirement is not None:
            fail("--requirement names one member's requirement: not with --all")
        run_every_member(parse_day(as_of), fmt)
        return
    from cascade.engine import CascadeError, JobSpec
    from cascade.service import run_here

    assert member is not None  # one_or_all
    store = open_store()
    try:
        require_member(store, member)
        with progress_bar(fmt == Format.table) as progress:
            task = progress.add_task("walking tiers", total=None)

            def on_step(meta: dict[str, Any]) -> None:
                progress.update(
                    task,
                    description=f"{meta['phase']}: tier {meta['tier']}, {meta['nodes']:,} nodes",
                    advance=1,
                )

            meta = run_here(store, JobSpec(member, requirement, parse_day(as_of)), on_step=on_step)
            progress.update(task, total=meta["steps_done"], completed=meta["steps_done"])
        results = _results_of(store, meta)
    except CascadeError as exc:
        fail(str(exc))
    finally:
        store.close()
    if fmt == Format.json:
        emit_json({"job": meta, "results": [_result_json(r) for r in results]})
        return
    for r in results:
        if r.kind == "coverage":
            print_coverage(r.payload, r.computed_at, gaps)
        else:
            print_audits(r.payload, r.computed_at, gaps)


def run_every_member(as_of: date, fmt: Format) -> None:
    """`cascade run --all`: every member's job on one projection, one progress bar."""
    from cascade.engine import CascadeError
    from cascade.service import run_members_here

    store = open_store()
    try:
        members = store.members()
        with progress_bar(fmt == Format.table) as progress:
            task = progress.add_task("cascading members", total=len(members))

            def on_step(meta: dict[str, Any]) -> None:
                progress.update(
                    task,
                    description=f"{meta['member']} {meta['phase']}: tier {meta['tier']}, "
                    f"{meta['nodes']:,} nodes",
                    advance=1 if meta["state"] == "done" else 0,
                )

            metas = run_members_here(store, as_of, on_step=on_step)
        ran = [(meta, _results_of(store, meta)) for meta in metas]
    except CascadeError as exc:
        fail(str(exc))
    finally:
        store.close()
    if fmt == Format.json:
        emit_json(
            {
                "members": [
                    {
                        "member": meta["member"],
                        "job": meta,
                        "results": [_result_json(r) for r in results],
                    }
                    for meta, results in ran
                ]
            }
        )
        return
    coverage = people_table(
        *COVERAGE_COLUMNS, right=COVERAGE_COLUMNS[2:], whole=COVERAGE_COLUMNS[:2]
    )
    audit_rows = []
    for meta, results in ran:
        for r in results:
            p = r.payload
            if r.kind == "coverage":
                coverage.add_row(
                    meta["member"],
                    p["requirement"],
                    str(p["depth"]),
                    f"{p['reached']:,} of {p['nodes']:,}",
                    f"{len(p['gaps']):,}",
                )
            else:
                audit_rows.append(p)
    out.print(coverage)
    print_audit_summary(audit_rows)
    out.print("saved; `tiergraph cascade show -m MEMBER -r REQUIREMENT` lists a run's gaps")


def print_audit_summary(payloads: list[dict[str, Any]]) -> None:
    """One row per member: what `audits -m M` says in its first line, and gaps by reason."""
    table = people_table(
        "member", "as of", "in scope", "covered", "savings", "audit gaps",
        right=("in scope", "covered", "savings"), whole=("member", "as of"),
    )  # fmt: skip
    for p in payloads:
        by_reason = Counter(g["reason"] for g in p["gaps"])
        table.add_row(
            p["member"],
            p["as_of"],
            f"{p['in_scope']:,}",
            f"{p['covered']:,}",
            "-" if p["savings"] is None else f"{p['savings']:.0%}",
            ", ".join(f"{reason} {n:,}" for reason, n in sorted(by_reason.items())) or "none",
        )
    out.print(table)


def _results_of(store: Any, meta: dict[str, Any]) -> list[Any]:
    """A finished job's saved results, in the order the job lists them."""
    return [
        store_result for rid in meta["results"] for store_result in _result_by_id(store, meta, rid)
    ]


def _result_by_id(store: Any, meta: dict[str, Any], result_id: str) -> list[Any]:
    _, kind, key = result_id.split(":", 2)
    return [r for r in store.results(kind, meta["member"], key, limit=5) if r.id == result_id]


def _result_json(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "kind": r.kind,
        "member": r.member,
        "key": r.key,
        "computed_at": r.computed_at,
        "payload": r.payload,
    }


@cascade_app.command("show")
def show(
    member: MemberOpt,
    requirement: Annotated[str, typer.Option("--requirement", "-r")],
    history: Annotated[int, typer.Option(min=0, help="also list this many earlier runs")] = 0,
    gaps: GapsOpt = 20,
    fmt: FormatOpt = Format.table,
) -> None:
    """The latest stored coverage of a requirement (and earlier runs, to compare)."""
    from cascade.engine import CascadeError, check_required
    from cascade.service import latest

    store = open_store()
    try:
        require_member(store, member)
        results = latest(store, "coverage", member, requirement, history=history + 1)
        if not results:
            check_required(member, requirement, store.requirements_of(member))
    except CascadeError as exc:
        fail(str(exc))
    finally:
        store.close()
    if not results:
        fail(f"no results for {member} / {requirement}: run `tiergraph cascade run -m {member}`")
    if fmt == Format.json:
        emit_json(
            {"latest": _result_json(results[0]), "history": [_result_json(r) for r in results[1:]]}
        )
        return
    print_coverage(results[0].payload, results[0].computed_at, gaps)
    if history:
        table = people_table(
            "computed at", "depth", "reached", "nodes", "gaps",
            right=("depth", "reached", "nodes", "gaps"), whole=("computed at",),
        )  # fmt: skip
        for r in results:
            p = r.payload
            table.add_row(
                r.computed_at,
                str(p["depth"]),
                f"{p['reached']:,}",
                f"{p['nodes']:,}",
                f"{len(p['gaps']):,}",
            )
        out.print(table)


@cascade_app.command("queue")
def queue_job(
    member: MemberOpt,
    requirement: RequirementOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Queue a job for the Celery workers (`tiergraph worker`); prints its id."""
    from cascade.engine import CascadeError, JobSpec
    from cascade.service import queue

    configured = current_settings()
    store = open_store(configured)
    ctx = job_context(configured)
    try:
        require_member(store, member)
        job = queue(store, ctx.jobs, ctx, JobSpec(member, requirement, parse_day(as_of)))
    except CascadeError as exc:
        fail(str(exc))
    finally:
        store.close()
    if fmt == Format.json:
        emit_json({"job": job})
    else:
        err.print(
            f"queued: a running `tiergraph worker` takes it (start one if none runs); "
            f"`tiergraph cascade status {job}` follows it"
        )
        out.print(job, soft_wrap=True)  # the id alone on stdout: JOB=$(tiergraph cascade queue ...)


cascade_app.command("status")(job_status)


def job_context(settings: Settings):
    from tiergraph.bootstrap import CeleryDispatcher

    return CeleryDispatcher.from_settings(settings)


def audits(
    member: OneMemberOpt = None,
    every: AllOpt = False,
    as_of: AsOfOpt = None,
    smallholders: Annotated[
        bool, typer.Option("--smallholders", help="include smallholders")
    ] = False,
    gaps: GapsOpt = 20,
    fmt: FormatOpt = Format.table,
) -> None:
    """Audit coverage, gaps and savings of a member (or --all) on a day, computed now."""
    from cascade.engine import CascadeError
    from cascade.service import live_audit_status, live_audit_statuses

    one_or_all(member, every)
    day = parse_day(as_of)
    store = open_store()
    try:
        if every:
            members = store.members()
            if not members:
                fail("the store holds no members: load a network first")
            with progress_bar(fmt == Format.table) as progress:
                task = progress.add_task("auditing members", total=len(members))

                def on_member(done: str) -> None:
                    progress.update(task, description=f"audits of {done}", advance=1)

                payloads = [
                    s.as_dict()
                    for s in live_audit_statuses(
                        store, day, include_smallholders=smallholders, on_member=on_member
                    )
                ]
        else:
            assert member is not None  # one_or_all
            require_member(store, member)
            payloads = [
                live_audit_status(store, member, day, include_smallholders=smallholders).as_dict()
            ]
    except CascadeError as exc:
        fail(str(exc))
    finally:
        store.close()
    if every and fmt == Format.json:
        emit_json({"as_of": day.isoformat(), "members": payloads})
    elif every:
        print_audit_summary(payloads)
    elif fmt == Format.json:
        emit_json(payloads[0])
    else:
        print_audits(payloads[0], None, gaps)


def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="worker processes")] = 2,
    loglevel: Annotated[str, typer.Option(help="celery log level")] = "info",
) -> None:
    """Start a Celery worker for cascade jobs (Redis at TIERGRAPH_REDIS_URL)."""
    from tiergraph.bootstrap import make_celery

    settings = current_settings()
    import redis

    # Celery would retry a missing broker a hundred times: refuse at once instead (exit 3).
    redis.Redis.from_url(settings.redis_url, socket_connect_timeout=2).ping()
    app = make_celery(settings)
    app.worker_main(
        [
            "worker",
            f"--concurrency={concurrency}",
            f"--loglevel={loglevel}",
            "--without-gossip",
            "--without-mingle",
        ]
    )


def savings(
    as_of: AsOfOpt = None,
    member: Annotated[
        str | None,
        typer.Option("--member", "-m", help="one member's savings potential instead"),
    ] = None,
    smallholders: Annotated[
        bool, typer.Option("--smallholders", help="with -m: smallholders in scope too")
    ] = False,
    first: Annotated[
        int,
        typer.Option(min=1, max=LISTED_AT_MOST, help="with -m: nodes listed per step (1-500)"),
    ] = 100,
    fmt: FormatOpt = Format.table,
) -> None:
    """Audit savings of every member on a day, and across the forum (computed now);
    with -m, what that member could save: nodes one share request or one recognition
    decision away from coverage."""
    if member is not None:
        from tiergraph.cli_sharing import member_potential

        member_potential(member, as_of, smallholders, first, fmt)
        return
    from cascade.service import forum_savings_on

    store = open_store()
    try:
        figures = forum_savings_on(store, parse_day(as_of))
    finally:
        store.close()
    if fmt == Format.json:
        emit_json(figures)
        return
    columns = ("member", "in scope", "covered", "on others' audits", "savings")
    table = people_table(*columns, right=columns[1:], whole=columns[:1])
    for m in figures["members"]:
        share = "-" if m["savings"] is None else f"{m['savings']:.0%}"
        table.add_row(
            m["member"], f"{m['in_scope']:,}", f"{m['covered']:,}", f"{m['saved']:,}", share
        )
    out.print(table)
    forum = figures["forum"]
    per_audit = "-" if forum["per_audit"] is None else f"{forum['per_audit']:.2f}"
    out.print(
        f"forum on {figures['as_of']}: {forum['covered']:,} audits needed with no sharing "
        f"(member-nodes covered), {forum['audits']:,} used: {per_audit} members' nodes per audit"
    )
