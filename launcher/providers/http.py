"""Request/response values for the pure protocol layers, and the one place that sends them.

Each provider's ``protocol.py`` builds :class:`HttpRequest` values and parses
:class:`HttpResponse` values without any I/O; ``client.py`` passes them to :func:`send`
with the injected, shared ``httpx.AsyncClient``. :func:`send` turns transport problems,
server errors and throttling into the :mod:`launcher.core.errors` tree, so every
provider fails the same way for the same fault.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import json
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import httpx

from launcher.core.errors import (
    AuthenticationRequired,
    ProtocolViolation,
    ProviderUnavailable,
    RateLimited,
)

log = logging.getLogger("launcher.http")
T = TypeVar("T")

Sleep = Callable[[float], Awaitable[None]]


@dataclasses.dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds each phase of a request may take; every request has all four.

    ``connect``: to open the connection (a dead network shows here); ``read``: between
    two pieces of the answer (a stalled server); ``write``: to send a piece of the
    request; ``pool``: to wait for a free connection of the shared client.
    """

    connect: float = 5.0
    read: float = 15.0
    write: float = 10.0
    pool: float = 5.0

    def __post_init__(self) -> None:
        """Reject a missing or non-positive bound: "no timeout" is not allowed."""
        for name in ("connect", "read", "write", "pool"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"{name} must be a positive number of seconds")

    def to_httpx(self, *, read: float | None = None) -> httpx.Timeout:
        """Return the httpx form, optionally with a longer *read* (long polls)."""
        return httpx.Timeout(
            connect=self.connect,
            read=self.read if read is None else read,
            write=self.write,
            pool=self.pool,
        )


