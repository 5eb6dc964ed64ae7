"""Skype for Business UCWA client: sign-in by hypermedia, online meetings, joining."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable

import httpx

from launcher import __version__
from launcher.core.errors import (
    AuthenticationRequired,
    ConfigError,
    InvalidInput,
    JoinFailed,
    ProtocolViolation,
    ProviderUnavailable,
    Rejected,
)
from launcher.core.models import Account, Credentials, Meeting, Provider
from launcher.providers.base import JoinProgress
from launcher.providers.http import HttpRequest, HttpResponse, parse_off_loop, send
from launcher.providers.skype import protocol
from launcher.providers.skype.protocol import Application, EventBatch, JoinTracker

log = logging.getLogger("launcher.providers.skype")

Clock = Callable[[], float]
_Build = Callable[[Application, "str | None"], HttpRequest]

#: Most ``_links.redirect`` hops followed while signing in (the user is homed elsewhere).
MAX_REDIRECTS = 3
#: Re-grant the token when less than this many seconds of its life are left.
TOKEN_RENEW_MARGIN = 300.0
#: The longest long-poll the event channel accepts, in seconds.
MAX_POLL_TIMEOUT = 1800.0
DEFAULT_JOIN_DEADLINE = 600.0


class SkypeClient:
    """A UCWA 2.0 client for one Skype for Business (on-premises) account.

    ``account.base_url`` is the autodiscovery URL; everything else is found by
    following links (relative links resolve against the URL that served them).
    Sign-in uses the password grant with ``credentials.username``/``password``
    (``account.username`` if the credentials carry no user name). One UCWA
    application is created per client instance (``endpointId`` is a fresh uuid4)
    and recreated silently when the server reports ``ApplicationNotFound``.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        account: Account,
        credentials: Credentials,
        *,
        poll_timeout: float = protocol.DEFAULT_POLL_TIMEOUT,
        join_deadline: float = DEFAULT_JOIN_DEADLINE,
        culture: str = "en-US",
        clock: Clock = time.monotonic,
    ) -> None:
        if account.provider is not Provider.SKYPE:
            raise ConfigError(f"account {account.name!r} is not a Skype for Business account")
        if not 0 < poll_timeout <= MAX_POLL_TIMEOUT:
            raise ValueError(f"poll_timeout must be in (0, {MAX_POLL_TIMEOUT:g}] seconds")
        if not join_deadline > 0:
            raise ValueError("join_deadline must be positive")
        self._http = http
        self._account = account
        self._credentials = credentials
        self._poll_timeout = float(poll_timeout)
        self._join_deadline = float(join_deadline)
        self._culture = culture
        self._clock = clock
        self._endpoint_id = str(uuid.uuid4())
        self._user_agent = f"MeetingLauncher/{__version__}"
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._token_url: str | None = None
        self._token_expires_at = 0.0
        self._applications_url: str | None = None
        self._app: Application | None = None
        self._events_url: str | None = None
        self._joining = False

    def __repr__(self) -> str:
        return f"SkypeClient(account={self._account.name!r})"

    @property
    def endpoint_id(self) -> str:
        """The ``endpointId`` this client instance registers its application with."""
        return self._endpoint_id

    async def sign_in(self) -> None:
        """Sign in now: discovery, the password grant and a new application.

        Raises AuthenticationRequired when the user name or password is refused, and
        the usual provider errors when the discovery URL leads nowhere.
        """
        await self._ensure_app()

    # ---- meetings ----------------------------------------------------------------------

    async def list_meetings(
        self, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> list[Meeting]:
        """Return the user's online meetings (``myOnlineMeetings``).

        Online meetings are standing meeting spaces with no scheduled time, so *end*
        does not filter; meetings that expired before *start* are left out.
        """
        start = _aware("start", start)
        _aware("end", end)
        app, _ = await self._ensure_app()
        if app.my_online_meetings_href is None:
            return []  # the account has no online-meeting features
        resp, app = await self._call(
            lambda a, tok: protocol.build_get(_require(a.my_online_meetings_href), tok)
        )
        meetings = await parse_off_loop(
            protocol.parse_my_online_meetings,
            resp,
            account=self._account.name,
            user_uri=self._user_uri(app),
        )
        return [m for m in meetings if protocol.still_open(m, start)]

    # ---- joining -----------------------------------------------------------------------

    def join(
        self, online_meeting_uri: str, *, subject: str | None = None
    ) -> AsyncIterator[JoinProgress]:
        """Join the meeting at *online_meeting_uri* and report progress until joined.

        Inputs are checked before anything is sent (InvalidInput ``online_meeting_uri``,
        ``subject``). Yields ``connecting``, ``lobby`` and finally ``joined``; raises
        :class:`JoinFailed` with a user-facing message when the join fails or does not
        complete before the deadline (``code="timeout"``).
        """
        operation_id = uuid.uuid4().hex
        uri, text = protocol.validate_join(online_meeting_uri, subject, operation_id)
        return self._join(uri, text, operation_id)

    async def _join(
        self, uri: str, subject: str | None, operation_id: str
    ) -> AsyncIterator[JoinProgress]:
        if self._joining:
            raise Rejected(
                protocol.PROVIDER,
                "another join is already under way for this account; wait for it to finish",
                code="JoinInProgress",
            )
        self._joining = True
        try:
            deadline = self._clock() + self._join_deadline
            tracker, app = await self._post_join(uri, subject, operation_id)
            last = tracker.posted()
            if last is not None:
                yield last
            rejoined = False
            while True:
                remaining = deadline - self._clock()
                if remaining <= 0:
                    raise self._timed_out()
                try:
                    batch, poll_app = await asyncio.wait_for(self._poll(), timeout=remaining)
                except TimeoutError:
                    raise self._timed_out() from None
                if poll_app is not app:
                    # The application was recreated under us: the join went with it.
                    if rejoined:
                        raise JoinFailed(
                            protocol.PROVIDER,
                            "The connection to Skype for Business was lost while joining; "
                            "try again.",
                            code="ApplicationNotFound",
                        )
                    rejoined = True
                    log.info("UCWA application lost during a join; joining again")
                    tracker, app = await self._post_join(uri, subject, uuid.uuid4().hex)
                    continue
                for event in batch.events:
                    progress = tracker.feed(event)
                    if progress is not None and progress != last:
                        last = progress
                        yield progress
                    if tracker.done:
                        return
        finally:
            self._joining = False

    def _timed_out(self) -> JoinFailed:
        minutes = self._join_deadline / 60
        if minutes >= 1:
            span = f"{minutes:g} minute{'' if minutes == 1 else 's'}"
        else:
            span = f"{self._join_deadline:g} seconds"
        return JoinFailed(
            protocol.PROVIDER,
            f"The join did not complete within {span}; nobody let you in, or the server "
            "did not answer. Try again.",
            code="timeout",
        )

    async def _post_join(
        self, uri: str, subject: str | None, operation_id: str
    ) -> tuple[JoinTracker, Application]:
        app, _ = await self._ensure_app()
        if app.join_href is None:
            raise Rejected(
                protocol.PROVIDER,
                "this server does not let this account join meetings",
                code="NotSupported",
            )
        resp, app = await self._call(
            lambda a, tok: protocol.build_join(
                _require(a.join_href),
                tok,
                online_meeting_uri=uri,
                operation_id=operation_id,
                subject=subject,
            )
        )
        invitation = protocol.parse_join(resp)
        return JoinTracker(operation_id, invitation), app

    async def _poll(self) -> tuple[EventBatch, Application]:
        """One P-GET of the event channel, always continuing from the last ``next``."""
        replaced = False
        while True:
            resp, app = await self._call(
                lambda a, tok: protocol.build_events(
                    self._events_url or a.events_href, tok, timeout=self._poll_timeout
                )
            )
            err = protocol.error_of(resp)
            if err is not None and err.status == 409 and err.subcode == "PGetReplaced":
                if not replaced:
                    replaced = True  # another P-GET took our place: ask once more
                    continue
                raise Rejected(
                    protocol.PROVIDER,
                    "another program is listening for this account's events; close it and "
                    "try again",
                    status=409,
                    code="PGetReplaced",
                )
            batch = protocol.parse_events(resp)
            if self._app is app:
                self._events_url = batch.follow
            return batch, app

    # ---- plumbing: every API call ------------------------------------------------------

    async def _call(self, build: _Build) -> tuple[HttpResponse, Application]:
        """Send a request built from the current application and token.

        A 401 re-grants the token once; ``404 ApplicationNotFound`` recreates the
        application once, silently; then the request is built again and retried.
        """
        regranted = recreated = False
        while True:
            app, token = await self._ensure_app()
            resp = await send(self._http, build(app, token), provider=protocol.PROVIDER)
            if resp.status == 401 and not regranted:
                regranted = True
                log.info("UCWA token refused; signing in again")
                async with self._lock:
                    await self._regrant()
                continue
            err = protocol.error_of(resp)
            if err is not None and err.subcode == "ApplicationNotFound" and err.status == 404:
                self._forget_app(app)
                if not recreated:
                    recreated = True
                    log.info("UCWA application not found; creating a new one")
                    continue
            elif (
                err is not None
                and err.status == 410
                and err.subcode
                in (
                    "InactiveApplicationExpired",
                    "TooManyApplications",
                )
            ):
                self._forget_app(app)
            return resp, app

    def _forget_app(self, app: Application) -> None:
        if self._app is app:
            self._app = None
            self._events_url = None

    async def _ensure_app(self) -> tuple[Application, str | None]:
        async with self._lock:
            if self._applications_url is None:
                await self._sign_in()
            elif (
                self._token_url is not None
                and self._token_expires_at - self._clock() < TOKEN_RENEW_MARGIN
            ):
                log.info("UCWA token about to expire; renewing it")
                await self._grant(self._token_url)
            app = self._app or await self._create_application()
            return app, self._token

    async def _regrant(self) -> None:
        if self._token_url is not None:
            await self._grant(self._token_url)
        else:
            self._applications_url = None
            await self._sign_in()

    async def _sign_in(self) -> None:
        """Discovery → user → 401 challenge → token → user (→ redirect …) → applications."""
        url = self._account.base_url
        self._token = self._token_url = None
        granted_for: str | None = None
        redirects = 0
        for _ in range(4 * (MAX_REDIRECTS + 1)):
            resp = await send(
                self._http, protocol.build_get(url, self._token), provider=protocol.PROVIDER
            )
            if resp.status == 401:
                if granted_for == url:
                    raise AuthenticationRequired(
                        protocol.PROVIDER,
                        "the server refused the new sign-in; check the account",
                        status=401,
                    )
                challenge = protocol.parse_challenge(resp)
                if challenge.grant_types and "password" not in challenge.grant_types:
                    raise Rejected(
                        protocol.PROVIDER,
                        "this server does not allow sign-in with a user name and password",
                        status=401,
                        code="unsupported_grant_type",
                    )
                await self._grant(challenge.token_url)
                granted_for = url
                continue
            links = protocol.parse_links(resp)
            if links.applications is not None:
                self._applications_url = links.applications
                return
            if links.redirect is not None:
                redirects += 1
                if redirects > MAX_REDIRECTS:
                    raise ProviderUnavailable(
                        protocol.PROVIDER,
                        "the server kept sending us to other servers; try again later",
                    )
                log.info("UCWA user is homed on another pool; following the redirect")
                url = links.redirect
                self._token = self._token_url = None
                granted_for = None
                continue
            url = _require(links.user)
        raise ProtocolViolation(protocol.PROVIDER, "sign-in did not lead to the applications link")

    async def _grant(self, token_url: str) -> None:
        username = (self._credentials.username or self._account.username or "").strip()
        password = self._credentials.password
        if not username or not password:
            raise AuthenticationRequired(
                protocol.PROVIDER,
                "sign-in needed: add the account's user name and password",
            )
        granted_at = self._clock()
        resp = await send(
            self._http,
            protocol.build_token(token_url, username, password),
            provider=protocol.PROVIDER,
        )
        token = protocol.parse_token(resp)
        self._token = token.access_token
        self._token_url = token_url
        self._token_expires_at = granted_at + token.expires_in

    async def _create_application(self) -> Application:
        applications = _require(self._applications_url)
        regranted = False
        while True:
            request = protocol.build_create_application(
                applications,
                self._token,
                user_agent=self._user_agent,
                endpoint_id=self._endpoint_id,
                culture=self._culture,
            )
            resp = await send(self._http, request, provider=protocol.PROVIDER)
            if resp.status == 401 and not regranted:
                regranted = True
                await self._regrant()
                continue
            app = protocol.parse_application(resp)
            self._app = app
            self._events_url = app.events_href
            return app

    def _user_uri(self, app: Application) -> str | None:
        if app.me_uri:
            return app.me_uri
        username = self._credentials.username or self._account.username
        return f"sip:{username}" if username and "@" in username else None


def _require(href: str | None) -> str:
    if href is None:
        raise ProtocolViolation(protocol.PROVIDER, "the server did not offer a needed link")
    return href


def _aware(field: str, value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(field, "must include a time zone")
    return value.astimezone(dt.UTC)
