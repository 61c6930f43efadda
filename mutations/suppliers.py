"""A supplier's own part of the network: registering a sub-supplier (matched
before anything is created), removing one, passing requirements on, adopting
them. `pass_on` also serves a member's sourcing team (to its own direct
suppliers, a requirement it requires)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from access.errors import BadUserInput, Forbidden
from access.principal import Principal, Role
from graph import model
from graph.model import GraphBatch, Kind
from graph.store import GraphStore, IdentifierTaken, Removals
from matching import DecisionKey, Match
from matching.match import BY_IDENTIFIER
from mutations import checks
from mutations.ids import random_hex
from mutations.record import Plan, perform
from mutations.registration import (
    KEY_BYTES,
    decision_key,
    facts_of,
    indexed,
    key_bytes,
    match_one,
    verdict,
    verdicts_ahead,
)
from mutations.scope import (
    checked_from_memory,
    direct_supplier,
    own_organisation,
    passed_to,
    required_by,
)
from views.member import not_found

# The API's names of an organisation's fields, where they differ from the row's.
ORGANISATION_FIELDS = {"os_id": "osId", "mill_id": "umlId"}


def new_organisation_id() -> str:
    return f"org-{random_hex(16)}"


def matched_new_id(store: GraphStore, org: model.Organisation, key: DecisionKey) -> str:
    """The id of an organisation that matching found new, named by what matching
    tells organisations apart by (country, folded name and abbreviation, kind,
    identifiers, location): registrations of one new organisation racing each other
    (each matched before the other's commit: on Neo4j they plan in parallel; on the
    embedded store in two server processes) write one organisation, not one each.
    An id the matching index holds already (an organisation created so whose facts
    changed since, by a load: else matching would have found it) gives a random one.
    Checked in memory, in the index this registration was just matched against."""
    ident = f"org-{_facts_digest(org, key)[:16]}"
    return new_organisation_id() if indexed(store, org.country, ident) else ident


def _facts_digest(org: model.Organisation, key: DecisionKey) -> str:
    """`key`: the organisation's decision key, as its registration matched it."""
    facts = [key.country, key.name, key.abbreviation, org.kind.value, org.lat, org.lon]
    facts += [getattr(org, name) for name in ("lei", "duns", "gln", "os_id", "mill_id")]
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()


def _candidates(store: GraphStore, found: Match) -> list[dict[str, Any]]:
    """The candidates offered, with what identifies each to a person (name,
    country, abbreviation); nothing of their edges or audits."""
    orgs = {o.id: o for o in store.organisations([c.id for c in found.candidates])}
    return [
        {
            "id": c.id,
            "name": orgs[c.id].name,
            "country": orgs[c.id].country,
            "abbreviation": orgs[c.id].abbreviation,
            "score": c.score,
            "conflicts": [str(x) for x in c.conflicts],
        }
        for c in found.candidates
        if c.id in orgs
    ]


def _edges_to(store: GraphStore, buyer: str, seller: str, commodity: str) -> list[model.Sourcing]:
    return [e for e in store.sellers_of(buyer) if e.seller == seller and e.commodity == commodity]


