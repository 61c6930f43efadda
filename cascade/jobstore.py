"""Where a job keeps its status and its per-tier checkpoints.

In Redis for Celery jobs (any worker can resume any job), in memory for the
in-process run, and for the API's in-process jobs on the embedded store in a
SQLite file every server process reads (FileJobStore). A checkpoint is written once per step under a fixed key, so
running a step again overwrites it with the same value.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import zlib
from pathlib import Path
from typing import Any, Protocol

KEY = "tiergraph:job:{job}"
TTL_SECONDS = 7 * 24 * 3600


class JobStore(Protocol):
    def meta(self, job: str) -> dict[str, Any] | None: ...

    def update(self, job: str, **fields: Any) -> None: ...

    def put_step(self, job: str, step: int, data: dict[str, Any]) -> None: ...

    def step(self, job: str, step: int) -> dict[str, Any]: ...

    def mark_once(self, job: str, marker: str) -> bool:
        """True the first time `marker` is marked for this job, False after."""
        ...

    def recent(self, limit: int = 20) -> list[dict[str, Any]]: ...


def _pack(data: dict[str, Any]) -> bytes:
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 1)


def _unpack(blob: bytes) -> dict[str, Any]:
    return json.loads(zlib.decompress(blob))


class MemoryJobStore:
    def __init__(self) -> None:
        self.metas: dict[str, dict[str, Any]] = {}
        self.steps: dict[tuple[str, int], bytes] = {}
        self.marks: set[tuple[str, str]] = set()

    def meta(self, job: str) -> dict[str, Any] | None:
        found = self.metas.get(job)
        return dict(found) if found is not None else None

    def update(self, job: str, **fields: Any) -> None:
        self.metas.setdefault(job, {"id": job}).update(fields)

    def put_step(self, job: str, step: int, data: dict[str, Any]) -> None:
        self.steps[(job, step)] = _pack(data)

    def step(self, job: str, step: int) -> dict[str, Any]:
        return _unpack(self.steps[(job, step)])

    def mark_once(self, job: str, marker: str) -> bool:
        if (job, marker) in self.marks:
            return False
        self.marks.add((job, marker))
        return True

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        metas = sorted(self.metas.values(), key=lambda m: m.get("created_at", ""), reverse=True)
        return [dict(m) for m in metas[:limit]]


class RedisJobStore:
    """Status as a JSON hash field, checkpoints as compressed blobs, all with a TTL."""

    INDEX = "tiergraph:jobs"

    def __init__(self, client: Any):
        self.redis = client

    def meta(self, job: str) -> dict[str, Any] | None:
        raw = self.redis.hget(KEY.format(job=job), "meta")
        return json.loads(raw) if raw else None

    def update(self, job: str, **fields: Any) -> None:
        key = KEY.format(job=job)
        # One writer per job at a time (the step in progress), so read-modify-write is safe.
        meta = self.meta(job) or {"id": job}
        meta.update(fields)
        pipe = self.redis.pipeline()
        pipe.hset(key, "meta", json.dumps(meta))
        pipe.expire(key, TTL_SECONDS)
        pipe.zadd(self.INDEX, {job: meta.get("created_ts", 0)})
        pipe.execute()

    def put_step(self, job: str, step: int, data: dict[str, Any]) -> None:
        key = KEY.format(job=job)
        self.redis.hset(key, f"step:{step}", _pack(data))
        self.redis.expire(key, TTL_SECONDS)

    def step(self, job: str, step: int) -> dict[str, Any]:
        blob = self.redis.hget(KEY.format(job=job), f"step:{step}")
        if blob is None:
            raise KeyError(f"job {job} has no checkpoint for step {step}")
        return _unpack(blob)

    def mark_once(self, job: str, marker: str) -> bool:
        return bool(self.redis.hsetnx(KEY.format(job=job), f"mark:{marker}", 1))

    def clear(self) -> int:
        """Forget every job (`tiergraph reset`); how many there were."""
        jobs = self.redis.zrange(self.INDEX, 0, -1)
        pipe = self.redis.pipeline()
        for j in jobs:
            pipe.delete(KEY.format(job=j.decode() if isinstance(j, bytes) else j))
        pipe.delete(self.INDEX)
        pipe.execute()
        return len(jobs)

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        jobs = self.redis.zrevrange(self.INDEX, 0, limit - 1)
        metas = [self.meta(j.decode() if isinstance(j, bytes) else j) for j in jobs]
        return [m for m in metas if m]


def process_token(pid: int | None = None) -> str:
    """`pid:start` naming one process for good: the start time (Linux's
    /proc/PID/stat, in clock ticks since boot) tells it from a later process given
    the same pid; empty where there is no /proc."""
    pid = os.getpid() if pid is None else pid
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        start = stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        start = ""
    return f"{pid}:{start}"


def process_alive(token: str) -> bool:
    pid_text, _, start = token.partition(":")
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (ValueError, PermissionError):
        return True  # not ours to judge: someone else's process, or no pid
    return not start or process_token(pid) == token


GONE = "the server process running the job stopped"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS job (
    id TEXT PRIMARY KEY, created_ts REAL NOT NULL, touched_ts REAL NOT NULL, meta TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS job_by_creation ON job (created_ts);
CREATE INDEX IF NOT EXISTS job_by_touch ON job (touched_ts);
"""


