"""Cypher of the Neo4j adapter: named, parameterised, values only as $params.

Labels and relationship types never come from input: the few that vary are
picked from the allow-lists below.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.model import IDENTIFIER_FIELDS, Kind

# No index on relationship properties (SOURCES_FROM.commodity, PASSED_ON.requirement):
# the planner would seek MERGE's pattern through it, reading every edge of that
# commodity or requirement per row (measured: 750 rows/s instead of tens of thousands).
# name -> statement; the names are what SHOW INDEXES lists (a constraint's index
# takes the constraint's name), so one read tells which are missing.
SCHEMA = {
    "organisation_id": "CREATE CONSTRAINT organisation_id IF NOT EXISTS "
    "FOR (n:Organisation) REQUIRE n.id IS UNIQUE",
    "requirement_id": "CREATE CONSTRAINT requirement_id IF NOT EXISTS "
    "FOR (n:Requirement) REQUIRE n.id IS UNIQUE",
    "audit_id": "CREATE CONSTRAINT audit_id IF NOT EXISTS FOR (n:Audit) REQUIRE n.id IS UNIQUE",
    "finding_id": "CREATE CONSTRAINT finding_id IF NOT EXISTS "
    "FOR (n:Finding) REQUIRE n.id IS UNIQUE",
    "scheme_name": "CREATE CONSTRAINT scheme_name IF NOT EXISTS "
    "FOR (n:Scheme) REQUIRE n.name IS UNIQUE",
    "result_id": "CREATE CONSTRAINT result_id IF NOT EXISTS "
    "FOR (r:CascadeResult) REQUIRE r.id IS UNIQUE",
    "result_lookup": "CREATE INDEX result_lookup IF NOT EXISTS "
    "FOR (r:CascadeResult) ON (r.kind, r.member, r.key)",
    "graph_version": "CREATE CONSTRAINT graph_version IF NOT EXISTS "
    "FOR (v:GraphVersion) REQUIRE v.name IS UNIQUE",
    "api_key_id": "CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (k:ApiKey) REQUIRE k.id IS UNIQUE",
    "mutation_id": "CREATE CONSTRAINT mutation_id IF NOT EXISTS "
    "FOR (m:Mutation) REQUIRE m.id IS UNIQUE",
    # One record per idempotency key: a racing second apply fails on it and reads the first.
    "mutation_scope": "CREATE CONSTRAINT mutation_scope IF NOT EXISTS "
    "FOR (m:Mutation) REQUIRE m.scope IS UNIQUE",
    "mutation_by_organisation": "CREATE INDEX mutation_by_organisation IF NOT EXISTS "
    "FOR (m:Mutation) ON (m.organisation)",
    "match_verdict_pair": "CREATE CONSTRAINT match_verdict_pair IF NOT EXISTS "
    "FOR (v:MatchVerdict) REQUIRE (v.of, v.stored_id) IS UNIQUE",
    "share_request_id": "CREATE CONSTRAINT share_request_id IF NOT EXISTS "
    "FOR (r:ShareRequest) REQUIRE r.id IS UNIQUE",
    # One open request per (member, audit): `open_key` is set only while it is open
    # (a uniqueness constraint skips nodes without the property).
    "share_request_open": "CREATE CONSTRAINT share_request_open IF NOT EXISTS "
    "FOR (r:ShareRequest) REQUIRE r.open_key IS UNIQUE",
    "share_request_member": "CREATE INDEX share_request_member IF NOT EXISTS "
    "FOR (r:ShareRequest) ON (r.member)",
    "share_request_owner": "CREATE INDEX share_request_owner IF NOT EXISTS "
    "FOR (r:ShareRequest) ON (r.owner)",
    # two organisations never hold one identifier (a missing property is no value)
    **{
        f"organisation_{kind}": f"CREATE CONSTRAINT organisation_{kind} IF NOT EXISTS "
        f"FOR (n:Organisation) REQUIRE n.{kind} IS UNIQUE"
        for kind in IDENTIFIER_FIELDS
    },
    "organisation_country": "CREATE INDEX organisation_country IF NOT EXISTS "
    "FOR (n:Organisation) ON (n.country)",
    # The kept changes (cypher.CHANGES_AFTER, RECORD_CHANGE's pruning): seeks, not
    # a scan of every kept change per catch-up and per write.
    "graph_change_previous": "CREATE INDEX graph_change_previous IF NOT EXISTS "
    "FOR (c:GraphChange) ON (c.previous)",
    "graph_change_seq": "CREATE INDEX graph_change_seq IF NOT EXISTS "
    "FOR (c:GraphChange) ON (c.seq)",
}
# What stored data from before identifiers were unique holds twice (a constraint
# cannot be made over it): value -> the organisations holding it.
SHARED_IDENTIFIERS = {
    kind: f"""
    MATCH (o:Organisation) WHERE o.{kind} IS NOT NULL
    WITH o.{kind} AS value, collect(o.id) AS ids WHERE size(ids) > 1
    RETURN collect([value, ids]) AS shared
    """
    for kind in IDENTIFIER_FIELDS
}
INDEX_NAMES = "SHOW INDEXES YIELD name RETURN collect(name) AS names"

# ---- API keys: metadata nodes beside the graph (counts and exports never see them).
SAVE_KEY = "CREATE (k:ApiKey) SET k = $record"
KEY = "MATCH (k:ApiKey {id: $id}) RETURN k {.*} AS k"
KEYS = "MATCH (k:ApiKey) RETURN k {.*} AS k ORDER BY k.created_at, k.id"
REVOKE_KEY = "MATCH (k:ApiKey {id: $id}) SET k.revoked_at = $at RETURN count(k) AS n"

# ---- the graph version: one node, metadata rather than data (counts and exports
# never see it); every write of the graph gives it a new token in its transaction.
# A write of few rows also keeps a (:GraphChange) with its rows, chained by `previous`,
# for projections to take in (the latest CHANGES_KEPT; a bulk write keeps none).
# Every statement that may make the version node gives it a database id too (a
# reader follows links only within one: graph.version_board).
ENSURE_GRAPH_VERSION = """
MERGE (v:GraphVersion {name: 'graph'})
ON CREATE SET v.token = randomUUID(), v.seq = 0, v.database = randomUUID()
RETURN v.token AS token, v.seq AS seq, v.database AS database
"""
BUMP_GRAPH_VERSION = """
MERGE (v:GraphVersion {name: 'graph'})
SET v.token = randomUUID(), v.seq = coalesce(v.seq, 0) + 1,
    v.database = coalesce(v.database, randomUUID())
