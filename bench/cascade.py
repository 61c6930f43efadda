"""Cascade benchmark: one member's full cascade against the obvious variable-length Cypher.

Ours: `cascade.service.run_here` (the tier walk on the projection, coverage and
gaps of every requirement the member REQUIRES, its audit status; results saved),
timed four ways: cold (the projection built inside the timing, as the first
cascade after a bulk change of the graph, or with no cache on disk), warm (the
projection current, as every later cascade until the next change; three runs, the
median kept), after a write (a small write taken in), and cold with cache (the
projection dropped from the process and loaded from the disk cache inside the
timing, one small write behind, and brought up to date: what a new process, a CLI
command or a restarted worker, pays after a write; three runs, the median kept). Baseline, in
the same run on the same data: `MATCH p=(m:Member {id:$m})-[:SOURCES_FROM*]->(n)
RETURN n.id, min(length(p))`, every record streamed, under a transaction timeout.
The member is the one with the largest network: each member is walked once
(untimed) before the timed runs, which also warms Neo4j's page cache for both
contenders.
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path
from typing import Any

# Run as a script, this folder comes first on sys.path, and bench/cascade.py would
# hide the cascade package: put the project root there instead.
HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from neo4j import Driver, Query  # noqa: E402
from neo4j.exceptions import Neo4jError  # noqa: E402

from bench import common  # noqa: E402
from cascade import engine  # noqa: E402
from cascade import projection as projections  # noqa: E402
from cascade.engine import JobSpec, walk  # noqa: E402
from cascade.jobstore import MemoryJobStore  # noqa: E402
from cascade.service import run_here, run_members_here  # noqa: E402
from graph.model import Adoption, GraphBatch, Kind, Organisation, PassOn, Sourcing  # noqa: E402
from graph.neo4j_store import Neo4jStore  # noqa: E402

BASELINE = """
MATCH p=(m:Member {id: $m})-[:SOURCES_FROM*]->(n)
RETURN n.id AS id, min(length(p)) AS tier
"""
# For reference only (not the baseline): the same MATCH answering in two lists.
BASELINE_LISTS = """
MATCH p=(m:Member {id: $m})-[:SOURCES_FROM*]->(n)
WITH n, min(length(p)) AS tier
RETURN collect(n.id) AS ids, collect(tier) AS tiers
"""
MARKER = (
    "MATCH (b:BenchMarker) "
    "RETURN b.nodes AS nodes, b.seed AS seed, b.members AS members, b.profile AS profile"
)
TARGET_S, TARGET_SPEEDUP = 30, 10
TARGET_CACHED_SPEEDUP = 5  # a new process, starting from the disk cache, at 1M (issue 10)
# projection built; current; brought up to date; loaded from disk (and brought up to date)
KINDS = ("cold", "warm", "changed", "cached")
WARM_RUNS = 3


def ensure_network(
    store: Neo4jStore, size: int, members: int, seed: int, profile: str, reuse: bool
) -> dict:
    """The network of this size, seed and profile in Neo4j: kept (--reuse and the
    marker matches) or wiped and loaded with store.write."""
    driver = store.driver
    want = {"nodes": size, "seed": seed, "members": members, "profile": profile}
    records, _, _ = driver.execute_query(MARKER)
    if reuse and len(records) == 1 and dict(records[0]) == want:
        common.log.print(f"{size:,}: reusing the network already loaded")
        return {"reused": True, "load_s": None, "generate_s": None, "entities": None}
    common.log.print(f"{size:,}: wiped in {common.wipe(driver):.1f} s")
    t0 = time.perf_counter()
    with common.log.status(f"generating {size:,} organisations ({profile})..."):
        batch = common.network(size, members, seed, profile)
    gen_s = time.perf_counter() - t0
    nodes, rels = common.entities(batch)
    work = len(batch) + len(batch.audits) + len(batch.findings)
    t0 = time.perf_counter()
    with common.progress(f"loading {size:,}", work) as advance:
        store.write(batch, progress=advance)
    load_s = time.perf_counter() - t0
    del batch
    gc.collect()
    driver.execute_query(
        "CREATE (:BenchMarker {nodes: $nodes, seed: $seed, members: $members, profile: $profile})",
        want,
    )
    common.log.print(
        f"{size:,}: generated in {gen_s:.1f} s, loaded {nodes + rels:,} nodes+rels in "
        f"{load_s:.1f} s ({(nodes + rels) / load_s:,.0f}/s)"
    )
    return {"reused": False, "load_s": round(load_s, 1), "generate_s": round(gen_s, 1),
            "entities": nodes + rels}  # fmt: skip


def largest_member(store: Neo4jStore) -> tuple[str, dict[str, int]]:
    """The member whose network (walked) holds the most nodes; ties by id."""
    sizes = {}
    for m in store.members():
        with common.log.status(f"walking {m} to size its network..."):
            sizes[m] = len(walk(store, m).tier)
    projections.forget(store)
    return max(sorted(sizes), key=lambda m: sizes[m]), sizes


def ours(db: common.Timed, member: str) -> dict[str, Any]:
    """run_here through the timed store `db`, timed as a whole and by phase: the
    projection (version checks, and its build when stale), each walk step, and in
    the evaluate step coverage per requirement, audit status and the store calls."""
    db.seconds.clear(), db.calls.clear(), db.each.clear()
    jobs = common.Timed(MemoryJobStore())
    marks: list[tuple[int, float]] = []

    def on_step(meta: dict[str, Any]) -> None:  # after each walk step
        marks.append((meta["nodes"], time.perf_counter()))

    with (
        common.timed_functions(projections, ["current", "build", "_from_disk"]) as proj,
        common.timed_functions(engine, ["coverage", "audit_status"]) as ev,
    ):
        t0 = time.perf_counter()
        meta = run_here(db, JobSpec(member), jobs=jobs, on_step=on_step)
        total = time.perf_counter() - t0
    # run_all takes the projection once, before the first step: the version check,
    # and the build if stale.
    checks = sum(proj["current"])
    tiers, prev = [], (0, t0 + checks)
    for k, (nodes, at) in enumerate(marks, start=1):
        tiers.append({
            "tier": k, "new_nodes": nodes - prev[0],
            "seconds": round(at - prev[1], 3),
            "checkpoint_s": round(jobs.each["put_step"][k - 1], 3),
        })  # fmt: skip
        prev = (nodes, at)
    evaluate_s = t0 + total - prev[1]
    timed_parts = sum(ev["coverage"]) + sum(ev["audit_status"])
    timed_parts += db.seconds["save_results"] + db.seconds["recognised_schemes"]
    build_s = sum(proj["build"])
    return {
        "seconds": round(total, 2),
        "nodes": meta["nodes"],
        "tiers": meta["tier"],
        "requirements": len(meta["requirements"]),
        "projection_built": bool(proj["build"]),
        "projection_s": round(build_s, 2),
        "projection_parts": projections.current(db).build_seconds if build_s else {},
        # a look at the disk is made on every miss; a load leaves its mark in build_seconds
        "projection_loaded": "load cache" in projections.current(db).build_seconds,
        "projection_load_s": round(sum(proj["_from_disk"]), 3),
        "version_checks_s": round(checks - build_s, 3),
        "walk": tiers,
        "walk_s": round(sum(t["seconds"] for t in tiers), 2),
        "evaluate_s": round(evaluate_s, 2),
        "coverage_s": [round(s, 3) for s in ev["coverage"]],
        "audit_status_s": round(sum(ev["audit_status"]), 3),
        "save_results_s": round(db.seconds["save_results"], 3),
        "recognised_schemes_s": round(db.seconds["recognised_schemes"], 3),
        "evaluate_other_s": round(evaluate_s - timed_parts, 3),
    }


def cold_and_warm(store: Neo4jStore, member: str) -> dict[str, Any]:
    """One cold run (no projection kept, none on disk), WARM_RUNS warm ones, WARM_RUNS
    after a write, WARM_RUNS from the disk cache; memory use."""
    db = common.Timed(store)  # the projection is kept per store object: this one
    projections.forget(db, on_disk=True)
    gc.collect()
    rss0 = common.rss_mb()
    cold = ours(db, member)
    kept = projections.current(db)
    memory = {"projection_mb": round(kept.nbytes / 1e6, 1),
              "rss_growth_mb": round(common.rss_mb() - rss0, 1)}  # fmt: skip
    del kept
    warm_runs = [ours(db, member) for _ in range(WARM_RUNS)]
    warm = sorted(warm_runs, key=lambda r: r["seconds"])[len(warm_runs) // 2]
    warm["all_s"] = [r["seconds"] for r in warm_runs]
    changed_runs = []
    for _ in range(WARM_RUNS):
        small_write(store, member, walk(db, member).tier)
        changed_runs.append(ours(db, member))  # the write taken in, inside the timing
    changed = sorted(changed_runs, key=lambda r: r["seconds"])[len(changed_runs) // 2]
    changed["all_s"] = [r["seconds"] for r in changed_runs]
    cached_runs = []
    for _ in range(WARM_RUNS):  # a new process after a small write: the file, one write behind
        projections.forget(db, on_disk=True)
        projections.current(db)  # untimed: read whole, and the file written at this version
        small_write(store, member, walk(db, member).tier)
        projections.forget(db)  # nothing kept in the process but the file
        gc.collect()
        cached_runs.append(ours(db, member))
    cached = sorted(cached_runs, key=lambda r: r["seconds"])[len(cached_runs) // 2]
    cached["all_s"] = [r["seconds"] for r in cached_runs]
    tiers = walk(db, member).tier
    projections.forget(db)
    return {"cold": cold, "warm": warm, "changed": changed, "cached": cached, "memory": memory,
            "_tier": tiers}  # fmt: skip


def every_member(store: Neo4jStore) -> dict[str, Any]:
    """`cascade run --all`: every member's cascade on one projection, cold (built
    inside the timing) then warm; how many times the graph was read."""
    db = common.Timed(store)  # a fresh wrapper: no projection kept for it yet
    runs = {}
    with common.timed_functions(projections, ["build"]) as built:
        for kind in ("cold", "warm"):
            t0 = time.perf_counter()
            metas = run_members_here(db)
            runs[kind] = round(time.perf_counter() - t0, 2)
    projections.forget(db)
    return {"members": len(metas), "nodes": sum(m["nodes"] for m in metas),
            "cold_s": runs["cold"], "warm_s": runs["warm"],
            "projection_builds": len(built["build"]),
            "organisation_reads": db.calls["organisation_columns"]}  # fmt: skip


def small_write(store: Neo4jStore, member: str, tiers: dict[str, int]) -> None:
    """What a supplier does through the API: registers a new sub-supplier under a
    tier-1 supplier, passes the member's first requirement on to it, and it adopts."""
    seller = min(n for n, t in tiers.items() if t == 1)
    requirement = store.requirements_of(member)[0]
    new = f"BENCH-NEW-{len(tiers)}"
    store.write(GraphBatch(
        organisations=[Organisation(new, Kind.SUPPLIER, "New sub-supplier", "GH")],
        sourcing=[Sourcing(seller, new, "cocoa")],
        pass_on=[PassOn(seller, new, requirement)],
        adoptions=[Adoption(new, requirement)],
    ))  # fmt: skip


