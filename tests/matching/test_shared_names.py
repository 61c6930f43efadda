"""A name several stored organisations share (DOMAIN.md): never matched automatically
(the default); with TIERGRAPH_MATCH_SHARED_NAMES=singled-out (SINGLED_OUT here),
matched only when more than the name singles one of them out (docs/matching.md)."""

from __future__ import annotations

import random

import numpy as np

from matching import Conflict, Organisation, StoredIndex, Thresholds, match
from matching.conflicts import as_conflicts, conflict_bits, conflicts, refine
from matching.facts import Facts

Org = Organisation
STRICT = Thresholds()  # the default: DOMAIN.md's rule
SINGLED_OUT = Thresholds(strict_shared_names=False)
SOUBRE = "Société Coopérative Agricole de Soubré"
COOPERATIVES = [
    Org(SOUBRE, "CI", abbreviation="SCAS", lat=5.78, lon=-6.60, id="c1"),
    Org(SOUBRE, "CI", abbreviation="COOPAS", lat=5.95, lon=-6.10, id="c2"),
]
# Mills of one group disclosed under the group's name, 30 km apart.
MILLS = [
    Org("PT Wilmar Nabati", "ID", {"uml": "PO1000000101"}, lat=1.00, lon=101.00, id="w1"),
    Org("Wilmar Nabati Tbk", "ID", {"uml": "PO1000000102"}, lat=1.27, lon=101.00, id="w2"),
]


def conflicts_of(result, stored_id: str) -> tuple[Conflict, ...]:
    return next(c.conflicts for c in result.candidates if c.id == stored_id)


def test_the_name_alone_never_decides() -> None:
    got = match(Org("SCOOPS Agricole Soubre", "CI"), COOPERATIVES)
    assert got.decision == "choose"
    assert conflicts_of(got, "c1") == conflicts_of(got, "c2") == (Conflict.SHARED_NAME,)
    got = match(Org("WILMAR NABATI", "ID"), MILLS)
    assert got.decision == "choose"
    assert all(c.conflicts == (Conflict.SHARED_NAME,) for c in got.candidates)


def test_an_equal_abbreviation_that_rules_out_the_others_decides() -> None:
    new = Org("SCOOPS Agricole Soubre", "CI", abbreviation="s.c.a.s")
    got = match(new, COOPERATIVES, thresholds=SINGLED_OUT)
    assert (got.decision, got.organisation) == ("existing", "c1")
    assert match(new, COOPERATIVES).decision == "choose"


def test_a_location_within_two_km_that_rules_out_the_others_decides() -> None:
    near_w2 = Org("Wilmar Nabati", "ID", lat=1.275, lon=101.002)  # ~600 m from w2
    got = match(near_w2, MILLS, thresholds=SINGLED_OUT)
    assert (got.decision, got.organisation) == ("existing", "w2")
    assert match(near_w2, MILLS).decision == "choose"


def test_evidence_that_does_not_rule_out_every_other_holder_is_not_enough() -> None:
    # The third namesake has no abbreviation: it may be the one.
    stored = [*COOPERATIVES, Org(SOUBRE, "CI", id="c3")]
    got = match(Org(SOUBRE, "CI", abbreviation="SCAS"), stored, thresholds=SINGLED_OUT)
    assert got.decision == "choose"
    assert conflicts_of(got, "c1") == (Conflict.SHARED_NAME,)
    assert conflicts_of(got, "c2") == (Conflict.ABBREVIATION, Conflict.SHARED_NAME)
    # Two mills within 2 km of the new one: the location cannot tell them apart.
    close = [*MILLS, Org("Wilmar Nabati", "ID", lat=1.28, lon=101.00, id="w3")]
    near = Org("Wilmar Nabati", "ID", lat=1.275, lon=101.0)
    assert match(near, close, thresholds=SINGLED_OUT).decision == "choose"


def test_agreement_on_one_fact_does_not_undo_a_conflict_on_another() -> None:
    # The same abbreviation as c1, but 60 km away from it: two sites.
    far = Org(SOUBRE, "CI", abbreviation="SCAS", lat=5.78, lon=-6.05)
    got = match(far, COOPERATIVES, thresholds=SINGLED_OUT)
    assert got.decision == "choose"
    assert conflicts_of(got, "c1") == (Conflict.LOCATION,)


def test_a_shared_name_scoring_as_high_stops_taking_another() -> None:
    # The new name is exactly one two cooperatives share; a third, unshared name
    # scores 0.8: taking it because the exact name cannot decide would go round the rule.
    stored = [
        Org("Cooperativa Agraria Dorado Bahia", "BR", abbreviation="CADBEO", id="d1"),
        Org("Cooperativa Agraria Dorado Bahia", "BR", abbreviation="CADBKN", id="d2"),
        Org("Cooperativa Agraria Cafetalera Dorado Bahia", "BR", abbreviation="CACDNE", id="e"),
    ]
    got = match(Org("Cooperativa Agraria Dorado Bahia", "BR"), stored)
    assert got.decision == "choose" and got.organisation is None
    assert got.reason == "a name several stored organisations share scores as high"
    assert conflicts_of(got, "e") == ()
    # Its abbreviation singles d2 out: then d2 it is, when singled-out is chosen.
    singled = Org("Cooperativa Agraria Dorado Bahia", "BR", abbreviation="CADBKN")
    assert match(singled, stored).decision == "choose"
    assert match(singled, stored, thresholds=SINGLED_OUT).organisation == "d2"


def test_vectorised_conflicts_agree_with_the_pairwise_rules() -> None:
    rng = random.Random(7)
    names = ["Sawit Jaya Mill", "Sawit Jaya Mill 2", "Koperasi Sawit Jaya", "PT Sawit Jaya"]
    abbreviations = [None, "KSJ", "KSJA", "SJ"]

    def org(n: int, stored: bool) -> Organisation:
        located = rng.random() < 0.6
        ids = {"uml": f"PO10000000{rng.randint(10, 14)}"} if rng.random() < 0.3 else {}
        return Org(
            rng.choice(names),
            "ID",
            ids,
            rng.choice(abbreviations),
            1.0 + rng.uniform(0, 0.04) if located else None,
            101.0 if located else None,
            id=f"s{n}" if stored else None,
        )

    index = StoredIndex(org(n, True) for n in range(40))
    new = [Facts.of(org(n, False)) for n in range(40)]
    new_at = np.repeat(np.arange(40), 40)
    stored_at = np.tile(np.arange(40), 40)
    for thresholds in (SINGLED_OUT, STRICT):
        bits = conflict_bits(new, new_at, stored_at, index, thresholds)
        for k in range(len(bits)):
            n, i = int(new_at[k]), int(stored_at[k])
            vectorised = as_conflicts(refine(int(bits[k]), new[n], i, index, thresholds))
            assert vectorised == conflicts(new[n], i, index, thresholds)
