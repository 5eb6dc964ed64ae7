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
import time
from collections.abc import Callable, Mapping
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

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: The longest Retry-After we wait out on our own before reporting the throttle.
MAX_AUTO_RETRY_WAIT = 5.0
MAX_AUTO_RETRIES = 2


@dataclasses.dataclass(frozen=True, slots=True)
class HttpRequest:
    """One HTTP request, described as data. ``url`` is absolute."""

    method: str
    url: str
    params: Mapping[str, str] = dataclasses.field(default_factory=dict, repr=False)
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict, repr=False)
    json: Any = dataclasses.field(default=None, repr=False)
    form: Mapping[str, str] | None = dataclasses.field(default=None, repr=False)
    #: Seconds to wait for the answer; ``None`` uses the shared client's default.
    timeout: float | None = None
    #: Whether sending it twice is harmless; only such requests are retried.
    idempotent: bool | None = None

    @property
    def retryable(self) -> bool:
        """Whether :func:`send` may repeat this request after a throttle."""
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
        """Decode the body as JSON or raise :class:`ProtocolViolation`."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ProtocolViolation(
                provider,
                f"the server sent an answer that is not valid JSON (HTTP {self.status})",
                status=self.status,
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
    except (UnicodeDecodeError, ValueError):
        body = None
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        data = body["data"]
        for key in ("msLeft", "ms_left"):
            ms = data.get(key)
            if isinstance(ms, int | float) and not isinstance(ms, bool) and ms >= 0:
                return float(ms) / 1000.0
    return None


def describe_status(status: int) -> str:
    """Describe an HTTP status in plain words for messages."""
    if status >= 500:
        return f"the service had an internal problem (HTTP {status}); try again in a moment"
    return f"the service answered HTTP {status}"


def raise_for_common(provider: str, response: HttpResponse) -> None:
    """Raise the typed error for statuses every provider treats alike (5xx, 429).

    Provider protocols call this after handling their own error bodies.
    """
    if response.status == 429:
        raise RateLimited(
            provider,
            "the service is limiting how often we may ask; try again shortly",
            retry_after=retry_after_seconds(response),
        )
    if response.status >= 500:
        raise ProviderUnavailable(
            provider, describe_status(response.status), status=response.status
        )
    if response.status == 401:
        raise AuthenticationRequired(
            provider, "sign-in needed: the credentials were refused", status=401
        )


async def send(
    http: httpx.AsyncClient,
    request: HttpRequest,
    *,
    provider: str,
) -> HttpResponse:
    """Send *request* with the shared client and return the response as data.

    Transport errors and timeouts become :class:`ProviderUnavailable`. A 429 on a
    retryable request is waited out (at most ``MAX_AUTO_RETRIES`` times, and only
    when the provider asks for no more than ``MAX_AUTO_RETRY_WAIT`` seconds); any
    other status is returned for the protocol layer to interpret.
    """
    attempt = 0
    while True:
        response = await _send_once(http, request, provider=provider)
        if response.status != 429 or not request.retryable or attempt >= MAX_AUTO_RETRIES:
            return response
        wait = retry_after_seconds(response)
        if wait is None or wait > MAX_AUTO_RETRY_WAIT:
            return response
        attempt += 1
        log.info("%s throttled; retrying in %.2f s", provider, wait)
        await asyncio.sleep(wait)


async def _send_once(
    http: httpx.AsyncClient, request: HttpRequest, *, provider: str
) -> HttpResponse:
    kwargs: dict[str, Any] = {
        "params": dict(request.params) or None,
        "headers": dict(request.headers) or None,
    }
    if request.json is not None:
        kwargs["json"] = request.json
    elif request.form is not None:
        kwargs["data"] = dict(request.form)
    if request.timeout is not None:
        kwargs["timeout"] = request.timeout
    try:
        resp = await http.request(request.method, request.url, **kwargs)
    except httpx.TimeoutException as exc:
        raise ProviderUnavailable(
            provider, "the service did not answer in time; check your connection and retry"
        ) from exc
    except httpx.InvalidURL as exc:
        raise ProviderUnavailable(provider, "the service address is not a valid URL") from exc
    except (httpx.TransportError, httpx.DecodingError) as exc:
        raise ProviderUnavailable(provider, _transport_message(exc)) from exc
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


def _transport_message(exc: Exception) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "could not connect to the service; check the address and your connection"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection was dropped before the answer was complete; try again"
    if isinstance(exc, httpx.DecodingError):
        return "the answer could not be decoded; try again"
    return "the network request failed; check your connection and retry"
