"""Every mutation, every kind of principal, on every store: the right one writes,
each wrong one gets FORBIDDEN (a role that may not do it), NOT_FOUND (a node
outside what it may see, the same answer as for an id that does not exist) or
BAD_USER_INPUT, and nothing is written by a refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from access.errors import BadUserInput, Forbidden, NotFound
from access.principal import Principal, Role
from mutations import audits, members, suppliers
from tests.views.forum import PRINCIPALS, forum

OK, FORBIDDEN, NOT_FOUND, BAD = "ok", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT"

S2 = Principal(Role.SUPPLIER, "S2", "k-s2")  # S1's own supplier
S3 = Principal(Role.SUPPLIER, "S3", "k-s3")  # adopted R1 without it being passed
S4 = Principal(Role.SUPPLIER, "S4", "k-s4")  # owns A4 (commissioned by M2)
F1 = Principal(Role.SUPPLIER, "F1", "k-f1")  # a smallholder
WHO = {**PRINCIPALS, "S2": S2, "S3": S3, "S4": S4, "F1": F1}
SUPPLIERS_ONLY = dict.fromkeys(("sourcing", "analyst", "other member", "operator"), FORBIDDEN)
SOURCING_ONLY = dict.fromkeys(
    ("analyst", "supplier inside", "supplier outside", "operator", "S2", "S3", "S4", "F1"),
    FORBIDDEN,
)

NEW = {"name": "Kumasi Fresh Cocoa Cooperative", "country": "GH"}


def _cases() -> dict[str, tuple[Callable[[Principal, Any], Any], dict[str, str]]]:
    """mutation -> (call with a principal and a store, outcome per principal)."""
    return {
        "registerSupplier": (
            lambda p, s: suppliers.register_supplier(
                principal=p, store=s, supplier=NEW, commodity="cocoa"
            ),
            {
                **SUPPLIERS_ONLY,
                "supplier inside": OK,
                "supplier outside": OK,
                "S2": OK,
                "S3": OK,
                "S4": OK,
                "F1": BAD,  # a smallholder sources from nobody
            },
        ),
        "removeSourcing S2": (
            lambda p, s: suppliers.remove_sourcing(principal=p, store=s, supplier="S2"),
            {
                **SUPPLIERS_ONLY,
                "supplier inside": OK,  # S1 -> S2
                "supplier outside": NOT_FOUND,
                "S2": NOT_FOUND,  # itself
                "S3": OK,  # S3 -> S2
                "S4": NOT_FOUND,
                "F1": NOT_FOUND,
            },
        ),
        "passOn R1 to S4": (
            lambda p, s: suppliers.pass_on(principal=p, store=s, requirement="R1", to="S4"),
            {
                "sourcing": NOT_FOUND,  # M1 does not source from S4 directly
                "analyst": FORBIDDEN,
                "other member": NOT_FOUND,  # M2 sources from S4 but does not require R1
                "operator": FORBIDDEN,
                "supplier inside": OK,  # R1 passed to S1, S1 -> S4
                "supplier outside": NOT_FOUND,
                "S2": NOT_FOUND,  # R1 passed to S2, but S2 does not source from S4
                "S3": NOT_FOUND,  # never passed R1 (adopted it anyway)
                "S4": NOT_FOUND,
                "F1": NOT_FOUND,
            },
        ),
        "passOn R1 to S3": (
            lambda p, s: suppliers.pass_on(principal=p, store=s, requirement="R1", to="S3"),
            {
                "sourcing": OK,  # M1 -> S3, M1 requires R1
                "analyst": FORBIDDEN,
                "other member": NOT_FOUND,
                "operator": FORBIDDEN,
                "supplier inside": NOT_FOUND,  # S1 does not source from S3
                "supplier outside": NOT_FOUND,
                "S2": OK,  # S2 -> S3, R1 passed to S2
                "S3": NOT_FOUND,
                "S4": NOT_FOUND,
                "F1": NOT_FOUND,
            },
        ),
        "adopt R1": (
            lambda p, s: suppliers.adopt(principal=p, store=s, requirement="R1", evidence="signed"),
            {
                **SUPPLIERS_ONLY,
                "supplier inside": OK,
                "supplier outside": NOT_FOUND,
                "S2": OK,
                "S3": NOT_FOUND,  # never passed to it
                "S4": NOT_FOUND,
                "F1": NOT_FOUND,
            },
        ),
        "uploadAudit": (
            lambda p, s: audits.upload_audit(
                principal=p,
                store=s,
                audit={"scheme": "SMETA", "audit_date": "2026-02-01", "valid_until": "2027-01-31"},
                findings=[{"severity": "major", "status": "open", "category": "hours"}],
            ),
            {
                **SUPPLIERS_ONLY,
                **{w: OK for w in ("supplier inside", "supplier outside", "S2", "S3", "S4", "F1")},
            },
        ),
        "shareAudit A4 with M1": (
            lambda p, s: audits.share_audit(principal=p, store=s, audit="A4", members=["M1"]),
            {
                **SUPPLIERS_ONLY,
                **{w: NOT_FOUND for w in ("supplier inside", "supplier outside", "S2", "S3", "F1")},
                "S4": OK,  # its own audit, commissioned by M2
            },
        ),
        "shareAudit A1 with S2": (  # not a member
            lambda p, s: audits.share_audit(principal=p, store=s, audit="A1", members=["S2"]),
            {
                **SUPPLIERS_ONLY,
                **{w: NOT_FOUND for w in ("supplier outside", "S2", "S3", "S4", "F1")},
                "supplier inside": NOT_FOUND,  # member 'S2' does not exist
            },
        ),
        "unshareAudit A3 from M1": (
            lambda p, s: audits.unshare_audit(principal=p, store=s, audit="A3", members=["M1"]),
            {
                **SUPPLIERS_ONLY,
                **{w: NOT_FOUND for w in ("supplier inside", "supplier outside", "S2", "S4", "F1")},
                "S3": OK,
            },
        ),
        "recognise amfori BSCI": (
            lambda p, s: members.recognise(principal=p, store=s, scheme="amfori BSCI"),
            {**SOURCING_ONLY, "sourcing": OK, "other member": OK},
        ),
        "unrecognise SMETA": (
            lambda p, s: members.unrecognise(principal=p, store=s, scheme="SMETA"),
            {**SOURCING_ONLY, "sourcing": OK, "other member": OK},
        ),
        "require R1 titled anew": (
            lambda p, s: members.require(
                principal=p, store=s, requirement="R1", title=f"New of {p.organisation}"
            ),
            # M1 requires R1: M2 may neither retitle nor join it (its id is taken)
            {**SOURCING_ONLY, "sourcing": OK, "other member": BAD},
        ),
        "require R1 unchanged": (
            lambda p, s: members.require(principal=p, store=s, requirement="R1"),
            {**SOURCING_ONLY, "sourcing": OK, "other member": BAD},
        ),
    }


def outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except Forbidden:
        return FORBIDDEN
    except NotFound:
        return NOT_FOUND
    except BadUserInput:
        return BAD
    return OK


@pytest.mark.parametrize("mutation", list(_cases()))
def test_each_mutation_answers_each_principal_as_domain_md_says(store, mutation):
    call, expected = _cases()[mutation]
    store.write(forum())
    got = {}
    for who, principal in WHO.items():
        before = store.graph_version()
        got[who] = outcome(lambda p=principal: call(p, store))
        if got[who] != OK:
            assert store.graph_version() == before, f"{who} was refused but something was written"
    assert got == expected


def test_not_found_reads_the_same_for_hidden_and_absent(store):
    store.write(forum())
    s1 = PRINCIPALS["supplier inside"]
    messages = {}
    for target in ("S3", "NOPE"):  # S3 exists, S1 does not source from it
        with pytest.raises(NotFound) as hidden:
            suppliers.pass_on(principal=s1, store=store, requirement="R1", to=target)
        messages[target] = str(hidden.value).replace(target, "X")
    assert messages["S3"] == messages["NOPE"]
    for audit in ("A1", "NOPE"):  # A1 exists, S2 does not own it
        with pytest.raises(NotFound) as hidden:
            audits.share_audit(principal=S2, store=store, audit=audit, all_customers=True)
        messages[audit] = str(hidden.value).replace(audit, "X")
    assert messages["A1"] == messages["NOPE"]


class _PlannedBefore:
    """The store, with `meanwhile` run once right after the first plan's read of
    requirements: another call's whole write lands between a plan and its write."""

    def __init__(self, store: Any, meanwhile: Callable[[], Any]) -> None:
        self._store, self._meanwhile = store, meanwhile

    def requirements(self, ids: Any) -> Any:
        found = self._store.requirements(ids)
        meanwhile, self._meanwhile = self._meanwhile, None
        if meanwhile is not None:
            meanwhile()
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_two_members_creating_one_new_requirement_at_once_do_not_share_it(store):
    """M1 plans R-NEW as new; M2 creates R-NEW before M1 writes. M1's write must
    not land over it (both would hold it, M1's title over M2's): planned again,
    it finds the id taken."""
    store.write(forum())
    m1, m2 = PRINCIPALS["sourcing"], PRINCIPALS["other member"]

    def m2_first() -> None:
        members.require(principal=m2, store=store, requirement="R-NEW", title="M2's code")

    with pytest.raises(BadUserInput) as taken:
        members.require(
            principal=m1, store=_PlannedBefore(store, m2_first), requirement="R-NEW", title="Ours"
        )
    assert taken.value.field == "requirement" and "taken" in str(taken.value)
    assert [r.title for r in store.requirements(["R-NEW"])] == ["M2's code"]
    assert "R-NEW" in store.requirements_of("M2")
    assert "R-NEW" not in store.requirements_of("M1")
    # the same race between two calls of one member: the second joins its own
    got = members.require(
        principal=m1,
        store=_PlannedBefore(
            store, lambda: members.require(principal=m1, store=store, requirement="R-M1", title="A")
        ),
        requirement="R-M1",
        title="A",
    )
    # planned again, the call joins its own: written (its record kept), not refused
    assert got["requirement"] == "R-M1" and got["title"] == "A"
    assert got["mutation"] is not None and not got["replayed"]
    assert "R-M1" in store.requirements_of("M1")


