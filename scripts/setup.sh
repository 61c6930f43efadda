#!/usr/bin/env bash
# One-time (idempotent) set-up on a fresh Debian 12 machine: Redis, JDK 17 + Maven, the Python
# package with its dev extras, and the embedded Neo4j launcher (Neo4j jars go to ~/.m2).
# Where python3 is externally managed (Debian's own, PEP 668) the package goes into a
# virtualenv, .venv, and `tiergraph` is linked into /usr/local/bin (root) or ~/.local/bin;
# in a virtualenv that is active when it runs, the package goes there and nothing is linked;
# any other python3 (pyenv's, a python.org build) with no .venv takes the package itself.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SUDO=""
if [[ $(id -u) -ne 0 ]] && command -v sudo > /dev/null; then SUDO=sudo; fi

python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' ||
  { echo "setup: tiergraph needs Python 3.11 as python3 (found $(python3 --version 2>&1))" >&2; exit 1; }
externally_managed() {
  python3 -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))'
}
in_a_venv() { python3 -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)'; }
use_venv=0
# A virtualenv the user has activated takes the package itself (nothing made, nothing linked).
if ! in_a_venv && { [[ -x "$ROOT/.venv/bin/python" ]] || externally_managed; }; then use_venv=1; fi
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }

missing=()
command -v redis-server > /dev/null || missing+=(redis-server)
if ! command -v java > /dev/null || [[ $(java_major) -lt 17 ]]; then missing+=(openjdk-17-jdk-headless); fi
command -v mvn > /dev/null || missing+=(maven)
# The README's other commands: `make setup|demo|test`, curl for the API examples; ps for services.sh.
command -v make > /dev/null || missing+=(make)
command -v curl > /dev/null || missing+=(curl)
command -v ps > /dev/null || missing+=(procps)
if ((use_venv)); then
  python3 -c 'import ensurepip' 2> /dev/null || missing+=(python3-venv)
else
  python3 -m pip --version > /dev/null 2>&1 || missing+=(python3-pip)
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing ${missing[*]} (apt-get)..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" > /dev/null
fi

if ((use_venv)) && [[ ! -x "$ROOT/.venv/bin/python" ]]; then
  echo "python3 is externally managed: making a virtualenv in .venv..."
  python3 -m venv "$ROOT/.venv"
fi
# shellcheck source=scripts/python.sh
source "$ROOT/scripts/python.sh"
echo "installing the tiergraph Python package with dev extras (pip: some minutes on a fresh machine, a line per package)..."
# pip's own lines, one a package (its errors go to stderr unfiltered); grep finding none is no failure.
pip_lines() {
  grep --line-buffered -E '^ *(Obtaining|Collecting|Installing|Getting|Preparing|Building|Successfully)' |
    grep --line-buffered -v ': started$' | sed -u 's/^ */  pip: /'
}
PIP_ROOT_USER_ACTION=ignore "$PY" -m pip install --progress-bar off -e "$ROOT[dev]" | { pip_lines || true; }
if ((use_venv)); then
  bin=/usr/local/bin
  [[ -w $bin ]] || bin="$HOME/.local/bin"
  mkdir -p "$bin"
  ln -sf "$ROOT/.venv/bin/tiergraph" "$bin/tiergraph"
  echo "linked $bin/tiergraph to .venv/bin/tiergraph"
  case ":$PATH:" in *":$bin:"*) ;; *) echo "setup: add $bin to PATH to run tiergraph" >&2 ;; esac
  # Another tiergraph earlier on PATH (a pyenv shim, an older install) would run instead of this clone's.
  found=$(command -v tiergraph || true)
  if [[ -n $found && $found != "$bin/tiergraph" ]]; then
    echo "setup: \`tiergraph\` runs $found, not this clone's: use $ROOT/.venv/bin/tiergraph," \
      "or \`source $ROOT/.venv/bin/activate\` first" >&2
  fi
fi

echo "building the Neo4j launcher (mvn: Neo4j's jars into ~/.m2 the first time, a minute or two)..."
out=$(mvn -q -B -f "$ROOT/scripts/neo4j/pom.xml" package dependency:copy-dependencies 2>&1) || { echo "$out" >&2; exit 1; }

echo "setup done: \`tiergraph demo\` serves a synthetic network on the embedded store (no services" \
  "needed); \`bash scripts/test.sh\` runs the tests (it starts and stops Neo4j and Redis itself)"
if ! ((use_venv)) && in_a_venv; then echo "(\`tiergraph\` is on PATH while this virtualenv is active)"; fi
