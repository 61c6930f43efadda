"""Cascade benchmark: one member's full cascade against the obvious variable-length Cypher.

Ours: `cascade.service.run_here` (the tier walk, one query per tier, then coverage
and gaps of every requirement the member REQUIRES and its audit status; results
saved). Baseline, in the same run on the same data:
`MATCH p=(m:Member {id:$m})-[:SOURCES_FROM*]->(n) RETURN n.id, min(length(p))`,
every record streamed, under a transaction timeout. The member is the one with
the most distinct tier-1 suppliers (a count in Neo4j).
"""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

import common  # noqa: E402
from neo4j import Driver, Query  # noqa: E402
from neo4j.exceptions import Neo4jError  # noqa: E402

from cascade.engine import JobRunner, JobSpec  # noqa: E402
from cascade.jobstore import MemoryJobStore  # noqa: E402
from cascade.service import run_here  # noqa: E402
from graph.neo4j_store import Neo4jStore  # noqa: E402
from loaders.generate import generate  # noqa: E402

BASELINE = """
MATCH p=(m:Member {id: $m})-[:SOURCES_FROM*]->(n)
RETURN n.id AS id, min(length(p)) AS tier
"""
PICK_MEMBER = """
MATCH (m:Member)-[:SOURCES_FROM]->(s:Organisation)
RETURN m.id AS id, count(DISTINCT s) AS n ORDER BY n DESC, id LIMIT 1
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
    driver.execute_query("CREATE (:BenchMarker {nodes: $nodes, seed: $seed, members: $members})", want)
    common.log.print(
        f"{size:,}: generated in {gen_s:.1f} s, loaded {nodes + rels:,} nodes+rels in "
        f"{load_s:.1f} s ({(nodes + rels) / load_s:,.0f}/s)"
    )
    return {"reused": False, "load_s": round(load_s, 1), "generate_s": round(gen_s, 1),
            "entities": nodes + rels}  # fmt: skip


class Logged(common.Timed):
    """Timed, and keeps each call's seconds in order (one sourcing_out per tier)."""

    def __init__(self, inner: Any):
        super().__init__(inner)
        self.each: dict[str, list[float]] = {}

    def __getattr__(self, name: str) -> Any:
        fn = super().__getattr__(name)
        if not callable(fn):
            return fn

        def logged(*args: Any, **kwargs: Any) -> Any:
            before = self.seconds[name]
            try:
                return fn(*args, **kwargs)
            finally:
                self.each.setdefault(name, []).append(self.seconds[name] - before)

        return logged


