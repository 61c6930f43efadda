"""Every row checked before anything is written: each row on its own
(loaders.rows), then duplicates and references across the load and the store."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from graph.model import (
    IDENTIFIER_FIELDS,
    ActionStatus,
    CorrectiveAction,
    Finding,
    FindingStatus,
    GraphBatch,
    Kind,
    Organisation,
    StepKind,
)
from graph.store import GraphStore
from loaders.beside import STEP_COLUMNS
from loaders.read import FOLLOWS_HELD, FOLLOWS_REJECTED, Problem, RawRow
from loaders.rows import KINDS, parse_row
from loaders.validate_requests import Requests, check_requests

NODE_KINDS = {
    "organisations": "organisation",
    "requirements": "requirement",
    "audits": "audit",
    "findings": "finding",
}

# kind of row -> (field, what it must name); "member" and "buyer" are
# organisations of a kind: a Member, and anything but a Smallholder.
REFERENCES: dict[str, list[tuple[str, str]]] = {
    "requires": [("member", "member"), ("requirement", "requirement")],
    "sourcing": [("buyer", "buyer"), ("seller", "organisation"), ("registered_by", "organisation")],
    "pass_on": [
        ("buyer", "organisation"),
        ("seller", "organisation"),
        ("requirement", "requirement"),
    ],
    "adoptions": [("organisation", "organisation"), ("requirement", "requirement")],
    "audits": [("organisation", "organisation"), ("commissioned_by", "organisation")],
    "findings": [("audit", "audit")],
    "shares": [("audit", "audit"), ("member", "member")],
    "recognitions": [("member", "member")],
    "corrective_actions": [("finding", "finding")],
    "share_requests": [("member", "member"), ("audit", "audit")],
}
# Kept beside the graph, not in its batch (Checked.actions, Checked.requests).
BESIDE_BATCH = ("corrective_actions", "share_requests")


PROBLEMS_KEPT = 1000  # problems kept whole; past them a load of garbage only counts


@dataclass
class Checked:
    batch: GraphBatch = field(default_factory=GraphBatch)
    actions: list[CorrectiveAction] = field(default_factory=list)  # corrective_actions rows
    requests: Requests = field(default_factory=Requests)  # share_requests rows
    problems: list[Problem] = field(default_factory=list)
    unlisted: int = 0  # problems found past PROBLEMS_KEPT
    rows: int = 0

    def add(self, problems: list[Problem]) -> None:
        room = PROBLEMS_KEPT - len(self.problems)
        self.problems.extend(problems[: max(room, 0)])
        self.unlisted += max(len(problems) - max(room, 0), 0)


def parse_problems(raw: RawRow, error: ValidationError) -> list[Problem]:
    """A row's validation errors as problems naming its fields."""
    out = []
    for err in error.errors():
        loc = [str(part) for part in err["loc"]]
        reason = err["msg"].removeprefix("Value error, ")
        name = loc[0] if loc else None
        if name is None and ": " in reason:  # a check across fields names its field first
            name, reason = reason.split(": ", 1)
        elif err["type"] == "extra_forbidden":
            reason = "unknown field"
        elif err["type"] not in ("value_error", "missing") and not isinstance(err["input"], dict):
            reason = f"{reason} (got {err['input']!r})"
        out.append(raw.problem(name, reason))
    return out


