"""BlueJeans client: relay pre-join check and access tokens, Meetings REST listing."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import time
import weakref
from collections.abc import Awaitable, Callable

import httpx

from launcher.core.errors import (
    AuthenticationRequired,
    ConfigError,
    InvalidInput,
    ProtocolViolation,
)
from launcher.core.joinflow import JoinFlowAction
from launcher.core.models import (
    DEFAULT_RELAY_URL,
    DEFAULT_WEB_URLS,
    Account,
    Credentials,
    Meeting,
    Provider,
)
from launcher.providers.bluejeans import protocol
from launcher.providers.http import HttpRequest, HttpResponse, parse_off_loop, send

log = logging.getLogger("launcher.providers.bluejeans")

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
#: Called with a new Meetings REST token and when it runs out, to keep them.
TokenSaver = Callable[["RestSignIn"], Awaitable[None]]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class RelayPacer:
    """Spaces relay requests so one client never exceeds the relay's 2 requests/second.

    An asyncio lock plus the time of the last request: each caller waits until
    ``interval`` has passed since the previous one. The clock and sleep are injectable
    so tests can run on fake time.
    """

    def __init__(
        self,
        interval: float = protocol.RELAY_MIN_INTERVAL,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._last: float | None = None

    async def wait(self) -> None:
        """Return when the next relay request may be sent, and book that moment."""
        async with self._lock:
            now = self._clock()
            if self._last is not None:
                delay = self._last + self._interval - now
                if delay > 0:
                    await self._sleep(delay)
                now = max(self._clock(), self._last + self._interval)
            self._last = now


#: One pacer per relay and event loop, shared by every client of that relay: the limit
#: is the relay's, so a sign-in client and the sync's client must not add up past it.
_SHARED_PACERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, RelayPacer]] = (
    weakref.WeakKeyDictionary()
)


def shared_pacer(relay_url: str) -> RelayPacer:
    """Return the pacer of *relay_url* on the running event loop."""
    loop = asyncio.get_running_loop()
    pacers = _SHARED_PACERS.setdefault(loop, {})
    pacer = pacers.get(relay_url)
    if pacer is None:
        pacer = pacers[relay_url] = RelayPacer()
    return pacer


@dataclasses.dataclass(frozen=True, slots=True)
class _Session:
    token: str = dataclasses.field(repr=False)
    user_id: str
    expires_at: float


@dataclasses.dataclass(frozen=True, slots=True)
class RestSignIn:
    """A Meetings REST access token, when it runs out (aware UTC) and whose it is."""

    token: str = dataclasses.field(repr=False)
    expires_at: dt.datetime
    user_id: str


class BlueJeansClient:
    """BlueJeans relay pre-join check plus the Meetings REST API's scheduled meetings.

    The relay (``account.relay_url``) answers the pre-join check and issues relay access
    tokens; ``credentials.relay_token`` is the relay token. The Meetings REST API
    (``account.base_url``) is used with ``credentials.token`` (an access token from an
    earlier sign-in, valid until ``credentials.token_expires``), renewed with the
    client-credentials grant (``credentials.client_id``/``client_secret`` plus
    ``account.username`` as the user's e-mail address) where the account has one. The
    user's password is not kept: :meth:`sign_in` takes it once (``credentials.password``
    given for that call). When the token runs out and nothing can renew it, requests
    raise AuthenticationRequired ("sign-in needed"). Join links are
    ``{account.web_url}/{numericMeetingId}``.
    """

    #: Subtracted from ``expires_in`` so a token is renewed before it runs out.
    TOKEN_SKEW = 60.0

    def __init__(
        self,
        http: httpx.AsyncClient,
        account: Account,
        credentials: Credentials,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        now: Callable[[], dt.datetime] = _utcnow,
        on_tokens: TokenSaver | None = None,
    ) -> None:
        if account.provider is not Provider.BLUEJEANS:
            raise ConfigError(f"account {account.name!r} is not a BlueJeans account")
        self._http = http
        self._account = account
        self._credentials = credentials
        self._clock = clock
        self._now = now
        self._on_tokens = on_tokens
        self._relay_url = (account.relay_url or DEFAULT_RELAY_URL).rstrip("/")
        self._base_url = account.base_url.rstrip("/")
        self._web_url = (account.web_url or DEFAULT_WEB_URLS[Provider.BLUEJEANS]).rstrip("/")
        self._relay_token: str | None = credentials.relay_token or None
        self._stored_token: str | None = credentials.token or None
        # Fake time in tests gets a pacer of its own; real time shares the relay's.
        self._own_pacer = (
            RelayPacer(clock=clock, sleep=sleep)
            if clock is not time.monotonic or sleep is not asyncio.sleep
            else None
        )
        self._session_lock = asyncio.Lock()
        self._session: _Session | None = None
        self._user_id: str | None = None

    def __repr__(self) -> str:
        return f"BlueJeansClient(account={self._account.name!r})"

    # ---- capabilities ----------------------------------------------------------------

    @property
    def can_list(self) -> bool:
        """Whether the account signs in to the Meetings REST API (else ``list_meetings`` is [])."""
        return (
            self._stored_token is not None
            or self._session is not None
            or protocol.grant_kind(self._credentials, self._rest_username()) is not None
        )

    # ---- relay -------------------------------------------------------------------------

    async def precheck(
        self,
        meeting_id: str,
        *,
        passcode: str | None = None,
        cluster: str | None = None,
        meeting_type: str | None = None,
    ) -> JoinFlowAction | str:
        """Ask the relay whether a join with these parameters goes straight in.

        Returns a :class:`JoinFlowAction`, or the raw answer if this version does not
        know it (never raises for an unknown answer). Inputs are validated before any
        request (InvalidInput ``meeting_id``, ``passcode``, ``cluster``, ``meeting_type``).
        The relay fails open (answers ``JOIN_NOW`` when its own back end fails), so a
        ``JOIN_NOW`` may still meet a passcode prompt in the browser; nothing to do here.
        """
        request = protocol.build_joinflow(
            self._relay_url,
            meeting_id,
            passcode=passcode,
            cluster=cluster,
            meeting_type=meeting_type,
            access_token=self._relay_token,
        )
        resp = await self._send_relay(request)
        return protocol.parse_joinflow(resp)

    async def create_relay_token(self, username: str, password: str) -> str:
        """Exchange a user name and password for a relay access token and return it.

        The password is used for this one request and not kept. The new token is also
        used by this client's later pre-checks (so a "sign in, then re-check" join works).
        """
        request = protocol.build_relay_token(self._relay_url, username, password)
        resp = await self._send_relay(request)
        token = protocol.parse_relay_token(resp)
        self._relay_token = token
        return token

    async def _send_relay(self, request: HttpRequest) -> HttpResponse:
        # Paced before every attempt, retries included: 2 requests/second at most.
        pacer = self._own_pacer or shared_pacer(self._relay_url)
        return await send(self._http, request, provider=protocol.PROVIDER, pace=pacer.wait)

    # ---- Meetings REST -----------------------------------------------------------------

    async def list_meetings(
        self, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> list[Meeting]:
        """Return the user's scheduled meetings overlapping ``[start, end)``.

        The API has no date filter, so the window is applied here. Without REST
        credentials (only a relay token) the answer is ``[]``; see :attr:`can_list`.
        """
        start = _aware("start", start)
        end = _aware("end", end)
        if not self.can_list:
            return []
        resp, user_id = await self._rest(
            lambda s: protocol.build_list_meetings(self._base_url, s.token, s.user_id)
        )
        meetings = await parse_off_loop(
            protocol.parse_meetings,
            resp,
            account=self._account.name,
            user_id=user_id,
            web_url=self._web_url,
        )
        return [m for m in meetings if protocol.in_window(m, start, end)]

    async def get_meeting(self, meeting_id: str) -> Meeting:
        """Return one scheduled meeting by its internal ``id`` (not the numeric meeting ID)."""
        protocol.validate_internal_id(meeting_id)
        if not self.can_list:
            raise AuthenticationRequired(
                protocol.PROVIDER,
                "this account has no sign-in for meeting details; add a user name and "
                "password, or an app key and secret",
            )
        resp, user_id = await self._rest(
            lambda s: protocol.build_get_meeting(self._base_url, s.token, s.user_id, meeting_id)
        )
        return protocol.parse_meeting(
            resp, account=self._account.name, user_id=user_id, web_url=self._web_url
        )

    async def _rest(self, build: Callable[[_Session], HttpRequest]) -> tuple[HttpResponse, str]:
        """Send a REST request with a valid token; on 401 re-grant once and retry."""
        session = await self._ensure_session()
        resp = await send(self._http, build(session), provider=protocol.PROVIDER)
        if resp.status == 401:
            log.info("BlueJeans token refused; signing in again")
            self._drop_session(session)
            session = await self._ensure_session()
            resp = await send(self._http, build(session), provider=protocol.PROVIDER)
        return resp, session.user_id

    def _drop_session(self, session: _Session) -> None:
        if self._session is session:
            self._session = None

    async def sign_in(self) -> RestSignIn:
        """Get a new Meetings REST token with the grant the credentials allow.

        The password grant (``credentials.password`` with the user name) or the
        client-credentials grant; the answer says whose token it is. Raises
        AuthenticationRequired when the credentials are refused.
        """
        async with self._session_lock:
            self._session = None
            self._stored_token = None
            return await self._grant()

    async def _ensure_session(self) -> _Session:
        async with self._session_lock:
            session = self._session
            if session is not None and self._clock() < session.expires_at:
                return session
            self._session = None
            stored = await self._stored_session()
            if stored is not None:
                return stored
            if protocol.grant_kind(self._credentials, self._rest_username()) is None:
                raise AuthenticationRequired(
                    protocol.PROVIDER,
                    "sign-in needed: the BlueJeans sign-in has expired; sign in again",
                    code="expired",
                )
            await self._grant()
            assert self._session is not None
            return self._session

    async def _stored_session(self) -> _Session | None:
        """Use the token kept from an earlier sign-in, if it has not run out.

        It stays available after a refusal: a 401 that was the server's passing trouble
        must not turn into "sign in again" for good; a later refresh checks it anew.
        """
        token = self._stored_token
        if token is None or self._credentials.password:
            return None  # a password given for this run signs in afresh
        expires = self._credentials.token_expires
        left = None if expires is None else (expires - self._now()).total_seconds()
        if left is not None and left <= self.TOKEN_SKEW:
            log.info("BlueJeans %s: the kept sign-in has run out", self._account.name)
            return None
        try:
            user_id, enterprise_id = protocol.parse_token_info(
                await send(
                    self._http,
                    protocol.build_token_info(self._base_url, token),
                    provider=protocol.PROVIDER,
                )
            )
        except AuthenticationRequired:
            log.info("BlueJeans %s: the kept sign-in was refused", self._account.name)
            return None
        if user_id is None:
            grant = protocol.Grant(token, left or protocol.DEFAULT_TOKEN_LIFETIME,
                                   enterprise_id=enterprise_id)
            user_id = self._user_id or await self._lookup_user_id(grant)
        self._user_id = user_id
        lifetime = protocol.DEFAULT_TOKEN_LIFETIME if left is None else left - self.TOKEN_SKEW
        session = _Session(token, user_id, self._clock() + lifetime)
        self._session = session
        return session

    async def _grant(self) -> RestSignIn:
        username = self._rest_username()
        request = protocol.build_token(self._base_url, self._credentials, username=username)
        granted_at, granted_wall = self._clock(), self._now()
        grant = protocol.parse_token(await send(self._http, request, provider=protocol.PROVIDER))
        user_id = grant.user_id or self._user_id or await self._lookup_user_id(grant)
        self._user_id = user_id
        self._session = _Session(
            grant.access_token,
            user_id,
            protocol.token_expiry(granted_at, grant, skew=self.TOKEN_SKEW),
        )
        signed_in = RestSignIn(
            grant.access_token, granted_wall + dt.timedelta(seconds=grant.expires_in), user_id
        )
        if self._on_tokens is not None:
            try:
                await self._on_tokens(signed_in)
            except Exception as exc:  # the token still works for this run
                log.warning("BlueJeans %s: the new sign-in could not be saved (%s)",
                            self._account.name, type(exc).__name__)
        return signed_in

    async def _lookup_user_id(self, grant: protocol.Grant) -> str:
        """Find the user id for a client-credentials token (scope names an enterprise)."""
        email = self._account.username
        if grant.enterprise_id is None:
            raise ProtocolViolation(
                protocol.PROVIDER, "the sign-in answer did not say which user it is for"
            )
        if not email:
            raise ConfigError(
                "This BlueJeans account signs in with an app key: add the user's e-mail "
                "address to the account so their meetings can be found."
            )
        request = protocol.build_enterprise_user(
            self._base_url, grant.access_token, grant.enterprise_id, email
        )
        return protocol.parse_enterprise_user(
            await send(self._http, request, provider=protocol.PROVIDER)
        )

    def _rest_username(self) -> str | None:
        return self._credentials.username or self._account.username


def _aware(field: str, value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(field, "must include a time zone")
    return value.astimezone(dt.UTC)
