"""The risk tables as the model reads them: the country governance table and ILAB's
goods list, each with its version (source, edition, day imported), and the
commodity alias table that maps SOURCES_FROM commodities to ILAB goods."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from graph.store import GraphStore, RiskTableRecord
from risk.commodities import CommodityAliases, load_aliases

COUNTRIES, GOODS = "countries", "goods"
KINDS = (COUNTRIES, GOODS)

# DOMAIN.md's goods levels: forced (or forced child) labour, child labour only, derived only.
FORCED, CHILD, DERIVED = 1.0, 0.7, 0.5


@dataclass(frozen=True)
class TableVersion:
    kind: str
    source: str
    edition: str
    imported: date
    rows: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "edition": self.edition,
            "imported": self.imported.isoformat(),
            "rows": self.rows,
        }


@dataclass(frozen=True)
class CountryTable:
    version: TableVersion
    scores: dict[str, float]  # ISO alpha-2 -> governance in 0..1, higher is better governed

    @property
    def worst(self) -> float:
        """The lowest governance score: what a node without a known country takes."""
        return min(self.scores.values())


@dataclass(frozen=True)
class GoodsTable:
    version: TableVersion
    level: dict[tuple[str, str], float]  # (good folded, ISO alpha-2) -> FORCED, CHILD or DERIVED
    goods: dict[str, str]  # good folded -> ILAB's name


@dataclass(frozen=True)
class RiskTables:
    countries: CountryTable | None = None
    goods: GoodsTable | None = None
    commodities: CommodityAliases = field(default_factory=CommodityAliases)

    def versions(self) -> dict[str, TableVersion | None]:
        return {
            COUNTRIES: self.countries.version if self.countries else None,
            GOODS: self.goods.version if self.goods else None,
        }


def fold_good(name: str) -> str:
    return " ".join(name.casefold().split())


def goods_level(child: bool, forced: bool, forced_child: bool, derived: bool) -> float:
    """One ILAB row's level (DOMAIN.md): 0 when it lists nothing."""
    if forced or forced_child:
        return FORCED
    if child:
        return CHILD
    return DERIVED if derived else 0.0


def version_of(record: RiskTableRecord) -> TableVersion:
    return TableVersion(
        record.kind,
        record.source,
        record.edition,
        date.fromisoformat(record.imported),
        len(record.rows),
    )


def country_table(record: RiskTableRecord) -> CountryTable:
    return CountryTable(version_of(record), {str(r[0]): float(r[1]) for r in record.rows})


def goods_table(record: RiskTableRecord) -> GoodsTable:
    """Rows: good, sector, country code, country name, child, forced, forced child, derived."""
    level: dict[tuple[str, str], float] = {}
    goods: dict[str, str] = {}
    for good, _sector, code, _name, child, forced, forced_child, derived in record.rows:
        key = (fold_good(good), str(code))
        goods[key[0]] = good
        level[key] = max(level.get(key, 0.0), goods_level(child, forced, forced_child, derived))
    return GoodsTable(version_of(record), level, goods)


def load_tables(store: GraphStore, commodities: Path | None = None) -> RiskTables:
    """The tables the store keeps (None for a kind never imported) and the commodity
    alias table (`commodities`, else TIERGRAPH_RISK_COMMODITIES, else the shipped one)."""
    if commodities is None:
        from tiergraph.settings import Settings

        commodities = Settings().risk_commodities
    found = {r.kind: r for r in store.risk_tables()}
    return RiskTables(
        countries=country_table(found[COUNTRIES]) if COUNTRIES in found else None,
        goods=goods_table(found[GOODS]) if GOODS in found else None,
        commodities=load_aliases(commodities),
    )