def ours(store: Neo4jStore, member: str) -> dict[str, Any]:
    """run_here, timed as a whole and broken down by tier, query and step."""
    db, jobs = Logged(store), Logged(MemoryJobStore())
    marks: list[tuple[int, float]] = []  # (nodes so far, time) after each walk step
    t0 = time.perf_counter()
    meta = run_here(
        db, JobSpec(member), jobs=jobs, on_step=lambda m: marks.append((m["nodes"], time.perf_counter()))
    )
    total = time.perf_counter() - t0
    inner = jobs._inner
    network = JobRunner(store, inner, meta["id"]).network(len(marks))
    tiers, prev_nodes, prev_t = [], 0, t0 + db.seconds["kinds"] + db.seconds["requirements_of"]
    for k, (nodes, t) in enumerate(marks, start=1):
        tiers.append({
            "tier": k, "new_nodes": nodes - prev_nodes, "edges_read": len(inner.step(meta["id"], k)["src"]),
            "seconds": round(t - prev_t, 3), "query_s": round(db.each["sourcing_out"][k - 1], 3),
            "checkpoint_s": round(jobs.each["put_step"][k - 1], 3),
        })  # fmt: skip
        prev_nodes, prev_t = nodes, t
    evaluate_s = t0 + total - prev_t
    queries = {
        name: {"calls": db.calls[name], "seconds": round(s, 3)}
        for name, s in db.seconds.items()
        if name != "sourcing_out"
    }
    in_queries = sum(
        db.seconds[n] for n in ("pass_on_pairs", "adopters", "audit_facts", "recognised_schemes", "save_results")
    )  # fmt: skip
    return {
        "seconds": round(total, 2),
        "nodes": len(network.tier),
        "tiers": network.depth,
        "requirements": len(meta["requirements"]),
        "walk": tiers,
        "walk_s": round(sum(t["seconds"] for t in tiers), 2),
        "evaluate_s": round(evaluate_s, 2),
        "evaluate_python_s": round(evaluate_s - in_queries, 2),
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


def main() -> None:
    p = common.parser(__doc__.split("\n")[0])
    p.add_argument("--sizes", default="20000,200000,1000000", help="organisations per network")
    p.add_argument("--members", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--baseline-timeout", type=float, default=120.0, help="seconds")
    p.add_argument("--reuse", action="store_true", help="keep a network loaded with the same size/seed/members")
    args = p.parse_args()
    common.require_yes(args)
    run_start = time.perf_counter()
    store = Neo4jStore.connect(args.uri)
    machine = common.machine(store.driver)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        loaded = ensure_network(store, size, args.members, args.seed, args.reuse)
        member = store.driver.execute_query(PICK_MEMBER).records[0]["id"]
        common.log.print(f"{size:,}: member {member}; running ours...")
        mine = ours(store, member)
        common.log.print(f"{size:,}: ours {mine['seconds']:.1f} s; running the baseline...")
        base = baseline(store.driver, member, args.baseline_timeout)
        agree = None
        if base["finished"]:
            agree = base["_tier"] == mine["_tier"]
        speedup = base["seconds"] / mine["seconds"] if base["finished"] else None
        results.append({
            "size": size, "member": member, **loaded, "ours": mine, "baseline": base,
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


def print_tables(data: dict[str, Any], timeout: float) -> None:
    out = common.out
    out.print(f"Machine: {common.machine_line(data['machine'])}")
    rows = []
    for r in data["runs"]:
        o, b = r["ours"], r["baseline"]
        base = f"{b['seconds']:.1f}" if b["finished"] else f"did not finish in {timeout:g} s"
        agree = {True: "tiers agree", False: "TIERS DIFFER", None: "-"}[r["tiers_agree"]]
        rows.append([f"{r['size']:,}", r["member"], f"{o['nodes']:,}", o["tiers"],
                     "reused" if r["reused"] else f"{r['load_s']:.1f}", f"{o['seconds']:.1f}",
                     base, f"{r['speedup']:.1f}x" if r["speedup"] else "-", agree])  # fmt: skip
    cols = ["organisations", "member", "nodes in network", "tiers", "load (s)", "ours (s)",
            "baseline (s)", "speedup", "check"]  # fmt: skip
    out.print(common.table("Full cascade of one member (ours: walk + coverage + gaps + audits)", cols, rows))
    for r in data["runs"]:
        o = r["ours"]
        rows = [[f"tier {t['tier']}", f"{t['new_nodes']:,}", f"{t['edges_read']:,}", f"{t['seconds']:.2f}",
                 f"{t['query_s']:.2f}", f"{t['checkpoint_s']:.2f}"] for t in o["walk"]]  # fmt: skip
        rows.append(["walk, all tiers", f"{o['nodes']:,}", "", f"{o['walk_s']:.2f}", "", ""])
        for name, q in o["queries"].items():
            rows.append([f"  {name} x{q['calls']}", "", "", f"{q['seconds']:.2f}", f"{q['seconds']:.2f}", ""])
        rows.append([f"evaluate ({o['requirements']} requirements + audits)", "", "", f"{o['evaluate_s']:.2f}", "", ""])
        rows.append(["  of which Python (coverage, audit status)", "", "", f"{o['evaluate_python_s']:.2f}", "", ""])
        rows.append(["total (run_here)", "", "", f"{o['seconds']:.2f}", "", ""])
        cols = ["step", "new nodes", "edges read", "seconds", "in Neo4j query (s)", "checkpoint (s)"]
        out.print(common.table(f"Breakdown, {r['size']:,} organisations, member {r['member']}", cols, rows))
    big = [r for r in data["runs"] if r["size"] >= 1_000_000]
    for r in big:
        verdict = "met" if r["ours"]["seconds"] < TARGET_S else "NOT met"
        out.print(f"Target < {TARGET_S} s at {r['size']:,} organisations: {verdict}.")
    done = [r for r in data["runs"] if r["speedup"]]
    if done:
        least = min(r["speedup"] for r in done)
        verdict = "met" if least >= TARGET_SPEEDUP else "NOT met"
        out.print(f"Target >= {TARGET_SPEEDUP}x where the baseline finished: {verdict} (least {least:.1f}x).")
    out.print(f"Whole run {data['run_s']:.0f} s. Ours runs first, then the baseline, on the same loaded data.")


if __name__ == "__main__":
    main()