"""
# Plans kept however the statistics move (apply_mutation's statement, CHANGES_AFTER):
# planning a mutation statement costs the JVM 0.2-0.35 s of CPU (its CALLs and write
# clauses), and Neo4j replanned them as the Mutation and Organisation counts grew (8
# of the first 100 registerSupplier writes of a write mix); CHANGES_AFTER, read at
# every catch-up, took 1.6-2.4 s of compile time a run. Every node they read is
# found in a uniqueness constraint's index (or the kept changes' indexes, by hint)
# or by an edge of one so found: no count changes the plan.
KEEP_PLAN = "CYPHER replan=skip\n"
# The first SET takes the version's write lock before `previous` is read: read after
# it, two writers can never both chain from the same version (a lost update). The
# pruning seeks graph_change_seq whatever the statistics said when it was planned
# (apply_mutation's plan is never replanned).
RECORD_CHANGE = """
MERGE (v:GraphVersion {name: 'graph'}) ON CREATE SET v.token = randomUUID()
SET v.seq = coalesce(v.seq, 0) + 1
WITH v, v.token AS previous, v.seq AS seq
SET v.token = randomUUID(), v.database = coalesce(v.database, randomUUID())
CREATE (:GraphChange {seq: seq, previous: previous, token: v.token, payload: $payload})
WITH seq, previous, v.token AS token, v.database AS database
CALL (seq) {
  MATCH (old:GraphChange) USING INDEX old:GraphChange(seq) WHERE old.seq <= seq - $kept
  DELETE old
}
RETURN seq, previous, token, database
"""
# The current version, then the changes after $version, oldest first, with their
# payloads: one round trip (a catch-up read the version, then every kept change's
# link, then the payloads: five round trips with a transaction's BEGIN and COMMIT).
# The version is read first (the subquery takes it in, so it runs for the row the
# version's read made: uncorrelated, it was planned first and a write committed
# in between made the walk miss the version, a projection rebuilt), so the changes
# read after it hold the one that made it (both commit together); newer ones are
# left to the adapter's walk, which stops at the version (Neo4jStore.changes_since).
CHANGES_AFTER = (
    KEEP_PLAN
    + """
