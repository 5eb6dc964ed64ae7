"""What sign-in needs of the stores: replacing and renaming secrets, updating an account."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher.core.agenda import reminder_key as meeting_key  # the window's meeting key
from launcher.core.errors import ConfigError, InvalidInput
from launcher.core.models import Account, Meeting, Provider
from launcher.store.accounts import AccountStore
from launcher.store.db import Database
from launcher.store.secrets import SecretStore, format_expiry


class _Memory:
    """An in-memory keyring backend with the priority of a real one."""

    priority = 1

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], str] = {}
        self.fail_on: str | None = None

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.fail_on is not None and username.endswith(self.fail_on):
            raise RuntimeError("the keyring is locked")
        self.data[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        self.data.pop((service, username), None)


@pytest.fixture(params=["file", "keyring"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SecretStore]:
    if request.param == "keyring":
        memory = _Memory()
        monkeypatch.setattr("launcher.store.secrets._system_keyring", lambda: memory)
    secrets = SecretStore(tmp_path / "secrets.json")
    assert secrets.uses_file is (request.param == "file")
    yield secrets


def test_every_contract_kind_round_trips_into_credentials(store: SecretStore) -> None:
    expires = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    store.replace_account("A", {
        "token": "tok-1111", "refresh_token": "ref-2222", "token_expires": format_expiry(expires),
        "api_key": "key-3333", "password": "pw-4444", "client_id": "cid-5555",
        "client_secret": "cs-6666", "relay_token": "relay-7777",
    })
    creds = store.credentials("A", "user@x.test")
    assert (creds.token, creds.refresh_token, creds.api_key, creds.password) == (
        "tok-1111", "ref-2222", "key-3333", "pw-4444")
    assert (creds.client_id, creds.client_secret, creds.relay_token) == (
        "cid-5555", "cs-6666", "relay-7777")
    assert creds.token_expires == expires
    shown = repr(creds)
    for secret in creds.secret_values():
        assert secret not in shown
    assert len(creds.secret_values()) == 6


def test_unreadable_expiry_counts_as_unknown(store: SecretStore) -> None:
    store.replace_account("A", {"token": "t-1234", "token_expires": "soon"})
    assert store.credentials("A").token_expires is None
    store.replace_account("A", {"token": "t-1234", "token_expires": "2030-01-01T00:00:00"})
    assert store.credentials("A").token_expires is None  # naive: not trusted


def test_replace_drops_kinds_not_given_and_keeps_other_accounts(store: SecretStore) -> None:
    store.replace_account("A", {"token": "old-token", "password": "old-password"})
    store.replace_account("B", {"api_key": "b-key"})
    store.replace_account("A", {"token": "new-token", "token_expires": "2030-01-01T00:00:00+00:00"})
    assert store.all_secrets("A") == {"token": "new-token",
                                      "token_expires": "2030-01-01T00:00:00+00:00"}
    assert store.get("A", "password") is None
    assert store.all_secrets("B") == {"api_key": "b-key"}
    with pytest.raises(ValueError, match="unknown secret kind"):
        store.replace_account("A", {"cookie": "x"})
    assert store.get("A", "token") == "new-token"


def test_rename_moves_every_secret(store: SecretStore) -> None:
    store.replace_account("Old", {"token": "t-1", "relay_token": "r-1"})
    store.replace_account("New", {"api_key": "stale-leftover"})
    store.set_passcode("meeting-1", "1629")
    store.rename_account("Old", "New")
    assert store.all_secrets("Old") == {}
    assert store.all_secrets("New") == {"token": "t-1", "relay_token": "r-1"}
    assert store.get_passcode("meeting-1") == "1629"
    store.rename_account("New", "New")
    assert store.all_secrets("New") == {"token": "t-1", "relay_token": "r-1"}
    store.rename_account("Missing", "Other")
    assert store.all_secrets("Other") == {}


def _key(account: str, mid: str) -> str:
    """The key a remembered passcode is kept under: the window's key of the meeting."""
    start = dt.datetime(2030, 3, 4, 9, 0, tzinfo=dt.UTC)
    return meeting_key(Meeting(mid, account, Provider.BLUEJEANS, "M", start, None))


