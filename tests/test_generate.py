"""The synthetic network: deterministic, sized, realistic, and valid in the load formats."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import iso3166
import networkx as nx
import pytest

from graph.codec import batch_from_dict, batch_to_dict, sorted_batch
from graph.model import BATCH_FIELDS, FindingStatus, GraphBatch, Kind, Severity
from graph.sqlite_store import SqliteStore
from loaders.generate import MEMBERS_BY_DEFAULT, REFERENCE_DAY, SCHEMES, generate
from loaders.generate_brands import BRAND_SCHEMES
from loaders.load import load
from loaders.writers import columns, write_csv_dir, write_json_bundle

NODES = 3000
SEED = 7


@pytest.fixture(scope="module")
def batch() -> GraphBatch:
    return generate(nodes=NODES, seed=SEED)


@pytest.fixture(scope="module")
def sourcing(batch: GraphBatch) -> nx.DiGraph:
    return nx.DiGraph((s.buyer, s.seller) for s in batch.sourcing)


@pytest.fixture(scope="module")
def kinds(batch: GraphBatch) -> dict[str, Kind]:
    return {o.id: o.kind for o in batch.organisations}


def _members(batch: GraphBatch) -> list[str]:
    return [o.id for o in batch.organisations if o.kind == Kind.MEMBER]


def test_same_seed_same_batch(batch: GraphBatch) -> None:
    assert generate(nodes=NODES, seed=SEED) == batch


def test_other_seed_other_batch(batch: GraphBatch) -> None:
    other = generate(nodes=NODES, seed=SEED + 1)
    assert other.sourcing != batch.sourcing
    assert other.audits != batch.audits


def test_today_moves_the_dates_only_when_asked(batch: GraphBatch) -> None:
    assert generate(nodes=NODES, seed=SEED, today=REFERENCE_DAY) == batch
    later = generate(nodes=NODES, seed=SEED, today=REFERENCE_DAY.replace(year=2030))
    assert later.organisations == batch.organisations
    assert later.audits[0].audit_date.year - batch.audits[0].audit_date.year == 4


@pytest.mark.parametrize("nodes", [NODES, 1200, 12_000])
def test_size_and_relationships_per_node(nodes: int) -> None:
    b = generate(nodes=nodes, members=4, seed=3)
    assert abs(len(b.organisations) - nodes) <= 0.05 * nodes
    assert sum(o.kind == Kind.MEMBER for o in b.organisations) == 4
    assert 1.6 <= len(b.sourcing) / nodes <= 1.8
    relationships = len(b) - len(b.organisations) - len(b.requirements)
    assert 3.0 <= relationships / nodes <= 4.0


def test_smallholders_are_leaves_and_most_nodes(batch: GraphBatch, kinds: dict) -> None:
    smallholders = {i for i, k in kinds.items() if k == Kind.SMALLHOLDER}
    assert not {s.buyer for s in batch.sourcing} & smallholders
    assert 0.60 <= len(smallholders) / len(kinds) <= 0.75
    sizes = Counter(s.buyer for s in batch.sourcing if s.seller in smallholders)
    assert max(sizes.values()) >= 50  # cooperatives with many smallholders


def test_traders_trade_with_each_other_in_cycles(sourcing: nx.DiGraph) -> None:
    cycle = nx.find_cycle(sourcing)
    assert all(node.startswith("S-TRD-") for edge in cycle for node in edge)


def test_diamonds_and_shared_suppliers(batch: GraphBatch, sourcing: nx.DiGraph) -> None:
    member = _members(batch)[0]
    network = nx.descendants(sourcing, member) | {member}
    diamonds = [n for n in network if len(set(sourcing.predecessors(n)) & network) >= 2]
    assert diamonds
    networks = [nx.descendants(sourcing, m) for m in _members(batch)]
    assert all(a & b for a in networks for b in networks)


def test_a_member_also_supplies_a_member(batch: GraphBatch, kinds: dict) -> None:
    assert any(kinds[s.buyer] == kinds[s.seller] == Kind.MEMBER for s in batch.sourcing)


def test_every_member_is_four_to_eight_tiers_deep(batch: GraphBatch, sourcing) -> None:
    for member in _members(batch):
        depth = max(nx.single_source_shortest_path_length(sourcing, member).values())
        assert 4 <= depth <= 8, member


def test_commodities_and_countries(batch: GraphBatch) -> None:
    assert len({s.commodity for s in batch.sourcing}) >= 5
    assert all(o.country in iso3166.countries_by_alpha2 for o in batch.organisations)
    for name in ("lei", "duns", "gln", "os_id", "mill_id"):
        assert 0 < sum(getattr(o, name) is not None for o in batch.organisations) < NODES / 2


def test_keys_unique_and_references_resolve(batch: GraphBatch, kinds: dict) -> None:
    check_keys_and_references(batch, kinds, SCHEMES)


def check_keys_and_references(batch: GraphBatch, kinds: dict, schemes: tuple[str, ...]) -> None:
    keys = {
        "organisations": lambda r: r.id,
        "requirements": lambda r: r.id,
        "requires": lambda r: (r.member, r.requirement),
        "sourcing": lambda r: (r.buyer, r.seller, r.commodity),
        "pass_on": lambda r: (r.buyer, r.seller, r.requirement),
        "adoptions": lambda r: (r.organisation, r.requirement),
        "audits": lambda r: r.id,
        "findings": lambda r: r.id,
        "shares": lambda r: (r.audit, r.member),
        "recognitions": lambda r: (r.member, r.scheme),
    }
    for name in BATCH_FIELDS:
        rows = getattr(batch, name)
        assert len({keys[name](r) for r in rows}) == len(rows), name
    requirements = {r.id for r in batch.requirements}
    audits = {a.id for a in batch.audits}
    members = set(_members(batch))
    pairs = {(s.buyer, s.seller) for s in batch.sourcing}
    for s in batch.sourcing:
        assert s.buyer != s.seller and kinds[s.buyer] != Kind.SMALLHOLDER
        assert s.seller in kinds and s.registered_by in (None, s.buyer)
    assert all(
        (p.buyer, p.seller) in pairs and p.requirement in requirements for p in batch.pass_on
    )
    assert all(a.organisation in kinds and a.requirement in requirements for a in batch.adoptions)
    assert all(r.member in members and r.requirement in requirements for r in batch.requires)
    for a in batch.audits:
        assert a.organisation in kinds and a.commissioned_by in kinds
        assert a.valid_until >= a.audit_date
    assert all(f.audit in audits for f in batch.findings)
    assert all(s.audit in audits and s.member in members for s in batch.shares)
    assert all(r.member in members and r.scheme in schemes for r in batch.recognitions)


def test_members_require_and_recognise(batch: GraphBatch) -> None:
    requires = Counter(r.member for r in batch.requires)
    recognises = Counter(r.member for r in batch.recognitions)
    for member in _members(batch):
        assert 1 <= requires[member] <= 3
        assert 2 <= recognises[member] <= 4
    assert all(r.requirement.startswith(f"REQ-{r.member[2:]}-") for r in batch.requires)


def test_requirements_travel_partly(batch: GraphBatch) -> None:
    assert 0 < len(batch.pass_on) < 0.5 * len(batch.sourcing) * len(batch.requirements)
    adopted = {(a.organisation, a.requirement) for a in batch.adoptions}
    passed_to = {(p.seller, p.requirement) for p in batch.pass_on}
    assert passed_to - adopted  # passed on, not adopted
    assert adopted - passed_to  # adopted, never passed on: orphans
    assert len({a.organisation for a in batch.adoptions}) < 0.5 * NODES


def test_audits_expire_and_findings_stay_open(batch: GraphBatch) -> None:
    today = REFERENCE_DAY
    assert any(a.valid_until < today for a in batch.audits)
    assert any(a.audit_date <= today <= a.valid_until for a in batch.audits)
    assert {a.scheme for a in batch.audits} == set(SCHEMES)
    assert any(a.shared_with_all for a in batch.audits) and batch.shares
    assert any(a.commissioned_by == a.organisation for a in batch.audits)
    open_ = [f for f in batch.findings if f.status == FindingStatus.OPEN]
    assert any(f.severity == Severity.CRITICAL for f in open_)
    assert any(f.due_date is not None and f.due_date < today for f in open_)
    assert any(f.status == FindingStatus.CLOSED for f in batch.findings)


def test_csv_files_have_the_documented_headers(batch: GraphBatch, tmp_path: Path) -> None:
    told: Counter[str] = Counter()
    files = write_csv_dir(batch, tmp_path, progress=lambda kind, n: told.update({kind: n}))
    assert [f.name for f in files] == [f"{k}.csv" for k in BATCH_FIELDS if getattr(batch, k)]
    for path in files:
        kind = path.stem
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
        assert reader.fieldnames == columns(kind)
        assert len(rows) == len(getattr(batch, kind)) == told[kind]
    with (tmp_path / "requirements.csv").open(encoding="utf-8", newline="") as fh:
        assert next(csv.DictReader(fh))["frameworks"] == "UNGC;UNGP;ILO"
    with (tmp_path / "audits.csv").open(encoding="utf-8", newline="") as fh:
        audits = list(csv.DictReader(fh))
    assert {a["shared_with_all"] for a in audits} == {"true", "false"}
    assert audits[0]["audit_date"] == batch.audits[0].audit_date.isoformat()


def test_json_bundle_reads_back_equal(batch: GraphBatch, tmp_path: Path) -> None:
    path = write_json_bundle(batch, tmp_path / "network.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == batch_to_dict(batch)
    assert batch_from_dict(data) == batch


def test_files_load_into_the_store_unchanged(batch: GraphBatch, tmp_path: Path) -> None:
    store = SqliteStore()
    report = load(store, write_csv_dir(batch, tmp_path))
    assert report.ok, report.problems[:5]
    assert store.export() == sorted_batch(batch)


def test_an_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="profile must be one of tiers, brands, not 'chains'"):
        generate(nodes=NODES, profile="chains")


# ---- the brands profile: few members, each listing many mills ---------------
BRAND_NODES = 20_000


@pytest.fixture(scope="module")
def brands() -> GraphBatch:
    return generate(nodes=BRAND_NODES, seed=SEED, profile="brands")


@pytest.fixture(scope="module")
def brand_graph(brands: GraphBatch) -> nx.DiGraph:
    return nx.DiGraph((s.buyer, s.seller) for s in brands.sourcing)


@pytest.fixture(scope="module")
def mills_of(brands: GraphBatch, brand_graph: nx.DiGraph) -> dict[str, set[str]]:
    """Member -> the mills in its network."""
    mills = {o.id for o in brands.organisations if o.id.startswith("S-MILL-")}
    return {m: nx.descendants(brand_graph, m) & mills for m in _members(brands)}


def test_brands_same_seed_same_batch_and_few_members(brands: GraphBatch) -> None:
    assert generate(nodes=BRAND_NODES, seed=SEED, profile="brands") == brands
    assert len(_members(brands)) == MEMBERS_BY_DEFAULT["brands"] == 15
    assert generate(nodes=BRAND_NODES, seed=SEED + 1, profile="brands").sourcing != brands.sourcing


@pytest.mark.parametrize("nodes", [3000, BRAND_NODES, 60_000])
def test_brands_size_is_respected(nodes: int) -> None:
    b = generate(nodes=nodes, members=12, seed=3, profile="brands")
    assert abs(len(b.organisations) - nodes) <= 0.05 * nodes
    assert sum(o.kind == Kind.MEMBER for o in b.organisations) == 12


def test_each_member_lists_hundreds_of_mills(mills_of: dict[str, set[str]]) -> None:
    sizes = sorted(len(m) for m in mills_of.values())
    assert sizes[0] >= 100  # 600 mills at 20,000 organisations
    assert sizes[-1] >= 300


def test_most_mills_are_listed_by_many_members(
    brands: GraphBatch, mills_of: dict[str, set[str]]
) -> None:
    listed = Counter(mill for mills in mills_of.values() for mill in mills)
    mills = [o.id for o in brands.organisations if o.id.startswith("S-MILL-")]
    assert all(listed[m] >= 1 for m in mills)  # every mill sells into some member's network
    assert sum(listed[m] >= 3 for m in mills) >= 0.8 * len(mills)
    assert sorted(listed[m] for m in mills)[len(mills) // 2] >= 5  # the median mill


def test_a_trader_tier_sits_between_members_and_part_of_the_mills(
    brands: GraphBatch, brand_graph: nx.DiGraph
) -> None:
    members = set(_members(brands))
    via_traders = [s for s in brands.sourcing if s.buyer.startswith("S-TRD-")]
    direct = [s for s in brands.sourcing if s.buyer in members and s.seller.startswith("S-MILL-")]
    to_mills = [s for s in via_traders if s.seller.startswith("S-MILL-")]
    assert to_mills and direct  # part through traders, part listed directly
    assert 0.2 <= len(to_mills) / (len(to_mills) + len(direct)) <= 0.8
    buy_from_traders = {s.buyer for s in brands.sourcing if s.seller.startswith("S-TRD-")}
    assert buy_from_traders & members
    assert nx.find_cycle(brand_graph.subgraph(n for n in brand_graph if n.startswith("S-TRD-")))
    for member in members:
        depth = max(nx.single_source_shortest_path_length(brand_graph, member).values())
        assert 3 <= depth <= 5, member


def test_brands_countries_ids_and_what_sits_below_mills(brands: GraphBatch) -> None:
    assert all(o.country in iso3166.countries_by_alpha2 for o in brands.organisations)
    palm = [o for o in brands.organisations if o.id.startswith("S-MILL-") and o.mill_id]
    assert len(palm) >= 0.6 * sum(o.id.startswith("S-MILL-") for o in brands.organisations)
    assert sum(o.country in ("ID", "MY") for o in palm) >= 0.4 * len(palm)
    cocoa_mills = {s.seller for s in brands.sourcing if s.commodity == "cocoa"} & {
        o.id for o in brands.organisations if o.id.startswith("S-MILL-")
    }
    countries = Counter(o.country for o in brands.organisations if o.id in cocoa_mills)
    assert countries["CI"] + countries["GH"] >= 0.4 * len(cocoa_mills)
    assert {s.commodity for s in brands.sourcing} == {"palm oil", "cocoa"}
    prefixes = Counter(
        o.id.split("-")[1] if o.id.startswith("S-") else o.id[:2] for o in brands.organisations
    )
    assert prefixes["EST"] and prefixes["COOP"] and prefixes["SH"] > 0.6 * BRAND_NODES


def test_brands_rows_are_whole(brands: GraphBatch) -> None:
    kinds = {o.id: o.kind for o in brands.organisations}
    check_keys_and_references(brands, kinds, BRAND_SCHEMES)
    requires = Counter(r.member for r in brands.requires)
    assert all(1 <= requires[m] <= 3 for m in _members(brands))
    assert 0 < len(brands.pass_on) < len(brands.sourcing) * len(brands.requirements)
    assert {a.scheme for a in brands.audits} >= {"RSPO", "ISPO", "MSPO", "RA"}
    assert any(f.status == FindingStatus.OPEN for f in brands.findings)
    assert any(f.status == FindingStatus.CLOSED for f in brands.findings)


def test_brands_files_load_into_the_store_unchanged(tmp_path: Path) -> None:
    batch = generate(nodes=3000, members=6, seed=SEED, profile="brands")
    store = SqliteStore()
    report = load(store, write_csv_dir(batch, tmp_path))
    assert report.ok, report.problems[:5]
    assert store.export() == sorted_batch(batch)


def test_generate_command_takes_the_profile(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from tiergraph.cli import app

    monkeypatch.setenv("TIERGRAPH_STORE", "embedded")
    monkeypatch.setenv("TIERGRAPH_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    args = ["generate", str(tmp_path / "net"), "--profile", "brands", "--nodes", "2500"]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["rows"]
    assert rows["organisations"] == 2500 and rows["requires"] >= 15  # 15 members by default
    loaded = runner.invoke(app, ["load", str(tmp_path / "net"), "--format", "json"])
    assert json.loads(loaded.stdout)["ok"]
    too_small = runner.invoke(app, ["generate", str(tmp_path / "small"), *args[2:-1], "900"])
    assert too_small.exit_code == 2
    assert "at least 1500 in the brands profile" in " ".join(too_small.stderr.split())
