"""`tiergraph load` phase by phase, on Neo4j beside the embedded store (the baseline).

A generated network's CSV files (organisations and every other kind, with plans and
share requests) are loaded twice into each store, emptied first: `first` into the
empty store, `again` the same files (every row unchanged: nothing written). Each
phase of loaders.load.load is timed: `check` (read and check every row: what the
progress bar calls "checking rows", with `unchanged`), `unchanged` (the rows
compared with the stored ones), `beside` (plans compared), `write` (the graph),
`write_beside` (plans and share requests). Figures: wall seconds, this process's
CPU seconds and, on a local Neo4j, its JVM's CPU seconds. Same files, same run,
same machine (stated) for both stores; no target: the question is what the same
work costs on each store.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from bench import common  # noqa: E402
from bench.api import listener_pid, process_cpu_seconds  # noqa: E402
from loaders import beside  # noqa: E402
from loaders import load as loading  # noqa: E402
from loaders.generate import REFERENCE_DAY  # noqa: E402
from loaders.writers import write_csv_dir  # noqa: E402

PHASES = {
    "check": "read_and_check",
    "unchanged": "split_unchanged",
    "beside": "_unchanged_beside",
    "write_beside": "write_beside",
}


@contextmanager
def phases(store: Any, jvm: int | None) -> Iterator[dict[str, dict[str, float]]]:
    """Wall, CPU and JVM CPU seconds of each phase of the loads run meanwhile."""
    out: dict[str, dict[str, float]] = {}
    patched = {name: getattr(loading, fn) for name, fn in PHASES.items()}
    write = store.write

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            t, c = time.perf_counter(), time.process_time()
            j = process_cpu_seconds(jvm) if jvm else 0.0
            try:
                return fn(*args, **kwargs)
            finally:
                spent = out.setdefault(name, {"wall_s": 0.0, "cpu_s": 0.0, "jvm_cpu_s": 0.0})
                spent["wall_s"] += time.perf_counter() - t
                spent["cpu_s"] += time.process_time() - c
                spent["jvm_cpu_s"] += process_cpu_seconds(jvm) - j if jvm else 0.0

        return run

    for name, fn in patched.items():
        setattr(loading, PHASES[name], timed(name, fn))
    store.write = timed("write", write)
    try:
        yield out
    finally:
        for name, fn in patched.items():
            setattr(loading, PHASES[name], fn)
        store.write = write


def measure(store: Any, folder: Path, jvm: int | None) -> dict[str, Any]:
    answer: dict[str, Any] = {}
    for run in ("first", "again"):
        t = time.perf_counter()
        with phases(store, jvm) as spent:
            report = loading.load(store, [folder], today=REFERENCE_DAY)
        assert report.ok, report.problems[:3]
        spent["total"] = {"wall_s": time.perf_counter() - t}
        answer[run] = {k: {m: round(v, 2) for m, v in d.items()} for k, d in spent.items()}
        answer[run]["rows"] = report.rows
        answer[run]["written"] = sum(report.written.values())
    return answer


def main() -> None:
    args = common.store_arguments(__doc__.splitlines()[0])
    batch = common.network(args.nodes, 5, 1, "tiers")
    results: dict[str, Any] = {}
    driver = None
    before = common.load_average()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "net"
        write_csv_dir(batch, folder)
        beside.write_csv(beside.generated(batch, seed=1, today=REFERENCE_DAY), folder)
        for name, store, driver in common.each_store(args, Path(tmp)):
            jvm = listener_pid(args.uri) if driver is not None else None
            common.log.print(f"{name}: {args.nodes:,} organisations...")
            results[name] = measure(store, folder, jvm)
    machine = common.machine(driver)
    if driver is not None:
        driver.close()
    answer = {
        "nodes": args.nodes,
        "machine": machine,
        "load_average": {"before": before, "after": common.load_average()},
        "stores": results,
    }
    if args.format == "json":
        common.emit_json(answer)
        return
    columns = ["store", "load", "phase", "wall s", "CPU s", "JVM CPU s"]
    rows = [
        [name, run, phase, d.get("wall_s", ""), d.get("cpu_s", ""), d.get("jvm_cpu_s", "")]
        for name, r in results.items()
        for run in ("first", "again")
        for phase, d in r[run].items()
        if isinstance(d, dict)
    ]
    common.log.print(common.table(f"tiergraph load by phase ({args.nodes:,} nodes)", columns, rows))
    common.log.print(common.machine_line(machine))
    common.log.print(f"load average: {answer['load_average']}")


if __name__ == "__main__":
    main()
