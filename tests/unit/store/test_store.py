from __future__ import annotations

import dataclasses
import datetime as dt
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher.core.errors import ConfigError, InvalidInput
from launcher.core.models import Account, AudioConference, Meeting, Provider, Role
from launcher.store.accounts import AccountStore, validate_name
from launcher.store.atomic import write_atomic
from launcher.store.cache import CachedAccount, MeetingCache
from launcher.store.db import Database
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


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    with Database.open(tmp_path / "test.sqlite3") as database:
        yield database


def test_accounts_roundtrip_and_errors(db: Database) -> None:
    store = AccountStore(db)
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
    with pytest.raises(ConfigError, match="No account"):
        store.remove("Work")


def test_accounts_keep_their_order_and_save_replaces_the_list(db: Database) -> None:
    store = AccountStore(db)
    a = Account("A", Provider.JOINME, "https://api.join.me/v1")
    b = Account("B", Provider.BLUEJEANS, "https://api.bluejeans.com",
                relay_url="https://bluejeans.com/api", web_url="https://bluejeans.com",
                username="me@example.com")
    c = Account("C", Provider.SKYPE, "https://lyncdiscover.contoso.com")
    store.add(b)
    store.add(a)
    assert [x.name for x in store.load()] == ["B", "A"]
    store.save([c, a])
    assert store.load() == [c, a]
    with pytest.raises(InvalidInput, match="same name"):
        store.save([a, a])
    assert store.load() == [c, a]


def test_update_renames_and_moves_cached_meetings(db: Database) -> None:
    store, cache = AccountStore(db), MeetingCache(db)
    now = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
    old = Account("Old", Provider.JOINME, "https://api.join.me/v1")
    other = Account("Other", Provider.WHEREBY, "https://api.whereby.dev/v1")
    store.add(old)
    store.add(other)
    cache.save_account_meetings("Old", now, [Meeting("1", "Old", Provider.JOINME, "M", now, None)])
    renamed = dataclasses.replace(old, name="New")
    store.update("Old", renamed)
    assert [a.name for a in store.load()] == ["New", "Other"]  # the same place in the list
    cached = cache.load()
    assert set(cached) == {"New"}
    assert cached["New"].meetings[0].account == "New"
    assert cached["New"].fetched_at == now
    with pytest.raises(ConfigError, match="No account"):
        store.update("Old", renamed)
    with pytest.raises(InvalidInput) as info:
        store.update("New", dataclasses.replace(old, name="Other"))
    assert info.value.field == "name"
    with pytest.raises(InvalidInput) as info:
        store.update("New", dataclasses.replace(old, name="bad/name"))
    assert info.value.field == "name"
    # Same name, new API address: the meetings came from the old server, so they go.
    store.update("New", dataclasses.replace(renamed, base_url="https://jm.example.com/v1"))
    assert store.get("New").base_url == "https://jm.example.com/v1"
    assert cache.load() == {}


def test_remove_drops_the_cached_meetings_but_not_the_others(db: Database) -> None:
    store, cache = AccountStore(db), MeetingCache(db)
    now = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
    for name in ("A", "B"):
        store.add(Account(name, Provider.WHEREBY, "https://api.whereby.dev/v1"))
        cache.save_account_meetings(
            name, now, [Meeting(str(i), name, Provider.WHEREBY, "M", now, None)
                        for i in range(5)]
        )
    store.remove("A")
    assert set(cache.load()) == {"B"}
    count = db.connection().execute("SELECT COUNT(*) FROM meetings").fetchone()[0]
    assert count == 5
    store.save([])  # saving a list without B removes B and its meetings too
    assert cache.load() == {}


def test_saving_the_accounts_keeps_their_cached_meetings(db: Database) -> None:
    store, cache = AccountStore(db), MeetingCache(db)
    now = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
    acc = Account("A", Provider.WHEREBY, "https://api.whereby.dev/v1")
    store.add(acc)
    cache.save_account_meetings("A", now, [Meeting("1", "A", Provider.WHEREBY, "M", now, None)])
    store.save([dataclasses.replace(acc, web_url="https://whereby.com")])  # an upsert
    assert len(cache.load()["A"].meetings) == 1


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


