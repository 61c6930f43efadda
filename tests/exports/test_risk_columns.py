"""The risk columns of every format say what the API's `risk` answers the member's
people (the same as `tiergraph risk show`), on every store: the score and each
component per node, the country fallback, the weights, the decay and the tables'
versions; with no table imported, the country and goods columns are empty and the
header says why."""

from __future__ import annotations

import math
from datetime import date

import pytest

from exports.formats import ExportFormat
from exports.run import write_export
from risk.importers import import_table
from tests.api.member_client import data
from tests.exports.api_view import RISK
from tests.exports.read import read_export
from tests.risk.real_tables import ILAB, WGI
from tests.views.forum import AS_OF, PRINCIPALS, forum

FORMATS = [f.value for f in ExportFormat]


def close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b))


@pytest.mark.parametrize("tables", [True, False], ids=["tables", "no-tables"])
def test_the_risk_columns_are_the_apis_risk(engine_store, tmp_path, tables):
    engine_store.write(forum())
    if tables:
        import_table(engine_store, ILAB, "goods", today=date(2026, 2, 1))
        import_table(engine_store, WGI, "countries", today=date(2026, 2, 1))
    risk = data(engine_store, PRINCIPALS["analyst"], RISK, day=str(AS_OF))["risk"]
    assert risk["network"] == len(risk["nodes"]) == 5
    for fmt in FORMATS:
        path = tmp_path / f"m1.{fmt}"
        write_export(engine_store, "M1", ExportFormat(fmt), AS_OF, path)
        read = read_export(path, fmt)
        for node in risk["nodes"]:
            got = read.risk[node["id"]]
            assert close(got["risk_score"], node["score"]), (fmt, node["id"])
            for component, value in node["components"].items():
                assert close(got.get(f"risk_{component}"), value), (fmt, node["id"], component)
            assert got["risk_country_fallback"] == node["countryFallback"]
        member = {k: v for k, v in read.risk["M1"].items() if v is not None}
        assert not member  # the member is not in its own network: no risk
        weights = {w["component"]: w["weight"] for w in risk["weights"]}
        assert read.header["risk_weights"] == pytest.approx(weights)
        assert read.header["risk_decay"] == risk["decay"]
        kept = {k: v for k, v in read.header["risk_tables"].items() if v is not None}
        assert kept == {t["kind"]: t for t in risk["tables"]}
        absent = {a["component"]: a["reason"] for a in risk["absent"]}
        assert read.header["risk_absent"] == absent
        if tables:
            assert not absent and kept["countries"]["edition"] == "2022"
        else:
            assert set(absent) == {"country", "goods"}
            assert all(
                "risk_country" not in r and "risk_goods" not in r for r in read.risk.values()
            )
