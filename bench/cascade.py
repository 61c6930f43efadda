"""Cascade benchmark: one member's full cascade against the obvious variable-length Cypher.

Ours: `cascade.service.run_here` (the tier walk, one query per tier, then coverage
and gaps of every requirement the member REQUIRES and its audit status; results
saved). Baseline, in the same run on the same data:
`MATCH p=(m:Member {id:$m})-[:SOURCES_FROM*]->(n) RETURN n.id, min(length(p))`,
every record streamed, under a transaction timeout. The member is the one with
the largest network: each member is walked once (`cascade.engine.walk`, untimed)
before the timed runs, which also warms Neo4j's page cache for both contenders.
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
from cascade.engine import JobRunner, JobSpec, by_id, walk  # noqa: E402
from cascade.jobstore import MemoryJobStore  # noqa: E402
from cascade.service import run_here  # noqa: E402
from graph.neo4j_store import Neo4jStore  # noqa: E402
from loaders.generate import generate  # noqa: E402

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
MARKER = "MATCH (b:BenchMarker) RETURN b.nodes AS nodes, b.seed AS seed, b.members AS members"
TARGET_S, TARGET_SPEEDUP = 30, 10


def ensure_network(store: Neo4jStore, size: int, members: int, seed: int, reuse: bool) -> dict:
    """The network of this size and seed in Neo4j: kept (--reuse and the marker
    matches) or wiped and loaded with store.write."""
    driver = store.driver
    want = {"nodes": size, "seed": seed, "members": members}
    records, _, _ = driver.execute_query(MARKER)
    if reuse and len(records) == 1 and dict(records[0]) == want:
        common.log.print(f"{size:,}: reusing the network already loaded")
        return {"reused": True, "load_s": None, "generate_s": None, "entities": None}
    common.log.print(f"{size:,}: wiped in {common.wipe(driver):.1f} s")
    t0 = time.perf_counter()
    with common.log.status(f"generating {size:,} organisations..."):
        batch = generate(nodes=size, members=members, seed=seed)
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
        "CREATE (:BenchMarker {nodes: $nodes, seed: $seed, members: $members})", want
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
    return max(sorted(sizes), key=lambda m: sizes[m]), sizes


def ours(store: Neo4jStore, member: str) -> dict[str, Any]:
    """run_here, timed as a whole, per walk step (all store calls in the step), and
    per store method in the evaluate step, whatever methods the engine calls."""
    db, jobs = common.Timed(store), common.Timed(MemoryJobStore())
    marks: list[tuple[int, float, dict[str, float], dict[str, int]]] = []

    def on_step(meta: dict[str, Any]) -> None:  # after each walk step
        marks.append((meta["nodes"], time.perf_counter(), dict(db.seconds), dict(db.calls)))

    t0 = time.perf_counter()
    meta = run_here(db, JobSpec(member), jobs=jobs, on_step=on_step)
    total = time.perf_counter() - t0
    inner = jobs._inner
    network = by_id(store, JobRunner(store, inner, meta["id"]).network(len(marks)))
    tiers, prev = [], (0, t0, {}, {})
    for k, mark in enumerate(marks, start=1):
        tiers.append({
            "tier": k, "new_nodes": mark[0] - prev[0],
            "edges_read": len(inner.step(meta["id"], k)["src"]),
            "seconds": round(mark[1] - prev[1], 3),
            "query_s": round(sum(mark[2].values()) - sum(prev[2].values()), 3),
            "checkpoint_s": round(jobs.each["put_step"][k - 1], 3),
        })  # fmt: skip
        prev = mark
    evaluate_s = t0 + total - prev[1]
    queries = {  # the evaluate step's store calls
        name: {"calls": db.calls[name] - prev[3].get(name, 0),
               "seconds": round(s - prev[2].get(name, 0.0), 3)}
        for name, s in db.seconds.items()
        if db.calls[name] > prev[3].get(name, 0)
    }  # fmt: skip
    return {
        "seconds": round(total, 2),
        "nodes": len(network.tier),
        "tiers": network.depth,
        "requirements": len(meta["requirements"]),
        "walk": tiers,
        "walk_s": round(sum(t["seconds"] for t in tiers), 2),
        "evaluate_s": round(evaluate_s, 2),
        "evaluate_python_s": round(evaluate_s - sum(q["seconds"] for q in queries.values()), 2),
        "queries": queries,
        "_tier": network.tier,
    }


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
    p.add_argument("--members", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--baseline-timeout", type=float, default=120.0, help="seconds")
    p.add_argument(
        "--reuse", action="store_true", help="keep a network loaded with the same size/seed/members"
    )
    args = p.parse_args()
    common.require_yes(args)
    run_start = time.perf_counter()
    store = Neo4jStore.connect(args.uri)
    machine = common.machine(store.driver)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        loaded = ensure_network(store, size, args.members, args.seed, args.reuse)
        member, networks = largest_member(store)
        common.log.print(f"{size:,}: networks {networks}; member {member}; running ours...")
        mine = ours(store, member)
        common.log.print(f"{size:,}: ours {mine['seconds']:.1f} s; running the baseline...")
        base = baseline(store.driver, member, args.baseline_timeout)
        lists_s = as_lists(store.driver, member, args.baseline_timeout)
        agree = None
        if base["finished"]:
            agree = base["_tier"] == mine["_tier"]
        speedup = base["seconds"] / mine["seconds"] if base["finished"] else None
        results.append({
            "size": size, "member": member, "member_networks": networks, **loaded,
            "baseline_as_lists_s": lists_s, "ours": mine, "baseline": base,
            "speedup": round(speedup, 1) if speedup else None, "tiers_agree": agree,
        })  # fmt: skip
        mine.pop("_tier"), base.pop("_tier", None)
        gc.collect()
    store.close()
    data = {"benchmark": "cascade", "machine": machine, "members": args.members, "seed": args.seed,
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
    rows = []
    for r in data["runs"]:
        o, b = r["ours"], r["baseline"]
        base = _secs(b["seconds"], timeout)
        agree = {True: "tiers agree", False: "TIERS DIFFER", None: "-"}[r["tiers_agree"]]
        load = "reused" if r["reused"] else f"{r['load_s']:.1f}"
        speedup = f"{r['speedup']:.1f}x" if r["speedup"] else "-"
        rows.append([f"{r['size']:,}", r["member"], f"{o['nodes']:,}", o["tiers"], load,
                     f"{o['seconds']:.1f}", base, speedup, agree])  # fmt: skip
    cols = ["organisations", "member", "nodes in network", "tiers", "load (s)", "ours (s)",
            "baseline", "speedup", "check"]  # fmt: skip
    title = "Full cascade of one member (ours: walk + coverage + gaps + audits)"
    out.print(common.table(title, cols, rows))
    cols = ["step", "new nodes", "edges read", "seconds", "store call (s)", "checkpoint (s)"]
    for r in data["runs"]:
        o = r["ours"]
        rows = [[f"tier {t['tier']}" + (" (+ job set-up)" if t["tier"] == 1 else ""), f"{t['new_nodes']:,}", f"{t['edges_read']:,}",
                 f"{t['seconds']:.2f}", f"{t['query_s']:.2f}", f"{t['checkpoint_s']:.2f}"]
                for t in o["walk"]]  # fmt: skip
        rows.append(["walk, all tiers", f"{o['nodes']:,}", "", f"{o['walk_s']:.2f}", "", ""])
        label = f"evaluate ({o['requirements']} requirements + audits)"
        rows.append([label, "", "", f"{o['evaluate_s']:.2f}", "", ""])
        for name, q in o["queries"].items():
            rows.append([f"  {name} x{q['calls']}", "", "", "", f"{q['seconds']:.2f}", ""])
        label = "  of which outside store calls (coverage, audit status...)"
        rows.append([label, "", "", f"{o['evaluate_python_s']:.2f}", "", ""])
        rows.append(["total (run_here)", "", "", f"{o['seconds']:.2f}", "", ""])
        title = f"Breakdown, {r['size']:,} organisations, member {r['member']}"
        out.print(common.table(title, cols, rows))
        out.print(
            f"For reference (not the baseline): the same MATCH answering with two collect() "
            f"lists took {_secs(r['baseline_as_lists_s'], timeout)}. Networks: {r['member_networks']}"
        )
    for r in data["runs"]:
        if r["size"] >= 1_000_000:
            verdict = "met" if r["ours"]["seconds"] < TARGET_S else "NOT met"
            out.print(f"Target < {TARGET_S} s at {r['size']:,} organisations: {verdict}.")
    done = [r["speedup"] for r in data["runs"] if r["speedup"]]
    if done:
        verdict = "met" if min(done) >= TARGET_SPEEDUP else "NOT met"
        out.print(f"Target >= {TARGET_SPEEDUP}x where the baseline finished: {verdict}.")
    out.print(f"Whole run {data['run_s']:.0f} s. Ours ran first, then the baseline, same data.")


if __name__ == "__main__":
    main()
