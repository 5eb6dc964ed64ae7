"""Fault injection middleware, request counting, and the HTTP helpers routes share."""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import math
import threading
import time
import urllib.parse
from collections.abc import Mapping
from typing import Any, Final

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from launcher.sandbox.state import Fault, SandboxState, base_url_of

#: Path prefixes of the provider APIs (web pages and the control API are not counted).
API_PREFIXES: Final[tuple[tuple[str, str], ...]] = (
    ("/bluejeans/rest/", "bluejeans"),
    ("/bluejeans/relay/", "bluejeans"),
    ("/joinme/v1/", "joinme"),
    ("/joinme/auth/", "joinme"),
    ("/whereby/v1/", "whereby"),
    ("/skype/autodiscover/", "skype"),
    ("/skype/WebTicket/", "skype"),
    ("/skype/ucwa/", "skype"),
    ("/ics/", "ics"),
)

#: The body a ``malformed`` fault answers with: cut off in the middle of a string.
MALFORMED_BODY: Final = b'{"sandbox": "this body is cut off'

UCWA_CODES: Final[dict[int, str]] = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    408: "Timeout",
    409: "Conflict",
    410: "Gone",
    412: "PreconditionFailed",
    413: "EntityTooLarge",
    415: "UnsupportedMediaType",
    428: "PreconditionRequired",
    429: "TooManyRequests",
    500: "ServiceFailure",
    502: "RemoteFailure",
    503: "ServiceUnavailable",
    504: "Timeout",
}

JOINME_CODES: Final[dict[int, str]] = {
    400: "invalid_request",
    401: "invalid_token",
    403: "forbidden",
    404: "not_found",
    429: "rate_limit_exceeded",
}

_MSRTC_GRANTS = "urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"


class BadBody(ValueError):
    """The request body is not what the endpoint accepts."""


async def read_json(request: Request, *, empty: object = None) -> object:
    """Parse the request's JSON body (*empty* when there is none); ``BadBody`` if invalid."""
    raw = await request.body()
    if not raw.strip():
        return empty
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadBody("the body is not valid JSON") from exc


async def read_json_or_form(request: Request) -> dict[str, Any]:
    """Parse a JSON object or an ``application/x-www-form-urlencoded`` body into a dict."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        raw = await request.body()
        try:
            pairs = urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError as exc:
            raise BadBody("the form body is not UTF-8") from exc
        return dict(pairs)
    data = await read_json(request, empty={})
    if not isinstance(data, dict):
        raise BadBody("the body must be a JSON object")
    return data


def bearer_token(request: Request) -> str | None:
    """Return the token of an ``Authorization: Bearer`` header, if any."""
    value = request.headers.get("authorization", "")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def provider_for_path(path: str) -> str | None:
    """Return the provider whose API serves *path*, or ``None`` (pages, control API)."""
    for prefix, provider in API_PREFIXES:
        if path.startswith(prefix) or path == prefix[:-1]:
            return provider
    return None


def format_seconds(seconds: float) -> str:
    """Format a ``Retry-After`` value: whole seconds when integral, else milliseconds.

    HTTP allows only whole seconds; fractions are a sandbox liberty so tests with short
    knobs stay fast (clients parse both).
    """
    if float(seconds).is_integer():
        return str(int(seconds))
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


def ucwa_error(
    status: int,
    message: str,
    *,
    code: str | None = None,
    subcode: str | None = None,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Build a UCWA synchronous error: ``{"code", "subcode"?, "message"}``."""
    body: dict[str, Any] = {"code": code or UCWA_CODES.get(status, _generic(status))}
    if subcode:
        body["subcode"] = subcode
    body["message"] = message
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def _generic(status: int) -> str:
    return "ServiceFailure" if status >= 500 else "BadRequest"


def ucwa_challenge(scope: Scope | Mapping[str, Any], message: str) -> Response:
    """401 with the two WWW-Authenticate challenges a UCWA server sends."""
    token_url = base_url_of(scope) + "/skype/WebTicket/oauthtoken"
    body = (
        "<!DOCTYPE html><html><head><title>401 - Unauthorized</title></head>"
        f"<body><h1>401 - Unauthorized</h1><p>{_html_text(message)}</p></body></html>"
    )
    response = Response(body, status_code=401, media_type="text/html")
    response.headers.append(
        "WWW-Authenticate",
        'Bearer trusted_issuers="", client_id="00000004-0000-0ff1-ce00-000000000000"',
    )
    response.headers.append(
        "WWW-Authenticate", f'MsRtcOAuth href="{token_url}",grant_type="{_MSRTC_GRANTS}"'
    )
    return response


