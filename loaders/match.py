"""`tiergraph match` and `tiergraph load --match`: the new organisation rows of the
files compared with the stored organisations before anything is checked or
written (DOMAIN.md, "Matching organisations"; docs/matching.md, docs/cli.md).

Only rows whose id is not stored are matched, each against the store, never
against the other rows of the files. Identifiers are looked up in the whole
store (an LEI names one organisation worldwide), names through one
matching.StoredIndex over the files' countries. A person's choices
(loaders.choices) decide this run; the caller keeps them (matching's verdicts)
with `keep_choices`, a load only once it has written.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from itertools import combinations
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.model import IDENTIFIER_FIELDS, Organisation
from graph.store import GraphStore, MatchVerdict, Mutation, MutationRecord
from loaders.choices import ChoiceError, Choices
from loaders.matched import MatchResult, RowMatch
from loaders.read import FileProblem, Problem, RawRow, expand, kind_of, read_file
from loaders.rows import parse_row
from loaders.validate import REFERENCES, parse_problems
from matching import Candidate, DecisionKey, Match, Thresholds, match_many
from mutations.record import now, request_hash
from mutations.registration import by_identifier, decision_key, facts_of, indexes_for, verdict

# kind of row -> its fields that name an organisation (rewritten to the stored id)
ORGANISATION_FIELDS = {
    kind: [name for name, what in refs if what not in ("requirement", "audit")]
    for kind, refs in REFERENCES.items()
}


def read_organisations(paths: list[Path]) -> tuple[list[str], list[RawRow], list[Problem]]:
    """The organisation rows of the files (and of the folders' .csv and .json files;
    files of other kinds are skipped), each file whole or not at all: the files
    read, the rows, and what made a file unusable."""
    files, _ = expand(paths)
    read, rows, problems = [], [], []
    for path in files:
        if kind_of(path) not in (None, "organisations"):
            continue
        read.append(str(path))
        try:
            rows.extend([r for r in read_file(path) if r.kind == "organisations"])
        except FileProblem as exc:
            problems.extend([exc.problem, *exc.rows])
    return read, rows, problems


def match_rows(
    store: GraphStore,
    raw_rows: Iterable[RawRow],
    *,
    thresholds: Thresholds,
    choices: Choices | None = None,
) -> MatchResult:
    """What matching decides for each organisation row whose id is not stored, the
    person's `choices` taken (a ChoiceError for one that cannot be)."""
    result = MatchResult()
    parsed = _parsed_rows(raw_rows, result)
    stored = store.kinds(org.id for _, org in parsed)
    result.already_stored = sum(1 for _, org in parsed if org.id in stored)
    matcher = _Matcher(store, [row for row in parsed if row[1].id not in stored], thresholds)
    matches = matcher.run(range(len(matcher.rows)), _Kept(store, {}, matcher.read))
    if choices:
        result.verdicts = _choose(matcher, matches, choices)
    same_key: dict[DecisionKey, list[str]] = defaultdict(list)
    for key, (_, org) in zip(matcher.keys, matcher.rows, strict=True):
        same_key[key].append(org.id)
    for i, (raw, org) in enumerate(matcher.rows):
        key = matcher.keys[i]
        namesakes = [other for other in same_key[key] if other != org.id]
        choice = choices.of(org.id) if choices else None
        result.rows.append(RowMatch(raw, org, key, matches[i], choice, namesakes))
    named = {c.id for r in result.rows for c in r.match.candidates}
    named |= {r.match.organisation for r in result.rows if r.match.organisation}
    result.stored = {o.id: o for o in store.organisations(named)} if named else {}
    return result


def _parsed_rows(raw_rows: Iterable[RawRow], result: MatchResult) -> list[tuple[RawRow, Any]]:
    """The organisation rows that parse, an id given twice left out (the load's
    checks report those rows; `tiergraph match` lists them from `bad_rows`)."""
    parsed: list[tuple[RawRow, Any]] = []
    first: dict[str, RawRow] = {}
    twice: set[str] = set()
    for raw in raw_rows:
        if raw.kind != "organisations":
            continue
        if "__shape__" in raw.data:
            result.bad_rows.append(raw.problem(None, raw.data["__shape__"]))
            continue
        try:
            org = parse_row("organisations", raw.data)
        except ValidationError as exc:
            result.bad_rows.extend(parse_problems(raw, exc))
            continue
        if org.id in first:
            where = first[org.id]
            result.bad_rows.append(raw.problem("id", f"duplicate of {where.file}:{where.line}"))
            twice.add(org.id)
            continue
        first[org.id] = raw
        parsed.append((raw, org))
    return [(raw, org) for raw, org in parsed if org.id not in twice]


