"""What a member could save on a day (DOMAIN.md): the nodes in scope one share
request away (gap reason NOT_SHARED) and one recognition decision away
(UNRECOGNISED_SCHEME), with their schemes and counts. A first step only: once
shared or recognised, an audit may still fail on a finding M could not see.

Reuses the member's audit gaps (views.audits); the schemes of a node are those of
its audits that stop at that same check (checks_passed), the ones the step frees.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import numpy as np

from access.principal import Principal
from cascade.audits import CHECK_ORDER, AuditGapReason, checks_passed
from graph.store import GraphStore
from jointlist.listing import day_number
from views import pages
from views.audits import AuditSeen, audits_seen
from views.member import member_view

STEPS = (AuditGapReason.NOT_SHARED, AuditGapReason.UNRECOGNISED_SCHEME)


@dataclass(frozen=True)
class StepNode:
    node: str
    tier: int
    schemes: list[str]  # of its audits that stop at this step, sorted
    audit: AuditSeen  # the gap's audit (the one a share request names)


@dataclass(frozen=True)
class Step:
    reason: AuditGapReason
    nodes: int
    by_scheme: list[tuple[str, int]]  # nodes per scheme, by scheme
    shown: list[StepNode]  # the first `first` nodes, by tier then id


@dataclass(frozen=True)
class Potential:
    as_of: date
    in_scope: int
    not_shared: Step  # one share request away
    unrecognised_scheme: Step  # one recognition decision away


def savings_potential(
    *,
    principal: Principal,
    store: GraphStore,
    as_of: date | None = None,
    include_smallholders: bool = False,
    first: int = pages.DEFAULT_PAGE,
) -> Potential:
    """The member's own potential (sourcing and analyst keys)."""
    pages.check_first(first)
    view = member_view(principal=principal, store=store)
    day = as_of or date.today()
    status = view.audit_status(store, day, include_smallholders)
    audits = view.projection.audits
    recognised = store.recognised_schemes(view.member)
    steps = {}
    for reason in STEPS:
        rows = status.gap_rows(reason)
        positions = status.gap_positions[rows]
        which = np.flatnonzero(np.isin(audits.organisation, positions))
        score = checks_passed(audits, which, view.network.member, recognised, day_number(day))
        at_step = which[score == CHECK_ORDER.index(reason)]
        schemes: dict[int, set[str]] = {}
        for a in at_step.tolist():
            schemes.setdefault(int(audits.organisation[a]), set()).add(
                audits.schemes[int(audits.scheme[a])]
            )
        per_node = [sorted(schemes.get(int(p), ())) for p in positions.tolist()]
        counts = Counter(s for found in per_node for s in found)
        shown = rows[:first]
        gap_audits = status.gap_audit_ids(shown)
        seen = audits_seen(view, store, [a for a in gap_audits if a is not None])
        steps[reason] = Step(
            reason,
            len(rows),
            sorted(counts.items()),
            [
                StepNode(n, t, per_node[k], seen[str(a)])
                for k, (n, t, a) in enumerate(
                    zip(
                        status.gap_node_ids(shown),
                        status.gap_tiers[shown].tolist(),
                        gap_audits,
                        strict=True,
                    )
                )
            ],
        )
    return Potential(
        day,
        status.in_scope,
        steps[AuditGapReason.NOT_SHARED],
        steps[AuditGapReason.UNRECOGNISED_SCHEME],
    )
