from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from launcher.core.models import Account, Meeting, Provider
from launcher.store import legacy
from launcher.store.accounts import AccountStore
from launcher.store.cache import MeetingCache
from launcher.store.db import open_database
from launcher.store.paths import Paths

NOW = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)

ACCOUNTS = {
    "version": 1,
    "accounts": [
        {"name": "Work", "provider": "whereby", "base_url": "https://api.whereby.dev/v1",
         "relay_url": None, "web_url": "https://whereby.com", "username": None},
        {"name": "BJ", "provider": "bluejeans", "base_url": "https://api.bluejeans.com",
         "relay_url": "https://bluejeans.com/api", "web_url": None,
         "username": "me@example.com"},
    ],
}


def meeting_json(i: int, account: str) -> dict[str, object]:
    start = NOW + dt.timedelta(hours=i)
    return {
        "id": str(i), "account": account, "provider": "whereby", "title": f"Room {i}",
        "start": start.isoformat(), "end": (start + dt.timedelta(hours=1)).isoformat(),
        "join_url": f"https://whereby.com/room-{i}", "viewer_url": None, "number": None,
        "participants": ["a@example.com"], "organizer": None, "role": "presenter",
        "uri": None, "conference": None, "description": "", "expires": None,
        "has_passcode": False,
    }


CACHE = {
    "version": 1,
    "accounts": {
        "Work": {"fetched_at": NOW.isoformat(),
                 "meetings": [meeting_json(i, "Work") for i in range(3)]},
        "Removed": {"fetched_at": NOW.isoformat(), "meetings": [meeting_json(9, "Removed")]},
    },
}


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    paths = Paths.under(tmp_path).ensure()
    paths.accounts_file.write_text(json.dumps(ACCOUNTS))
    paths.legacy_cache_file.write_text(json.dumps(CACHE))
    return paths


def check_imported(paths: Paths) -> None:
    with open_database(paths) as db:
        assert db.notices == []
        assert AccountStore(db).load() == [
            Account("Work", Provider.WHEREBY, "https://api.whereby.dev/v1",
                    web_url="https://whereby.com"),
            Account("BJ", Provider.BLUEJEANS, "https://api.bluejeans.com",
                    relay_url="https://bluejeans.com/api", username="me@example.com"),
        ]
        cached = MeetingCache(db).load()
        assert set(cached) == {"Work"}  # "Removed" has no account: nothing to keep
        assert cached["Work"].fetched_at == NOW
        assert [m.title for m in cached["Work"].meetings] == ["Room 0", "Room 1", "Room 2"]
        assert cached["Work"].meetings[0].participants == ("a@example.com",)


def test_the_json_files_are_imported_once_and_renamed(paths: Paths) -> None:
    check_imported(paths)
    assert not paths.accounts_file.exists() and not paths.legacy_cache_file.exists()
    assert paths.config.joinpath("accounts.json.imported").exists()
    assert paths.cache.joinpath("meetings.json.imported").exists()
    check_imported(paths)  # a second start changes nothing


def test_a_crash_after_the_commit_imports_again_without_duplicates(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(path: Path, suffix: str) -> None:
        raise KeyboardInterrupt("killed between the commit and the rename")

    monkeypatch.setattr(legacy, "_rename", crash)
    with pytest.raises(KeyboardInterrupt):
        open_database(paths)
    monkeypatch.undo()
    assert paths.accounts_file.exists()
    check_imported(paths)
    assert not paths.accounts_file.exists()


def test_newer_data_in_the_database_wins_over_a_reimport(paths: Paths) -> None:
    check_imported(paths)
    later = NOW + dt.timedelta(hours=1)
    with open_database(paths) as db:
        MeetingCache(db).save_account_meetings(
            "Work", later, [Meeting("new", "Work", Provider.WHEREBY, "New", later, None)]
        )
        AccountStore(db).remove("BJ")
    shutil.copy(paths.config / "accounts.json.imported", paths.accounts_file)
    shutil.copy(paths.cache / "meetings.json.imported", paths.legacy_cache_file)
    with open_database(paths) as db:
        assert [m.id for m in MeetingCache(db).load()["Work"].meetings] == ["new"]
        assert [a.name for a in AccountStore(db).load()] == ["Work", "BJ"]
    assert paths.config.joinpath("accounts.json.imported-1").exists()


def test_a_crash_before_the_commit_leaves_the_files_and_no_half_import(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object) -> bool:
        raise KeyboardInterrupt("killed while importing")

    monkeypatch.setattr(legacy, "write_account", crash)
    with pytest.raises(KeyboardInterrupt):
        open_database(paths)
    assert paths.accounts_file.exists() and paths.legacy_cache_file.exists()
    monkeypatch.setattr(legacy, "import_json", lambda db, paths: None)
    with open_database(paths) as db:  # looked at without importing: the accounts rolled back
        assert AccountStore(db).load() == []
    monkeypatch.undo()
    check_imported(paths)  # the next start imports everything


def test_a_damaged_accounts_file_is_left_with_a_message(paths: Paths) -> None:
    paths.accounts_file.write_text("{not json")
    with open_database(paths) as db:
        [notice] = db.notices
        assert str(paths.accounts_file) in notice and "left where it is" in notice
        assert AccountStore(db).load() == []
    assert paths.accounts_file.read_text() == "{not json"
    assert paths.legacy_cache_file.exists()  # kept for when the accounts can be read


def test_a_damaged_cache_file_is_set_aside(paths: Paths) -> None:
    paths.legacy_cache_file.write_text("{broken")
    with open_database(paths) as db:
        assert db.notices == []
        assert len(AccountStore(db).load()) == 2
        assert MeetingCache(db).load() == {}
    assert paths.cache.joinpath("meetings.json.unreadable").read_text() == "{broken"
