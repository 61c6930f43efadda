"""A supplier's own view (DOMAIN.md, "Who may do what"): itself, its direct
suppliers and its direct buyers, the requirements passed to it and whether it
adopted them, its audits with their findings and to whom each is visible.
Everything is asked of the store for this one organisation only."""

from __future__ import annotations

from dataclasses import dataclass

from access.principal import Principal, Role
from graph import model
from graph.store import GraphStore
from mutations.scope import own_organisation


@dataclass(frozen=True)
class Trading:
    """A direct supplier or buyer and the commodities of the edges between them."""

    organisation: model.Organisation
    commodities: tuple[str, ...]


@dataclass(frozen=True)
class Passed:
    requirement: model.Requirement
    passed_by: tuple[str, ...]  # the direct buyers that passed it on
    adoption: model.Adoption | None
    passed_on_to: tuple[str, ...]  # the direct suppliers it was passed on to


@dataclass(frozen=True)
class OwnAudit:
    audit: model.Audit
    findings: tuple[model.Finding, ...]
    shared_with: tuple[str, ...]  # members named (the commissioner always sees it)


@dataclass(frozen=True)
class SupplierView:
    organisation: model.Organisation
    suppliers: tuple[Trading, ...]
    buyers: tuple[Trading, ...]
    requirements: tuple[Passed, ...]
    audits: tuple[OwnAudit, ...]


def _trading(store: GraphStore, edges: list[model.Sourcing], other: str) -> tuple[Trading, ...]:
    commodities: dict[str, list[str]] = {}
    for e in edges:
        commodities.setdefault(getattr(e, other), []).append(e.commodity)
    orgs = {o.id: o for o in store.organisations(commodities)}
    return tuple(
        Trading(orgs[i], tuple(sorted(c))) for i, c in sorted(commodities.items()) if i in orgs
    )


def supplier_view(*, principal: Principal, store: GraphStore) -> SupplierView:
    me = own_organisation(principal, store, Role.SUPPLIER)
    passes = store.passed_to(me.id)
    by_requirement: dict[str, list[str]] = {}
    for p in passes:
        by_requirement.setdefault(p.requirement, []).append(p.buyer)
    onward: dict[str, list[str]] = {}
    for p in store.passed_by(me.id):
        onward.setdefault(p.requirement, []).append(p.seller)
    adopted = {a.requirement: a for a in store.adoptions_of(me.id)}
    requirements = {r.id: r for r in store.requirements(by_requirement)}
    audits = store.audits_of(me.id)
    findings: dict[str, list[model.Finding]] = {}
    for f in store.findings_of([a.id for a in audits]):
        findings.setdefault(f.audit, []).append(f)
    shares = store.shares_of([a.id for a in audits])
    return SupplierView(
        organisation=me,
        suppliers=_trading(store, store.sellers_of(me.id), "seller"),
        buyers=_trading(store, store.buyers_of(me.id), "buyer"),
        requirements=tuple(
            Passed(
                requirements[r],
                tuple(sorted(set(buyers))),
                adopted.get(r),
                tuple(sorted(set(onward.get(r, ())))),
            )
            for r, buyers in sorted(by_requirement.items())
            if r in requirements
        ),
        audits=tuple(
            OwnAudit(a, tuple(findings.get(a.id, ())), tuple(shares.get(a.id, ()))) for a in audits
        ),
    )