MATCH (v:GraphVersion {name: 'graph'})
WITH v.token AS current, v.seq AS seq, v.database AS database
CALL (current) {
  OPTIONAL MATCH (first:GraphChange {previous: $version})
  USING INDEX first:GraphChange(previous) WHERE current IS NOT NULL
  WITH min(first.seq) AS from
  OPTIONAL MATCH (c:GraphChange) USING INDEX c:GraphChange(seq) WHERE c.seq >= from
  WITH c ORDER BY c.seq
  RETURN collect(CASE WHEN c IS NOT NULL THEN [c.previous, c.token, c.payload] END) AS chain
}
RETURN current AS token, seq, database, chain
"""
)
# Emptying the store (`tiergraph reset`): relationships first, then nodes, each in
# transactions of CLEAR_BATCH so that no transaction holds a million deletions
# (a node's DETACH DELETE would take all its relationships in one go). Everything
# goes but the version node, which the caller bumps afterwards.
CLEAR_BATCH = 20_000
CLEAR_RELATIONSHIPS = f"""
MATCH ()-[r]->()
CALL (r) {{ DELETE r }} IN TRANSACTIONS OF {CLEAR_BATCH} ROWS
"""
CLEAR_NODES = f"""
MATCH (n) WHERE NOT n:GraphVersion
CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF {CLEAR_BATCH} ROWS
"""
# Everything, the version node too (tests and benchmarks start from nothing), in
# transactions of 5,000: one DETACH DELETE of 200,000 nodes runs out of a 1 GB heap.
WIPE_ALL = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
# A read of the whole graph that writes must wait for (Neo4jStore.held_still): a SET
# takes the version node's write lock, which every write's transaction takes too,
# and it must change a value (`SET v.token = v.token` took no lock on 5.26, and its
# commit put back a token a write had replaced meanwhile); rolled back, never kept.
HOLD_GRAPH_VERSION = """
MATCH (v:GraphVersion {name: 'graph'})
SET v.held = randomUUID()
"""
PING = "RETURN 1"
GRAPH_VERSION = (
    "MATCH (v:GraphVersion {name: 'graph'}) "
    "RETURN v.token AS token, v.seq AS seq, v.database AS database"
)
# The database's id lives on the version node: made once, and made anew with it
# when the database is wiped or imported from scratch.
DATABASE_ID = "MATCH (v:GraphVersion {name: 'graph'}) RETURN v.database AS id"
ENSURE_DATABASE_ID = """
MERGE (v:GraphVersion {name: 'graph'}) ON CREATE SET v.token = randomUUID(), v.seq = 0
SET v.database = coalesce(v.database, randomUUID())
RETURN v.database AS id
"""

KIND_LABELS = {kind: kind.label for kind in Kind}  # the allow-list of kind labels
ENTITY_LABELS = {"requirement": "Requirement", "audit": "Audit", "finding": "Finding"}


def upsert_organisations(kind: Kind) -> str:
    """A later write's kind replaces the earlier one (a supplier that joins the forum)."""
    label = KIND_LABELS[kind]
    others = ":".join(KIND_LABELS[k] for k in Kind if k != kind)
    return f"""
    UNWIND $rows AS row
    MERGE (o:Organisation {{id: row.id}})
    SET o:{label}, o += row
    REMOVE o:{others}
    RETURN count(*) AS n
    """


UPSERT_REQUIREMENTS = """
UNWIND $rows AS row
MERGE (r:Requirement {id: row.id})
SET r += row
RETURN count(*) AS n
"""

# Edge writers MATCH both ends: a row whose end is missing matches nothing,
# so the returned count tells the adapter to roll the transaction back.
MERGE_REQUIRES = """
UNWIND $rows AS row
MATCH (m:Organisation {id: row.member})
MATCH (r:Requirement {id: row.requirement})
MERGE (m)-[:REQUIRES]->(r)
RETURN count(*) AS n
"""

MERGE_SOURCING = """
UNWIND $rows AS row
MATCH (b:Organisation {id: row.buyer})
MATCH (s:Organisation {id: row.seller})
MERGE (b)-[e:SOURCES_FROM {commodity: row.commodity}]->(s)
SET e.since = row.since, e.registered_by = row.registered_by
RETURN count(*) AS n
"""

MERGE_PASS_ON = """
UNWIND $rows AS row
MATCH (b:Organisation {id: row.buyer})
MATCH (s:Organisation {id: row.seller})
MATCH (:Requirement {id: row.requirement})
MERGE (b)-[e:PASSED_ON {requirement: row.requirement}]->(s)
SET e.at = row.at
RETURN count(*) AS n
"""

MERGE_ADOPTIONS = """
UNWIND $rows AS row
MATCH (o:Organisation {id: row.organisation})
MATCH (r:Requirement {id: row.requirement})
MERGE (o)-[e:ADOPTED]->(r)
SET e.at = row.at, e.evidence = row.evidence
RETURN count(*) AS n
"""

# An audit covers one organisation: re-pointing it drops the old COVERS.
UPSERT_AUDITS = """
UNWIND $rows AS row
MATCH (o:Organisation {id: row.organisation})
MATCH (:Organisation {id: row.commissioned_by})
MERGE (a:Audit {id: row.id})
SET a += row.props
WITH a, o
CALL (a, o) { OPTIONAL MATCH (a)-[old:COVERS]->(x) WHERE x <> o DELETE old }
MERGE (a)-[:COVERS]->(o)
RETURN count(*) AS n
"""