class _Context:
    """What the load knows: its own accepted nodes, then the store's."""

    def __init__(self, store: GraphStore, parsed: dict[str, list[tuple[RawRow, Any]]]):
        self.store = store
        self.loaded: dict[str, dict[str, Any]] = defaultdict(dict)  # entity -> id -> value
        self.rejected: dict[str, set[str]] = defaultdict(set)
        self.held_back: set[str] = set()  # organisations a person must decide (--match)
        self.stored_kinds: dict[str, Kind] = {}
        self.stored: dict[str, set[str]] = {}
        self.holders: dict[tuple[str, str], str] = {}  # stored holder of each identifier
        self.claimed: dict[tuple[str, str], tuple[str, RawRow]] = {}  # by the load's rows
        self._lookups(parsed)

    def _lookups(self, parsed: dict[str, list[tuple[RawRow, Any]]]) -> None:
        wanted: dict[str, set[str]] = defaultdict(set)
        for kind, refs in REFERENCES.items():
            for _, value in parsed.get(kind, ()):
                for name, what in refs:
                    ref = getattr(value, name)
                    if ref is not None:
                        entity = what if what in ("requirement", "audit", "finding") else None
                        wanted[entity or "organisation"].add(ref)
        wanted["organisation"] |= {v.id for _, v in parsed.get("organisations", ())}
        self.stored_kinds = self.store.kinds(wanted["organisation"])
        held = {claim for _, v in parsed.get("organisations", ()) for claim in _claims(v)}
        self.holders = self.store.holders(held) if held else {}
        for entity in ("requirement", "audit"):
            self.stored[entity] = self.store.existing(entity, wanted[entity])  # type: ignore[arg-type]
        # The rows a load compares with (one record of columns on Neo4j, not one per row)
        found = self.store.stored_rows("findings", wanted["finding"]) if wanted["finding"] else []
        self.stored_findings = {f.id: f for f in found}
        self.stored["finding"] = set(self.stored_findings)
        # The days of the stored audits whose findings the plans name, and of those the
        # findings rows name: a plan, and a finding's due day, are on or after the day
        # the finding was raised (as proposeAction and uploadAudit check).
        of_plans = {
            self.stored_findings[v.finding].audit
            for _, v in parsed.get("corrective_actions", ())
            if v.finding in self.stored_findings
        } | {v.audit for _, v in parsed.get("findings", ()) if v.due_date is not None}
        audits = self.store.stored_rows("audits", of_plans) if of_plans else []
        self.stored_audit_days = {a.id: a.audit_date for a in audits}
        self.finding_rows: dict[str, RawRow] = {}  # the accepted findings rows, by id

    def audit_day(self, audit_id: str) -> date | None:
        audit = self.loaded["audit"].get(audit_id)
        return audit.audit_date if audit is not None else self.stored_audit_days.get(audit_id)

    def org_kind(self, org_id: str) -> Kind | None:
        org = self.loaded["organisation"].get(org_id)
        return org.kind if org is not None else self.stored_kinds.get(org_id)

    def check_ref(self, what: str, ref: str) -> str | None:
        """Why `ref` cannot be used as `what`, or None when it can."""
        entity = what if what in ("requirement", "audit", "finding") else "organisation"
        if entity == "organisation":
            kind = self.org_kind(ref)
            known = kind is not None
        else:
            known = ref in self.loaded[entity] or ref in self.stored[entity]
        if not known:
            why = FOLLOWS_REJECTED if ref in self.rejected[entity] else ""
            if entity == "organisation" and ref in self.held_back:
                why = FOLLOWS_HELD
            return f"unknown {entity} {ref!r}{why}"
        if what == "member" and kind != Kind.MEMBER:
            return f"{ref!r} is a {kind}, not a member"
        if what == "buyer" and kind == Kind.SMALLHOLDER:
            return f"{ref!r} is a smallholder: a smallholder is a leaf and sources from nobody"
        return None


def check(
    raw_rows: Iterable[RawRow],
    store: GraphStore,
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
    held_back: Iterable[str] = (),
) -> Checked:
    """Every row on its own (days against `today`, default the clock's), then across
    rows and against the store. `held_back`: organisation ids whose rows were taken
    out before the check (a person must decide what they are): a row that refers to
    one is rejected with it."""
    result = Checked()
    parsed: dict[str, list[tuple[RawRow, Any]]] = defaultdict(list)
    unparsed_ids: dict[str, set[str]] = defaultdict(set)  # for "its row was rejected"
    for raw in raw_rows:
        result.rows += 1
        if progress and result.rows % 10_000 == 0:
            progress(10_000)
        if "__shape__" in raw.data:
            result.add([raw.problem(None, raw.data["__shape__"])])
            continue
        try:
            parsed[raw.kind].append((raw, parse_row(raw.kind, raw.data, today)))
        except ValidationError as exc:
            if len(result.problems) < PROBLEMS_KEPT:
                result.add(parse_problems(raw, exc))
            else:  # counted, not described: what a file of garbage costs stays small
                result.unlisted += exc.error_count()
            if raw.kind in NODE_KINDS and isinstance(raw.data.get("id"), str):
                unparsed_ids[NODE_KINDS[raw.kind]].add(raw.data["id"].strip())

    ctx = _Context(store, parsed)
    ctx.rejected.update(unparsed_ids)
    ctx.held_back = set(held_back)
    ctx.rejected["organisation"] |= ctx.held_back
    sourcing_pairs = _stored_sourcing_pairs(store, parsed)
    asked: list[tuple[RawRow, Any]] = []  # share_requests rows, checked last and together

    for kind in KINDS:
        accepted = result.actions if kind in BESIDE_BATCH else getattr(result.batch, kind)
        first_seen: dict[str, RawRow] = {}
        for raw, value in parsed.get(kind, ()):
            problems = _row_problems(kind, raw, value, ctx, first_seen, sourcing_pairs)
            if problems:
                result.add(problems)
                if kind in NODE_KINDS:
                    ctx.rejected[NODE_KINDS[kind]].add(value.id)
                continue
            if kind == "share_requests":
                asked.append((raw, value))
                continue
            accepted.append(value)
            if kind in NODE_KINDS:
                first_seen[value.id] = raw
                ctx.loaded[NODE_KINDS[kind]][value.id] = value
            if kind == "organisations":
                ctx.claimed.update((claim, (value.id, raw)) for claim in _claims(value))
            if kind == "findings":
                ctx.finding_rows[value.id] = raw
            if kind == "sourcing":
                sourcing_pairs.add((value.buyer, value.seller))
        if kind == "organisations":
            result.add(_taken_from_store(result.batch, ctx))
    result.add(_findings_against_plans(result, ctx))
    result.requests, refused = check_requests(asked, ctx.loaded["audit"], result.batch, store)
    result.add(refused)
    return result


