"""Where the real risk tables are: ../shared/risk/ beside the repository (never
copied into it: tests read them there). A checkout elsewhere finds them through
TIERGRAPH_RISK_DATA, or in this machine's shared folder (/work/shared/risk)."""

from __future__ import annotations

import csv
import os
from pathlib import Path


def shared_folder() -> Path:
    """The first folder holding the tables: TIERGRAPH_RISK_DATA, ../shared/risk beside
    the repository, this machine's /work/shared/risk (bench/risk.py reads it too);
    the first of those when none does (the tests then fail naming it)."""
    candidates = [
        *(
            [Path(os.environ["TIERGRAPH_RISK_DATA"])]
            if os.environ.get("TIERGRAPH_RISK_DATA")
            else []
        ),
        Path(__file__).resolve().parents[2].parent / "shared" / "risk",
        Path("/work/shared/risk"),
    ]
    return next((c for c in candidates if (c / "ilab_goods_2022.csv").is_file()), candidates[0])


SHARED = shared_folder()
ILAB = SHARED / "ilab_goods_2022.csv"
WGI = SHARED / "wgi_2022_normalised.csv"


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
