"""`tiergraph keys` as an operator uses it on the embedded store: a key made on
the command line opens the API; listed without its secret; revoked, it does not."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from access.keys import principal_for
from access.principal import Principal, Role
from api.app import create_app
from graph.model import GraphBatch, Kind, Organisation
from graph.sqlite_store import SqliteStore
from tests.factories import small_network
from tiergraph.cli import app
from tiergraph.cli_keys import demo_keys
from tiergraph.settings import Settings

runner = CliRunner()


@pytest.fixture
def data(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("TIERGRAPH_STORE", "embedded")
    monkeypatch.setenv("TIERGRAPH_DATA_DIR", str(data))
    store = SqliteStore(data)
    store.write(small_network())
    store.close()
    return data


def keys(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["keys", *args])
    return result.exit_code, result.stdout, result.stderr


def keys_json(*args: str):
    code, out, err = keys(*args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def health(data, key: str) -> int:
    with TestClient(create_app(Settings(store="embedded", data_dir=data))) as client:
        response = client.post(
            "/graphql", json={"query": "{ health }"}, headers={"Authorization": f"Bearer {key}"}
        )
    return response.status_code


def test_a_key_made_on_the_command_line_opens_the_api_until_revoked(data):
    made = keys_json("create", "--org", "M1", "--role", "sourcing", "--label", "team A")
    record = made["record"]
    assert set(record) == {"id", "role", "organisation", "label", "created_at", "revoked_at"}
    assert (record["role"], record["organisation"], record["label"]) == ("sourcing", "M1", "team A")
    assert record["revoked_at"] is None and made["key"].startswith(f"tg_{record['id']}_")
    assert health(data, made["key"]) == 200

    revoked = keys_json("revoke", record["id"])
    assert revoked["id"] == record["id"] and revoked["revoked_at"]
    assert health(data, made["key"]) == 401


def test_a_whole_key_pasted_to_revoke_revokes_it_and_is_never_repeated(data):
    """A second reader: `keys revoke <the whole key>` was refused, printing the secret
    in its message. A leaked key pasted as it is revokes it, by the id in it."""
    made = keys_json("create", "--org", "M1", "--role", "analyst")
    secret = made["key"].split("_", 2)[2]
    code, out, err = keys("revoke", made["key"])
    assert code == 0 and secret not in out + err and made["record"]["id"] in out
    assert health(data, made["key"]) == 401
    fake = f"tg_nosuchid_{secret}"
    code, out, err = keys("revoke", fake)
    assert code == 2 and "no key 'nosuchid'" in err and secret not in out + err


def test_the_table_format_prints_the_key_alone_on_stdout(data):
    code, out, err = keys("create", "--org", "S1", "--role", "supplier")
    assert code == 0
    key = out.strip()
    assert "\n" not in key and "shown this once" in err
    store = SqliteStore(data)
    principal = principal_for(store, key)
    assert principal is not None and (principal.role, principal.organisation) == (
        Role.SUPPLIER,
        "S1",
    )


def test_the_message_beside_the_key_is_one_line_however_long_the_organisation(data, monkeypatch):
    """Piped (examples/first_session.sh), the console is 80 columns wide: the message
    naming a demo supplier (S-MFR-000001) once wrapped mid-sentence."""
    monkeypatch.setenv("COLUMNS", "80")
    long_id = "S-" + "X" * 90
    store = SqliteStore(data)
    store.write(
        GraphBatch(organisations=[Organisation(long_id, Kind.SUPPLIER, "A long one", "GH")])
    )
    store.close()
    code, out, err = keys("create", "--org", long_id, "--role", "supplier")
    assert code == 0
    (line,) = [line for line in err.splitlines() if line.strip()]
    assert line.startswith("made key ") and line.endswith("it is shown this once, keep it now:")
    assert long_id in line


def test_keys_list_shows_records_never_secrets_or_hashes(data):
    made = [
        keys_json("create", "--org", "M1", "--role", "analyst"),
        keys_json("create", "--role", "operator", "--label", "loads"),
    ]
    listed = keys_json("list")["keys"]
    # Both made in the same second: the order between them is the store's.
    assert sorted(listed, key=lambda r: r["id"]) == sorted(
        (m["record"] for m in made), key=lambda r: r["id"]
    )
    code, table, _ = keys("list")
    stored = {record.id: record for record in SqliteStore(data).keys()}
    for m in made:
        record = stored[m["record"]["id"]]
        secret = m["key"].split("_", 2)[2]
        for shown in (json.dumps(listed), table):
            assert secret not in shown and record.hash not in shown
    assert code == 0 and "operator" in table and "loads" in table


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["create", "--org", "M1", "--role", "boss"], "--role must be one of sourcing, analyst"),
        (["create", "--org", "NOBODY", "--role", "sourcing"], "no member 'NOBODY' in the store"),
        (["create", "--org", "NOBODY", "--role", "supplier"], "no organisation 'NOBODY'"),
        (
            ["create", "--org", "S1", "--role", "sourcing"],
            "'S1' is not a member (it is a supplier)",
        ),
        (["create", "--role", "supplier"], "give --org"),
        (["create", "--org", "M1", "--role", "operator"], "belongs to nobody"),
        (["revoke", "nosuchkey"], "no key 'nosuchkey'"),
    ],
)
def test_a_key_that_cannot_be_made_or_revoked_is_one_line_and_exit_2(data, args, says):
    code, out, err = keys(*args)
    assert code == 2 and out == ""
    assert says in err and len(err.strip().splitlines()) == 1
    assert SqliteStore(data).keys() == []


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ["create", "--org", "M1", "--role", "boss"],
            {
                "code": "bad_parameter",
                "field": "--role",
                "message": "--role must be one of sourcing, analyst, supplier, operator, not 'boss'",
            },
        ),
        (
            ["revoke"],
            {
                "code": "usage",
                "field": "key_id",
                "message": "missing argument KEY_ID (see `tiergraph keys revoke --help`)",
            },
        ),
        (
            ["create", "--org", "M1"],
            {
                "code": "usage",
                "field": "--role",
                "message": "missing option --role (see `tiergraph keys create --help`)",
            },
        ),
    ],
)
def test_a_bad_or_missing_option_is_coded_as_every_commands_are(data, args, error):
    """A second reader: `--role admin` was `bad_request` with no field (other options'
    values are `bad_parameter` naming the option), and a missing argument said
    "Invalid value for key_id: " with nothing after it."""
    code, out, _ = keys(*args, "--format", "json")
    got = json.loads(out)["error"]
    got["message"] = got["message"].replace("`root ", "`tiergraph ")  # CliRunner's name
    assert code == 2 and got == error


def test_demo_keys_name_a_sourcing_team_an_analyst_and_a_supplier(data):
    store = SqliteStore(data)
    made = demo_keys(store, member="M1", supplier="S1")
    principals = [principal_for(store, key) for _, key in made]
    assert principals == [
        Principal(Role.SOURCING, "M1", made[0][0].id),
        Principal(Role.ANALYST, "M1", made[1][0].id),
        Principal(Role.SUPPLIER, "S1", made[2][0].id),
    ]
    assert {record.label for record, _ in made} == {"demo"}