class FileJobStore:
    """Jobs' status in a SQLite file that every process of one server shares
    (`tiergraph serve --workers N` on the embedded store): any of them answers
    job(id), whichever started it. A job runs in a thread of the process that
    started it (its `runner`, process_token), so its checkpoints and markers stay
    in that process's memory; one still queued or running when that process is
    gone (stopped, killed) is answered as failed. Jobs not updated for TTL_SECONDS
    are dropped when a new one is recorded (as Redis expires them)."""

    def __init__(self, path: Path, clock: Any = time.time):
        self.path = path
        self._clock = clock
        self._local = MemoryJobStore()  # checkpoints and markers: the runner's own
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _read(self, job: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT meta FROM job WHERE id = ?", (job,)).fetchone()
        return json.loads(row[0]) if row else None

    def meta(self, job: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._read(job)
        return _checked(found) if found is not None else None

    def update(self, job: str, **fields: Any) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # read-modify-write against other processes
            try:
                found = self._read(job)
                meta = (found or {"id": job}) | fields
                now = self._clock()
                if found is None:
                    self._db.execute("DELETE FROM job WHERE touched_ts < ?", (now - TTL_SECONDS,))
                self._db.execute(
                    "INSERT INTO job (id, created_ts, touched_ts, meta) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET touched_ts = excluded.touched_ts, "
                    "meta = excluded.meta",
                    (job, now, now, json.dumps(meta)),
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def clear(self) -> int:
        """Forget every job (`tiergraph reset`); how many there were."""
        with self._lock:
            return self._db.execute("DELETE FROM job").rowcount

    def put_step(self, job: str, step: int, data: dict[str, Any]) -> None:
        self._local.put_step(job, step, data)

    def step(self, job: str, step: int) -> dict[str, Any]:
        return self._local.step(job, step)

    def mark_once(self, job: str, marker: str) -> bool:
        return self._local.mark_once(job, marker)

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT meta FROM job ORDER BY created_ts DESC LIMIT ?", (limit,)
            ).fetchall()
        return [_checked(json.loads(meta)) for (meta,) in rows]


def _checked(meta: dict[str, Any]) -> dict[str, Any]:
    """A job whose runner process is gone, as failed (it will never finish)."""
    runner = meta.get("runner")
    if meta.get("state") in ("queued", "running") and runner and not process_alive(runner):
        return meta | {"state": "failed", "error": GONE}
    return meta
