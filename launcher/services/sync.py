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
    RateLimited,
)
from launcher.core.merge import merge_duplicates
from launcher.core.models import Account, Meeting
from launcher.providers.base import MeetingLister
from launcher.services.context import Context
from launcher.services.local import load_local_meetings
from launcher.store.cache import CachedAccount, MeetingCache, MeetingRow, encode_meetings

log = logging.getLogger("launcher.sync")

#: Meetings encoded per turn of the event loop when writing the cache (well under 1 ms).
CACHE_SLICE = 250
#: What a sync fetches and caches: from this long ago ...
SYNC_BACK = dt.timedelta(days=1)
#: ... to this far ahead (the window's default).
SYNC_AHEAD = dt.timedelta(days=62)


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
    #: Seconds the provider asked us to wait before asking again (a throttle), if any.
    retry_after: float | None = None

    def describe(self, tz: dt.tzinfo | None = None) -> str:
        """Say it in a few words: "up to date", "offline since 14:05", ..."""
        if self.state is SyncState.OFFLINE:
            if self.since is None:
                return "offline"
            return f"offline since {self.since.astimezone(tz):%H:%M}"
        return self.state.value


def failed_sync(status: AccountStatus, since: dt.datetime | None) -> AccountSync:
    """Return the state of an account whose fetch failed; *since*: when its cache is from.

    No network, a timeout, a server error or a throttle: offline (its cached meetings
    stay, and the window tries again later); credentials refused: sign-in needed;
    anything else (an answer we cannot read): failed.
    """
    error = status.error
    if isinstance(error, AuthenticationRequired):
        state = SyncState.SIGN_IN_NEEDED
    elif isinstance(error, ProviderUnavailable):
        state = SyncState.OFFLINE
    else:
        state = SyncState.FAILED
    return AccountSync(
        status.account,
        status.provider,
        state,
        since,
        str(error) if error else "",
        error.retry_after if isinstance(error, RateLimited) else None,
    )


def _merged(meetings: list[Meeting]) -> tuple[Meeting, ...]:
    """Merge duplicates and sort by start (pure: runs in a worker thread as well)."""
    merged = merge_duplicates(meetings)
    merged.sort(key=Meeting.sort_key)
    return tuple(merged)


#: Called with the accounts' states after every change; the merged meetings are read
#: from :attr:`SyncService.meetings` when they are needed (merged once per change).
Listener = Callable[[dict[str, AccountSync]], None]


