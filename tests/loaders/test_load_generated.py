"""The generator's forum beside its network: corrective actions and share requests in
every state, the same for the same seed, consistent with DOMAIN.md's rules (checked
here by a naive re-statement on plain lists), written as load files (CSV and the JSON
bundle) that the loader takes back whole and again without change, on both stores."""

from __future__ import annotations

from collections import Counter
from datetime import date

import networkx as nx
import pytest

from graph.model import ActionStatus, FindingStatus, Kind, StepKind
from graph.store import RequestStatus
from loaders import beside
from loaders.generate import REFERENCE_DAY, generate
from loaders.generate_requests import granted as grants
from loaders.load import load
from loaders.writers import write_csv_dir, write_json_bundle
from tests.loaders.test_load import problems

SEED = 11
ANSWERS = (StepKind.EXTENSION_GRANTED, StepKind.EXTENSION_REFUSED)


@pytest.fixture(scope="module")
def forum():
    batch = generate(nodes=400, members=3, seed=SEED)
    return batch, beside.generated(batch, seed=SEED, today=REFERENCE_DAY)


def _day(at: str | None) -> date | None:
    return None if at is None else date.fromisoformat(at[:10])


def test_every_state_the_same_for_the_same_seed(forum):
    batch, kept = forum
    assert {a.status for a in kept.actions} == set(ActionStatus)
    assert {r.status for r in kept.requests} == set(RequestStatus)
    assert beside.generated(batch, seed=SEED, today=REFERENCE_DAY) == kept
    other = beside.generated(batch, seed=SEED + 1, today=REFERENCE_DAY)
    assert other.requests != kept.requests


def test_requests_follow_the_rules(forum):
    """Only for audits of the member's network it cannot see; answered on or after
    asked, by today; at most one open per (member, audit); a second request only
    after a decline."""
    batch, kept = forum
    graph = nx.DiGraph((s.buyer, s.seller) for s in batch.sourcing)
    audits = {a.id: a for a in batch.audits}
    shares = {(s.audit, s.member) for s in batch.shares}
    for r in kept.requests:
        a = audits[r.audit]
        assert a.organisation in nx.descendants(graph, r.member) and a.organisation != r.member
        assert a.commissioned_by != r.member and not a.shared_with_all
        assert (a.id, r.member) not in shares and r.owner == a.organisation
        assert a.audit_date <= _day(r.at) <= REFERENCE_DAY
        if r.status == RequestStatus.OPEN:
            assert r.answered_at is None and r.reason is None
        else:
            assert _day(r.at) <= _day(r.answered_at) <= REFERENCE_DAY
    pairs = Counter((r.member, r.audit) for r in kept.requests if r.status == RequestStatus.OPEN)
    assert max(pairs.values()) == 1
    for pair, n in Counter((r.member, r.audit) for r in kept.requests).items():
        if n > 1:
            states = [r.status for r in kept.requests if (r.member, r.audit) == pair]
            assert states == [RequestStatus.DECLINED, RequestStatus.OPEN]
    days = {_day(r.at) for r in kept.requests} | {_day(r.answered_at) for r in kept.requests}
    assert REFERENCE_DAY in days  # answered on the last day
    assert any(_day(r.at) == audits[r.audit].audit_date for r in kept.requests)
    members = {o.id for o in batch.organisations if o.kind == Kind.MEMBER}
    assert {r.member for r in kept.requests} == members


def test_plans_follow_the_rules(forum):
    """Only on findings, one each; verified on closed findings, the others on open
    ones; a history in stage order, one step a day, between the audit and today;
    due-date extensions asked after the proposal, pending, granted (the finding's
    due_date is the day granted) or refused (a day after the finding's)."""
    batch, kept = forum
    findings = {f.id: f for f in batch.findings}
    audit_day = {a.id: a.audit_date for a in batch.audits}
    assert len({p.finding for p in kept.actions}) == len(kept.actions)
    order = ["proposed", "accepted", "completed", "verified"]
    extended: Counter[str] = Counter()
    for p in kept.actions:
        f = findings[p.finding]
        assert (f.status == FindingStatus.CLOSED) == (p.status == ActionStatus.VERIFIED)
        days = [_day(s.at) for s in p.history]
        assert days == sorted(set(days)) and audit_day[f.audit] <= days[0]
        assert days[-1] <= REFERENCE_DAY
        kinds = [s.kind.value for s in p.history if not s.kind.startswith("extension")]
        if p.status == ActionStatus.REJECTED:
            assert kinds == ["proposed", "rejected"]
        else:
            assert kinds == order[: order.index(p.status.value) + 1]
        asked = [s for s in p.history if s.kind == StepKind.EXTENSION_REQUESTED]
        answers = [s for s in p.history if s.kind in ANSWERS]
        if asked:
            assert p.history[0].kind == StepKind.PROPOSED and f.status == FindingStatus.OPEN
            assert len(asked) == 1 and len(answers) <= 1
            assert p.extension == (None if answers else asked[0].due_date)
            extended[answers[0].kind.value if answers else "pending"] += 1
            if answers and answers[0].kind == StepKind.EXTENSION_GRANTED:
                assert f.due_date == asked[0].due_date
            elif f.due_date is not None:
                assert asked[0].due_date > f.due_date
        else:
            assert not answers and p.extension is None
    assert set(extended) == {"pending", "extension_granted", "extension_refused"}


@pytest.mark.parametrize("bundle", [False, True], ids=["csv", "json"])
def test_the_loader_takes_the_generated_files_back(engine_store, tmp_path, forum, bundle):
    store = engine_store
    batch, kept = forum
    if bundle:
        write_json_bundle(batch, tmp_path / "network.json", beside=kept.rows())
    else:
        write_csv_dir(batch, tmp_path)
        beside.write_csv(kept, tmp_path)
    report = load(store, [tmp_path], today=REFERENCE_DAY)
    assert report.ok, problems(report)
    assert report.written["corrective_actions"] == len(kept.actions)
    assert report.written["share_requests"] == len(kept.requests)
    stored = store.corrective_actions([f.id for f in batch.findings])
    assert sorted(stored, key=lambda p: p.finding) == sorted(kept.actions, key=lambda p: p.finding)
    members = sorted({r.member for r in kept.requests})
    got = sorted((r for m in members for r in store.share_requests(member=m)), key=lambda r: r.id)
    assert got == kept.requests
    granted = {(s.audit, s.member) for s in grants(kept.requests)}
    shares = store.shares_of({a for a, _ in granted})
    assert all(m in shares.get(a, []) for a, m in granted)
    counts = store.counts()
    again = load(store, [tmp_path], today=REFERENCE_DAY)
    assert again.ok, problems(again)
    assert "share_requests" not in again.written and store.counts() == counts
    assert sorted(store.corrective_actions([f.id for f in batch.findings]), key=lambda p: p.finding) == sorted(stored, key=lambda p: p.finding)  # fmt: skip
