"""Match before create (DOMAIN.md, "Matching organisations"): a new organisation
compared with the stored ones, through the store's port.

A shared identifier is looked up in the whole store (an LEI or a UML id names
one organisation worldwide); names are compared with the stored organisations of
the same country only, through a matching.StoredIndex kept per store and
country and brought up to date through the store's kept changes. Kept choices (confirmed or
rejected pairs) come from the store.
"""

from __future__ import annotations

import gc
import json
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import matching
from graph import model, read_scope, request_parts, whole_builds
from graph.store import GraphChange, GraphStore, MatchVerdict
from matching import DecisionKey, Match, StoredIndex, Thresholds
from matching.names import fold_abbreviation, name_key

# graph.model's identifier fields -> matching's identifier kinds
KIND_OF_FIELD = {"lei": "lei", "duns": "duns", "gln": "gln", "os_id": "os_id", "mill_id": "uml"}
FIELD_OF_KIND = {kind: name for name, kind in KIND_OF_FIELD.items()}


@cache
def configured_thresholds() -> Thresholds:
    """The thresholds of the settings (TIERGRAPH_MATCH_CANDIDATE, _AUTOMATIC, _MAX_KM,
    _SHARED_NAMES)."""
    from tiergraph.settings import Settings

    return Settings().match_thresholds()


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


def verdicts_ahead(supplier: dict[str, Any]) -> None:
    """Tell the mutation's pin (graph.read_scope.Pin) which kept choices its match will
    ask, from the input as given (before it is checked: the FORBIDDEN and NOT_FOUND of
    the caller's own organisation come first): a store may read them with its first
    read. Asked for another key once checked, the store reads that one then."""
    pin = read_scope.current_pin()
    name, country = supplier.get("name"), supplier.get("country")
    abbreviation = supplier.get("abbreviation")
    if pin is None or not isinstance(name, str) or not isinstance(country, str):
        return
    if abbreviation is not None and not isinstance(abbreviation, str):
        return
    key = DecisionKey(country.strip().upper(), name_key(name), fold_abbreviation(abbreviation))
    pin.ahead["match_verdicts"] = [(key.country, key.name, key.abbreviation)]


class StoreDecisions:
    """matching.Decisions read from the store (choices are written with the
    mutation that makes them, through GraphStore.apply)."""

    def __init__(self, store: GraphStore):
        self.store = store

    def verdicts(self, key: DecisionKey) -> Mapping[str, bool]:
        return self.store.match_verdicts(key.country, key.name, key.abbreviation)

    def record(self, key: DecisionKey, stored_id: str, same: bool) -> None:
        raise NotImplementedError("choices are kept by the mutation that makes them")


@dataclass(eq=False)
class _Kept:
    """One country's index, current at `version`; `lock` guards both bringing it up
    to date and matching against it."""

    version: str
    index: StoredIndex
    lock: threading.Lock = field(default_factory=threading.Lock)