class _Behind(_PlannedBefore):
    """A store whose reads of requirements never see the newest writes (a replica
    behind its leader)."""

    def requirements(self, ids: Any) -> Any:
        return []


def test_a_new_requirement_a_read_never_sees_is_bad_user_input_not_an_internal_error(store):
    store.write(forum())
    m1, m2 = PRINCIPALS["sourcing"], PRINCIPALS["other member"]
    members.require(principal=m2, store=store, requirement="R-NEW", title="M2's code")
    version = store.graph_version()
    with pytest.raises(BadUserInput) as refused:
        members.require(
            principal=m1, store=_Behind(store, lambda: None), requirement="R-NEW", title="Ours"
        )
    assert refused.value.field == "requirement" and "send again" in str(refused.value)
    assert store.graph_version() == version
    assert [r.title for r in store.requirements(["R-NEW"])] == ["M2's code"]
    assert "R-NEW" not in store.requirements_of("M1")


def test_another_members_requirement_cannot_be_joined_and_stays_its_own(store):
    """A member that required another's code would see which of its own suppliers
    adopted it (who sells to that member) and freeze its versioning."""
    from graph.model import GraphBatch, Requires

    store.write(forum())
    m1, m2 = PRINCIPALS["sourcing"], PRINCIPALS["other member"]
    with pytest.raises(BadUserInput) as taken:
        members.require(principal=m2, store=store, requirement="R1")
    assert taken.value.field == "requirement"
    assert "Supplier code" not in str(taken.value) and "2" not in str(taken.value)
    assert "R1" not in store.requirements_of("M2")
    # the id as a row stores it: " R1" is R1 (it was made anew and written over R1)
    with pytest.raises(BadUserInput):
        members.require(principal=m2, store=store, requirement=" R1 ", title="Hijacked")
    assert [r.title for r in store.requirements(["R1"])] == ["Supplier code"]
    assert store.requirements_of("M2") == ["R2"]
    # M1 still versions its own code
    got = members.require(principal=m1, store=store, requirement="R1", version="3")
    assert got["version"] == "3"
    # a code an operator loaded for both is both members': either requires it as it
    # is, neither changes it alone
    store.write(GraphBatch(requires=[Requires("M2", "R1")]))
    assert members.require(principal=m2, store=store, requirement="R1")["version"] == "3"
    for written in ("R1", " R1"):
        with pytest.raises(Forbidden):
            members.require(principal=m2, store=store, requirement=written, version="4")
    assert [r.version for r in store.requirements(["R1"])] == ["3"]
