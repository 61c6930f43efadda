"""CPU per request of the read mix's operations in one process, with the schema's
fast execution (api/fastpath.py) and with graphql-core's plain one, in the same
run on the same data. `fast` answers direct operations without graphql-core's
executor (api/direct.py), `executor` is `fast` with every operation through it.

The ASGI app is driven directly (no sockets, no clients, no other process), so
the figure is the server's own CPU for one request, less sensitive to the
machine's load than bench/api.py's latencies. Rounds alternate plain and fast;
the medians are printed.

    python bench/graphql_cpu.py --nodes 200000 --profile tiers --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

import orjson  # noqa: E402
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext  # noqa: E402

from api import edge  # noqa: E402
from api.app import create_app  # noqa: E402
from api.fastpath import FastExecutionContext  # noqa: E402
from api.schema import schema  # noqa: E402
from bench import common  # noqa: E402
from bench.api import QUERIES, member_keys  # noqa: E402
from graph.sqlite_store import SqliteStore  # noqa: E402
from loaders.generate import REFERENCE_DAY, generate  # noqa: E402
from tiergraph.settings import Settings  # noqa: E402

OPERATIONS = ("tierCoverage", "organisation", "network", "auditGaps")
MODES = {
    "plain": StrawberryGraphQLCoreExecutionContext,
    "fast": FastExecutionContext,
    "executor": FastExecutionContext,  # fast, but no direct operation (api/direct.py)
}


async def post(app: Any, body: dict[str, Any], key: str) -> dict[str, Any]:
    raw = orjson.dumps(body)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(raw)).encode()),
        (b"authorization", f"Bearer {key}".encode()),
    ]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }  # fmt: skip
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    out: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            out.append(message.get("body", b""))

    await app(scope, receive, send)
    answer: dict[str, Any] = orjson.loads(b"".join(out))
    return answer


def body(operation: str, member: Any, rng: random.Random) -> dict[str, Any]:
    variables: dict[str, Any] = {}
    if operation == "tierCoverage":
        variables = {"requirement": rng.choice(member.requirements)}
    elif operation == "organisation":
        variables = {"id": rng.choice(member.network)}
    elif operation == "auditGaps":
        variables = {"asOf": str(REFERENCE_DAY)}
    return {"query": QUERIES[operation], "variables": variables}


async def measure(
    app: Any, members: list[Any], requests: int, rounds: int, normal: Any = None
) -> dict[str, Any]:
    rng = random.Random(1)
    apps = {"plain": app, "fast": app, "executor": app, "normal": normal}
    modes = {**MODES, "normal": FastExecutionContext} if normal is not None else MODES
    for member in members:  # warm: views, caches, parsed documents
        for operation in OPERATIONS:
            await post(app, body(operation, member, rng), member.key)
            if normal is not None:
                await post(normal, body(operation, member, rng), member.key)
    seen: dict[str, dict[str, list[float]]] = {m: {o: [] for o in OPERATIONS} for m in modes}
    for _ in range(rounds):
        for mode, context_class in modes.items():
            schema.execution_context_class = context_class
            edge.DIRECT = mode != "executor"
            app = apps[mode]
            for operation in OPERATIONS:
                started = time.process_time()
                for i in range(requests):
                    member = members[i % len(members)]
                    answer = await post(app, body(operation, member, rng), member.key)
                    assert "errors" not in answer, answer
                spent = time.process_time() - started
                seen[mode][operation].append(spent * 1000 / requests)
    schema.execution_context_class = FastExecutionContext
    edge.DIRECT = True
    return {
        mode: {o: round(statistics.median(v), 2) for o, v in ops.items()}
        for mode, ops in seen.items()
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--nodes", type=int, default=200_000)
    p.add_argument("--profile", choices=("tiers", "brands"), default="tiers")
    p.add_argument("--requests", type=int, default=200, help="per operation, mode and round")
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    batch = generate(nodes=args.nodes, seed=1, profile=args.profile)
    folder = Path(tempfile.mkdtemp(prefix="graphql-cpu-")) / "data"
    store = SqliteStore(folder)
    store.write(batch)
    members = member_keys(store, batch, 5)
    store.close()
    store = SqliteStore(folder)
    app = create_app(Settings(api_rate_per_second=0), store=store)
    normal = create_app(Settings(api_rate_per_second=0), store=store, edge=False)

    async def both() -> Any:
        async with normal.router.lifespan_context(normal):
            return await measure(app, members, args.requests, args.rounds, normal)

    cpu, load_before, load_after = common.in_lifespan(app, both)
    store.close()
    m = common.machine(None)
    if args.format == "json":
        common.emit_json(
            {
                "machine": m,
                "nodes": args.nodes,
                "profile": args.profile,
                "rounds": args.rounds,
                "requests": args.requests,
                "load_before": load_before,
                "load_after": load_after,
                "cpu_ms_per_request": cpu,
            }  # fmt: skip
        )
        return
    rows = [
        [
            o,
            cpu["plain"][o],
            cpu["fast"][o],
            f"{cpu['plain'][o] / cpu['fast'][o]:.2f}x",
            cpu["executor"][o],
            f"{cpu['executor'][o] / cpu['fast'][o]:.2f}x",
            cpu["normal"][o],
            f"{cpu['normal'][o] / cpu['fast'][o]:.2f}x",
        ]
        for o in OPERATIONS
    ]
    common.out.print(common.machine_line(m))
    common.out.print(
        common.table(
            f"CPU ms per request, in-process, {args.nodes:,} organisations ({args.profile}), "
            f"median of {args.rounds} rounds of {args.requests} (load {load_before} -> "
            f"{load_after})",
            [
                "operation",
                "plain",
                "fast",
                "plain / fast",
                "executor",
                "executor / fast",
                "normal",
                "normal / fast",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
