#!/usr/bin/env bash
# The test command (README, .ci/run): start real Neo4j and Redis, run pytest, stop them.
# Extra arguments go to pytest, e.g. scripts/test.sh -k loaders -x
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/python.sh
source scripts/python.sh
scripts/services.sh start >/dev/null
trap 'scripts/services.sh stop >/dev/null' EXIT
# shellcheck disable=SC1091
source .services/env
"$PY" -m ruff check .
"$PY" -m ruff format --check .
"$PY" -m mypy
"$PY" -m pytest "$@"
