"""API keys on every store: made once, kept as a hash, found, revoked."""

from __future__ import annotations

import pytest

from access.keys import KeyRefused, create_key, principal_for, revoke_key
from access.principal import Principal, Role
from tests.factories import small_network


def test_a_new_key_names_its_principal_and_only_its_hash_is_kept(store):
    store.write(small_network())
    record, key = create_key(store, role=Role.SOURCING, organisation="M1", label="team A")
    assert principal_for(store, key) == Principal(Role.SOURCING, "M1", record.id)
    kept = store.key(record.id)
    assert kept == record and key not in repr(kept) and kept.label == "team A"
    assert [k.id for k in store.keys()] == [record.id]
    assert store.counts()["members"] == 2  # keys are not part of the graph
    assert "ApiKey" not in repr(store.export())


@pytest.mark.parametrize(
    "presented",
    ["", None, "Bearer", "tg_", "tg_nothing_here", "not-a-key", "tg_x_y_z"],
)
def test_no_key_or_a_malformed_one_names_nobody(store, presented):
    store.write(small_network())
    assert principal_for(store, presented) is None


def test_a_key_with_a_wrong_secret_or_revoked_names_nobody(store):
    store.write(small_network())
    record, key = create_key(store, role=Role.SUPPLIER, organisation="S1")
    forged = key[:-4] + ("aaaa" if not key.endswith("aaaa") else "bbbb")
    assert principal_for(store, forged) is None
    revoked = revoke_key(store, record.id)
    assert revoked.revoked_at is not None
    assert principal_for(store, key) is None
    assert store.key(record.id).revoked_at == revoked.revoked_at


@pytest.mark.parametrize(
    ("role", "organisation", "says"),
    [
        (Role.SOURCING, "S1", "belongs to a member"),
        (Role.ANALYST, "NOBODY", "no organisation"),
        (Role.SUPPLIER, None, "give --org"),
        (Role.OPERATOR, "M1", "belongs to nobody"),
    ],
)
def test_keys_that_cannot_be_made_are_refused(store, role, organisation, says):
    store.write(small_network())
    with pytest.raises(KeyRefused, match=says):
        create_key(store, role=role, organisation=organisation)
    assert store.keys() == []


def test_an_operator_key_and_revoking_an_unknown_key(store):
    record, key = create_key(store, role=Role.OPERATOR, organisation=None)
    assert principal_for(store, key) == Principal(Role.OPERATOR, None, record.id)
    with pytest.raises(KeyRefused, match="no key"):
        revoke_key(store, "000000000000")
