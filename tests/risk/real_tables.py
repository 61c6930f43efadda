"""Where the real risk tables are: ../shared/risk/ beside the repository (never
copied into it: tests read them there). A checkout elsewhere finds them through
TIERGRAPH_RISK_DATA, or in this machine's shared folder (/work/shared/risk)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

CANDIDATES = [
    *([Path(os.environ["TIERGRAPH_RISK_DATA"])] if os.environ.get("TIERGRAPH_RISK_DATA") else []),
    Path(__file__).resolve().parents[2].parent / "shared" / "risk",
    Path("/work/shared/risk"),
]
SHARED = next((c for c in CANDIDATES if (c / "ilab_goods_2022.csv").is_file()), CANDIDATES[0])
ILAB = SHARED / "ilab_goods_2022.csv"
WGI = SHARED / "wgi_2022_normalised.csv"


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