UPSERT_FINDINGS = """
UNWIND $rows AS row
MATCH (a:Audit {id: row.audit})
MERGE (f:Finding {id: row.id})
SET f += row.props
WITH a, f
CALL (a, f) { OPTIONAL MATCH (x:Audit)-[old:HAS_FINDING]->(f) WHERE x <> a DELETE old }
MERGE (a)-[:HAS_FINDING]->(f)
RETURN count(*) AS n
"""

MERGE_SHARES = """
UNWIND $rows AS row
MATCH (a:Audit {id: row.audit})
MATCH (m:Organisation {id: row.member})
MERGE (a)-[:SHARED_WITH]->(m)
RETURN count(*) AS n
"""

MERGE_RECOGNITIONS = """
UNWIND $rows AS row
MATCH (m:Organisation {id: row.member})
MERGE (s:Scheme {name: row.scheme})
MERGE (m)-[:RECOGNISES]->(s)
RETURN count(*) AS n
"""

UNKNOWN_ORGANISATIONS = """
UNWIND $ids AS id
OPTIONAL MATCH (o:Organisation {id: id})
WITH id, o WHERE o IS NULL
RETURN collect(id) AS missing
"""


def unknown_entities(entity: str) -> str:
    label = ENTITY_LABELS[entity]
    return f"""
    UNWIND $ids AS id
    OPTIONAL MATCH (n:{label} {{id: id}})
    WITH id, n WHERE n IS NULL
    RETURN collect(id) AS missing
    """


def existing_entities(entity: str) -> str:
    label = ENTITY_LABELS[entity]
    return f"""
    UNWIND $ids AS id
    MATCH (n:{label} {{id: id}})
    RETURN collect(n.id) AS found
    """


REMOVE_SOURCING = """
OPTIONAL MATCH (:Organisation {id: $buyer})-[e:SOURCES_FROM]->(:Organisation {id: $seller})
WHERE $commodity IS NULL OR e.commodity = $commodity
DELETE e
WITH count(e) AS n
OPTIONAL MATCH (:Organisation {id: $buyer})-[left:SOURCES_FROM]->(:Organisation {id: $seller})
RETURN n, count(left) AS left
"""

KINDS = """
UNWIND $ids AS id
MATCH (o:Organisation {id: id})
RETURN collect([o.id, CASE WHEN o:Member THEN 'member'
                           WHEN o:Supplier THEN 'supplier'
                           ELSE 'smallholder' END]) AS kinds
"""

SOURCING_PAIRS = """
UNWIND $pairs AS pair
MATCH (:Organisation {id: pair[0]})-[:SOURCES_FROM]->(:Organisation {id: pair[1]})
RETURN collect(DISTINCT pair) AS found
"""

# Counts come from Neo4j's count store: one label or one type each.
COUNTS = """
CALL () { MATCH (n:Member) RETURN count(n) AS members }
CALL () { MATCH (n:Supplier) RETURN count(n) AS suppliers }
CALL () { MATCH (n:Smallholder) RETURN count(n) AS smallholders }
CALL () { MATCH (n:Requirement) RETURN count(n) AS requirements }
CALL () { MATCH (n:Audit) RETURN count(n) AS audits }
CALL () { MATCH (n:Finding) RETURN count(n) AS findings }
CALL () { MATCH ()-[r:REQUIRES]->() RETURN count(r) AS requires }
CALL () { MATCH ()-[r:SOURCES_FROM]->() RETURN count(r) AS sourcing }
CALL () { MATCH ()-[r:PASSED_ON]->() RETURN count(r) AS pass_on }
CALL () { MATCH ()-[r:ADOPTED]->() RETURN count(r) AS adoptions }
CALL () { MATCH ()-[r:SHARED_WITH]->() RETURN count(r) AS shares }
CALL () { MATCH ()-[r:RECOGNISES]->() RETURN count(r) AS recognitions }
RETURN *
"""

