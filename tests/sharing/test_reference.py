"""Share requests against a naive re-statement of DOMAIN.md's rules, on generated
forums: every member's sourcing key asks for every audit, the owners answer
(grant or decline, and a wrong supplier tries too), then every member asks
again; each outcome and both sides' lists must match the reference, which reads
the batch's rows directly (networkx for the network, nothing from sharing/ or
views/)."""

from __future__ import annotations

from functools import partial

import networkx as nx
import pytest

from access.principal import Principal, Role
from graph.sqlite_store import SqliteStore
from loaders.generate import generate
from sharing import lists
from sharing.requests import answer_share_request, request_share
from tests.mutations.test_who_may_write import BAD, NOT_FOUND, OK, outcome


def _expected(batch, member: str, granted: set[tuple[str, str]]) -> dict[str, str]:
    """audit -> what asking for it answers, as DOMAIN.md reads."""
    sources = nx.DiGraph((s.buyer, s.seller) for s in batch.sourcing)
    network = nx.descendants(sources, member) - {member} if member in sources else set()
    audits = {a.id: a for a in batch.audits}  # a later row with the same id wins
    shares = {(s.audit, s.member) for s in batch.shares} | granted
    out = {}
    for a in audits.values():
        if a.organisation not in network:
            out[a.id] = NOT_FOUND
        elif a.commissioned_by == member or a.shared_with_all or (a.id, member) in shares:
            out[a.id] = BAD
        else:
            out[a.id] = OK
    return out


@pytest.mark.parametrize("seed", [7, 23])
def test_requests_and_answers_match_the_rules_on_a_generated_forum(tmp_path, seed):
    batch = generate(nodes=400, members=3, seed=seed)
    store = SqliteStore(tmp_path / "data")
    store.write(batch)
    members = sorted(o.id for o in batch.organisations if o.kind.value == "member")
    owner_of = {a.id: a.organisation for a in batch.audits}
    asked: dict[str, tuple[str, str]] = {}  # request id -> (member, audit)
    for member in members:
        key = Principal(Role.SOURCING, member, f"k-{member}")
        want = _expected(batch, member, set())
        got = {}
        for audit in want:
            got[audit] = outcome(
                lambda k=key, a=audit: request_share(principal=k, store=store, audit=a)
            )
        assert got == want, member
        for r in lists.share_requests(principal=key, store=store, first=500).items:
            asked[r.id] = (r.member, r.audit)
        assert sorted(a for m, a in asked.values() if m == member) == sorted(
            a for a, o in want.items() if o == OK
        )
    assert asked, "the generated forum should hold audits to ask for"

    granted: set[tuple[str, str]] = set()
    for n, (request, (member, audit)) in enumerate(sorted(asked.items())):
        owner = Principal(Role.SUPPLIER, owner_of[audit], "k-owner")
        someone = next(o for o in sorted(set(owner_of.values())) if o != owner_of[audit])
        wrong = Principal(Role.SUPPLIER, someone, "k-wrong")
        grant = n % 2 == 0
        answer = partial(answer_share_request, store=store, request=request, grant=grant)
        assert outcome(partial(answer, principal=wrong)) == NOT_FOUND
        assert outcome(partial(answer, principal=owner)) == OK
        assert outcome(partial(answer, principal=owner)) == BAD  # answered once
        if grant:
            granted.add((audit, member))
    for owner in sorted(set(owner_of.values())):
        key = Principal(Role.SUPPLIER, owner, "k-owner")
        seen = lists.share_requests(principal=key, store=store, first=500).items
        assert sorted(r.id for r in seen) == sorted(
            r for r, (_, a) in asked.items() if owner_of[a] == owner
        )

    for member in members:  # granted: seen now; declined: may be asked again
        key = Principal(Role.SOURCING, member, f"k-{member}")
        want = _expected(batch, member, granted)
        got = {
            audit: outcome(partial(request_share, principal=key, store=store, audit=audit))
            for audit in want
        }
        assert got == want, member
    store.close()
