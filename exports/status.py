"""An export job's status as its member's people read it (job(id), the download),
and the heartbeat a Celery worker keeps while it writes one (docs/exports.md,
"Jobs, downloads and expiry").

What is stored is what the runner last wrote; what is read adds two facts the
runner cannot write itself:
- done, but past its time to live: `expired` (its file is gone or going; download
  it again by starting a new export);
- running on a worker that has been silent for STALE_SECONDS (stopped, killed,
  out of memory): the task was never acknowledged, so the broker hands it to the
  next worker, which writes the whole file again. It reads `queued` again, phase
  `retry`, with why in `error`; after MAX_ATTEMPTS starts it ends `failed`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

KIND = "export"  # the job's kind, beside the cascade's jobs in the same job store
EXPIRED = "expired"
RETRY = "retry"
HEARTBEAT_SECONDS = 2.0  # a worker's running export writes `heartbeat_ts` this often
STALE_SECONDS = 15.0  # silent this long: its worker is gone
MAX_ATTEMPTS = 3  # starts of one export on workers (a worker killed each time: failed)


def as_seen(meta: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """The job's status as read now (a cascade job, or any other, as it is)."""
    if meta.get("kind") != KIND:
        return meta
    now = time.time() if now is None else now
    state = meta.get("state")
    if state == "done" and meta.get("expires_ts", 0) <= now:
        return meta | {"state": EXPIRED}
    beat = meta.get("heartbeat_ts")
    if state == "running" and beat is not None and beat + STALE_SECONDS < now:
        attempts = int(meta.get("attempts", 1))
        then = time.strftime("%H:%M:%S", time.gmtime(beat))
        return meta | {
            "state": "queued",
            "phase": RETRY,
            "error": f"the worker writing it stopped at {then} UTC (start {attempts} of "
            f"{MAX_ATTEMPTS}); the next worker to take the task back writes the whole file "
            "again",
        }
    return meta


def gave_up(attempts: int) -> str:
    return (
        f"stopped {attempts} times before its file was whole (its worker was killed or ran "
        "out of memory each time): not tried again; start a new export, or ask an operator "
        "to look at the workers"
    )


@contextmanager
def heartbeat(update: Callable[..., None], every: float = HEARTBEAT_SECONDS) -> Iterator[None]:
    """Write `heartbeat_ts` through `update` now and every `every` seconds while the
    block runs (a thread: a chunk or the prepare phase holds no loop to do it in)."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            update(heartbeat_ts=time.time())

    update(heartbeat_ts=time.time())
    thread = threading.Thread(target=beat, name="export-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
