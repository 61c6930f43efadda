"""The embedded store's SQL: the schema and every statement, named.

Organisations and audits are addressed by their rowid (`handle`), which never
changes once given: edge tables hold handles, not ids, so the cascade reads
its columns without a join. Values are always `?` parameters; a list of ids is
one JSON array parameter read through `json_each`.
"""

from __future__ import annotations

from graph.model import IDENTIFIER_FIELDS

FORMAT = "3"  # the schema's version, kept in meta
FORMATS_MIGRATED = ("1", "2")  # older formats an open brings up to FORMAT in place

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS organisation (
  handle INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind INTEGER NOT NULL,
  name TEXT NOT NULL, country TEXT NOT NULL,
  lei TEXT, duns TEXT, gln TEXT, os_id TEXT, mill_id TEXT,
  abbreviation TEXT, lat REAL, lon REAL, listed INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS organisation_by_kind ON organisation (kind, id);
CREATE TABLE IF NOT EXISTS requirement (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, version TEXT NOT NULL, frameworks TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS requires (
  member INTEGER NOT NULL, requirement TEXT NOT NULL, PRIMARY KEY (member, requirement)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sourcing (
  buyer INTEGER NOT NULL, seller INTEGER NOT NULL, commodity TEXT NOT NULL,
  since TEXT, registered_by TEXT, PRIMARY KEY (buyer, seller, commodity)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sourcing_by_seller ON sourcing (seller, buyer);
CREATE TABLE IF NOT EXISTS pass_on (
  buyer INTEGER NOT NULL, seller INTEGER NOT NULL, requirement TEXT NOT NULL, at TEXT,
  PRIMARY KEY (buyer, seller, requirement)
) WITHOUT ROWID;
-- a supplier's passOn and adopt look up what was passed to it (else a scan of every pass-on)
CREATE INDEX IF NOT EXISTS pass_on_by_seller ON pass_on (seller, requirement);
CREATE TABLE IF NOT EXISTS adoption (
  organisation INTEGER NOT NULL, requirement TEXT NOT NULL, at TEXT, evidence TEXT,
  PRIMARY KEY (organisation, requirement)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit (
  handle INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, organisation INTEGER NOT NULL,
  scheme TEXT NOT NULL, audit_date TEXT NOT NULL, valid_until TEXT NOT NULL,
  commissioned_by INTEGER NOT NULL, rating TEXT, auditor TEXT,
  shared_with_all INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS audit_by_organisation ON audit (organisation);
CREATE TABLE IF NOT EXISTS finding (
  id TEXT PRIMARY KEY, audit INTEGER NOT NULL, severity TEXT NOT NULL, status TEXT NOT NULL,
  category TEXT, due_date TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS finding_by_audit ON finding (audit);
CREATE TABLE IF NOT EXISTS share (
  audit INTEGER NOT NULL, member INTEGER NOT NULL, PRIMARY KEY (audit, member)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS recognition (
  member INTEGER NOT NULL, scheme TEXT NOT NULL, PRIMARY KEY (member, scheme)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS change (
  version INTEGER PRIMARY KEY, payload BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS result (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, member TEXT NOT NULL, key TEXT NOT NULL,
  computed_at TEXT NOT NULL, payload BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS result_by_subject ON result (kind, member, key, computed_at);
CREATE TABLE IF NOT EXISTS api_key (
  id TEXT PRIMARY KEY, role TEXT NOT NULL, organisation TEXT, label TEXT, hash TEXT NOT NULL,
  created_at TEXT NOT NULL, revoked_at TEXT);
CREATE TABLE IF NOT EXISTS mutation (
  id TEXT PRIMARY KEY, operation TEXT NOT NULL, organisation TEXT, role TEXT NOT NULL,
  key_id TEXT NOT NULL, at TEXT NOT NULL, idempotency_key TEXT, request TEXT NOT NULL,
  response TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS mutation_by_idempotency_key
  ON mutation (ifnull(organisation, ''), role, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS mutation_by_organisation ON mutation (organisation, at);
CREATE TABLE IF NOT EXISTS match_verdict (
  country TEXT NOT NULL, name TEXT NOT NULL, abbreviation TEXT, stored_id TEXT NOT NULL,
  same INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS match_verdict_by_key ON match_verdict (country, name, abbreviation);
CREATE TABLE IF NOT EXISTS share_request (
  id TEXT PRIMARY KEY, member TEXT NOT NULL, audit TEXT NOT NULL, owner TEXT NOT NULL,
  status TEXT NOT NULL, at TEXT NOT NULL, requested_by TEXT NOT NULL, message TEXT,
  answered_at TEXT, answered_by TEXT, reason TEXT) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS share_request_open ON share_request (member, audit)
  WHERE status = 'open';
CREATE INDEX IF NOT EXISTS share_request_by_member ON share_request (member, at);
CREATE INDEX IF NOT EXISTS share_request_by_owner ON share_request (owner, at);
"""

# Format 1 -> 2 -> 3: organisations gain these columns (ALTER TABLE ADD COLUMN when missing).
ORGANISATION_COLUMNS_ADDED = {
    "abbreviation": "TEXT",
    "lat": "REAL",
    "lon": "REAL",
    "listed": "INTEGER NOT NULL DEFAULT 0",  # consent to the joint list (format 3)
}
TABLE_COLUMNS = "SELECT name FROM pragma_table_info(?)"
ADD_COLUMN = "ALTER TABLE organisation ADD COLUMN {name} {type}"  # names from the constant
# Made after the columns, on every open (IF NOT EXISTS): an index of format 1 data
# whose identifiers are not unique fails, and the open says which they are.
INDEXES = [
    f"CREATE UNIQUE INDEX IF NOT EXISTS organisation_{kind} ON organisation ({kind}) "
    f"WHERE {kind} IS NOT NULL"
    for kind in IDENTIFIER_FIELDS
] + ["CREATE INDEX IF NOT EXISTS organisation_by_country ON organisation (country, id)"]
SHARED_IDENTIFIERS = {
    kind: f"SELECT {kind}, json_group_array(id) FROM organisation "  # noqa: S608 - names from a constant
    f"WHERE {kind} IS NOT NULL GROUP BY {kind} HAVING count(*) > 1"
    for kind in IDENTIFIER_FIELDS
}
SET_FORMAT = "UPDATE meta SET value = ? WHERE key = 'format'"
CLEAR_ONE = "UPDATE organisation SET <kind> = NULL WHERE id = '<id>'"  # told to a person

# The graph's tables, in the order a clear() empties them (results are not the graph).
GRAPH_TABLES = (
    "share",
    "finding",
    "audit",
    "recognition",
    "adoption",
    "pass_on",
    "sourcing",
    "requires",
    "requirement",
    "organisation",
    "change",
)
# Kept beside the graph (they name its organisations): a clear() empties them too.
BESIDE_GRAPH_TABLES = (
    "result",
    "api_key",
    "mutation",
    "match_verdict",
    "share_request",
    "risk_table",
)

# ---- writes -------------------------------------------------------------
UPSERT_ORGANISATION = """
INSERT INTO organisation (id, kind, name, country, lei, duns, gln, os_id, mill_id,
  abbreviation, lat, lon, listed)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name,
  country = excluded.country, lei = excluded.lei, duns = excluded.duns, gln = excluded.gln,
  os_id = excluded.os_id, mill_id = excluded.mill_id, abbreviation = excluded.abbreviation,
  lat = excluded.lat, lon = excluded.lon, listed = excluded.listed
"""
# An identifier the batch moves to another organisation leaves its holder first.
RELEASE_IDENTIFIER = {
    kind: f"UPDATE organisation SET {kind} = NULL WHERE id = ?"  # noqa: S608 - names from a constant
    for kind in IDENTIFIER_FIELDS
}
UPSERT_REQUIREMENT = "INSERT OR REPLACE INTO requirement VALUES (?, ?, ?, ?)"
UPSERT_AUDIT = """
INSERT INTO audit (id, organisation, scheme, audit_date, valid_until, commissioned_by,
  rating, auditor, shared_with_all)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET organisation = excluded.organisation,
  scheme = excluded.scheme, audit_date = excluded.audit_date,
  valid_until = excluded.valid_until, commissioned_by = excluded.commissioned_by,
  rating = excluded.rating, auditor = excluded.auditor,
  shared_with_all = excluded.shared_with_all
"""
UPSERT_EDGE = {  # WITHOUT ROWID tables keyed by the edge's identity: a later row replaces
    "requires": "INSERT OR REPLACE INTO requires VALUES (?, ?)",
    "sourcing": "INSERT OR REPLACE INTO sourcing VALUES (?, ?, ?, ?, ?)",
    "pass_on": "INSERT OR REPLACE INTO pass_on VALUES (?, ?, ?, ?)",
    "adoptions": "INSERT OR REPLACE INTO adoption VALUES (?, ?, ?, ?)",
    "findings": "INSERT OR REPLACE INTO finding VALUES (?, ?, ?, ?, ?, ?)",
    "shares": "INSERT OR REPLACE INTO share VALUES (?, ?)",
    "recognitions": "INSERT OR REPLACE INTO recognition VALUES (?, ?)",
}
BUMP_VERSION = (
    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version' RETURNING value"
)
RECORD_CHANGE = "INSERT INTO change (version, payload) VALUES (?, ?)"
FORGET_OLD_CHANGES = "DELETE FROM change WHERE version <= ?"
FORGET_CHANGES = "DELETE FROM change"
REMOVE_SOURCING = """
DELETE FROM sourcing WHERE buyer = (SELECT handle FROM organisation WHERE id = ?)
  AND seller = (SELECT handle FROM organisation WHERE id = ?)
"""
REMOVE_SOURCING_OF = REMOVE_SOURCING + " AND commodity = ?"
SAVE_RESULT = "INSERT OR REPLACE INTO result VALUES (?, ?, ?, ?, ?, ?)"

SAVE_KEY = "INSERT INTO api_key VALUES (?, ?, ?, ?, ?, ?, ?)"
REVOKE_KEY = "UPDATE api_key SET revoked_at = ? WHERE id = ?"
KEY = "SELECT id, role, organisation, label, hash, created_at, revoked_at FROM api_key WHERE id = ?"
KEYS = (
    "SELECT id, role, organisation, label, hash, created_at, revoked_at FROM api_key "
    "ORDER BY created_at, id"
)

# ---- reads --------------------------------------------------------------
# An organisation's columns in graph.model.Organisation's order (kind as its code).
_COLUMNS = (
    "id",
    "kind",
    "name",
    "country",
    *IDENTIFIER_FIELDS,
    "abbreviation",
    "lat",
    "lon",
    "listed",
)
_ORGANISATION = ", ".join(_COLUMNS)
_O_ORGANISATION = ", ".join(f"o.{c}" for c in _COLUMNS)
META = "SELECT value FROM meta WHERE key = ?"
INIT_META = "INSERT OR IGNORE INTO meta VALUES (?, ?)"
HANDLES_OF = (
    "SELECT o.id, o.handle, o.kind FROM json_each(?) AS j JOIN organisation AS o ON o.id = j.value"
)
IDS_OF = "SELECT j.value, o.id FROM json_each(?) AS j JOIN organisation AS o ON o.handle = j.value"
EXISTING = {
    "requirement": "SELECT r.id FROM json_each(?) AS j JOIN requirement AS r ON r.id = j.value",
    "audit": "SELECT a.id FROM json_each(?) AS j JOIN audit AS a ON a.id = j.value",
    "finding": "SELECT f.id FROM json_each(?) AS j JOIN finding AS f ON f.id = j.value",
}
AUDIT_HANDLES_OF = "SELECT a.id, a.handle FROM json_each(?) AS j JOIN audit AS a ON a.id = j.value"
SOURCING_PAIRS = """
SELECT DISTINCT b.id, s.id FROM json_each(?) AS j
JOIN organisation AS b ON b.id = json_extract(j.value, '$[0]')
JOIN organisation AS s ON s.id = json_extract(j.value, '$[1]')
WHERE EXISTS (SELECT 1 FROM sourcing AS e WHERE e.buyer = b.handle AND e.seller = s.handle)
"""
PAIR_LINKED = "SELECT 1 FROM sourcing WHERE buyer = ? AND seller = ? LIMIT 1"
COUNT_KINDS = "SELECT kind, count(*) FROM organisation GROUP BY kind"
COUNT_TABLES = """
SELECT (SELECT count(*) FROM requirement), (SELECT count(*) FROM audit),
  (SELECT count(*) FROM finding), (SELECT count(*) FROM requires),
  (SELECT count(*) FROM sourcing), (SELECT count(*) FROM pass_on),
  (SELECT count(*) FROM adoption), (SELECT count(*) FROM share),
  (SELECT count(*) FROM recognition)
"""
CHANGES_AFTER = "SELECT version, payload FROM change WHERE version > ? ORDER BY version"

EXPORT = {
    "organisations": f"SELECT {_ORGANISATION} FROM organisation",  # noqa: S608 - a constant
    "requirements": "SELECT id, title, version, frameworks FROM requirement",
    "requires": "SELECT m.id, e.requirement FROM requires AS e "
    "JOIN organisation AS m ON m.handle = e.member",
    "sourcing": "SELECT b.id, s.id, e.commodity, e.since, e.registered_by FROM sourcing AS e "
    "JOIN organisation AS b ON b.handle = e.buyer JOIN organisation AS s ON s.handle = e.seller",
    "pass_on": "SELECT b.id, s.id, e.requirement, e.at FROM pass_on AS e "
    "JOIN organisation AS b ON b.handle = e.buyer JOIN organisation AS s ON s.handle = e.seller",
    "adoptions": "SELECT o.id, e.requirement, e.at, e.evidence FROM adoption AS e "
    "JOIN organisation AS o ON o.handle = e.organisation",
    "audits": "SELECT a.id, o.id, a.scheme, a.audit_date, a.valid_until, c.id, a.rating, "
    "a.auditor, a.shared_with_all FROM audit AS a "
    "JOIN organisation AS o ON o.handle = a.organisation "
    "JOIN organisation AS c ON c.handle = a.commissioned_by",
    "findings": "SELECT f.id, a.id, f.severity, f.status, f.category, f.due_date "
    "FROM finding AS f JOIN audit AS a ON a.handle = f.audit",
    "shares": "SELECT a.id, m.id FROM share AS e JOIN audit AS a ON a.handle = e.audit "
    "JOIN organisation AS m ON m.handle = e.member",
    "recognitions": "SELECT m.id, e.scheme FROM recognition AS e "
    "JOIN organisation AS m ON m.handle = e.member",
}

# The rows of EXPORT whose owner (graph.store.ROW_OWNER) is in a JSON list of ids.
_OWNER_COLUMN = {
    "organisations": "id",
    "requirements": "id",
    "requires": "m.id",
    "sourcing": "b.id",
    "pass_on": "b.id",
    "adoptions": "o.id",
    "audits": "a.id",
    "findings": "f.id",
    "shares": "a.id",
    "recognitions": "m.id",
}
STORED = {
    kind: f"{query} WHERE {_OWNER_COLUMN[kind]} IN (SELECT value FROM json_each(?))"  # noqa: S608 - constants
    for kind, query in EXPORT.items()
}

# What the cascade reads, as columns.
ORGANISATION_COLUMNS = "SELECT handle, id, kind FROM organisation"
SOURCING_COLUMNS = "SELECT buyer, seller FROM sourcing"
PASS_ON_COLUMNS = "SELECT requirement, buyer, seller FROM pass_on ORDER BY requirement"
ADOPTION_COLUMNS = "SELECT requirement, organisation FROM adoption ORDER BY requirement"
AUDIT_COLUMNS = """
SELECT a.handle, a.id, a.organisation, a.scheme, a.audit_date, a.valid_until, c.id,
  a.shared_with_all
FROM audit AS a JOIN organisation AS c ON c.handle = a.commissioned_by
"""
SHARE_COLUMNS = "SELECT e.audit, m.id FROM share AS e JOIN organisation AS m ON m.handle = e.member"
OPEN_FINDING_COLUMNS = (
    "SELECT id, audit, severity = 'critical', due_date FROM finding WHERE status = 'open'"
)
SOURCING_IN = """
SELECT DISTINCT e.seller, e.buyer, b.kind FROM json_each(?) AS j
JOIN sourcing AS e ON e.seller = j.value JOIN organisation AS b ON b.handle = e.buyer
"""
MEMBERS = "SELECT id FROM organisation WHERE kind = 0 ORDER BY id"
REQUIREMENTS_OF = """
SELECT e.requirement FROM requires AS e JOIN organisation AS m ON m.handle = e.member
WHERE m.id = ? ORDER BY e.requirement
"""
SCHEMES_OF = """
SELECT e.scheme FROM recognition AS e JOIN organisation AS m ON m.handle = e.member
WHERE m.id = ?
"""
RESULTS = """
SELECT id, kind, member, key, computed_at, payload FROM result
WHERE kind = ? AND member = ? AND key = ? ORDER BY computed_at DESC, id DESC LIMIT ?
"""

# What a member's people read: details of nodes the walk found in their view.
ORGANISATIONS = f"""
SELECT {_O_ORGANISATION}
FROM json_each(?) AS j JOIN organisation AS o ON o.id = j.value ORDER BY o.id
"""  # noqa: S608 - columns from a constant
COUNTRIES = "SELECT o.id, o.country FROM json_each(?) AS j JOIN organisation AS o ON o.id = j.value"
LABELS = (
    "SELECT o.id, o.name, o.country FROM json_each(?) AS j JOIN organisation AS o ON o.id = j.value"
)
SOURCING_OF = """
SELECT b.id, s.id, e.commodity FROM json_each(?) AS j
JOIN organisation AS b ON b.id = j.value JOIN sourcing AS e ON e.buyer = b.handle
JOIN organisation AS s ON s.handle = e.seller
"""

# What matching reads: who holds an identifier (a seek in its unique index), and
# every organisation of one country (organisation_by_country).
HOLDERS = {
    kind: "SELECT j.value, o.id FROM json_each(?) AS j "  # noqa: S608 - names from a constant
    f"JOIN organisation AS o ON o.{kind} = j.value"
    for kind in IDENTIFIER_FIELDS
}
MATCH_CANDIDATES = f"SELECT {_ORGANISATION} FROM organisation WHERE country = ? ORDER BY id"  # noqa: S608
REQUIREMENTS = """
SELECT r.id, r.title, r.version, r.frameworks
FROM json_each(?) AS j JOIN requirement AS r ON r.id = j.value ORDER BY r.id
"""
AUDITS = """
SELECT a.id, o.id, a.scheme, a.audit_date, a.valid_until, c.id, a.rating, a.auditor,
  a.shared_with_all
FROM json_each(?) AS j JOIN audit AS a ON a.id = j.value
JOIN organisation AS o ON o.handle = a.organisation
JOIN organisation AS c ON c.handle = a.commissioned_by
ORDER BY a.id
"""
FINDINGS_OF = """
SELECT f.id, a.id, f.severity, f.status, f.category, f.due_date
FROM json_each(?) AS j JOIN audit AS a ON a.id = j.value JOIN finding AS f ON f.audit = a.handle
ORDER BY a.id, f.id
"""

# ---- share requests: beside the graph (never counted or exported). An upsert by
# id, never INSERT OR REPLACE: a second open request of one (member, audit) must
# fail on share_request_open, not replace the open one.
UPSERT_SHARE_REQUEST = """
INSERT INTO share_request (id, member, audit, owner, status, at, requested_by, message,
  answered_at, answered_by, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET member = excluded.member, audit = excluded.audit,
  owner = excluded.owner, status = excluded.status, at = excluded.at,
  requested_by = excluded.requested_by, message = excluded.message,
  answered_at = excluded.answered_at, answered_by = excluded.answered_by,
  reason = excluded.reason
"""
SHARE_REQUEST_STATUS = "SELECT status FROM share_request WHERE id = ?"
SHARE_REQUESTS = """
SELECT id, member, audit, owner, status, at, requested_by, message, answered_at, answered_by,
  reason
FROM share_request
WHERE (:member IS NULL OR member = :member) AND (:owner IS NULL OR owner = :owner)
  AND (:audit IS NULL OR audit = :audit) AND (:status IS NULL OR status = :status)
  AND (:id IS NULL OR id = :id)
ORDER BY at, id
"""

# ---- mutations (the API's writes): removals, records, match verdicts, and the
# reads a supplier's own view makes. An operator's records have no organisation:
# ifnull(organisation, '') names it in the idempotency key's unique index.
REMOVE_SHARE = """
DELETE FROM share WHERE audit = (SELECT handle FROM audit WHERE id = ?)
  AND member = (SELECT handle FROM organisation WHERE id = ?)
"""
REMOVE_RECOGNITION = """
DELETE FROM recognition WHERE member = (SELECT handle FROM organisation WHERE id = ?)
  AND scheme = ?
"""
# Ignored (rowcount 0) when the (organisation, role, idempotency key) is kept already.
SAVE_MUTATION = "INSERT OR IGNORE INTO mutation VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
_MUTATION_COLUMNS = (
    "SELECT id, operation, organisation, role, key_id, at, idempotency_key, request, response "
    "FROM mutation"
)
MUTATION = (
    _MUTATION_COLUMNS + " WHERE ifnull(organisation, '') = ifnull(?, '') AND role = ? "
    "AND idempotency_key = ?"
)
MUTATIONS_OF = _MUTATION_COLUMNS + " WHERE organisation = ? ORDER BY at DESC, id DESC LIMIT ?"
# A confirmed pair (same = 1) replaces every other confirmed pair of its key: one
# new organisation is the same as at most one stored one.
FORGET_VERDICT = """
DELETE FROM match_verdict WHERE country = ? AND name = ? AND abbreviation IS ?
  AND (stored_id = ? OR (? AND same = 1))
"""
SAVE_VERDICT = "INSERT INTO match_verdict VALUES (?, ?, ?, ?, ?)"
VERDICTS = """
SELECT stored_id, same FROM match_verdict WHERE country = ? AND name = ? AND abbreviation IS ?
"""
SELLERS_OF = """
SELECT b.id, s.id, e.commodity, e.since, e.registered_by FROM organisation AS b
JOIN sourcing AS e ON e.buyer = b.handle JOIN organisation AS s ON s.handle = e.seller
WHERE b.id = ? ORDER BY s.id, e.commodity
"""
BUYERS_OF = """
SELECT b.id, s.id, e.commodity, e.since, e.registered_by FROM organisation AS s
JOIN sourcing AS e ON e.seller = s.handle JOIN organisation AS b ON b.handle = e.buyer
WHERE s.id = ? ORDER BY b.id, e.commodity
"""
PASSED_TO = """
SELECT b.id, s.id, e.requirement, e.at FROM organisation AS s
JOIN pass_on AS e ON e.seller = s.handle JOIN organisation AS b ON b.handle = e.buyer
WHERE s.id = ? ORDER BY e.requirement, b.id
"""
PASSED_BY = """
SELECT b.id, s.id, e.requirement, e.at FROM organisation AS b
JOIN pass_on AS e ON e.buyer = b.handle JOIN organisation AS s ON s.handle = e.seller
WHERE b.id = ? ORDER BY s.id, e.requirement
"""
ADOPTIONS_OF = """
SELECT o.id, e.requirement, e.at, e.evidence FROM organisation AS o
JOIN adoption AS e ON e.organisation = o.handle WHERE o.id = ? ORDER BY e.requirement
"""
AUDITS_OF = """
SELECT a.id, o.id, a.scheme, a.audit_date, a.valid_until, c.id, a.rating, a.auditor,
  a.shared_with_all
FROM organisation AS o JOIN audit AS a ON a.organisation = o.handle
JOIN organisation AS c ON c.handle = a.commissioned_by
WHERE o.id = ? ORDER BY a.id
"""
SHARES_OF = """
SELECT a.id, m.id FROM json_each(?) AS j JOIN audit AS a ON a.id = j.value
JOIN share AS e ON e.audit = a.handle JOIN organisation AS m ON m.handle = e.member
ORDER BY a.id, m.id
"""

# ---- corrective actions: one plan per finding and its steps, beside the graph
# (counts and export never see them; clear() empties them with the graph).
ACTION_SCHEMA = """
CREATE TABLE IF NOT EXISTS corrective_action (
  finding TEXT PRIMARY KEY, description TEXT NOT NULL, target_date TEXT NOT NULL,
  status TEXT NOT NULL, evidence TEXT, reason TEXT, extension TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS corrective_action_step (
  finding TEXT NOT NULL, at TEXT NOT NULL, kind TEXT NOT NULL, by_organisation TEXT,
  role TEXT NOT NULL, note TEXT, due_date TEXT, PRIMARY KEY (finding, at, kind)
) WITHOUT ROWID;
"""
ACTION_TABLES = ("corrective_action_step", "corrective_action")
UPSERT_ACTION = """
INSERT INTO corrective_action (finding, description, target_date, status, evidence, reason,
  extension) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (finding) DO UPDATE SET description = excluded.description,
  target_date = excluded.target_date, status = excluded.status, evidence = excluded.evidence,
  reason = excluded.reason, extension = excluded.extension
"""
APPEND_ACTION_STEP = """
INSERT OR IGNORE INTO corrective_action_step (finding, at, kind, by_organisation, role, note,
  due_date) VALUES (?, ?, ?, ?, ?, ?, ?)
"""
FINDINGS = """
SELECT f.id, a.id, f.severity, f.status, f.category, f.due_date
FROM json_each(?) AS j JOIN finding AS f ON f.id = j.value JOIN audit AS a ON a.handle = f.audit
ORDER BY f.id
"""
ACTIONS = """
SELECT c.finding, c.description, c.target_date, c.status, c.evidence, c.reason, c.extension
FROM json_each(?) AS j JOIN corrective_action AS c ON c.finding = j.value
ORDER BY c.finding
"""
ACTION_STEPS = """
SELECT s.finding, s.at, s.kind, s.by_organisation, s.role, s.note, s.due_date
FROM json_each(?) AS j JOIN corrective_action_step AS s ON s.finding = j.value
ORDER BY s.finding, s.at, s.kind
"""

# Which of the ids (a JSON array) are requirements: a mutation's new ones taken meanwhile.
REQUIREMENTS_HELD = "SELECT id FROM requirement WHERE id IN (SELECT value FROM json_each(?))"
