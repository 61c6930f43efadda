"""Every process starts warm: `tiergraph cascade run` in one process leaves the
projection on disk; after a write, the next process loads it, takes the write in,
and answers as a process that read the whole graph (real Neo4j, real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from graph.model import Adoption, GraphBatch, PassOn
from tests.cascade.scenario import DAY, scenario

# The console script with INFO logging on, so that the projection says where it came from.
CLI = (
    "import logging; logging.basicConfig(level=logging.INFO); "
    "from tiergraph.cli import main; main()"
)


def cascade_run(cache_dir, member: str = "M1") -> tuple[dict, str]:
    env = {**os.environ, "TIERGRAPH_STORE": "neo4j", "TIERGRAPH_CACHE_DIR": str(cache_dir)}
    done = subprocess.run(
        [sys.executable, "-c", CLI, "cascade", "run", "-m", member, "--as-of", DAY.isoformat(),
         "--format", "json"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def payloads(answer: dict) -> list[tuple[str, str, dict]]:
    return sorted((r["kind"], r["key"], r["payload"]) for r in answer["results"])


@pytest.mark.neo4j
def test_the_next_process_loads_the_cache_and_catches_up(neo4j_store, tmp_path):
    store = neo4j_store
    store.write(scenario())
    cache = tmp_path / "cache"

    first, log = cascade_run(cache)
    assert "loaded from the cache" not in log
    assert list(cache.glob("projection-*.npz"))

    # C passes R1 on to D and D adopts: the chain reaches one tier deeper.
    store.write(GraphBatch(pass_on=[PassOn("C", "D", "R1")], adoptions=[Adoption("D", "R1")]))
    second, log = cascade_run(cache)
    assert "projection loaded from the cache" in log
    assert "caught up through 1 change(s)" in log

    fresh, log = cascade_run(tmp_path / "no-cache-yet")  # reads the whole graph
    assert "loaded from the cache" not in log
    assert payloads(second) == payloads(fresh) != payloads(first)
    coverage = next(p for kind, _, p in payloads(second) if kind == "coverage")
    assert coverage["depth"] == 3


@pytest.mark.neo4j
def test_a_garbage_cache_file_is_rebuilt_with_the_same_answers(neo4j_store, tmp_path):
    neo4j_store.write(scenario())
    cache = tmp_path / "cache"
    first, _ = cascade_run(cache)
    (path,) = cache.glob("projection-*.npz")
    path.write_bytes(b"\x00garbage" * 100)
    again, log = cascade_run(cache)
    assert "ignoring the projection cache" in log
    assert payloads(again) == payloads(first)
    third, log = cascade_run(cache)  # the rebuilt file serves the next process
    assert "projection loaded from the cache" in log and payloads(third) == payloads(first)