@dataclasses.dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How :func:`send` repeats an idempotent request after a transient failure.

    At most ``attempts`` tries in all. Before retry *n* it waits a jittered exponential
    backoff (see :meth:`backoff`), or what the server asked for (``Retry-After`` and
    kin) when that is at most ``max_retry_after`` seconds. No retry starts once
    ``budget`` seconds have gone by since the first try, so the worst case of one call
    is about ``budget`` plus one request's timeouts. ``jitter`` (a number in [0, 1)),
    ``sleep`` and ``clock`` are injectable so tests are deterministic.
    """

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 4.0
    budget: float = 20.0
    max_retry_after: float = 5.0
    jitter: Callable[[], float] = dataclasses.field(default=random.random, repr=False)
    #: ``None``: ``asyncio.sleep`` (looked up when waiting).
    sleep: Sleep | None = dataclasses.field(default=None, repr=False)
    clock: Callable[[], float] = dataclasses.field(default=time.monotonic, repr=False)

    def __post_init__(self) -> None:
        """Reject knobs that make no sense."""
        if isinstance(self.attempts, bool) or not isinstance(self.attempts, int):
            raise ValueError("attempts must be a whole number")
        if not 1 <= self.attempts <= 10:
            raise ValueError("attempts must be between 1 and 10")
        for name in ("base_delay", "max_delay", "budget", "max_retry_after"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name} must be a number of seconds, 0 or more")

    def backoff(self, retry: int) -> float:
        """Seconds to wait before retry number *retry* (1, 2, ...).

        The ceiling doubles from ``base_delay`` up to ``max_delay``; the wait is half
        the ceiling plus a random part of the other half ("equal jitter"), so clients
        that failed together do not come back together, yet never retry at once.
        """
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** max(0, retry - 1))
        share = min(1.0, max(0.0, float(self.jitter())))
        return float(ceiling / 2 + ceiling / 2 * share)


#: Retries as the app uses them.
DEFAULT_RETRY = RetryPolicy()
#: Never repeat anything (tests that count requests, one-shot probes).
NO_RETRY = RetryPolicy(attempts=1)
DEFAULT_TIMEOUTS = Timeouts()


class HttpClient(httpx.AsyncClient):
    """The app's shared HTTP client: bounded timeouts and the retry policy :func:`send` uses.

    A plain ``httpx.AsyncClient`` works with :func:`send` too (with :data:`DEFAULT_RETRY`).
    """

    def __init__(
        self,
        *,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
        retry: RetryPolicy = DEFAULT_RETRY,
        **kwargs: Any,
    ) -> None:
        super().__init__(timeout=timeouts.to_httpx(), **kwargs)
        self.timeouts = timeouts
        self.retry = retry


@dataclasses.dataclass(frozen=True, slots=True)
class HttpRequest:
    """One HTTP request, described as data. ``url`` is absolute."""

    method: str
    url: str
    params: Mapping[str, str] = dataclasses.field(default_factory=dict, repr=False)
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict, repr=False)
    json: Any = dataclasses.field(default=None, repr=False)
    form: Mapping[str, str] | None = dataclasses.field(default=None, repr=False)
    #: Read timeout in seconds (a long poll's is longer than its wait); ``None`` uses the
    #: shared client's. Connect, write and pool timeouts always come from the client.
    timeout: float | None = None
    #: Whether sending it twice is harmless; only such requests are retried.
    idempotent: bool | None = None

    @property
    def retryable(self) -> bool:
        """Whether :func:`send` may repeat this request (GET/HEAD/OPTIONS unless marked)."""
        if self.idempotent is not None:
            return self.idempotent
        return self.method.upper() in {"GET", "HEAD", "OPTIONS"}


@dataclasses.dataclass(frozen=True, slots=True)
class HttpResponse:
    """An HTTP response as data: lower-cased header names, the raw body."""

    status: int
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    body: bytes = b""
    #: The URL that produced this response (after redirects), for resolving links.
    url: str = ""
    #: Every value of headers that may repeat (``www-authenticate``), lower-cased names.
    multi_headers: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """Return a header's value by case-insensitive name."""
        return self.headers.get(name.lower())

    def json(self, provider: str) -> Any:
        """Decode the body as JSON or raise :class:`ProtocolViolation`.

        A body nested too deeply for the decoder is a ProtocolViolation too, not a crash.
        """
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ProtocolViolation(
                provider,
                f"the server sent an answer that is not valid JSON (HTTP {self.status}); "
                "try again later, and report it if it keeps happening",
                status=self.status,
            ) from exc
        except RecursionError as exc:
            raise ProtocolViolation(
                provider, "the answer is nested too deeply", status=self.status
            ) from exc


#: Bodies larger than this are parsed in a worker thread, off the event loop.
OFF_LOOP_BYTES = 32 * 1024


async def parse_off_loop(
    parse: Callable[..., T], response: HttpResponse, /, **kwargs: Any
) -> T:
    """Run ``parse(response, **kwargs)``; in a worker thread when the body is large.

    Parsing a thousand meetings takes tens of milliseconds; on the GUI's event loop
    that is a visible stall, so big answers are decoded beside it.
    """
    if len(response.body) < OFF_LOOP_BYTES:
        return parse(response, **kwargs)
    return await asyncio.to_thread(parse, response, **kwargs)


def retry_after_seconds(response: HttpResponse, *, now: float | None = None) -> float | None:
    """Read how long a throttled response asks us to wait, from any known signal.

    ``Retry-After`` (seconds or HTTP date), ``X-RateLimit-Reset`` (date or epoch), and
    Whereby's body ``{"data": {"msLeft": ...}}`` (also ``ms_left``).
    """
    now = time.time() if now is None else now
    for name in ("retry-after", "x-ratelimit-reset"):
        value = response.header(name)
        if not value:
            continue
        value = value.strip()
        try:
            seconds = float(value)
        except ValueError:
            seconds = math.nan
        if not math.isfinite(seconds):  # "inf", "nan", or a date
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                continue
            return max(0.0, when.timestamp() - now)
        if name == "x-ratelimit-reset" and seconds > 1e9:  # an epoch, not a delay
            return max(0.0, seconds - now)
        if seconds >= 0:
            return seconds
    try:
        body = json.loads(response.body.decode("utf-8")) if response.body else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        body = None
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        data = body["data"]
        for key in ("msLeft", "ms_left"):
            ms = data.get(key)
            if (isinstance(ms, int | float) and not isinstance(ms, bool)
                    and math.isfinite(ms) and ms >= 0):
                return float(ms) / 1000.0
    return None


