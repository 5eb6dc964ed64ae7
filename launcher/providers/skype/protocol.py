"""Skype for Business UCWA 2.0 protocol: hypermedia build/parse and the join tracker (pure)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

from launcher.core.errors import (
    AuthenticationRequired,
    InvalidInput,
    JoinFailed,
    NotFound,
    ProtocolViolation,
    ProviderUnavailable,
    Rejected,
)
from launcher.core.models import Meeting, Provider, Role
from launcher.core.timeutil import parse_ms_date
from launcher.providers.base import JoinProgress
from launcher.providers.http import HttpRequest, HttpResponse, raise_for_common

PROVIDER = Provider.SKYPE.value

#: The event channel's default (and minimum) long-poll duration, in seconds.
DEFAULT_POLL_TIMEOUT = 180.0
#: Extra seconds the HTTP request may take beyond the server-side poll timeout.
POLL_MARGIN = 15.0
#: Used when a token answer has no ``expires_in``.
DEFAULT_TOKEN_LIFETIME = 3600.0
_MAX_TOKEN_LIFETIME = 10 * 365 * 24 * 3600.0

MAX_URI = 2048
MAX_SUBJECT = 250
MAX_OPERATION_ID = 50
MAX_APPLICATION_FIELD = 100

LOBBY_MESSAGE = "Waiting in the lobby until someone lets you in"
ADMITTED_MESSAGE = "You were let in from the lobby; joining the meeting…"
CONNECTING_MESSAGE = "Connecting to the meeting…"
JOINED_MESSAGE = "You are in the meeting."

_JSON = {"Accept": "application/json"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_CONTROL_INLINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]+")
_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


# ---- links -----------------------------------------------------------------------------


def resolve(base: str, href: str) -> str:
    """Resolve *href* against the URL that served it; only http(s), and never https → http.

    A link that would send our bearer token in clear text (or to a non-web scheme)
    is a :class:`ProtocolViolation`.
    """
    if not isinstance(href, str) or not href.strip() or len(href) > 8192:
        raise ProtocolViolation(PROVIDER, "the server sent an empty or oversized link")
    try:
        url = urllib.parse.urljoin(base, href.strip())
        parts = urllib.parse.urlsplit(url)
        base_scheme = urllib.parse.urlsplit(base).scheme.lower()
    except ValueError:
        raise ProtocolViolation(PROVIDER, "the server sent a link that is not a URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        raise ProtocolViolation(PROVIDER, "the server sent a link that is not a web address")
    if base_scheme == "https" and scheme != "https":
        raise ProtocolViolation(
            PROVIDER, "the server sent a link from a secure address to an insecure one"
        )
    return url


def _link(links: Any, rel: str) -> str | None:
    """Return the raw ``href`` of *rel* in a ``_links`` object (first one if the rel repeats)."""
    if not isinstance(links, dict):
        return None
    value = links.get(rel)
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        href = value.get("href")
        if isinstance(href, str) and href.strip():
            return href
    return None


def _resolved(links: Any, rel: str, base: str) -> str | None:
    href = _link(links, rel)
    return resolve(base, href) if href is not None else None


def with_query(url: str, **params: str) -> str:
    """Return *url* with query parameters set (replacing any of the same name)."""
    parts = urllib.parse.urlsplit(url)
    query = [
        (k, v)
        for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        if k not in params
    ]
    query.extend(params.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _headers(token: str | None) -> dict[str, str]:
    headers = dict(_JSON)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


# ---- errors ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class UcwaError:
    """A UCWA error body (``code``, ``subcode``, ``message``) with its HTTP status."""

    status: int
    code: str | None
    subcode: str | None
    message: str


def is_json(resp: HttpResponse) -> bool:
    """Whether the answer says it is JSON (proxies answer errors with HTML pages)."""
    ctype = (resp.header("content-type") or "").split(";", 1)[0].strip().lower()
    return ctype == "application/json" or ctype.endswith("+json")


def error_of(resp: HttpResponse) -> UcwaError | None:
    """Return the UCWA error in an error answer, or None if it is not a UCWA JSON error."""
    if resp.status < 400 or not is_json(resp):
        return None
    try:
        body = resp.json(PROVIDER)
    except ProtocolViolation:
        return None
    if not isinstance(body, dict):
        return None
    code = _text(body.get("code"), limit=60) or None
    subcode = _text(body.get("subcode"), limit=60) or None
    if subcode == "None":  # the reference's tables write a missing subcode as "None"
        subcode = None
    return UcwaError(resp.status, code, subcode, _text(body.get("message"), limit=300))


_APPLICATION_GONE = {
    "InactiveApplicationExpired": (
        "the Skype for Business session expired after being idle; try again to start a new one"
    ),
    "TooManyApplications": (
        "too many Skype for Business apps are signed in with this account; sign out of "
        "some (or wait a few minutes) and try again"
    ),
    "UserAgentNotAllowed": "the server's policy does not allow this app to sign in",
    "MobileApplicationNoLongerAllowed": "the server's policy does not allow this app to sign in",
    "CannotRedirect": (
        "your Skype for Business pool cannot be reached and no backup pool is configured; "
        "try again later"
    ),
}


def raise_for_error(resp: HttpResponse, *, not_found: str = "the resource was not found") -> None:
    """Raise the typed error for a non-2xx UCWA answer (generic synchronous errors)."""
    status = resp.status
    if 200 <= status < 300:
        return
    err = error_of(resp)
    if err is None:
        _raise_non_ucwa(resp)
        return
    sub = err.subcode
    detail = f" ({err.message})" if err.message else ""
    if status == 401:
        raise AuthenticationRequired(
            PROVIDER, "sign-in needed: the sign-in has expired", status=401
        )
    if status == 404:
        if sub == "ApplicationNotFound":
            raise ProviderUnavailable(
                PROVIDER, "the Skype for Business session was lost; try again", status=404
            )
        raise NotFound(PROVIDER, not_found, status=404)
    if status == 410:
        if sub == "CannotRedirect":
            raise ProviderUnavailable(PROVIDER, _APPLICATION_GONE[sub], status=410)
        if sub in _APPLICATION_GONE:
            raise Rejected(PROVIDER, _APPLICATION_GONE[sub], status=410, code=sub)
        raise Rejected(PROVIDER, f"the resource is gone{detail}", status=410, code=sub or err.code)
    if status == 500 and sub == "CallbackChannelError":
        raise ProviderUnavailable(
            PROVIDER,
            "the server could not reach its event channel; try again in a moment",
            status=500,
        )
    raise_for_common(PROVIDER, resp)
    if status == 403:
        raise Rejected(
            PROVIDER,
            f"the server does not allow this account to do that{detail}",
            status=403,
            code=sub or err.code or "Forbidden",
        )
    if status == 409:
        raise Rejected(
            PROVIDER,
            f"the request conflicts with the server's state{detail}",
            status=409,
            code=sub or err.code or "Conflict",
        )
    if 400 <= status < 500:
        raise Rejected(
            PROVIDER,
            f"the request was refused (HTTP {status}){detail}",
            status=status,
            code=sub or err.code,
        )
    raise ProtocolViolation(PROVIDER, f"unexpected answer HTTP {status}", status=status)


def _raise_non_ucwa(resp: HttpResponse) -> None:
    """Raise for an error that is not a UCWA JSON body (a proxy, gateway, wrong address)."""
    raise_for_common(PROVIDER, resp)
    status = resp.status
    if 400 <= status < 500:
        raise ProviderUnavailable(
            PROVIDER,
            f"a proxy or gateway answered HTTP {status} instead of Skype for Business; "
            "check the server address or try again later",
            status=status,
        )
    raise ProtocolViolation(PROVIDER, f"unexpected answer HTTP {status}", status=status)


def _json_object(resp: HttpResponse, what: str) -> dict[str, Any]:
    body = resp.json(PROVIDER)
    if not isinstance(body, dict):
        raise ProtocolViolation(PROVIDER, f"the {what} is not a JSON object", status=resp.status)
    return body


# ---- discovery and sign-in -------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Links:
    """The links of a discovery root or user resource that drive sign-in (absolute)."""

    user: str | None = None
    applications: str | None = None
    redirect: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class OAuthChallenge:
    """Where to get a token (``MsRtcOAuth href``) and the grant types offered."""

    token_url: str
    grant_types: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Token:
    """A UCWA access token (``cwt=…`` on premises) and its lifetime in seconds."""

    access_token: str = dataclasses.field(repr=False)
    expires_in: float


def build_get(url: str, token: str | None = None) -> HttpRequest:
    """Build a JSON GET of a hypermedia resource (unauthenticated when *token* is None)."""
    return HttpRequest("GET", url, headers=_headers(token))


def parse_links(resp: HttpResponse) -> Links:
    """Parse a discovery root or user resource into its sign-in links."""
    raise_for_error(resp, not_found="the Skype for Business discovery address was not found")
    body = _json_object(resp, "discovery answer")
    links = body.get("_links")
    found = Links(
        user=_resolved(links, "user", resp.url),
        applications=_resolved(links, "applications", resp.url),
        redirect=_resolved(links, "redirect", resp.url),
    )
    if found == Links():
        raise ProtocolViolation(
            PROVIDER,
            "the discovery answer has no user, applications or redirect link",
            status=resp.status,
        )
    return found


def parse_challenge(resp: HttpResponse) -> OAuthChallenge:
    """Read the ``MsRtcOAuth`` challenge of a 401 and resolve its token URL."""
    values = resp.multi_headers.get("www-authenticate")
    if not values:
        single = resp.header("www-authenticate")
        values = (single,) if single else ()
    href, grants = parse_ms_rtc_oauth(values)
    return OAuthChallenge(resolve(resp.url, href), grants)


def parse_ms_rtc_oauth(header_values: Iterable[str] | str) -> tuple[str, tuple[str, ...]]:
    """Return ``(href, grant_types)`` of the ``MsRtcOAuth`` challenge in WWW-Authenticate.

    The header may repeat and one value may hold several challenges, e.g.
    ``Bearer trusted_issuers="…", client_id="…"`` next to
    ``MsRtcOAuth href="https://…/WebTicket/oauthtoken",grant_type="urn:…,password"``.
    Parameter values may be quoted (with backslash escapes) or bare tokens; scheme and
    parameter names are case-insensitive. Raises ProtocolViolation without a usable one.
    """
    values = [header_values] if isinstance(header_values, str) else list(header_values)
    for value in values:
        if not isinstance(value, str):
            continue
        for scheme, params in _challenges(value[:16384]):
            if scheme.lower() != "msrtcoauth":
                continue
            href = params.get("href", "").strip()
            if not href:
                continue
            grants = tuple(g.strip() for g in params.get("grant_type", "").split(",") if g.strip())
            return href, grants
    raise ProtocolViolation(
        PROVIDER,
        "the server did not offer a sign-in Meeting Launcher supports (no MsRtcOAuth "
        "challenge); it may need Microsoft 365 sign-in",
        status=401,
    )


def _challenges(value: str) -> list[tuple[str, dict[str, str]]]:
    """Split one WWW-Authenticate value into (scheme, params) challenges (RFC 7235-ish)."""
    result: list[tuple[str, dict[str, str]]] = []
    current: dict[str, str] | None = None
    i, n = 0, len(value)
    while i < n:
        while i < n and value[i] in " \t,":
            i += 1
        j = i
        while j < n and value[j] in _TOKEN_CHARS:
            j += 1
        if j == i:
            i += 1  # a stray character: skip it
            continue
        name = value[i:j]
        k = j
        while k < n and value[k] in " \t":
            k += 1
        if current is not None and k < n and value[k] == "=":
            k += 1
            while k < n and value[k] in " \t":
                k += 1
            if k < n and value[k] == '"':
                text, k = _quoted(value, k)
            else:
                end = k
                while end < n and value[end] not in " \t,":
                    end += 1
                text, k = value[k:end], end
            current.setdefault(name.lower(), text)
            i = k
        else:
            current = {}
            result.append((name, current))
            i = j
    return result


def _quoted(value: str, start: int) -> tuple[str, int]:
    out: list[str] = []
    i, n = start + 1, len(value)
    while i < n:
        char = value[i]
        if char == "\\" and i + 1 < n:
            out.append(value[i + 1])
            i += 2
            continue
        if char == '"':
            return "".join(out), i + 1
        out.append(char)
        i += 1
    return "".join(out), i


def build_token(token_url: str, username: str, password: str) -> HttpRequest:
    """Build the password grant: ``POST`` form ``grant_type=password&username&password``."""
    if not isinstance(username, str) or not username.strip():
        raise InvalidInput("username", "must not be empty")
    if not isinstance(password, str) or not password:
        raise InvalidInput("password", "must not be empty")
    return HttpRequest(
        "POST",
        token_url,
        headers=dict(_JSON),
        form={"grant_type": "password", "username": username.strip(), "password": password},
    )


def parse_token(resp: HttpResponse) -> Token:
    """Parse the web-ticket answer ``{"access_token", "expires_in", …}``."""
    if resp.status == 400:
        error = ""
        try:
            body = resp.json(PROVIDER)
        except ProtocolViolation:
            body = None
        if isinstance(body, dict):
            error = _text(body.get("error"), limit=60)
        if error in ("invalid_grant", "invalid_request", ""):
            raise AuthenticationRequired(
                PROVIDER,
                "the user name or password was not accepted; check them and sign in again",
                status=400,
                code=error or None,
            )
        if error == "server_error":
            raise ProviderUnavailable(
                PROVIDER, "the sign-in service had a problem; try again later", status=400
            )
        raise Rejected(
            PROVIDER,
            f"the server refused password sign-in ({error})",
            status=400,
            code=error,
        )
    if resp.status in (401, 403):
        raise AuthenticationRequired(
            PROVIDER, "the user name or password was not accepted", status=resp.status
        )
    raise_for_common(PROVIDER, resp)
    if not 200 <= resp.status < 300:
        raise ProtocolViolation(
            PROVIDER, f"unexpected sign-in answer HTTP {resp.status}", status=resp.status
        )
    body = _json_object(resp, "sign-in answer")
    token = body.get("access_token")
    if not isinstance(token, str) or not token.strip():
        raise ProtocolViolation(
            PROVIDER, "the sign-in answer has no access token", status=resp.status
        )
    return Token(token.strip(), _lifetime(body.get("expires_in"), resp))


def _lifetime(value: Any, resp: HttpResponse) -> float:
    if value is None:
        return DEFAULT_TOKEN_LIFETIME
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 12:
        value = int(value.strip())
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and math.isnan(value))
    ):
        raise ProtocolViolation(
            PROVIDER, "the sign-in answer has an invalid expires_in", status=resp.status
        )
    if value <= 0:
        return 0.0
    if value >= _MAX_TOKEN_LIFETIME:
        return _MAX_TOKEN_LIFETIME
    return float(value)


# ---- application -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Application:
    """The links of a created UCWA application that the launcher uses (absolute)."""

    self_href: str
    events_href: str
    my_online_meetings_href: str | None = None
    join_href: str | None = None
    me_uri: str | None = None


def build_create_application(
    applications_url: str, token: str | None, *, user_agent: str, endpoint_id: str, culture: str
) -> HttpRequest:
    """Build ``POST <applications>`` with ``userAgent``, ``endpointId`` and ``culture``."""
    body = {"userAgent": user_agent, "endpointId": endpoint_id, "culture": culture}
    for name, value in body.items():
        if not value or len(value) > MAX_APPLICATION_FIELD:
            raise InvalidInput(name, f"must be 1 to {MAX_APPLICATION_FIELD} characters")
    return HttpRequest("POST", applications_url, headers=_headers(token), json=body)


def parse_application(resp: HttpResponse) -> Application:
    """Parse the 201 application resource into the links we follow."""
    raise_for_error(resp, not_found="the applications address was not found")
    body = _json_object(resp, "application")
    base = resp.url
    links = body.get("_links")
    events = _resolved(links, "events", base)
    self_href = _resolved(links, "self", base)
    if events is None or self_href is None:
        raise ProtocolViolation(
            PROVIDER, "the application has no self or events link", status=resp.status
        )
    embedded = body.get("_embedded")
    embedded = embedded if isinstance(embedded, dict) else {}
    meetings = embedded.get("onlineMeetings")
    communication = embedded.get("communication")
    me = embedded.get("me")
    me_uri = _text(me.get("uri"), limit=MAX_URI) if isinstance(me, dict) else ""
    return Application(
        self_href=self_href,
        events_href=events,
        my_online_meetings_href=(
            _resolved(meetings.get("_links"), "myOnlineMeetings", base)
            if isinstance(meetings, dict)
            else None
        ),
        join_href=(
            _resolved(communication.get("_links"), "joinOnlineMeeting", base)
            if isinstance(communication, dict)
            else None
        ),
        me_uri=me_uri or None,
    )


# ---- online meetings -------------------------------------------------------------------


def parse_my_online_meetings(
    resp: HttpResponse, *, account: str, user_uri: str | None
) -> list[Meeting]:
    """Map ``_embedded.myOnlineMeeting`` (+ ``myAssignedOnlineMeeting``) to meetings.

    Online meetings are standing meeting spaces: no start or end, an expiry instead.
    A meeting listed twice (assigned and own) appears once.
    """
    raise_for_error(resp, not_found="the online meetings list was not found")
    body = _json_object(resp, "online meetings list")
    embedded = body.get("_embedded")
    if embedded is None:
        return []
    if not isinstance(embedded, dict):
        raise ProtocolViolation(
            PROVIDER, "the online meetings list is malformed", status=resp.status
        )
    result: list[Meeting] = []
    seen: set[str] = set()
    for rel in ("myOnlineMeeting", "myAssignedOnlineMeeting"):
        items = embedded.get(rel)
        if items is None:
            continue
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            raise ProtocolViolation(
                PROVIDER, f"the online meetings list has a malformed {rel}", status=resp.status
            )
        for item in items:
            meeting = meeting_from_json(item, account=account, user_uri=user_uri)
            if meeting.id not in seen:
                seen.add(meeting.id)
                result.append(meeting)
    return result


def meeting_from_json(item: Any, *, account: str, user_uri: str | None) -> Meeting:
    """Map one ``myOnlineMeeting`` resource to a :class:`Meeting`."""
    if not isinstance(item, dict):
        raise ProtocolViolation(PROVIDER, "an online meeting is not an object")
    meeting_id = _text(item.get("onlineMeetingId"), limit=100)
    if not meeting_id:
        raise ProtocolViolation(PROVIDER, "an online meeting has no onlineMeetingId")
    expires = None
    raw_expiry = item.get("expirationTime")
    if raw_expiry is not None:
        try:
            expires = parse_ms_date(raw_expiry)
        except (ValueError, OverflowError, OSError):
            raise ProtocolViolation(
                PROVIDER, "an online meeting has an invalid expirationTime"
            ) from None
    organizer = _text(item.get("organizerUri"), limit=MAX_URI) or None
    leaders = _strings(item.get("leaders"))
    me = (user_uri or "").strip().lower()
    is_leader = bool(me) and (me in (x.lower() for x in leaders) or (organizer or "").lower() == me)
    conference = item.get("conferenceId")
    if isinstance(conference, int) and not isinstance(conference, bool):
        conference = str(conference) if 0 <= conference < 10**20 else None
    join_url = _text(item.get("joinUrl"), limit=MAX_URI)
    uri = _text(item.get("onlineMeetingUri"), limit=MAX_URI)
    return Meeting(
        id=meeting_id,
        account=account,
        provider=Provider.SKYPE,
        title=_text(item.get("subject"), limit=MAX_SUBJECT) or f"Skype meeting {meeting_id}",
        start=None,
        end=None,
        join_url=join_url if _is_web_url(join_url) else None,
        number=_text(conference, limit=40) or None,
        participants=tuple(_strings(item.get("attendees"))),
        organizer=organizer,
        role=Role.PRESENTER if is_leader else Role.VIEWER,
        online_meeting_uri=uri if uri.lower().startswith("sip:") else None,
        description=_text(item.get("description"), limit=20_000, multiline=True),
        expires=expires,
    )


def still_open(meeting: Meeting, start: dt.datetime | None) -> bool:
    """Whether an online meeting has not expired before *start* (no expiry: open)."""
    return start is None or meeting.expires is None or meeting.expires >= start


# ---- join ------------------------------------------------------------------------------


def validate_join(
    online_meeting_uri: str, subject: str | None, operation_id: str
) -> tuple[str, str | None]:
    """Check the join inputs; return the URI and subject to send."""
    uri = online_meeting_uri.strip() if isinstance(online_meeting_uri, str) else ""
    if not uri.lower().startswith("sip:") or len(uri) <= 4:
        raise InvalidInput("online_meeting_uri", "must be a meeting address starting with sip:")
    if len(uri) > MAX_URI:
        raise InvalidInput(
            "online_meeting_uri", f"must be at most {MAX_URI} characters (got {len(uri)})"
        )
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in uri):
        raise InvalidInput("online_meeting_uri", "must not contain spaces or control characters")
    text = None
    if subject is not None:
        if not isinstance(subject, str):
            raise InvalidInput("subject", "must be text")
        text = subject.strip() or None
        if text is not None and len(text) > MAX_SUBJECT:
            raise InvalidInput(
                "subject", f"must be at most {MAX_SUBJECT} characters (got {len(text)})"
            )
    if not operation_id or len(operation_id) > MAX_OPERATION_ID:
        raise InvalidInput("operation_id", f"must be 1 to {MAX_OPERATION_ID} characters")
    return uri, text


def build_join(
    join_url: str,
    token: str | None,
    *,
    online_meeting_uri: str,
    operation_id: str,
    subject: str | None = None,
) -> HttpRequest:
    """Build ``POST <communication._links.joinOnlineMeeting>`` (validates first)."""
    uri, text = validate_join(online_meeting_uri, subject, operation_id)
    body: dict[str, str] = {
        "onlineMeetingUri": uri,
        "operationId": operation_id,
        "importance": "Normal",
    }
    if text is not None:
        body["subject"] = text
    return HttpRequest("POST", join_url, headers=_headers(token), json=body)


def parse_join(resp: HttpResponse) -> str | None:
    """Return the operation URL (``Location`` of the 201), resolved; None if absent.

    The synchronous error rows of the joinOnlineMeeting reference become typed errors
    with a sentence a user understands; other errors go through :func:`raise_for_error`.
    """
    if not 200 <= resp.status < 300:
        err = error_of(resp)
        if err is not None:
            _raise_join_error(err)
        raise_for_error(resp, not_found="The meeting could not be found: check the link")
    location = resp.header("location")
    if not location:
        return None
    return resolve(resp.url, location)


def _raise_join_error(err: UcwaError) -> None:
    """Raise for the rows of seed 002's synchronous-error table; return for anything else."""
    status, sub = err.status, err.subcode
    if status == 404 and sub == "DestinationNotFound":
        raise NotFound(PROVIDER, "The meeting could not be found: check the link", status=404)
    if status == 403 and sub is None:
        raise Rejected(
            PROVIDER,
            "The server refused to join this meeting: its address does not match the "
            "meeting this sign-in (anonymous ticket) was issued for",
            status=403,
            code=err.code or "Forbidden",
        )
    if status == 500 and sub == "CallbackChannelError":
        raise ProviderUnavailable(
            PROVIDER,
            "The server could not reach its event channel; try again in a moment",
            status=500,
        )
    if status == 409 and sub == "AlreadyExists":
        raise Rejected(
            PROVIDER,
            "A join for this meeting is already under way; wait a moment and try again",
            status=409,
            code=sub,
        )
    if status == 409 and sub == "TooManyGroups":
        raise Rejected(
            PROVIDER,
            "The server has too many conversations open for this account; close some and try again",
            status=409,
            code=sub,
        )
    if status == 409 and sub is None:
        raise Rejected(
            PROVIDER,
            "The server does not support this kind of join",
            status=409,
            code=err.code or "Conflict",
        )
    if status == 410 and sub == "CannotRedirect":
        raise ProviderUnavailable(
            PROVIDER,
            "Your Skype for Business pool cannot be reached and no backup pool is "
            "configured; try again later",
            status=410,
        )


