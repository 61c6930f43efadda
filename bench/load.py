"""Load benchmark: a generated network into Neo4j, bulk, against one row per transaction.

Ours: `Neo4jStore.write(batch)` (the bulk path `tiergraph load` takes), and the
whole `tiergraph load` path on CSV files (parse, validate, write). Baseline: the
same rows written one row per managed transaction with the store's own
single-transaction statements, for at most --baseline-seconds; its rate is that
of the first rows it gets through. Figures are nodes + relationships per second.
"""

from __future__ import annotations

import heapq
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Run as a script, this folder comes first on sys.path, and bench/cascade.py would
# hide the cascade package: put the project root there instead.
HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from bench import common  # noqa: E402
from graph.model import BATCH_FIELDS, GraphBatch, Kind  # noqa: E402
from graph.neo4j_import import run_import, write_import_files  # noqa: E402
from graph.neo4j_store import Neo4jStore  # noqa: E402
from loaders.load import load  # noqa: E402
from loaders.writers import write_csv_dir  # noqa: E402
from tiergraph.launcher import EmbeddedNeo4j  # noqa: E402

TARGET_RATE, TARGET_SPEEDUP = 50_000, 20

# What each kind of row references: (entity, row field); the baseline writes a
# referenced node (as its own one-row transaction) before the row that needs it.
REFS: dict[str, tuple[tuple[str, str], ...]] = {
    "requires": (("organisation", "member"), ("requirement", "requirement")),
    "sourcing": (("organisation", "buyer"), ("organisation", "seller")),
    "pass_on": (
        ("organisation", "buyer"),
        ("organisation", "seller"),
        ("requirement", "requirement"),
    ),
    "adoptions": (("organisation", "organisation"), ("requirement", "requirement")),
    "audits": (("organisation", "organisation"), ("organisation", "commissioned_by")),
    "findings": (("audit", "audit"),),
    "shares": (("audit", "audit"), ("organisation", "member")),
    "recognitions": (("organisation", "member"),),
}
NODE_FIELD = {"organisation": "organisations", "requirement": "requirements", "audit": "audits"}


def expected_counts(batch: GraphBatch) -> dict[str, int]:
    """What `store.counts()` should say after writing the batch (edges as MERGE keys them)."""
    kinds = {k: sum(o.kind == k for o in batch.organisations) for k in Kind}
    b = batch
    return {
        "members": kinds[Kind.MEMBER],
        "suppliers": kinds[Kind.SUPPLIER],
        "smallholders": kinds[Kind.SMALLHOLDER],
        "requirements": len({r.id for r in b.requirements}),
        "audits": len({a.id for a in b.audits}),
        "findings": len({f.id for f in b.findings}),
        "requires": len({(r.member, r.requirement) for r in b.requires}),
        "sourcing": len({(r.buyer, r.seller, r.commodity) for r in b.sourcing}),
        "pass_on": len({(r.buyer, r.seller, r.requirement) for r in b.pass_on}),
        "adoptions": len({(r.organisation, r.requirement) for r in b.adoptions}),
        "shares": len({(r.audit, r.member) for r in b.shares}),
        "recognitions": len({(r.member, r.scheme) for r in b.recognitions}),
    }


def check_counts(store: Neo4jStore, batch: GraphBatch, what: str) -> bool:
    got, want = store.counts(), expected_counts(batch)
    bad = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
    if bad:
        common.log.print(f"[red]{what}: counts differ (stored, expected): {bad}[/]")
    else:
        common.log.print(f"{what}: counts match the batch ({sum(want.values()):,} in all)")
    return not bad


def interleaved(batch: GraphBatch) -> Iterator[tuple[str, Any]]:
    """Every row, each kind spread evenly over the stream (row j of n at j/n):
    any prefix holds every kind in proportion."""

    def positions(k: int, field: str) -> Iterator[tuple[float, int, str, int]]:
        n = len(getattr(batch, field))
        return (((j + 0.5) / n, k, field, j) for j in range(n))

    for _, _, field, j in heapq.merge(*(positions(k, f) for k, f in enumerate(BATCH_FIELDS))):
        yield field, getattr(batch, field)[j]


