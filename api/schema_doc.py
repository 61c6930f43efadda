"""The schema as SDL in docs/schema.graphql, for readers and client generators.

python -m api.schema_doc           # rewrite docs/schema.graphql
python -m api.schema_doc --check   # exit 1 when it is out of date (CI, tests)
"""

from __future__ import annotations

import sys
from pathlib import Path

from strawberry.printer import print_schema

from api.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "docs" / "schema.graphql"
HEADER = "# The tiergraph GraphQL schema. Written by `python -m api.schema_doc`; do not edit.\n\n"


def schema_sdl() -> str:
    return HEADER + print_schema(schema) + "\n"


def main(argv: list[str]) -> int:
    wanted = schema_sdl()
    current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else None
    if "--check" in argv:
        if current != wanted:
            print(f"{SCHEMA_FILE} is out of date: run python -m api.schema_doc", file=sys.stderr)
            return 1
        return 0
    SCHEMA_FILE.write_text(wanted, encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
