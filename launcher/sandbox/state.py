"""The sandbox's mutable world: clock, per-provider data, fault knobs and request counters."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import math
import random
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal, cast, get_args

#: The provider names used in paths, faults and stats (``bluejeans`` covers REST and relay).
ProviderName = Literal["bluejeans", "joinme", "whereby", "skype", "ics"]
PROVIDERS: Final[tuple[ProviderName, ...]] = get_args(ProviderName)

FaultKind = Literal["latency", "status", "rate_limit", "malformed", "drop", "unauthorized"]
FAULT_KINDS: Final[tuple[FaultKind, ...]] = get_args(FaultKind)

Clock = Callable[[], dt.datetime]
JSON = dict[str, Any]


def _system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ----------------------------------------------------------------------------- time helpers


def to_ms(value: dt.datetime) -> int:
    """Milliseconds since the Unix epoch (BlueJeans, relay, UCWA)."""
    return round(value.timestamp() * 1000)


def from_ms(value: int) -> dt.datetime:
    """Convert *value* epoch milliseconds to an aware UTC datetime."""
    return dt.datetime.fromtimestamp(value / 1000.0, tz=dt.UTC)


def format_z(value: dt.datetime) -> str:
    """ISO 8601 in UTC with ``Z``; milliseconds only when the value has them."""
    utc = value.astimezone(dt.UTC)
    if utc.microsecond // 1000:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def ms_date(value: dt.datetime) -> str:
    """Format the ASP.NET AJAX date UCWA uses in JSON: ``/Date(ms)/``."""
    return f"/Date({to_ms(value)})/"


_ISO = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})?$"
)


def parse_iso(text: object) -> dt.datetime:
    """Parse an ISO 8601 date-time; no offset means UTC. Raises ``ValueError``."""
    if not isinstance(text, str) or not _ISO.match(text.strip()):
        raise ValueError("not an ISO 8601 date-time")
    value = text.strip()
    if value[-1] in "Zz":
        value = value[:-1] + "+00:00"
    # fromisoformat in 3.11 accepts at most 6 fraction digits
    value = re.sub(r"(\.\d{6})\d+", r"\1", value)
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


_EMAIL = re.compile(r"^[^@\s\"<>,;:()\[\]]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def is_email(value: object) -> bool:
    """Tell whether *value* is a plausibly well-formed e-mail address."""
    return isinstance(value, str) and len(value) <= 254 and bool(_EMAIL.match(value))


def base_url_of(scope: Mapping[str, Any]) -> str:
    """``scheme://host[:port]`` of the request, from the Host header the client used."""
    scheme = str(scope.get("scheme", "http"))
    host = ""
    for name, value in scope.get("headers", []):
        if name == b"host":
            host = value.decode("latin-1")
            break
    if not host:
        server = scope.get("server")
        if server:
            host = f"{server[0]}:{server[1]}"
        else:
            host = "localhost"
    return f"{scheme}://{host}"


def digits(rng: random.Random, count: int) -> str:
    """Make a string of *count* random digits not starting with 0."""
    first = str(rng.randint(1, 9))
    return first + "".join(str(rng.randint(0, 9)) for _ in range(count - 1))


# ----------------------------------------------------------------------------- faults


@dataclasses.dataclass(frozen=True, slots=True)
class Fault:
    """A fault to inject into one provider's answers.

    ``kind`` is one of :data:`FAULT_KINDS`; ``delay`` (seconds) is used by ``latency``;
    ``status`` by ``status`` (default 503); ``retry_after`` (seconds) by ``rate_limit``;
    ``remaining`` is how many requests to affect (``None`` = until cleared).
    """

    kind: FaultKind
    delay: float = 0.0
    status: int = 503
    retry_after: float = 1.0
    remaining: int | None = None

    def __post_init__(self) -> None:
        """Reject knobs that make no sense."""
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
        for name in ("delay", "retry_after"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value < 0
                or value > 3600
            ):
                raise ValueError(f"{name} must be a number of seconds between 0 and 3600")
        if isinstance(self.status, bool) or not isinstance(self.status, int):
            raise ValueError("status must be an integer")
        if not 100 <= self.status <= 599:
            raise ValueError("status must be between 100 and 599")
        if self.remaining is not None and (
            isinstance(self.remaining, bool)
            or not isinstance(self.remaining, int)
            or self.remaining < 1
        ):
            raise ValueError("remaining must be a positive integer or null")

    @classmethod
    def from_json(cls, data: object) -> Fault:
        """Build a fault from the control API's JSON body; ``ValueError`` if invalid."""
        if not isinstance(data, dict):
            raise ValueError("body must be a JSON object")
        unknown = set(data) - {"kind", "delay", "status", "retry_after", "remaining"}
        if unknown:
            raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
        kind = data.get("kind")
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(FAULT_KINDS)}")
        delay = data.get("delay", 0.0)
        status = data.get("status", 503)
        retry_after = data.get("retry_after", 1.0)
        delay = 0.0 if delay is None else delay
        status = 503 if status is None else status
        retry_after = 1.0 if retry_after is None else retry_after
        return cls(
            kind=cast(FaultKind, kind),
            delay=delay,
            status=status,
            retry_after=retry_after,
            remaining=data.get("remaining"),
        )

    def to_json(self) -> JSON:
        """Return the fault as the control API shows it."""
        return dataclasses.asdict(self)