def _claims(org: Organisation) -> list[tuple[str, str]]:
    return [(k, v) for k in IDENTIFIER_FIELDS if (v := getattr(org, k)) is not None]


def _where(first: RawRow, raw: RawRow) -> str:
    """Where `first` is, told from `raw`'s row: "line 4", "row 2", "other.csv:4"."""
    if first.file != raw.file:
        return f"{first.file}:{first.line}"
    return f"{'row' if raw.json_row else 'line'} {first.line}"


def _taken_from_store(batch: GraphBatch, ctx: _Context) -> list[Problem]:
    """Accepted organisations whose identifier a stored organisation keeps (the load
    holds no row of it, or one that keeps it): rejected, as is every row that only
    freed an identifier by a row now rejected, until none is left."""
    problems: list[Problem] = []
    while True:
        taken = {}
        for org in batch.organisations:
            for kind, value in _claims(org):
                holder = ctx.holders.get((kind, value))
                if holder is None or holder == org.id or org.id in taken:
                    continue
                keeps = ctx.loaded["organisation"].get(holder)
                if keeps is None or getattr(keeps, kind) == value:
                    taken[org.id] = (kind, value, holder)
        if not taken:
            return problems
        for org_id, (kind, value, holder) in taken.items():
            _, raw = ctx.claimed[kind, value]
            problems.append(
                raw.problem(kind, f"{value} is already held by stored organisation {holder!r}")
            )
            del ctx.loaded["organisation"][org_id]
            ctx.rejected["organisation"].add(org_id)
        batch.organisations[:] = [o for o in batch.organisations if o.id not in taken]


def _stored_sourcing_pairs(store: GraphStore, parsed: dict) -> set[tuple[str, str]]:
    wanted = {(v.buyer, v.seller) for _, v in parsed.get("pass_on", ())}
    loaded = {(v.buyer, v.seller) for _, v in parsed.get("sourcing", ())}
    return store.sourcing_pairs(wanted - loaded) if wanted - loaded else set()


def _row_problems(
    kind: str,
    raw: RawRow,
    value: Any,
    ctx: _Context,
    first_seen: dict[str, RawRow],
    sourcing_pairs: set[tuple[str, str]],
) -> list[Problem]:
    problems = []
    if kind in NODE_KINDS and value.id in first_seen:
        problems.append(raw.problem("id", f"duplicate of {_where(first_seen[value.id], raw)}"))
    if kind == "organisations":
        stored = ctx.stored_kinds.get(value.id)
        if stored is not None and stored != value.kind:
            problems.append(
                raw.problem("kind", f"{value.id!r} is stored as a {stored}; its kind cannot change")
            )
        for claim in _claims(value):
            holder, first = ctx.claimed.get(claim, (value.id, raw))
            if holder != value.id:
                problems.append(
                    raw.problem(
                        claim[0], f"{claim[1]} is already held by {holder!r} ({_where(first, raw)})"
                    )
                )
    for name, what in REFERENCES.get(kind, ()):
        ref = getattr(value, name)
        why = ctx.check_ref(what, ref) if ref is not None else None
        if why:
            problems.append(raw.problem(name, why))
    if kind == "corrective_actions" and not problems:
        problems.extend(_action_problems(raw, value, ctx, first_seen))
    if kind == "findings" and not problems:
        problems.extend(_finding_problems(raw, value, ctx))
    if kind == "pass_on" and not problems and (value.buyer, value.seller) not in sourcing_pairs:
        problems.append(
            raw.problem(
                "seller",
                f"{value.buyer!r} does not source from "
                f"{value.seller!r} (load a sourcing row first)",
            )
        )
    return problems