# Each kind's rows: the pattern (OWNER: where the owner's id goes, graph.store.ROW_OWNER)
# and what a row returns.
_ROWS = {
    "organisations": (
        "(o:Organisation OWNER)",
        """o {.*, kind: CASE WHEN o:Member THEN 'member'
                               WHEN o:Supplier THEN 'supplier'
                               ELSE 'smallholder' END}""",
    ),
    "requirements": ("(r:Requirement OWNER)", "r {.*}"),
    "requires": (
        "(m:Organisation OWNER)-[:REQUIRES]->(r:Requirement)",
        "{member: m.id, requirement: r.id}",
    ),
    "sourcing": (
        "(b:Organisation OWNER)-[e:SOURCES_FROM]->(s:Organisation)",
        """{buyer: b.id, seller: s.id, commodity: e.commodity, since: e.since,
            registered_by: e.registered_by}""",
    ),
    "pass_on": (
        "(b:Organisation OWNER)-[e:PASSED_ON]->(s:Organisation)",
        "{buyer: b.id, seller: s.id, requirement: e.requirement, at: e.at}",
    ),
    "adoptions": (
        "(o:Organisation OWNER)-[e:ADOPTED]->(r:Requirement)",
        "{organisation: o.id, requirement: r.id, at: e.at, evidence: e.evidence}",
    ),
    "audits": ("(a:Audit OWNER)-[:COVERS]->(o:Organisation)", "a {.*, organisation: o.id}"),
    "findings": ("(a:Audit)-[:HAS_FINDING]->(f:Finding OWNER)", "f {.*, audit: a.id}"),
    "shares": ("(a:Audit OWNER)-[:SHARED_WITH]->(m:Organisation)", "{audit: a.id, member: m.id}"),
    "recognitions": (
        "(m:Organisation OWNER)-[:RECOGNISES]->(s:Scheme)",
        "{member: m.id, scheme: s.name}",
    ),
}
# Each kind's pattern, OWNER standing for its owner's match (graph/neo4j_load_checks.py).
ROW_PATTERNS = {kind: pattern for kind, (pattern, _) in _ROWS.items()}
# Every row of a kind.
EXPORT = {
    kind: f"MATCH {pattern.replace(' OWNER', '')} RETURN {row} AS row"
    for kind, (pattern, row) in _ROWS.items()
}

# ---- what the cascade's projection reads: every answer as a few collect()
# columns of integer handles (the driver decodes ~50k records/s, but long lists of
# ints far faster). Handles are Neo4j's internal ids: id() is deprecated in 5.x but
# kept through the 5.26 LTS, and reading by it needs no index seek. A handle is
# only good for the graph version it was read at.
_KIND_OF = (
    "CASE WHEN {0}:Member THEN 'member' WHEN {0}:Supplier THEN 'supplier' ELSE 'smallholder' END"
)
ORGANISATION_COLUMNS = """
MATCH (o:Organisation)
RETURN collect(id(o)) AS handles, collect(o.id) AS ids,
       collect(CASE WHEN o:Member THEN 0 WHEN o:Supplier THEN 1 ELSE 2 END) AS kinds
"""
SOURCING_COLUMNS = """
MATCH (a)-[:SOURCES_FROM]->(b)
RETURN collect(id(a)) AS a, collect(id(b)) AS b
"""
# One record per requirement (no index on PASSED_ON.requirement: see SCHEMA).
PASS_ON_COLUMNS = """
MATCH (a)-[p:PASSED_ON]->(b)
RETURN p.requirement AS requirement, collect(id(a)) AS a, collect(id(b)) AS b
"""
ADOPTION_COLUMNS = """
MATCH (o)-[:ADOPTED]->(r:Requirement)
RETURN r.id AS requirement, collect(id(o)) AS o
"""
# Days come back as ISO text: the driver's Date objects cost ~20 us each to build.
AUDIT_COLUMNS = """
MATCH (a:Audit)-[:COVERS]->(o)
RETURN collect(id(a)) AS handle, collect(a.id) AS id, collect(id(o)) AS organisation,
       collect(a.scheme) AS scheme, collect(toString(a.audit_date)) AS audit_date,
       collect(toString(a.valid_until)) AS valid_until,
       collect(a.commissioned_by) AS commissioned_by,
       collect(coalesce(a.shared_with_all, false)) AS shared_with_all
"""
SHARE_COLUMNS = """
MATCH (a:Audit)-[:SHARED_WITH]->(m)
RETURN collect(id(a)) AS a, collect(m.id) AS m
"""
OPEN_FINDING_COLUMNS = """
MATCH (a:Audit)-[:HAS_FINDING]->(f:Finding {status: 'open'})
RETURN collect(f.id) AS id, collect(id(a)) AS a, collect(f.severity = 'critical') AS critical,
       collect(coalesce(toString(f.due_date), '')) AS due
"""

# ---- walking up from changed nodes, one tier of buyers per query ----
NODE_REFS = """
UNWIND $ids AS id
MATCH (o:Organisation {id: id})
RETURN collect(id) AS ids, collect(id(o)) AS refs
"""

EXTERNAL_IDS = """
UNWIND $refs AS ref
MATCH (o:Organisation) WHERE id(o) = ref
RETURN collect(ref) AS refs, collect(o.id) AS ids
"""

SOURCING_IN = f"""
UNWIND $refs AS ref
MATCH (w) WHERE id(w) = ref
MATCH (w)<-[:SOURCES_FROM]-(v:Organisation)
RETURN collect(ref) AS a, collect(id(v)) AS b, collect({_KIND_OF.format("v")}) AS kinds
"""

