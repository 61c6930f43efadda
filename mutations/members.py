"""A member's sourcing team's own decisions: which schemes it recognises and
which requirements it requires (creating or versioning one). Passing a
requirement on to its direct suppliers is mutations.suppliers.pass_on."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from access.errors import BadUserInput, Forbidden
from access.principal import Principal, Role
from graph import model
from graph.model import GraphBatch
from graph.store import GraphStore, Removals
from mutations import checks
from mutations.record import Plan, perform
from mutations.scope import own_organisation


def recognise(
    *,
    principal: Principal,
    store: GraphStore,
    scheme: str,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """RECOGNISES: the member's audit gaps count audits of this scheme from now."""
    return _recognition(principal, store, scheme, idempotency_key, True)


def unrecognise(
    *,
    principal: Principal,
    store: GraphStore,
    scheme: str,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    return _recognition(principal, store, scheme, idempotency_key, False)


def _recognition(
    principal: Principal, store: GraphStore, scheme: str, key: str | None, on: bool
) -> dict[str, Any]:
    me = own_organisation(principal, store, Role.SOURCING)
    try:
        parsed = checks.row("recognitions", {"member": me.id, "scheme": scheme}, where="input")
    except BadUserInput:
        # A scheme recognised before its name's rules were (an invisible character
        # in it, refused since 2026-12-04) can still be taken back, as it is stored.
        if on or scheme.strip() not in store.recognised_schemes(me.id):
            raise
        parsed = model.Recognition(me.id, scheme.strip())

    def plan(at: datetime) -> Plan:
        batch, removals = GraphBatch(), Removals()
        schemes = store.recognised_schemes(me.id)
        if on and parsed.scheme not in schemes:
            batch.recognitions.append(parsed)
        elif not on and parsed.scheme in schemes:
            removals = Removals(recognitions=(parsed,))
        schemes = schemes | {parsed.scheme} if on else schemes - {parsed.scheme}
        return Plan({"member": me.id, "recognised": sorted(schemes)}, batch, removals)

    return perform(
        principal=principal,
        store=store,
        operation="recognise" if on else "unrecognise",
        arguments={"scheme": parsed.scheme},
        idempotency_key=key,
        plan=plan,
    )


def require(
    *,
    principal: Principal,
    store: GraphStore,
    requirement: str,
    title: str | None = None,
    version: str | None = None,
    frameworks: list[str] | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """REQUIRES: the member requires a requirement, created when new (a title is
    then needed). An existing one that other members require and this one does not
    is theirs: refused as an id taken, its title and version left unsaid (joining it
    would show which of the member's suppliers adopted another member's code, and
    freeze its versioning). Title, version or frameworks of an existing one change
    only when the member is the only one requiring it (a code an operator loaded
    for several members is all of theirs)."""
    me = own_organisation(principal, store, Role.SOURCING)
    # The id as the row check stores it (stripped): looked up as sent, " R1" found
    # nothing, was made as a new requirement and then written over R1 (a reviewer).
    requirement = checks.row(
        "requires", {"member": me.id, "requirement": requirement}, where="input"
    ).requirement
    arguments = {
        "requirement": requirement,
        "title": title,
        "version": version,
        "frameworks": frameworks,
    }

    def plan(at: datetime) -> Plan:
        found = [r for r in store.requirements([requirement]) if r.id == requirement]
        batch = GraphBatch()
        if found:
            old = found[0]
            mine = requirement in store.requirements_of(me.id)
            # read once, and only when the answer depends on it (a round trip a member)
            required_by_others = cache(
                lambda: any(
                    m != me.id and requirement in store.requirements_of(m) for m in store.members()
                )
            )
            if not mine and required_by_others():
                raise BadUserInput(
                    "requirement",
                    f"{requirement!r} is taken by another member's requirement:"
                    " require yours under an id of its own",
                )
            wanted = model.Requirement(
                old.id,
                title if title is not None else old.title,
                version if version is not None else old.version,
                tuple(frameworks) if frameworks is not None else old.frameworks,
            )
            if wanted != old:  # checked as a new one is, and kept as checked
                wanted = _check_row(wanted)
            if wanted != old:
                if required_by_others():
                    raise Forbidden(
                        f"requirement {requirement!r} is required by other members too: "
                        "its title, version and frameworks stay as they are (require a new id)"
                    )
                batch.requirements.append(wanted)
        else:
            if title is None:
                raise BadUserInput("title", "a new requirement needs a title")
            batch.requirements.append(
                _check_row(
                    model.Requirement(requirement, title, version or "1", tuple(frameworks or ()))
                )
            )
        if batch.requirements or requirement not in store.requirements_of(me.id):
            batch.requires.append(model.Requires(me.id, requirement))
        current = batch.requirements[0] if batch.requirements else found[0]
        response = {
            "requirement": current.id,
            "title": current.title,
            "version": current.version,
            "frameworks": list(current.frameworks),
            "member": me.id,
        }
        # a new one: refused at the write if another call made it meanwhile (planned again)
        return Plan(response, batch, new_requirements=() if found else (requirement,))

    return perform(
        principal=principal,
        store=store,
        operation="require",
        arguments=arguments,
        idempotency_key=idempotency_key,
        plan=plan,
    )


def _check_row(req: model.Requirement) -> model.Requirement:
    return checks.row(
        "requirements",
        {
            "id": req.id,
            "title": req.title,
            "version": req.version,
            "frameworks": ";".join(req.frameworks),
        },
        where="input",
        fields={"id": "requirement"},
    )
