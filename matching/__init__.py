"""Matching organisations before they are created: names folded and scored,
identifiers checked, conflicts that rule out an automatic match (docs/matching.md).

Domain code: it imports neither neo4j nor strawberry nor celery."""

from matching.decisions import DecisionKey, Decisions, MemoryDecisions
from matching.match import StoredIndex, compared, identified, match, match_many
from matching.model import Candidate, Conflict, Match, Organisation, Thresholds

__all__ = [
    "Candidate",
    "Conflict",
    "DecisionKey",
    "Decisions",
    "Match",
    "MemoryDecisions",
    "Organisation",
    "StoredIndex",
    "Thresholds",
    "compared",
    "identified",
    "match",
    "match_many",
]