def baseline(store: Neo4jStore, batch: GraphBatch, seconds: float) -> dict[str, Any]:
    """One row per transaction (`store.write` of a one-row batch: one managed
    transaction), for at most `seconds`; returns what it wrote and how fast."""
    by_id = {e: {r.id: r for r in getattr(batch, f)} for e, f in NODE_FIELD.items()}
    written: dict[str, set[str]] = {e: set() for e in NODE_FIELD}
    schemes: set[str] = set()
    rows = ents = 0

    def one(field: str, row: Any) -> None:
        nonlocal rows, ents
        for entity, attr in REFS.get(field, ()):
            ref = getattr(row, attr)
            if ref not in written[entity]:
                one(NODE_FIELD[entity], by_id[entity][ref])
        node = {v: k for k, v in NODE_FIELD.items()}.get(field)
        if node and row.id in written[node]:
            return
        store.write(GraphBatch(**{field: [row]}))
        rows += 1
        ents += 2 if field in ("audits", "findings") else 1  # + COVERS / HAS_FINDING
        if field == "recognitions" and row.scheme not in schemes:
            schemes.add(row.scheme)
            ents += 1
        if node:
            written[node].add(row.id)

    t0 = time.perf_counter()
    with common.progress("baseline: one row per transaction", None) as advance:
        for field, row in interleaved(batch):
            if time.perf_counter() - t0 >= seconds:
                break
            before = rows
            one(field, row)
            advance(rows - before)
    elapsed = time.perf_counter() - t0
    return {
        "rows": rows,
        "entities": ents,
        "seconds": round(elapsed, 2),
        "rows_per_s": round(common.rate(rows, elapsed), 1),
        "entities_per_s": round(common.rate(ents, elapsed), 1),
    }


def offline_import(batch: GraphBatch, args: Any) -> dict[str, Any]:
    """`tiergraph import` from the batch: the importer's files, neo4j-admin import
    into a fresh Neo4j home, then that home opened by its own server (on another port)."""
    log = common.log
    os.environ.setdefault("TIERGRAPH_IMPORT_HEAP", "4g")
    with tempfile.TemporaryDirectory(prefix="tiergraph-import-") as tmp:
        t0 = time.perf_counter()
        with common.progress("importer files", None) as advance:
            files = write_import_files(batch, Path(tmp) / "files", advance)
        files_s = time.perf_counter() - t0
        with log.status("neo4j-admin database import full..."):
            run = run_import(files, Path(tmp) / "home")
        log.print(f"offline import: files {files_s:.1f} s, importer {run.seconds:.1f} s")
        for line in run.output.splitlines():
            if "COMPLETED" in line or "IMPORT DONE" in line:
                log.print(f"  importer: {line.strip()}")
        with log.status("starting a server on the imported home..."):
            with EmbeddedNeo4j(Path(tmp) / "home", heap="4g", pagecache="2g") as neo4j:
                t0 = time.perf_counter()
                store = Neo4jStore.connect(neo4j.uri)  # creates constraints and indexes
                schema_s = time.perf_counter() - t0
                ok = check_counts(store, batch, "offline import")
                store.close()
    seconds = files_s + run.seconds
    return {
        "seconds": round(seconds, 2),
        "files_s": round(files_s, 2),
        "importer_s": round(run.seconds, 2),
        "start_s": round(neo4j.started_in, 2),
        "schema_s": round(schema_s, 2),
        "indexed_s": round(seconds + schema_s, 2),
        "queryable_s": round(seconds + neo4j.started_in + schema_s, 2),
        "counts_ok": ok,
    }


