"""API keys: random, shown once when made, kept only as a hash, revocable.

A key reads `tg_<key id>_<secret>`. The store keeps the key id (to find the
record) and the SHA-256 of the whole key; a presented key is compared with that
hash in constant time. Keys carry 256 random bits, so a fast hash is enough: no
password stretching is needed against guessing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from access.principal import Principal, Role
from graph.model import Kind
from graph.store import GraphStore, KeyRecord

PREFIX = "tg"
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()


class KeyRefused(ValueError):
    """A key cannot be made or revoked as asked (the message says why)."""


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")  # orders keys made in one second


def create_key(
    store: GraphStore, *, role: Role, organisation: str | None, label: str | None = None
) -> tuple[KeyRecord, str]:
    """Make a key; returns its record and the key itself (shown once, never kept)."""
    if role == Role.OPERATOR:
        if organisation is not None:
            raise KeyRefused("an operator key belongs to nobody: leave --org out")
    else:
        if organisation is None:
            raise KeyRefused(f"a {role} key belongs to an organisation: give --org")
        kind = store.kinds([organisation]).get(organisation)
        if kind is None:
            raise KeyRefused(f"no organisation {organisation!r}")
        if role.needs_member and kind != Kind.MEMBER:
            raise KeyRefused(
                f"a {role} key belongs to a member; {organisation!r} is not one ({kind})"
            )
    key_id = secrets.token_hex(6)
    key = f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    record = KeyRecord(key_id, role.value, organisation, label, _hash(key), _now(), None)
    store.save_key(record)
    return record, key


def principal_for(store: GraphStore, key: str | None) -> Principal | None:
    """The principal a presented key names; None for no key, a malformed, unknown or
    revoked one (all the same to the caller: 401)."""
    if not key:
        return None
    key_id = key_id_of(key)
    return principal_of(store.key(key_id) if key_id is not None else None, key)


def key_id_of(key: str) -> str | None:
    """The key id a presented key names, None when it is not a tiergraph key."""
    parts = key.split("_", 2)  # the secret may hold "_" itself
    return parts[1] if len(parts) == 3 and parts[0] == PREFIX else None


def principal_of(record: KeyRecord | None, key: str) -> Principal | None:
    """The principal of a key whose record (None: no such key) was read: None when the
    secret does not match or the key is revoked."""
    matches = hmac.compare_digest(record.hash if record else _DUMMY_HASH, _hash(key))
    if record is None or not matches or record.revoked_at is not None:
        return None
    return Principal(Role(record.role), record.organisation, record.id)


def revoke_key(store: GraphStore, key_id: str) -> KeyRecord:
    """Revoke by the key's id; given the whole key (`tg_ID_SECRET`, a leaked one pasted
    as it is), by the id in it: the secret is never repeated in an answer or a log."""
    whole = key_id_of(key_id.strip())
    if whole is not None:
        key_id = whole
    record = store.key(key_id)
    if record is None:
        raise KeyRefused(f"no key {key_id!r}")
    if record.revoked_at is None:
        store.revoke_key(key_id, _now())
    return store.key(key_id) or record
