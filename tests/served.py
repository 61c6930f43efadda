"""`tiergraph serve` in a process of its own on an embedded data folder, for the
tests that are about HTTP: yields the server's URL once /health answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.test_cli import _closed_port

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def serving(data: Path, quiet: bool = False, **settings: str) -> Iterator[str]:
    """`settings` are TIERGRAPH_* settings by their lower-case names (api_rate_per_second=...)."""
    port = _closed_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("TIERGRAPH_")}
    env.update(PYTHONPATH=str(ROOT), TIERGRAPH_STORE="embedded", TIERGRAPH_DATA_DIR=str(data))
    env.update({f"TIERGRAPH_{name.upper()}": value for name, value in settings.items()})
    cli = [sys.executable, "-c", "from tiergraph.cli import main; main()"]
    process = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        env=env,
        cwd=data,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL if quiet else None,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_serving(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    """Until `url`/health answers 200; fails when the process ends or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline and process.poll() is None, "serve did not start"
        time.sleep(0.2)
