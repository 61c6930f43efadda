"""One wording, for every command, of a member the store does not hold: absent, or
an organisation that is not a member, with the members it does hold to pick from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tiergraph.console import CliError

if TYPE_CHECKING:
    from graph.store import GraphStore

MEMBERS_NAMED = 5  # the members a refusal names, then a count of the rest
# Nodes a command lists at most (`risk show --top`, `savings --first`): the API's page,
# risk.service.MAX_TOP and views.pages.MAX_PAGE (not imported: `--help` stays light).
LISTED_AT_MOST = 500


def not_a_member(member: str, kind: str | None, members: list[str]) -> str:
    """What is said of `member` (of `kind`, None: absent) given the store's members."""
    what = (
        f"no member {member!r} in the store"
        if kind is None
        else f"{member!r} is not a member (it is a {kind})"
    )
    if not members:
        return f"{what}: the store holds no members (load a network first)"
    named = ", ".join(members[:MEMBERS_NAMED])
    more = len(members) - MEMBERS_NAMED
    return f"{what}; its members: {named}" + (f" and {more:,} more" if more > 0 else "")


def require_member(
    store: GraphStore, member: str, *, code: str = "bad_request", field: str = "--member"
) -> None:
    """Refuse (exit 2) unless `member` is a member of the store (`code`: the refusal's
    documented code for the command, docs/cli.md; `field`: the option naming it)."""
    from graph.model import Kind

    kind = store.kinds([member]).get(member)
    if kind == Kind.MEMBER:
        return
    message = not_a_member(member, None if kind is None else kind.value, sorted(store.members()))
    raise CliError(message, code=code, field=field)
