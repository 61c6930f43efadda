"""What matching takes and answers: organisations, thresholds, candidates, the match."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


@dataclass(frozen=True)
class Organisation:
    """An organisation as matching sees it. Stored ones carry their `id`; a new one
    has none. `identifiers` maps a kind (matching.identifiers.KINDS) to its value,
    already checked. `country` is the ISO 3166 alpha-2 code."""

    name: str
    country: str
    identifiers: Mapping[str, str] = field(default_factory=dict)
    abbreviation: str | None = None
    lat: float | None = None
    lon: float | None = None
    id: str | None = None


@dataclass(frozen=True)
class Thresholds:
    """Name scores (0-1): at or above `automatic` with no conflict, the existing
    organisation; from `candidate` up, offered for a person to choose. Also the
    other settings of a match (the distance that makes two sites, the shared-name rule)."""

    candidate: float = 0.5
    automatic: float = 0.8
    max_distance_km: float = 2.0  # two sites further apart are two organisations
    # A name several stored organisations share: never matched automatically (True,
    # DOMAIN.md's rule), or taken when an equal abbreviation or a location within
    # max_distance_km singles one out (False; TIERGRAPH_MATCH_SHARED_NAMES=singled-out).
    strict_shared_names: bool = True

    def __post_init__(self) -> None:
        if not 0.0 < self.candidate <= self.automatic <= 1.0:
            raise ValueError(
                f"thresholds: need 0 < candidate ({self.candidate}) <= automatic "
                f"({self.automatic}) <= 1"
            )
        if self.max_distance_km <= 0:
            raise ValueError(f"thresholds: max_distance_km {self.max_distance_km} must be > 0")


class Conflict(StrEnum):
    """Why a pair may not be matched automatically (it may still be offered)."""

    IDENTIFIER = "identifier"  # the same kind of identifier with different values
    ABBREVIATION = "abbreviation"  # both have an abbreviation and they differ
    NUMBERS = "numbers"  # the numbers or numerals in the names differ
    LOCATION = "location"  # more than max_distance_km apart
    SHARED_NAME = "shared_name"  # several stored organisations fold to this name
    AMBIGUOUS = "ambiguous"  # another stored organisation scores as high without conflict
    IDENTIFIERS_SPLIT = "identifiers_split"  # the candidate's identifiers name several


class Candidate(tuple[str, float, tuple[Conflict, ...]]):
    """(stored id, name score 0-1, conflicts): one organisation offered."""

    __slots__ = ()

    def __new__(cls, id: str, score: float, conflicts: tuple[Conflict, ...] = ()) -> Candidate:
        return super().__new__(cls, (id, score, conflicts))

    @property
    def id(self) -> str:
        return self[0]

    @property
    def score(self) -> float:
        return self[1]

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        return self[2]


Decision = Literal["existing", "choose", "new", "conflict"]


@dataclass(frozen=True)
class Match:
    """The answer for one organisation. `existing`: it is `organisation`. `choose`: a
    person picks among `candidates` (or creates anyway). `new`: nothing close.
    `conflict`: its identifiers name several stored organisations (`candidates`)."""

    decision: Decision
    organisation: str | None
    candidates: tuple[Candidate, ...] = ()
    reason: str = ""
