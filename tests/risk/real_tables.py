"""Where the real risk tables are: ../shared/risk/ beside the repository (never
copied into it: tests read them there)."""

from __future__ import annotations

import csv
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "risk"
ILAB = SHARED / "ilab_goods_2022.csv"
WGI = SHARED / "wgi_2022_normalised.csv"


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
