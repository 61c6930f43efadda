"""The reads a member's people make, on every store: details of the nodes the
walk found in their view, and nothing for ids the store does not hold."""

from __future__ import annotations

from datetime import date

from graph.model import Audit, Finding, FindingStatus, Kind, Organisation, Requirement, Severity
from tests.factories import LEI, small_network


def test_organisations_by_id_sorted_unknown_ids_left_out(store):
    store.write(small_network())
    found = store.organisations(["S2", "S1", "NOBODY", "S1", "F1"])
    assert [o.id for o in found] == ["F1", "S1", "S2"]
    assert found[1] == Organisation("S1", Kind.SUPPLIER, "S1 Ltd", "GH", lei=LEI)
    assert found[2] == Organisation(
        "S2", Kind.SUPPLIER, "S2 Ltd", "CI", abbreviation="SCAD", lat=6.8276, lon=-5.2893
    )
    assert found[0].kind == Kind.SMALLHOLDER
    assert store.organisations([]) == []


def test_countries_of_known_organisations(store):
    store.write(small_network())
    assert store.countries(["M1", "S2", "NOBODY"]) == {"M1": "NL", "S2": "CI"}
    assert store.countries([]) == {}


def test_requirements_by_id(store):
    store.write(small_network())
    assert store.requirements(["R1", "R9"]) == [
        Requirement("R1", "Supplier code", "2", ("UNGC", "ILO"))
    ]


def test_audits_by_id_whole(store):
    store.write(small_network())
    assert store.audits(["A1", "A9"]) == [
        Audit("A1", "S1", "SMETA", date(2026, 1, 10), date(2027, 1, 9), "M1", "B", "Bureau X")
    ]
    assert store.audits([]) == []


def test_findings_of_audits(store):
    batch = small_network()
    batch.findings.append(Finding("F-0", "A1", Severity.CRITICAL, FindingStatus.CLOSED))
    store.write(batch)
    assert store.findings_of(["A1", "A9"]) == [
        Finding("F-0", "A1", Severity.CRITICAL, FindingStatus.CLOSED),
        Finding("F-1", "A1", Severity.MAJOR, FindingStatus.OPEN, "wages", date(2026, 6, 1)),
    ]
    assert store.findings_of(["A9"]) == []