class SyncService:
    """Keeps the merged meeting list: cache first, then every account concurrently.

    Each account's result replaces that account's meetings as soon as it arrives; a
    failed account keeps its last good meetings and says why. Listeners are called on
    every change (from the event loop thread).

    Merging thousands of meetings takes about 10 ms of the event loop, so the merged
    list is built when first read after a change, not for every account that answers;
    an account that answers with exactly the meetings it had keeps them (the same
    objects), and the merged list stays the same tuple.
    """

    def __init__(
        self,
        ctx: Context,
        cache: MeetingCache,
        *,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        window: dt.timedelta = SYNC_AHEAD,
        include_local: bool = True,
    ) -> None:
        self._ctx = ctx
        self._cache = cache
        self._clock = clock
        self._window = window
        self._include_local = include_local
        #: Saved links (Provider.LOCAL): a built-in source, not an account.
        self._local: tuple[Meeting, ...] = ()
        self._by_account: dict[str, CachedAccount] = {}
        self._status: dict[str, AccountSync] = {}
        self._listeners: list[Listener] = []
        self._merged: tuple[Meeting, ...] | None = None  # None: to be merged again
        self._generation = 0  # counts changes, so a merge made beside the loop can tell
        #: Each account's meetings as the cache holds them (the same tuple): an account
        #: that answers with those again only gets its fetch time written.
        self._stored: dict[str, tuple[Meeting, ...]] = {}

    @property
    def cache(self) -> MeetingCache:
        """The meeting cache this service reads and writes."""
        return self._cache

    def subscribe(self, listener: Listener) -> None:
        """Call *listener* with the statuses after every change."""
        self._listeners.append(listener)

    @property
    def meetings(self) -> tuple[Meeting, ...]:
        """Every meeting of every account and the saved links, duplicates merged, by start.

        The same tuple until the meetings change.
        """
        if self._merged is None:
            self._merged = _merged(self._every())
        return self._merged

    async def merged_meetings(self) -> tuple[Meeting, ...]:
        """:attr:`meetings`, merged in a worker thread when they must be merged again.

        Merging thousands of meetings is pure Python: beside the event loop it gives the
        GIL back every few milliseconds, where on the loop it would hold up the window
        for all of its 10 ms or so.
        """
        while self._merged is None:
            generation = self._generation
            merged = await asyncio.to_thread(_merged, self._every())
            if generation == self._generation:  # no change while it was merged
                self._merged = merged
        return self._merged

    def _every(self) -> list[Meeting]:
        every = [m for entry in self._by_account.values() for m in entry.meetings]
        every += self._local
        return every

    def _changed(self) -> None:
        self._merged = None
        self._generation += 1

    def _set_local(self, local: tuple[Meeting, ...]) -> None:
        if local != self._local:
            self._local = local
            self._changed()

    def _keep_accounts(self, names: set[str]) -> None:
        if any(n not in names for n in self._by_account):
            self._by_account = {n: e for n, e in self._by_account.items() if n in names}
            self._changed()

    def _read_local(self) -> tuple[Meeting, ...]:
        if not self._include_local:
            return ()
        try:
            return load_local_meetings(self._cache.database)
        except LauncherError as exc:
            log.warning("could not read the saved links: %s", exc)
            return self._local

    async def reload_local(self) -> None:
        """Read the saved links again (after one was added or removed) and tell listeners."""
        self._set_local(await asyncio.to_thread(self._read_local))
        self._emit()

    @property
    def statuses(self) -> dict[str, AccountSync]:
        """The sync state of each account."""
        return dict(self._status)

    def load_cache(self, accounts: Sequence[Account]) -> None:
        """Take the cached meetings of the configured accounts (no network)."""
        names = {a.name for a in accounts}
        cached = self._cache.load()
        self._local = self._read_local()
        self._by_account = {n: e for n, e in cached.items() if n in names}
        self._stored = {n: e.meetings for n, e in self._by_account.items()}
        self._changed()
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
        self._keep_accounts(names)
        for account in accounts:
            previous = self._status.get(account.name)
            self._status[account.name] = AccountSync(
                account.name,
                account.provider.value,
                SyncState.SYNCING,
                previous.since if previous else None,
            )
        self._status = {n: s for n, s in self._status.items() if n in names}
        self._set_local(await asyncio.to_thread(self._read_local))
        self._emit()
        now = self._clock()
        start, end = now - SYNC_BACK, now + self._window
        tasks = [asyncio.create_task(fetch_account(self._ctx, a, start, end)) for a in accounts]
        fresh: list[str] = []
        try:
            for done in asyncio.as_completed(tasks):
                meetings, status = await done
                self._apply(status, meetings)
                if status.ok:
                    fresh.append(status.account)
                # Let the event loop breathe between accounts that answered together,
                # so their updates never add up to one long stall of the window.
                await asyncio.sleep(0)
        finally:
            for task in tasks:  # cancelled (a newer refresh, quitting): stop every fetch
                task.cancel()
        await self._save_cache({n: self._by_account[n] for n in fresh if n in self._by_account})

    def _apply(self, status: AccountStatus, meetings: list[Meeting]) -> None:
        now = self._clock()
        name = status.account
        previous = self._by_account.get(name)
        if status.ok:
            fetched = tuple(meetings)
            if previous is not None and previous.meetings == fetched:
                fetched = previous.meetings  # nothing changed: the merged list stands
            else:
                self._changed()
            self._by_account[name] = CachedAccount(fetched, now)
            self._status[name] = AccountSync(name, status.provider, SyncState.UP_TO_DATE, now)
        else:
            self._status[name] = failed_sync(status, previous.fetched_at if previous else None)
        self._emit()

    async def _save_cache(self, snapshot: dict[str, CachedAccount]) -> None:
        """Keep the accounts fetched in this refresh, without stalling the event loop.

        Building the rows of thousands of meetings is CPU work: done in a worker thread
        it would fight the window for the GIL, so it is done here a slice at a time,
        yielding between slices. The database write (mostly in SQLite, which lets go of
        the GIL) runs on the database's writer thread, after any earlier write, as one
        transaction: a crash or kill at any moment leaves each account with its
        previous or its new meetings, never a mix.
        """
        if not snapshot:
            return
        parts: dict[str, tuple[dt.datetime, list[MeetingRow] | None]] = {}
        for name, entry in snapshot.items():
            if self._stored.get(name) is entry.meetings:
                parts[name] = (entry.fetched_at, None)  # stored already: the time only
                continue
            rows: list[MeetingRow] = []
            for i in range(0, len(entry.meetings), CACHE_SLICE):
                rows += encode_meetings(entry.meetings[i : i + CACHE_SLICE])
                await asyncio.sleep(0)
            parts[name] = (entry.fetched_at, rows)
        try:
            await asyncio.wrap_future(self._cache.submit(parts))
        except LauncherError as exc:
            log.warning("could not write the meeting cache: %s", exc)
            return
        for name in parts:
            self._stored[name] = snapshot[name].meetings

    def _emit(self) -> None:
        statuses = self.statuses
        for listener in list(self._listeners):
            listener(statuses)


