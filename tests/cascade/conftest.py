"""Every cascade test keeps its projection cache in its own folder (not the
working directory's .tiergraph/cache)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def projection_cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "projection-cache"
    monkeypatch.setenv("TIERGRAPH_CACHE_DIR", str(folder))
    return folder
