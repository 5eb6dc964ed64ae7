"""Fetch every account's meetings concurrently; one account's failure never hides the rest."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import enum
import logging
from collections.abc import Callable, Sequence

from launcher.core.errors import (
    AuthenticationRequired,
    LauncherError,
    ProviderError,
    ProviderUnavailable,
)
from launcher.core.models import Account, Meeting
from launcher.providers.base import MeetingLister
from launcher.services.context import Context
from launcher.store.cache import CachedAccount, MeetingCache, encode_document, encode_meetings

log = logging.getLogger("launcher.sync")

#: Meetings encoded per turn of the event loop when writing the cache (about 2 ms).
CACHE_SLICE = 250


@dataclasses.dataclass(frozen=True, slots=True)
class AccountStatus:
    """How fetching one account went."""

    account: str
    provider: str
    ok: bool
    count: int = 0
    error: LauncherError | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class SyncResult:
    """Every meeting fetched, sorted by start, and the status of each account."""

    meetings: tuple[Meeting, ...]
    statuses: tuple[AccountStatus, ...]

    @property
    def failed(self) -> tuple[AccountStatus, ...]:
        """The accounts that could not be fetched."""
        return tuple(s for s in self.statuses if not s.ok)


def in_window(meeting: Meeting, start: dt.datetime | None, end: dt.datetime | None) -> bool:
    """Whether *meeting* overlaps [start, end); timeless meetings count while valid."""
    if meeting.start is None:
        return not (start is not None and meeting.expires is not None and meeting.expires < start)
    m_end = meeting.end or meeting.start
    if start is not None and m_end < start:
        return False
    return not (end is not None and meeting.start >= end)


async def fetch_account(
    ctx: Context, account: Account, start: dt.datetime | None, end: dt.datetime | None
) -> tuple[list[Meeting], AccountStatus]:
    """Fetch one account, turning any failure into a status instead of an exception."""
    client = ctx.client_for(account)
    if not isinstance(client, MeetingLister):
        return [], AccountStatus(account.name, account.provider.value, True)
    try:
        meetings = [m for m in await client.list_meetings(start, end) if in_window(m, start, end)]
    except LauncherError as exc:
        log.info("fetching %s failed: %s", account.name, exc)
        return [], AccountStatus(account.name, account.provider.value, False, error=exc)
    except Exception as exc:  # a bug in one client must not take the others down
        log.exception("unexpected error while fetching %s", account.name)
        err = ProviderError(account.provider.value, f"unexpected error ({type(exc).__name__})")
        return [], AccountStatus(account.name, account.provider.value, False, error=err)
    return meetings, AccountStatus(account.name, account.provider.value, True, len(meetings))


async def fetch_meetings(
    ctx: Context,
    accounts: Sequence[Account],
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    *,
    concurrent: bool = True,
) -> SyncResult:
    """Fetch *accounts* (concurrently unless told otherwise), merge and sort by start."""
    if concurrent:
        results = await asyncio.gather(*(fetch_account(ctx, a, start, end) for a in accounts))
    else:
        results = [await fetch_account(ctx, a, start, end) for a in accounts]
    meetings = [m for batch, _ in results for m in batch]
    meetings.sort(key=Meeting.sort_key)
    return SyncResult(tuple(meetings), tuple(status for _, status in results))


# ---------------------------------------------------------------- the window's sync service


class SyncState(enum.StrEnum):
    """What the window shows for one account."""

    SYNCING = "syncing"
    UP_TO_DATE = "up to date"
    OFFLINE = "offline"
    SIGN_IN_NEEDED = "sign-in needed"
    FAILED = "failed"


@dataclasses.dataclass(frozen=True, slots=True)
class AccountSync:
    """One account's sync state; ``since`` is when it last had fresh data."""

    account: str
    provider: str
    state: SyncState
    since: dt.datetime | None = None
    message: str = ""

    def describe(self, tz: dt.tzinfo | None = None) -> str:
        """Say it in a few words: "up to date", "offline since 14:05", ..."""
        if self.state is SyncState.OFFLINE:
            if self.since is None:
                return "offline"
            return f"offline since {self.since.astimezone(tz):%H:%M}"
        return self.state.value


Listener = Callable[[tuple[Meeting, ...], dict[str, AccountSync]], None]