MEMBERS = "MATCH (m:Member) RETURN collect(m.id) AS ids"

REQUIREMENTS_OF = """
MATCH (:Organisation {id: $member})-[:REQUIRES]->(r:Requirement)
RETURN collect(r.id) AS ids
"""


RECOGNISED_SCHEMES = """
MATCH (:Organisation {id: $member})-[:RECOGNISES]->(s:Scheme)
RETURN collect(s.name) AS schemes
"""

# ---- details a member's people read, of nodes the walk found in their view ----
ORGANISATIONS = """
UNWIND $ids AS id
MATCH (o:Organisation {id: id})
RETURN o {.*, kind: CASE WHEN o:Member THEN 'member'
                         WHEN o:Supplier THEN 'supplier'
                         ELSE 'smallholder' END} AS row
ORDER BY o.id
"""
COUNTRIES = """
UNWIND $ids AS id
MATCH (o:Organisation {id: id})
RETURN collect(o.id) AS ids, collect(o.country) AS countries
"""
# Exports: a chunk of nodes' labels and a chunk of buyers' edges, as columns (one
# record: the driver decodes lists far faster than one record per row).
LABELS = """
UNWIND $ids AS id
MATCH (o:Organisation {id: id})
RETURN collect(o.id) AS ids, collect(o.name) AS names, collect(o.country) AS countries
"""
SOURCING_OF = """
UNWIND $ids AS id
MATCH (b:Organisation {id: id})-[e:SOURCES_FROM]->(s:Organisation)
RETURN collect(b.id) AS buyers, collect(s.id) AS sellers, collect(e.commodity) AS commodities
"""

# ---- what matching reads: who holds an identifier (a seek in each identifier's
# constraint index; one list parameter per kind) and a country's organisations ----
HOLDERS = (
    "CALL () {\n"
    + "\n  UNION ALL\n".join(
        f"  UNWIND ${kind} AS value MATCH (o:Organisation {{{kind}: value}}) "
        f"RETURN '{kind}' AS kind, value, o.id AS holder"
        for kind in IDENTIFIER_FIELDS
    )
    + "\n}\nRETURN collect([kind, value, holder]) AS held"
)
MATCH_CANDIDATES = f"""
MATCH (o:Organisation {{country: $country}})
RETURN o {{.*, kind: {_KIND_OF.format("o")}}} AS row
ORDER BY o.id
"""
# Identifiers a write moves to another organisation leave their holder first
# (a uniqueness constraint is checked at each statement, not at commit).
RELEASE_IDENTIFIERS = """
UNWIND $rows AS row
MATCH (o:Organisation {id: row.id})
SET o += row.cleared
"""
REQUIREMENTS = """
UNWIND $ids AS id
MATCH (r:Requirement {id: id})
RETURN r {.*} AS row
ORDER BY r.id
"""
AUDITS = """
UNWIND $ids AS id
MATCH (a:Audit {id: id})-[:COVERS]->(o:Organisation)
RETURN a {.*, organisation: o.id} AS row
ORDER BY a.id
"""
FINDINGS_OF = """
UNWIND $ids AS id
MATCH (a:Audit {id: id})-[:HAS_FINDING]->(f:Finding)
RETURN f {.*, audit: a.id} AS row
ORDER BY a.id, f.id
"""

# ---- computed results ----
SAVE_RESULTS = """
UNWIND $rows AS row
MERGE (r:CascadeResult {id: row.id})
SET r += row
"""

RESULTS = """
MATCH (r:CascadeResult {kind: $kind, member: $member, key: $key})
RETURN r {.*} AS r
ORDER BY r.computed_at DESC, r.id DESC
LIMIT $limit
"""

# ---- share requests: metadata nodes beside the graph, like API keys (counts and
# exports never see them; clear() takes them), upserted whole by id.
# The first SET takes the request's write lock before its status is read: of two
# racing answers, the second reads the first's (committed) status.
UPSERT_SHARE_REQUEST = """
MERGE (r:ShareRequest {id: $row.id})
SET r.locked = true
WITH r, r.status AS was
SET r = $row
RETURN was
"""
SHARE_REQUEST_FILTERS = ("member", "owner", "audit", "status", "id")  # the allow-list


def share_requests_query(filters: dict[str, str | None]) -> tuple[str, dict[str, str]]:
    """The requests matching the filters given (names from SHARE_REQUEST_FILTERS)."""
    given = {k: v for k, v in filters.items() if v is not None}
    if not set(given) <= set(SHARE_REQUEST_FILTERS):
        raise ValueError(f"share requests filter on {', '.join(SHARE_REQUEST_FILTERS)} only")
    where = " AND ".join(f"r.{name} = ${name}" for name in given) or "true"
    return f"MATCH (r:ShareRequest) WHERE {where} RETURN r {{.*}} AS r", given