# ----------------------------------------------------------------------------- BlueJeans


@dataclasses.dataclass(slots=True)
class BlueJeansUser:
    """A BlueJeans account (REST user and relay user)."""

    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    password: str = dataclasses.field(repr=False)
    enterprise_id: int | None
    enterprise_name: str | None
    personal_meeting_id: str
    enterprise_admin: bool = False
    timezone: str = "America/New_York"


@dataclasses.dataclass(slots=True)
class BlueJeansMeeting:
    """A scheduled BlueJeans meeting plus the relay-only join rules."""

    id: int
    uuid: str
    owner_id: int
    numeric_id: str
    title: str
    start_ms: int
    end_ms: int
    description: str = ""
    timezone: str = "America/New_York"
    attendee_passcode: str | None = dataclasses.field(default=None, repr=False)
    attendees: list[str] = dataclasses.field(default_factory=list)
    advanced: dict[str, Any] = dataclasses.field(default_factory=dict)
    end_point_type: str = "WEB_APP"
    end_point_version: str = "2.10"
    is_large: bool = False
    is_personal: bool = False
    created_ms: int = 0
    modified_ms: int = 0
    sequence: int = 0
    # Join rules the relay's joinflow check evaluates (not part of the REST object).
    moderator_passcode: str | None = dataclasses.field(default=None, repr=False)
    waiting_room: bool = False
    secure: Literal["invitee", "enterprise"] | None = None
    invitees: tuple[str, ...] = ()
    secure_enterprise_id: int | None = None
    one_time_passcode: str | None = dataclasses.field(default=None, repr=False)
    forced_answer: str | None = None

    @property
    def moderator_less(self) -> bool:
        """Whether the meeting starts without a moderator."""
        return bool(self.advanced.get("moderatorLess", False))


@dataclasses.dataclass(slots=True)
class BlueJeansToken:
    """A REST OAuth token: for a user (password grant) or an enterprise (client grant)."""

    value: str = dataclasses.field(repr=False)
    expires: dt.datetime
    user_id: int | None = None
    enterprise_id: int | None = None
    client_id: str | None = None


@dataclasses.dataclass(slots=True)
class RelayToken:
    """A relay access token identifying a user."""

    value: str = dataclasses.field(repr=False)
    user_id: int
    created: dt.datetime
    expires: dt.datetime | None


@dataclasses.dataclass(slots=True)
class BlueJeansClient:
    """An OAuth client (client_credentials grant) of one enterprise."""

    client_id: str
    secret: str = dataclasses.field(repr=False)
    enterprise_id: int


