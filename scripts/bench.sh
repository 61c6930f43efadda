#!/usr/bin/env bash
# `make bench`: the load and cascade benchmarks (bench/README.md) on a Neo4j of their own.
# Starts Neo4j with scripts/services.sh (8 GB heap, 4 GB page cache), runs both
# benchmarks with --yes (they WIPE that database), then stops Neo4j again.
#   scripts/bench.sh                       # tables
#   scripts/bench.sh --format json         # extra arguments go to both benchmarks
#   BENCH_LOAD_ARGS="--nodes 50000" BENCH_CASCADE_ARGS="--sizes 20000" scripts/bench.sh
# A full run takes about 10-15 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/python.sh
source scripts/python.sh

if scripts/services.sh status neo4j | grep -q '^neo4j: running'; then
  echo "bench: a Neo4j from scripts/services.sh is already running; the benchmarks would wipe it." >&2
  echo "bench: stop it first (scripts/services.sh stop neo4j)." >&2
  exit 1
fi

TIERGRAPH_NEO4J_HEAP=${TIERGRAPH_NEO4J_HEAP:-8g} TIERGRAPH_NEO4J_PAGECACHE=${TIERGRAPH_NEO4J_PAGECACHE:-4g} \
  scripts/services.sh start neo4j >/dev/null
trap 'scripts/services.sh stop neo4j >/dev/null' EXIT
# shellcheck disable=SC1091
source .services/env

# shellcheck disable=SC2086  # the *_ARGS are lists of flags
"$PY" bench/load.py --yes ${BENCH_LOAD_ARGS:-} "$@"
# shellcheck disable=SC2086
"$PY" bench/cascade.py --yes ${BENCH_CASCADE_ARGS:-} "$@"
