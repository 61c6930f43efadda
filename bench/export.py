"""Export benchmark: one member's network written as CSV (zip), JSON Lines and
GraphML, beside networkx.write_graphml on the same network, in the same run.

For each size (default 200,000 and 1,000,000 organisations, generated once by
bench/export_network.py into --folder and reused), the largest member's network
is exported on the embedded store; each format, and the baseline, in a fresh
Python process of its own, so that peak memories (the process's VmHWM) do not
mix. Every process first loads the cascade's projection from its disk cache
(what a server or worker holds already); the figures are then:
- ours: the export as `tiergraph export` and the export jobs run it (the member's
  walk, audit status, requirements reached, the risk model, then the rows written
  chunk by chunk with one bulk store read per chunk of nodes, none for edges),
  rows (nodes + edges) per second over that whole time;
- baseline: the same rows, with the same attributes, built as a networkx DiGraph
  (its build timed apart) and written by networkx.write_graphml, rows per second
  over the write alone (its kindest measure).
Targets (issue 14): at least 3x the baseline's rows per second, peak memory under
1.5 GB at 1,000,000 and growing less than 2x from 200,000 to 1,000,000.

    python bench/export.py [--sizes 200000,1000000] [--folder DIR] [--format json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from bench import common  # noqa: E402
from bench.export_network import ensure  # noqa: E402

FORMATS = ("csv", "jsonl", "graphml")
AS_OF = "2026-06-30"
CHILD_START = """
import json, resource, time
from datetime import date
from pathlib import Path
from graph.sqlite_store import SqliteStore
from cascade import projection as projections
from exports.run import table_of

def memory(field):
    with open("/proc/self/status") as f:
        return int(next(l for l in f if l.startswith(field)).split()[1]) / 1024

def cpu():
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime

store = SqliteStore(Path({data!r}))
t0 = time.perf_counter()
projections.current(store)
loaded_s = time.perf_counter() - t0
before_mb = memory("VmRSS")
t1, cpu1 = time.perf_counter(), cpu()
table = table_of(store, {member!r}, date.fromisoformat({day!r}))
rows = table.node_count + table.edge_count
table_mb = memory("VmRSS")
"""
OURS = """
from exports.formats import ExportFormat, write
t2, cpu2 = time.perf_counter(), cpu()
write(ExportFormat({fmt!r}), table, Path({out!r}), lambda done: None)
end, cpu_end = time.perf_counter(), cpu()
extra = {{"table_s": t2 - t1, "write_s": end - t2, "cpu_s": cpu_end - cpu1,
          "write_cpu_s": cpu_end - cpu2}}
"""
BASELINE = """
import networkx as nx
from exports.columns import node_columns, node_values, COMMODITY_SEPARATOR
graph = nx.DiGraph(**{{k: json.dumps(v) if isinstance(v, (dict, list)) else v
                       for k, v in table.header().items() if v is not None}})
columns = node_columns(table)
for chunk in table.node_chunks():
    for row in zip(*node_values(table, chunk)):
        graph.add_node(row[0], **{{c: v for c, v in zip(columns[1:], row[1:]) if v is not None}})
for edges in table.edge_chunks():
    graph.add_edges_from(
        (s, t, {{"commodity": COMMODITY_SEPARATOR.join(c)}})
        for s, t, c in zip(edges.sources, edges.targets, edges.commodities)
    )
del table
t2, cpu2 = time.perf_counter(), cpu()
nx.write_graphml(graph, {out!r})
end, cpu_end = time.perf_counter(), cpu()
extra = {{"build_s": t2 - t1, "write_s": end - t2, "cpu_s": cpu_end - cpu1,
          "write_cpu_s": cpu_end - cpu2}}
"""
CHILD_END = """
print(json.dumps({{"rows": rows, "loaded_s": loaded_s, "before_mb": before_mb, "table_mb": table_mb,
    "seconds": end - t1, "peak_mb": memory("VmHWM"), "bytes": Path({out!r}).stat().st_size,
    **extra}}))