class BlueJeansStore:
    """BlueJeans REST + relay data and knobs."""

    def __init__(self) -> None:
        self.users: dict[int, BlueJeansUser] = {}
        self.clients: dict[str, BlueJeansClient] = {}
        self.enterprises: dict[int, str] = {}
        self.meetings: dict[int, BlueJeansMeeting] = {}
        self.tokens: dict[str, BlueJeansToken] = {}
        self.relay_tokens: dict[str, RelayToken] = {}
        self.next_meeting_id = 1001
        #: Lifetime of REST tokens (``expires_in``); lower it to test expiry.
        self.token_ttl_seconds = 1_209_600
        #: Whether the relay enforces its documented limit (2 requests/second → 429).
        self.relay_rate_limit = True
        self.relay_max_per_second = 2
        self._relay_hits: collections.deque[float] = collections.deque()

    def user_by_login(self, username: str, password: str) -> BlueJeansUser | None:
        """Find the user with this username (or e-mail) and password."""
        wanted = username.strip().casefold()
        for user in self.users.values():
            if wanted in (user.username.casefold(), user.email.casefold()):
                return user if secrets.compare_digest(user.password, password) else None
        return None

    def meeting_by_numeric_id(self, numeric_id: str) -> BlueJeansMeeting | None:
        """Find the meeting people dial with *numeric_id*."""
        for meeting in self.meetings.values():
            if meeting.numeric_id == numeric_id:
                return meeting
        return None

    def numeric_id_in_use(self, numeric_id: str) -> bool:
        """Whether a meeting or personal room already has this number."""
        if any(u.personal_meeting_id == numeric_id for u in self.users.values()):
            return True
        return self.meeting_by_numeric_id(numeric_id) is not None

    def relay_admit(self, now: float | None = None) -> float | None:
        """Count one relay request; seconds to wait if it exceeds the rate limit."""
        if not self.relay_rate_limit:
            return None
        now = time.monotonic() if now is None else now
        while self._relay_hits and now - self._relay_hits[0] >= 1.0:
            self._relay_hits.popleft()
        if len(self._relay_hits) >= self.relay_max_per_second:
            return max(0.001, 1.0 - (now - self._relay_hits[0]))
        self._relay_hits.append(now)
        return None

    def expire_tokens(self) -> None:
        """Make every REST token issued so far expire now (relay demo tokens stay)."""
        self.tokens.clear()


# ----------------------------------------------------------------------------- join.me


@dataclasses.dataclass(slots=True)
class JoinMeMeeting:
    """A scheduled join.me meeting."""

    id: int
    name: str
    start: dt.datetime
    end: dt.datetime
    start_with_personal_url: bool
    code: str
    conference_id: str
    participants: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(slots=True)
class JoinMeSession:
    """A started meeting (ad hoc or scheduled) reachable at its viewer link."""

    key: str
    name: str
    meeting_id: int | None
    started: dt.datetime
    conference_id: str
    viewer_mode: str | None = None
    viewer_app_detection: bool = True
    webhooks: dict[str, JSON] = dataclasses.field(default_factory=dict)
    presenter_joined: bool = False


@dataclasses.dataclass(slots=True)
class PresenterLink:
    """A one-time presenter login link; expires ``presenter_ttl_seconds`` after issue."""

    token: str = dataclasses.field(repr=False)
    session_key: str
    issued: dt.datetime
    used: bool = False


@dataclasses.dataclass(slots=True)
class JoinMeToken:
    """An access token; ``grant`` is the refresh token it came with (None: given by hand)."""

    value: str = dataclasses.field(repr=False)
    expires: dt.datetime | None
    grant: str | None = dataclasses.field(default=None, repr=False)
    stale: bool = False


@dataclasses.dataclass(slots=True)
class JoinMeGrant:
    """What one consent granted: a refresh token for one client and scope."""

    refresh_token: str = dataclasses.field(repr=False)
    client_id: str
    scopes: tuple[str, ...]
    stale: bool = False


@dataclasses.dataclass(slots=True)
class JoinMeAuthRequest:
    """An authorize (or renew) request waiting on the consent page."""

    id: str
    client_id: str
    redirect_uri: str
    state: str | None
    scopes: tuple[str, ...]
    challenge: str | None
    renew_token: str | None = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(slots=True)
class JoinMeCode:
    """An authorization code: one use, a short life, bound to client, redirect and PKCE."""

    value: str = dataclasses.field(repr=False)
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    challenge: str | None
    expires: dt.datetime
    used: bool = False