class SyncService:
    """Keeps the merged meeting list: cache first, then every account concurrently.

    Each account's result replaces that account's meetings as soon as it arrives; a
    failed account keeps its last good meetings and says why. Listeners are called on
    every change (from the event loop thread).
    """

    def __init__(
        self,
        ctx: Context,
        cache: MeetingCache,
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        window: dt.timedelta = dt.timedelta(days=62),
    ) -> None:
        self._ctx = ctx
        self._cache = cache
        self._clock = clock
        self._window = window
        self._by_account: dict[str, CachedAccount] = {}
        self._status: dict[str, AccountSync] = {}
        self._listeners: list[Listener] = []

    @property
    def cache(self) -> MeetingCache:
        """The meeting cache this service reads and writes."""
        return self._cache

    def subscribe(self, listener: Listener) -> None:
        """Call *listener* with (meetings, statuses) after every change."""
        self._listeners.append(listener)

    @property
    def meetings(self) -> tuple[Meeting, ...]:
        """Every meeting of every configured account, sorted by start."""
        merged = [m for entry in self._by_account.values() for m in entry.meetings]
        merged.sort(key=Meeting.sort_key)
        return tuple(merged)

    @property
    def statuses(self) -> dict[str, AccountSync]:
        """The sync state of each account."""
        return dict(self._status)

    def load_cache(self, accounts: Sequence[Account]) -> None:
        """Take the cached meetings of the configured accounts (no network)."""
        names = {a.name for a in accounts}
        cached = self._cache.load()
        self._by_account = {n: e for n, e in cached.items() if n in names}
        self._status = {
            a.name: AccountSync(
                a.name,
                a.provider.value,
                SyncState.OFFLINE if a.name in self._by_account else SyncState.SYNCING,
                self._by_account[a.name].fetched_at if a.name in self._by_account else None,
            )
            for a in accounts
        }
        self._emit()

    async def refresh(self, accounts: Sequence[Account]) -> None:
        """Fetch every account concurrently; update as each one answers."""
        names = {a.name for a in accounts}
        self._by_account = {n: e for n, e in self._by_account.items() if n in names}
        for account in accounts:
            previous = self._status.get(account.name)
            self._status[account.name] = AccountSync(
                account.name,
                account.provider.value,
                SyncState.SYNCING,
                previous.since if previous else None,
            )
        self._status = {n: s for n, s in self._status.items() if n in names}
        self._emit()
        now = self._clock()
        start, end = now - dt.timedelta(days=1), now + self._window
        tasks = [asyncio.create_task(fetch_account(self._ctx, a, start, end)) for a in accounts]
        try:
            for done in asyncio.as_completed(tasks):
                meetings, status = await done
                self._apply(status, meetings)
                # Let the event loop breathe between accounts that answered together,
                # so their updates never add up to one long stall of the window.
                await asyncio.sleep(0)
        finally:
            for task in tasks:  # cancelled (a newer refresh, quitting): stop every fetch
                task.cancel()
        await self._save_cache(dict(self._by_account))

    def _apply(self, status: AccountStatus, meetings: list[Meeting]) -> None:
        now = self._clock()
        name = status.account
        previous = self._by_account.get(name)
        if status.ok:
            self._by_account[name] = CachedAccount(tuple(meetings), now)
            self._status[name] = AccountSync(name, status.provider, SyncState.UP_TO_DATE, now)
        else:
            error = status.error
            since = previous.fetched_at if previous else None
            if isinstance(error, AuthenticationRequired):
                state = SyncState.SIGN_IN_NEEDED
            elif isinstance(error, ProviderUnavailable):
                state = SyncState.OFFLINE
            else:
                state = SyncState.FAILED
            self._status[name] = AccountSync(
                name, status.provider, state, since, str(error) if error else ""
            )
        self._emit()

    async def _save_cache(self, snapshot: dict[str, CachedAccount]) -> None:
        """Write the cache without stalling the event loop.

        Encoding thousands of meetings is CPU work: done in a worker thread it would
        fight the window for the GIL, so it is done here a slice at a time, yielding
        between slices; only the file write (I/O, no GIL) goes to a thread.
        """
        parts: dict[str, tuple[dt.datetime, list[str]]] = {}
        for name, entry in snapshot.items():
            pieces: list[str] = []
            for i in range(0, len(entry.meetings), CACHE_SLICE):
                pieces.append(encode_meetings(entry.meetings[i : i + CACHE_SLICE]))
                await asyncio.sleep(0)
            parts[name] = (entry.fetched_at, pieces)
        try:
            await asyncio.to_thread(self._cache.write, encode_document(parts))
        except OSError as exc:
            log.warning("could not write the meeting cache: %s", exc)

    def _emit(self) -> None:
        meetings = self.meetings
        statuses = self.statuses
        for listener in list(self._listeners):
            listener(meetings, statuses)
