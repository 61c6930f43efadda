"""The Neo4j driver's retry warnings, one line each: a transient error (two write
batches of a load deadlocking) is retried by the driver, and is not the user's to act
on; the driver's own warning is many lines of lock ids in the middle of a load's
progress bars. Stdlib only: the CLI installs it before any command runs."""

from __future__ import annotations

import logging

RETRIED = "will be retried"


class OneLineRetries(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if RETRIED in str(record.msg):
            error = record.args[-1] if isinstance(record.args, tuple) and record.args else None
            code = getattr(error, "code", None) or type(error).__name__
            record.msg = "Neo4j: a transaction failed (%s) and the driver retried it"
            record.args = (code,)
        return True


def install() -> None:
    """Once per process (the filter is not added twice)."""
    driver = logging.getLogger("neo4j.session")
    if not any(isinstance(f, OneLineRetries) for f in driver.filters):
        driver.addFilter(OneLineRetries())
