"""Embedded-store benchmark: the SQLite store against the JSON store it replaced.

For each size, in one run, both stores get the same generated network and the
same operations, each as a user meets it:
- load: `loaders.load.load` of the network's CSV files into an empty store;
- status: a fresh Python process that opens the store and counts it (what
  `tiergraph status` does), wall time and peak memory of that process; ours is
  also timed as the real `tiergraph status --format json` command;
- write: one supplier registered with its edge, a pass-on and an adoption, into
  a store already open (what an API server does), the median of 5;
- cascade: a fresh process running one member's whole cascade (`cascade run
  -m M`: the graph read, every requirement, the audits, the results saved);
  for ours, then a second fresh process, which starts from the projection
  the first left in the cache folder.
Baseline: bench/json_store.py, the JSON store as it was. Targets (issue 10):
status < 0.3 s and >= 20x; write < 20 ms at 200k; cascade >= 5x; load no
slower; status memory flat in the network's size.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from bench import common  # noqa: E402
from graph.model import Adoption, GraphBatch, Kind, Organisation, PassOn, Sourcing  # noqa: E402
from loaders.generate import generate  # noqa: E402
from loaders.load import load  # noqa: E402
from loaders.writers import write_csv_dir  # noqa: E402

OPEN = {
    "json": "from bench.json_store import MemoryStore as Store",
    "sqlite": "from graph.sqlite_store import SqliteStore as Store",
}
CHILD = """
import json, time
t0 = time.perf_counter()
{open}
store = Store(__import__("pathlib").Path({data!r}))
{work}
took = time.perf_counter() - t0
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024
print(json.dumps({{"seconds": took, "peak_mb": peak}}))
"""
STATUS = "store.counts()"
CASCADE = (
    "from cascade.engine import JobSpec\n"
    "from cascade.service import run_here\n"
    "run_here(store, JobSpec({member!r}))"
)
WRITES = 3  # the median of three (the baseline's take 40 s each at 200k)


def in_fresh_process(kind: str, data: Path, work: str) -> dict[str, float]:
    """Run `work` with the store open in a new interpreter: its wall time (start-up
    included), the time inside it, and its peak resident memory."""
    code = CHILD.format(open=OPEN[kind], data=str(data), work=work)
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TIERGRAPH_CACHE_DIR": str(data / "cache")},
    )
    wall = time.perf_counter() - t0
    inside = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "wall_s": round(wall, 3),
        "inside_s": round(inside["seconds"], 3),
        "peak_mb": round(inside["peak_mb"], 1),
    }


def cli_status(data: Path) -> float:
    """`tiergraph status --format json` on the embedded store, wall time."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TIERGRAPH_STORE": "embedded",
        "TIERGRAPH_DATA_DIR": str(data),
    }
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from tiergraph.cli import main; main()", "status", "-f", "json"],
        capture_output=True,
        check=True,
        cwd=ROOT,
        env=env,
    )
    return round(time.perf_counter() - t0, 3)


def supplier_write(buyer: str, requirement: str, n: int) -> GraphBatch:
    new = f"BENCH-NEW-{n}"
    return GraphBatch(
        organisations=[Organisation(new, Kind.SUPPLIER, f"Bench supplier {n}", "GH")],
        sourcing=[Sourcing(buyer, new, "cocoa")],
        pass_on=[PassOn(buyer, new, requirement)],
        adoptions=[Adoption(new, requirement)],
    )


def measure(
    kind: str, folder: Path, data: Path, member: str, requirement: str, buyer: str
) -> dict[str, Any]:
    store = common_store(kind, data)
    t0 = time.perf_counter()
    report = load(store, [folder])
    load_s = time.perf_counter() - t0
    assert not report.problems, report.problems[:3]
    writes = []
    for n in range(WRITES):
        batch = supplier_write(buyer, requirement, n)
        t0 = time.perf_counter()
        store.write(batch)
        writes.append(time.perf_counter() - t0)
    store.close()
    status = in_fresh_process(kind, data, STATUS)
    cascade = in_fresh_process(kind, data, CASCADE.format(member=member))
    cached = (
        in_fresh_process(kind, data, CASCADE.format(member=member)) if kind == "sqlite" else None
    )
    out = {
        "load_s": round(load_s, 2),
        "write_ms": round(statistics.median(writes) * 1000, 2),
        "status": status,
        "cascade": cascade,
        "cascade_cached": cached,
    }
    if kind == "sqlite":
        out["cli_status_s"] = cli_status(data)
    return out


