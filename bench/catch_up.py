"""CPU of the projection's catch-up (cascade.delta.apply) for one registration (a new
organisation and its SOURCES_FROM edge) and one pass-on, on a generated forum,
this checkout's code against a baseline checkout's in the same run.

    python bench/catch_up.py --yes --nodes 200000 --baseline /tmp/stablepos-main
    python bench/catch_up.py --yes --versions --baseline /tmp/pervers-main

`--readers N`: N threads of one process, each a closed loop of issue 12's write mix
(a registration in 2 of 5 requests, else a tierCoverage read; `--writes`
registrations in all) on a store file: how long reads waited for the catch-up lock
(cascade.lock_waits), how many found the catch-up done by another thread while they
waited, and that each thread's next read after its registration shows it (this
checkout only: the baseline has no lock_waits).

`--versions`: per registration, the catch-up through `cascade.projection.current`
and then every member's tierCoverage reads (5 members' views carried to the new
version and counted): what each graph version costs each server process.

Each code runs in its own process (PYTHONPATH set to its checkout) on the same
generated graph in an in-memory SqliteStore (with `--uri`: in the Neo4j at that
Bolt address, WIPED first, for the catch-up and `--versions`); a write is made, then the catch-up of
the kept projection through the write's change is timed (thread CPU), one write at
a time, `--writes` of each kind. Prints the median and mean ms per catch-up, the
machine's load average and the time (UTC).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
# Run as a script, bench/ comes first on the path and bench/cascade.py would shadow
# the cascade package: the checkout measured comes from PYTHONPATH instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE / "bench"]


def bench_store(uri: str | None) -> Any:
    """An in-memory SqliteStore, or the Neo4j at `uri`, emptied."""
    if uri is None:
        from graph.sqlite_store import SqliteStore

        return SqliteStore()
    from bench import common
    from graph.neo4j_store import Neo4jStore

    store = Neo4jStore.connect(uri)
    common.wipe(store.driver)
    return store


def measure(nodes: int, writes: int, uri: str | None = None) -> dict[str, list[float]]:
    """Run inside the checkout being measured."""
    from cascade import delta
    from cascade.projection import build
    from graph.model import GraphBatch, Kind, Organisation, PassOn, Sourcing
    from loaders.generate import generate

    batch = generate(nodes=nodes, seed=1, profile="tiers")
    store = bench_store(uri)
    store.write(batch)
    projection = build(store)
    suppliers = sorted({s.seller for s in batch.sourcing})[:writes]
    requirement = sorted({r.requirement for r in batch.requires})[0]
    out: dict[str, list[float]] = {"registration": [], "passOn": []}
    for i, buyer in enumerate(suppliers):
        new = f"NEW-{i:05d}"  # a new id among the others in id order (mid-alphabet)
        writes_ = {
            "registration": GraphBatch(
                organisations=[Organisation(new, Kind.SUPPLIER, f"{new} Ltd", "GH")],
                sourcing=[Sourcing(buyer, new, "cocoa")],
            ),
            "passOn": GraphBatch(pass_on=[PassOn(buyer, new, requirement)]),
        }
        for kind, write in writes_.items():
            version = projection.version
            store.write(write)
            changes = store.changes_since(version)
            assert changes
            start = time.thread_time()
            projection = delta.apply(projection, changes)
            out[kind].append((time.thread_time() - start) * 1000)
    return out


def measure_versions(
    nodes: int, writes: int, uri: str | None = None, members: int = 5
) -> dict[str, list[float]]:
    """What one graph version (a registration) costs a served process, run inside the
    checkout being measured: the catch-up (cascade.projection.current) and then each
    member's tierCoverage of each requirement it requires (its view carried to the
    new version and counted), as issue 12's write mix reads after each write."""
    import tempfile

    os.environ["TIERGRAPH_CACHE_DIR"] = tempfile.mkdtemp(prefix="catch-up-cache-")
    from access.principal import Principal, Role
    from cascade import projection as projections
    from graph.model import GraphBatch, Kind, Organisation, Sourcing
    from loaders.generate import generate
    from views.coverage import tier_coverage

    batch = generate(nodes=nodes, seed=1, profile="tiers")
    store = bench_store(uri)
    store.write(batch)
    wanted: dict[str, list[str]] = {}
    for r in batch.requires:
        wanted.setdefault(r.member, []).append(r.requirement)
    keys = [Principal(Role.SOURCING, m, f"k{i}") for i, m in enumerate(sorted(wanted)[:members])]

    def read_all() -> None:
        for key in keys:
            for requirement in wanted[str(key.member)]:
                tier_coverage(principal=key, store=store, requirement=requirement)

    read_all()  # the build and each member's first walk, untimed
    suppliers = sorted({s.seller for s in batch.sourcing})[:writes]
    out: dict[str, list[float]] = {"catch-up": [], "catch-up + tierCoverage reads": []}
    for i, buyer in enumerate(suppliers):
        new = f"NEW-{i:05d}"
        store.write(
            GraphBatch(
                organisations=[Organisation(new, Kind.SUPPLIER, f"{new} Ltd", "GH")],
                sourcing=[Sourcing(buyer, new, "cocoa")],
            )
        )
        start = time.thread_time()
        projections.current(store)
        caught_up = time.thread_time()
        read_all()
        out["catch-up"].append((caught_up - start) * 1000)
        out["catch-up + tierCoverage reads"].append((time.thread_time() - start) * 1000)
    return out