class JoinMeStore:
    """join.me data and knobs."""

    def __init__(self) -> None:
        self.tokens: dict[str, JoinMeToken] = {}
        self.grants: dict[str, JoinMeGrant] = {}
        self.auth_requests: dict[str, JoinMeAuthRequest] = {}
        self.codes: dict[str, JoinMeCode] = {}
        #: API keys (``client_id``) registered for OAuth; Meeting Launcher's is public.
        self.clients: set[str] = {"meeting-launcher-desktop"}
        #: Lifetime of access tokens from the token endpoint (``expires_in``).
        self.token_ttl_seconds = 3600
        #: Lifetime of an authorization code.
        self.code_ttl_seconds = 60
        self.profile: JSON = {}
        self.personal_url = "sandboxdemo"
        self.organizer_code = "1234"
        self.conference_id = "123456789"
        self.meetings: dict[int, JoinMeMeeting] = {}
        self.sessions: dict[str, JoinMeSession] = {}
        self.presenter_links: dict[str, PresenterLink] = {}
        #: Webhook calls the sandbox would make (recorded, never sent).
        self.webhook_log: list[JSON] = []
        self.next_meeting_id = 5001
        self.presenter_ttl_seconds = 600

    def code_in_use(self, code: str) -> bool:
        """Whether a meeting code is taken."""
        return code == self.personal_url or any(m.code == code for m in self.meetings.values())

    def add_token(self, value: str, expires: dt.datetime | None = None,
                  grant: str | None = None) -> JoinMeToken:
        """Accept *value* as an access token (until *expires*, if given)."""
        token = JoinMeToken(value, expires, grant)
        self.tokens[value] = token
        return token

    def token_state(self, value: str | None, now: dt.datetime) -> str:
        """``ok``, ``stale``, ``expired`` or ``unknown`` for a bearer token."""
        token = self.tokens.get(value) if value else None
        if token is None:
            return "unknown"
        if token.stale:
            return "stale"
        if token.expires is not None and token.expires <= now:
            return "expired"
        return "ok"

    def expire_tokens(self, now: dt.datetime) -> None:
        """Make every access token issued so far expired (refresh tokens still work)."""
        for token in self.tokens.values():
            token.expires = now - dt.timedelta(seconds=1)

    def stale_tokens(self) -> None:
        """Make every authorization stale: tokens answer ``stale_token``, refreshes fail."""
        for token in self.tokens.values():
            token.stale = True
        for grant in self.grants.values():
            grant.stale = True


# ----------------------------------------------------------------------------- Whereby


@dataclasses.dataclass(slots=True)
class WherebyRoom:
    """A transient Whereby room (a "meeting" in the API)."""

    meeting_id: str
    seq: int
    room_name: str
    start: dt.datetime
    end: dt.datetime
    host_key: str = dataclasses.field(repr=False)
    viewer_key: str = dataclasses.field(repr=False)
    is_locked: bool = False
    room_mode: str = "normal"
    template_type: str | None = None
    options: JSON = dataclasses.field(default_factory=dict)
    deleted: bool = False


class WherebyStore:
    """Whereby data and knobs."""

    #: How long after ``endDate`` a room still answers (the docs: one hour).
    GRACE = dt.timedelta(hours=1)

    def __init__(self) -> None:
        self.api_keys: set[str] = set()
        self.rooms: dict[str, WherebyRoom] = {}
        self.next_seq = 1
        self.next_meeting_id = 52755922

    def visible(self, room: WherebyRoom, now: dt.datetime) -> bool:
        """Whether GET still finds the room."""
        return not room.deleted and now <= room.end + self.GRACE

    def room_by_name(self, name: str) -> WherebyRoom | None:
        """Find the room whose name (without the leading slash) is *name*."""
        wanted = "/" + name.lstrip("/").lower()
        for room in self.rooms.values():
            if room.room_name == wanted and not room.deleted:
                return room
        return None


# ----------------------------------------------------------------------------- Skype UCWA


@dataclasses.dataclass(slots=True)
class SkypeUser:
    """A Skype for Business user."""

    username: str
    password: str = dataclasses.field(repr=False)
    sip: str
    name: str
    alias: str


@dataclasses.dataclass(slots=True)
class SkypeError:
    """A synchronous join error (a row of seed 002)."""

    status: int
    code: str
    subcode: str | None
    message: str


@dataclasses.dataclass(slots=True)
class SkypeOnlineMeeting:
    """A scheduled online meeting (myOnlineMeeting) and how joining it behaves."""

    online_meeting_id: str
    organizer: str
    subject: str
    expiration: dt.datetime
    conference_id: str
    behaviour: Literal["success", "lobby_admit", "lobby_deny", "error"] = "success"
    error: SkypeError | None = None
    description: str = ""
    access_level: str = "SameEnterprise"
    attendees: list[str] = dataclasses.field(default_factory=list)
    leaders: list[str] = dataclasses.field(default_factory=list)
    etag: str = "1"

    @property
    def uri(self) -> str:
        """The onlineMeetingUri (``sip:…;gruu;opaque=app:conf:focus:id:<ID>``)."""
        return f"{self.organizer};gruu;opaque=app:conf:focus:id:{self.online_meeting_id}"


