"""Match before create (DOMAIN.md, "Matching organisations"): a new organisation
compared with the stored ones, through the store's port.

A shared identifier is looked up in the whole store (an LEI or a UML id names
one organisation worldwide); names are compared with the stored organisations of
the same country only, through a matching.StoredIndex kept per store and
country and rebuilt when the graph has changed. Kept choices (confirmed or
rejected pairs) come from the store.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import matching
from graph import model
from graph.store import GraphStore, MatchVerdict
from matching import Candidate, Conflict, DecisionKey, Match, StoredIndex, Thresholds

# graph.model's identifier fields -> matching's identifier kinds
KIND_OF_FIELD = {"lei": "lei", "duns": "duns", "gln": "gln", "os_id": "os_id", "mill_id": "uml"}
FIELD_OF_KIND = {kind: name for name, kind in KIND_OF_FIELD.items()}


@cache
def configured_thresholds() -> Thresholds:
    """The thresholds of the settings (TIERGRAPH_MATCH_CANDIDATE, _AUTOMATIC, _MAX_KM)."""
    from tiergraph.settings import Settings

    s = Settings()
    return Thresholds(s.match_candidate, s.match_automatic, s.match_max_km)


def identifiers_of(org: model.Organisation) -> dict[str, str]:
    """matching's {kind: value} of a model organisation's identifiers."""
    return {
        kind: value
        for name, kind in KIND_OF_FIELD.items()
        if (value := getattr(org, name)) is not None
    }


def facts_of(org: model.Organisation, *, stored: bool = True) -> matching.Organisation:
    return matching.Organisation(
        name=org.name,
        country=org.country,
        identifiers=identifiers_of(org),
        abbreviation=org.abbreviation,
        lat=org.lat,
        lon=org.lon,
        id=org.id if stored else None,
    )


def decision_key(org: matching.Organisation) -> DecisionKey:
    return DecisionKey.of(org)


# The largest key a choice is kept under (UTF-8 bytes of its country, folded name and
# folded abbreviation): Neo4j indexes it with the stored id in one entry of about 8 KB.
# Folding can grow a name (NFKD writes U+FDFA as 18 letters).
KEY_BYTES = 6000


def key_bytes(key: DecisionKey) -> int:
    return len(json.dumps([key.country, key.name, key.abbreviation], ensure_ascii=False).encode())


def verdict(key: DecisionKey, stored_id: str, same: bool) -> MatchVerdict:
    return MatchVerdict(key.country, key.name, key.abbreviation, stored_id, same)


class StoreDecisions:
    """matching.Decisions read from the store (choices are written with the
    mutation that makes them, through GraphStore.apply)."""

    def __init__(self, store: GraphStore):
        self.store = store

    def verdicts(self, key: DecisionKey) -> Mapping[str, bool]:
        return self.store.match_verdicts(key.country, key.name, key.abbreviation)

    def record(self, key: DecisionKey, stored_id: str, same: bool) -> None:
        raise NotImplementedError("choices are kept by the mutation that makes them")


@dataclass
class _Indexes:
    version: str
    by_country: dict[str, StoredIndex]


_kept: weakref.WeakKeyDictionary[Any, _Indexes] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def index_for(store: GraphStore, country: str) -> StoredIndex:
    """The stored organisations of `country`, indexed for matching, for the
    store's current graph version."""
    version = store.graph_version()
    with _lock:
        kept = _kept.get(store)
        if kept is None or kept.version != version:
            kept = _kept[store] = _Indexes(version, {})
        index = kept.by_country.get(country)
    if index is None:
        index = StoredIndex(facts_of(o) for o in store.match_candidates(country))
        with _lock:
            if kept.version == version:
                kept.by_country[country] = index
    return index


def indexes_for(store: GraphStore, countries: Iterable[str]) -> StoredIndex:
    """One index over the stored organisations of several countries (a file's)."""
    return StoredIndex(
        facts_of(o) for country in sorted(set(countries)) for o in store.match_candidates(country)
    )


def held_by(store: GraphStore, org: matching.Organisation) -> list[str]:
    """The stored organisations holding any of `org`'s identifiers, sorted."""
    pairs = [(FIELD_OF_KIND[kind], value) for kind, value in org.identifiers.items()]
    return sorted(set(store.holders(pairs).values())) if pairs else []


def match_one(
    store: GraphStore, org: matching.Organisation, thresholds: Thresholds | None = None
) -> Match:
    """The decision for one new organisation (registerSupplier's case)."""
    holders = held_by(store, org)
    if len(holders) > 1:
        split = tuple(Candidate(h, 0.0, (Conflict.IDENTIFIERS_SPLIT,)) for h in holders)
        return Match("conflict", None, split, "its identifiers name several stored organisations")
    if holders:
        return Match("existing", holders[0], (Candidate(holders[0], 1.0),), "shared identifier")
    return matching.match(
        org,
        index_for(store, org.country),
        thresholds=thresholds or configured_thresholds(),
        decisions=StoreDecisions(store),
    )
