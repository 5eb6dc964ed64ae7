"""join.me API client: a thin async shell over the pure protocol and the shared httpx client."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

import httpx

from launcher.core.errors import AuthenticationRequired, ConfigError
from launcher.core.models import Account, Credentials, Meeting, Provider, StartedMeeting
from launcher.providers.http import HttpRequest, HttpResponse, parse_off_loop, send
from launcher.providers.joinme import protocol as p
from launcher.providers.joinme.protocol import MeetingPatch, ScheduleDraft

log = logging.getLogger("launcher.providers.joinme")


class JoinMeClient:
    """Lists, schedules, updates, deletes and starts the account's join.me meetings.

    Every input is validated before a request is sent; every failure is one of
    :mod:`launcher.core.errors`. The presenter link of a started meeting is returned,
    never logged.
    """

    def __init__(self, http: httpx.AsyncClient, account: Account, credentials: Credentials) -> None:
        if account.provider is not Provider.JOINME:
            raise ConfigError(f"account {account.name!r} is not a join.me account")
        self._http = http
        self._account = account
        self._credentials = credentials
        self._base = account.base_url.rstrip("/")

    def __repr__(self) -> str:
        return f"JoinMeClient(account={self._account.name!r})"

    @property
    def account(self) -> Account:
        """The account this client speaks for."""
        return self._account

    def _token(self) -> str:
        token = self._credentials.token
        if not token:
            raise AuthenticationRequired(
                p.PROVIDER, "no access token is stored for this account; sign in to join.me"
            )
        return token

    async def _send(self, request: HttpRequest) -> HttpResponse:
        return await send(self._http, request, provider=p.PROVIDER)

    async def list_meetings(
        self, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> list[Meeting]:
        """Return the upcoming scheduled meetings overlapping ``[start, end)``.

        ``end`` is passed to join.me as ``endDate``; ``start`` is applied here (the API
        returns upcoming meetings only and has no start filter).
        """
        request = p.build_list_meetings(self._base, self._token(), end=end)
        meetings = await parse_off_loop(
            p.parse_list_meetings, await self._send(request), account=self._account.name
        )
        kept = p.overlapping(meetings, start, end)
        log.debug(
            "join.me %s: %d meetings (%d listed)", self._account.name, len(kept), len(meetings)
        )
        return kept

    async def get_meeting(self, meeting_id: str) -> Meeting:
        """Return one scheduled meeting; NotFound if it does not exist."""
        request = p.build_get_meeting(self._base, self._token(), meeting_id)
        return p.parse_get_meeting(await self._send(request), self._account.name)

    async def schedule_meeting(self, draft: ScheduleDraft) -> Meeting:
        """Schedule a meeting; the draft is validated before anything is sent."""
        valid = p.validate_schedule(draft)
        request = p.build_schedule_meeting(self._base, self._token(), valid)
        return p.parse_schedule_meeting(await self._send(request), self._account.name)

    async def update_meeting(self, meeting_id: str, patch: MeetingPatch) -> Meeting:
        """Change some fields of a meeting and return the updated meeting.

        ``patch.participants`` replaces the whole invitation list. When the patch moves
        only one of start and end, the current meeting is fetched first so that the
        merged times are checked (start before end, within 14 days) before the PATCH;
        only the fields the patch sets are sent. An empty patch sends nothing and
        returns the meeting as it is.
        """
        mid = p.validate_meeting_id(meeting_id)
        valid = p.validate_patch(None, patch)
        if valid.empty:
            return await self.get_meeting(mid)
        if (valid.start is None) != (valid.end is None):
            current = await self.get_meeting(mid)
            valid = p.validate_patch(current, valid)
        request = p.build_update_meeting(self._base, self._token(), mid, valid)
        return p.parse_update_meeting(await self._send(request), self._account.name)

    async def delete_meeting(self, meeting_id: str) -> None:
        """Cancel a scheduled meeting; NotFound if it does not exist (any more)."""
        request = p.build_delete_meeting(self._base, self._token(), meeting_id)
        p.parse_delete_meeting(await self._send(request))

    async def start_meeting(
        self,
        meeting_id: str | None = None,
        *,
        personal_url: bool = False,
        headless: bool = False,
        viewer_app_detection: bool | None = None,
        webhooks: Mapping[str, object] | None = None,
    ) -> StartedMeeting:
        """Start an ad hoc meeting (no ID) or a scheduled one; return its links.

        The presenter link is a one-time login valid for ten minutes: open it at once.
        ``headless`` hides the viewer's top controls and, unless
        ``viewer_app_detection`` is given, keeps viewers in the browser so that all of
        them see it. ``webhooks`` (``meeting.start`` / ``meeting.end``) are passed on;
        join.me's answer about them is in ``StartedMeeting.webhooks_status``.
        """
        request = p.build_start_meeting(
            self._base,
            self._token(),
            meeting_id,
            personal_url=personal_url,
            headless=headless,
            viewer_app_detection=viewer_app_detection,
            webhooks=webhooks,
        )
        started = p.parse_start_meeting(await self._send(request))
        log.info("join.me %s: meeting started", self._account.name)
        return started


if TYPE_CHECKING:
    from launcher.providers.base import MeetingLister, MeetingStarter

    def _conforms(client: JoinMeClient) -> tuple[MeetingLister, MeetingStarter]:
        return client, client
