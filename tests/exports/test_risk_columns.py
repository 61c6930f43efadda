"""The risk columns of every format say what the risk service answers the member's
people (risk.service.member_risk_report, what `risk show` and the API's risk
print): the score and each component per node, the country fallback, the
weights and the tables' versions; with no table imported, the country and goods
columns are empty and the header says why."""

from __future__ import annotations

import math
from datetime import date

import pytest

from exports.formats import ExportFormat
from exports.run import write_export
from risk.importers import import_table
from risk.service import MAX_TOP, member_risk_report
from tests.exports.read import read_export
from tests.risk.real_tables import ILAB, WGI
from tests.views.forum import AS_OF, PRINCIPALS, forum

FORMATS = [f.value for f in ExportFormat]


def close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b))


@pytest.mark.parametrize("tables", [True, False], ids=["tables", "no-tables"])
def test_the_risk_columns_are_the_risk_services(engine_store, tmp_path, tables):
    engine_store.write(forum())
    if tables:
        import_table(engine_store, ILAB, "goods", today=date(2026, 2, 1))
        import_table(engine_store, WGI, "countries", today=date(2026, 2, 1))
    report = member_risk_report(
        principal=PRINCIPALS["analyst"], store=engine_store, as_of=AS_OF, top=MAX_TOP
    )
    assert report.network == 5
    for fmt in FORMATS:
        path = tmp_path / f"m1.{fmt}"
        write_export(engine_store, "M1", ExportFormat(fmt), AS_OF, path)
        read = read_export(path, fmt)
        for node in report.nodes:
            risk = read.risk[node.id]
            assert close(risk["risk_score"], node.score), (fmt, node.id)
            for component, value in node.components.items():
                assert close(risk.get(f"risk_{component}"), value), (fmt, node.id, component)
            assert bool(risk["risk_country_fallback"]) == node.country_fallback
        member = {k: v for k, v in read.risk["M1"].items() if v not in (None, 0.0)}
        assert not member  # the member is not in its own network: no risk
        assert read.header["risk_weights"] == pytest.approx(report.risk.weights)
        versions = {k: v.as_dict() if v else None for k, v in report.risk.tables.items()}
        assert read.header["risk_tables"] == versions
        absent = read.header["risk_absent"]
        if tables:
            assert not absent and versions["countries"]["edition"] == "2022"
        else:
            assert set(absent) == {"country", "goods"}
            assert all(
                "risk_country" not in r and "risk_goods" not in r for r in read.risk.values()
            )
