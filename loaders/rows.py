"""One pydantic model per kind of row in docs/formats.md: parse and check one
row on its own, then hand back the plain domain value."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import iso3166
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from graph import model
from graph.model import ActionStatus, FindingStatus, Kind, Severity, StepKind
from graph.store import RequestStatus, ShareRequest
from loaders.countries import code_for
from matching import identifiers, names

VALID_YEARS = 10  # an audit valid longer than this after its audit_date is a typo

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _number_or_none(value: Any) -> Any:
    if isinstance(value, bool):  # JSON true is not 1 degree
        raise ValueError(f"{value!r} is not a number")
    return _blank_to_none(value)


def day(value: Any) -> date:
    """The day a YYYY-MM-DD text names (ValueError otherwise; `date.fromisoformat`
    alone also takes 20260101 and 2026-W01-1): rows, API arguments and --as-of."""
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not _DAY.match(text):
        raise ValueError(f"{text!r} is not a day (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a day of the calendar") from None


def _country(value: str) -> str:
    code = value.upper()
    if code not in iso3166.countries_by_alpha2:
        known = code_for(value)
        use = f": use {known}" if known else ""
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code{use}")
    return code


def _identifier(kind: str) -> Any:
    """The identifier of `kind` (matching.identifiers) checked and normalised."""

    def check(value: str | None) -> str | None:
        return None if value is None else identifiers.check(kind, value)

    return AfterValidator(check)


def _coordinate(name: str, limit: int) -> Any:
    def check(value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and -limit <= value <= limit):
            raise ValueError(f"{value} is not a {name} (-{limit} to {limit}, WGS84 degrees)")
        return value

    return AfterValidator(check)


def today_of(info: ValidationInfo) -> date:
    """The load's today (a test passes its own in the validation context)."""
    context = info.context or {}
    return context.get("today") or date.today()


def _not_after_today(value: date | None, info: ValidationInfo) -> date | None:
    """A day that has happened: sourcing since, a pass-on or adoption, an audit."""
    if value is not None and value > (today := today_of(info)):
        raise ValueError(f"{value} is after today ({today}): a day that has not come yet")
    return value


def _named(value: str) -> str:
    """A name holds a letter or a digit (of any script) besides a Chinese legal form:
    "-", "...", a zero-width space or "有限公司" alone name nothing, fold to nothing in
    matching and were made anew each time."""
    if not any(c.isalnum() for c in names.without_cjk_legal_forms(value)):
        raise ValueError(f"{value!r} holds no letter or digit besides a legal form")
    return value


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year that has none
        return day.replace(year=day.year + years, day=28)


def _list(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(";") if part.strip())
    return value


def _no_controls(value: str) -> str:
    """An id or a scheme is written, printed, copied and compared: a control character
    in it (a bell, an ANSI escape, a line break) or an invisible formatting one (a
    byte-order mark, a zero-width space, a right-to-left override: "\ufeffSMETA" looks
    like SMETA and is another scheme) is a mistake or a trick, never part of it."""
    for c in value:
        category = unicodedata.category(c)
        if category == "Cc":
            raise ValueError(f"{value!r} holds a control character (U+{ord(c):04X})")
        if category == "Cf":
            raise ValueError(f"{value!r} holds an invisible formatting character (U+{ord(c):04X})")
    return value


MAX_FRAMEWORKS = 50


def _distinct(values: tuple[str, ...]) -> tuple[str, ...]:
    """The frameworks once each, in their order; at most MAX_FRAMEWORKS."""
    kept = tuple(dict.fromkeys(values))
    if len(kept) > MAX_FRAMEWORKS:
        raise ValueError(f"{len(kept)} frameworks: at most {MAX_FRAMEWORKS}")
    return kept


