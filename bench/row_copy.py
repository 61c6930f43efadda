"""The row copy of graph.neo4j_rows on the Neo4j at --uri as it is (nothing written):
how long reading it whole takes, the memory it holds, and what a page of 100
organisation rows and 100 labels costs from it beside the same read over Bolt
(the baseline, in the same run).

    python bench/row_copy.py --uri $TIERGRAPH_NEO4J_URI [--pages 200] [--format json]

Read-only: run it after bench/api.py left its 200,000 organisations in Neo4j.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from bench import common  # noqa: E402
from graph.neo4j_rows import RowCopy  # noqa: E402
from graph.neo4j_store import Neo4jStore  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status", encoding="utf-8") as fh:
        kb = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS"))
    return kb / 1024


def per_page_ms(pages: list[list[str]], read) -> float:  # type: ignore[no-untyped-def]
    start = time.process_time()
    for page in pages:
        read(page)
    return (time.process_time() - start) * 1000 / len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uri", default=os.environ.get("TIERGRAPH_NEO4J_URI"))
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--format", choices=["table", "json"], default="table")
    args = parser.parse_args()
    store = Neo4jStore.connect(args.uri)
    found = {"machine": common.machine(store.driver), "load_average": os.getloadavg()}
    gc.collect()
    rss, copy = rss_mb(), RowCopy()
    wall, cpu = time.perf_counter(), time.process_time()
    copy.bring_to(store, store.graph_version(), float("inf"))
    found["build_s"] = round(time.perf_counter() - wall, 2)
    found["build_cpu_s"] = round(time.process_time() - cpu, 2)
    gc.collect()
    found["rss_mb"] = round(rss_mb() - rss, 1)  # the decoding's peak stays in the arenas
    tracemalloc.start()  # a second copy, traced: what its rows hold once read
    traced = RowCopy()
    traced.bring_to(store, store.graph_version(), float("inf"))
    found["traced_mb"] = round(tracemalloc.get_traced_memory()[0] / 2**20, 1)
    tracemalloc.stop()
    del traced
    found["organisations"], found["audits"] = len(copy.organisations), len(copy.audits)
    ids, rng = list(copy.organisations), random.Random(1)
    pages = [rng.sample(ids, 100) for _ in range(args.pages)]
    found["page_cpu_ms"] = {
        "organisations, copy": per_page_ms(pages, copy.organisation_rows),
        "organisations, Bolt (baseline)": per_page_ms(pages, store.organisations),
        "labels, copy": per_page_ms(pages, copy.label_rows),
        "labels, Bolt (baseline)": per_page_ms(pages, store.label_columns),
    }
    found["page_cpu_ms"] = {k: round(v, 3) for k, v in found["page_cpu_ms"].items()}
    store.close()
    if args.format == "json":
        print(json.dumps(found, indent=2))
        return
    print(common.machine_line(found["machine"]), "load average", found["load_average"])
    print(
        f"{found['organisations']} organisations, {found['audits']} audits: read whole in "
        f"{found['build_s']} s ({found['build_cpu_s']} s of this process's CPU); held: "
        f"{found['traced_mb']} MB traced, {found['rss_mb']} MB of RSS"
    )
    for name, ms in found["page_cpu_ms"].items():
        print(f"  100 rows, {name}: {ms} ms of CPU")


if __name__ == "__main__":
    main()