def _before_raised(
    raw: RawRow, column: str, day: date | None, raised: date | None, audit: str
) -> list[Problem]:
    """A day of a finding's life (a due day, a plan's target or step) before the day the
    finding was raised: its audit's day (None when unknown: not checked)."""
    if day is None or raised is None or day >= raised:
        return []
    message = (
        f"{day} is before the day its finding was raised ({raised}, the audit_date of {audit!r})"
    )
    return [raw.problem(column, message)]


def _finding_problems(raw: RawRow, value: Finding, ctx: _Context) -> list[Problem]:
    """A due day on or after the audit's day (the audit as the load writes it, else as
    stored)."""
    return _before_raised(raw, "due_date", value.due_date, ctx.audit_day(value.audit), value.audit)


def _findings_against_plans(result: Checked, ctx: _Context) -> list[Problem]:
    """A findings row agrees with its finding's stored plan when the load writes no plan
    for it: closed if and only if the plan is verified (a row that reopened a finding
    its verified plan had closed left the plan verified on an open finding, counted
    open and closed at once). Checked once every row is, against the plans the load
    accepted (with --partial a refused plan row writes nothing); a row that disagrees
    is taken out of the batch (nothing refers to a finding but its plan)."""
    planned = {a.finding for a in result.actions}
    ids = [f.id for f in result.batch.findings if f.id not in planned]
    stored = {a.finding: a for a in ctx.store.corrective_actions(ids)} if ids else {}
    if not stored:
        return []
    problems, kept = [], []
    for finding in result.batch.findings:
        plan = stored.get(finding.id)  # only those the load writes no plan for
        verified = plan is not None and plan.status == ActionStatus.VERIFIED
        closed = finding.status == FindingStatus.CLOSED
        if plan is None or verified == closed:
            kept.append(finding)
            continue
        why = (
            "its corrective action is verified, which closed it: to reopen it, load its"
            " corrective_actions row too (rejected, or proposed again)"
            if verified
            else f"its corrective action is {plan.status}: a finding closes when its plan"
            " is verified (load its corrective_actions row too, verified)"
        )
        problems.append(ctx.finding_rows[finding.id].problem("status", why))
    result.batch.findings[:] = kept
    return problems


def _action_problems(
    raw: RawRow, value: CorrectiveAction, ctx: _Context, first_seen: dict[str, RawRow]
) -> list[Problem]:
    """One plan per finding; a verified plan goes with a closed finding, any other
    with an open one (the finding as the load writes it, else as stored)."""
    if value.finding in first_seen:
        where = _where(first_seen[value.finding], raw)
        return [raw.problem("finding", f"a second plan of this finding ({where})")]
    first_seen[value.finding] = raw
    finding = ctx.loaded["finding"].get(value.finding) or ctx.stored_findings[value.finding]
    raised = ctx.audit_day(finding.audit)
    early = [("target_date", value.target_date)] + [
        (_step_column(step.kind), date.fromisoformat(step.at[:10])) for step in value.history
    ]
    for column, day in early:
        if problems := _before_raised(raw, column, day, raised, finding.audit):
            return problems
    verified = value.status == ActionStatus.VERIFIED
    if verified and finding.status != FindingStatus.CLOSED:
        return [raw.problem("status", "a verified plan closes its finding: the finding is open")]
    if not verified and finding.status == FindingStatus.CLOSED:
        return [
            raw.problem("status", f"the finding is closed: a {value.status} plan needs it open")
        ]
    return _extension_problems(raw, value, finding, raised)


def _step_column(kind: StepKind) -> str:
    """The corrective_actions column a loaded step's day comes from."""
    if kind == StepKind.EXTENSION_REQUESTED:
        return "extension_asked_at"
    return STEP_COLUMNS.get(kind, "extension_answered_at")


def _extension_problems(
    raw: RawRow, value: CorrectiveAction, finding: Finding, raised: date | None
) -> list[Problem]:
    """A due day asked for comes after the finding's; a granted one is the finding's
    due_date now (the grant moved it), as the load writes the finding or as stored."""
    asked = [s for s in value.history if s.kind == StepKind.EXTENSION_REQUESTED]
    if not asked:
        return []
    day, due = asked[0].due_date, finding.due_date
    granted = any(s.kind == StepKind.EXTENSION_GRANTED for s in value.history)
    if granted and due != day:
        return [
            raw.problem(
                "extension", f"granted, it is the finding's due_date: the finding says {due}"
            )
        ]
    if not granted and due is not None and day is not None and day <= due:
        return [raw.problem("extension", f"{day} is not after the finding's due_date {due}")]
    return _before_raised(raw, "extension", day, raised, finding.audit)  # one without a due day