Id = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_controls),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
OptText = Annotated[Text | None, BeforeValidator(_blank_to_none)]
Day = Annotated[date, BeforeValidator(day)]
OptDay = Annotated[
    date | None, BeforeValidator(lambda v: v if _blank_to_none(v) is None else day(v))
]
PastDay = Annotated[Day, AfterValidator(_not_after_today)]
OptPastDay = Annotated[OptDay, AfterValidator(_not_after_today)]
Country = Annotated[Text, AfterValidator(_country)]
Name = Annotated[Text, AfterValidator(_named)]
OptFloat = Annotated[float | None, BeforeValidator(_number_or_none)]
Abbreviation = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)] | None,
    BeforeValidator(_blank_to_none),
]
Scheme = Annotated[Text, AfterValidator(_no_controls)]
Frameworks = Annotated[tuple[Text, ...], BeforeValidator(_list), AfterValidator(_distinct)]
Flag = Annotated[bool, BeforeValidator(lambda v: False if _blank_to_none(v) is None else v)]


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OrganisationRow(Row):
    id: Id
    kind: Kind
    name: Name
    country: Country
    lei: Annotated[OptText, _identifier("lei")] = None
    duns: Annotated[OptText, _identifier("duns")] = None
    gln: Annotated[OptText, _identifier("gln")] = None
    os_id: Annotated[OptText, _identifier("os_id")] = None
    mill_id: Annotated[OptText, _identifier("uml")] = None  # the Universal Mill List's id
    abbreviation: Abbreviation = None
    lat: Annotated[OptFloat, _coordinate("latitude", 90)] = None
    lon: Annotated[OptFloat, _coordinate("longitude", 180)] = None
    listed: Flag = False  # consents to be on the joint audited supplier list

    @model_validator(mode="after")
    def _both_coordinates(self) -> OrganisationRow:
        if (self.lat is None) != (self.lon is None):
            missing = "lon" if self.lon is None else "lat"
            raise ValueError(f"{missing}: missing: a location needs both lat and lon")
        return self


class RequirementRow(Row):
    id: Id
    title: Text
    version: Annotated[Text, BeforeValidator(lambda v: _blank_to_none(v) or "1")] = "1"
    frameworks: Frameworks = ()


class RequiresRow(Row):
    member: Id
    requirement: Id


class SourcingRow(Row):
    buyer: Id
    seller: Id
    commodity: Text
    since: OptPastDay = None
    registered_by: Annotated[Id | None, BeforeValidator(_blank_to_none)] = None

    @model_validator(mode="after")
    def _not_self(self) -> SourcingRow:
        if self.buyer == self.seller:
            raise ValueError("seller: an organisation cannot source from itself")
        return self


class PassOnRow(Row):
    buyer: Id
    seller: Id
    requirement: Id
    at: OptPastDay = None


class AdoptionRow(Row):
    organisation: Id
    requirement: Id
    at: OptPastDay = None
    evidence: OptText = None


class AuditRow(Row):
    id: Id
    organisation: Id
    scheme: Scheme
    audit_date: PastDay
    valid_until: Day
    commissioned_by: Id
    rating: OptText = None
    auditor: OptText = None
    shared_with_all: Flag = False

    @model_validator(mode="after")
    def _valid_after_audit(self) -> AuditRow:
        if self.valid_until < self.audit_date:
            raise ValueError(
                f"valid_until: {self.valid_until} precedes audit_date {self.audit_date}"
            )
        if self.valid_until > years_after(self.audit_date, VALID_YEARS):
            raise ValueError(
                f"valid_until: {self.valid_until} is more than {VALID_YEARS} years after "
                f"audit_date {self.audit_date}"
            )
        return self


class FindingRow(Row):
    id: Id
    audit: Id
    severity: Severity
    status: FindingStatus
    category: OptText = None
    due_date: OptDay = None


class ShareRow(Row):
    audit: Id
    member: Id


class RecognitionRow(Row):
    member: Id
    scheme: Scheme


