"""The embedded Neo4j of scripts/neo4j, started from Python on a Neo4j home.

scripts/services.sh runs the long-lived one for tests and local use; this is
for a short-lived server on a home of one's own: the import tests and
bench/load.py open the database the importer has just built.
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

from neo4j import GraphDatabase

from graph.neo4j_import import LAUNCHER_DIR


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EmbeddedNeo4j:
    """`with EmbeddedNeo4j(home) as neo4j:` a server answering at `neo4j.uri`."""

    def __init__(self, home: Path, heap: str = "1g", pagecache: str = "512m", timeout: float = 120):
        self.home, self.heap, self.pagecache, self.timeout = home, heap, pagecache, timeout
        self.port = free_port()
        self.uri = f"bolt://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_in = 0.0

    def __enter__(self) -> EmbeddedNeo4j:
        classpath = f"{LAUNCHER_DIR / 'classes'}:{LAUNCHER_DIR / 'lib'}/*"
        log = (self.home / "launcher.log").open("wb")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            ["java", f"-Xmx{self.heap}", "-cp", classpath, "dev.tiergraph.Launcher"]
            + ["--port", str(self.port), "--data-dir", str(self.home)]
            + ["--pagecache", self.pagecache],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = t0 + self.timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"neo4j exited during start-up: see {log.name}")
            try:
                with GraphDatabase.driver(self.uri, auth=None) as driver:
                    driver.verify_connectivity()  # fails at once (execute_query would retry)
                self.started_in = time.perf_counter() - t0
                return self
            except Exception:
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"neo4j did not answer on {self.uri} in {self.timeout} s")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
