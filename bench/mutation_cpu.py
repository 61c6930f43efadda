"""CPU per request of the write mix's mutations in one process, end to end
through the ASGI app and part by part (issue 12).

The app is driven directly (no sockets, no clients, no other process: the
figure is the server's own CPU for one request, `time.process_time` over all
its threads), on a store of `--nodes` organisations with bench/api.py's
supplier keys and operations. Per round, for registerSupplier (a new made-up
name each time, an idempotency key) and passOn (one of the supplier's passes,
already written: the write is done again, as in bench/api.py):
- `request`: the whole request (HTTP, key, GraphQL, the service in its thread);
- `request, normal path`: the same through the app without the request edge
  (`create_app(edge=False)`: FastAPI's stack and strawberry's view, api/edge.py);
- `service`: the service function alone (mutations.suppliers), the same calls;
- `matching` (registerSupplier): `match_one` alone, the same new organisations.
The request's framework share is request - service. Mutations only: the
projection is never caught up here (the reads after a write pay that;
bench/api.py measures them together). Medians of the rounds are printed.

    python bench/mutation_cpu.py --nodes 200000 --rounds 3
    python bench/mutation_cpu.py --store neo4j --uri bolt://... --yes
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from access.keys import principal_for  # noqa: E402
from api.app import create_app  # noqa: E402
from bench import common  # noqa: E402
from bench.api import QUERIES, Member, actor, member_keys  # noqa: E402
from bench.graphql_cpu import post  # noqa: E402
from graph.model import Kind, Organisation  # noqa: E402
from graph.store import GraphStore  # noqa: E402
from loaders.generate import generate  # noqa: E402
from mutations import suppliers  # noqa: E402
from mutations.registration import facts_of, match_one  # noqa: E402
from tiergraph.settings import Settings  # noqa: E402

OPERATIONS = ("registerSupplier", "passOn")


def open_store(args: argparse.Namespace) -> GraphStore:
    if args.store == "embedded":
        from graph.sqlite_store import SqliteStore

        return SqliteStore(Path(tempfile.mkdtemp(prefix="mutation-cpu-")) / "data")
    from graph.neo4j_store import Neo4jStore

    common.require_yes(args)
    store = Neo4jStore.connect(args.uri)
    common.log.print(f"neo4j: wiped in {common.wipe(store.driver):.1f} s")
    return store


def cpu_ms(calls: list[Callable[[], Any]]) -> float:
    started = time.process_time()
    for call in calls:
        call()
    return (time.process_time() - started) * 1000 / len(calls)


async def acpu_ms(calls: list[Callable[[], Any]]) -> float:
    started = time.process_time()
    for call in calls:
        answer = await call()
        assert "errors" not in answer, answer
    return (time.process_time() - started) * 1000 / len(calls)


def sends(members: list[Member], op: str, n: int, rng: random.Random) -> list[tuple[Any, ...]]:
    """n (member, supplier key, variables) of `op`, round the members."""
    out = []
    for i in range(n):
        member = members[i % len(members)]
        key, values = actor(op, member, rng)
        out.append((member, key, values))
    return out


def service_call(store: GraphStore, op: str, key: str, values: dict[str, Any]) -> Any:
    principal = principal_for(store, key)
    assert principal is not None
    if op == "passOn":
        return lambda: suppliers.pass_on(
            principal=principal, store=store, requirement=values["r"], to=values["to"]
        )
    supplier = {"kind": "supplier", **values["s"]}
    return lambda: suppliers.register_supplier(
        principal=principal,
        store=store,
        supplier=supplier,
        commodity="cocoa",
        idempotency_key=values["k"] + "-service",
    )


def matching_call(store: GraphStore, values: dict[str, Any]) -> Any:
    org = Organisation("new", Kind.SUPPLIER, values["s"]["name"], values["s"]["country"])
    new = facts_of(org, stored=False)
    return lambda: match_one(store, new)


async def measure(
    app: Any, store: GraphStore, members: list[Member], n: int, rounds: int, normal: Any
) -> dict:
    rng = random.Random(1)
    for member in members:  # warm: a matching index per country, parsed documents
        for supplier in member.suppliers:
            for op in OPERATIONS:
                key, values = actor(op, member, rng, supplier)
                answer = await post(app, {"query": QUERIES[op], "variables": values}, key)
                assert "errors" not in answer, answer
    seen: dict[str, list[float]] = {}
    for _ in range(rounds):
        for op in OPERATIONS:
            batch = sends(members, op, n, rng)
            requests = [
                lambda k=key, v=values, op=op: post(app, {"query": QUERIES[op], "variables": v}, k)
                for _, key, values in batch
            ]
            seen.setdefault(f"{op} request", []).append(await acpu_ms(requests))
            batch = sends(members, op, n, rng)
            requests = [
                lambda k=key, v=values, op=op: post(
                    normal, {"query": QUERIES[op], "variables": v}, k
                )
                for _, key, values in batch
            ]
            seen.setdefault(f"{op} request, normal path", []).append(await acpu_ms(requests))
            batch = sends(members, op, n, rng)
            calls = [service_call(store, op, key, values) for _, key, values in batch]
            seen.setdefault(f"{op} service", []).append(cpu_ms(calls))
            if op == "registerSupplier":
                batch = sends(members, op, n, rng)
                calls = [matching_call(store, values) for _, _, values in batch]
                seen.setdefault(f"{op} matching", []).append(cpu_ms(calls))
    return {name: round(statistics.median(v), 3) for name, v in seen.items()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--store", choices=("embedded", "neo4j"), default="embedded")
    p.add_argument("--uri", default="bolt://127.0.0.1:7687", help="Neo4j (WIPED: needs --yes)")
    p.add_argument("--yes", action="store_true", help="agree to wipe the database at --uri")
    p.add_argument("--nodes", type=int, default=200_000)
    p.add_argument("--profile", choices=("tiers", "brands"), default="tiers")
    p.add_argument("--requests", type=int, default=200, help="per operation, part and round")
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    batch = generate(nodes=args.nodes, seed=1, profile=args.profile)
    store = open_store(args)
    store.write(batch)
    members = member_keys(store, batch, 5, writes=True)
    app = create_app(Settings(api_rate_per_second=0), store=store, freeze_gc=True)
    normal = create_app(Settings(api_rate_per_second=0), store=store, edge=False)

    async def both() -> Any:
        async with normal.router.lifespan_context(normal):
            return await measure(app, store, members, args.requests, args.rounds, normal)

    cpu, load_before, load_after = common.in_lifespan(app, both)
    store.close()
    m = common.machine(None)
    if args.format == "json":
        common.emit_json(
            {
                "machine": m,
                "store": args.store,
                "nodes": args.nodes,
                "profile": args.profile,
                "rounds": args.rounds,
                "requests": args.requests,
                "load_before": load_before,
                "load_after": load_after,
                "cpu_ms": cpu,
            }  # fmt: skip
        )
        return
    common.out.print(common.machine_line(m))
    common.out.print(
        common.table(
            f"CPU ms per call, in-process, {args.store}, {args.nodes:,} organisations "
            f"({args.profile}), median of {args.rounds} rounds of {args.requests} "
            f"(load {load_before} -> {load_after})",
            ["what", "CPU ms"],
            [[name, value] for name, value in cpu.items()],
        )
    )


if __name__ == "__main__":
    main()