class ExtensionAnswer(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"


# A plan's stages in order, each with the day column that says when it was reached.
ACTION_STAGES = (
    (ActionStatus.PROPOSED, "proposed_at"),
    (ActionStatus.ACCEPTED, "accepted_at"),
    (ActionStatus.COMPLETED, "completed_at"),
    (ActionStatus.VERIFIED, "verified_at"),
)


class CorrectiveActionRow(Row):
    """One finding's plan with the days of its steps (kept as its history, made by
    the load). A rejected plan is one sent back after it was proposed."""

    finding: Id
    description: Text
    target_date: Day
    status: ActionStatus
    evidence: OptText = None
    reason: OptText = None
    proposed_at: OptPastDay = None
    accepted_at: OptPastDay = None
    completed_at: OptPastDay = None
    verified_at: OptPastDay = None
    rejected_at: OptPastDay = None
    extension: OptDay = None  # a later due day the owner asked for
    extension_asked_at: OptPastDay = None
    extension_answer: Annotated[ExtensionAnswer | None, BeforeValidator(_blank_to_none)] = None
    extension_answered_at: OptPastDay = None

    @model_validator(mode="after")
    def _extension(self) -> CorrectiveActionRow:
        if (self.extension is None) != (self.extension_asked_at is None):
            missing = "extension" if self.extension is None else "extension_asked_at"
            raise ValueError(f"{missing}: missing: an extension asked says its day and when")
        answered = (self.extension_answer is None, self.extension_answered_at is None)
        if answered[0] != answered[1]:
            missing = "extension_answer" if answered[0] else "extension_answered_at"
            raise ValueError(f"{missing}: missing: an answer says which and when")
        if self.extension_answer is not None and self.extension is None:
            raise ValueError("extension: an answer needs the extension asked")
        asked, answer = self.extension_asked_at, self.extension_answered_at
        if asked is not None and answer is not None and answer < asked:
            raise ValueError(f"extension_answered_at: {answer} precedes extension_asked_at {asked}")
        if asked is not None and self.proposed_at is not None and asked < self.proposed_at:
            raise ValueError(f"extension_asked_at: {asked} precedes proposed_at {self.proposed_at}")
        if self.status == ActionStatus.VERIFIED and self.extension and answer is None:
            raise ValueError("extension: a verified plan has no extension waiting for an answer")
        return self

    @model_validator(mode="after")
    def _stages(self) -> CorrectiveActionRow:
        status = self.status
        reached = (
            [s for s, _ in ACTION_STAGES][: [s for s, _ in ACTION_STAGES].index(status) + 1]
            if status != ActionStatus.REJECTED
            # sent back when proposed, or when completed (after it was accepted)
            else [ActionStatus.PROPOSED, ActionStatus.ACCEPTED, ActionStatus.COMPLETED]
        )
        for stage, column in ACTION_STAGES:
            if getattr(self, column) is not None and stage not in reached:
                raise ValueError(f"{column}: a {status} plan has not been {stage} yet")
        if status == ActionStatus.REJECTED and self.accepted_at and not self.completed_at:
            raise ValueError(
                "completed_at: a plan is sent back when proposed or when completed:"
                " an accepted plan sent back was completed first"
            )
        days = [(c, getattr(self, c)) for s, c in ACTION_STAGES if getattr(self, c) is not None]
        if self.rejected_at is not None:
            days.append(("rejected_at", self.rejected_at))
        for (before, a), (after, b) in zip(days, days[1:], strict=False):
            if b < a:
                raise ValueError(f"{after}: {b} precedes {before} {a}")
        if status == ActionStatus.VERIFIED and self.verified_at is None:
            raise ValueError("verified_at: a verified plan says when it was verified")
        if status in (ActionStatus.COMPLETED, ActionStatus.VERIFIED) and self.evidence is None:
            raise ValueError(f"evidence: a {status} plan has its evidence")
        if status == ActionStatus.REJECTED and self.reason is None:
            raise ValueError("reason: a rejected plan says why")
        if self.rejected_at is not None and status != ActionStatus.REJECTED:
            raise ValueError(f"rejected_at: the plan is {status}, not rejected")
        return self


def corrective_action(**row: Any) -> model.CorrectiveAction:
    """The plan, its history the row's days (noon UTC, made by the load)."""
    kinds = {
        "proposed_at": StepKind.PROPOSED,
        "accepted_at": StepKind.ACCEPTED,
        "completed_at": StepKind.COMPLETED,
        "verified_at": StepKind.VERIFIED,
        "rejected_at": StepKind.REJECTED,
    }
    steps = [
        model.ActionStep(noon(day), kind, None, LOADED_BY)
        for column, kind in kinds.items()
        if (day := row[column]) is not None
    ]
    asked, answer = row["extension"], row["extension_answer"]
    if asked is not None:
        at = row["extension_asked_at"]
        steps.append(
            model.ActionStep(noon(at), StepKind.EXTENSION_REQUESTED, None, LOADED_BY, None, asked)
        )
    if answer is not None:
        kind = StepKind.EXTENSION_GRANTED if answer == "granted" else StepKind.EXTENSION_REFUSED
        at = row["extension_answered_at"]
        steps.append(model.ActionStep(noon(at), kind, None, LOADED_BY, None, asked))
    return model.CorrectiveAction(
        row["finding"],
        row["description"],
        row["target_date"],
        row["status"],
        row["evidence"],
        row["reason"],
        asked if answer is None else None,
        tuple(sorted(steps, key=lambda s: s.at)),
    )


class ShareRequestRow(Row):
    """A member's request to see an audit, with its answer when it has one (DOMAIN.md,
    "Share requests"); its owner is the organisation the audit covers."""

    id: Id
    member: Id
    audit: Id
    status: RequestStatus
    at: PastDay
    message: OptText = None
    answered_at: OptPastDay = None
    reason: OptText = None  # a decline's

    @model_validator(mode="after")
    def _answer(self) -> ShareRequestRow:
        if self.status == RequestStatus.OPEN and self.answered_at is not None:
            raise ValueError("answered_at: an open request has no answer yet")
        if self.status != RequestStatus.OPEN and self.answered_at is None:
            raise ValueError(f"answered_at: a {self.status} request says when it was answered")
        if self.answered_at is not None and self.answered_at < self.at:
            raise ValueError(f"answered_at: {self.answered_at} precedes at {self.at}")
        if self.reason is not None and self.status != RequestStatus.DECLINED:
            raise ValueError(
                f"reason: only a decline gives a reason (the request is {self.status})"
            )
        return self


LOADED_BY = "load"  # requested_by, answered_by and a step's role of what a load writes


def noon(day: date) -> str:
    """A loaded day as the ISO time the stores keep: noon UTC."""
    return f"{day.isoformat()}T12:00:00.000000+00:00"


def share_request(**row: Any) -> ShareRequest:
    """The request; its owner is filled in once its audit is known (loaders.validate)."""
    answered = row["answered_at"]
    return ShareRequest(
        id=row["id"],
        member=row["member"],
        audit=row["audit"],
        owner="",
        status=row["status"],
        at=noon(row["at"]),
        requested_by=LOADED_BY,
        message=row["message"],
        answered_at=None if answered is None else noon(answered),
        answered_by=None if answered is None else LOADED_BY,
        reason=row["reason"],
    )


# kind of file -> (row model, domain class or builder); the order is the order of checks.
KINDS: dict[str, tuple[type[Row], Any]] = {
    "organisations": (OrganisationRow, model.Organisation),
    "requirements": (RequirementRow, model.Requirement),
    "requires": (RequiresRow, model.Requires),
    "sourcing": (SourcingRow, model.Sourcing),
    "pass_on": (PassOnRow, model.PassOn),
    "adoptions": (AdoptionRow, model.Adoption),
    "audits": (AuditRow, model.Audit),
    "findings": (FindingRow, model.Finding),
    "shares": (ShareRow, model.Share),
    "recognitions": (RecognitionRow, model.Recognition),
    "corrective_actions": (CorrectiveActionRow, corrective_action),
    "share_requests": (ShareRequestRow, share_request),
}

REQUIRED_COLUMNS = {
    kind: [name for name, f in row.model_fields.items() if f.is_required()]
    for kind, (row, _) in KINDS.items()
}
COLUMNS = {kind: list(row.model_fields) for kind, (row, _) in KINDS.items()}


def parse_row(kind: str, raw: dict[str, Any], today: date | None = None) -> Any:
    """Validate one raw row of `kind` (days checked against `today`, default the
    clock's); returns the domain value or raises pydantic.ValidationError."""
    row_model, domain_cls = KINDS[kind]
    parsed = row_model.model_validate(raw, context={"today": today} if today else None)
    return domain_cls(**{name: getattr(parsed, name) for name in COLUMNS[kind]})
