"""What both benchmarks share: arguments, the machine line, wiping, counting,
timing a store's queries, and printing figures as a rich table or one JSON object."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from neo4j import Driver
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graph import cypher
from graph.model import GraphBatch
from loaders.generate import MEMBERS_BY_DEFAULT, PROFILES, generate

# Progress and notes go to stderr, figures to stdout: `--format json` stays parseable.
log = Console(stderr=True, highlight=False)
out = Console(highlight=False, width=None if sys.stdout.isatty() else 140)

WIPE = cypher.WIPE_ALL


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=description
        + " WARNING: it deletes every node and relationship of the target database"
        " (nothing runs without --yes).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    default_uri = os.environ.get("TIERGRAPH_NEO4J_URI", "bolt://127.0.0.1:7687")
    p.add_argument("--uri", default=default_uri, help="Neo4j Bolt URI (env TIERGRAPH_NEO4J_URI)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument(
        "--yes", action="store_true", help="agree to WIPE the database at --uri (required)"
    )
    return p


def network_arguments(p: argparse.ArgumentParser, members: int) -> None:
    """--profile, --members and --seed: which generated network to measure on."""
    p.add_argument(
        "--profile",
        choices=PROFILES,
        default="tiers",
        help="the generator's shape (docs/formats.md): tiers, members' chains down to "
        "smallholders; brands, few members each listing hundreds to thousands of shared mills",
    )
    p.add_argument(
        "--members",
        type=int,
        default=None,
        help=f"member brands (default: {members} for tiers, "
        f"{MEMBERS_BY_DEFAULT['brands']} for brands)",
    )
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(tiers_members=members)


def members_of(args: argparse.Namespace) -> int:
    """--members, or the profile's default."""
    if args.members is not None:
        return args.members
    return args.tiers_members if args.profile == "tiers" else MEMBERS_BY_DEFAULT[args.profile]


def network(nodes: int, members: int, seed: int, profile: str) -> GraphBatch:
    """The generated network a benchmark measures on."""
    return generate(nodes=nodes, members=members, seed=seed, profile=profile)


def store_arguments(description: str) -> argparse.Namespace:
    """--nodes and --neo4j (Neo4j at --uri, wiped, beside the embedded store: --yes)."""
    p = parser(description)
    p.add_argument("--nodes", type=int, default=20_000)
    p.add_argument("--neo4j", action="store_true", help="also on Neo4j at --uri (wiped)")
    args = p.parse_args()
    if args.neo4j:
        require_yes(args)
    return args


def each_store(args: argparse.Namespace, folder: Path) -> Iterator[tuple[str, Any, Driver | None]]:
    """The embedded store (in `folder`, closed after its turn), then with --neo4j the
    Neo4j at --uri, wiped, with its driver (the caller closes it)."""
    from graph.sqlite_store import SqliteStore

    embedded = SqliteStore(folder / "embedded" / "data")
    yield "embedded", embedded, None
    embedded.close()
    if args.neo4j:
        from neo4j import GraphDatabase

        from graph.neo4j_store import Neo4jStore

        driver = GraphDatabase.driver(args.uri, auth=None, notifications_min_severity="OFF")
        wipe(driver)
        store = Neo4jStore(driver)
        store.ensure_schema()
        yield "neo4j", store, driver


def require_yes(args: argparse.Namespace) -> None:
    if not args.yes:
        log.print(
            f"[red]refusing to run: this benchmark wipes the database at {args.uri}; "
            "pass --yes to agree[/]"
        )
        sys.exit(2)


def machine(driver: Driver | None) -> dict[str, Any]:
    """CPU, cores, RAM, Python and Neo4j versions (none without a driver), and when."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next(
                line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    ram_gb = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            kb = next(int(line.split()[1]) for line in fh if line.startswith("MemTotal"))
        ram_gb = round(kb / 1024**2, 1)
    except (OSError, StopIteration):
        pass
    neo4j = "not used"
    if driver is not None:
        records, _, _ = driver.execute_query("CALL dbms.components() YIELD versions, edition")
        neo4j = f"{records[0]['versions'][0]} {records[0]['edition']}"
    try:  # the code measured: other work may sit uncommitted in the tree
        git = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
            cwd=os.path.dirname(__file__),
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        git = "unknown"
    return {
        "git": git,
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "neo4j": neo4j,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def machine_line(m: dict[str, Any]) -> str:
    return (
        f"{m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, Python {m['python']}, "
        f"Neo4j {m['neo4j']}, {m['date']}, code {m['git']}"
    )


def wipe(driver: Driver) -> float:
    """Delete everything (constraints and indexes stay); returns seconds."""
    t0 = time.perf_counter()
    with driver.session() as session:
        session.run(WIPE).consume()
    return time.perf_counter() - t0


def node_count(driver: Driver) -> int:
    records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS n")
    return records[0]["n"]


def entities(batch: GraphBatch) -> tuple[int, int]:
    """(nodes, relationships) a batch makes in Neo4j: an audit row is an Audit and
    its COVERS, a finding row a Finding and its HAS_FINDING, recognitions add Schemes."""
    b = batch
    schemes = len({r.scheme for r in b.recognitions})
    nodes = len(b.organisations) + len(b.requirements) + len(b.audits) + len(b.findings) + schemes
    rels = (
        len(b.requires)
        + len(b.sourcing)
        + len(b.pass_on)
        + len(b.adoptions)
        + len(b.audits)  # COVERS
        + len(b.findings)  # HAS_FINDING
        + len(b.shares)
        + len(b.recognitions)
    )
    return nodes, rels


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr; yields `advance(n)`."""
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, TimeElapsedColumn(), console=log, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


