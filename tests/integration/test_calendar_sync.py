"""The window's sync with calendar sources: ICS accounts, saved links, merged duplicates."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from launcher.core.errors import InvalidInput
from launcher.core.merge import merge_duplicates
from launcher.core.models import Account, Meeting, Provider
from launcher.services.accounts import AccountForm
from launcher.services.context import Context
from launcher.services.local import LOCAL_ACCOUNT
from launcher.services.signin import SignInService
from launcher.services.sync import SyncService, SyncState, sync_once
from launcher.store.accounts import AccountStore
from launcher.store.cache import CachedAccount, MeetingCache
from launcher.store.db import open_database
from launcher.store.history import LocalMeetings
from launcher.store.paths import Paths
from launcher.store.secrets import SecretStore

DATA = Path(__file__).resolve().parents[1] / "data" / "ics"
NOW = dt.datetime(2025, 1, 5, 12, tzinfo=dt.UTC)


@dataclasses.dataclass
class Env:
    ctx: Context
    cache: MeetingCache
    local: LocalMeetings
    signin: SignInService


@contextlib.asynccontextmanager
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    paths = Paths.under(tmp_path / "home").ensure()
    db = open_database(paths)
    ctx = Context(paths, AccountStore(db), SecretStore(paths.secrets_file, backend="file"),
                  httpx.AsyncClient(timeout=10))
    try:
        yield Env(ctx, MeetingCache(db), LocalMeetings(db), SignInService(ctx, now=lambda: NOW))
    finally:
        await ctx.aclose()
        db.close()


async def add_ics(e: Env, name: str = "Cal", fixture: str = "recurrence.ics") -> Account:
    return await e.signin.add(AccountForm(Provider.ICS, name, base_url=(DATA / fixture).as_uri(),
                                          username="me@example.test"))


async def test_refresh_shows_calendar_events_saved_links_and_merges_them(tmp_path: Path) -> None:
    async with env(tmp_path) as e:
        account = await add_ics(e)
        e.local.add("My copy", "https://example.zoom.us/j/1234567890", NOW + dt.timedelta(days=1,
                    hours=-3))  # = the 6 January 09:00 UTC occurrence
        e.local.add("Lunch", "https://meet.example/lunch", NOW + dt.timedelta(hours=1))
        sync = SyncService(e.ctx, e.cache, clock=lambda: NOW)
        seen: list[tuple[Meeting, ...]] = []
        sync.subscribe(lambda _: seen.append(sync.meetings))
        sync.load_cache([account])
        assert [m.title for m in sync.meetings] == ["Lunch", "My copy"]  # no network needed
        await sync.refresh([account])
        assert sync.statuses["Cal"].state is SyncState.UP_TO_DATE
        assert LOCAL_ACCOUNT not in sync.statuses  # a built-in source, not an account
        meetings = sync.meetings
        first = next(m for m in meetings if m.uid == "weekly-standup@example.test")
        assert first.sources == ("Cal", LOCAL_ACCOUNT)
        assert first.title == "Weekly stand-up"
        assert "Lunch" in [m.title for m in meetings]
        assert "My copy" not in [m.title for m in meetings]
        # The cache keeps the calendar's own events with their fields (not the merge).
        cached = e.cache.load()["Cal"].meetings
        assert {m.calendar for m in cached} == {"Team"}
        assert all(m.sources == () for m in cached)
        # A new saved link shows after reload_local.
        e.local.add("Later", "https://meet.example/later", NOW + dt.timedelta(days=2))
        await sync.reload_local()
        assert "Later" in [m.title for m in seen[-1]]


async def test_the_merged_list_is_built_once_per_change_and_kept_when_nothing_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    merges: list[int] = []

    def counting(meetings: list[Meeting]) -> list[Meeting]:
        merges.append(len(meetings))
        return merge_duplicates(meetings)

    monkeypatch.setattr("launcher.services.sync.merge_duplicates", counting)
    calendar = tmp_path / "team.ics"
    calendar.write_bytes((DATA / "timezones.ics").read_bytes())
    async with env(tmp_path) as e:
        first = await add_ics(e, "Cal A")
        second = await e.signin.add(AccountForm(Provider.ICS, "Cal B", base_url=calendar.as_uri(),
                                                username="me@example.test"))
        sync = SyncService(e.ctx, e.cache, clock=lambda: NOW, include_local=False)
        told: list[dict[str, object]] = []
        sync.subscribe(lambda statuses: told.append(dict(statuses)))
        await sync.refresh([first, second])
        assert len(told) == 3  # syncing, then each calendar as it answers
        assert merges == []  # nobody read the meetings yet: nothing merged
        shown = sync.meetings
        assert shown and sync.meetings is shown and len(merges) == 1
        assert list(shown) == sorted(shown, key=Meeting.sort_key)  # the window relies on it
        assert await sync.merged_meetings() is shown and len(merges) == 1

        await sync.refresh([first, second])  # both answer as before
        assert sync.statuses["Cal B"].state is SyncState.UP_TO_DATE
        assert sync.meetings is shown and len(merges) == 1

        text = calendar.read_text(encoding="utf-8")
        assert "SUMMARY:" in text
        calendar.write_text(text.replace("SUMMARY:", "SUMMARY:Moved: ", 1), encoding="utf-8")
        await sync.refresh([first, second])
        changed = sync.meetings
        assert changed is not shown and len(merges) == 2
        assert any(m.title.startswith("Moved: ") for m in changed)


async def test_an_unchanged_account_only_gets_its_fetch_time_written(tmp_path: Path) -> None:
    calendar = tmp_path / "team.ics"
    calendar.write_bytes((DATA / "timezones.ics").read_bytes())
    async with env(tmp_path) as e:
        account = await e.signin.add(AccountForm(Provider.ICS, "Cal", base_url=calendar.as_uri(),
                                                 username="me@example.test"))
        now = [NOW]
        sync = SyncService(e.ctx, e.cache, clock=lambda: now[0], include_local=False)
        written: list[dict[str, bool]] = []
        real_submit = e.cache.submit

        def recording(parts: Any) -> Any:
            written.append({name: rows is not None for name, (_, rows) in parts.items()})
            return real_submit(parts)

        e.cache.submit = recording  # type: ignore[method-assign]
        sync.load_cache([account])
        await sync.refresh([account])
        stored = e.cache.load()["Cal"]
        assert written == [{"Cal": True}] and stored.meetings

        now[0] = NOW + dt.timedelta(minutes=5)
        await sync.refresh([account])  # the calendar answers as before
        assert written[-1] == {"Cal": False}  # the time only
        again = e.cache.load()["Cal"]
        assert again.meetings == stored.meetings and again.fetched_at == now[0]

        calendar.write_text(calendar.read_text(encoding="utf-8").replace(
            "SUMMARY:", "SUMMARY:Moved: ", 1), encoding="utf-8")
        await sync.refresh([account])
        assert written[-1] == {"Cal": True}
        assert any(m.title.startswith("Moved: ") for m in e.cache.load()["Cal"].meetings)

        # A new start reads the cache: what it holds counts as stored.
        fresh = SyncService(e.ctx, e.cache, clock=lambda: now[0], include_local=False)
        fresh.load_cache([account])
        await fresh.refresh([account])
        assert written[-1] == {"Cal": False}


async def test_two_calendars_with_the_same_events_show_once(tmp_path: Path) -> None:
    async with env(tmp_path) as e:
        a = await add_ics(e, "Google")
        b = await add_ics(e, "Copy")
        result = await sync_once(e.ctx, e.cache, [a, b], NOW, NOW + dt.timedelta(days=60),
                                 clock=lambda: NOW)
        assert [s.state for s in result.statuses] == [SyncState.UP_TO_DATE] * 2
        assert len(result.meetings) == 5
        assert {m.sources for m in result.meetings} == {("Google", "Copy")}


async def test_a_failing_calendar_keeps_its_cached_events(tmp_path: Path) -> None:
    async with env(tmp_path) as e:
        source = tmp_path / "cal.ics"
        source.write_bytes((DATA / "recurrence.ics").read_bytes())
        account = await e.signin.add(AccountForm(Provider.ICS, "Cal", base_url=source.as_uri()))
        window = (NOW, NOW + dt.timedelta(days=60))
        fresh = await sync_once(e.ctx, e.cache, [account], *window, clock=lambda: NOW)
        source.unlink()
        e.ctx.forget_client("Cal")
        later = await sync_once(e.ctx, e.cache, [account], *window, clock=lambda: NOW)
        assert later.cached == frozenset({"Cal"})
        assert later.statuses[0].state is SyncState.FAILED
        assert "not found" in later.statuses[0].message
        assert [m.id for m in later.meetings] == [m.id for m in fresh.meetings]
        assert isinstance(e.cache.load()["Cal"], CachedAccount)


async def test_adding_a_file_that_is_not_a_calendar_saves_nothing(tmp_path: Path) -> None:
    async with env(tmp_path) as e:
        bad = tmp_path / "x.ics"
        bad.write_text("hello")
        with pytest.raises(InvalidInput) as caught:
            await e.signin.add(AccountForm(Provider.ICS, "Bad", base_url=bad.as_uri()))
        assert caught.value.field == "base_url"
        assert e.ctx.accounts.load() == []
        with pytest.raises(InvalidInput) as caught:
            await e.signin.add(AccountForm(Provider.LOCAL, "Mine"))
        assert caught.value.field == "provider"


async def test_caldav_needs_username_and_password_before_anything_is_sent(
    tmp_path: Path,
) -> None:
    async with env(tmp_path) as e:
        with pytest.raises(InvalidInput) as caught:
            await e.signin.add(AccountForm(Provider.CALDAV, "D", base_url="https://dav.example/",
                                           password="x"))
        assert caught.value.field == "username"
        with pytest.raises(InvalidInput) as caught:
            await e.signin.add(AccountForm(Provider.CALDAV, "D", base_url="https://dav.example/",
                                           username="u"))
        assert caught.value.field == "password"
        assert e.signin.needs(Account("D", Provider.CALDAV, "https://dav.example/")) == (
            "password",)
