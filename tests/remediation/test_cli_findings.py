"""`tiergraph findings -m M --as-of D [--format json]` on the embedded store."""

from __future__ import annotations

import json

from graph.sqlite_store import SqliteStore
from remediation import moves
from tests.mutations.test_who_may_write import S2
from tests.test_cli import data_dir, run, run_json  # noqa: F401 - the fixture
from tests.views.forum import SOURCING, forum


def test_findings_measures_as_json_and_table(data_dir):  # noqa: F811
    store = SqliteStore(data_dir / "data")
    store.write(forum())
    moves.propose_action(
        principal=S2, store=store, finding="F-2", description="x", target_date="2026-04-01"
    )
    moves.accept_action(principal=SOURCING, store=store, finding="F-2")
    store.close()
    got = run_json("findings", "-m", "M1", "--as-of", "2026-03-01")
    assert got == {
        "member": "M1",
        "as_of": "2026-03-01",
        "open": 1,
        "open_by_severity": {"critical": 1, "major": 0, "minor": 0},
        "overdue": 0,
        "closed_last_90_days": 0,
        "verified_last_365_days": 0,
        "median_days_to_close": None,
    }
    code, out = run("findings", "-m", "M1", "--as-of", "2026-03-01")
    assert code == 0 and "findings of M1 on 2026-03-01" in out
    code, out = run("findings", "-m", "NOBODY", "-f", "json")
    assert code == 2 and "NOBODY" in json.loads(out)["error"]["message"]
    code, out = run("findings", "-m", "M1", "--as-of", "1/3/2026", "-f", "json")
    assert code == 2 and json.loads(out)["error"]["field"] == "--as-of"
