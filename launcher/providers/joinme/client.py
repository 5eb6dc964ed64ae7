"""join.me API client: a thin async shell over the pure protocol and the shared httpx client."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

import httpx

from launcher.core.errors import AuthenticationRequired, ConfigError
from launcher.core.models import Account, Credentials, Meeting, Provider, StartedMeeting
from launcher.providers.http import HttpRequest, HttpResponse, parse_off_loop, send
from launcher.providers.joinme import oauth
from launcher.providers.joinme import protocol as p
from launcher.providers.joinme.oauth import TokenSet
from launcher.providers.joinme.protocol import MeetingPatch, ScheduleDraft

log = logging.getLogger("launcher.providers.joinme")

#: Called with the new tokens after a refresh, to keep them (the secret store).
TokenSaver = Callable[[TokenSet], Awaitable[None]]
Build = Callable[[str], HttpRequest]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class JoinMeClient:
    """Lists, schedules, updates, deletes and starts the account's join.me meetings.

    Every input is validated before a request is sent; every failure is one of
    :mod:`launcher.core.errors`. The presenter link of a started meeting is returned,
    never logged.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        account: Account,
        credentials: Credentials,
        *,
        on_tokens: TokenSaver | None = None,
        clock: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        if account.provider is not Provider.JOINME:
            raise ConfigError(f"account {account.name!r} is not a join.me account")
        self._http = http
        self._account = account
        self._credentials = credentials
        self._base = account.base_url.rstrip("/")
        self._auth = oauth.auth_base(account.base_url)
        self._access = credentials.token or None
        self._refresh_token = credentials.refresh_token or None
        self._expires = credentials.token_expires
        self._on_tokens = on_tokens
        self._clock = clock
        self._refresh_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"JoinMeClient(account={self._account.name!r})"

    @property
    def account(self) -> Account:
        """The account this client speaks for."""
        return self._account

    def _token(self) -> str:
        token = self._access
        if not token:
            raise AuthenticationRequired(
                p.PROVIDER, "no access token is stored for this account; sign in to join.me"
            )
        return token

    async def _send(self, request: HttpRequest) -> HttpResponse:
        return await send(self._http, request, provider=p.PROVIDER)

    async def _call(self, build: Build) -> HttpResponse:
        """Send the request *build* makes with a valid token.

        The request is built (and its input validated) before anything is sent. An
        access token at the end of its life is renewed first; a 401 saying the token
        ran out is answered with one silent refresh and a retry (a refused request was
        not carried out, so repeating it is safe). ``stale_token`` is not refreshed:
        the user has to approve the app again.
        """
        token = self._token()
        request = build(token)
        if self._refresh_token and oauth.needs_refresh(self._expires, self._clock()):
            token = await self._refresh(token)
            request = build(token)
        resp = await self._send(request)
        if self._refresh_token and p.refreshable(resp):
            log.info("join.me %s: access token refused; renewing it", self._account.name)
            token = await self._refresh(token)
            resp = await self._send(build(token))
        return resp

    async def _refresh(self, failed: str) -> str:
        """Renew the access token (once for concurrent callers) and return the new one."""
        async with self._refresh_lock:
            if self._access and self._access != failed:
                return self._access  # another request renewed it meanwhile
            refresh = self._refresh_token
            if not refresh:
                raise AuthenticationRequired(
                    p.PROVIDER, "the join.me sign-in has expired; sign in to join.me again"
                )
            resp = await send(
                self._http, oauth.build_refresh(self._auth, refresh_token=refresh),
                provider=p.PROVIDER,
            )
            try:
                tokens = oauth.parse_token(resp, now=self._clock(), previous_refresh=refresh)
            except AuthenticationRequired:
                self._refresh_token = None  # refused: do not try it again
                raise
            self._access = tokens.access_token
            self._refresh_token = tokens.refresh_token
            self._expires = tokens.expires_at
            log.info("join.me %s: access token renewed", self._account.name)
            if self._on_tokens is not None:
                try:
                    await self._on_tokens(tokens)
                except Exception as exc:  # the renewed token still works for this run
                    log.warning("join.me %s: the renewed sign-in could not be saved (%s)",
                                self._account.name, type(exc).__name__)
            return tokens.access_token

    async def user_email(self) -> str | None:
        """Return the signed-in user's e-mail address (checks the token on the way)."""
        resp = await self._call(lambda t: p.build_get_user(self._base, t))
        return p.parse_user_email(resp)

    async def list_meetings(
        self, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> list[Meeting]:
        """Return the upcoming scheduled meetings overlapping ``[start, end)``.

        ``end`` is passed to join.me as ``endDate``; ``start`` is applied here (the API
        returns upcoming meetings only and has no start filter).
        """
        resp = await self._call(lambda t: p.build_list_meetings(self._base, t, end=end))
        meetings = await parse_off_loop(
            p.parse_list_meetings, resp, account=self._account.name
        )
        kept = p.overlapping(meetings, start, end)
        log.debug(
            "join.me %s: %d meetings (%d listed)", self._account.name, len(kept), len(meetings)
        )
        return kept

    async def get_meeting(self, meeting_id: str) -> Meeting:
        """Return one scheduled meeting; NotFound if it does not exist."""
        resp = await self._call(lambda t: p.build_get_meeting(self._base, t, meeting_id))
        return p.parse_get_meeting(resp, self._account.name)

    async def schedule_meeting(self, draft: ScheduleDraft) -> Meeting:
        """Schedule a meeting; the draft is validated before anything is sent."""
        valid = p.validate_schedule(draft)
        resp = await self._call(lambda t: p.build_schedule_meeting(self._base, t, valid))
        return p.parse_schedule_meeting(resp, self._account.name)

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
        final = valid
        resp = await self._call(lambda t: p.build_update_meeting(self._base, t, mid, final))
        return p.parse_update_meeting(resp, self._account.name)

    async def delete_meeting(self, meeting_id: str) -> None:
        """Cancel a scheduled meeting; NotFound if it does not exist (any more)."""
        resp = await self._call(lambda t: p.build_delete_meeting(self._base, t, meeting_id))
        p.parse_delete_meeting(resp)

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
        resp = await self._call(
            lambda t: p.build_start_meeting(
                self._base,
                t,
                meeting_id,
                personal_url=personal_url,
                headless=headless,
                viewer_app_detection=viewer_app_detection,
                webhooks=webhooks,
            )
        )
        started = p.parse_start_meeting(resp)
        log.info("join.me %s: meeting started", self._account.name)
        return started


if TYPE_CHECKING:
    from launcher.providers.base import MeetingLister, MeetingStarter

    def _conforms(client: JoinMeClient) -> tuple[MeetingLister, MeetingStarter]:
        return client, client
