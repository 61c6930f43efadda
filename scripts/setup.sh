#!/usr/bin/env bash
# One-time (idempotent) set-up on a fresh Debian 12 machine: Redis, JDK 17 + Maven, the Python
# package with its dev extras, and the embedded Neo4j launcher (Neo4j jars go to ~/.m2).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SUDO=""
if [[ $(id -u) -ne 0 ]] && command -v sudo > /dev/null; then SUDO=sudo; fi

missing=()
command -v redis-server > /dev/null || missing+=(redis-server)
command -v java > /dev/null || missing+=(openjdk-17-jdk-headless)
command -v mvn > /dev/null || missing+=(maven)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing ${missing[*]} (apt-get)..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" > /dev/null
fi

echo "installing the tiergraph Python package with dev extras (pip)..."
PIP_ROOT_USER_ACTION=ignore python3 -m pip install -q -e "$ROOT[dev]"

echo "building the Neo4j launcher (mvn)..."
out=$(mvn -q -B -f "$ROOT/scripts/neo4j/pom.xml" package dependency:copy-dependencies 2>&1) || { echo "$out" >&2; exit 1; }

echo "setup done (start the services with scripts/services.sh start)"
