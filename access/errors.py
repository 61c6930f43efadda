"""What a service function raises when it refuses; the API turns each into a
GraphQL error with `extensions.code`, the CLI into a message and an exit code."""

from __future__ import annotations


class ServiceError(Exception):
    code = "INTERNAL"


class Forbidden(ServiceError):
    """The principal's role may not do this (it reveals nothing about any node)."""

    code = "FORBIDDEN"


class NotFound(ServiceError):
    """No such node, or one outside what the principal may see: the same answer,
    word for word, so that a refusal reveals nothing."""

    code = "NOT_FOUND"

    def __init__(self, what: str, ident: str):
        super().__init__(f"no {what} {ident!r}")
        self.what = what
        self.ident = ident


class BadUserInput(ServiceError):
    """An argument that cannot be used, named."""

    code = "BAD_USER_INPUT"

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
