"""Whereby API client: a thin async shell over the pure protocol and the shared httpx client."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from launcher.core.errors import AuthenticationRequired, ConfigError, ProtocolViolation
from launcher.core.models import Account, Credentials, Meeting, Provider, Room
from launcher.providers.http import HttpRequest, HttpResponse, send
from launcher.providers.whereby import protocol as p
from launcher.providers.whereby.protocol import RoomDraft

log = logging.getLogger("launcher.providers.whereby")

#: Stop following cursors after this many pages: a server bug must not loop forever.
MAX_PAGES = 10_000
#: Fewer rooms than this are mapped to meetings on the event loop (a thread costs more).
_ROOMS_ON_LOOP = 100


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class WherebyClient:
    """Creates, lists, fetches and deletes the organisation's Whereby transient rooms.

    ``clock`` returns the current aware time; it decides whether a room's end is in
    the past before anything is sent (tests pass a fixed one).
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        account: Account,
        credentials: Credentials,
        *,
        clock: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        if account.provider is not Provider.WHEREBY:
            raise ConfigError(f"account {account.name!r} is not a Whereby account")
        self._http = http
        self._account = account
        self._credentials = credentials
        self._base = account.base_url.rstrip("/")
        self._clock = clock

    def __repr__(self) -> str:
        return f"WherebyClient(account={self._account.name!r})"

    @property
    def account(self) -> Account:
        """The account this client speaks for."""
        return self._account

    def _key(self) -> str:
        key = self._credentials.api_key
        if not key:
            raise AuthenticationRequired(
                p.PROVIDER, "no API key is stored for this account; add it in the account settings"
            )
        return key

    async def _send(self, request: HttpRequest) -> HttpResponse:
        return await send(self._http, request, provider=p.PROVIDER)

    async def create_room(self, draft: RoomDraft) -> Room:
        """Create a transient room; the draft is validated before anything is sent."""
        valid = p.validate_room(draft, self._clock())
        request = p.build_create_room(self._base, self._key(), valid)
        room = p.parse_create_room(await self._send(request))
        log.info("Whereby %s: room %s created", self._account.name, room.id)
        return room

    async def get_room(
        self, room_id: str, *, host_url: bool = False, viewer_url: bool = False
    ) -> Room:
        """Return one room, with its host / viewer URLs if asked; NotFound if it is gone."""
        request = p.build_get_room(
            self._base, self._key(), room_id, host_url=host_url, viewer_url=viewer_url
        )
        return p.parse_get_room(await self._send(request))

    async def list_rooms(
        self, *, host_url: bool = False, viewer_url: bool = False, page_size: int = p.MAX_PAGE_SIZE
    ) -> list[Room]:
        """Return every room, following the cursor through all pages.

        A room seen on an earlier page is not repeated. A server that hands back a
        cursor it already gave, or more than :data:`MAX_PAGES` pages, is reported as a
        ProtocolViolation rather than followed forever.
        """
        key = self._key()
        rooms: list[Room] = []
        seen_ids: set[str] = set()
        seen_cursors: set[str] = set()
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            request = p.build_list_rooms(
                self._base,
                key,
                cursor=cursor,
                page_size=page_size,
                host_url=host_url,
                viewer_url=viewer_url,
            )
            page, cursor = p.parse_list_page(await self._send(request))
            for room in page:
                if room.id not in seen_ids:
                    seen_ids.add(room.id)
                    rooms.append(room)
            if cursor is None:
                return rooms
            if cursor in seen_cursors:
                raise ProtocolViolation(
                    p.PROVIDER, "the room list kept returning the same page; stopped reading it"
                )
            seen_cursors.add(cursor)
        raise ProtocolViolation(
            p.PROVIDER, f"the room list did not end after {MAX_PAGES} pages; stopped reading it"
        )

    async def check_key(self) -> None:
        """Check the API key with the cheapest request there is (one room, one page).

        AuthenticationRequired when Whereby refuses the key; ProviderUnavailable when
        Whereby cannot be reached.
        """
        request = p.build_list_rooms(self._base, self._key(), page_size=1)
        p.parse_list_page(await self._send(request))

    async def delete_room(self, room_id: str) -> None:
        """Delete a room. Deleting a room that is already gone succeeds too."""
        request = p.build_delete_room(self._base, self._key(), room_id)
        p.parse_delete_room(await self._send(request))

    async def list_meetings(
        self, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> list[Meeting]:
        """Return the rooms overlapping ``[start, end)`` as meetings the user hosts.

        The API cannot filter by time, so every room is listed (with host and viewer
        URLs) and filtered here.
        """
        rooms = await self.list_rooms(host_url=True, viewer_url=True)
        account = self._account.name

        def to_meetings() -> list[Meeting]:
            meetings = [p.room_to_meeting(room, account) for room in rooms]
            return p.overlapping(meetings, start, end)

        if len(rooms) < _ROOMS_ON_LOOP:
            return to_meetings()
        # A thousand rooms take milliseconds to map: beside the event loop, as the
        # large answers of the other services are parsed (providers.http.parse_off_loop).
        return await asyncio.to_thread(to_meetings)


if TYPE_CHECKING:
    from launcher.providers.base import MeetingLister, RoomCreator

    def _conforms(client: WherebyClient) -> tuple[MeetingLister, RoomCreator]:
        return client, client