class Timed:
    """A proxy that times every method call of the wrapped object (a store or a
    job store) by method name, and passes everything through."""

    def __init__(self, inner: Any):
        self._inner = inner
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.each: dict[str, list[float]] = defaultdict(list)  # every call's seconds, in order

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                took = time.perf_counter() - t0
                self.seconds[name] += took
                self.calls[name] += 1
                self.each[name].append(took)

        return timed


def table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    t = Table(title=title, title_justify="left")
    for i, c in enumerate(columns):
        t.add_column(c, justify="left" if i == 0 else "right")
    for r in rows:
        t.add_row(*(str(v) for v in r))
    return t


def emit_json(data: dict[str, Any]) -> None:
    print(json.dumps(data, indent=2, default=str))


def rate(n: float, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux)."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


@contextmanager
def timed_functions(module: Any, names: list[str]) -> Iterator[dict[str, list[float]]]:
    """Time every call of the module's functions `names` (looked up through the
    module at call time) for the duration; yields name -> each call's seconds."""
    seconds: dict[str, list[float]] = defaultdict(list)
    originals = {name: getattr(module, name) for name in names}

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[name].append(time.perf_counter() - t0)

        return timed

    for name, fn in originals.items():
        setattr(module, name, wrap(name, fn))
    try:
        yield seconds
    finally:
        for name, fn in originals.items():
            setattr(module, name, fn)


def cpu_probe(rounds: int = 7) -> dict[str, float]:
    """The machine's speed now, two ways, each run `rounds` times in this process
    (least and median CPU ms): a fixed pure-Python workload (dict updates, a sort of
    strings: the interpreter on a working set that fits in the caches), and
    `memory_`: 2,000,000 reads at random places of a 128 MB array (numpy; each read
    a cache miss, as the server's reads of its large projection often are). On a
    shared virtual machine the same code's CPU per request varied 1.5-2x from one
    run or hour to the next (bench/README.md); these figures, taken beside a run,
    say which kind of hour it ran in."""
    spent, memory = [], []
    big = np.arange(16_000_000, dtype=np.int64)
    places = np.random.default_rng(0).integers(0, len(big), 2_000_000)
    for _ in range(rounds):
        spent.append(interpreter_work())
        start = time.process_time()
        int(big[places].sum())
        memory.append((time.process_time() - start) * 1000)
    return {
        "least_ms": round(min(spent), 1),
        "median_ms": round(statistics.median(spent), 1),
        "memory_least_ms": round(min(memory), 1),
        "memory_median_ms": round(statistics.median(memory), 1),
    }


def interpreter_work() -> float:
    """cpu_probe's fixed pure-Python workload (dict updates, a sort of strings), run
    once: its CPU ms."""
    start = time.process_time()
    counts: dict[int, int] = {}
    for i in range(200_000):
        counts[i % 1000] = counts.get(i % 1000, 0) + i
    sorted(str(k) for k in range(50_000))
    return (time.process_time() - start) * 1000


PROBE_EVERY_S = 2.0  # the probe during a run: about 35 ms of CPU every 2 s (under 1% of 2 cores)
_PROBE_LOOP = f"""
import time
from bench.common import interpreter_work
while True:
    print(round(interpreter_work(), 2), flush=True)
    time.sleep({PROBE_EVERY_S})
"""


@contextmanager
def probe_during() -> Iterator[dict[str, Any]]:
    """cpu_probe's interpreter workload, in a process of its own, every PROBE_EVERY_S
    while the block runs (the server busy): how fast the machine was during the run,
    not only either side of it (before/after with the server idle missed minutes
    when the same code took 1.5-2x its CPU). Fills the dict it yields, when the block
    ends, with {"samples", "least_ms", "median_ms", "max_ms"} (CPU ms of one
    workload, as cpu_probe's least_ms; a busy machine adds its cache misses)."""
    root = str(Path(__file__).resolve().parent.parent)
    paths = [root, *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    child = subprocess.Popen(
        [sys.executable, "-c", _PROBE_LOOP], stdout=subprocess.PIPE, text=True, env=env
    )
    found: dict[str, Any] = {}
    try:
        yield found
    finally:
        child.terminate()
        out, _ = child.communicate()
        spent = [float(word) for word in out.split() if _is_number(word)]
        found["samples"] = len(spent)
        if spent:
            found["least_ms"] = round(min(spent), 1)
            found["median_ms"] = round(statistics.median(spent), 1)
            found["max_ms"] = round(max(spent), 1)


def _is_number(word: str) -> bool:
    """A probe sample (a word the child's imports printed is not one)."""
    try:
        float(word)
    except ValueError:
        return False
    return True


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (what else the machine was doing)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def in_lifespan(app: Any, work: Callable[[], Any]) -> tuple[Any, str, str]:
    """`work()` (a coroutine) run on a new event loop inside the ASGI app's lifespan,
    as a server would run it: (its result, load average before, load average after)."""
    loop = asyncio.new_event_loop()
    lifespan = app.router.lifespan_context(app)
    loop.run_until_complete(lifespan.__aenter__())
    before = load_average()
    try:
        result = loop.run_until_complete(work())
    finally:
        after = load_average()
        loop.run_until_complete(lifespan.__aexit__(None, None, None))
        loop.close()
    return result, before, after
