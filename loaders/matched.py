"""What matching decided for the organisation rows of a load, as the command
reports it: each row's decision, its candidates, and the questions for a person."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from graph.model import Organisation
from graph.store import MatchVerdict
from loaders.read import Problem, RawRow
from matching import Candidate, DecisionKey, Match

CANDIDATES_NAMED = 3  # in a problem's line; `tiergraph match` lists every candidate


@dataclass
class RowMatch:
    """One organisation row of the files, and what matching decided for it."""

    raw: RawRow
    org: Organisation
    key: DecisionKey
    match: Match
    choice: str | None = None  # the option that named this row: confirm, reject, create
    namesakes: list[str] = field(default_factory=list)  # other rows' ids with the same key

    @property
    def decided(self) -> bool:
        return self.match.decision in ("existing", "new")


@dataclass
class MatchResult:
    rows: list[RowMatch] = field(default_factory=list)  # in the files' order
    stored: dict[str, Organisation] = field(default_factory=dict)  # the organisations named
    verdicts: tuple[MatchVerdict, ...] = ()  # the person's choices, to keep
    kept: bool = False  # whether `verdicts` were kept
    not_kept: str | None = None  # why they were not, when keeping them failed
    already_stored: int = 0  # rows whose id is stored: loaded as they are, not matched
    bad_rows: list[Problem] = field(default_factory=list)  # rows not matched: unparsed, twice

    def remap(self) -> dict[str, str]:
        """File id -> the stored organisation it is."""
        return {
            r.org.id: r.match.organisation
            for r in self.rows
            if r.match.decision == "existing" and r.match.organisation
        }

    def undecided(self) -> list[RowMatch]:
        return [r for r in self.rows if not r.decided]

    def counts(self) -> dict[str, int]:
        found = Counter(r.match.decision for r in self.rows)
        counts = {d: found.get(d, 0) for d in ("existing", "choose", "conflict", "new")}
        return {**counts, "stored": self.already_stored}

    def problems(self) -> list[Problem]:
        """One per row that a person must decide, naming its candidates."""
        return [r.raw.problem("id", self.question(r)) for r in self.undecided()]

    def question(self, row: RowMatch) -> str:
        named = "; ".join(self.describe(c) for c in row.match.candidates[:CANDIDATES_NAMED])
        if (more := len(row.match.candidates) - CANDIDATES_NAMED) > 0:
            named += f"; and {more} more (`tiergraph match` lists them)"
        me = f"{row.org.id!r} ({row.org.name}, {row.org.country})"
        if row.match.decision == "conflict":
            return (
                f"{me}: its identifiers are held by several stored organisations: {named}. "
                f"Take one with --confirm {row.org.id}=STORED_ID, or correct the file or the "
                "stored data"
            )
        return (
            f"{me} may be a stored organisation ({row.match.reason}): {named}. Decide with "
            f"--confirm {row.org.id}=STORED_ID, or --create {row.org.id}=REASON to create it anyway"
        )

    def describe(self, candidate: Candidate) -> str:
        org = self.stored.get(candidate.id)
        what = f" ({org.name}, {org.country})" if org else ""
        conflicts = f", conflicts: {', '.join(candidate.conflicts)}" if candidate.conflicts else ""
        return f"{candidate.id!r}{what} score {candidate.score:.2f}{conflicts}"

    def row_dict(self, row: RowMatch) -> dict[str, Any]:
        return {
            "file": row.raw.file,
            "line": row.raw.line,
            "id": row.org.id,
            "name": row.org.name,
            "country": row.org.country,
            "decision": row.match.decision,
            "organisation": row.match.organisation,
            "reason": row.match.reason,
            "choice": row.choice,
            "candidates": [self.candidate_dict(c) for c in row.match.candidates],
            "namesakes": row.namesakes,
        }

    def candidate_dict(self, candidate: Candidate) -> dict[str, Any]:
        org = self.stored.get(candidate.id)
        return {
            "id": candidate.id,
            "name": org.name if org else None,
            "country": org.country if org else None,
            "kind": org.kind.value if org else None,
            "score": candidate.score,
            "conflicts": [c.value for c in candidate.conflicts],
        }

    def verdict_dicts(self) -> list[dict[str, Any]]:
        file_id: dict[DecisionKey, str] = {}
        for r in self.rows:
            file_id.setdefault(r.key, r.org.id)
        return [
            {
                "id": file_id.get(DecisionKey(v.country, v.name, v.abbreviation)),
                "organisation": v.stored_id,
                "same": v.same,
            }
            for v in self.verdicts
        ]

    def as_dict(self, *, new_rows: bool = True) -> dict[str, Any]:
        """The stable `--format json` shape (docs/cli.md); without `new_rows`, the
        rows found new (and named by no choice) are only counted."""
        shown = [r for r in self.rows if new_rows or r.match.decision != "new" or r.choice]
        return {
            "counts": self.counts(),
            "organisations": [self.row_dict(r) for r in shown],
            "verdicts": self.verdict_dicts(),
            "kept": self.kept,
            "not_kept": self.not_kept,
        }
