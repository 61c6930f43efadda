"""The generated networks bench/export.py measures on, on the embedded store:
written once into `<folder>/<size>/data` (with the projection cache beside it)
and reused by later runs of the same size, seed and members.

    python bench/export_network.py --sizes 200000,1000000 --folder /tmp/tiergraph-export-bench
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent), *(p for p in sys.path if Path(p or ".").resolve() != HERE)]

from cascade import projection as projections  # noqa: E402
from cascade.engine import walked  # noqa: E402
from graph.sqlite_store import SqliteStore  # noqa: E402
from loaders.generate import generate  # noqa: E402

READY = "ready.json"


def ensure(folder: Path, size: int, members: int, seed: int) -> dict:
    """The network's folder, written unless one of the same shape is there; returns
    what `ready.json` says (size, members, seed, the largest member, seconds)."""
    where = folder / str(size)
    marker = where / READY
    wanted = {"size": size, "members": members, "seed": seed}
    if marker.exists():
        done = json.loads(marker.read_text())
        if {k: done.get(k) for k in wanted} == wanted:
            return done
    where.mkdir(parents=True, exist_ok=True)
    os.environ["TIERGRAPH_CACHE_DIR"] = str(where / "cache")  # the projection kept there
    t0 = time.perf_counter()
    batch = generate(nodes=size, members=members, seed=seed, profile="tiers")
    generated = time.perf_counter() - t0
    store = SqliteStore(where / "data")
    try:
        store.clear()
        t1 = time.perf_counter()
        store.write(batch)
        del batch
        written = time.perf_counter() - t1
        projection = projections.current(store)
        sizes = {m: int(walked(projection, m).in_network.sum()) for m in store.members()}
    finally:
        store.close()
    largest = max(sorted(sizes), key=lambda m: sizes[m])
    done = wanted | {
        "member": largest,
        "networks": sizes,
        "generate_s": round(generated, 1),
        "write_s": round(written, 1),
    }
    marker.write_text(json.dumps(done, indent=1))
    return done


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="200000,1000000")
    p.add_argument("--folder", type=Path, default=Path("/tmp/tiergraph-export-bench"))
    p.add_argument("--members", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        print(json.dumps(ensure(args.folder, size, args.members, args.seed)), flush=True)


if __name__ == "__main__":
    main()