# ---- mutations (the API's writes): metadata nodes beside the graph, like API keys
# (counts and exports never see them; clear() takes them). A record's `scope` is its
# (organisation, role, idempotency key) as one JSON text (an operator has no
# organisation, and a uniqueness constraint skips nodes with a null property); a
# verdict's `of` is its (country, name, abbreviation) likewise.
MUTATION = "MATCH (m:Mutation {scope: $scope}) RETURN m {.*} AS m"
SAVE_MUTATION = "CREATE (m:Mutation) SET m = $record"
# A keyed mutation's record, taken first: MERGE on the constrained `scope` locks the
# key's index entry, so a concurrent apply under the same key waits here until this
# one commits, then finds its record (`mine` false) and writes nothing; CREATE with
# the constraint made the loser fail instead (ConstraintError), and its driver
# connection then stalled until the server's socket timeout.
CLAIM_MUTATION = """
MERGE (m:Mutation {scope: $scope}) ON CREATE SET m = $record
RETURN m.id = $record.id AS mine, m {.*} AS m
"""
_ROWS_IN, _COUNT_OUT = "UNWIND $rows AS row", "RETURN count(*) AS n"


def applies_at_once(statement: str) -> bool:
    """Whether apply_mutation can take a row writer (one UNWIND, one count)."""
    return statement.count(_ROWS_IN) == 1 and statement.rstrip().endswith(_COUNT_OUT)


# What a failed guard raises (apply_mutation's `checked`): an integer divided by $zero.
GUARD_FAILED = "Neo.ClientError.Statement.ArithmeticError"


def apply_mutation(
    writers: Sequence[str], keyed: bool, change: bool, checked: Sequence[int] = ()
) -> str:
    """A mutation's whole write as one statement (one round trip; a `tx.run` per
    statement was 14.8% of the served write mix on Neo4j): its record first (keyed:
    CLAIM_MUTATION's lock), then each row writer's rows (`$rows0`, `$rows1`, ...,
    written only when the record is this call's; counts `n0`, `n1`, ... tell the
    adapter a reference that matched nothing), then, with `change`, the graph's new
    version and its change (RECORD_CHANGE, `$payload`; its link `seq`, `previous`,
    `token`, `database`, null when the record was another call's). With `checked` (the writers
    whose every row must match, by index), a count short of its rows fails the whole
    statement (GUARD_FAILED): run as an auto-commit transaction, nothing of it stays."""
    if keyed:
        head = "MERGE (m:Mutation {scope: $scope}) ON CREATE SET m = $record\n"
        head += "WITH m, m.id = $record.id AS mine\n"
    else:
        head = "CREATE (m:Mutation) SET m = $record\nWITH m, true AS mine\n"
    parts, counts = [KEEP_PLAN, head], []
    for i, statement in enumerate(writers):
        if not applies_at_once(statement):
            raise ValueError(f"not a row writer apply_mutation can take:\n{statement}")
        body = statement.strip().replace(
            _ROWS_IN, f"UNWIND CASE WHEN mine THEN $rows{i} ELSE [] END AS row"
        )
        body = body[: -len(_COUNT_OUT)] + f"RETURN count(*) AS n{i}"
        parts.append(f"CALL (mine) {{\n{body}\n}}\n")
        counts.append(f"n{i}")
    if change:  # its link (graph.version_board.Link): null when not `mine`
        parts.append(
            f"OPTIONAL CALL (mine) {{\nWITH mine WHERE mine\n{RECORD_CHANGE.strip()}\n}}\n"
        )
        counts += ["seq", "previous", "token", "database"]
    if checked:  # a CASE: evaluated in order, unlike a WHERE's predicates
        short = " OR ".join(f"n{i} < size($rows{i})" for i in checked)
        counts.append(f"CASE WHEN mine AND ({short}) THEN 1 / $zero ELSE 0 END AS guard")
    parts.append("RETURN " + ", ".join(["mine", "m {.*} AS m", *counts]))
    return "".join(parts)