# ---- event channel ---------------------------------------------------------------------


def build_events(url: str, token: str | None, *, timeout: float) -> HttpRequest:
    """Build the event-channel P-GET of *url* (the ``next`` link) with ``timeout``.

    The HTTP timeout is the long-poll duration plus :data:`POLL_MARGIN`.
    """
    seconds = max(1, math.ceil(timeout))
    return HttpRequest(
        "GET",
        with_query(url, timeout=str(seconds)),
        headers=_headers(token),
        timeout=seconds + POLL_MARGIN,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Reason:
    """The ``reason`` of an event (a UCWA error structure)."""

    code: str | None = None
    subcode: str | None = None
    message: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    """One event, flattened to what the join tracker needs (hrefs absolute)."""

    sender_rel: str
    sender_href: str | None
    link_rel: str
    link_href: str | None
    type: str
    status: str | None = None
    reason: Reason | None = None
    operation_id: str | None = None
    state: str | None = None
    in_lobby: bool | None = None
    conversation_href: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class EventBatch:
    """One event-channel answer: where to poll next, and the events in order."""

    next_href: str | None
    resync_href: str | None
    resume_href: str | None
    events: tuple[Event, ...]

    @property
    def follow(self) -> str:
        """The URL of the next P-GET: ``next``, else ``resume``, else ``resync``."""
        href = self.next_href or self.resume_href or self.resync_href
        if href is None:
            raise ProtocolViolation(PROVIDER, "the event channel answer has no next link")
        return href


def parse_events(resp: HttpResponse) -> EventBatch:
    """Parse an event-channel answer; it must carry ``next``, ``resume`` or ``resync``."""
    raise_for_error(resp, not_found="the event channel was not found")
    body = _json_object(resp, "event channel answer")
    base = resp.url
    links = body.get("_links")
    batch_next = _resolved(links, "next", base)
    resync = _resolved(links, "resync", base)
    resume = _resolved(links, "resume", base)
    if batch_next is None and resync is None and resume is None:
        raise ProtocolViolation(
            PROVIDER, "the event channel answer has no next link", status=resp.status
        )
    senders = body.get("sender", [])
    if senders is None:
        senders = []
    if not isinstance(senders, list):
        raise ProtocolViolation(
            PROVIDER, "the event channel answer is malformed", status=resp.status
        )
    events: list[Event] = []
    for sender in senders:
        if not isinstance(sender, dict):
            raise ProtocolViolation(
                PROVIDER, "the event channel answer is malformed", status=resp.status
            )
        sender_rel = _text(sender.get("rel"), limit=100)
        raw_sender_href = sender.get("href")
        sender_href = (
            resolve(base, raw_sender_href)
            if isinstance(raw_sender_href, str) and raw_sender_href.strip()
            else None
        )
        items = sender.get("events", [])
        if items is None:
            items = []
        if not isinstance(items, list):
            raise ProtocolViolation(
                PROVIDER, "the event channel answer is malformed", status=resp.status
            )
        for item in items:
            events.append(_event(item, sender_rel, sender_href, base, resp.status))
    return EventBatch(batch_next, resync, resume, tuple(events))


def _event(item: Any, sender_rel: str, sender_href: str | None, base: str, status: int) -> Event:
    if not isinstance(item, dict) or not isinstance(item.get("link"), dict):
        raise ProtocolViolation(PROVIDER, "an event is malformed", status=status)
    link = item["link"]
    link_rel = _text(link.get("rel"), limit=100)
    raw_href = link.get("href")
    link_href = resolve(base, raw_href) if isinstance(raw_href, str) and raw_href.strip() else None
    reason = None
    raw_reason = item.get("reason")
    if isinstance(raw_reason, dict):
        reason = Reason(
            _text(raw_reason.get("code"), limit=60) or None,
            _text(raw_reason.get("subcode"), limit=60) or None,
            _text(raw_reason.get("message"), limit=300),
        )
    embedded = item.get("_embedded")
    resource = embedded.get(link_rel) if isinstance(embedded, dict) and link_rel else None
    operation_id = state = conversation = None
    in_lobby = None
    if isinstance(resource, dict):
        operation_id = _text(resource.get("operationId"), limit=100) or None
        state = _text(resource.get("state"), limit=60) or None
        lobby = resource.get("inLobby")
        in_lobby = lobby if isinstance(lobby, bool) else None
        conversation = _resolved(resource.get("_links"), "conversation", base)
    return Event(
        sender_rel=sender_rel,
        sender_href=sender_href,
        link_rel=link_rel,
        link_href=link_href,
        type=_text(item.get("type"), limit=60),
        status=_text(item.get("status"), limit=60) or None,
        reason=reason,
        operation_id=operation_id,
        state=state,
        in_lobby=in_lobby,
        conversation_href=conversation,
    )


# ---- the join, as a state machine fed with events ---------------------------------------

_FAILURES: Mapping[str, str] = {
    "Denied": "The organiser or a presenter did not let you in from the lobby.",
    "Ended": "The meeting has ended.",
    "Timeout": (
        "Joining took too long: nobody let you in, or the meeting did not answer in time. "
        "Try again."
    ),
    "InviteesOnly": (
        "Only people invited to this meeting can join it. Ask the organiser to invite you."
    ),
    "TooManyParticipants": "The meeting is full: it has reached its maximum number of people.",
    "TooManyLobbyParticipants": "The meeting's lobby is full. Try again later.",
    "DestinationNotFound": "The meeting could not be found: check the link.",
    "Canceled": "The join was cancelled.",
    "Cancelled": "The join was cancelled.",
    "Ejected": "You were removed from the meeting.",
    "AnonymousNotAllowed": "This meeting does not allow people from outside the organisation.",
}


def failure_message(reason: Reason | None) -> str:
    """Return a sentence a user understands for a failed join."""
    known = _FAILURES.get(reason.subcode or "") if reason is not None else None
    if known is not None:
        return known
    if reason is not None and reason.message:
        return f"Could not join the meeting: {reason.message}"
    code = reason.subcode or reason.code if reason is not None else None
    return f"Could not join the meeting ({code})." if code else "Could not join the meeting."


@dataclasses.dataclass
class JoinTracker:
    """Turns event-channel events into :class:`JoinProgress` for one join operation.

    Events are ours when the ``onlineMeetingInvitation`` carries our ``operationId`` or
    its link is the operation URL from the 201's ``Location``. The lobby signal
    (an INFERENCE agreed with the sandbox, see CONTRACT.md) is a ``localParticipant``
    ``updated`` event in a ``conversation`` sender with ``inLobby`` true/false; when we
    know our conversation (the invitation's ``conversation`` link) only its events count.
    A progress is reported only when it changes: while in the lobby the invitation's
    ``updated`` events (it stays Connecting) do not flip the state back.
    """

    operation_id: str
    invitation_href: str | None = None
    conversation_href: str | None = None
    in_lobby: bool = False
    done: bool = False
    _last: JoinProgress | None = dataclasses.field(default=None, repr=False)

    def feed(self, event: Event) -> JoinProgress | None:
        """Consume one event; return the progress to show, if any.

        Raises JoinFailed when our operation completed with a failure.
        """
        if self.done:
            return None
        if event.link_rel == "onlineMeetingInvitation" and self._ours(event):
            if event.conversation_href:
                self.conversation_href = event.conversation_href
            if event.link_href and self.invitation_href is None:
                self.invitation_href = event.link_href
            if event.type == "completed":
                self.done = True
                if _succeeded(event):
                    return self._emit("joined", JOINED_MESSAGE)
                code = (event.reason.subcode or event.reason.code) if event.reason else None
                raise JoinFailed(PROVIDER, failure_message(event.reason), code=code or "Failed")
            if event.type in ("started", "updated") and not self.in_lobby:
                return self._emit("connecting", CONNECTING_MESSAGE)
            return None
        if (
            event.link_rel == "localParticipant"
            and event.in_lobby is not None
            and event.sender_rel == "conversation"
            and event.type in ("added", "updated")
            and self._our_conversation(event)
        ):
            if event.in_lobby:
                self.in_lobby = True
                return self._emit("lobby", LOBBY_MESSAGE)
            if self.in_lobby:
                self.in_lobby = False
                return self._emit("connecting", ADMITTED_MESSAGE)
        return None

    def posted(self) -> JoinProgress | None:
        """Report that the join request was accepted (before any event arrives)."""
        return self._emit("connecting", CONNECTING_MESSAGE)

    def _ours(self, event: Event) -> bool:
        if event.operation_id is not None:
            return event.operation_id == self.operation_id
        return (
            self.invitation_href is not None
            and event.link_href is not None
            and _same_url(event.link_href, self.invitation_href)
        )

    def _our_conversation(self, event: Event) -> bool:
        if self.conversation_href is None:
            return True
        if event.sender_href is None:
            return False
        return _same_url(event.sender_href, self.conversation_href)

    def _emit(self, state: str, message: str) -> JoinProgress | None:
        progress = JoinProgress(state, message)
        if progress == self._last:
            return None
        self._last = progress
        return progress


def _succeeded(event: Event) -> bool:
    status = (event.status or "").lower()
    if status == "success":
        return True
    if status:
        return False
    # No status (not documented either way): trust the invitation state when there is
    # no failure reason.
    return event.reason is None and (event.state or "").lower() == "connected"


def _same_url(a: str, b: str) -> bool:
    pa, pb = urllib.parse.urlsplit(a), urllib.parse.urlsplit(b)
    return (pa.netloc.lower(), pa.path.rstrip("/")) == (pb.netloc.lower(), pb.path.rstrip("/"))


# ---- join links ------------------------------------------------------------------------

_JOIN_PATH = re.compile(r"/(?P<user>[A-Za-z0-9][A-Za-z0-9._-]{0,63})/(?P<id>[A-Za-z0-9]{1,32})/?")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")


def meeting_uri_from_join_url(
    url: str, sip_domain: str, *, web_url: str | None = None
) -> str | None:
    """Map a join link to the meeting's SIP URI, or None if it is not one we recognise.

    ``https://meet.<sip_domain>/<user>/<id>`` (query such as ``?sl=1`` ignored), or
    ``<web_url>/<user>/<id>`` when the account names its join-page base, becomes
    ``sip:<user>@<sip_domain>;gruu;opaque=app:conf:focus:id:<id>``.

    INFERENCE (PROVIDERS.md 3.9): the SIP domain and the user's alias may differ from
    what the link shows; prefer the meeting's ``onlineMeetingUri`` (from the meetings
    list or the invitation's conference link) whenever it is known. Never raises.
    """
    if not isinstance(url, str) or not isinstance(sip_domain, str) or len(url) > MAX_URI:
        return None
    domain = sip_domain.strip().lower()
    if len(domain) > 253 or not _DOMAIN.fullmatch(domain):
        return None
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    path: str | None = None
    if host == f"meet.{domain}":
        path = parts.path
    elif isinstance(web_url, str) and web_url.strip():
        try:
            base = urllib.parse.urlsplit(web_url.strip())
        except ValueError:
            return None
        prefix = base.path.rstrip("/")
        if (
            base.netloc
            and parts.netloc.lower() == base.netloc.lower()
            and parts.path.startswith(prefix + "/")
        ):
            path = parts.path[len(prefix) :]
    if path is None:
        return None
    match = _JOIN_PATH.fullmatch(path)
    if match is None:
        return None
    return f"sip:{match['user']}@{domain};gruu;opaque=app:conf:focus:id:{match['id']}"


# ---- helpers ---------------------------------------------------------------------------


def _text(value: Any, *, limit: int = 500, multiline: bool = False) -> str:
    if not isinstance(value, str):
        return ""
    pattern = _CONTROL_INLINE if multiline else _CONTROL
    return pattern.sub(" ", value).strip()[:limit]


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [t for t in (_text(v, limit=MAX_URI) for v in value) if t]


def _is_web_url(value: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