_kept: weakref.WeakKeyDictionary[Any, dict[str, _Kept]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _build(store: GraphStore, country: str, version: str, reason: str) -> _Kept:
    with whole_builds.timed("matching index", reason, country):
        kept = _Kept(version, StoredIndex(facts_of(o) for o in store.match_candidates(country)))
    if gc.get_freeze_count():
        # A served process froze its start-up objects (api.app); a country's index
        # (hundreds of thousands of objects at 200,000 organisations, none in a cycle)
        # is as long-lived, and each full collection walked it again: on Neo4j 11.6%
        # of the write mix's samples, when a match re-enabled the collector.
        gc.collect()
        gc.freeze()
    return kept


def _catch_up(
    kept: _Kept,
    store: GraphStore,
    country: str,
    read: dict[str, list[GraphChange] | None],
) -> bool:
    """Take in the organisations written since the index was built, through the
    store's kept changes; False when they are not kept (rebuild instead). `read`:
    the changes already read since a version, by that version (filled in here)."""
    if kept.version not in read:
        read[kept.version] = store.changes_since(kept.version)
    changes = read[kept.version]
    if changes is None:
        return False
    index = kept.index
    for change in changes:
        for org in change.batch.organisations:
            if org.id in index.position:
                index.remove(org.id)
            if org.country == country:
                index.add(facts_of(org))
    if changes:
        kept.version = changes[-1].version
    return True


@contextmanager
def index_for(store: GraphStore, country: str) -> Iterator[StoredIndex]:
    """The stored organisations of `country`, indexed for matching, current for the
    store's graph version; held (one matcher per country at a time) while in use.
    Kept per store and country and brought up to date through the kept changes: the
    changes since the index's version are read with the current version (one read:
    on Neo4j a round trip less per registration than reading the version first)."""
    with _lock:
        by_country = _kept.setdefault(store, {})
        kept = by_country.get(country)
    if kept is None:
        kept = _build(store, country, store.graph_version(), "first")
        with _lock:
            kept = by_country.setdefault(country, kept)
    with kept.lock:
        read: dict[str, list[GraphChange] | None] = {}
        if not _catch_up(kept, store, country, read):
            fresh = _build(store, country, store.graph_version(), "changes not kept")
            kept.version, kept.index = fresh.version, fresh.index
            # Read at the newest version: in a mutation, what it reads besides the
            # index (Neo4j's row copy) is brought as far (Neo4jStore.changes_since).
            _catch_up(kept, store, country, read)
        _keep_up(store, by_country, kept.version, read)
        yield kept.index


def indexed(store: GraphStore, country: str, ident: str) -> bool:
    """Whether `ident` is a stored organisation of `country` as the kept index last
    saw it (memory only: no read)."""
    with _lock:
        kept = _kept.get(store, {}).get(country)
    return kept is not None and ident in kept.index.position


def _keep_up(
    store: GraphStore,
    by_country: dict[str, _Kept],
    version: str,
    read: dict[str, list[GraphChange] | None],
) -> None:
    """The other countries' indexes brought to `version` too, through the changes
    read once: one left behind by more than the store keeps (CHANGES_KEPT writes)
    would be built again, 0.6-4 s at 200,000 organisations (GIL held: every request
    of the process waits). One in use elsewhere is left to its user."""
    with _lock:
        others = list(by_country.items())
    for country, kept in others:
        if kept.version == version or not kept.lock.acquire(blocking=False):
            continue
        try:
            _catch_up(kept, store, country, read)  # False: rebuilt when next used
        finally:
            kept.lock.release()


def keep_up(store: GraphStore, version: str) -> None:
    """Every index kept for the store brought to `version` (its current one) through
    the kept changes, read once (mutations.keeper, between requests)."""
    with _lock:
        by_country = _kept.get(store)
    if by_country:
        _keep_up(store, by_country, version, {})


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
    thresholds = thresholds or configured_thresholds()
    holders = held_by(store, org)
    if holders:
        return by_identifier(store, org, holders, thresholds)
    with index_for(store, org.country) as index, request_parts.timing("match"):
        return matching.match(org, index, thresholds=thresholds, decisions=StoreDecisions(store))


def by_identifier(
    store: GraphStore, org: matching.Organisation, holders: Iterable[str], thresholds: Thresholds
) -> Match:
    """The first rule for a new organisation whose identifiers stored organisations
    hold (`holders`, from store.holders): matching.identified, each holder scored
    and compared with it."""
    wanted = sorted(set(holders))
    held = store.organisations(wanted)
    if len(held) < len(wanted):
        # A holder committed by a racing registration after this plan began: the
        # holders' read saw it, Neo4j's row copy (brought to the plan's start) not yet.
        # Read from the store itself (it raised INTERNAL: an empty list of holders).
        held = store.stored_rows("organisations", wanted)
    return matching.identified([matching.compared(org, facts_of(h), thresholds) for h in held])
