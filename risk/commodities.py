"""Commodity aliases: the names on SOURCES_FROM edges mapped to ILAB goods.

A TOML file with an `[aliases]` table of "commodity" = "ILAB good"; the shipped
one is risk/commodities.toml, and TIERGRAPH_RISK_COMMODITIES names a user's own
(it replaces the shipped one whole). Case-insensitive; an alias is looked up
first, then a commodity equal to a good's own name maps to that good.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path


class AliasesError(ValueError):
    """An alias file that cannot be used; the message names the file and the entry."""


def fold(name: str) -> str:
    return " ".join(name.casefold().split())


@dataclass(frozen=True)
class CommodityAliases:
    aliases: dict[str, str] = field(default_factory=dict)  # commodity folded -> good folded
    source: str = "none"

    def good_of(self, commodity: str, goods: dict[str, str]) -> str | None:
        """The folded ILAB good a commodity maps to among `goods` (folded -> name), or None."""
        key = fold(commodity)
        found = self.aliases.get(key)
        if found is not None and found in goods:
            return found
        return key if key in goods else None


def shipped_path() -> Path:
    return Path(str(files("risk").joinpath("commodities.toml")))


def load_aliases(path: Path | None = None) -> CommodityAliases:
    """The alias table of `path`, or the shipped one."""
    return _load(path or shipped_path(), "shipped" if path is None else str(path))


@cache
def _load(path: Path, label: str) -> CommodityAliases:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AliasesError(f"commodity aliases {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise AliasesError(f"commodity aliases {path}: {exc}") from None
    table = data.get("aliases")
    if not isinstance(table, dict):
        raise AliasesError(f'commodity aliases {path}: no [aliases] table of "commodity" = "good"')
    bad = [k for k, v in table.items() if not isinstance(v, str) or not v.strip()]
    if bad:
        raise AliasesError(f"commodity aliases {path}: entry {bad[0]!r} is not a good's name")
    return CommodityAliases({fold(k): fold(v) for k, v in table.items()}, label)