def test_removing_an_account_forgets_the_passcodes_of_its_meetings(store: SecretStore) -> None:
    store.replace_account("Work", {"token": "t-1"})
    store.set_passcode(_key("Work", "1"), "1629")
    store.set_passcode(_key("Work", "2"), "2740")
    store.set_passcode(_key("Work", "2"), "2741")  # remembered again: one entry
    store.set_passcode(_key("Work team", "1"), "3851")  # a name that starts the same
    store.set_passcode("no-account-key", "4962")
    store.delete_account("Work")
    assert store.get_passcode(_key("Work", "1")) is None
    assert store.get_passcode(_key("Work", "2")) is None
    assert store.get_passcode(_key("Work team", "1")) == "3851"
    assert store.get_passcode("no-account-key") == "4962"
    assert store.all_secrets("Work") == {}
    store.delete_account("Work")  # nothing left: no error


def test_renaming_an_account_moves_the_passcodes_of_its_meetings(store: SecretStore) -> None:
    store.set_passcode(_key("Old", "1"), "1629")
    store.set_passcode(_key("Old", "2"), "2740")
    store.delete_passcode(_key("Old", "2"))
    store.set_passcode(_key("Other", "1"), "3851")
    store.rename_account("Old", "New")
    assert store.get_passcode(_key("New", "1")) == "1629"
    assert store.get_passcode(_key("Old", "1")) is None
    assert store.get_passcode(_key("New", "2")) is None
    assert store.get_passcode(_key("Other", "1")) == "3851"
    store.delete_account("New")  # and they are found under the new name
    assert store.get_passcode(_key("New", "1")) is None


def test_no_passcode_is_left_in_the_keyring_after_removal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = _Memory()
    monkeypatch.setattr("launcher.store.secrets._system_keyring", lambda: memory)
    store = SecretStore(tmp_path / "secrets.json")
    store.replace_account("Work", {"token": "t-1"})
    for mid in "123":
        store.set_passcode(_key("Work", mid), f"16{mid}9")
    store.rename_account("Work", "Office")
    store.delete_account("Office")
    assert memory.data == {}
    assert not (tmp_path / "secrets.json").exists()


def test_file_replace_is_one_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = SecretStore(tmp_path / "secrets.json")
    store.replace_account("A", {"token": "before"})
    writes: list[bytes] = []
    real = store._write_file

    def counting(data: dict[str, dict[str, str]]) -> None:
        writes.append(b"")
        real(data)

    monkeypatch.setattr(store, "_write_file", counting)
    store.replace_account("A", {"token": "t", "refresh_token": "r", "token_expires": "x"})
    store.rename_account("A", "B")
    assert len(writes) == 2


def test_keyring_failure_while_replacing_keeps_the_old_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = _Memory()
    monkeypatch.setattr("launcher.store.secrets._system_keyring", lambda: memory)
    store = SecretStore(tmp_path / "secrets.json")
    store.replace_account("A", {"token": "old-token", "password": "old-pw"})
    memory.fail_on = ":refresh_token"
    with pytest.raises(RuntimeError):
        store.replace_account("A", {"token": "new-token", "refresh_token": "r"})
    assert store.get("A", "password") == "old-pw"  # nothing deleted before all were written


def test_account_update_renames_in_place(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "store.sqlite3")
    accounts = AccountStore(db)
    a = Account("A", Provider.WHEREBY, "https://api.whereby.dev/v1")
    b = Account("B", Provider.JOINME, "https://api.join.me/v1")
    c = Account("C", Provider.JOINME, "https://api.join.me/v1")
    for account in (a, b, c):
        accounts.add(account)
    renamed = Account("B2", Provider.JOINME, "https://proxy.example.test/v1")
    accounts.update("B", renamed)
    assert accounts.load() == [a, renamed, c]
    accounts.update("B2", renamed)  # same name: fine
    with pytest.raises(InvalidInput) as taken:
        accounts.update("B2", Account("C", Provider.JOINME, "https://api.join.me/v1"))
    assert taken.value.field == "name"
    with pytest.raises(ConfigError, match="No account"):
        accounts.update("Nobody", a)
    assert accounts.load() == [a, renamed, c]
    db.close()
