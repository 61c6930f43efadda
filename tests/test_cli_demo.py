"""`tiergraph demo` as a new user runs it: its JSON, the curl lines it prints run as
printed against the server started as it says, and the keys of earlier runs revoked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.served import wait_until_serving
from tests.test_cli import _closed_port
from tiergraph.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
CLI = f"{sys.executable} -m tiergraph.cli"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TIERGRAPH_STORE", "embedded")
    monkeypatch.setenv("TIERGRAPH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TIERGRAPH_API_PORT", raising=False)
    return tmp_path


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TIERGRAPH_")}
    return {**clean, "PYTHONPATH": str(ROOT)}


def shell(line: str) -> dict:
    done = subprocess.run(["bash", "-c", line], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def demo_json(*args: str) -> dict:
    result = runner.invoke(app, ["demo", "--nodes", "400", "--no-serve", *args, "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_printed_curl_lines_answer_and_earlier_keys_are_revoked(data_dir):
    port = _closed_port()
    first = demo_json("--port", str(port))
    folder = data_dir / ".tiergraph-demo"
    assert first["folder"] == str(folder) and first["loaded"] > 400
    assert first["revoked"] == [] and first["url"] == f"http://127.0.0.1:{port}/graphql"
    assert [k["record"]["role"] for k in first["keys"]] == ["sourcing", "analyst", "supplier"]
    assert first["serve"] == f"TIERGRAPH_DATA_DIR={folder} tiergraph serve --port {port}"
    members = {c["member"] for c in first["coverage"]}
    assert members == {a["member"] for a in first["audits"]} and "M-ACME" in members

    again = demo_json("--port", str(port))
    assert again["loaded"] is None  # its network reused
    assert sorted(again["revoked"]) == sorted(k["record"]["id"] for k in first["keys"])
    listed = json.loads(
        runner.invoke(
            app, ["keys", "list", "-f", "json"], env={"TIERGRAPH_DATA_DIR": str(folder)}
        ).stdout
    )["keys"]
    live = sorted(k["id"] for k in listed if k["revoked_at"] is None)
    assert live == sorted(k["record"]["id"] for k in again["keys"])  # the demo's only keys

    serve = again["serve"].replace("tiergraph serve", f"{CLI} serve")
    server = subprocess.Popen(["bash", "-c", serve], env=env(), cwd=data_dir,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", server)
        health, coverage = (shell(line) for line in again["curl"])
        assert health["data"]["health"] == "ok" and "errors" not in health
        tiers = coverage["data"]["tierCoverage"]
        requirement = next(c for c in again["coverage"] if c["member"] == "M-ACME")
        assert f'requirement: \\"{requirement["requirement"]}\\"' in again["curl"][1]
        assert tiers["depth"] == requirement["depth"]
        assert sum(t["reached"] for t in tiers["tiers"]) == requirement["reached"]
        old_key, new_key = first["keys"][0]["key"], again["keys"][0]["key"]
        refused = shell(again["curl"][1].replace(new_key, old_key))
        assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_table_says_how_to_serve_and_prints_ready_curl_lines(data_dir):
    result = runner.invoke(app, ["demo", "--nodes", "400", "--no-serve"])
    assert result.exit_code == 0, result.output
    folder = data_dir / ".tiergraph-demo"
    lines = result.stdout.splitlines()
    assert f"serve the demo's store: TIERGRAPH_DATA_DIR={folder} tiergraph serve" in lines
    curls = [line for line in lines if line.startswith("curl -s ")]
    assert len(curls) == 2 and all("Bearer tg_" in line for line in curls)


def test_demo_json_then_serving_keeps_stdout_one_json_document(data_dir):
    port = _closed_port()
    command = f"{CLI} demo --nodes 400 --port {port} -f json"
    process = subprocess.Popen(["bash", "-c", command], env={
        **env(), "TIERGRAPH_DATA_DIR": str(data_dir / "data")}, cwd=data_dir,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", process)
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    answer = json.loads(stdout)  # the JSON alone: the server's line went to stderr
    assert answer["serve"] is None and answer["url"] == f"http://127.0.0.1:{port}/graphql"
    assert f"tiergraph starting on http://127.0.0.1:{port}/graphql" in stderr
