"""How CLI commands open the configured store: commands that only read (or that
need data to act on) refuse a data folder holding no store, rather than make an
empty one there and answer from it; commands that write (`load`, `keys create`,
`risk import`) make it.

Imported by `tiergraph --help`: the settings and the stores load when a command runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tiergraph.console import CliError

if TYPE_CHECKING:
    from graph.store import GraphStore
    from tiergraph.settings import Settings

STORE_FILE = "store.db"  # graph.sqlite_store.DB_FILE (not imported: --help stays light)
OLD_STORE_FILE = "store.json"  # graph.upgrade.JSON_FILE: converted on first open


def current_settings() -> Settings:
    from tiergraph.settings import Settings

    return Settings()


def check_store_exists(settings: Settings) -> None:
    """Refuse (exit 2, `no_store`) an embedded store's folder that holds no store."""
    if settings.store != "embedded":
        return  # a Neo4j database that does not answer is said when it is reached
    folder = settings.data_dir
    if folder.exists() and not folder.is_dir():
        return  # opening it says what is there (bad_path)
    if (folder / STORE_FILE).is_file() or (folder / OLD_STORE_FILE).is_file():
        return
    raise CliError(
        f"no tiergraph store at {folder}: load a network there first "
        f"(`TIERGRAPH_DATA_DIR={folder} tiergraph load FILES`; `tiergraph demo` makes a "
        "synthetic one in a folder of its own, whose path it prints), or set "
        "TIERGRAPH_DATA_DIR to the folder of your store",
        code="no_store",
        field="TIERGRAPH_DATA_DIR",
    )


def open_store(settings: Settings | None = None, *, create: bool = False) -> GraphStore:
    """The configured store; without `create`, only one that exists already."""
    from tiergraph.bootstrap import open_store as open_configured

    settings = settings or current_settings()
    if not create:
        check_store_exists(settings)
    return open_configured(settings)