def baseline(driver: Driver, member: str, timeout: float) -> dict[str, Any]:
    """The variable-length query, every record streamed, under a transaction timeout."""
    found: dict[str, int] = {}
    t0 = time.perf_counter()
    try:
        with driver.session() as session, common.log.status("baseline: variable-length MATCH..."):
            for rec in session.run(Query(BASELINE, timeout=timeout), m=member):
                found[rec[0]] = rec[1]
    except Neo4jError as exc:
        return {"seconds": None, "finished": False, "error": exc.code,
                "after_s": round(time.perf_counter() - t0, 1)}  # fmt: skip
    found.pop(member, None)  # a cycle back to the member: ours leaves the member out
    return {"seconds": round(time.perf_counter() - t0, 2), "finished": True, "_tier": found}


def as_lists(driver: Driver, member: str, timeout: float) -> float | None:
    """Seconds of BASELINE_LISTS (None: timed out): what the baseline costs without streaming."""
    t0 = time.perf_counter()
    try:
        with driver.session() as session:
            session.run(Query(BASELINE_LISTS, timeout=timeout), m=member).single(strict=True)
    except Neo4jError:
        return None
    return round(time.perf_counter() - t0, 2)


def main() -> None:
    p = common.parser(__doc__.split("\n")[0])
    p.add_argument("--sizes", default="20000,200000,1000000", help="organisations per network")
    common.network_arguments(p, members=5)
    p.add_argument("--baseline-timeout", type=float, default=120.0, help="seconds")
    p.add_argument(
        "--reuse",
        action="store_true",
        help="keep a network loaded with the same size/seed/members/profile",
    )
    args = p.parse_args()
    common.require_yes(args)
    members = common.members_of(args)
    run_start = time.perf_counter()
    store = Neo4jStore.connect(args.uri)
    machine = common.machine(store.driver)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        loaded = ensure_network(store, size, members, args.seed, args.profile, args.reuse)
        member, networks = largest_member(store)
        common.log.print(f"{size:,}: networks {networks}; member {member}; running ours...")
        mine = cold_and_warm(store, member)
        common.log.print(f"{size:,}: every member (cascade run --all)...")
        everyone = every_member(store)
        common.log.print(
            f"{size:,}: ours cold {mine['cold']['seconds']:.1f} s, warm "
            f"{mine['warm']['seconds']:.1f} s; running the baseline..."
        )
        base = baseline(store.driver, member, args.baseline_timeout)
        lists_s = as_lists(store.driver, member, args.baseline_timeout)
        agree = base["_tier"] == mine["_tier"] if base["finished"] else None
        speedup = {
            k: round(base["seconds"] / mine[k]["seconds"], 1) if base["finished"] else None
            for k in KINDS
        }
        mine.pop("_tier"), base.pop("_tier", None)
        results.append({
            "size": size, "member": member, "member_networks": networks, **loaded,
            "baseline_as_lists_s": lists_s, "ours": mine, "baseline": base,
            "speedup": speedup, "tiers_agree": agree, "all_members": everyone,
            "load_avg": common.load_average(),
        })  # fmt: skip
        gc.collect()
    store.close()
    data = {"benchmark": "cascade", "machine": machine, "profile": args.profile,
            "members": members, "seed": args.seed,
            "baseline_timeout_s": args.baseline_timeout, "runs": results,
            "targets": {"seconds_at_1m": TARGET_S, "speedup": TARGET_SPEEDUP},
            "run_s": round(time.perf_counter() - run_start, 1)}  # fmt: skip
    if args.format == "json":
        common.emit_json(data)
    else:
        print_tables(data, args.baseline_timeout)


