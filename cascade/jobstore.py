"""Where a job keeps its status and its per-tier checkpoints.

In Redis for Celery jobs (any worker can resume any job), in memory for the
in-process run. A checkpoint is written once per step under a fixed key, so
running a step again overwrites it with the same value.
"""

from __future__ import annotations

import json
import zlib
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

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        jobs = self.redis.zrevrange(self.INDEX, 0, limit - 1)
        metas = [self.meta(j.decode() if isinstance(j, bytes) else j) for j in jobs]
        return [m for m in metas if m]
