"""`tiergraph serve` logs a line per request only when asked (--access-log or
TIERGRAPH_API_ACCESS_LOG): the line cost 15% of a read's CPU. The server runs in
its own process; what it wrote is read back."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from graph.sqlite_store import SqliteStore
from tests.served import ROOT, wait_until_serving
from tests.test_cli import _closed_port
from tests.views.forum import forum


@pytest.mark.parametrize(
    ("flag", "setting", "logged"),
    [
        (None, None, False),
        ("--access-log", None, True),
        (None, "true", True),
        ("--no-access-log", "true", False),
    ],
)
def test_a_line_per_request_only_when_asked(tmp_path, flag, setting, logged):
    data = tmp_path / "data"
    store = SqliteStore(data)
    store.write(forum())
    store.close()
    port = _closed_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERGRAPH_")}
    env.update(PYTHONPATH=str(ROOT), TIERGRAPH_STORE="embedded", TIERGRAPH_DATA_DIR=str(data))
    if setting is not None:
        env["TIERGRAPH_API_ACCESS_LOG"] = setting
    cli = [sys.executable, "-c", "from tiergraph.cli import main; main()", "serve"]
    log = tmp_path / "serve.log"
    with log.open("wb") as written:
        process = subprocess.Popen(
            [*cli, "--port", str(port), *([flag] if flag else [])],
            env=env,
            cwd=data,
            stdout=written,  # uvicorn's access log goes to stdout, its own log to stderr
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_serving(url, process)
            assert httpx.get(f"{url}/health?probe=1").status_code == 200
        finally:
            process.terminate()
            process.wait(timeout=30)
    text = log.read_text()
    assert "Application startup complete" in text  # the server's own log is kept
    assert ('"GET /health?probe=1 HTTP/1.1" 200' in text) == logged, text
