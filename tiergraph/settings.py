"""Settings, read from TIERGRAPH_* environment variables (listed in README)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

if TYPE_CHECKING:
    from matching import Thresholds


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIERGRAPH_", extra="ignore")

    store: Literal["embedded", "neo4j"] = "embedded"
    data_dir: Path = Path(".tiergraph")
    # Where a process keeps the cascade's projection for the next process to start
    # from (docs/cascade.md, "The projection cache"); None: <data_dir>/cache.
    cache_dir: Path | None = None
    neo4j_uri: str = "bolt://localhost:7687"
    neo4j_user: str | None = None
    neo4j_password: str | None = None
    neo4j_database: str | None = None
    redis_url: str = "redis://localhost:6379/0"
    # Neo4j: writers set a token in Redis after each write; a read-only API request
    # checks it (a Redis GET) and reads the graph version from Neo4j only when it
    # moved, or when the version it holds was read `neo4j_version_recheck_seconds`
    # ago or more (writes made outside tiergraph show up within that). False: a Bolt
    # read per request (docs/api.md, "Consistency of reads").
    neo4j_version_board: bool = True
    neo4j_version_recheck_seconds: float = 1.0
    # Seconds before Redis hands an unacknowledged task to another worker
    # (after a worker died mid-step). Longer than any one step may take.
    visibility_timeout: int = 600
    # Seconds a worker pauses before each cascade step, to throttle jobs on a
    # busy database (0: none).
    cascade_step_pause: float = 0.0
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # Server processes `tiergraph serve` runs on one port (uvicorn's workers); each
    # keeps its own projection, rate buckets and key cache.
    api_workers: int = 1
    # Requests one keep-alive HTTP connection may make before the server closes it
    # and the client reconnects, so that connections spread over the server's
    # processes again (api.spreading; 0: no limit).
    api_keepalive_requests: int = 100
    # A line per request on the server's log (uvicorn's access log).
    api_access_log: bool = False
    # Requests per second each API key may make, and how many it may make at once
    # after a pause (a token bucket per key, counted in each server process).
    api_rate_per_second: float = 10.0
    api_rate_burst: int = 30
    # Seconds a server process trusts a key it found valid before reading its record
    # again: a revoked key is refused at most this long after `keys revoke` (0: at once).
    api_key_cache_seconds: float = 2.0
    # Whether GraphQL introspection (__schema, __type) is answered.
    api_introspection: bool = False
    # Browser origins allowed to call the API (CORS); none by default.
    api_cors_origins: Annotated[list[str], NoDecode] = []
    # Matching before create (docs/matching.md): name scores from `match_candidate`
    # up are offered for a person to choose; from `match_automatic` up, with no
    # conflict, it is the stored organisation. Sites further apart than
    # `match_max_km` are different organisations.
    match_candidate: float = 0.5
    match_automatic: float = 0.8
    match_max_km: float = 2.0
    # A name several stored organisations share: `never` matched automatically
    # (DOMAIN.md), or taken when an equal abbreviation or a location within
    # `match_max_km` singles one holder out (`singled-out`).
    match_shared_names: Literal["never", "singled-out"] = "never"
    # Exports (docs/exports.md): where finished files are kept (None: `exports` beside
    # the embedded store's file, or <data_dir>/exports with Neo4j, a folder the API
    # and the Celery workers must share), and for how long after they are finished
    # they can be downloaded (then they are deleted and answer 404).
    export_dir: Path | None = None
    export_ttl_seconds: float = 24 * 3600.0
    # Network risk (docs/risk.md): a TOML or JSON file of component weights and the
    # upstream decay (None: the documented defaults), and a TOML file of commodity ->
    # ILAB good aliases replacing the shipped risk/commodities.toml.
    risk_weights: Path | None = None
    risk_commodities: Path | None = None

    def match_thresholds(
        self, candidate: float | None = None, automatic: float | None = None
    ) -> Thresholds:
        """matching's thresholds of these settings, with a command's --candidate and
        --automatic on top (ValueError when they are out of order or range)."""
        from matching import Thresholds

        return Thresholds(
            self.match_candidate if candidate is None else candidate,
            self.match_automatic if automatic is None else automatic,
            self.match_max_km,
            self.match_shared_names == "never",
        )

    @field_validator("store", mode="before")
    @classmethod
    def _old_store_name(cls, value: object) -> object:
        """`memory` was the embedded store's name before it moved to SQLite."""
        return "embedded" if value == "memory" else value

    @field_validator("api_cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """`https://a.example,https://b.example` in the environment."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator(
        "api_rate_per_second", "api_rate_burst", "api_key_cache_seconds", "api_keepalive_requests"
    )
    @classmethod
    def _not_negative(cls, value: float) -> float:
        if value < 0:
            raise ValueError("must be 0 (no limit) or more")
        return value

    @field_validator("export_ttl_seconds", "neo4j_version_recheck_seconds")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be more than 0 seconds")
        return value

    @field_validator("api_workers")
    @classmethod
    def _at_least_one(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be 1 or more")
        return value