class _Kept:
    """matching.Decisions: the store's kept choices (read once per key), with this
    run's on top (a confirmation replaces any other confirmation of the key)."""

    def __init__(
        self,
        store: GraphStore,
        pending: Mapping[DecisionKey, Mapping[str, bool]],
        read: dict[DecisionKey, dict[str, bool]],
    ):
        self.store, self.pending, self.read = store, pending, read

    def verdicts(self, key: DecisionKey) -> Mapping[str, bool]:
        if key not in self.read:
            self.read[key] = self.store.match_verdicts(key.country, key.name, key.abbreviation)
        kept, mine = self.read[key], self.pending.get(key, {})
        if any(mine.values()):
            kept = {stored_id: same for stored_id, same in kept.items() if not same}
        return {**kept, **mine}

    def record(self, key: DecisionKey, stored_id: str, same: bool) -> None:
        raise NotImplementedError("choices are kept by the command that takes them")


class _Matcher:
    """The rows to match, their identifiers' stored holders, and the index of the
    stored organisations of their countries."""

    def __init__(
        self, store: GraphStore, rows: list[tuple[RawRow, Organisation]], thresholds: Thresholds
    ):
        self.store, self.rows, self.thresholds = store, rows, thresholds
        self.facts = [facts_of(org, stored=False) for _, org in rows]
        self.keys = [decision_key(f) for f in self.facts]
        self.holders = _holders(store, [org for _, org in rows])
        countries = {f.country for i, f in enumerate(self.facts) if i not in self.holders}
        self.index = indexes_for(store, countries)
        self.read: dict[DecisionKey, dict[str, bool]] = {}  # kept choices, per key
        self.position = {org.id: i for i, (_, org) in enumerate(rows)}

    def run(self, positions: Iterable[int], decisions: _Kept | None) -> dict[int, Match]:
        """The match of each row at `positions` (without `decisions`: ignoring any
        choice kept before)."""
        found: dict[int, Match] = {}
        by_name = []
        for i in positions:
            if i in self.holders:
                found[i] = by_identifier(
                    self.store, self.facts[i], self.holders[i], self.thresholds
                )
            else:
                by_name.append(i)
        named = match_many(
            [self.facts[i] for i in by_name],
            self.index,
            thresholds=self.thresholds,
            decisions=decisions,
        )
        found.update(zip(by_name, named, strict=True))
        return found


def _holders(store: GraphStore, orgs: list[Organisation]) -> dict[int, list[str]]:
    """Row position -> the stored organisations holding its identifiers (sorted)."""
    claims = [[(k, v) for k in IDENTIFIER_FIELDS if (v := getattr(o, k))] for o in orgs]
    held = store.holders({pair for pairs in claims for pair in pairs})
    return {
        i: sorted({held[p] for p in pairs if p in held})
        for i, pairs in enumerate(claims)
        if any(p in held for p in pairs)
    }


def _offered(*found: Match) -> dict[str, Candidate]:
    offered: dict[str, Candidate] = {}
    for m in found:
        for c in m.candidates:
            offered.setdefault(c.id, c)
    return offered


def _choose(
    matcher: _Matcher, matches: dict[int, Match], choices: Choices
) -> tuple[MatchVerdict, ...]:
    """Take the person's choices into `matches`; the verdicts to keep."""
    for file_id in sorted(choices.file_ids() - matcher.position.keys()):
        option = f"--{choices.of(file_id)}"
        raise ChoiceError(
            option,
            f"{option} {file_id}: no organisation row {file_id!r} to match in the files "
            "(its id is stored already, or no organisation row has it)",
        )
    chosen = sorted(matcher.position[f] for f in choices.file_ids())
    plain = matcher.run(chosen, None)  # a rejection kept before may be undone
    pending: dict[DecisionKey, dict[str, bool]] = defaultdict(dict)
    offered_to: dict[int, dict[str, Candidate]] = {}
    for i in chosen:
        file_id, found = matcher.rows[i][1].id, matches[i]
        offered = offered_to[i] = _offered(found, plain[i])
        _check_choice(file_id, found, offered, choices)
        key = matcher.keys[i]
        if (stored_id := choices.confirm.get(file_id)) is not None:
            _add(pending, key, stored_id, True, file_id)
        for stored_id in choices.rejected_by(file_id):
            _add(pending, key, stored_id, False, file_id)
        if file_id in choices.create:
            for stored_id in _offered(found):
                _add(pending, key, stored_id, False, file_id)
    again = [i for i, key in enumerate(matcher.keys) if key in pending]
    matches.update(matcher.run(again, _Kept(matcher.store, pending, matcher.read)))
    for i in chosen:
        file_id = matcher.rows[i][1].id
        if (stored_id := choices.confirm.get(file_id)) is not None:
            taken = (offered_to[i][stored_id],)
            matches[i] = Match("existing", stored_id, taken, "confirmed (--confirm)")
        elif file_id in choices.create:
            why = choices.reasons.get(file_id)
            said = f"created anyway (--create): {why}" if why else "created anyway (--create)"
            matches[i] = Match("new", None, (), said)
    return tuple(
        verdict(key, stored_id, same)
        for key, mine in pending.items()
        for stored_id, same in mine.items()
    )


