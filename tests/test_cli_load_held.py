"""`tiergraph load --match` with rows a person must decide, as an operator reads it:
the rows that refer to a held-back organisation say that it waits for a decision
(it was not refused), the last line says how to decide, and the JSON's problems
are the first 1,000 with the rest counted, whatever their kind."""

from __future__ import annotations

import json

from tests.test_cli import data_dir, runner  # noqa: F401 - data_dir is a fixture
from tests.test_cli_match import files, stored  # noqa: F401 - stored is a fixture
from tiergraph.cli import app


def test_rows_that_refer_to_a_held_back_organisation_wait_for_the_decision(stored):  # noqa: F811
    folder = files(
        stored,
        "suppliers",
        "F-SMR,supplier,Sinar Mas Resources,ID,,\nF-NEW,supplier,Kumasi Fresh Produce,GH,,\n",
        "F-SMR,F-NEW,palm oil\nM-ACME,F-SMR,palm oil\n",
    )
    result = runner.invoke(app, ["load", "--match", str(folder)])
    assert result.exit_code == 1
    err = " ".join(result.stderr.split())
    assert "buyer: unknown organisation 'F-SMR' (its row waits for your decision)" in err
    assert "seller: unknown organisation 'F-SMR' (its row waits for your decision)" in err
    assert "its row was rejected" not in err
    assert "1 organisation row(s) wait for your decision (--confirm FILE_ID=STORED_ID" in err
    assert "Fix the rows above" not in err

    refused = json.loads(runner.invoke(app, ["load", "--match", str(folder), "-f", "json"]).stdout)
    reasons = [p["reason"] for p in refused["rejected"]]
    assert reasons[0].startswith("'F-SMR' (Sinar Mas Resources, ID) may be a stored organisation")
    assert reasons[1:] == [
        "unknown organisation 'F-SMR' (its row waits for your decision)",
        "unknown organisation 'F-SMR' (its row waits for your decision)",
    ]


def test_more_than_a_thousand_questions_keep_a_thousand_and_count_every_other(stored):  # noqa: F811
    held = 1001  # each a namesake of the stored P1 that a person must decide
    organisations = "".join(f"F-{i},supplier,Sinar Mas Resources,ID,,\n" for i in range(held))
    sourcing = "".join(f"M-ACME,F-{i},palm oil\n" for i in range(5))
    folder = files(stored, "many", organisations, sourcing)
    result = runner.invoke(app, ["load", "--match", str(folder), "-f", "json"])
    assert result.exit_code == 1
    refused = json.loads(result.stdout)
    assert refused["match"]["counts"]["choose"] == held
    assert len(refused["rejected"]) == 1000
    assert len(refused["rejected"]) + refused["unlisted"] == held + 5  # every problem counted

    said = runner.invoke(app, ["load", "--match", str(folder)])
    assert f"{held + 5:,} problem(s): nothing was written" in " ".join(said.stderr.split())