def main() -> None:
    p = common.parser(__doc__.split("\n")[0])
    p.add_argument("--nodes", type=int, default=200_000, help="organisations to generate")
    common.network_arguments(p, members=8)
    p.add_argument("--baseline-seconds", type=float, default=60.0)
    args = p.parse_args()
    common.require_yes(args)
    members = common.members_of(args)
    log = common.log
    run_start = time.perf_counter()

    t0 = time.perf_counter()
    with log.status(f"generating {args.nodes:,} organisations ({args.profile})..."):
        batch = common.network(args.nodes, members, args.seed, args.profile)
    gen_s = time.perf_counter() - t0
    nodes, rels = common.entities(batch)
    total = nodes + rels
    log.print(f"generated in {gen_s:.1f} s: {nodes:,} nodes + {rels:,} relationships = {total:,}")

    store = Neo4jStore.connect(args.uri)
    machine = common.machine(store.driver)
    work = len(batch) + len(batch.audits) + len(batch.findings)  # what write() reports

    # ours 1: the offline importer, first, while the server of the other paths is idle
    # (before wiping it: a wipe leaves it busy writing for a while)
    imported = offline_import(batch, args)

    # ours 2: the bulk write
    log.print(f"wiped in {common.wipe(store.driver):.1f} s")

    t0 = time.perf_counter()
    with common.progress("store.write (bulk)", work) as advance:
        store.write(batch, progress=advance)
    write_s = time.perf_counter() - t0
    log.print(f"store.write: {write_s:.1f} s")
    write_ok = check_counts(store, batch, "store.write")

    # ours 3: `tiergraph load` on CSV files
    with tempfile.TemporaryDirectory(prefix="tiergraph-bench-") as tmp:
        t0 = time.perf_counter()
        with log.status("writing CSV files..."):
            write_csv_dir(batch, Path(tmp))
        csv_write_s = time.perf_counter() - t0
        log.print(
            f"CSV files written in {csv_write_s:.1f} s; wiped in {common.wipe(store.driver):.1f} s"
        )
        t0 = time.perf_counter()
        timed = common.Timed(store)  # to split reading and checking from writing
        with common.progress("tiergraph load: read+check", None) as on_read:
            report = load(timed, [Path(tmp)], on_read=lambda n, _total: on_read(n))
        load_s = time.perf_counter() - t0
        load_write_s = timed.seconds["write"]
    if not report.ok:
        log.print(f"[red]tiergraph load reported problems: {report.problems[:5]}[/]")
    log.print(f"tiergraph load: {load_s:.1f} s")
    load_ok = report.ok and check_counts(store, batch, "tiergraph load")

    # baseline
    log.print(f"wiped in {common.wipe(store.driver):.1f} s")
    base = baseline(store, batch, args.baseline_seconds)
    store.close()

    write_rate, load_rate = common.rate(total, write_s), common.rate(total, load_s)
    import_rate = common.rate(total, imported["seconds"])
    indexed_rate = common.rate(total, imported["indexed_s"])
    queryable_rate = common.rate(total, imported["queryable_s"])
    base_rate = base["entities_per_s"]
    result = {
        "benchmark": "load",
        "machine": machine,
        "network": {
            "organisations": len(batch.organisations),
            "profile": args.profile,
            "members": members,
            "seed": args.seed,
            "nodes": nodes,
            "relationships": rels,
            "entities": total,
            "rows": len(batch),
        },
        "generate_s": round(gen_s, 2),
        "store_write": {
            "seconds": round(write_s, 2),
            "entities_per_s": round(write_rate),
            "speedup": round(write_rate / base_rate, 1),
            "counts_ok": write_ok,
        },
        "tiergraph_load_csv": {
            "seconds": round(load_s, 2),
            "entities_per_s": round(load_rate),
            "speedup": round(load_rate / base_rate, 1),
            "counts_ok": load_ok,
            "read_check_s": round(load_s - load_write_s, 2),
            "write_s": round(load_write_s, 2),
            "csv_write_s": round(csv_write_s, 2),
        },
        "offline_import": {
            **imported,
            "entities_per_s": round(import_rate),
            "speedup": round(import_rate / base_rate, 1),
            "indexed_entities_per_s": round(indexed_rate),
            "queryable_entities_per_s": round(queryable_rate),
        },
        "baseline_one_row_per_tx": base,
        "targets": {"entities_per_s": TARGET_RATE, "speedup": TARGET_SPEEDUP},
        "run_s": round(time.perf_counter() - run_start, 1),
    }
    if args.format == "json":
        common.emit_json(result)
        return
    out = common.out
    out.print(f"Machine: {common.machine_line(machine)}")
    out.print(
        f"Network: {len(batch.organisations):,} organisations ({args.profile} profile, "
        f"{members} members, seed {args.seed}) = {nodes:,} nodes + {rels:,} relationships = "
        f"{total:,} entities"
    )
    rows = [
        ["store.write (bulk path)", f"{total:,}", f"{write_s:.1f}", f"{write_rate:,.0f}",
         f"{write_rate / base_rate:,.0f}x", "yes" if write_ok else "NO"],
        ["tiergraph load (CSV: parse, check, write)", f"{total:,}", f"{load_s:.1f}",
         f"{load_rate:,.0f}", f"{load_rate / base_rate:,.0f}x", "yes" if load_ok else "NO"],
        ["tiergraph import: importer files + neo4j-admin import (server stopped)",
         f"{total:,}", f"{imported['seconds']:.1f}", f"{import_rate:,.0f}",
         f"{import_rate / base_rate:,.0f}x", "yes" if imported["counts_ok"] else "NO"],
        ["  the same + constraints built (the server's restart left out)",
         f"{total:,}", f"{imported['indexed_s']:.1f}", f"{indexed_rate:,.0f}",
         f"{indexed_rate / base_rate:,.0f}x", "yes" if imported["counts_ok"] else "NO"],
        ["  the same + server restart + constraints built (queryable)",
         f"{total:,}", f"{imported['queryable_s']:.1f}", f"{queryable_rate:,.0f}",
         f"{queryable_rate / base_rate:,.0f}x", "yes" if imported["counts_ok"] else "NO"],
        [f"baseline: one row per transaction (first {base['rows']:,} rows)",
         f"{base['entities']:,}", f"{base['seconds']:.1f}", f"{base_rate:,.0f}", "1x", "-"],
    ]  # fmt: skip
    cols = ["path", "nodes+rels", "seconds", "nodes+rels/s", "vs baseline", "counts match"]
    out.print(common.table("Load", cols, rows))
    out.print(
        f"Baseline rate measured on the first {base['rows']:,} rows (every kind in proportion, "
        f"referenced nodes first) within {args.baseline_seconds:g} s: {base['rows_per_s']:,.0f} "
        f"rows/s. Targets: >= {TARGET_RATE:,}/s "
        f"({'met' if write_rate >= TARGET_RATE else 'NOT met'} by store.write, "
        f"{'met' if import_rate >= TARGET_RATE else 'NOT met'} by the offline import, "
        f"{'met' if indexed_rate >= TARGET_RATE else 'NOT met'} by it with constraints, "
        f"{'met' if queryable_rate >= TARGET_RATE else 'NOT met'} by it until queryable), >= "
        f"{TARGET_SPEEDUP}x the baseline "
        f"({'met' if write_rate / base_rate >= TARGET_SPEEDUP else 'NOT met'})."
    )
    out.print(
        f"Offline import: files {imported['files_s']:.1f} s, importer {imported['importer_s']:.1f} s"
        f" (JVM start included), then server start {imported['start_s']:.1f} s, constraints and "
        f"indexes {imported['schema_s']:.1f} s. The importer needs the server stopped and creates "
        "the database whole: it is for initial loads (docs/formats.md)."
    )
    out.print(
        f"tiergraph load: reading and checking {load_s - load_write_s:.1f} s, writing "
        f"{load_write_s:.1f} s. Generation {gen_s:.1f} s; whole run {result['run_s']:.0f} s."
    )


if __name__ == "__main__":
    main()