def measure_readers(nodes: int, writes: int, readers: int) -> dict[str, list[float]]:
    """Run inside this checkout: `readers` threads under the write mix (module doc)."""
    import random
    import tempfile
    import threading

    os.environ["TIERGRAPH_CACHE_DIR"] = tempfile.mkdtemp(prefix="catch-up-cache-")
    from access.principal import Principal, Role
    from cascade import lock_waits
    from cascade import projection as projections
    from graph.model import GraphBatch, Kind, Organisation, Sourcing
    from graph.sqlite_store import SqliteStore
    from loaders.generate import generate
    from views.coverage import tier_coverage

    batch = generate(nodes=nodes, seed=1, profile="tiers")
    store = SqliteStore(Path(tempfile.mkdtemp(prefix="catch-up-store-")))
    store.write(batch)
    wanted: dict[str, list[str]] = {}
    for r in batch.requires:
        wanted.setdefault(r.member, []).append(r.requirement)
    keys = [Principal(Role.SOURCING, m, f"k{i}") for i, m in enumerate(sorted(wanted)[:5])]
    for key in keys:  # the build and each member's first walk, untimed
        tier_coverage(principal=key, store=store, requirement=wanted[str(key.member)][0])
    buyers = iter(enumerate(sorted({s.seller for s in batch.sourcing})[:writes]))
    taking, missed = threading.Lock(), []
    lock_waits.WAITS.reset()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while True:
            if rng.random() < 0.4:
                with taking:
                    found = next(buyers, None)
                if found is None:
                    return
                new = f"NEW-{found[0]:05d}"
                store.write(
                    GraphBatch(
                        organisations=[Organisation(new, Kind.SUPPLIER, f"{new} Ltd", "GH")],
                        sourcing=[Sourcing(found[1], new, "cocoa")],
                    )
                )
                if projections.current(store).position(new) is None:
                    missed.append(new)  # a read after the write that does not show it
            key = rng.choice(keys)
            requirement = rng.choice(wanted[str(key.member)])
            tier_coverage(principal=key, store=store, requirement=requirement)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    w = lock_waits.WAITS
    return {
        "lock wait": [x * 1000 for x in w.waited],
        "served": [w.served / max(1, w.taken)],
        "missed": [float(len(missed))],
    }


def main() -> None:
    import argparse

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--yes", action="store_true", help="run it (minutes, GBs)")
    p.add_argument("--nodes", type=int, default=200_000)
    p.add_argument("--writes", type=int, default=50)
    p.add_argument("--baseline", type=Path, help="a checkout to compare with")
    p.add_argument(
        "--versions",
        action="store_true",
        help="per registration, the catch-up and then 5 members' tierCoverage reads "
        "(views carried and counted), not delta.apply alone",
    )
    p.add_argument("--readers", type=int, default=0, help="threads under the write mix")
    p.add_argument("--uri", help="Neo4j Bolt address: measure on it (WIPED), not SQLite")
    p.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.inner:
        if args.readers:
            print(json.dumps(measure_readers(args.nodes, args.writes, args.readers)))
            return
        run = measure_versions if args.versions else measure
        print(json.dumps(run(args.nodes, args.writes, args.uri)))
        return
    if not args.yes:
        sys.exit("generates and loads a forum of --nodes organisations: pass --yes")
    codes = {"this checkout": HERE}
    if args.baseline and not args.readers:
        codes["baseline"] = args.baseline
    where = f"Neo4j at {args.uri}" if args.uri and not args.readers else "SQLite"
    print(
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {args.nodes} organisations, {where}"
    )
    for label, root in codes.items():
        env = {**os.environ, "PYTHONPATH": str(root)}
        cmd = [sys.executable, str(Path(__file__).resolve()), "--inner"]
        cmd += ["--nodes", str(args.nodes), "--writes", str(args.writes)]
        cmd += ["--versions"] if args.versions else []
        cmd += ["--readers", str(args.readers)] if args.readers else []
        cmd += ["--uri", args.uri] if args.uri and not args.readers else []
        found = json.loads(subprocess.run(cmd, env=env, check=True, capture_output=True,
                                          text=True, cwd=root).stdout.splitlines()[-1])  # fmt: skip
        if args.readers:
            _print_waits(found, args.readers)
            print(f"    load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            continue
        for kind, ms in found.items():
            print(
                f"{label:>14} {kind:>12}: median {statistics.median(ms):7.2f} ms, "
                f"mean {statistics.mean(ms):7.2f} ms CPU per catch-up ({len(ms)} writes)"
            )
        print(f"    load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _print_waits(found: dict[str, list[float]], readers: int) -> None:
    waits = sorted(found["lock wait"])
    p95 = waits[int(0.95 * (len(waits) - 1))] if waits else 0.0
    print(
        f"  {readers} threads: {len(waits)} reads took the catch-up lock, waited median "
        f"{statistics.median(waits) if waits else 0:.2f} ms, p95 {p95:.2f} ms, max "
        f"{max(waits, default=0):.2f} ms; {found['served'][0]:.0%} found it done by another "
        f"thread; registrations not shown by the next read: {int(found['missed'][0])}"
    )


if __name__ == "__main__":
    main()
