"""Settings, read from TIERGRAPH_* environment variables (listed in README)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIERGRAPH_", extra="ignore")

    store: Literal["memory", "neo4j"] = "memory"
    data_dir: Path = Path(".tiergraph")
    # Where a process keeps the cascade's projection for the next process to start
    # from (docs/cascade.md, "The projection cache"); None: <data_dir>/cache.
    cache_dir: Path | None = None
    neo4j_uri: str = "bolt://localhost:7687"
    neo4j_user: str | None = None
    neo4j_password: str | None = None
    neo4j_database: str | None = None
    redis_url: str = "redis://localhost:6379/0"
    # Seconds before Redis hands an unacknowledged task to another worker
    # (after a worker died mid-step). Longer than any one step may take.
    visibility_timeout: int = 600
    # Seconds a worker pauses before each cascade step, to throttle jobs on a
    # busy database (0: none).
    cascade_step_pause: float = 0.0
    api_host: str = "127.0.0.1"
    api_port: int = 8000
