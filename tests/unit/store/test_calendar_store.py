"""Schema v2: calendar fields in the meeting cache, ICS fetch validators, migration from v1."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from launcher.core.models import Account, Meeting, Provider
from launcher.store import db as db_module
from launcher.store.accounts import AccountStore
from launcher.store.cache import CachedAccount, MeetingCache
from launcher.store.calendar_fetch import CalendarFetch, CalendarFetchStore
from launcher.store.db import Database, schema_version

NOW = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)


def calendar_meeting(**overrides: object) -> Meeting:
    values: dict[str, object] = {
        "id": "uid-1/20250301T120000Z", "account": "Cal", "provider": Provider.ICS,
        "title": "Review", "start": NOW, "end": NOW + dt.timedelta(hours=1),
        "join_url": "https://example.zoom.us/j/123", "passcode": "987654",
        "description": "<p>Zoom <a href='https://example.zoom.us/j/123'>link</a></p>",
        "uid": "uid-1", "location": "Room 2", "all_day": True, "status": "tentative",
        "attendance": "declined", "calendar": "Work", "conference_url": "https://meet.example/x",
        "sources": ("Cal", "DAV"),
    }
    values.update(overrides)
    return Meeting(**values)  # type: ignore[arg-type]


def make_v1(path: Path) -> None:
    """Write a database file as version 1 of the app left it, with one cached meeting."""
    conn = sqlite3.connect(path, isolation_level=None)
    db_module.MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO accounts (name, provider, base_url, position) "
        "VALUES ('Work', 'whereby', 'https://api.whereby.dev/v1', 0)"
    )
    conn.execute("INSERT INTO account_fetches VALUES ('Work', ?)", (NOW.isoformat(),))
    conn.execute(
        'INSERT INTO meetings (account, id, provider, title, start, "end", join_url) '
        "VALUES ('Work', 'm1', 'whereby', 'Old', ?, ?, 'https://whereby.com/r')",
        (NOW.isoformat(), (NOW + dt.timedelta(hours=1)).isoformat()),
    )
    conn.close()


def test_a_v1_file_is_migrated_and_its_cache_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    make_v1(path)
    with Database.open(path) as db:
        conn = db.connection()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema_version() == 2
        columns = {r[1] for r in conn.execute("PRAGMA table_info(meetings)")}
        assert {"uid", "location", "all_day", "status", "attendance", "calendar",
                "conference_url", "sources"} <= columns
        [old] = MeetingCache(db).load()["Work"].meetings
        assert (old.id, old.title, old.uid, old.location, old.all_day, old.sources) == (
            "m1", "Old", None, "", False, ())
        assert db.notices == []


def test_calendar_fields_round_trip_without_the_passcode(tmp_path: Path) -> None:
    with Database.open(tmp_path / "c.sqlite3") as db:
        AccountStore(db).add(Account("Cal", Provider.ICS, "https://cal.example/a.ics"))
        cache = MeetingCache(db)
        meeting = calendar_meeting()
        cache.save({"Cal": CachedAccount((meeting,), NOW)})
        [back] = cache.load()["Cal"].meetings
        assert back.passcode is None
        assert back == calendar_meeting(passcode=None)
        dump = "\n".join(db.connection().iterdump())
        assert "987654" not in dump


def test_fetch_validators_are_kept_replaced_and_dropped_with_the_account(
    tmp_path: Path,
) -> None:
    with Database.open(tmp_path / "f.sqlite3") as db:
        accounts = AccountStore(db)
        accounts.add(Account("Cal", Provider.ICS, "https://cal.example/a.ics"))
        store = CalendarFetchStore(db)
        assert store.get("Cal") is None
        first = CalendarFetch("https://cal.example/a.ics", b"BEGIN:VCALENDAR", NOW, '"v1"',
                              "Sat, 01 Mar 2025 12:00:00 GMT")
        assert store.put("Cal", first)
        assert store.get("Cal") == first
        later = NOW + dt.timedelta(minutes=30)
        store.touch("Cal", later)
        got = store.get("Cal")
        assert got is not None and got.fetched_at == later and got.etag == '"v1"'
        assert not store.put("Gone", first)
        accounts.remove("Cal")
        assert store.get("Cal") is None
