"""The two generator profiles (tiers, brands) number their rows alike: which ids
both use, and what a user who loads both into one store sees (docs/formats.md,
README): the second load is refused, with or without --match, and the store keeps
the first network; --partial writes its good rows over the first's."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from tests.test_cli import data_dir, run, run_json  # noqa: F401 - data_dir is a fixture

ID_FILES = ("organisations", "requirements", "audits", "findings", "share_requests")
SHARED_SERIES = {  # docs/formats.md, "Generated networks"
    "organisations": {"M-ACME", "M-BRIGHT", "M-HELVA", "M-MAPLE", "M-NORDA"}
    | {"S-TRD-*", "S-COOP-*", "SH-*"},
    "requirements": {f"REQ-{m}-SCOC" for m in ("ACME", "BRIGHT", "HELVA", "MAPLE", "NORDA")},
    "audits": {"AUD-*"},
    "findings": {"FND-*"},
    "share_requests": {"SR-*"},
}


def _ids(folder: Path, kind: str) -> set[str]:
    with (folder / f"{kind}.csv").open(newline="") as f:
        return {row["id"] for row in csv.DictReader(f)}


def test_the_profiles_share_the_documented_id_series_and_one_store_refuses_the_second(
    data_dir,  # noqa: F811
):
    tiers, brands = data_dir / "net", data_dir / "brands"
    run_json("generate", str(tiers), "--nodes", "1500")
    run_json("generate", str(brands), "--profile", "brands", "--nodes", "1600")
    for kind in ID_FILES:
        shared = _ids(tiers, kind) & _ids(brands, kind)
        series = {
            re.sub(r"\d+$", "*", i) if "-0" in i or i.startswith("SH-") else i for i in shared
        }
        assert series == SHARED_SERIES[kind], kind

    run_json("load", str(tiers))
    before = run_json("status")["counts"]
    code, out = run("load", str(brands), "--format", "json")
    refused = json.loads(out)
    assert code == 1 and refused["written"] == {}
    assert any("its member and audit cannot change" in p["reason"] for p in refused["rejected"])
    assert run_json("status")["counts"] == before


def _refused(*args: str) -> dict:
    code, out = run("load", *args, "--format", "json")
    answer = json.loads(out)
    assert code == 1 and answer["written"] == {}
    return answer


def test_in_one_store_match_is_refused_too_and_partial_writes_over_the_first(
    data_dir,  # noqa: F811
):
    # The walk of the README: `load net/`, `match brands/`, `load --match brands/`.
    tiers, brands = data_dir / "net", data_dir / "brands"
    run_json("generate", str(tiers), "--nodes", "1500")
    run_json("generate", str(brands), "--profile", "brands", "--nodes", "1600")
    run_json("load", str(tiers))
    before = run_json("status")["counts"]

    code, out = run("match", str(brands), "--format", "json")
    to_decide = [o["id"] for o in json.loads(out)["organisations"] if o["decision"] == "choose"]
    assert code == (1 if to_decide else 0)
    decisions = [word for org in to_decide for word in ("--create", org)]
    refused = _refused("--match", str(brands), *decisions)
    reasons = [p["reason"] for p in refused["rejected"]]
    assert any("its member and audit cannot change" in r for r in reasons)
    assert not any("waits for your decision" in r for r in reasons)
    assert run_json("status")["counts"] == before

    code, out = run("load", "--partial", str(brands), "--format", "json")
    partial = json.loads(out)
    assert code == 1 and partial["written"]["organisations"] > 0
    # rejected: the share requests, and the findings rows whose status disagrees with
    # the corrective action net/ stored for the finding of that id (no plan row for it)
    assert all(
        p["file"].endswith("share_requests.csv")
        or (p["file"].endswith("findings.csv") and p["field"] == "status")
        for p in partial["rejected"]
    )
    assert run_json("status")["counts"] != before
