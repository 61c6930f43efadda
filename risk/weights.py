"""The risk model's weights and upstream decay: documented defaults, or a settings
file (TOML or JSON, TIERGRAPH_RISK_WEIGHTS) that names some or all of them."""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

COMPONENTS = ("country", "goods", "audit", "cascade", "upstream", "criticality")
SUM_TOLERANCE = 1e-6


class WeightsError(ValueError):
    """A weights file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Weights:
    """Defaults sum to 1 (docs/risk.md says why each is what it is)."""

    country: float = 0.2
    goods: float = 0.2
    audit: float = 0.2
    cascade: float = 0.15
    upstream: float = 0.15
    criticality: float = 0.1
    decay: float = 0.5

    def __post_init__(self) -> None:
        for name in COMPONENTS:
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise WeightsError(f"weight {name}: {value!r} is not a number >= 0")
        total = math.fsum(self.by_component().values())
        if abs(total - 1) > SUM_TOLERANCE:
            raise WeightsError(f"the weights sum to {total:g}, not 1 ({self.by_component()})")
        if not (isinstance(self.decay, int | float) and 0 < self.decay <= 1):
            raise WeightsError(f"decay: {self.decay!r} is not in (0, 1]")

    def by_component(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in COMPONENTS}


def load_weights(path: Path | None) -> Weights:
    """The weights of `path` (a .toml or .json file; names it omits keep their
    defaults, and the whole must still sum to 1), or the defaults for None."""
    if path is None:
        return Weights()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WeightsError(f"weights file {path}: {exc.strerror}") from None
    try:
        data: Any = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise WeightsError(f"weights file {path}: {exc}") from None
    data = data.get("weights", data) if isinstance(data, dict) else data
    if not isinstance(data, dict):
        raise WeightsError(f"weights file {path}: expected a table of name = number")
    known = {f.name for f in fields(Weights)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise WeightsError(
            f"weights file {path}: unknown name(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    try:
        return Weights(**data)
    except WeightsError as exc:
        raise WeightsError(f"weights file {path}: {exc}") from None
