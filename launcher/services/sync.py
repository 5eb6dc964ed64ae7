"""Fetch every account's meetings concurrently; one account's failure never hides the rest."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Sequence

from launcher.core.errors import LauncherError, ProviderError
from launcher.core.models import Account, Meeting
from launcher.providers.base import MeetingLister
from launcher.services.context import Context

log = logging.getLogger("launcher.sync")


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
