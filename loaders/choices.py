"""A person's choices for the rows of a load that matching could not decide
(`--confirm FILE_ID=STORED_ID`, `--reject FILE_ID=STORED_ID`, `--create FILE_ID[=REASON]`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


class ChoiceError(ValueError):
    """A choice that cannot be taken; `option` names it (`--confirm`, ...)."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class Choices:
    """By the rows' file ids: the stored organisation a row is, those it is not,
    and the rows to create whatever their candidates."""

    confirm: Mapping[str, str] = field(default_factory=dict)  # file id -> stored id
    reject: frozenset[tuple[str, str]] = frozenset()  # (file id, stored id)
    create: frozenset[str] = frozenset()  # file ids
    # file id -> why it is created anyway (DOMAIN.md: "create anyway with a stated
    # reason"), when the person gave one
    reasons: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(
        cls, confirm: Sequence[str] = (), reject: Sequence[str] = (), create: Sequence[str] = ()
    ) -> Choices:
        confirmed: dict[str, str] = {}
        for file_id, stored_id in (_pair("--confirm", text) for text in confirm):
            if confirmed.get(file_id, stored_id) != stored_id:
                raise ChoiceError(
                    "--confirm",
                    f"--confirm {file_id}={confirmed[file_id]} and --confirm "
                    f"{file_id}={stored_id}: a row is one stored organisation at most",
                )
            confirmed[file_id] = stored_id
        rejected = frozenset(_pair("--reject", text) for text in reject)
        reasons: dict[str, str] = {}
        for file_id, _, reason in (text.partition("=") for text in create):
            if reason.strip():
                reasons[file_id.strip()] = " ".join(reason.split())
        created = frozenset(text.partition("=")[0].strip() for text in create)
        if "" in created:
            raise ChoiceError("--create", "--create needs a FILE_ID")
        for file_id, stored_id in sorted(rejected):
            if confirmed.get(file_id) == stored_id:
                raise ChoiceError(
                    "--reject", f"{file_id}={stored_id} is both confirmed and rejected"
                )
        for file_id in sorted(created & confirmed.keys()):
            raise ChoiceError(
                "--create",
                f"--create {file_id} and --confirm {file_id}={confirmed[file_id]}: "
                "give one or the other",
            )
        return cls(confirmed, rejected, created, reasons)

    def __bool__(self) -> bool:
        return bool(self.confirm or self.reject or self.create)

    def file_ids(self) -> set[str]:
        return set(self.confirm) | {f for f, _ in self.reject} | set(self.create)

    def rejected_by(self, file_id: str) -> list[str]:
        return sorted(s for f, s in self.reject if f == file_id)

    def of(self, file_id: str) -> str | None:
        """The option that names the row: "confirm", "create", "reject" or None."""
        if file_id in self.confirm:
            return "confirm"
        if file_id in self.create:
            return "create"
        if self.rejected_by(file_id):
            return "reject"
        return None

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "confirm": [f"{f}={s}" for f, s in sorted(self.confirm.items())],
            "reject": [f"{f}={s}" for f, s in sorted(self.reject)],
            "create": sorted(
                f"{f}={self.reasons[f]}" if f in self.reasons else f for f in self.create
            ),
        }


def _pair(option: str, text: str) -> tuple[str, str]:
    file_id, _, stored_id = text.partition("=")
    if not file_id.strip() or not stored_id.strip():
        raise ChoiceError(option, f"{option} {text!r}: give FILE_ID=STORED_ID")
    return file_id.strip(), stored_id.strip()
