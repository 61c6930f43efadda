"""API benchmark: concurrent GraphQL clients against `tiergraph serve`, beside the naive tierCoverage.

A generated network is loaded into each store asked for (the embedded SQLite
store in a fresh data folder; Neo4j at --uri, WIPED first), a sourcing key is
made for each of the first --members members, and `tiergraph serve` runs in a
process of its own on that store (its rate limit off). Then --clients
asynchronous HTTP clients (httpx.AsyncClient; client i acts for member i mod
members) send --requests GraphQL operations in all, each drawn from --mix by
weight; every operation is sent once per member first, untimed. Per operation:
requests, errors (HTTP status not 200, or `errors` in the body), p50/p95/p99
latency and throughput (its requests / the wall time of the whole mixed run).
Per store, the server processes' CPU per request (`server_cpu_ms`), the bench's
own (`client_cpu_ms`: the clients share the machine's cores); on Neo4j
also the JVM's (`neo4j_jvm_cpu_ms`: /proc/PID/stat of the process listening on
--uri's port, when it is a local process of this user; absent otherwise), and
how fast the machine was just before and after the timed run (`cpu_probe_ms`:
bench.common.cpu_probe, a fixed pure-Python workload's CPU ms and random reads of
a 128 MB array's, the server idle) and during it (the pure-Python workload every
2 s in a process of its own, bench.common.probe_during).
--warmup N sends N operations of the mix first, on the same server, untimed (its
own figures under "warmup"): a server that has run a while, its JVM's code
compiled and its query plans made, rather than one just started. On a local
Neo4j JVM the warm-up goes on in rounds of N while its JIT compilers spent more
than --warmup-jit ms a request in the last round (at most --warmup-rounds).

Naive, in the same run, on Neo4j: the same number of clients, each running
`MATCH p=(m:Member {id:$m})-[:SOURCES_FROM*]->(n) RETURN n.id, min(length(p))`
for its member per request (every record streamed, the tiers counted), as a
tierCoverage answered without tiergraph would be.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Run as a script, this folder comes first on sys.path, and bench/api.py would
# hide the api package: put the project root there instead.
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

import httpx  # noqa: E402
import orjson  # noqa: E402
from neo4j import AsyncGraphDatabase, Query  # noqa: E402
from neo4j.exceptions import ClientError  # noqa: E402

from access.keys import create_key  # noqa: E402
from access.principal import Role  # noqa: E402
from bench import common  # noqa: E402
from graph.model import GraphBatch, Kind  # noqa: E402
from graph.store import GraphStore  # noqa: E402
from loaders.generate import REFERENCE_DAY, generate  # noqa: E402

# The member queries of issue 11. Edit here when the schema's names change.
QUERIES = {
    "tierCoverage": "query($requirement: ID!) { tierCoverage(requirement: $requirement) "
    "{ depth tiers { tier nodes reached } } }",
    "organisation": "query($id: ID!) { organisation(id: $id) { id name tier } }",
    "network": "{ network(first: 100) { nodes { id tier kind country name } "
    "pageInfo { endCursor hasNextPage } } }",
    "auditGaps": "query($asOf: Date) { auditGaps(asOf: $asOf, first: 100) "
    "{ nodes { node { id name } tier reason audit { id scheme validUntil } } totalCount } }",
    # Issue 12's writes, sent with a supplier key of the client's member's network.
    "registerSupplier": "mutation($s: NewSupplier!, $k: String) { registerSupplier(supplier: $s, "
    'commodity: "cocoa", idempotencyKey: $k) { outcome organisation } }',
    "passOn": "mutation($r: ID!, $to: ID!) { passOn(requirement: $r, to: $to) { to } }",
    # Fields any key may ask: to check the harness itself end to end (stats is
    # for operator keys, and the clients hold sourcing keys).
    "me": "{ me { role keyId } }",
    "health": "{ health version }",
}
DEFAULT_MIX = "tierCoverage=4,organisation=4,network=1,auditGaps=1"
WRITE_MIX = "tierCoverage=6,registerSupplier=2,passOn=2"
WRITES = ("registerSupplier", "passOn")
# After each registerSupplier that wrote, untimed: the member's next read must show it.
READ_BACK = "query($id: ID!) { organisation(id: $id) { id tier } }"
SUPPLIERS_PER_MEMBER = 10  # supplier keys per member, for the writes
SMOKE_MIX = "me=1,health=1"
NAIVE = """
MATCH p=(m:Member {id: $m})-[:SOURCES_FROM*]->(n)
RETURN n.id AS id, min(length(p)) AS tier
"""


@dataclass
class Supplier:
    """A supplier of a member's network that writes: it was passed requirements and
    sources from others, so it can pass on and register sub-suppliers."""

    id: str
    key: str
    country: str
    passes: list[tuple[str, str]]  # (requirement passed to it, one of its direct suppliers)


@dataclass
class Member:
    id: str
    key: str
    requirements: list[str]
    network: list[str]  # organisations reachable from the member
    suppliers: list[Supplier] = field(default_factory=list)


def networks(batch: GraphBatch, members: list[str]) -> dict[str, list[str]]:
    """Each member's network from the batch (a BFS along SOURCES_FROM)."""
    sellers: dict[str, list[str]] = defaultdict(list)
    for edge in batch.sourcing:
        sellers[edge.buyer].append(edge.seller)
    found = {}
    for member in members:
        seen, queue = {member}, deque([member])
        while queue:
            for seller in sellers[queue.popleft()]:
                if seller not in seen:
                    seen.add(seller)
                    queue.append(seller)
        seen.discard(member)
        found[member] = sorted(seen)
    return found


