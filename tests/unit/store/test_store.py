from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from launcher.core.errors import ConfigError, InvalidInput
from launcher.core.models import Account, Provider
from launcher.store.accounts import AccountStore, validate_name
from launcher.store.atomic import write_atomic
from launcher.store.paths import resolve_paths
from launcher.store.secrets import SecretStore


def test_home_overrides_every_directory(tmp_path: Path) -> None:
    paths = resolve_paths({"MEETING_LAUNCHER_HOME": str(tmp_path)}).ensure()
    for directory in (paths.config, paths.data, paths.cache, paths.logs):
        assert directory.is_dir() and tmp_path in directory.parents


def test_platformdirs_without_home() -> None:
    paths = resolve_paths({})
    assert "meeting-launcher" in str(paths.config)


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_accounts_roundtrip_and_errors(tmp_path: Path) -> None:
    store = AccountStore(tmp_path / "accounts.json")
    assert store.load() == []
    acc = Account("Work", Provider.WHEREBY, "https://api.whereby.dev/v1")
    store.add(acc)
    assert store.load() == [acc]
    assert store.get("Work") == acc
    with pytest.raises(InvalidInput, match="already exists"):
        store.add(acc)
    with pytest.raises(ConfigError, match="No account"):
        store.get("Home")
    assert store.remove("Work") == acc
    assert store.load() == []
    text = (tmp_path / "accounts.json").read_text()
    assert "token" not in text and "api_key" not in text


def test_damaged_accounts_file_is_reported_not_emptied(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="damaged"):
        AccountStore(path).load()
    assert path.read_text() == "{not json"
    path.write_text(json.dumps({"accounts": [{"name": 1}]}))
    with pytest.raises(ConfigError, match="damaged"):
        AccountStore(path).load()


@pytest.mark.parametrize("bad", ["", "   ", "-x", "a/b", "x" * 65, "new\nline"])
def test_bad_account_names(bad: str) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_name(bad)
    assert info.value.field == "name"


def test_secret_file_fallback_is_owner_only(tmp_path: Path) -> None:
    store = SecretStore(tmp_path / "secrets.json")  # tests force the fail keyring
    assert store.uses_file and store.warning and "readable only by you" in store.warning
    store.set("Work", "token", "tok-123456")
    store.set("Home", "api_key", "key-abcdef")
    assert store.get("Work", "token") == "tok-123456"
    creds = store.credentials("Home")
    assert creds.api_key == "key-abcdef" and "key-abcdef" not in repr(creds)
    mode = stat.S_IMODE((tmp_path / "secrets.json").stat().st_mode)
    assert mode == 0o600
    store.delete_account("Work")
    assert store.get("Work", "token") is None
    assert store.get("Home", "api_key") == "key-abcdef"
    with pytest.raises(ValueError, match="unknown secret kind"):
        store.set("Work", "cookie", "x")


def test_damaged_secret_file(tmp_path: Path) -> None:
    (tmp_path / "secrets.json").write_text("[1,2")
    with pytest.raises(ConfigError, match="damaged"):
        SecretStore(tmp_path / "secrets.json").get("x", "token")


def test_keyring_backend_is_used_when_available(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.data: dict[tuple[str, str], str] = {}

        def set_password(self, service: str, username: str, password: str) -> None:
            self.data[(service, username)] = password

        def get_password(self, service: str, username: str) -> str | None:
            return self.data.get((service, username))

        def delete_password(self, service: str, username: str) -> None:
            self.data.pop((service, username), None)

    backend = Memory()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        store = SecretStore(tmp_path / "secrets.json")
        assert not store.uses_file and store.warning is None
        store.set("Work", "password", "pw-secret")
        assert backend.data[("meeting-launcher", "Work:password")] == "pw-secret"
        assert not (tmp_path / "secrets.json").exists()
        store.delete_account("Work")
        assert backend.data == {}
    finally:
        keyring.set_keyring(previous)
    assert os.environ["PYTHON_KEYRING_BACKEND"].endswith("fail.Keyring")


def test_meeting_cache_roundtrip_window_and_no_secrets(tmp_path: Path) -> None:
    import datetime as dt

    from launcher.core.models import Meeting
    from launcher.store.cache import CachedAccount, MeetingCache

    now = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
    dated = [
        Meeting(str(i), "A", Provider.BLUEJEANS, f"M{i}", now + dt.timedelta(days=i),
                now + dt.timedelta(days=i, hours=1), join_url=f"https://bluejeans.com/{i}",
                passcode="4321", host_url="https://x.whereby.com/r?roomKey=SECRETKEY")
        for i in range(10)
    ]
    meetings = (*dated, Meeting("space", "A", Provider.SKYPE, "Space", None, None))
    cache = MeetingCache(tmp_path / "meetings.json")
    cache.save({"A": CachedAccount(meetings, now)})
    text = (tmp_path / "meetings.json").read_text()
    assert "4321" not in text and "SECRETKEY" not in text
    loaded = cache.load()["A"]
    assert [m.id for m in loaded.meetings] == [m.id for m in meetings]
    assert loaded.meetings[3].start == meetings[3].start and loaded.fetched_at == now
    assert loaded.meetings[0].passcode is None  # never cached
    window = cache.load(window=(now + dt.timedelta(days=2), now + dt.timedelta(days=5)))["A"]
    assert [m.id for m in window.meetings] == ["2", "3", "4", "space"]
    (tmp_path / "meetings.json").write_text("{broken")
    assert cache.load() == {}


def test_remembered_passcodes(tmp_path: Path) -> None:
    store = SecretStore(tmp_path / "secrets.json")
    assert store.get_passcode("acc\x1f1") is None
    store.set_passcode("acc\x1f1", "1629")
    store.set("acc", "token", "tok-1234")
    assert store.get_passcode("acc\x1f1") == "1629"
    store.delete_passcode("acc\x1f1")
    store.delete_passcode("never-stored")
    assert store.get_passcode("acc\x1f1") is None
    assert store.get("acc", "token") == "tok-1234"