def common_store(kind: str, data: Path) -> Any:
    if kind == "json":
        from bench.json_store import MemoryStore

        return MemoryStore(data)
    from graph.sqlite_store import SqliteStore

    return SqliteStore(data)


def one_size(size: int, members: int, seed: int, profile: str | None, work: Path) -> dict:
    options: dict[str, Any] = {"profile": profile} if profile else {}
    batch = generate(nodes=size, members=members, seed=seed, **options)
    member = batch.requires[0].member
    requirement = batch.requires[0].requirement
    buyer = next(s.seller for s in batch.sourcing if s.buyer == member)
    folder = work / f"net-{size}"
    write_csv_dir(batch, folder)
    rows = len(batch)
    del batch
    result: dict[str, Any] = {"size": size, "rows": rows, "member": member}
    for kind in ("json", "sqlite"):
        with common.log.status(f"{size:,}: {kind} store..."):
            result[kind] = measure(
                kind, folder, work / f"{kind}-{size}", member, requirement, buyer
            )
        common.log.print(f"{size:,}: {kind} done")
    return result


def rows_for(r: dict) -> list[list[Any]]:
    j, s, size = r["json"], r["sqlite"], f"{r['size']:,}"

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.1f}x" if b else "-"

    status_ok = s["status"]["wall_s"] < 0.3 and j["status"]["wall_s"] / s["status"]["wall_s"] >= 20
    return [
        [
            size,
            "status, fresh process (s)",
            j["status"]["wall_s"],
            s["status"]["wall_s"],
            ratio(j["status"]["wall_s"], s["status"]["wall_s"]),
            "< 0.3 s, >= 20x",
            "met" if status_ok else "NOT met",
        ],
        [size, "`tiergraph status` command (s)", "-", s["cli_status_s"], "-", "-", "-"],
        [
            size,
            "status peak memory (MB)",
            j["status"]["peak_mb"],
            s["status"]["peak_mb"],
            ratio(j["status"]["peak_mb"], s["status"]["peak_mb"]),
            "flat in size",
            "see sizes",
        ],
        [
            size,
            "supplier + edge + pass-on + adoption (ms)",
            j["write_ms"],
            s["write_ms"],
            ratio(j["write_ms"], s["write_ms"]),
            "< 20 ms at 200k",
            "met" if s["write_ms"] < 20 else "NOT met",
        ],
        [
            size,
            "cascade run -m M, fresh process (s)",
            j["cascade"]["wall_s"],
            s["cascade"]["wall_s"],
            ratio(j["cascade"]["wall_s"], s["cascade"]["wall_s"]),
            ">= 5x",
            "met" if j["cascade"]["wall_s"] / s["cascade"]["wall_s"] >= 5 else "NOT met",
        ],
        [
            size,
            "cascade run -m M, next fresh process: projection cache (s)",
            j["cascade"]["wall_s"],
            s["cascade_cached"]["wall_s"],
            ratio(j["cascade"]["wall_s"], s["cascade_cached"]["wall_s"]),
            "-",
            "-",
        ],
        [
            size,
            "load of the CSV files (s)",
            j["load_s"],
            s["load_s"],
            ratio(j["load_s"], s["load_s"]),
            "no slower",
            "met" if s["load_s"] <= j["load_s"] * 1.05 else "NOT met",
        ],
    ]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="20000,200000", help="organisations, comma-separated")
    p.add_argument("--members", type=int, default=5)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--profile", default=None, help="the generator's profile (default: its own)")
    p.add_argument("--format", choices=("table", "json"), default="table")
    args = p.parse_args()
    machine = common.machine(None)
    results = []
    with tempfile.TemporaryDirectory(prefix="tiergraph-bench-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            results.append(one_size(size, args.members, args.seed, args.profile, Path(tmp)))
    if args.format == "json":
        common.emit_json({"machine": machine, "profile": args.profile, "results": results})
        return
    common.out.print(common.machine_line(machine))
    columns = ["size", "measure", "JSON store (baseline)", "SQLite store", "ratio", "target", ""]
    common.out.print(
        common.table(
            f"embedded store (profile {args.profile or 'default'})",
            columns,
            [row for r in results for row in rows_for(r)],
        )
    )


if __name__ == "__main__":
    main()