# ---------------------------------------------------------------- one sync, for the CLI


@dataclasses.dataclass(frozen=True, slots=True)
class CachedSyncResult:
    """What one sync shows: fresh meetings, the cached ones of accounts that failed.

    ``statuses`` follows the order of the accounts asked for; ``cached`` names the
    failed accounts whose earlier meetings are shown instead.
    """

    meetings: tuple[Meeting, ...]
    statuses: tuple[AccountSync, ...]
    cached: frozenset[str]

    @property
    def showed_data(self) -> bool:
        """Whether any account answered, or any failed one had cached meetings to show."""
        return bool(self.cached) or any(s.state is SyncState.UP_TO_DATE for s in self.statuses)


async def sync_once(
    ctx: Context,
    cache: MeetingCache,
    accounts: Sequence[Account],
    start: dt.datetime | None,
    end: dt.datetime | None,
    *,
    concurrent: bool = True,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    include_local: bool = True,
) -> CachedSyncResult:
    """Fetch *accounts* once, fall back to the cache for the ones that fail, update it.

    Fetches at least what the window caches (``SYNC_BACK`` before now to ``SYNC_AHEAD``
    after), widened to [*start*, *end*), so the cache written here is as complete as the
    window's; returns only meetings overlapping [*start*, *end*). An account that fails
    keeps its cached meetings (in the cache and in the answer) with its state
    (offline since ..., sign-in needed, failed). Other accounts' cache entries are kept.
    With *include_local*, the saved links are shown too. Duplicates across sources are
    merged (:func:`launcher.core.merge.merge_duplicates`).
    """
    now = clock()
    lo, hi = now - SYNC_BACK, now + SYNC_AHEAD
    fetch_start = None if start is None else min(start, lo)
    fetch_end = None if end is None else max(end, hi)
    result = await fetch_meetings(ctx, accounts, fetch_start, fetch_end, concurrent=concurrent)
    stored = await asyncio.to_thread(cache.load)
    fresh: dict[str, list[Meeting]] = {a.name: [] for a in accounts}
    for meeting in result.meetings:
        fresh.setdefault(meeting.account, []).append(meeting)
    updated = dict(stored)
    statuses: list[AccountSync] = []
    shown: list[Meeting] = []
    cached: set[str] = set()
    for status in result.statuses:
        name = status.account
        if status.ok:
            mine = fresh.get(name, [])
            updated[name] = CachedAccount(tuple(mine), now)
            statuses.append(AccountSync(name, status.provider, SyncState.UP_TO_DATE, now))
            shown += mine
            continue
        previous = stored.get(name)
        statuses.append(failed_sync(status, previous.fetched_at if previous else None))
        if previous is not None:
            cached.add(name)
            shown += previous.meetings
    if any(status.ok for status in result.statuses):
        try:
            await asyncio.to_thread(cache.save, updated)
        except (OSError, LauncherError) as exc:
            log.warning("could not write the meeting cache: %s", exc)
    if include_local:
        try:
            shown += await asyncio.to_thread(load_local_meetings, cache.database)
        except LauncherError as exc:
            log.warning("could not read the saved links: %s", exc)
    meetings = merge_duplicates(m for m in shown if in_window(m, start, end))
    meetings.sort(key=Meeting.sort_key)
    return CachedSyncResult(tuple(meetings), tuple(statuses), frozenset(cached))
