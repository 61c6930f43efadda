#!/usr/bin/env bash
# The test command (README, .ci/run): start real Neo4j and Redis, run pytest, stop them.
# Extra arguments go to pytest, e.g. scripts/test.sh -k loaders -x
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh start >/dev/null
trap 'scripts/services.sh stop >/dev/null' EXIT
# shellcheck disable=SC1091
source .services/env
ruff check .
ruff format --check .
mypy
python -m pytest "$@"