def describe_status(status: int) -> str:
    """Describe an HTTP status in plain words for messages."""
    if status >= 500:
        return f"the service had an internal problem (HTTP {status}); try again in a moment"
    return f"the service answered HTTP {status}"


def describe_wait(seconds: float | None) -> str:
    """Say when to try again after a throttle: "in about 30 seconds", "shortly"."""
    if seconds is None or seconds < 1.5:
        return "shortly"
    if seconds < 90:
        return f"in about {round(seconds)} seconds"
    minutes = round(seconds / 60)
    return f"in about {minutes} minute{'' if minutes == 1 else 's'}"


def raise_for_common(provider: str, response: HttpResponse) -> None:
    """Raise the typed error for statuses every provider treats alike (5xx, 429).

    Provider protocols call this after handling their own error bodies.
    """
    if response.status == 429:
        wait = retry_after_seconds(response)
        raise RateLimited(
            provider,
            f"the service is limiting how often we may ask; try again {describe_wait(wait)}",
            retry_after=wait,
        )
    if response.status >= 500:
        raise ProviderUnavailable(
            provider, describe_status(response.status), status=response.status
        )
    if response.status == 401:
        raise AuthenticationRequired(
            provider, "sign-in needed: the credentials were refused", status=401
        )


#: Server statuses worth another try of an idempotent request (501/505 never change).
RETRY_STATUSES = frozenset({500, 502, 503, 504})


def is_throttle(response: HttpResponse) -> bool:
    """Whether *response* asks us to slow down.

    A 429, or the 403 with which a Mashery proxy (join.me's) reports an exceeded
    per-second or per-period quota (``X-Mashery-Error-Code: ERR_403_DEVELOPER_OVER_QPS``
    / ``..._OVER_RATE``).
    """
    if response.status == 429:
        return True
    mashery = (response.header("x-mashery-error-code") or "").upper()
    return response.status == 403 and ("OVER_QPS" in mashery or "OVER_RATE" in mashery)


def _retry_wait(response: HttpResponse, policy: RetryPolicy, retry: int) -> float | None:
    """Seconds to wait before repeating after *response*, or ``None``: do not repeat."""
    throttled = is_throttle(response)
    if not throttled and response.status not in RETRY_STATUSES:
        return None
    asked = retry_after_seconds(response)
    if asked is not None:
        # The server said when; a long wait is reported (RateLimited carries it) rather
        # than sat out while the window or a script waits for us.
        return asked if asked <= policy.max_retry_after else None
    if response.status == 403:
        mashery = (response.header("x-mashery-error-code") or "").upper()
        if "OVER_QPS" not in mashery:
            return None  # a per-hour or per-day quota: no point in asking again soon
        return max(1.0, policy.backoff(retry))  # a fresh per-second budget
    return policy.backoff(retry)


#: Transport failures that may well not happen again: worth a retry of an idempotent request.
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
#: Failures that happen before anything was sent: the server cannot have acted.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


