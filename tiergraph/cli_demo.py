"""`tiergraph demo`: a synthetic network on the embedded store in a folder of its own,
every member's cascade computed, API keys and ready `curl` lines, then the service.

Each run makes new keys (a key is shown only when made) and revokes the keys
earlier runs made, so that the keys last printed are the demo's only keys.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tiergraph.console import Format, FormatOpt, emit_json, fail, out, people_table, progress_bar
from tiergraph.stores import current_settings, open_store

if TYPE_CHECKING:
    from tiergraph.settings import Settings

DEMO_MARK = "demo-network"  # a file in the demo's folder: the demo wrote what is there
COVERAGE_QUERY = '{ tierCoverage(requirement: \\"%s\\") { depth tiers { tier nodes reached } } }'


def demo_folder(settings: Settings, data_dir: Path | None) -> Path:
    """The demo's own folder, beside the user's data folder (never inside it)."""
    return data_dir if data_dir is not None else settings.data_dir.parent / ".tiergraph-demo"


def demo(
    nodes: Annotated[int, typer.Option(help="about how many organisations", min=300)] = 3000,
    seed: Annotated[int, typer.Option(help="random seed")] = 42,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="the demo's own folder (default: .tiergraph-demo beside TIERGRAPH_DATA_DIR)",
        ),
    ] = None,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="then serve")] = True,
    port: Annotated[int | None, typer.Option(help="port to serve on", min=1, max=65535)] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """First run: a synthetic network on the embedded store in a folder of its own,
    every member's cascade computed, then the service (run it again to reuse it).
    Your own data (TIERGRAPH_DATA_DIR, or Neo4j) is never touched."""
    from tiergraph.cli_serve import check_can_listen, run_server

    configured = current_settings()
    folder = demo_folder(configured, data_dir)
    prefix = _pointing_at(folder, configured)
    # The projection cache goes with the demo's store, never into the user's folder.
    os.environ.setdefault("TIERGRAPH_CACHE_DIR", str(folder / "cache"))
    settings = _demo_settings(folder)
    field = "TIERGRAPH_API_PORT" if port is None else "--port"
    port = settings.api_port if port is None else port
    if serve_after:  # a busy port is said before the work, not after
        check_can_listen(settings.api_host, port, field)
    table = fmt == Format.table
    store = open_store(settings, create=True)
    try:
        loaded = None
        if not (folder / DEMO_MARK).exists():
            if any(store.counts().values()):
                fail(
                    f"{folder} holds a network the demo did not write; the demo never mixes "
                    "its network into yours: pass --data-dir with an empty or new folder, or "
                    f"empty that one first (TIERGRAPH_DATA_DIR={folder} tiergraph reset)",
                    code="store_not_empty",
                    field="--data-dir",
                )
            loaded = _load_demo(store, folder, nodes, seed, table)
        coverage, audits = _cascade_demo(store, table)
        url = f"http://{settings.api_host}:{port}/graphql"
        made, revoked = _demo_keys(store)
        requirement = store.requirements_of(str(made[0][0].organisation))[0]
    finally:
        store.close()
    serve_line = None if serve_after else _serve_line(prefix, port, settings)
    curls = _curl_lines(url, made, requirement)
    if table:
        _print_demo(prefix, coverage, audits, made, revoked, url, serve_line, curls)
    else:
        emit_json(
            {
                "folder": str(folder),
                "loaded": loaded,
                "coverage": coverage,
                "audits": audits,
                "keys": [{"key": key, "record": _record(r)} for r, key in made],
                "revoked": revoked,
                "url": url,
                "serve": serve_line,
                "curl": curls,
            }
        )
    if serve_after:
        # The service (and uvicorn's app factory) read the store from the environment.
        os.environ["TIERGRAPH_STORE"], os.environ["TIERGRAPH_DATA_DIR"] = "embedded", str(folder)
        run_server(current_settings(), port=port, stdout_taken=not table)


def _demo_settings(folder: Path) -> Settings:
    from tiergraph.settings import Settings

    return Settings(store="embedded", data_dir=folder)


def _load_demo(store: Any, folder: Path, nodes: int, seed: int, table: bool) -> int:
    from loaders import beside
    from loaders.generate import REFERENCE_DAY
    from loaders.generate import generate as make
    from loaders.load import load as load_files
    from loaders.writers import write_csv_dir

    files = folder / "demo-input"
    batch = make(nodes=nodes, seed=seed)
    write_csv_dir(batch, files)
    beside.write_csv(beside.generated(batch, seed=seed, today=REFERENCE_DAY), files)
    report = load_files(store, [files])
    if report.problems:
        raise RuntimeError(f"the demo's own files did not load: {report.problems[0]}")
    (folder / DEMO_MARK).write_text(f"nodes={nodes} seed={seed}\n", encoding="utf-8")
    if table:
        out.print(f"loaded a synthetic network from {files}: {report.rows:,} rows")
    return report.rows


def _cascade_demo(store: Any, bar: bool) -> tuple[list[dict], list[dict]]:
    """Every member's cascade, saved: coverage by requirement and audits, as rows."""
    from cascade.engine import JobSpec
    from cascade.service import run_here

    coverage, audits = [], []
    with progress_bar(bar) as progress:
        task = progress.add_task("cascading members", total=len(store.members()))
        for member in store.members():
            meta = run_here(store, JobSpec(member))
            for requirement in meta["requirements"]:
                p = store.results("coverage", member, requirement, 1)[0].payload
                coverage.append(
                    {
                        "member": member,
                        "requirement": requirement,
                        "depth": p["depth"],
                        "reached": p["reached"],
                        "nodes": p["nodes"],
                        "gaps": len(p["gaps"]),
                    }
                )
            a = store.results("audits", member, meta["as_of"], 1)[0].payload
            audits.append(
                {
                    "member": member,
                    "as_of": a["as_of"],
                    "in_scope": a["in_scope"],
                    "covered": a["covered"],
                    "gaps": len(a["gaps"]),
                    "savings": a["savings"],
                }
            )
            progress.advance(task)
    return coverage, audits