@dataclasses.dataclass(slots=True)
class SkypeToken:
    """A web ticket (``cwt=…``)."""

    value: str = dataclasses.field(repr=False)
    username: str
    expires: dt.datetime


@dataclasses.dataclass(slots=True)
class SkypeEvent:
    """One event waiting in an application's event channel."""

    due: float  # time.monotonic() when it happens
    sender_rel: str
    sender_href: str
    body: JSON
    effect: Callable[[], None] | None = None


@dataclasses.dataclass(slots=True)
class SkypeInvitation:
    """An onlineMeetingInvitation operation and its conversation."""

    id: str
    conversation_id: str
    online_meeting_uri: str
    operation_id: str | None
    importance: str
    subject: str | None
    thread_id: str | None
    state: str = "Connecting"
    conversation_state: str = "Connecting"
    in_lobby: bool = False


@dataclasses.dataclass(slots=True)
class SkypeApplication:
    """A UCWA application: its event channel and operations."""

    id: str
    username: str
    user_agent: str
    endpoint_id: str
    culture: str
    etag: str
    pending: list[SkypeEvent] = dataclasses.field(default_factory=list)
    ready: list[SkypeEvent] = dataclasses.field(default_factory=list)
    batches: dict[int, JSON] = dataclasses.field(default_factory=dict)
    next_ack: int = 1
    pget_generation: int = 0
    invitations: dict[str, SkypeInvitation] = dataclasses.field(default_factory=dict)

    def advance(self, now: float | None = None) -> None:
        """Move due events to ``ready``, applying their effects, in order."""
        now = time.monotonic() if now is None else now
        self.pending.sort(key=lambda e: e.due)
        while self.pending and self.pending[0].due <= now:
            event = self.pending.pop(0)
            if event.effect is not None:
                event.effect()
            self.ready.append(event)


class SkypeStore:
    """Skype UCWA data and knobs."""

    def __init__(self) -> None:
        #: Upper bound of a P-GET's wait, whatever ``timeout`` the client asks for.
        self.max_poll_seconds = 20.0
        #: How long a joiner waits in the lobby before being admitted or denied.
        self.lobby_seconds = 3.0
        #: Lifetime of web tickets (``expires_in``); lower it to test expiry.
        self.token_ttl_seconds = 28_800
        self.users: dict[str, SkypeUser] = {}
        self.meetings: dict[str, SkypeOnlineMeeting] = {}
        self.tokens: dict[str, SkypeToken] = {}
        self.applications: dict[str, SkypeApplication] = {}
        self.next_application_id = 101
        self.next_operation_id = 701

    def user_by_login(self, username: str, password: str) -> SkypeUser | None:
        """Find the user with this login (e-mail, SIP URI or alias) and password."""
        wanted = username.strip().casefold()
        for user in self.users.values():
            names = {user.username.casefold(), user.sip.casefold(), user.alias.casefold()}
            if wanted in names:
                return user if secrets.compare_digest(user.password, password) else None
        return None

    def drop_applications(self) -> None:
        """Forget every application, as the server does with idle ones."""
        self.applications.clear()

    def expire_tokens(self) -> None:
        """Invalidate every web ticket issued so far."""
        self.tokens.clear()


# ----------------------------------------------------------------------------- the state