MUTATIONS_OF = """
MATCH (m:Mutation {organisation: $organisation})
RETURN m {.*} AS m
ORDER BY m.at DESC, m.id DESC
LIMIT $limit
"""
REMOVE_SHARE = """
OPTIONAL MATCH (:Audit {id: $audit})-[e:SHARED_WITH]->(:Organisation {id: $member})
DELETE e
RETURN count(e) AS n
"""
REMOVE_RECOGNITION = """
OPTIONAL MATCH (:Organisation {id: $member})-[e:RECOGNISES]->(:Scheme {name: $scheme})
DELETE e
RETURN count(e) AS n
"""
UNLINKED_PAIRS = """
UNWIND $pairs AS pair
OPTIONAL MATCH (:Organisation {id: pair[0]})-[e:SOURCES_FROM]->(:Organisation {id: pair[1]})
WITH pair, count(e) AS left
WHERE left = 0
RETURN collect(pair) AS unlinked
"""
# A confirmed pair replaces every other confirmed pair of its key (one new
# organisation is the same as at most one stored one).
FORGET_OTHER_SAME_VERDICTS = """
MATCH (v:MatchVerdict {of: $of})
WHERE v.stored_id IS NOT NULL AND v.same AND v.stored_id <> $stored_id
DELETE v
"""
SAVE_VERDICT = """
MERGE (v:MatchVerdict {of: $of, stored_id: $stored_id})
SET v.same = $same, v.country = $country, v.name = $name, v.abbreviation = $abbreviation
"""
# `stored_id IS NOT NULL` (always true: it is half of the key) lets the planner seek
# the (of, stored_id) uniqueness index by its first property; without it every
# MatchVerdict was scanned for each registration.
VERDICTS = """
MATCH (v:MatchVerdict {of: $of}) WHERE v.stored_id IS NOT NULL
RETURN collect([v.stored_id, v.same]) AS verdicts
"""

# A supplier's own part of the graph: its edges either way, its audits and their shares.
SELLERS_OF = """
MATCH (b:Organisation {id: $id})-[e:SOURCES_FROM]->(s:Organisation)
RETURN {buyer: b.id, seller: s.id, commodity: e.commodity, since: e.since,
        registered_by: e.registered_by} AS row
"""
BUYERS_OF = """
MATCH (b:Organisation)-[e:SOURCES_FROM]->(s:Organisation {id: $id})
RETURN {buyer: b.id, seller: s.id, commodity: e.commodity, since: e.since,
        registered_by: e.registered_by} AS row
"""
PASSED_TO = """
MATCH (b:Organisation)-[e:PASSED_ON]->(s:Organisation {id: $id})
RETURN {buyer: b.id, seller: s.id, requirement: e.requirement, at: e.at} AS row
"""
PASSED_BY = """
MATCH (b:Organisation {id: $id})-[e:PASSED_ON]->(s:Organisation)
RETURN {buyer: b.id, seller: s.id, requirement: e.requirement, at: e.at} AS row
"""
ADOPTIONS_OF = """
MATCH (o:Organisation {id: $id})-[e:ADOPTED]->(r:Requirement)
RETURN {organisation: o.id, requirement: r.id, at: e.at, evidence: e.evidence} AS row
"""
AUDITS_OF = """
MATCH (a:Audit)-[:COVERS]->(o:Organisation {id: $id})
RETURN a {.*, organisation: o.id} AS row
"""
SHARES_OF = """
UNWIND $ids AS id
MATCH (a:Audit {id: id})-[:SHARED_WITH]->(m:Organisation)
RETURN a.id AS audit, collect(m.id) AS members
"""

# ---- corrective actions: one :CorrectiveAction node per finding, beside the graph
# like mutation records (counts and exports never see them; clear() takes them). Its
# steps are a list of JSON texts ([at, kind, by, role, note, due_date]), a step
# already there kept once.
SCHEMA["corrective_action_finding"] = (
    "CREATE CONSTRAINT corrective_action_finding IF NOT EXISTS "
    "FOR (c:CorrectiveAction) REQUIRE c.finding IS UNIQUE"
)
MISSING_FINDINGS = """
UNWIND $ids AS id
OPTIONAL MATCH (f:Finding {id: id})
WITH id, f WHERE f IS NULL
RETURN collect(id) AS missing
"""
UPSERT_ACTIONS = """
UNWIND $rows AS row
MERGE (c:CorrectiveAction {finding: row.finding})
SET c.description = row.description, c.target_date = row.target_date,
    c.status = row.status, c.evidence = row.evidence, c.reason = row.reason,
    c.extension = row.extension,
    c.steps = coalesce(c.steps, []) + [s IN row.steps WHERE NOT s IN coalesce(c.steps, [])]
"""
FINDINGS = """
UNWIND $ids AS id
MATCH (a:Audit)-[:HAS_FINDING]->(f:Finding {id: id})
RETURN f {.*, audit: a.id} AS row
ORDER BY f.id
"""
ACTIONS = """
UNWIND $ids AS id
MATCH (c:CorrectiveAction {finding: id})
RETURN c {.*} AS c
ORDER BY c.finding
"""

# A mutation's new requirements, made bare before the batch's upsert sets them: an
# id that exists fails on its unique constraint (graph.store.RequirementExists).
CREATE_REQUIREMENTS = "UNWIND $ids AS id CREATE (:Requirement {id: id})"
