"""`load --match` on every store (loaders.load with `match`): a new organisation
that is a stored one is not created and every reference to its file id names the
stored one; one a person must decide stops the load, nothing written and no
choice kept; the person's choice loads it and is kept only once the load is
written, and decides the same rows next time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from graph.model import GraphBatch, Kind, Organisation, Requirement, Requires
from loaders.choices import ChoiceError, Choices
from loaders.load import load
from matching import DecisionKey, Thresholds
from matching.identifiers import lei_check_digits
from tests.loaders.test_load import write

TODAY = date(2026, 6, 1)
LEI = "529900ABCDEFGHIJKL" + lei_check_digits("529900ABCDEFGHIJKL")
DUNS = "150483782"


def stored() -> GraphBatch:
    return GraphBatch(
        organisations=[
            Organisation("M-ACME", Kind.MEMBER, "Acme Foods", "NL"),
            Organisation("P1", Kind.SUPPLIER, "PT Sinar Mas Agro Resources", "ID", lei=LEI),
            Organisation("P3", Kind.SUPPLIER, "PTPN III", "ID", duns=DUNS),
        ],
        requirements=[Requirement("R1", "Acme supplier code")],
        requires=[Requires("M-ACME", "R1")],
    )


# F-ACME is Acme Foods spelt another way (matched without a question); F-SMR may
# be P1 (a person decides); F-FARM is new. Every kind of row names one of them.
NETWORK = {
    "organisations.csv": "id,kind,name,country\n"
    "F-ACME,member,ACME FOODS B.V.,NL\n"
    "F-SMR,supplier,Sinar Mas Resources,ID\n"
    "F-FARM,smallholder,Kofi Mensah farm,GH\n",
    "requirements.csv": "id,title\nR2,Acme palm oil policy\n",
    "requires.csv": "member,requirement\nF-ACME,R2\n",
    "sourcing.csv": "buyer,seller,commodity,since,registered_by\n"
    "F-ACME,F-SMR,palm oil,2024-01-01,F-ACME\n"
    "F-SMR,F-FARM,palm oil,,F-SMR\n",
    "pass_on.csv": "buyer,seller,requirement\nF-ACME,F-SMR,R2\n",
    "adoptions.csv": "organisation,requirement\nF-SMR,R2\n",
    "audits.csv": "id,organisation,scheme,audit_date,valid_until,commissioned_by\n"
    "A1,F-SMR,SMETA,2025-01-10,2027-01-09,F-ACME\n",
    "shares.csv": "audit,member\nA1,F-ACME\n",
    "recognitions.csv": "member,scheme\nF-ACME,SMETA\n",
}
SMR_KEY = DecisionKey("ID", "mas resources sinar", None)


def load_matched(store, folder: Path, choices: Choices | None = None):
    return load(store, [folder], today=TODAY, match=Thresholds(), choices=choices)


def verdicts(store, key: DecisionKey = SMR_KEY) -> dict[str, bool]:
    return store.match_verdicts(key.country, key.name, key.abbreviation)


def test_a_row_to_decide_stops_the_load_and_names_its_candidates(store, tmp_path):
    store.write(stored())
    before, version = store.counts(), store.graph_version()
    report = load_matched(store, write(tmp_path / "net", NETWORK))
    assert not report.ok and report.written == {}
    assert store.counts() == before and store.graph_version() == version
    question = report.problems[0]
    assert (question.file.endswith("organisations.csv"), question.line, question.field) == (
        True,
        3,
        "id",
    )
    assert "'F-SMR'" in question.reason and "'P1' (PT Sinar Mas Agro Resources, ID)" in (
        question.reason
    )
    assert "--confirm F-SMR=STORED_ID" in question.reason and "--create F-SMR" in question.reason
    # the rows that name it are rejected with it, as rows that follow another
    assert all(p.follows_another for p in report.problems[1:]) and len(report.problems) > 1
    counts = report.as_dict()["match"]["counts"]
    assert counts == {"existing": 1, "choose": 1, "conflict": 0, "new": 1, "stored": 0}
    assert verdicts(store) == {}


def test_the_choice_loads_it_remaps_every_reference_and_decides_next_time(store, tmp_path):
    store.write(stored())
    folder = write(tmp_path / "net", NETWORK)
    report = load_matched(store, folder, Choices.parse(confirm=["F-SMR=P1"]))
    assert report.ok, report.problems
    assert store.kinds(["F-ACME", "F-SMR", "F-FARM"]) == {"F-FARM": Kind.SMALLHOLDER}
    assert report.match is not None and report.match.remap() == {"F-ACME": "M-ACME", "F-SMR": "P1"}
    [edge] = store.sellers_of("M-ACME")
    assert (edge.seller, edge.since, edge.registered_by) == ("P1", date(2024, 1, 1), "M-ACME")
    assert [(e.seller, e.registered_by) for e in store.sellers_of("P1")] == [("F-FARM", "P1")]
    assert [(p.seller, p.requirement) for p in store.passed_by("M-ACME")] == [("P1", "R2")]
    assert [a.requirement for a in store.adoptions_of("P1")] == ["R2"]
    [audit] = store.audits_of("P1")
    assert (audit.id, audit.commissioned_by) == ("A1", "M-ACME")
    assert store.shares_of(["A1"]) == {"A1": ["M-ACME"]}
    assert store.recognised_schemes("M-ACME") == {"SMETA"}
    assert sorted(store.requirements_of("M-ACME")) == ["R1", "R2"]
    assert verdicts(store) == {"P1": True}
    assert report.match.kept

    again = load_matched(store, folder)  # no flag: the kept choice decides
    assert again.ok, again.problems
    assert again.match is not None
    found = {r.org.id: (r.match.decision, r.match.organisation) for r in again.match.rows}
    assert found == {"F-ACME": ("existing", "M-ACME"), "F-SMR": ("existing", "P1")}
    assert again.match.counts()["stored"] == 1  # F-FARM, created by the first load
    assert store.kinds(["F-SMR"]) == {}


def test_create_anyway_creates_it_and_keeps_the_rejections(store, tmp_path):
    store.write(stored())
    folder = write(tmp_path / "net", NETWORK)
    report = load_matched(store, folder, Choices.parse(create=["F-SMR"]))
    assert report.ok, report.problems
    assert store.kinds(["F-SMR"]) == {"F-SMR": Kind.SUPPLIER}
    assert [e.seller for e in store.sellers_of("M-ACME")] == ["F-SMR"]
    assert verdicts(store) == {"P1": False}
    # Another file's row of that name is no longer asked about P1: it is F-SMR now.
    other = write(tmp_path / "other", {"organisations.csv": NETWORK["organisations.csv"]})
    (other / "organisations.csv").write_text(
        "id,kind,name,country\nG-SMR,supplier,Sinar Mas Resources,ID\n"
    )
    again = load_matched(store, other)
    assert again.match is not None
    [row] = again.match.rows
    assert (row.match.decision, row.match.organisation) == ("existing", "F-SMR")


def test_choices_are_kept_only_once_the_load_is_written(store, tmp_path):
    store.write(stored())
    folder = write(tmp_path / "net", NETWORK)
    # The choice is right, but another row is bad: nothing written, nothing kept.
    bad = write(
        tmp_path / "bad", {**NETWORK, "adoptions.csv": "organisation,requirement\nF-SMR,R9\n"}
    )
    report = load_matched(store, bad, Choices.parse(confirm=["F-SMR=P1"]))
    assert not report.ok and verdicts(store) == {}
    assert report.match is not None and not report.match.kept

    class FailingWrite:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def write(self, batch, progress=None):
            raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        load_matched(FailingWrite(store), folder, Choices.parse(confirm=["F-SMR=P1"]))
    assert verdicts(store) == {}
    assert store.kinds(["F-FARM"]) == {}


def test_a_shared_lei_with_another_mill_id_is_a_question(store, tmp_path):
    # Two mills of one legal entity: the LEI is shared, the UML ids differ.
    store.write(
        GraphBatch(
            organisations=[
                Organisation(
                    "W1", Kind.SUPPLIER, "PT Wilmar Mill 1", "ID", lei=LEI, mill_id="PO1000000011"
                )
            ]
        )
    )
    rows = (
        "id,kind,name,country,lei,mill_id\n"
        f"F-W2,supplier,PT Wilmar Mill 2,ID,{LEI},PO1000000012\n"
        f"F-W1,supplier,Wilmar Mill One,ID,{LEI},PO1000000011\n"
    )
    report = load_matched(store, write(tmp_path / "net", {"organisations.csv": rows}))
    assert report.match is not None
    found = {r.org.id: r.match for r in report.match.rows}
    assert (found["F-W2"].decision, found["F-W2"].organisation) == ("choose", None)
    assert [(c.id, c.conflicts) for c in found["F-W2"].candidates] == [
        ("W1", ("identifier", "numbers"))
    ]
    assert (found["F-W1"].decision, found["F-W1"].organisation) == ("existing", "W1")
    assert not report.ok and report.written == {}


def test_a_shared_identifier_decides_and_a_split_one_is_a_conflict(store, tmp_path):
    store.write(stored())
    orgs = (
        "id,kind,name,country,lei,duns\n"
        f"F-LEI,supplier,Completely Other Name,MY,{LEI.lower()},\n"
        f"F-TWO,supplier,Somebody Else,ID,{LEI},{DUNS}\n"
    )
    folder = write(
        tmp_path / "net",
        {
            "organisations.csv": orgs,
            "sourcing.csv": "buyer,seller,commodity\nM-ACME,F-LEI,palm oil\nM-ACME,F-TWO,palm oil\n",
        },
    )
    report = load_matched(store, folder)
    assert report.match is not None
    found = {r.org.id: r.match for r in report.match.rows}
    assert (found["F-LEI"].decision, found["F-LEI"].organisation) == ("existing", "P1")
    assert found["F-LEI"].reason == "shared identifier"
    assert found["F-TWO"].decision == "conflict"
    # Each holder as a candidate: its name score and conflicts with the row, then the split.
    assert [(c.id, c.conflicts) for c in found["F-TWO"].candidates] == [
        ("P1", ("identifiers_split",)),
        ("P3", ("numbers", "identifiers_split")),  # "PTPN III" carries a number, the row none
    ]
    assert all(c.score < 0.5 for c in found["F-TWO"].candidates)  # "Somebody Else"
    assert not report.ok and "several stored organisations" in report.problems[0].reason
    for refused in (Choices.parse(create=["F-TWO"]), Choices.parse(confirm=["F-LEI=P3"])):
        with pytest.raises(ChoiceError):
            load_matched(store, folder, refused)
    taken = load_matched(store, folder, Choices.parse(confirm=["F-TWO=P3"]))
    assert taken.ok, taken.problems
    assert [e.seller for e in store.sellers_of("M-ACME")] == ["P1", "P3"]
    assert store.kinds(["F-LEI", "F-TWO"]) == {}


def test_a_confirmation_of_no_candidate_is_refused(store, tmp_path):
    store.write(stored())
    folder = write(tmp_path / "net", NETWORK)
    for choices, option in [
        (Choices.parse(confirm=["F-SMR=P3"]), "--confirm"),  # not a candidate
        (Choices.parse(confirm=["F-FARM=P1"]), "--confirm"),  # new: no candidate at all
        (Choices.parse(reject=["F-SMR=M-ACME"]), "--reject"),
        (Choices.parse(confirm=["F-NONE=P1"]), "--confirm"),  # no such row
        (Choices.parse(create=["M-ACME"]), "--create"),  # stored: not matched
    ]:
        with pytest.raises(ChoiceError) as refused:
            load_matched(store, folder, choices)
        assert refused.value.option == option
    assert verdicts(store) == {}
    assert store.kinds(["F-FARM"]) == {}


def test_partial_leaves_out_the_rows_to_decide_and_writes_the_rest(store, tmp_path):
    store.write(stored())
    report = load(
        store, [write(tmp_path / "net", NETWORK)], today=TODAY, match=Thresholds(), partial=True
    )
    assert not report.ok
    assert store.kinds(["F-ACME", "F-SMR", "F-FARM"]) == {"F-FARM": Kind.SMALLHOLDER}
    assert store.sellers_of("M-ACME") == []  # its edge names F-SMR: left out with it
    assert store.recognised_schemes("M-ACME") == {"SMETA"}  # F-ACME's rows name M-ACME


def test_a_row_matched_to_another_kind_is_checked_as_that_kind(store, tmp_path):
    store.write(stored())
    folder = write(
        tmp_path / "net",
        {
            "organisations.csv": "id,kind,name,country\nF-P1,member,Sinar Mas Agro Resources,ID\n",
            "requires.csv": "member,requirement\nF-P1,R1\n",
        },
    )
    report = load_matched(store, folder)
    assert [(p.field, p.reason) for p in report.problems] == [
        ("member", "'P1' is a supplier, not a member")
    ]
