#!/usr/bin/env bash
# Local Neo4j (embedded 5.26 Community behind Bolt, see scripts/neo4j) and Redis, without Docker.
#   scripts/services.sh start [neo4j] [redis]   # both when none given; writes .services/env
#   scripts/services.sh stop [neo4j] [redis]
#   scripts/services.sh status
# Env: TIERGRAPH_NEO4J_HEAP (2g), TIERGRAPH_NEO4J_PAGECACHE (1g), KEEP_DATA=1 keeps the Neo4j data dir,
#      TIERGRAPH_NEO4J_START_TIMEOUT (300 s: a bound, not a wait; 94 s was seen on a busy 2-core machine).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SVC="$ROOT/.services"
ENV_FILE="$SVC/env"
LAUNCHER="$ROOT/scripts/neo4j"
# shellcheck source=scripts/python.sh
source "$ROOT/scripts/python.sh"
CLASSPATH_="$LAUNCHER/target/classes:$LAUNCHER/target/lib/*"

die() { echo "services: $*" >&2; exit 1; }

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Pid of a running service we started, or nothing (checks the command line to avoid reused pids).
running_pid() {
  local name=$1 pattern pid
  [[ $name == neo4j ]] && pattern='dev.tiergraph.Launcher' || pattern='redis-server'
  [[ -f "$SVC/$name.pid" ]] || return 0
  pid=$(<"$SVC/$name.pid")
  if ps -o args= -p "$pid" 2>/dev/null | grep -q "$pattern"; then echo "$pid"; fi
}

set_env() {  # set_env KEY [VALUE]: replace (or with no VALUE remove) one export line
  local key=$1 tmp="$ENV_FILE.tmp"
  touch "$ENV_FILE"
  grep -v "^export $key=" "$ENV_FILE" > "$tmp" || true
  if [[ $# -gt 1 ]]; then echo "export $key=$2" >> "$tmp"; echo "export $key=$2"; fi
  mv "$tmp" "$ENV_FILE"
  [[ -s "$ENV_FILE" ]] || rm -f "$ENV_FILE"
}

build_launcher() {
  local class="$LAUNCHER/target/classes/dev/tiergraph/Launcher.class"
  # built, and not older than its source (a pull that changed the launcher rebuilds it)
  [[ -f $class && -d "$LAUNCHER/target/lib" && ! "$LAUNCHER/src/main/java/dev/tiergraph/Launcher.java" -nt $class ]] && return 0
  echo "building the Neo4j launcher (mvn)..."
  local out
  out=$(mvn -q -B -f "$LAUNCHER/pom.xml" package dependency:copy-dependencies 2>&1) || { echo "$out" >&2; die "mvn build failed"; }
}

start_neo4j() {
  local pid port data="$SVC/neo4j-data" log="$SVC/neo4j.log" t0
  pid=$(running_pid neo4j)
  [[ -z $pid ]] || { echo "neo4j already running (pid $pid)" >&2; grep NEO4J "$ENV_FILE" || true; return 0; }
  build_launcher
  [[ ${KEEP_DATA:-0} == 1 ]] || rm -rf "$data"
  mkdir -p "$data"
  port=$(free_port)
  t0=$(date +%s%N)
  setsid java -Xmx"${TIERGRAPH_NEO4J_HEAP:-2g}" -XX:+ExitOnOutOfMemoryError -cp "$CLASSPATH_" \
    dev.tiergraph.Launcher --port "$port" --data-dir "$data" --pagecache "${TIERGRAPH_NEO4J_PAGECACHE:-1g}" \
    < /dev/null > "$log" 2>&1 &
  pid=$!
  echo "$pid" > "$SVC/neo4j.pid"
  if ! "$PY" - "bolt://127.0.0.1:$port" "$pid" "${TIERGRAPH_NEO4J_START_TIMEOUT:-300}" <<'PY'
import os, sys, time
from neo4j import GraphDatabase
uri, pid, deadline = sys.argv[1], int(sys.argv[2]), time.monotonic() + float(sys.argv[3])
while time.monotonic() < deadline:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("neo4j exited during start-up")
    try:
        with GraphDatabase.driver(uri, auth=None) as driver:
            driver.verify_connectivity()
            driver.execute_query("RETURN 1")
        sys.exit(0)
    except Exception:
        time.sleep(0.5)
sys.exit(f"neo4j did not answer on Bolt in {sys.argv[3]} s (a busy machine may need more: "
         "TIERGRAPH_NEO4J_START_TIMEOUT=600 scripts/services.sh start)")
PY
  then
    echo "--- tail of $log (Neo4j's own log: $data/logs/debug.log)" >&2
    tail -n 40 "$log" >&2
    stop_one neo4j
    die "neo4j failed to start"
  fi
  echo "neo4j up in $(( ($(date +%s%N) - t0) / 1000000 )) ms (pid $pid)" >&2
  set_env TIERGRAPH_NEO4J_URI "bolt://127.0.0.1:$port"
}

start_redis() {
  local pid port
  pid=$(running_pid redis)
  [[ -z $pid ]] || { echo "redis already running (pid $pid)" >&2; grep REDIS "$ENV_FILE" || true; return 0; }
  command -v redis-server > /dev/null || die "redis-server not found (run scripts/setup.sh)"
  port=$(free_port)
  setsid redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
    --dir "$SVC" --logfile "$SVC/redis.log" < /dev/null > /dev/null 2>&1 &
  pid=$!
  echo "$pid" > "$SVC/redis.pid"
  for _ in $(seq 50); do
    [[ $(redis-cli -p "$port" ping 2>/dev/null) == PONG ]] && { set_env TIERGRAPH_REDIS_URL "redis://127.0.0.1:$port/0"; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  tail -n 20 "$SVC/redis.log" >&2 || true
  stop_one redis
  die "redis failed to start"
}

stop_one() {
  local name=$1 pid
  pid=$(running_pid "$name")
  if [[ -n $pid ]]; then
    kill "$pid"
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then echo "$name (pid $pid) ignored SIGTERM, killing" >&2; kill -9 "$pid" || true; fi
    echo "$name stopped" >&2
  fi
  rm -f "$SVC/$name.pid"
  [[ $name == neo4j ]] && set_env TIERGRAPH_NEO4J_URI || set_env TIERGRAPH_REDIS_URL
}

cmd=${1:-status}; shift || true
services=("$@"); [[ ${#services[@]} -gt 0 ]] || services=(neo4j redis)
for s in "${services[@]}"; do [[ $s == neo4j || $s == redis ]] || die "unknown service: $s"; done
mkdir -p "$SVC"

case $cmd in
  start) for s in "${services[@]}"; do "start_$s"; done ;;
  stop) for s in "${services[@]}"; do stop_one "$s"; done ;;
  status)
    for s in "${services[@]}"; do
      pid=$(running_pid "$s")
      if [[ -n $pid ]]; then echo "$s: running (pid $pid)"; else echo "$s: stopped"; fi
    done
    if [[ -f "$ENV_FILE" ]]; then cat "$ENV_FILE"; fi ;;
  *) die "usage: $0 start|stop|status [neo4j] [redis]" ;;
esac
