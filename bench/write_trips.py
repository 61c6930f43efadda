"""Where a write-mix request's time goes on Neo4j (issue 12): per operation, its
Bolt round trips (how many, what they carried, how long the process waited on
them), the process's own CPU and the Neo4j JVM's CPU.

In one process, through the ASGI app (no sockets; what a served process keeps
made before the first request, as `tiergraph serve` does), on a network of `--nodes`
organisations (bench/api.py's, seed 1; `--keep` reuses what bench/api.py left
at --uri instead of wiping and loading it). Operations, in turn, each `--requests`
times: registerSupplier (a new name), tierCoverage right after it (the read's
catch-up through the kept changes), passOn, tierCoverage after it. A round trip
is one flush of the driver's outbox; it is labelled by the Bolt messages it
carried (RUN with the statement's first words, BEGIN, COMMIT) and its wait is the
wall time spent reading its answers. The JVM's CPU is /proc/PID/stat's
utime+stime of the process listening on --uri's port (clock ticks: averages over
the requests only). One process here: bench/api.py's second server process also
catches up after each write, which this does not show.

    python bench/write_trips.py --uri $TIERGRAPH_NEO4J_URI --yes --keep
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from neo4j._sync.io._bolt._base import Bolt  # noqa: E402

from api.app import create_app  # noqa: E402
from bench import common  # noqa: E402
from bench.api import QUERIES, actor, listener_pid, member_keys, process_cpu_seconds  # noqa: E402
from bench.graphql_cpu import post  # noqa: E402
from graph.neo4j_store import Neo4jStore  # noqa: E402
from graph.version_board import VersionBoard  # noqa: E402
from loaders.generate import generate  # noqa: E402
from tiergraph.settings import Settings  # noqa: E402


class Trips:
    """Round trips of the threads that run requests, counted while `on`."""

    def __init__(self) -> None:
        self.on = False
        self.pending: list[str] = []
        self.trips: list[list[Any]] = []  # [label, wait seconds]
        self.lock = threading.Lock()

    def install(self) -> None:
        trips = self
        append, send_all, fetch = Bolt._append, Bolt._send_all, Bolt.fetch_message

        def _append(self: Any, signature: bytes, fields: tuple = (), *a: Any, **k: Any) -> Any:
            if trips.on:
                name = {b"\x10": "RUN", b"\x11": "BEGIN", b"\x12": "COMMIT", b"\x13": "ROLLBACK"}
                label = name.get(signature)
                if label == "RUN" and fields:
                    words = " ".join(str(fields[0]).split())
                    label = f"RUN {words[:70]}"
                if label:
                    trips.pending.append(label)
            return append(self, signature, fields, *a, **k)

        def _send_all(self: Any) -> Any:
            if trips.on and trips.pending:
                with trips.lock:
                    trips.trips.append([" + ".join(trips.pending), 0.0])
                    trips.pending = []
            return send_all(self)

        def fetch_message(self: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fetch(self)
            finally:
                if trips.on and trips.trips:
                    trips.trips[-1][1] += time.perf_counter() - t0

        Bolt._append, Bolt._send_all, Bolt.fetch_message = _append, _send_all, fetch_message


async def traced(app: Any, trips: Trips, key: str, query: str, values: dict, jvm: int | None):
    trips.trips, trips.pending, trips.on = [], [], True
    jvm0 = process_cpu_seconds(jvm) if jvm else 0.0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    answer = await post(app, {"query": query, "variables": values}, key)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    trips.on = False
    assert "errors" not in answer, answer
    return {
        "answer": answer,
        "trips": list(trips.trips),
        "cpu": cpu,
        "wall": wall,
        "jvm": (process_cpu_seconds(jvm) - jvm0) if jvm else 0.0,
    }


async def run(app: Any, members: list, n: int, jvm: int | None, seed: int) -> dict:
    trips = Trips()
    trips.install()
    rng = random.Random(seed)  # new names each run: a rerun on --keep creates again
    seen: dict[str, list[dict]] = defaultdict(list)
    for member in members:  # warm: indexes per country, the projection, parsed documents
        for supplier in member.suppliers:
            for op in ("registerSupplier", "passOn"):
                key, values = actor(op, member, rng, supplier)
                await post(app, {"query": QUERIES[op], "variables": values}, key)
        for requirement in member.requirements:
            values = {"requirement": requirement}
            await post(app, {"query": QUERIES["tierCoverage"], "variables": values}, member.key)
    for i in range(n):
        member = members[i % len(members)]
        for op in ("registerSupplier", "passOn"):
            key, values = actor(op, member, rng)
            seen[op].append(await traced(app, trips, key, QUERIES[op], values, jvm))
            values = {"requirement": member.requirements[0]}
            after = await traced(app, trips, member.key, QUERIES["tierCoverage"], values, jvm)
            seen[f"tierCoverage after {op}"].append(after)
    return {op: summarise(runs) for op, runs in seen.items()}


def summarise(runs: list[dict]) -> dict[str, Any]:
    n = len(runs)
    labels: Counter[str] = Counter()
    waits: dict[str, float] = defaultdict(float)
    for r in runs:
        for label, wait in r["trips"]:
            labels[label] += 1
            waits[label] += wait
    return {
        "requests": n,
        "round_trips": round(sum(len(r["trips"]) for r in runs) / n, 2),
        "bolt_wait_ms": round(sum(w for r in runs for _, w in r["trips"]) * 1000 / n, 2),
        "python_cpu_ms": round(sum(r["cpu"] for r in runs) * 1000 / n, 2),
        "python_cpu_ms_median": round(statistics.median(r["cpu"] for r in runs) * 1000, 2),
        "jvm_cpu_ms": round(sum(r["jvm"] for r in runs) * 1000 / n, 2),
        "wall_ms_median": round(statistics.median(r["wall"] for r in runs) * 1000, 2),
        "trips": {
            label: {"per_request": round(c / n, 2), "wait_ms": round(waits[label] * 1000 / c, 2)}
            for label, c in labels.most_common()
        },
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--uri", default="bolt://127.0.0.1:7687", help="Neo4j (WIPED unless --keep)")
    p.add_argument("--yes", action="store_true", help="agree to wipe the database at --uri")
    p.add_argument("--keep", action="store_true", help="use the network already at --uri")
    p.add_argument("--redis", help="a Redis URL: the version board, as served processes use")
    p.add_argument("--nodes", type=int, default=200_000)
    p.add_argument("--requests", type=int, default=40, help="per operation")
    p.add_argument("--seed", type=int, default=0, help="new names' seed (0: from the clock)")
    args = p.parse_args()
    batch = generate(nodes=args.nodes, seed=1, profile="tiers")
    board = VersionBoard.from_url(args.redis, None) if args.redis else None
    store = Neo4jStore.connect(args.uri, board=board)
    if not args.keep:
        common.require_yes(args)
        common.wipe(store.driver)
        store.write(batch)
    members = member_keys(store, batch, 5, writes=True)
    # keep: what a served process makes before serving (the projection, the row
    # copy, every stored country's matching index), so no whole build is timed
    app = create_app(Settings(api_rate_per_second=0), store=store, freeze_gc=True, keep=True)
    jvm = listener_pid(args.uri)
    found, load_before, load_after = common.in_lifespan(
        app, lambda: run(app, members, args.requests, jvm, args.seed or time.time_ns())
    )
    store.close()
    m = common.machine(None)
    if args.format == "json":
        common.emit_json({"machine": m, "nodes": args.nodes, "load_before": load_before,
                          "load_after": load_after, "operations": found})  # fmt: skip
        return
    common.out.print(common.machine_line(m) + f" (load {load_before} -> {load_after})")
    for op, s in found.items():
        common.out.print(
            f"{op}: {s['round_trips']} round trips, Bolt wait {s['bolt_wait_ms']} ms, "
            f"Python CPU {s['python_cpu_ms']} ms (median {s['python_cpu_ms_median']}), JVM CPU {s['jvm_cpu_ms']} ms, "
            f"wall (median) {s['wall_ms_median']} ms"
        )
        for label, t in s["trips"].items():
            common.out.print(f"    {t['per_request']:>5} x {t['wait_ms']:>7} ms  {label}")


if __name__ == "__main__":
    main()
