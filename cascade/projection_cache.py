"""A projection kept on disk between processes, so that a new process starts warm.

One file per database, `projection-<database id>.npz`, in the cache folder
(TIERGRAPH_CACHE_DIR, default `<data_dir>/cache`): every array of the projection,
uncompressed, plus a JSON header (format, database id, graph version, the names
that key its dicts). No pickle: it is read with `allow_pickle=False`, str arrays
are numpy unicode. Written to a temporary file in the same folder, then renamed
over the old one, so a reader sees the old file or the new one, never half of one.

A file is only ever a starting point: `cascade.projection.current` takes it when
its database id is the store's, and its graph version the store's or one the
store's kept changes lead on from. Anything else (another format, another
database, a version too old, a file that does not read) is ignored and rebuilt.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import zipfile
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np

from cascade.projection import Audits, Projection

log = logging.getLogger(__name__)
# bump when the arrays or the header change meaning (2: stable positions; 3: no
# `passed`, made from pass_pairs when asked)
FORMAT = 3
HEADER = "header"  # the npz entry holding the JSON header
FILES_KEPT = 4  # other databases' files beyond the newest few are removed on save
_PROJECTION_ARRAYS = ("ids", "order", "kind", "indptr", "indices")
_PER_REQUIREMENT = ("pass_pairs", "adopters")


def default_folder() -> Path:
    """The configured folder, read when asked (not at import time)."""
    from tiergraph.settings import Settings

    settings = Settings()
    return settings.cache_dir or settings.data_dir / "cache"


def path_for(folder: Path, database_id: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in database_id)
    return folder / f"projection-{safe}.npz"


def save(folder: Path, database_id: str, projection: Projection) -> Path:
    """Write the projection's file atomically; returns its path."""
    arrays: dict[str, np.ndarray] = {n: getattr(projection, n) for n in _PROJECTION_ARRAYS}
    requirements = sorted({*projection.pass_pairs, *projection.adopters})
    for name in _PER_REQUIREMENT:
        table = getattr(projection, name)
        for i, r in enumerate(requirements):
            if r in table:
                arrays[f"{name}/{i}"] = table[r]
    audits = projection.audits
    for f in fields(Audits):
        if f.name != "schemes":
            arrays[f"audits/{f.name}"] = getattr(audits, f.name)
    header = {
        "format": FORMAT,
        "database_id": database_id,
        "version": projection.version,
        "numbering": projection.numbering,
        "requirements": requirements,
        "schemes": list(audits.schemes),
    }
    arrays[HEADER] = np.array(json.dumps(header))
    folder.mkdir(parents=True, exist_ok=True)
    target = path_for(folder, database_id)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".projection-", suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, allow_pickle=False, **arrays)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _prune(folder, keep=target)
    return target


def load(folder: Path, database_id: str) -> Projection | None:
    """The projection saved for this database, at the version it was saved at; None
    when there is none, or it is of another format or database, or does not read."""
    path = path_for(folder, database_id)
    if not path.exists():
        return None
    try:
        return _read(path, database_id)
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError) as exc:
        log.warning("ignoring the projection cache %s (%s): rebuilding", path, exc)
        return None


def _read(path: Path, database_id: str) -> Projection | None:
    with np.load(path, allow_pickle=False) as npz:
        header = json.loads(str(npz[HEADER][()]))
        if header.get("format") != FORMAT or header.get("database_id") != database_id:
            log.warning("ignoring the projection cache %s: another format or database", path)
            return None
        requirements: list[str] = header["requirements"]
        names = set(npz.files)
        tables: dict[str, dict[str, np.ndarray]] = {n: {} for n in _PER_REQUIREMENT}
        for name in _PER_REQUIREMENT:
            for i, r in enumerate(requirements):
                if f"{name}/{i}" in names:
                    tables[name][r] = npz[f"{name}/{i}"]
        audit_columns: dict[str, Any] = {
            f.name: npz[f"audits/{f.name}"] for f in fields(Audits) if f.name != "schemes"
        }
        projection = Projection(
            version=str(header["version"]),
            numbering=str(header["numbering"]),
            **{("id_order" if n == "order" else n): npz[n] for n in _PROJECTION_ARRAYS},
            pass_pairs=tables["pass_pairs"],
            adopters=tables["adopters"],
            audits=Audits(schemes=list(header["schemes"]), **audit_columns),
        )
    _check_shapes(projection)
    return projection


def _check_shapes(p: Projection) -> None:
    """A file that reads but does not hang together (written by a bug, edited by
    hand) is refused here rather than failing a cascade later."""
    n = p.size
    if p.ids.dtype.kind != "U" or p.indptr.dtype.kind != "i" or p.indices.dtype.kind != "i":
        raise ValueError("organisation or edge arrays of the wrong type")
    if len(p.kind) != n or len(p.indptr) not in (n + 1, 2) or int(p.indptr[-1]) != len(p.indices):
        raise ValueError("organisation and edge arrays do not fit together")
    if len(p.indices) and (int(p.indices.max()) >= max(n, 1) or int(p.indices.min()) < 0):
        raise ValueError("an edge leads outside the organisations")
    if p.order.dtype != np.intp or len(p.order) != n:
        raise ValueError("the id order does not fit the organisations")
    if n and (int(p.order.min()) < 0 or int(p.order.max()) >= n):
        raise ValueError("the id order leads outside the organisations")
    by_id = p.ids[p.order]
    if n > 1 and not bool(np.all(by_id[1:] > by_id[:-1])):
        raise ValueError("organisation ids are not sorted and distinct by their order")
    a = p.audits
    if any(len(getattr(a, c)) != len(a.ids) for c in ("organisation", "scheme", "start", "until")):
        raise ValueError("audit columns differ in length")


def _prune(folder: Path, keep: Path) -> None:
    """Keep the newest FILES_KEPT files (a folder shared by several databases, or by
    test runs that each make one, stays small)."""

    def age(f: Path) -> float:
        try:
            return f.stat().st_mtime
        except OSError:  # removed meanwhile by another process
            return 0.0

    files = sorted(folder.glob("projection-*.npz"), key=age, reverse=True)
    for old in [f for f in files if f != keep][FILES_KEPT - 1 :]:
        old.unlink(missing_ok=True)
