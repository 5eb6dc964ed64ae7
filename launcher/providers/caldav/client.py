"""CalDAV accounts: every calendar of the principal (or the one the URL names), per window.

The ``caldav`` library does the protocol (discovery of the principal and its calendars,
the ``calendar-query`` REPORT with a time range); it blocks, so every call runs in a
worker thread. Each calendar object found is read by the ICS protocol code, which
expands recurring events over the window exactly as for ICS subscriptions, so an event
has the same id whether it comes from a subscription or from CalDAV. The password comes
from the secret store (:class:`Credentials`); it never reaches the database or a message.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import urllib.parse
from collections.abc import Sequence
from typing import Any

from launcher.core.errors import (
    AuthenticationRequired,
    LauncherError,
    NotFound,
    ProtocolViolation,
    ProviderError,
    ProviderUnavailable,
)
from launcher.core.models import Account, Credentials, Meeting, Provider
from launcher.providers.ics.client import local_tz
from launcher.providers.ics.protocol import DEFAULT_SPAN, parse_ics

log = logging.getLogger("launcher.caldav")

PROVIDER = Provider.CALDAV.value
#: Seconds one CalDAV request may take.
TIMEOUT = 30


class CalDavClient:
    """Lists the events of a CalDAV account's calendars in a window."""

    def __init__(
        self,
        account: Account,
        credentials: Credentials,
        *,
        timeout: int = TIMEOUT,
        default_tz: dt.tzinfo | None = None,
    ) -> None:
        self._account = account
        self._creds = credentials
        self._timeout = timeout
        self._tz = default_tz

    @property
    def account(self) -> Account:
        """The account this client reads."""
        return self._account

    async def list_meetings(
        self, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> Sequence[Meeting]:
        """Return the occurrences overlapping [start, end) in every calendar."""
        tz = self._tz if self._tz is not None else await asyncio.to_thread(local_tz)
        return await asyncio.to_thread(self._guarded, self._list, start, end, tz)

    async def check_login(self) -> list[str]:
        """Sign in and return the names of the calendars found (raises on failure)."""
        return await asyncio.to_thread(self._guarded, self._names)

    # ------------------------------------------------------------ blocking parts

    def _guarded(self, work: Any, *args: Any) -> Any:
        try:
            return work(*args)
        except LauncherError:
            raise
        except Exception as exc:
            raise _translate(exc) from None

    def _connect(self) -> Any:
        from caldav.davclient import DAVClient

        return DAVClient(
            url=self._account.base_url,
            username=self._creds.username or self._account.username,
            password=self._creds.password,
            timeout=self._timeout,
            enable_rfc6764=False,
            headers={"User-Agent": "MeetingLauncher"},
        )

    def _calendars(self, client: Any) -> list[Any]:
        calendars = list(client.principal().calendars())
        wanted = _norm(self._account.base_url)
        named = [c for c in calendars if _norm(str(c.url)) == wanted]
        return named or calendars

    def _names(self) -> list[str]:
        with self._connect() as client:
            return [_name(c) for c in self._calendars(client)]

    def _list(
        self, start: dt.datetime | None, end: dt.datetime | None, tz: dt.tzinfo
    ) -> list[Meeting]:
        lo = start or dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        hi = end or lo + DEFAULT_SPAN
        meetings: list[Meeting] = []
        with self._connect() as client:
            for calendar in self._calendars(client):
                name = _name(calendar)
                found = calendar.search(start=lo, end=hi, event=True, expand=False)
                for item in found:
                    data = item.data
                    if not data:
                        continue
                    try:
                        parsed = parse_ics(
                            data, account=self._account.name, provider=Provider.CALDAV,
                            start=lo, end=hi, username=self._account.username,
                            default_tz=tz, calendar=name,
                        )
                    except ProtocolViolation as exc:  # one bad object, not the account
                        log.info("%s: skipped a calendar object: %s", self._account.name, exc)
                        continue
                    meetings.extend(parsed.meetings)
        meetings.sort(key=Meeting.sort_key)
        return meetings


def _norm(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}"


def _name(calendar: Any) -> str:
    try:
        name = calendar.get_display_name()
    except Exception:  # a server without displayname: use the last path part
        name = None
    if name:
        return str(name)
    return urllib.parse.unquote(str(calendar.url).rstrip("/").rsplit("/", 1)[-1])


def _translate(exc: Exception) -> ProviderError:
    """Turn a caldav/HTTP library exception into one of ours (never with its text)."""
    from caldav.lib import error

    if isinstance(exc, error.AuthorizationError):
        return AuthenticationRequired(
            PROVIDER, "the CalDAV server refused the user name or password", status=401
        )
    if isinstance(exc, error.NotFoundError):
        return NotFound(PROVIDER, "the CalDAV address has no calendars; check the URL")
    if isinstance(exc, error.RateLimitError):
        return ProviderUnavailable(PROVIDER, "the CalDAV server asks us to slow down")
    if isinstance(exc, error.DAVError):
        return ProtocolViolation(
            PROVIDER, f"the CalDAV server's answer could not be used ({type(exc).__name__})"
        )
    name = type(exc).__name__.lower()
    if isinstance(exc, OSError) or "connection" in name or "timeout" in name:
        return ProviderUnavailable(
            PROVIDER, "could not reach the CalDAV server; check the address and your connection"
        )
    log.warning("unexpected CalDAV error: %s", type(exc).__name__)
    return ProviderError(PROVIDER, f"unexpected error ({type(exc).__name__})")


__all__ = ["CalDavClient"]