def _secs(seconds: float | None, timeout: float) -> str:
    return f"{seconds:.1f} s" if seconds is not None else f"did not finish in {timeout:g} s"


def print_tables(data: dict[str, Any], timeout: float) -> None:
    out = common.out
    out.print(f"Machine: {common.machine_line(data['machine'])}")
    out.print(
        f"Networks: the {data['profile']} profile, {data['members']} members, seed {data['seed']}"
    )
    rows = []
    for r in data["runs"]:
        o, b = r["ours"], r["baseline"]
        agree = {True: "tiers agree", False: "TIERS DIFFER", None: "-"}[r["tiers_agree"]]
        load = "reused" if r["reused"] else f"{r['load_s']:.1f}"
        cold, warm, changed, cached = o["cold"], o["warm"], o["changed"], o["cached"]
        rows.append([f"{r['size']:,}", r["member"], f"{cold['nodes']:,}", cold["tiers"], load,
                     f"{cold['seconds']:.2f}", _x(r["speedup"]["cold"]),
                     f"{warm['seconds']:.2f}", _x(r["speedup"]["warm"]),
                     f"{changed['seconds']:.2f}", _x(r["speedup"]["changed"]),
                     f"{cached['seconds']:.2f}", _x(r["speedup"]["cached"]),
                     _secs(b["seconds"], timeout), agree])  # fmt: skip
    cols = ["organisations", "member", "nodes in network", "tiers", "load (s)", "cold (s)",
            "speedup", "warm (s)", "speedup", "after a write (s)", "speedup",
            "cold with cache (s)", "speedup", "baseline",
            "check"]  # fmt: skip
    title = "Full cascade of one member (walk + coverage + gaps + audits + results saved)"
    out.print(common.table(title, cols, rows))
    out.print(
        "cold: the projection built inside the timing (the first cascade after a change of "
        "the graph); warm: the projection current (every later cascade until the next "
        f"change), median of {WARM_RUNS}; after a write: a supplier's small write (a new "
        "sub-supplier, a pass-on, an adoption) just before, taken into the projection inside "
        f"the timing, median of {WARM_RUNS} (a write before each); cold with cache: as a "
        "new process after a small write, nothing kept in the process but the file (written "
        "one write before), loaded and brought up to date inside the timing, median of "
        f"{WARM_RUNS}. Speedup = baseline / ours."
    )
    for r in data["runs"]:
        a = r["all_members"]
        out.print(
            f"Every member at {r['size']:,} organisations (cascade run --all): {a['members']} "
            f"members, {a['nodes']:,} nodes in their networks together; cold {a['cold_s']:.1f} s "
            f"(the graph read {a['organisation_reads']} time(s)), warm {a['warm_s']:.1f} s."
        )
    for r in data["runs"]:
        print_breakdown(r, timeout)
    for r in data["runs"]:
        if r["size"] >= 1_000_000:
            for k in KINDS:
                verdict = "met" if r["ours"][k]["seconds"] < TARGET_S else "NOT met"
                out.print(f"Target < {TARGET_S} s at {r['size']:,} organisations, {k}: {verdict}.")
    for r in data["runs"]:
        if r["size"] >= 1_000_000 and r["speedup"]["cached"]:
            verdict = "met" if r["speedup"]["cached"] >= TARGET_CACHED_SPEEDUP else "NOT met"
            out.print(f"Target >= {TARGET_CACHED_SPEEDUP}x at {r['size']:,}, cold with cache: "
                      f"{verdict}.")  # fmt: skip
    for k in KINDS:
        done = [r["speedup"][k] for r in data["runs"] if r["speedup"][k]]
        if done:
            verdict = "met" if min(done) >= TARGET_SPEEDUP else "NOT met"
            out.print(f"Target >= {TARGET_SPEEDUP}x where the baseline finished, {k}: {verdict}.")
    out.print(f"Whole run {data['run_s']:.0f} s. Ours ran first, then the baseline, same data.")


