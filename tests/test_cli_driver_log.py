"""A load on Neo4j whose write batches deadlock prints one line per retry, not the
driver's many lines of lock ids (the walk saw them between the progress bars)."""

from __future__ import annotations

import logging

from neo4j.exceptions import Neo4jError
from typer.testing import CliRunner

from tiergraph.cli import app


def test_a_retried_transaction_is_one_line(caplog):
    CliRunner().invoke(app, ["--help"])  # the CLI installs the filter before any command
    deadlock = Neo4jError._hydrate_neo4j(
        code="Neo.TransientError.Transaction.DeadlockDetected",
        message="ForsetiClient[transactionId=128] can't acquire ExclusiveLock\n Wait list: ...",
    )
    with caplog.at_level(logging.WARNING, logger="neo4j"):
        # The driver's own call (neo4j/_sync/work/session.py).
        logging.getLogger("neo4j.session").warning(
            "Transaction failed and will be retried in %ss (%s)", 0.96, deadlock
        )
    assert caplog.messages == [
        "Neo4j: a transaction failed (Neo.TransientError.Transaction.DeadlockDetected) "
        "and the driver retried it"
    ]