def _html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def error_response(
    provider: str,
    status: int,
    message: str,
    scope: Scope | Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Build an error in *provider*'s documented shape.

    BlueJeans ``{"message"}``, join.me ``{"Message", "ErrorCode"}``, Whereby
    ``{"error"}``, UCWA ``{"code", "message"}`` (a 401 from UCWA is its challenge).
    """
    extra = dict(headers or {})
    if provider == "joinme":
        code = JOINME_CODES.get(status, "server_error" if status >= 500 else "invalid_request")
        if status == 401:
            extra.setdefault(
                "WWW-Authenticate", 'Bearer realm="api.join.me", error="invalid_token"'
            )
        return JSONResponse({"Message": message, "ErrorCode": code}, status, headers=extra)
    if provider == "whereby":
        return JSONResponse({"error": message}, status, headers=extra)
    if provider == "skype":
        if status == 401:
            return ucwa_challenge(scope or {}, message)
        return ucwa_error(status, message, headers=extra)
    if status == 401:
        extra.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse({"message": message}, status, headers=extra)


def unauthorized_response(provider: str, scope: Scope | Mapping[str, Any]) -> Response:
    """Build the 401 *provider* answers for a missing, wrong or expired credential."""
    messages = {
        "bluejeans": "Invalid or expired access token",
        "joinme": "The access token is invalid or has expired.",
        "whereby": "Access token is missing or invalid",
        "skype": "The access token is missing, invalid or expired.",
    }
    return error_response(provider, 401, messages.get(provider, "Unauthorized"), scope)


def rate_limited_response(provider: str, retry_after: float) -> Response:
    """429 with ``Retry-After`` (Whereby adds ``X-RateLimit-*`` and ``data.msLeft``)."""
    headers = {"Retry-After": format_seconds(retry_after)}
    if provider == "whereby":
        headers["X-RateLimit-Limit"] = "100"
        headers["X-RateLimit-Remaining"] = "0"
        headers["X-RateLimit-Reset"] = email.utils.formatdate(
            time.time() + retry_after, usegmt=True
        )
        body = {
            "error": "Rate limit active for throttle key: organization:1",
            "data": {"msLeft": math.ceil(retry_after * 1000)},
        }
        return JSONResponse(body, 429, headers=headers)
    messages = {
        "bluejeans": "Rate limit exceeded: keep below 2 requests per second",
        "joinme": "Too many requests",
        "skype": "Too many requests. Please wait and try again.",
    }
    return error_response(provider, 429, messages.get(provider, "Too many requests"), None, headers)


def fault_response(provider: str, fault: Fault, scope: Scope | Mapping[str, Any]) -> Response:
    """Build the answer of a fault that replaces the real one (not latency or drop)."""
    if fault.kind == "rate_limit":
        return rate_limited_response(provider, fault.retry_after)
    if fault.kind == "unauthorized":
        return unauthorized_response(provider, scope)
    if fault.kind == "malformed":
        return Response(MALFORMED_BODY, 200, media_type="application/json")
    return error_response(provider, fault.status, "The sandbox injected this error", scope)


class ConnectionDropped(Exception):
    """Raised mid-response to make the server abort the connection (``drop`` fault)."""


class _QuietDrops(logging.Filter):
    """Keep the server's log free of the tracebacks ``drop`` faults cause on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


_QUIET = _QuietDrops()


def install_log_filter() -> None:
    """Silence intentional drops in uvicorn's error log (idempotent)."""
    logger = logging.getLogger("uvicorn.error")
    if _QUIET not in logger.filters:
        logger.addFilter(_QUIET)


async def pause(seconds: float, closing: threading.Event) -> None:
    """Sleep *seconds*, returning early when the server is shutting down."""
    deadline = time.monotonic() + seconds
    while not closing.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        await asyncio.sleep(min(0.05, left))


class FaultMiddleware:
    """Counts API requests per provider and applies that provider's active fault."""

    def __init__(self, app: ASGIApp, state: SandboxState, closing: threading.Event) -> None:
        self.app = app
        self.state = state
        self.closing = closing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        provider = provider_for_path(scope["path"])
        if provider is None:
            await self.app(scope, receive, send)
            return
        self.state.count_request(provider)
        fault = self.state.take_fault(provider)
        if fault is None:
            await self.app(scope, receive, send)
        elif fault.kind == "latency":
            await pause(fault.delay, self.closing)
            try:
                await self.app(scope, receive, send)
            except ClientDisconnect:
                # The client gave up waiting (that is what a latency fault tests):
                # there is no one left to answer, and nothing to report.
                return
        elif fault.kind == "drop":
            await self._drop(scope, receive, send)
        else:
            await fault_response(provider, fault, scope)(scope, receive, send)

    async def _drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Let the request happen, then send the headers and half the body and abort."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        if start is None or len(body) < 2 or int(start["status"]) in (204, 304):
            body = b'{"sandbox": "this connection is dropped before the end"}'
            start = {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send(
            {
                "type": "http.response.body",
                "body": body[: max(1, len(body) // 2)],
                "more_body": True,
            }
        )
        raise ConnectionDropped("the sandbox dropped this connection on purpose")