async def send(
    http: httpx.AsyncClient,
    request: HttpRequest,
    *,
    provider: str,
    retry: RetryPolicy | None = None,
    pace: Callable[[], Awaitable[None]] | None = None,
) -> HttpResponse:
    """Send *request* with the shared client and return the response as data.

    Every request has connect, read, write and pool timeouts (the client's, with the
    request's own read timeout if it sets one). A :attr:`HttpRequest.retryable` request
    is repeated, per *retry* (default: the client's policy, see :class:`HttpClient`),
    after a transient transport failure (refused, reset, timed out, dropped mid-body),
    a 500/502/503/504, or a throttle (429, Mashery's 403) whose wait is short. Anything
    else is sent exactly once. Transport failures become :class:`ProviderUnavailable`;
    any status is returned for the protocol layer to interpret. *pace*, if given, is
    awaited before every attempt (a client-side rate limit).
    """
    policy = retry if retry is not None else _policy_of(http)
    attempts = policy.attempts if request.retryable else 1
    started = policy.clock()
    attempt = 0
    while True:
        attempt += 1
        if pace is not None:
            await pace()
        try:
            response = await _send_once(http, request)
        except _TRANSIENT as exc:
            if attempt >= attempts:
                raise _unavailable(provider, request, exc) from exc
            wait = policy.backoff(attempt)
            if policy.clock() - started + wait > policy.budget:
                raise _unavailable(provider, request, exc) from exc
            log.info(
                "%s: %s request failed (%s); retry %d of %d in %.2f s",
                provider, request.method, type(exc).__name__, attempt, attempts - 1, wait,
            )
        except (httpx.TransportError, httpx.DecodingError, httpx.InvalidURL) as exc:
            raise _unavailable(provider, request, exc) from exc
        else:
            if attempt >= attempts:
                return response
            wait_or_none = _retry_wait(response, policy, attempt)
            if wait_or_none is None or policy.clock() - started + wait_or_none > policy.budget:
                return response
            wait = wait_or_none
            log.info(
                "%s: %s answered HTTP %d; retry %d of %d in %.2f s",
                provider, request.method, response.status, attempt, attempts - 1, wait,
            )
        await (policy.sleep or asyncio.sleep)(wait)


def _policy_of(http: httpx.AsyncClient) -> RetryPolicy:
    return http.retry if isinstance(http, HttpClient) else DEFAULT_RETRY


def _timeout_of(http: httpx.AsyncClient, read: float) -> httpx.Timeout:
    if isinstance(http, HttpClient):
        return http.timeouts.to_httpx(read=read)
    base = http.timeout
    return httpx.Timeout(connect=base.connect, read=read, write=base.write, pool=base.pool)


async def _send_once(http: httpx.AsyncClient, request: HttpRequest) -> HttpResponse:
    kwargs: dict[str, Any] = {
        "params": dict(request.params) or None,
        "headers": dict(request.headers) or None,
    }
    if request.json is not None:
        kwargs["json"] = request.json
    elif request.form is not None:
        kwargs["data"] = dict(request.form)
    if request.timeout is not None:
        kwargs["timeout"] = _timeout_of(http, request.timeout)
    resp = await http.request(request.method, request.url, **kwargs)
    multi: dict[str, tuple[str, ...]] = {}
    for key in {k.lower() for k in resp.headers}:
        multi[key] = tuple(resp.headers.get_list(key))
    return HttpResponse(
        status=resp.status_code,
        headers={k.lower(): v for k, v in resp.headers.items()},
        body=resp.content,
        url=str(resp.url),
        multi_headers=multi,
    )


def _unavailable(provider: str, request: HttpRequest, exc: Exception) -> ProviderUnavailable:
    """Build the user-facing error for a transport failure (never the exception's text)."""
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return ProviderUnavailable(provider, "the service address is not a valid URL")
    if isinstance(exc, httpx.TimeoutException):
        message = "the service did not answer in time; check your connection and retry"
    elif isinstance(exc, httpx.ConnectError):
        message = "could not connect to the service; check the address and your connection"
    elif isinstance(exc, httpx.RemoteProtocolError):
        message = "the connection was dropped before the answer was complete; try again"
    elif isinstance(exc, httpx.DecodingError):
        message = "the answer could not be decoded; try again"
    else:
        message = "the network request failed; check your connection and retry"
    if not request.retryable and not isinstance(exc, _NOT_SENT):
        # It may have arrived and been carried out: a blind retry could do it twice.
        message = message.split(";")[0] + (
            "; the request may still have been carried out, so check before trying again"
        )
    return ProviderUnavailable(provider, message)
