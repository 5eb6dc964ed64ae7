"""ICS subscriptions and files: fetch (conditionally), parse off the loop, list occurrences.

``http(s)://`` and ``webcal://`` (read as ``https://``) URLs are fetched with the shared
HTTP client, following up to five redirects. The last body and its validators are kept
(:class:`~launcher.store.calendar_fetch.CalendarFetchStore`): the next fetch sends
``If-None-Match`` / ``If-Modified-Since``, and a ``304 Not Modified`` re-reads the kept
body, so the window's recurring events are expanded afresh without a download. Within
*min_interval* of the last fetch (the ``ics_refresh_minutes`` setting) nothing is sent.
``file://`` URLs are read in a worker thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import httpx

from launcher.core.errors import (
    AuthenticationRequired,
    NotFound,
    ProtocolViolation,
    ProviderUnavailable,
)
from launcher.core.fetch import CalendarFetch
from launcher.core.models import Account, Meeting, Provider
from launcher.providers.http import HttpRequest, HttpResponse, raise_for_common, send
from launcher.providers.ics.protocol import CalendarData, ParsedCalendar, expand, read_ics

log = logging.getLogger("launcher.ics")

PROVIDER = Provider.ICS.value
MAX_REDIRECTS = 5
#: A calendar larger than this is refused (a wrong URL serving a video, say).
MAX_BYTES = 50 * 1024 * 1024


class FetchStore(Protocol):
    """Where the last download of each subscription is kept (the database's store)."""

    def get(self, account: str) -> CalendarFetch | None:
        """Return the last fetch of *account*, if any."""
        ...

    def put(self, account: str, fetch: CalendarFetch) -> bool:
        """Keep *fetch* as the last one of *account*."""
        ...

    def touch(self, account: str, when: dt.datetime) -> None:
        """Record that *account* was asked at *when* and had not changed."""
        ...


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fetch_url(url: str) -> str:
    """Return the URL to fetch for a subscription address (``webcal://`` → ``https://``)."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme.lower() in {"webcal", "webcals"}:
        return urllib.parse.urlunsplit(("https", *parts[1:]))
    return url.strip()


def file_path(url: str) -> Path | None:
    """Return the local path of a ``file://`` URL, or None for any other URL."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() != "file":
        return None
    return Path(urllib.request.url2pathname(parts.path))


def local_tz() -> dt.tzinfo:
    """Return the computer's time zone, with its DST rules (for floating times)."""
    from dateutil import tz  # icalendar's own dependency

    zone: dt.tzinfo = tz.tzlocal()
    return zone


class IcsClient:
    """Lists the occurrences of an ICS subscription or file in a window."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        account: Account,
        *,
        store: FetchStore | None = None,
        min_interval: dt.timedelta = dt.timedelta(0),
        clock: Callable[[], dt.datetime] = _utcnow,
        default_tz: dt.tzinfo | None = None,
    ) -> None:
        self._http = http
        self._account = account
        self._store = store
        self._min_interval = min_interval
        self._clock = clock
        self._tz = default_tz
        self._last: CalendarFetch | None = None
        self._loaded = False
        #: The last body read, and what reading it gave (reused while it is unchanged).
        self._read: tuple[bytes, CalendarData] | None = None
        #: What the last fetch did: "fetched", "not modified", "recent" or "file".
        self.last_outcome = ""

    @property
    def account(self) -> Account:
        """The account this client reads."""
        return self._account

    async def list_meetings(
        self, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> Sequence[Meeting]:
        """Return the occurrences overlapping [start, end) (a year ahead without *end*)."""
        return (await self.read(start, end)).meetings

    async def read(
        self, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> ParsedCalendar:
        """Fetch (or re-read) the calendar and parse it in a worker thread."""
        body = await self._body()
        tz = self._tz if self._tz is not None else await asyncio.to_thread(local_tz)
        kept = self._read
        if kept is not None and kept[0] is body:
            data = kept[1]  # not modified: skip icalendar's parser, the costly part
        else:
            data = await asyncio.to_thread(read_ics, body, provider=Provider.ICS, default_tz=tz)
            self._read = (body, data)
        return await asyncio.to_thread(
            expand,
            data,
            account=self._account.name,
            provider=Provider.ICS,
            start=start,
            end=end,
            username=self._account.username,
        )

    # ------------------------------------------------------------ fetching

    async def _body(self) -> bytes:
        url = fetch_url(self._account.base_url)
        path = file_path(url)
        if path is not None:
            self.last_outcome = "file"
            return await asyncio.to_thread(_read_file, path)
        last = await self._previous(url)
        now = self._clock()
        if last is not None and self._min_interval and now - last.fetched_at < self._min_interval:
            self.last_outcome = "recent"
            return last.body
        headers: dict[str, str] = {"Accept": "text/calendar, */*;q=0.5"}
        if last is not None and last.etag:
            headers["If-None-Match"] = last.etag
        if last is not None and last.last_modified:
            headers["If-Modified-Since"] = last.last_modified
        response = await self._get(url, headers)
        if response.status == 304:
            if last is None:
                raise ProtocolViolation(
                    PROVIDER, "the server answered 304 Not Modified to a plain request"
                )
            self.last_outcome = "not modified"
            self._last = dataclasses.replace(last, fetched_at=now)
            await self._keep(touch=now)
            return last.body
        _check(response)
        if len(response.body) > MAX_BYTES:
            raise ProtocolViolation(PROVIDER, "the calendar is larger than 50 MB; not read")
        self.last_outcome = "fetched"
        self._last = CalendarFetch(
            url, response.body, now, response.header("etag"), response.header("last-modified")
        )
        await self._keep()
        return response.body

    async def _previous(self, url: str) -> CalendarFetch | None:
        if not self._loaded and self._store is not None:
            self._last = await asyncio.to_thread(self._store.get, self._account.name)
        self._loaded = True
        if self._last is not None and self._last.url != url:
            self._last = None  # the address changed: start afresh
        return self._last

    async def _keep(self, *, touch: dt.datetime | None = None) -> None:
        if self._store is None or self._last is None:
            return
        try:
            if touch is not None:
                await asyncio.to_thread(self._store.touch, self._account.name, touch)
            else:
                await asyncio.to_thread(self._store.put, self._account.name, self._last)
        except Exception as exc:  # keeping validators is an optimisation, never fatal
            log.warning("could not keep the calendar of %s: %s", self._account.name, exc)

    async def _get(self, url: str, headers: dict[str, str]) -> HttpResponse:
        for _ in range(MAX_REDIRECTS + 1):
            response = await send(
                self._http, HttpRequest("GET", url, headers=headers), provider=PROVIDER
            )
            location = response.header("location")
            if response.status not in {301, 302, 303, 307, 308} or not location:
                return response
            url = urllib.parse.urljoin(url, location)
            if urllib.parse.urlsplit(url).scheme.lower() not in {"http", "https"}:
                raise ProtocolViolation(
                    PROVIDER, "the calendar address redirects to a non-web link"
                )
        raise ProtocolViolation(PROVIDER, "the calendar address redirects too many times")


def _check(response: HttpResponse) -> None:
    if 200 <= response.status < 300:
        return
    raise_for_common(PROVIDER, response)
    if response.status == 403:
        raise AuthenticationRequired(
            PROVIDER, "the calendar server refused access (HTTP 403); check the link", status=403
        )
    if response.status in {404, 410}:
        raise NotFound(
            PROVIDER,
            f"the calendar was not found (HTTP {response.status}); the link may have been "
            "reset: copy it again from your calendar's sharing settings",
            status=response.status,
        )
    raise ProviderUnavailable(
        PROVIDER, f"the calendar server answered HTTP {response.status}", status=response.status
    )


def _read_file(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ProtocolViolation(PROVIDER, f"the file {path} is larger than 50 MB; not read")
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFound(PROVIDER, f"the file {path} was not found") from None
    except IsADirectoryError:
        raise NotFound(PROVIDER, f"{path} is a folder, not an ICS file") from None
    except OSError as exc:
        raise ProviderUnavailable(
            PROVIDER, f"the file {path} could not be read ({exc.strerror})"
        ) from None


__all__ = ["IcsClient", "fetch_url", "file_path", "local_tz"]
