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
from graph.store import RequestStatus
from loaders import beside
from loaders.generate import REFERENCE_DAY, generate
from loaders.load import load
from loaders.writers import write_csv_dir
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


def _loaded(store, tmp_path, seed: int):
    """The generator's network with its plans and share requests, through the loader."""
    batch = generate(nodes=400, members=3, seed=seed)
    kept = beside.generated(batch, seed=seed, today=REFERENCE_DAY)
    write_csv_dir(batch, tmp_path)
    beside.write_csv(kept, tmp_path)
    report = load(store, [tmp_path], today=REFERENCE_DAY)
    assert report.ok, report.problems[:3]
    return batch, kept.requests


@pytest.mark.parametrize("seed", [7, 23])
def test_generated_requests_in_every_state_match_the_rules(engine_store, tmp_path, seed):
    """Both sides' lists are the generated requests, newest first; asking again answers
    the open request (nothing written), an audit seen through a grant is BAD_USER_INPUT,
    a declined one may be asked again; the owner answers an open request only once,
    and an answered one never again."""
    store = engine_store
    batch, requests = _loaded(store, tmp_path, seed)
    assert {r.status for r in requests} == set(RequestStatus)
    newest = sorted(requests, key=lambda r: (r.at, r.id), reverse=True)
    granted = {(r.audit, r.member) for r in requests if r.status == RequestStatus.GRANTED}
    open_pairs = {(r.member, r.audit): r.id for r in requests if r.status == RequestStatus.OPEN}
    members = sorted(o.id for o in batch.organisations if o.kind.value == "member")
    for member in members:
        key = Principal(Role.SOURCING, member, f"k-{member}")
        seen = lists.share_requests(principal=key, store=store, first=500).items
        assert [(r.id, r.status) for r in seen] == [
            (r.id, r.status) for r in newest if r.member == member
        ]
        want = _expected(batch, member, granted)
        for audit, expected in want.items():
            got: dict = {}

            def ask(k=key, a=audit, answer=got) -> None:
                answer |= request_share(principal=k, store=store, audit=a)

            assert outcome(ask) == expected, audit
            if expected == OK:  # the open request answers, or a new one is made
                asked = open_pairs.get((member, audit))
                assert got["created"] == (asked is None), audit
                assert asked is None or got["request"]["id"] == asked
    for owner in sorted({r.owner for r in requests}):
        key = Principal(Role.SUPPLIER, owner, "k-owner")
        seen = lists.share_requests(principal=key, store=store, first=500).items
        mine = [r.id for r in seen if r.id.startswith("SR-")]  # those the generator made
        assert mine == [r.id for r in newest if r.owner == owner]
    for r in requests:
        key = Principal(Role.SUPPLIER, r.owner, "k-owner")
        answer = partial(answer_share_request, principal=key, store=store, request=r.id, grant=True)
        assert outcome(answer) == (OK if r.status == RequestStatus.OPEN else BAD), r.id
        assert outcome(answer) == BAD  # answered once