_SYLLABLES = ("ka", "lo", "mi", "ru", "te", "vo", "zan", "pe", "shi", "qua", "no", "bex")


def unique_name(rng: random.Random) -> str:
    """A made-up company name, so that a registration rarely resembles a stored one."""
    return " ".join(
        "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(3, 4))).capitalize()
        for _ in range(3)
    )


def actor(
    op: str, member: Member, rng: random.Random, supplier: Supplier | None = None
) -> tuple[str, dict[str, Any]]:
    """The key an operation is sent with and its variables (a write: by `supplier`, or
    by one of the member's drawn at random)."""
    if op not in WRITES:
        return member.key, variables(op, member, rng)
    supplier = supplier or rng.choice(member.suppliers)
    if op == "passOn":
        requirement, to = rng.choice(supplier.passes)
        return supplier.key, {"r": requirement, "to": to}
    new = {"name": unique_name(rng), "country": supplier.country}
    return supplier.key, {"s": new, "k": f"bench-{rng.getrandbits(64):x}"}


def variables(op: str, member: Member, rng: random.Random) -> dict[str, Any]:
    if op == "tierCoverage":
        return {"requirement": rng.choice(member.requirements)}
    if op == "organisation":
        return {"id": rng.choice(member.network)}
    if op == "auditGaps":
        return {"asOf": REFERENCE_DAY.isoformat()}
    return {}


def parse_mix(text: str) -> dict[str, float]:
    mix = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in QUERIES:
            raise SystemExit(f"--mix: no operation {name.strip()!r} (known: {', '.join(QUERIES)})")
        mix[name.strip()] = float(weight or 1)
    return mix


def open_bench_store(kind: str, args: Any, folder: Path) -> tuple[GraphStore, dict[str, str]]:
    """The store, emptied, and the environment `tiergraph serve` needs for it."""
    if kind == "embedded":
        from graph.sqlite_store import SqliteStore

        data = folder / "data"
        return SqliteStore(data), {"TIERGRAPH_STORE": "embedded", "TIERGRAPH_DATA_DIR": str(data)}
    from graph.neo4j_store import Neo4jStore

    store = Neo4jStore.connect(args.uri)
    common.log.print(f"neo4j: wiped in {common.wipe(store.driver):.1f} s")
    env = {"TIERGRAPH_STORE": "neo4j", "TIERGRAPH_NEO4J_URI": args.uri}
    # Served processes check the graph version through Redis (graph/version_board.py),
    # as a deployment with Celery does; without one they read it over Bolt each time.
    if redis := os.environ.get("TIERGRAPH_REDIS_URL"):
        env["TIERGRAPH_REDIS_URL"] = redis
    return store, env


def member_keys(
    store: GraphStore, batch: GraphBatch, count: int, writes: bool = False
) -> list[Member]:
    ids = sorted(o.id for o in batch.organisations if o.kind == Kind.MEMBER)[:count]
    reach = networks(batch, ids)
    made = []
    for member in ids:
        _, key = create_key(store, role=Role.SOURCING, organisation=member, label="bench")
        required = sorted(r.requirement for r in batch.requires if r.member == member)
        made.append(Member(member, key, required or ["none"], reach[member] or [member]))
    if writes:
        writers(store, batch, made)
    return made


