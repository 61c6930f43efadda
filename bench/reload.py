"""Reload benchmark: `tiergraph load` of files the store holds already.

A load compares its rows with the stored ones (GraphStore.stored_rows) and writes
only those that change the store (loaders/unchanged.py). Measured on a generated
network's CSV files, on the embedded store (and Neo4j with --uri and --yes):
- first: the load into an empty store (nothing to compare: the store is empty);
- same: the same files again (every row unchanged: nothing written);
- changed: the files with 1% of the organisations renamed.
Baseline, in the same run on the same store: the load as it was before, every
valid row written again (read and check, then `store.write` of the whole batch).
No target was set; the question is what comparing costs against writing.
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from bench import common  # noqa: E402
from loaders import beside  # noqa: E402
from loaders.generate import REFERENCE_DAY  # noqa: E402
from loaders.load import load, read_and_check  # noqa: E402
from loaders.writers import write_csv_dir  # noqa: E402


def seconds(step: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = step()
    return time.perf_counter() - t0, result


def rename_some(folder: Path, share: float) -> int:
    """Rename every 1/share-th organisation of the files; returns how many."""
    path = folder / "organisations.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    step = max(int(1 / share), 1)
    for row in rows[::step]:
        row["name"] += " Renamed"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows[::step])


def old_load(store: Any, folder: Path) -> None:
    """The load before: every valid row written again."""
    report, batch = read_and_check(store, [folder], today=REFERENCE_DAY)
    assert report.ok, report.problems[:3]
    store.write(batch)


def measure(store: Any, folder: Path) -> dict[str, Any]:
    first, report = seconds(lambda: load(store, [folder], today=REFERENCE_DAY))
    assert report.ok, report.problems[:3]
    same, again = seconds(lambda: load(store, [folder], today=REFERENCE_DAY))
    assert again.written == {}, again.written
    same_old, _ = seconds(lambda: old_load(store, folder))
    renamed = rename_some(folder, 0.01)
    changed, after = seconds(lambda: load(store, [folder], today=REFERENCE_DAY))
    assert after.written.get("organisations") == renamed, after.written
    changed_old, _ = seconds(lambda: old_load(store, folder))
    return {
        "rows": report.rows,
        "first_s": round(first, 2),
        "same_s": round(same, 2),
        "same_baseline_s": round(same_old, 2),
        "changed_rows": renamed,
        "changed_s": round(changed, 2),
        "changed_baseline_s": round(changed_old, 2),
    }


def main() -> None:
    args = common.store_arguments(__doc__.splitlines()[0])
    batch = common.network(args.nodes, 5, 1, "tiers")
    results: dict[str, Any] = {}
    driver = None
    with tempfile.TemporaryDirectory() as tmp:
        for name, store, opened in common.each_store(args, Path(tmp)):
            driver = opened or driver
            folder = Path(tmp) / name / "net"
            write_csv_dir(batch, folder)
            beside.write_csv(beside.generated(batch, seed=1, today=REFERENCE_DAY), folder)
            common.log.print(f"{name}: {args.nodes:,} organisations...")
            results[name] = measure(store, folder)
    machine = common.machine(driver)
    if driver is not None:
        driver.close()
    answer = {"nodes": args.nodes, "machine": machine, "load_average": common.load_average()}
    if args.format == "json":
        common.emit_json({**answer, "stores": results})
        return
    columns = ["store", "rows", "first", "same", "same, before", "1% changed", "changed, before"]
    rows = [
        [name, f"{r['rows']:,}", r["first_s"], r["same_s"], r["same_baseline_s"],
         r["changed_s"], r["changed_baseline_s"]]
        for name, r in results.items()
    ]  # fmt: skip
    common.log.print(common.table(f"reload, seconds ({args.nodes:,} nodes)", columns, rows))
    common.log.print(common.machine_line(machine))
    common.log.print(f"load average: {answer['load_average']}")


if __name__ == "__main__":
    main()