@checked_from_memory
def register_supplier(
    *,
    principal: Principal,
    store: GraphStore,
    supplier: dict[str, Any],
    commodity: str,
    since: str | None = None,
    use_existing: str | None = None,
    create_anyway: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Add the caller's SOURCES_FROM edge to a sub-supplier, matched first.

    `supplier` holds the row's fields (name, country, kind, abbreviation, lat, lon,
    lei, duns, gln, os_id, mill_id). The answer's `outcome`: EXISTING (matched, or
    `use_existing` chosen among the candidates), CREATED (nothing close, or
    `create_anyway` with a reason) or CHOOSE (nothing written: the candidates,
    with scores and conflicts, for the caller to choose)."""
    verdicts_ahead(supplier)
    me = own_organisation(principal, store, Role.SUPPLIER)
    if me.kind == Kind.SMALLHOLDER:
        raise BadUserInput("supplier", "a smallholder is a leaf and sources from nobody")
    if use_existing is not None and create_anyway is not None:
        raise BadUserInput("useExisting", "give useExisting or createAnyway, not both")
    reason = checks.text(create_anyway, "createAnyway") if create_anyway is not None else None
    values = {"kind": Kind.SUPPLIER.value, **supplier, "id": "new"}
    org = checks.row("organisations", values, where="supplier", fields=ORGANISATION_FIELDS)
    if org.kind == Kind.MEMBER:
        raise BadUserInput(
            "supplier.kind", "SUPPLIER or SMALLHOLDER (a supplier registers no member)"
        )
    if key_bytes(decision_key(facts_of(org, stored=False))) > KEY_BYTES:
        raise BadUserInput(
            "supplier.name", f"too long once folded for matching (over {KEY_BYTES} bytes)"
        )
    edge = checks.row(
        "sourcing",
        {"buyer": me.id, "seller": "new", "commodity": commodity, "since": since},
        where="input",
    )
    arguments = {
        "supplier": {k: v for k, v in values.items() if k != "id"},
        "commodity": commodity,
        "since": since,
        "useExisting": use_existing,
        "createAnyway": reason,
    }

    def plan(at: datetime) -> Plan:
        new = facts_of(org, stored=False)
        found = match_one(store, new)
        key = decision_key(new)
        batch = GraphBatch()
        verdicts: tuple = ()
        if use_existing is not None:
            offered = {c.id for c in found.candidates} | {found.organisation}
            if use_existing not in offered:
                raise not_found("organisation", use_existing)
            target, outcome, why = use_existing, "EXISTING", "chosen by the caller"
            verdicts = (verdict(key, use_existing, True),)
        elif reason is not None:
            if found.reason in BY_IDENTIFIER:  # two organisations never hold one identifier
                raise BadUserInput(
                    "createAnyway",
                    "its identifiers are held by a stored organisation: use "
                    f"{found.organisation or 'one of the candidates'} (useExisting)",
                )
            target, outcome, why = new_organisation_id(), "CREATED", f"created anyway: {reason}"
            verdicts = tuple(verdict(key, c.id, False) for c in found.candidates)
        elif found.decision == "existing":
            assert found.organisation is not None
            target, outcome, why = found.organisation, "EXISTING", found.reason
        elif found.decision == "new":
            target, outcome, why = matched_new_id(store, org, key), "CREATED", found.reason
        else:  # choose, or identifiers naming several: a person decides
            return Plan(
                {
                    "outcome": "CHOOSE",
                    "organisation": None,
                    "reason": found.reason,
                    "candidates": _candidates(store, found),
                },
                write=False,
            )
        if target == me.id:
            raise BadUserInput("supplier", "an organisation cannot source from itself")
        if outcome == "EXISTING" and store.kinds([target]).get(target) == Kind.MEMBER:
            # its network would join every network above the caller's: its suppliers, and
            # which member they sell to, shown to members that may not see them
            raise Forbidden(
                f"{target!r} is a member of the forum: a member is not registered as a "
                "sub-supplier through the API (an operator loads such an edge)"
            )
        if outcome == "CREATED":
            batch.organisations.append(replace(org, id=target))
        # An edge the caller has already: its first day stays unless another is given.
        had = [] if outcome == "CREATED" else _edges_to(store, me.id, target, edge.commodity)
        if not had or (edge.since is not None and edge.since != had[0].since):
            since = edge.since or at.date()
            batch.sourcing.append(model.Sourcing(me.id, target, edge.commodity, since, me.id))
        response = {"outcome": outcome, "organisation": target, "reason": why, "candidates": []}
        return Plan(response, batch, verdicts=verdicts)

    def registered() -> dict[str, Any]:
        return perform(
            principal=principal,
            store=store,
            operation="registerSupplier",
            arguments=arguments,
            idempotency_key=idempotency_key,
            plan=plan,
        )

    try:
        return registered()
    except IdentifierTaken:
        # A registration racing this one stored the identifiers after this one matched
        # (nothing of this one was written): matched again, they name that organisation.
        return registered()


@checked_from_memory
def remove_sourcing(
    *,
    principal: Principal,
    store: GraphStore,
    supplier: str,
    commodity: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Remove the caller's SOURCES_FROM edge(s) to a direct supplier (one
    commodity, or every one); the supplier organisation stays."""
    me = own_organisation(principal, store, Role.SUPPLIER)

    def plan(at: datetime) -> Plan:
        direct_supplier(store, me.id, supplier)
        edges = [
            e
            for e in store.sellers_of(me.id)
            if e.seller == supplier and commodity in (None, e.commodity)
        ]
        if not edges:
            raise BadUserInput("commodity", f"you do not source {commodity!r} from {supplier!r}")
        removals = Removals(sourcing=((me.id, supplier, commodity),))
        response = {"supplier": supplier, "removed": sorted(e.commodity for e in edges)}
        return Plan(response, removals=removals)

    return perform(
        principal=principal,
        store=store,
        operation="removeSourcing",
        arguments={"supplier": supplier, "commodity": commodity},
        idempotency_key=idempotency_key,
        plan=plan,
    )


@checked_from_memory
def pass_on(
    *,
    principal: Principal,
    store: GraphStore,
    requirement: str,
    to: str,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """PASSED_ON from the caller to one of its direct suppliers. A supplier passes on
    what was passed to it; a member's sourcing team what its member requires."""
    me = own_organisation(principal, store, Role.SUPPLIER, Role.SOURCING)

    def plan(at: datetime) -> Plan:
        if principal.role == Role.SOURCING:
            required_by(store, me.id, requirement)
        else:
            passed_to(store, me.id, requirement)
        direct_supplier(store, me.id, to)
        edge = model.PassOn(me.id, to, requirement, at.date())
        # Passed already today: the graph stays as it is (no new version, so no
        # process catches its projection up); the call is kept like any other.
        batch = GraphBatch() if edge in store.passed_to(to) else GraphBatch(pass_on=[edge])
        return Plan({"requirement": requirement, "by": me.id, "to": to}, batch)

    return perform(
        principal=principal,
        store=store,
        operation="passOn",
        arguments={"requirement": requirement, "to": to},
        idempotency_key=idempotency_key,
        plan=plan,
    )


@checked_from_memory
def adopt(
    *,
    principal: Principal,
    store: GraphStore,
    requirement: str,
    evidence: str | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """ADOPTED: the supplier acknowledges a requirement passed to it."""
    me = own_organisation(principal, store, Role.SUPPLIER)
    evidence = checks.text(evidence, "evidence", required=False, longest=2000)

    def plan(at: datetime) -> Plan:
        passed_to(store, me.id, requirement)
        kept = [a for a in store.adoptions_of(me.id) if a.requirement == requirement]
        # Adopted already: the first day stays (an audit as of a day in between still
        # sees it adopted); new evidence replaces the old, none given keeps it.
        batch = GraphBatch()
        if not kept:
            batch.adoptions.append(model.Adoption(me.id, requirement, at.date(), evidence))
        elif evidence is not None and evidence != kept[0].evidence:
            batch.adoptions.append(replace(kept[0], evidence=evidence))
        return Plan({"requirement": requirement, "organisation": me.id}, batch)

    return perform(
        principal=principal,
        store=store,
        operation="adopt",
        arguments={"requirement": requirement, "evidence": evidence},
        idempotency_key=idempotency_key,
        plan=plan,
    )