def writers(store: GraphStore, batch: GraphBatch, members: list[Member]) -> None:
    """Supplier keys for up to SUPPLIERS_PER_MEMBER suppliers of each member's
    network that were passed a requirement and source from others."""
    sellers: dict[str, list[str]] = defaultdict(list)
    for edge in batch.sourcing:
        sellers[edge.buyer].append(edge.seller)
    passed: dict[str, set[str]] = defaultdict(set)
    for p in batch.pass_on:
        passed[p.seller].add(p.requirement)
    country = {o.id: o.country for o in batch.organisations}
    kind = {o.id: o.kind for o in batch.organisations}
    for member in members:
        able = [o for o in member.network if kind[o] == Kind.SUPPLIER and passed[o] and sellers[o]][
            :SUPPLIERS_PER_MEMBER
        ]
        for org in able:
            _, key = create_key(store, role=Role.SUPPLIER, organisation=org, label="bench")
            passes = [(r, s) for r in sorted(passed[org]) for s in sorted(set(sellers[org]))]
            member.suppliers.append(Supplier(org, key, country[org], passes))
        if not member.suppliers:
            raise SystemExit(f"member {member.id}: no supplier of its network can write")


def tree_cpu_seconds(pid: int) -> dict[int, float]:
    """User + system CPU seconds of a process and of each of its descendants, from
    /proc (the server's own work: on a shared machine wall-clock figures carry
    everyone's load)."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        child = int(stat.parent.name)
        parents[child], ticks[child] = int(fields[1]), int(fields[11]) + int(fields[12])
    tree = {pid}
    for _ in range(3):  # serve -> uvicorn's workers (and what they start)
        tree |= {c for c, parent in parents.items() if parent in tree}
    return {p: ticks.get(p, 0) / os.sysconf("SC_CLK_TCK") for p in tree}


def listener_pid(uri: str) -> int | None:
    """The process listening on the Bolt URI's local port (our own Neo4j JVM), from
    /proc/net/tcp and /proc/*/fd; None when it is not a local process of ours."""
    port = urlsplit(uri).port
    if port is None or urlsplit(uri).hostname not in ("127.0.0.1", "localhost"):
        return None
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                inodes.add(f"socket:[{cols[9]}]")
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            if os.readlink(fd) in inodes:
                return int(fd.parent.parent.name)
        except OSError:
            continue
    return None


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def jvm_thread_cpu_seconds(pid: int) -> tuple[float, float, float]:
    """User + system CPU seconds of a JVM: all of it (/proc/PID/stat: threads that
    ended count too), its JIT compilers' ("C1/C2 CompilerThre": warm-up, not the
    requests' own work, yet most of a young Neo4j JVM's CPU) and its garbage
    collector's ("GC Thread#", "G1 ..."). Those two are summed over the threads
    alive when read: a compiler thread the JVM retired meanwhile is missed."""
    ticks = [0, 0]
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the thread ended meanwhile
            continue
        name, fields = text[text.index("(") + 1 : text.rindex(")")], text.rsplit(")", 1)[1].split()
        if "CompilerThre" in name:
            ticks[0] += int(fields[11]) + int(fields[12])
        elif name.startswith(("GC Thread", "G1 ")):
            ticks[1] += int(fields[11]) + int(fields[12])
    tick = os.sysconf("SC_CLK_TCK")
    return process_cpu_seconds(pid), ticks[0] / tick, ticks[1] / tick


@contextmanager
def server(env: dict[str, str], folder: Path, workers: int = 1) -> Iterator[tuple[str, int]]:
    """`tiergraph serve --workers N` in its own process, rate limit off; yields its URL
    and process id."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    full = {k: v for k, v in os.environ.items() if not k.startswith("TIERGRAPH_")}
    full.update(env, PYTHONPATH=str(ROOT), TIERGRAPH_API_RATE_PER_SECOND="0")
    cli = [sys.executable, "-c", "from tiergraph.cli import main; main()"]
    log = open(folder / "serve.log", "w")  # noqa: SIM115 - open for the server's life
    proc = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", str(workers)],
        env=full,
        cwd=folder,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"tiergraph serve did not start; see {folder / 'serve.log'}")
            time.sleep(0.3)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


class Connection:
    """One keep-alive HTTP/1.1 connection, the clients' own: httpx took as much CPU
    per request as the server did (4.3 ms against 4.5 ms, 2026-12-01), and on 2
    cores the clients' CPU is taken from the server. It sends a POST and reads
    the status and the body (Content-Length or chunked)."""

    IDLE_SECONDS = 4.0  # uvicorn closes a keep-alive connection idle for 5 s

    def __init__(self, url: str):
        address = url.removeprefix("http://").rstrip("/")
        self.host, _, port = address.partition(":")
        self.port = int(port or 80)
        self.used = 0.0
        self.closing = False

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.used = time.monotonic()

    def close(self) -> None:
        self.writer.close()

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.closing or time.monotonic() - self.used > self.IDLE_SECONDS:  # closed, or may be
            self.close()
            await self.open()
        lines = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 "Content-Type: application/json", f"Content-Length: {len(body)}",
                 *(f"{name}: {value}" for name, value in headers.items())]  # fmt: skip
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        status = int((await self.reader.readline()).split()[1])
        length, chunked, closing = 0, False, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
            elif name.strip().lower() == "transfer-encoding":
                chunked = "chunked" in value.lower()
            elif name.strip().lower() == "connection":
                closing = "close" in value.lower()
        self.used = time.monotonic()
        self.closing = closing  # the server closes after this answer (api.spreading)
        if not chunked:
            return status, await self.reader.readexactly(length)
        parts = []
        while size := int((await self.reader.readline()).split(b";")[0], 16):
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)
        await self.reader.readline()
        return status, b"".join(parts)


async def mixed_run(
    url: str,
    members: list[Member],
    mix: dict[str, float],
    clients: int,
    requests: int,
    seed: int,
    advance: Callable[[int], None],
    rate: float = 0,
    cpu: Callable[[], dict[int, float]] | None = None,
    jvm: Callable[[], tuple[float, float, float]] | None = None,
) -> dict[str, Any]:
    """Closed loop (rate 0): each client sends its next request when the last is
    answered, so latency grows with the clients (Little's law). Open loop: the
    clients together start `rate` requests a second, each on its own schedule."""
    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    examples: dict[str, str] = {}
    outcomes: dict[str, int] = defaultdict(int)  # registerSupplier's answers
    ops, weights = list(mix), list(mix.values())
    remaining = requests
    connections = [Connection(url) for _ in range(clients)]
    for connection in connections:
        await connection.open()

    async def post(
        http: Connection, key: str, query: str, values: dict[str, Any]
    ) -> tuple[Any, str | None]:
        body = {"query": query, "variables": values}
        status, raw = await http.post(
            "/graphql", orjson.dumps(body), {"Authorization": f"Bearer {key}"}
        )
        if status != 200:
            return None, f"HTTP {status}: {raw[:200].decode(errors='replace')}"
        answer = orjson.loads(raw)
        if answer.get("errors"):
            return None, str(answer["errors"][0]["message"])[:200]
        return answer["data"], None

    async def send(
        http: Connection,
        op: str,
        member: Member,
        rng: random.Random,
        by: Supplier | None = None,
        **fixed: Any,
    ) -> tuple[float, str | None]:
        key, values = actor(op, member, rng, by)
        t0 = time.perf_counter()
        data, error = await post(http, key, QUERIES[op], values | fixed)
        took = time.perf_counter() - t0
        if op == "registerSupplier" and error is None and data:
            made = data["registerSupplier"]
            if made["outcome"] == "CHOOSE":
                outcomes["CHOOSE"] += 1
            else:  # the member's next read must show the new sub-supplier
                outcomes[made["outcome"]] += 1
                _, missed = await post(http, member.key, READ_BACK, {"id": made["organisation"]})
                if missed:
                    errors["read after write"] += 1
                    examples.setdefault("read after write", missed)
        return took, error

    # Untimed, on every client's connection (with several server processes each
    # connection is one process's): every operation once, tierCoverage once per
    # requirement of the member, registerSupplier once per country of the member's
    # writing suppliers (a process builds its matching index of a country on the
    # first registration there: 0.6-4 s at 200,000 organisations), so that what is
    # computed once per process or per view is computed.
    warm = random.Random(seed)
    for index, http in enumerate(connections):
        member = members[index % len(members)]
        for op in ops:
            if op == "tierCoverage":
                for requirement in member.requirements:
                    await send(http, op, member, warm, requirement=requirement)
            elif op == "registerSupplier":
                for by in {s.country: s for s in member.suppliers}.values():
                    await send(http, op, member, warm, by)
            else:
                await send(http, op, member, warm)

    async def client(index: int) -> None:
        nonlocal remaining
        rng = random.Random(seed * 1000 + index)
        member = members[index % len(members)]
        http = connections[index]
        interval = clients / rate if rate > 0 else 0.0
        due = time.perf_counter() + interval * index / clients
        while remaining > 0:
            remaining -= 1
            if interval:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                due += interval
            op = rng.choices(ops, weights)[0]
            took, error = await send(http, op, member, rng)
            samples[op].append(took)
            advance(1)
            if error:
                errors[op] += 1
                examples.setdefault(op, error)

    try:
        load_before = common.load_average()
        probe_before = common.cpu_probe()  # the server idle: how fast the machine is now
        cpu_before = cpu() if cpu else {}
        jvm_before = jvm() if jvm else (0.0, 0.0, 0.0)
        with common.probe_during() as probe_during:
            t0, own0, timed_from = time.perf_counter(), time.process_time(), time.time()
            await asyncio.gather(*(client(i) for i in range(clients)))
            wall, own = time.perf_counter() - t0, time.process_time() - own0
        spent = {p: t - cpu_before.get(p, 0.0) for p, t in cpu().items()} if cpu else {}
        cpu_spent = sum(spent.values()) if cpu else None
        jvm_spent = [b - a for a, b in zip(jvm_before, jvm(), strict=True)] if jvm else None
    finally:
        for connection in connections:
            connection.close()
    loads: dict[str, Any] = {
        # when the timed part began (Unix time): the server log's lines after it are its own
        "timed_from": round(timed_from, 3),
        "load_average": {"before": load_before, "after": common.load_average()},
        # common.cpu_probe before and after the timed run (the server idle both times),
        # and its interpreter workload during it (common.probe_during)
        "cpu_probe_ms": {
            "before": probe_before,
            "during": probe_during,
            "after": common.cpu_probe(),
        },
        # the clients' own CPU (this process) per request: on one machine it is
        # taken from the server's cores
        "client_cpu_ms": round(own * 1000 / max(1, requests), 2),
    }
    if cpu_spent is not None:  # per request timed (the read-backs' CPU included)
        loads["server_cpu_ms"] = round(cpu_spent * 1000 / max(1, requests), 2)
        # How the work fell on the server's processes (each over 2% of it): even
        # shares mean the clients' connections spread (api.spreading).
        shares = [t / cpu_spent for t in spent.values() if cpu_spent and t / cpu_spent > 0.02]
        loads["server_cpu_shares"] = sorted((round(x, 2) for x in shares), reverse=True)
    if jvm_spent is not None:  # the Neo4j JVM's CPU (all its threads) per request timed
        loads["neo4j_jvm_cpu_ms"] = round(jvm_spent[0] * 1000 / max(1, requests), 2)
        # ... of which its JIT compilers' (warm-up) and its garbage collector's
        loads["neo4j_jit_cpu_ms"] = round(jvm_spent[1] * 1000 / max(1, requests), 2)
        loads["neo4j_gc_cpu_ms"] = round(jvm_spent[2] * 1000 / max(1, requests), 2)
    return (
        summary(samples, errors, wall)
        | {
            "error_examples": examples,
            "registrations": dict(outcomes),
        }
        | loads
    )


async def naive_run(
    uri: str,
    members: list[Member],
    clients: int,
    requests: int,
    seconds: float,
    advance: Callable[[int], None],
    timeout: float = 300,
) -> dict:
    """At most `requests`, and none started after `seconds` (the naive query can
    take many seconds each under concurrency); one that runs out of `timeout` is
    stopped and counted at the time it took (so the naive figures are lower bounds)."""
    samples: dict[str, list[float]] = defaultdict(list)
    timed_out = [0]
    remaining = requests
    deadline = float("inf")
    driver = AsyncGraphDatabase.driver(uri, auth=None, max_connection_pool_size=clients)

    async def tiers(member: str) -> dict[int, int] | None:
        """The member's nodes per tier; None when the query ran out of `timeout`."""
        counts: dict[int, int] = defaultdict(int)
        try:
            async with driver.session() as session:
                result = await session.run(Query(NAIVE, timeout=timeout), m=member)
                async for record in result:
                    if record["id"] != member:
                        counts[record["tier"]] += 1
        except ClientError as exc:
            if "TransactionTimedOut" not in (exc.code or ""):
                raise
            return None
        return counts

    async def client(index: int) -> None:
        nonlocal remaining
        member = members[index % len(members)]
        while remaining > 0 and time.perf_counter() < deadline:
            remaining -= 1
            t0 = time.perf_counter()
            if await tiers(member.id) is None:
                timed_out[0] += 1  # counted at the timeout: the naive's figures are lower bounds
            samples["tierCoverage (naive)"].append(time.perf_counter() - t0)
            advance(1)

    try:
        for member in members:  # warm Neo4j's caches as the API run did
            await tiers(member.id)
        t0 = time.perf_counter()
        deadline = t0 + seconds
        await asyncio.gather(*(client(i) for i in range(clients)))
        wall = time.perf_counter() - t0
    finally:
        await driver.close()
    return summary(samples, {}, wall) | {"timed_out": timed_out[0], "timeout_s": timeout}


def server_log(log: Path, keep: Path | None, kind: str) -> dict[str, Any]:
    """What the served processes logged, counted (errors are logged in full by
    api.errors; a projection read held still warns), and the log copied into `keep`."""
    text = log.read_text(errors="replace") if log.exists() else ""
    kept = None
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        kept = str(shutil.copy(log, keep / f"serve-{kind}.log"))
    return {
        "lines": text.count("\n"),
        "tracebacks": text.count("Traceback"),
        "held_reads": text.count("reading it held still"),
        "kept": kept,
    }


def percentile(sorted_values: list[float], p: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def summary(samples: dict[str, list[float]], errors: dict[str, int], wall: float) -> dict:
    ops = {}
    order = [*QUERIES, *sorted(set(samples) - set(QUERIES))]
    for op in (name for name in order if name in samples):
        values = samples[op]
        values = sorted(values)
        ops[op] = {
            "requests": len(values),
            "errors": errors.get(op, 0),
            **{f"p{p}_ms": round(percentile(values, p) * 1000, 1) for p in (50, 95, 99)},
            "per_second": round(common.rate(len(values), wall), 1),
        }
    total = sum(len(v) for v in samples.values())
    return {
        "wall_s": round(wall, 2),
        "requests": total,
        "errors": sum(errors.values()),
        "per_second": round(common.rate(total, wall), 1),
        "operations": ops,
    }


# The API's latency targets, p95 in ms (issue 11: reads; issue 12: the write mix).
TARGETS_MS = {"tierCoverage": 50, "organisation": 50, "auditGaps": 150,
              "registerSupplier": 100, "passOn": 100}  # fmt: skip


def targets(run: dict) -> dict[str, Any]:
    """Each operation of the run that has a target: its p95 beside it; `met`: every
    one of them under its target and no error (read-after-write misses included);
    None when the mix ran no operation with a target (--smoke)."""
    ops = {
        op: {
            "p95_ms": f["p95_ms"],
            "target_ms": TARGETS_MS[op],
            "met": f["p95_ms"] < TARGETS_MS[op],
        }
        for op, f in run["operations"].items()
        if op in TARGETS_MS
    }
    met = run["errors"] == 0 and all(o["met"] for o in ops.values()) if ops else None
    return {"operations": ops, "met": met}


def rows(label: str, run: dict) -> list[list[Any]]:
    return [
        [label, op, f["requests"], f["errors"], f["p50_ms"], f["p95_ms"], f["p99_ms"],
         f["per_second"]]
        for op, f in run["operations"].items()
    ]  # fmt: skip


def warm_up(
    url: str,
    members: list[Member],
    mix: dict[str, float],
    args: Any,
    jvm: Callable[[], tuple[float, float, float]] | None,
) -> dict:
    """--warmup operations of the mix before the timed run (another seed: its
    registrations are other organisations); what it measured, kept apart. On a
    Neo4j whose JVM this machine runs, rounds of --warmup go on while the JVM's
    JIT compilers spent more than --warmup-jit ms a request in the last round (at
    most --warmup-rounds): a JVM still compiling is not the long-running server
    the timed part stands for."""
    rounds: list[dict[str, Any]] = []
    until_jit_idle = jvm is not None and args.warmup_jit > 0
    for i in range(args.warmup_rounds if until_jit_idle else 1):
        with common.progress(f"warm-up {i + 1}", args.warmup) as advance:
            warm = asyncio.run(
                mixed_run(
                    url,
                    members,
                    mix,
                    args.clients,
                    args.warmup,
                    args.seed + 7919 * (i + 1),
                    advance,
                    jvm=jvm,
                )
            )
        kept = ("requests", "errors", "per_second", "neo4j_jit_cpu_ms")  # JIT: with a jvm
        rounds.append({k: warm[k] for k in kept if k in warm})
        if not until_jit_idle or warm["neo4j_jit_cpu_ms"] <= args.warmup_jit:
            break
    return {
        "requests": sum(r["requests"] for r in rounds),
        "errors": sum(r["errors"] for r in rounds),
        # the last round's: the state the timed part starts from
        "per_second": rounds[-1]["per_second"],
        "operations": warm["operations"],
        "rounds": rounds,
    }


def main() -> None:
    p = common.parser(__doc__.split("\n")[0])
    p.add_argument("--stores", default="embedded,neo4j", help="embedded, neo4j, or both")
    p.add_argument("--nodes", type=int, default=20000, help="organisations in the network")
    p.add_argument("--members", type=int, default=5, help="members with a key (clients' members)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--profile", choices=("tiers", "brands"), default="tiers")
    p.add_argument("--clients", type=int, default=20, help="concurrent HTTP clients")
    p.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    p.add_argument("--requests", type=int, default=2000, help="operations per store, in all")
    p.add_argument(
        "--warmup",
        type=int,
        default=0,
        help="operations of the same mix first, not timed (a long-running server's warm "
        "state: the Neo4j JVM's JIT-compiled code and query plans); reported apart",
    )
    p.add_argument(
        "--warmup-jit",
        type=float,
        default=0.05,
        help="on a local Neo4j JVM: another --warmup round while its JIT compilers spent "
        "more than this many ms a request in the last (0: one round)",
    )
    p.add_argument("--warmup-rounds", type=int, default=8, help="at most this many --warmup rounds")
    p.add_argument(
        "--mix", default=DEFAULT_MIX, help=f"operation=weight,... or 'writes' ({WRITE_MIX})"
    )
    p.add_argument(
        "--rate",
        type=float,
        default=0,
        help="requests a second in all (0: each client as fast as it can)",
    )
    p.add_argument("--smoke", action="store_true", help=f"only fields that exist: {SMOKE_MIX}")
    p.add_argument(
        "--server-log", type=Path, help="keep each store's server log here (serve-<store>.log)"
    )
    p.add_argument("--naive-requests", type=int, default=200, help="0: no naive run")
    p.add_argument(
        "--naive-seconds", type=float, default=180, help="start no naive request after this"
    )
    p.add_argument(
        "--naive-timeout", type=float, default=300, help="stop a naive request after this"
    )
    args = p.parse_args()
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    if "neo4j" in stores:
        common.require_yes(args)
    mix = parse_mix(SMOKE_MIX if args.smoke else WRITE_MIX if args.mix == "writes" else args.mix)

    with common.log.status(f"generating {args.nodes:,} organisations..."):
        batch = generate(
            nodes=args.nodes,
            seed=args.seed,
            profile=args.profile,  # the profile's members
        )
    report: dict[str, Any] = {"machine": None, "nodes": args.nodes, "profile": args.profile,
                              "clients": args.clients, "workers": args.workers, "rate": args.rate,
                              "mix": mix, "stores": {}, "naive": None}  # fmt: skip
    naive_members: list[Member] = []
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        for kind in stores:
            folder = Path(tmp) / kind
            folder.mkdir()
            store, env = open_bench_store(kind, args, folder)
            t0 = time.perf_counter()
            with common.progress(f"{kind}: loading {args.nodes:,}", None) as advance:
                store.write(batch, progress=advance)
            members = member_keys(store, batch, args.members, writes=any(w in mix for w in WRITES))
            if kind == "neo4j":
                report["machine"] = common.machine(store.driver)  # type: ignore[attr-defined]
                naive_members = members
            store.close()
            jvm = listener_pid(args.uri) if kind == "neo4j" else None
            jvm_cpu = functools.partial(jvm_thread_cpu_seconds, jvm) if jvm else None
            common.log.print(f"{kind}: loaded in {time.perf_counter() - t0:.1f} s; serving...")
            # The clients' process holds the generated network (about a million objects):
            # each of its full collections paused all 20 clients for 160-350 ms, which
            # the latencies then counted as the server's. Frozen, no collection walks it.
            gc.collect()
            gc.freeze()
            with server(env, folder, args.workers) as (url, pid):
                warm = warm_up(url, members, mix, args, jvm_cpu) if args.warmup else None
                with common.progress(kind, args.requests) as advance:
                    run = asyncio.run(
                        mixed_run(
                            url,
                            members,
                            mix,
                            args.clients,
                            args.requests,
                            args.seed,
                            advance,
                            args.rate,
                            functools.partial(tree_cpu_seconds, pid),
                            jvm_cpu,
                        )
                    )
            if warm is not None:
                run["warmup"] = warm
            run["server_log"] = server_log(folder / "serve.log", args.server_log, kind)
            run["targets"] = targets(run)
            report["stores"][kind] = run
            common.log.print(f"{kind}: {run['requests']} requests, {run['errors']} errors, "
                             f"{run['per_second']}/s")  # fmt: skip
    if args.naive_requests and naive_members:
        common.log.print("naive: variable-length MATCH per request on Neo4j...")
        with common.progress("naive", args.naive_requests) as advance:
            report["naive"] = asyncio.run(
                naive_run(
                    args.uri,
                    naive_members,
                    args.clients,
                    args.naive_requests,
                    args.naive_seconds,
                    advance,
                    args.naive_timeout,
                )
            )
    elif args.naive_requests:
        common.log.print("naive: skipped (it runs on Neo4j: add neo4j to --stores)")
    report["machine"] = report["machine"] or common.machine(None)
    print_report(report, args.format)


def print_report(report: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        common.emit_json(report)
        return
    common.out.print(common.machine_line(report["machine"]))
    table_rows = []
    for kind, run in report["stores"].items():
        table_rows += rows(kind, run)
    if report["naive"]:
        table_rows += rows("neo4j", report["naive"])
    pace = f"{report['rate']:g} requests/s" if report["rate"] else "closed loop"
    title = (f"API at {report['nodes']:,} organisations ({report['profile']}), "
             f"{report['clients']} clients, {pace}, {report['workers']} server process(es) "
             f"(load average {common.load_average()})")  # fmt: skip
    columns = ["store", "operation", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "per s"]
    common.out.print(common.table(title, columns, table_rows))
    for kind, run in report["stores"].items():
        if run.get("registrations"):
            told = ", ".join(f"{k} {v}" for k, v in sorted(run["registrations"].items()))
            common.out.print(f"{kind}: registerSupplier answered {told}; "
                             f"read after write errors: {run['error_examples'].get('read after write', 'none')}")  # fmt: skip
    naive = (report["naive"] or {}).get("operations", {}).get("tierCoverage (naive)")
    if report["naive"] and report["naive"].get("timed_out"):
        common.out.print(f"naive: {report['naive']['timed_out']} request(s) stopped at the "
                         f"{report['naive']['timeout_s']:g} s timeout, counted at that time "
                         "(the naive figures are lower bounds)")  # fmt: skip
    for kind, run in report["stores"].items():
        ours = run["operations"].get("tierCoverage")
        if naive and ours and not ours["errors"]:
            share = ours["requests"] / run["requests"]
            throughput = (
                f"{ours['per_second'] / naive['per_second']:.1f}x"
                if naive["per_second"]
                else f"over {ours['per_second'] / 0.05:.0f}x (the naive under 0.05 a second)"
            )
            common.out.print(
                f"{kind}: tierCoverage p50 {naive['p50_ms'] / ours['p50_ms']:.1f}x and p95 "
                f"{naive['p95_ms'] / ours['p95_ms']:.1f}x lower than the naive; throughput "
                f"{throughput} (ours while it was {share:.0%} of a mixed load, the naive alone)"
            )
        for op, example in run["error_examples"].items():
            common.out.print(f"{kind}: {op} failed, e.g. {example}", markup=False)
        if "warmup" in run:
            warm = run["warmup"]
            jit = [r["neo4j_jit_cpu_ms"] for r in warm["rounds"] if "neo4j_jit_cpu_ms" in r]
            common.out.print(
                f"{kind}: after a warm-up of {warm['requests']} requests in "
                f"{len(warm['rounds'])} round(s) ({warm['per_second']}/s in the last, "
                f"{warm['errors']} errors), not timed"
                + (f"; the JVM's JIT compilers {jit} ms a request, round by round" if jit else "")
            )
        held = run["targets"]
        if held["operations"]:
            common.out.print(
                f"{kind}: targets (p95) "
                + ", ".join(
                    f"{op} {t['p95_ms']} {'<' if t['met'] else '>='} {t['target_ms']} ms"
                    for op, t in held["operations"].items()
                )
                + f", {run['errors']} errors: {'all met' if held['met'] else 'NOT all met'}"
            )
        loads = run["load_average"]
        common.out.print(
            f"{kind}: load average {loads['before']} before the timed run, {loads['after']} after"
            f"; server CPU {run.get('server_cpu_ms', '?')} ms per request"
            f", shares of its processes {run.get('server_cpu_shares', '?')}"
            f"; the clients' own CPU {run.get('client_cpu_ms', '?')} ms per request"
            + "".join(
                f"; machine probe {when} {p.get('least_ms')} ms (median {p.get('median_ms')})"
                + (
                    f", memory {p['memory_least_ms']} ms (median {p['memory_median_ms']})"
                    if "memory_least_ms" in p
                    else f", max {p.get('max_ms')} ms, {p.get('samples')} samples"
                )
                for when, p in run.get("cpu_probe_ms", {}).items()
            )
            + (
                f"; Neo4j JVM CPU {run['neo4j_jvm_cpu_ms']} ms per request"
                f" (JIT compilers {run.get('neo4j_jit_cpu_ms', '?')} ms, garbage collector"
                f" {run.get('neo4j_gc_cpu_ms', '?')} ms)"
                if "neo4j_jvm_cpu_ms" in run
                else ""
            )
        )
        logged = run["server_log"]
        common.out.print(
            f"{kind}: server log {logged['lines']} lines, {logged['tracebacks']} traceback(s), "
            f"{logged['held_reads']} projection read(s) held still"
            + (f"; kept in {logged['kept']}" if logged["kept"] else ""),
            markup=False,
        )


if __name__ == "__main__":
    main()