def print_breakdown(r: dict[str, Any], timeout: float) -> None:
    runs = [r["ours"][k] for k in KINDS]
    cold = runs[0]

    def row(label: str, nodes: str, key: str) -> list[str]:
        return [label, nodes, *(_f(run[key]) for run in runs)]

    rows = [["projection built", "",
             *(_f(run["projection_s"]) if run["projection_built"] else "-" for run in runs)]]  # fmt: skip
    rows += [[f"  {part}", "", _f(s), *[""] * (len(runs) - 1)]
             for part, s in cold["projection_parts"].items()]  # fmt: skip
    rows.append(["projection loaded from the disk cache", "",
                 *(_f(run["projection_load_s"]) if run.get("projection_loaded") else "-"
                   for run in runs)])  # fmt: skip
    rows.append(row("graph version check (and a write taken in)", "", "version_checks_s"))
    for k, c in enumerate(cold["walk"]):
        rows.append([f"walk: tier {c['tier']}", f"{c['new_nodes']:,}",
                     *(_f(run["walk"][k]["seconds"]) if k < len(run["walk"]) else "-"
                       for run in runs)])  # fmt: skip
    rows.append(row("walk, all tiers (checkpoints included)", f"{cold['nodes']:,}", "walk_s"))
    rows.append(row(f"evaluate ({cold['requirements']} requirements + audits)", "", "evaluate_s"))
    for i in range(len(cold["coverage_s"])):
        rows.append([f"  coverage and gaps, requirement {i + 1}", "",
                     *(_f(run["coverage_s"][i]) for run in runs)])  # fmt: skip
    for key, label in (("audit_status_s", "audit status"),
                       ("recognised_schemes_s", "recognised_schemes (store)"),
                       ("save_results_s", "save_results (store)"),
                       ("evaluate_other_s", "the rest (payloads, job status)")):  # fmt: skip
        rows.append(row(f"  {label}", "", key))
    rows.append(row("total (run_here)", "", "seconds"))
    title = f"Breakdown, {r['size']:,} organisations, member {r['member']}"
    cols = ["step", "new nodes", "cold (s)", "warm (s)", "after a write (s)",
            "cold with cache (s)"]  # fmt: skip
    common.out.print(common.table(title, cols, rows))
    m = r["ours"]["memory"]
    common.out.print(
        f"Warm runs: {runs[1]['all_s']} s; after a write: {runs[2]['all_s']} s; cold with "
        f"cache: {runs[3]['all_s']} s. Projection: {m['projection_mb']:,.1f} MB of arrays; "
        f"the process grew {m['rss_growth_mb']:,.0f} MB over the cold run. Load average "
        f"after the run: {r['load_avg']}. For reference (not the baseline): the same MATCH "
        f"answering with two collect() lists took {_secs(r['baseline_as_lists_s'], timeout)}. "
        f"Networks: {r['member_networks']}"
    )


def _f(seconds: float) -> str:
    return f"{seconds:.2f}"


def _x(speedup: float | None) -> str:
    return f"{speedup:.1f}x" if speedup else "-"


if __name__ == "__main__":
    main()