def _demo_keys(store: Any) -> tuple[list[tuple[Any, str]], list[str]]:
    """Keys for the first member's sourcing team and analysts and for one of its
    direct suppliers, made anew; the keys earlier runs made are revoked."""
    from access.keys import revoke_key
    from cascade import projection as projections
    from graph.model import Kind
    from graph.store import KIND_ORDER
    from tiergraph.cli_keys import DEMO_LABEL, demo_keys

    earlier = [k.id for k in store.keys() if k.label == DEMO_LABEL and k.revoked_at is None]
    for key_id in earlier:
        revoke_key(store, key_id)
    member = store.members()[0]
    p = projections.current(store)
    at = p.position(member)
    sellers = p.indices[p.indptr[at] : p.indptr[at + 1]]
    supplier = next(str(p.ids[s]) for s in sellers if KIND_ORDER[int(p.kind[s])] == Kind.SUPPLIER)
    return demo_keys(store, member=member, supplier=supplier), earlier


def _record(record: Any) -> dict[str, Any]:
    from tiergraph.cli_keys import record_json

    return record_json(record)


def _pointing_at(folder: Path, configured: Settings) -> str:
    """The settings that point a command at the demo's store, as a shell prefix."""
    store = "" if configured.store == "embedded" else "TIERGRAPH_STORE=embedded "
    return f"{store}TIERGRAPH_DATA_DIR={shlex.quote(str(folder))}"


def _serve_line(prefix: str, port: int, settings: Settings) -> str:
    """How to serve the demo's store where the curl lines call it."""
    return f"{prefix} tiergraph serve" + ("" if port == settings.api_port else f" --port {port}")


def _curl_lines(url: str, made: list[tuple[Any, str]], requirement: str) -> list[str]:
    """Ready to paste: the health check with the supplier's key, the member's tier
    coverage with its sourcing team's key."""
    sourcing, supplier = made[0][1], made[-1][1]

    def curl(key: str, query: str) -> str:
        return (
            f"curl -s {url} -H 'Authorization: Bearer {key}' "
            f"-H 'content-type: application/json' -d '{{\"query\": \"{query}\"}}'"
        )

    return [curl(supplier, "{ health version }"), curl(sourcing, COVERAGE_QUERY % requirement)]


def _print_demo(
    prefix: str,
    coverage: list[dict],
    audits: list[dict],
    made: list[tuple[Any, str]],
    revoked: list[str],
    url: str,
    serve_line: str | None,
    curls: list[str],
) -> None:
    from tiergraph.cli_cascade import COVERAGE_COLUMNS
    from tiergraph.cli_keys import print_demo_keys

    table = people_table(*COVERAGE_COLUMNS, right=COVERAGE_COLUMNS[2:], whole=COVERAGE_COLUMNS[:2])
    for c in coverage:
        reached = f"{c['reached']:,} of {c['nodes']:,}"
        table.add_row(c["member"], c["requirement"], f"{c['depth']:,}", reached, f"{c['gaps']:,}")
    columns = ("member", "as of", "in scope", "audit-covered", "audit gaps", "saved")
    audit_table = people_table(*columns, right=columns[2:], whole=columns[:2])
    for a in audits:
        saved = "-" if a["savings"] is None else f"{a['savings']:.0%}"
        audit_table.add_row(
            a["member"], a["as_of"], f"{a['in_scope']:,}", f"{a['covered']:,}", f"{a['gaps']:,}",
            saved,
        )  # fmt: skip
    out.print(table)
    out.print(audit_table)
    plain = {"highlight": False, "markup": False, "soft_wrap": True}
    out.print(
        f"to look further, point the other commands at the demo's store: "
        f"`{prefix} tiergraph cascade show -m MEMBER -r REQUIREMENT`, "
        "`... tiergraph audits -m MEMBER`, "
        + ("or the API below" if serve_line is None else "or the API (below)"),
        **plain,
    )
    member, supplier = made[0][0].organisation, made[-1][0].organisation
    out.print(f"API keys for {member}'s people and for its supplier {supplier} (shown once):")
    print_demo_keys(made, url)
    if revoked:
        out.print(f"the {len(revoked)} key(s) earlier demo runs printed are revoked", **plain)
    if serve_line is not None:
        out.print(f"serve the demo's store: {serve_line}", **plain)
    out.print("then, for instance:" if serve_line else "for instance:", **plain)
    for line in curls:
        out.print(line, **plain)