def _check_choice(
    file_id: str, found: Match, offered: Mapping[str, Candidate], choices: Choices
) -> None:
    by_identifier = found.decision == "conflict" or found.reason == "shared identifier"
    if by_identifier and found.decision == "existing":
        if choices.confirm.get(file_id, found.organisation) != found.organisation:
            raise ChoiceError(
                "--confirm",
                f"--confirm {file_id}={choices.confirm[file_id]}: {file_id!r} is "
                f"{found.organisation!r}, which holds one of its identifiers (a shared "
                "identifier decides); correct the file or the stored data",
            )
    if by_identifier and (choices.rejected_by(file_id) or file_id in choices.create):
        option = "--create" if file_id in choices.create else "--reject"
        holders = ", ".join(repr(c) for c in offered)
        raise ChoiceError(
            option,
            f"{option} {file_id}: its identifiers are held by {holders}; a shared identifier "
            "decides whatever is chosen: correct the file or the stored data"
            + (f", or take one with --confirm {file_id}=STORED_ID" if len(offered) > 1 else ""),
        )
    asked = [("--confirm", choices.confirm.get(file_id))]
    asked += [("--reject", stored_id) for stored_id in choices.rejected_by(file_id)]
    for option, stored_id in asked:
        if stored_id is not None and stored_id not in offered:
            listed = ", ".join(repr(c) for c in offered) or "none"
            raise ChoiceError(
                option,
                f"{option} {file_id}={stored_id}: {stored_id!r} is not a candidate of "
                f"{file_id!r} (its candidates: {listed}; a lower --candidate threshold "
                "offers more)",
            )


def _add(
    pending: dict[DecisionKey, dict[str, bool]],
    key: DecisionKey,
    stored_id: str,
    same: bool,
    file_id: str,
) -> None:
    """One verdict for the key (rows with the same key share their verdicts)."""
    mine = pending[key]
    confirmed = [s for s, was in mine.items() if was and s != stored_id]
    if mine.get(stored_id, same) != same or (same and confirmed):
        raise ChoiceError(
            "--confirm" if same else "--reject",
            f"the choices for {file_id!r} contradict those of a row with the same name, "
            "abbreviation and country (choices are kept by name): give one choice for them",
        )
    mine[stored_id] = same


def rewrite(
    raw_rows: list[RawRow], result: MatchResult
) -> tuple[list[RawRow], set[str], list[Problem]]:
    """The load's rows as they are written: a row matched to a stored organisation
    left out and every reference to its file id made to the stored id; a row a
    person must decide left out too (its id returned: rows that refer to it are
    rejected with it). A row whose two different file ids became one stored
    organisation (two rows confirmed as one) is left out with a problem saying so."""
    remap = result.remap()
    held = {r.org.id for r in result.undecided()}
    left_out = {(r.raw.file, r.raw.line) for r in result.rows if r.match.decision != "new"}
    kept, problems = [], []
    for raw in raw_rows:
        if raw.kind == "organisations" and (raw.file, raw.line) in left_out:
            continue
        names = ORGANISATION_FIELDS.get(raw.kind, ())
        changed = {
            name: remap[value.strip()]
            for name in names
            if isinstance(value := raw.data.get(name), str) and value.strip() in remap
        }
        if merged := _merged(raw, names, changed):
            problems.append(merged)
            continue
        kept.append(replace(raw, data={**raw.data, **changed}) if changed else raw)
    return kept, held, problems


def _merged(raw: RawRow, names: Sequence[str], changed: dict[str, str]) -> Problem | None:
    """A problem when two of the row's fields name different file rows that the
    match made one stored organisation."""
    ours = {
        name: (raw.data[name].strip(), changed.get(name, raw.data[name].strip()))
        for name in names
        if isinstance(raw.data.get(name), str) and raw.data[name].strip()
    }
    for (first, (was, one)), (second, (other, same)) in combinations(ours.items(), 2):
        if was != other and one == same:
            return raw.problem(
                second,
                f"{first} {was!r} and {second} {other!r} are both the stored organisation "
                f"{one!r} after the match (`tiergraph match` shows why): if they are two "
                "organisations, --reject one of them; if one, this row is not needed",
            )
    return None


def keep_choices(store: GraphStore, result: MatchResult, arguments: dict[str, Any]) -> None:
    """Keep the person's choices (one mutation, made by an operator on the command
    line), so that they decide the same pairs next time."""
    if not result.verdicts:
        return
    record = MutationRecord(
        id=uuid.uuid4().hex,
        operation="match",
        organisation=None,
        role="operator",
        key_id="cli",
        at=now().isoformat(timespec="microseconds"),
        idempotency_key=None,
        request=request_hash("match", arguments),
        response={
            "verdicts": result.verdict_dicts(),
            "created_anyway": {  # file id -> what the person said (--create F=REASON)
                r.org.id: r.match.reason for r in result.rows if r.choice == "create"
            },
        },
    )
    store.apply(Mutation(record, verdicts=result.verdicts))
    result.kept = True
