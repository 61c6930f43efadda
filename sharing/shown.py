"""A share request as either side sees it: the same fields for both. The member
sees of the audit only what its NOT_SHARED gap already says (id, scheme,
validity) and the organisation it covers (a node of its network); the owner sees
which member asks (that is the point of a request) and its message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from graph import model
from graph.store import RequestStatus, ShareRequest


@dataclass(frozen=True)
class RequestSeen:
    id: str
    member: str
    organisation: str  # the audited organisation: the audit's owner
    audit: str
    scheme: str | None  # None only when the audit is gone
    audit_date: date | None
    valid_until: date | None
    status: RequestStatus
    message: str | None
    at: str
    answered_at: str | None
    reason: str | None

    @classmethod
    def of(cls, r: ShareRequest, audit: model.Audit | None) -> RequestSeen:
        return cls(
            r.id,
            r.member,
            r.owner,
            r.audit,
            audit.scheme if audit else None,
            audit.audit_date if audit else None,
            audit.valid_until if audit else None,
            r.status,
            r.message,
            r.at,
            r.answered_at,
            r.reason,
        )

    def response(self) -> dict[str, Any]:
        """As kept in the mutation's record (JSON), and read back by `from_response`."""
        return {
            "id": self.id,
            "member": self.member,
            "organisation": self.organisation,
            "audit": self.audit,
            "scheme": self.scheme,
            "auditDate": self.audit_date.isoformat() if self.audit_date else None,
            "validUntil": self.valid_until.isoformat() if self.valid_until else None,
            "status": self.status.value,
            "message": self.message,
            "at": self.at,
            "answeredAt": self.answered_at,
            "reason": self.reason,
        }

    @classmethod
    def from_response(cls, d: dict[str, Any]) -> RequestSeen:
        def day(v: str | None) -> date | None:
            return date.fromisoformat(v) if v else None

        return cls(
            d["id"],
            d["member"],
            d["organisation"],
            d["audit"],
            d["scheme"],
            day(d["auditDate"]),
            day(d["validUntil"]),
            RequestStatus(d["status"]),
            d["message"],
            d["at"],
            d["answeredAt"],
            d["reason"],
        )
