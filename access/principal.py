"""A principal: the organisation and role an API key acts as (DOMAIN.md, "Who may do what")."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    SOURCING = "sourcing"  # a member's sourcing team: reads its network, writes its own part
    ANALYST = "analyst"  # a member's analysts: read and export, write nothing
    SUPPLIER = "supplier"  # any organisation, for its own edges, requirements and audits
    OPERATOR = "operator"  # nobody's: loads data, manages keys, runs jobs

    @property
    def needs_member(self) -> bool:
        return self in (Role.SOURCING, Role.ANALYST)


@dataclass(frozen=True, slots=True)
class Principal:
    role: Role
    organisation: str | None  # None for an operator
    key_id: str

    @property
    def member(self) -> str | None:
        """The member whose network this principal sees (sourcing and analyst)."""
        return self.organisation if self.role.needs_member else None