"""


def in_process(data: Path, cache: Path, member: str, work: str, out: Path, fmt: str) -> dict:
    code = CHILD_START.format(data=str(data), member=member, day=AS_OF)
    code += work.format(fmt=fmt, out=str(out)) + CHILD_END.format(out=str(out))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TIERGRAPH_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    found = json.loads(done.stdout.strip().splitlines()[-1])
    out.unlink(missing_ok=True)
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in found.items()}


def measure(folder: Path, size: int, members: int, seed: int, scratch: Path) -> dict[str, Any]:
    network = ensure(folder, size, members, seed)
    where = folder / str(size)
    data, cache, member = where / "data", where / "cache", network["member"]
    load = {"before": common.load_average()}
    results: dict[str, Any] = {}
    for fmt in FORMATS:
        common.log.print(f"{size:,}: {fmt} ...")
        results[fmt] = in_process(data, cache, member, OURS, scratch / f"ours.{fmt}", fmt)
        common.log.print(f"  {json.dumps(results[fmt])}")
    common.log.print(f"{size:,}: networkx.write_graphml (baseline) ...")
    base = in_process(data, cache, member, BASELINE, scratch / "nx.graphml", "graphml")
    common.log.print(f"  {json.dumps(base)}")
    load["after"] = common.load_average()
    rows = base["rows"]
    base_rate, base_cpu_rate = rows / base["write_s"], rows / base["write_cpu_s"]
    for r in results.values():
        r["rows_per_s"] = round(r["rows"] / r["seconds"])
        r["speedup"] = round(r["rows_per_s"] / base_rate, 1)
        r["rows_per_cpu_s"] = round(r["rows"] / r["cpu_s"])
        r["cpu_speedup"] = round(r["rows_per_cpu_s"] / base_cpu_rate, 1)
        r["write_speedup"] = round(base["write_s"] / r["write_s"], 1)
    base["rows_per_s"], base["rows_per_cpu_s"] = round(base_rate), round(base_cpu_rate)
    return {
        "size": size,
        "member": member,
        "network": network["networks"][member],
        "rows": rows,
        "ours": results,
        "baseline": base,
        "load_average": load,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="200000,1000000")
    p.add_argument("--folder", type=Path, default=Path("/tmp/tiergraph-export-bench"))
    p.add_argument("--members", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--format", choices=("table", "json"), default="table")
    args = p.parse_args()
    machine = common.machine(None)
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as scratch:
        runs = [measure(args.folder, s, args.members, args.seed, Path(scratch)) for s in sizes]
    data = {"machine": machine, "runs": runs, "targets": targets(runs)}
    if args.format == "json":
        common.emit_json(data)
    else:
        print_tables(data)


def targets(runs: list[dict[str, Any]]) -> dict[str, Any]:
    by_size = {r["size"]: r for r in runs}
    peak = {s: max(v["peak_mb"] for v in r["ours"].values()) for s, r in by_size.items()}
    slowest = {s: min(v["speedup"] for v in r["ours"].values()) for s, r in by_size.items()}
    cpu = {s: min(v["cpu_speedup"] for v in r["ours"].values()) for s, r in by_size.items()}
    out: dict[str, Any] = {"min_speedup": slowest, "min_cpu_speedup": cpu, "peak_mb": peak}
    if 200_000 in by_size and 1_000_000 in by_size:
        small, large = by_size[200_000]["ours"], by_size[1_000_000]["ours"]
        out["peak_growth"] = {f: round(large[f]["peak_mb"] / small[f]["peak_mb"], 2) for f in small}
    return out


def print_tables(data: dict[str, Any]) -> None:
    common.out.print(common.machine_line(data["machine"]))
    rows = []
    for r in data["runs"]:
        for name, v in [*r["ours"].items(), ("networkx.write_graphml", r["baseline"])]:
            rows.append([
                f"{r['size']:,}", name, f"{v['rows']:,}", f"{v['seconds']:.1f}",
                f"{v['write_s']:.1f}", f"{v['rows_per_s']:,}", str(v.get("speedup", "")),
                str(v.get("cpu_speedup", "")), str(v.get("write_speedup", "")),
                f"{v['before_mb']:,.0f}", f"{v['table_mb']:,.0f}", f"{v['peak_mb']:,.0f}",
                f"{v['bytes'] / 1e6:,.0f}",
            ])  # fmt: skip
    columns = ["size", "format", "rows", "s", "write s", "rows/s", "x nx", "x nx cpu"]
    columns += ["x nx write", "MB before", "MB table", "peak MB"]
    common.out.print(common.table("exports", [*columns, "file MB"], rows))
    for r in data["runs"]:
        la = r["load_average"]
        common.out.print(
            f"{r['size']:,}: member {r['member']} ({r['network']:,} nodes); load average "
            f"{la['before']} before, {la['after']} after"
        )
    common.out.print(f"targets: {json.dumps(data['targets'])}")


if __name__ == "__main__":
    main()
