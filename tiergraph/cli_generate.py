"""`tiergraph generate`: a synthetic network in the load formats, into a folder that
holds no earlier generated files (unless --force)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from tiergraph.console import (
    CliError,
    Format,
    FormatOpt,
    emit_json,
    out,
    print_counts,
    progress_bar,
)

BUNDLE = "network.json"  # --json's one file


class Profile(StrEnum):
    """The generator's network shapes (loaders/generate.py PROFILES)."""

    tiers = "tiers"
    brands = "brands"


def generated_names() -> list[str]:
    """Every file name `generate` may write: each kind's CSV, and the JSON bundle."""
    from graph.model import BATCH_FIELDS
    from loaders.validate import BESIDE_BATCH

    return [f"{kind}.csv" for kind in (*BATCH_FIELDS, *BESIDE_BATCH)] + [BUNDLE]


def check_free(out_dir: Path, force: bool) -> list[Path]:
    """The generated files already in `out_dir`; refused (exit 2, `files_exist`)
    unless `force`, which replaces them all (none is left from an earlier network)."""
    found = [out_dir / name for name in generated_names() if (out_dir / name).is_file()]
    if found and not force:
        names = ", ".join(path.name for path in found)
        raise CliError(
            f"{out_dir} holds files generate writes ({names}): pick another folder, or "
            "pass --force to replace them (every generated file there is replaced)",
            code="files_exist",
            field="--force",
        )
    return found


def generate(
    out_dir: Annotated[Path, typer.Argument(help="folder to write the files into")],
    nodes: Annotated[int, typer.Option(help="about how many organisations", min=1)] = 5000,
    members: Annotated[
        int | None,
        typer.Option(help="how many member brands (default: 5 for tiers, 15 for brands)", min=1),
    ] = None,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same network)")] = 42,
    as_json: Annotated[
        bool, typer.Option("--json", help="one JSON bundle instead of CSVs")
    ] = False,
    profile: Annotated[
        Profile,
        typer.Option(
            help="tiers: members' chains down to smallholders; brands: few members each "
            "listing hundreds to thousands of shared mills (docs/formats.md)"
        ),
    ] = Profile.tiers,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="replace the generated files already in the folder (default: refuse)"
        ),
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Write a realistic synthetic network in the load formats."""
    from loaders import beside
    from loaders.generate import REFERENCE_DAY
    from loaders.generate import generate as make
    from loaders.writers import write_csv_dir, write_json_bundle

    earlier = check_free(out_dir, force)
    try:
        batch = make(nodes=nodes, members=members, seed=seed, profile=profile.value)
    except ValueError as exc:  # the generator's own limits (e.g. nodes for the members)
        raise CliError(str(exc), code="bad_parameter", field="--nodes") from None
    kept = beside.generated(batch, seed=seed, today=REFERENCE_DAY)
    rows = kept.rows()
    for path in earlier:  # an earlier network's files would be loaded with this one
        path.unlink()
    with progress_bar(fmt == Format.table) as progress:
        task = progress.add_task("writing files", total=len(batch))

        def advance(_kind: str, n: int) -> None:
            progress.advance(task, n)

        if as_json:
            bundle = out_dir / BUNDLE
            files = [write_json_bundle(batch, bundle, progress=advance, beside=rows)]
        else:
            files = write_csv_dir(batch, out_dir, progress=advance)
            files += beside.write_csv(kept, out_dir)
    counts = {name: len(rows) for name, rows in _fields(batch)}
    counts |= {kind: len(kind_rows) for kind, kind_rows in rows.items()}
    if fmt == Format.json:
        emit_json({"files": [str(f) for f in files], "rows": counts})
    else:
        print_counts(counts, "rows")
        out.print(f"wrote {len(files)} file(s) to {out_dir}")


def _fields(batch: Any) -> list[tuple[str, list]]:
    from graph.model import BATCH_FIELDS

    return [(name, getattr(batch, name)) for name in BATCH_FIELDS]
