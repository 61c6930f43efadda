#!/usr/bin/env bash
# A first GraphQL session on the demo (docs/api.md), while `tiergraph demo` serves in another
# terminal: make a key for M-ACME's sourcing team and one for its supplier S-MFR-000001, ask
# the coverage of REQ-ACME-SCOC, register a sub-supplier as the supplier, ask the coverage again
# (tier 2 has one node more). Run from the clone: bash examples/first_session.sh
# Env: TIERGRAPH_DATA_DIR (the demo's store, default .tiergraph-demo), URL (default
# http://127.0.0.1:8000/graphql). Made for the demo's defaults (`tiergraph demo`, seed 42).
# Run again, it changes nothing in the graph: the first registration answers EXISTING (the
# pair was decided; a CHOOSE answer is not recorded, docs/api.md "Choices made for writes"),
# the second replays its first answer (replayed: true) under its idempotencyKey; a third run
# replays both.
set -euo pipefail
export TIERGRAPH_DATA_DIR="${TIERGRAPH_DATA_DIR:-.tiergraph-demo}"
URL="${URL:-http://127.0.0.1:8000/graphql}"

ask() { # ask KEY QUERY: POST one GraphQL query, print the JSON answer
  local body
  body=$(python3 -c 'import json, sys; print(json.dumps({"query": sys.argv[1]}))' "$2")
  curl -sS "$URL" -H "Authorization: Bearer $1" -H 'content-type: application/json' -d "$body"
  echo
}

if ! curl -sf -o /dev/null "${URL%/graphql}/health"; then
  echo "first_session: no server answers at $URL: run \`tiergraph demo\` first (in another" \
    "terminal) and wait for 'Application startup complete'" >&2
  exit 1
fi
# Keys are shown once: the key alone on stdout, a note on stderr.
SOURCING=$(tiergraph keys create --org M-ACME --role sourcing --label "first session")
SUPPLIER=$(tiergraph keys create --org S-MFR-000001 --role supplier --label "first session")
COVERAGE='{ tierCoverage(requirement: "REQ-ACME-SCOC") { depth nodes reached tiers { tier nodes reached } } }'

echo "# M-ACME's coverage of REQ-ACME-SCOC"
ask "$SOURCING" "$COVERAGE"
echo "# the supplier registers a sub-supplier: its name is close to stored ones, so CHOOSE (EXISTING once decided)"
ask "$SUPPLIER" 'mutation { registerSupplier(
    supplier: {name: "Asunafo Cocoa Cooperative", country: "GH"}, commodity: "cocoa",
    idempotencyKey: "first-session-1") {
  outcome organisation reason candidates { id name score conflicts } mutation { id at } replayed } }'
echo "# none of the candidates is it: create it anyway, with a reason (run again: its first answer, replayed: true)"
ask "$SUPPLIER" 'mutation { registerSupplier(
    supplier: {name: "Asunafo Cocoa Cooperative", country: "GH"}, commodity: "cocoa",
    createAnyway: "another cooperative", idempotencyKey: "first-session-2") {
  outcome organisation reason mutation { id at } replayed } }'
echo "# M-ACME's coverage again: tier 2 has one node more, not reached (nothing passed on yet; run again: as above)"
ask "$SOURCING" "$COVERAGE"