def test_meeting_cache_roundtrip_window_and_no_secrets(db: Database) -> None:
    now = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
    AccountStore(db).add(Account("A", Provider.BLUEJEANS, "https://api.bluejeans.com"))
    dated = [
        Meeting(str(i), "A", Provider.BLUEJEANS, f"M{i}", now + dt.timedelta(days=i),
                now + dt.timedelta(days=i, hours=1), join_url=f"https://bluejeans.com/{i}",
                passcode="4321", host_url="https://x.whereby.com/r?roomKey=SECRETKEY",
                conference=AudioConference("123", "https://dial.in", organizer_code="ORG777"))
        for i in range(10)
    ]
    full = Meeting("full", "A", Provider.SKYPE, "Space", None, None,
                   join_url="https://meet.contoso.com/u/ABC", viewer_url="https://v.example/x",
                   number="42", participants=("a@example.com", "b@example.com"),
                   organizer="o@example.com", role=Role.PRESENTER,
                   online_meeting_uri="sip:u@contoso.com;gruu;opaque=app:conf:focus:id:ABC",
                   description="line 1\nline 2", expires=now + dt.timedelta(days=30))
    meetings = (*dated, full)
    cache = MeetingCache(db)
    cache.save({"A": CachedAccount(meetings, now)})
    db.close()  # everything checkpointed into the one file
    raw = db.path.read_bytes()
    assert b"4321" not in raw and b"SECRETKEY" not in raw and b"ORG777" not in raw
    with Database.open(db.path) as again:
        cache = MeetingCache(again)
        loaded = cache.load()["A"]
        assert [m.id for m in loaded.meetings] == [m.id for m in meetings]
        assert loaded.fetched_at == now
        assert loaded.meetings[0].passcode is None  # never cached
        assert loaded.meetings[0].host_url is None
        assert loaded.meetings[0] == dataclasses.replace(
            dated[0], passcode=None, host_url=None, conference=AudioConference("123",
                                                                               "https://dial.in")
        )
        assert loaded.meetings[-1] == full
        window = cache.load(window=(now + dt.timedelta(days=2), now + dt.timedelta(days=5)))
        assert sorted(m.id for m in window["A"].meetings) == ["2", "3", "4", "full"]


def test_meeting_cache_skips_removed_accounts_and_keeps_failed_ones(db: Database) -> None:
    now = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
    AccountStore(db).add(Account("A", Provider.WHEREBY, "https://api.whereby.dev/v1"))
    cache = MeetingCache(db)
    first = [Meeting("1", "A", Provider.WHEREBY, "M", now, None)]
    cache.save_account_meetings("A", now, first)
    # "Gone" was removed while its meetings were being fetched: nothing is written.
    cache.save({"Gone": CachedAccount(tuple(first), now)})
    assert set(cache.load()) == {"A"}
    later = now + dt.timedelta(minutes=5)
    cache.submit({"A": (later, [])}).result(timeout=10)  # the writer thread
    assert cache.load()["A"] == CachedAccount((), later)


def test_unchanged_meetings_only_get_a_new_fetch_time(db: Database) -> None:
    now = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
    AccountStore(db).add(Account("A", Provider.WHEREBY, "https://api.whereby.dev/v1"))
    cache = MeetingCache(db)
    kept = tuple(Meeting(str(i), "A", Provider.WHEREBY, f"M{i}", now, None) for i in range(3))
    cache.save_account_meetings("A", now, kept)
    later = now + dt.timedelta(minutes=5)
    cache.submit({"A": (later, None), "Gone": (later, None)}).result(timeout=10)
    assert cache.load() == {"A": CachedAccount(kept, later)}  # nothing for "Gone"


def test_unreadable_cached_rows_are_left_out(db: Database) -> None:
    now = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
    AccountStore(db).add(Account("A", Provider.WHEREBY, "https://api.whereby.dev/v1"))
    cache = MeetingCache(db)
    cache.save_account_meetings("A", now, [Meeting(str(i), "A", Provider.WHEREBY, "M", now, None)
                                           for i in range(3)])
    with db.transaction() as conn:
        conn.execute("UPDATE meetings SET provider = 'zoom' WHERE id = '1'")
    assert [m.id for m in cache.load()["A"].meetings] == ["0", "2"]


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