class SandboxState:
    """Everything the sandbox serves, plus the knobs tests and benchmarks turn.

    All mutation happens under :attr:`lock` (a re-entrant lock), so the server thread
    and a test thread can both use the object. ``clock`` returns the current aware
    time; inject one to freeze or advance time (seed data is built from it).
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        seed_demo: bool = True,
        rng_seed: int | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self._clock: Clock = clock or _system_clock
        self.rng = random.Random(rng_seed)
        self.faults: dict[str, Fault] = {}
        self.requests: dict[str, int] = dict.fromkeys(PROVIDERS, 0)
        self.bluejeans = BlueJeansStore()
        self.joinme = JoinMeStore()
        self.whereby = WherebyStore()
        self.skype = SkypeStore()
        if seed_demo:
            from launcher.sandbox import demo  # a cycle: demo builds on this module

            demo.seed(self)

    # -- time
    def now(self) -> dt.datetime:
        """Return the sandbox's current time (aware UTC)."""
        value = self._clock()
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("the sandbox clock must return aware datetimes")
        return value.astimezone(dt.UTC)

    def set_clock(self, clock: Clock | None) -> None:
        """Replace the clock (``None`` = the system clock)."""
        with self.lock:
            self._clock = clock or _system_clock

    # -- faults
    def set_fault(self, provider: str, fault: Fault) -> None:
        """Make *provider* misbehave until cleared or ``fault.remaining`` runs out."""
        _check_provider(provider)
        with self.lock:
            self.faults[provider] = fault

    def clear_faults(self, provider: str | None = None) -> None:
        """Clear one provider's fault, or all of them."""
        with self.lock:
            if provider is None:
                self.faults.clear()
            else:
                _check_provider(provider)
                self.faults.pop(provider, None)

    def take_fault(self, provider: str) -> Fault | None:
        """Return the fault for one request of *provider*, counting ``remaining`` down."""
        with self.lock:
            fault = self.faults.get(provider)
            if fault is None:
                return None
            if fault.remaining is not None:
                if fault.remaining <= 1:
                    del self.faults[provider]
                else:
                    self.faults[provider] = dataclasses.replace(
                        fault, remaining=fault.remaining - 1
                    )
            return fault

    # -- stats
    def count_request(self, provider: str) -> None:
        """Count one API request to *provider*."""
        with self.lock:
            self.requests[provider] = self.requests.get(provider, 0) + 1

    def stats(self) -> dict[str, dict[str, int]]:
        """Return ``{"requests": {provider: n}}``."""
        with self.lock:
            return {"requests": dict(self.requests)}

    def reset_stats(self) -> None:
        """Zero the request counters."""
        with self.lock:
            self.requests = dict.fromkeys(PROVIDERS, 0)

    # -- sign-in knobs
    def auth_knobs(self, provider: str, knobs: Mapping[str, Any]) -> None:
        """Turn sign-in knobs of *provider* (``ValueError`` for one it does not have).

        ``token_ttl`` (seconds, for tokens issued from now on), ``expire_tokens`` (every
        token issued so far stops working), ``stale_tokens`` (join.me: authorizations
        need renewing), ``drop_applications`` (Skype: the server forgets every UCWA
        application, as it does with idle ones).
        """
        _check_provider(provider)
        allowed = {
            "bluejeans": {"token_ttl", "expire_tokens"},
            "joinme": {"token_ttl", "expire_tokens", "stale_tokens"},
            "whereby": {"expire_tokens"},
            "skype": {"token_ttl", "expire_tokens", "drop_applications"},
        }[provider]
        unknown = set(knobs) - allowed
        if unknown:
            raise ValueError(f"{provider} has no knob {', '.join(sorted(unknown))}")
        ttl = knobs.get("token_ttl")
        if ttl is not None and (
            isinstance(ttl, bool) or not isinstance(ttl, int) or not 1 <= ttl <= 31_536_000
        ):
            raise ValueError("token_ttl must be a whole number of seconds (1 to a year)")
        with self.lock:
            if ttl is not None:
                if provider == "bluejeans":
                    self.bluejeans.token_ttl_seconds = ttl
                elif provider == "joinme":
                    self.joinme.token_ttl_seconds = ttl
                else:
                    self.skype.token_ttl_seconds = ttl
            if knobs.get("expire_tokens"):
                if provider == "bluejeans":
                    self.bluejeans.expire_tokens()
                elif provider == "joinme":
                    self.joinme.expire_tokens(self.now())
                elif provider == "whereby":
                    self.whereby.api_keys.clear()
                else:
                    self.skype.expire_tokens()
            if knobs.get("stale_tokens"):
                self.joinme.stale_tokens()
            if knobs.get("drop_applications"):
                self.skype.drop_applications()

    # -- bulk data
    def bulk(self, provider: str, count: int) -> int:
        """Add *count* meetings (rooms for Whereby) to the demo user, over the next 30 days."""
        from launcher.sandbox import demo  # a cycle: demo builds on this module

        _check_provider(provider)
        with self.lock:
            return demo.bulk(self, provider, count)


def _check_provider(provider: str) -> None:
    if provider not in PROVIDERS:
        raise ValueError(f"provider must be one of {', '.join(PROVIDERS)}")


def new_secret(nbytes: int = 16) -> str:
    """Make a random URL-safe secret (tokens, keys)."""
    return secrets.token_urlsafe(nbytes)
