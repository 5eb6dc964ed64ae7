"""BlueJeans relay (joinflow, access tokens) and Meetings REST protocol: pure build/parse."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import math
import re
import urllib.parse
from collections.abc import Iterable
from typing import Any

from launcher.core.errors import (
    AuthenticationRequired,
    ConfigError,
    InvalidInput,
    NotFound,
    ProtocolViolation,
    Rejected,
)
from launcher.core.joinflow import JoinFlowAction
from launcher.core.models import Credentials, Meeting, Provider, Role
from launcher.core.timeutil import from_epoch_ms
from launcher.providers.http import HttpRequest, HttpResponse, raise_for_common

PROVIDER = Provider.BLUEJEANS.value

#: The relay asks clients to stay below two requests per second; we keep a margin.
RELAY_MIN_INTERVAL = 0.55
#: Used when a token answer has no ``expires_in``: assume a short life, re-grant sooner.
DEFAULT_TOKEN_LIFETIME = 3600.0
#: Longest token lifetime we believe (ten years); larger values are clamped.
_MAX_TOKEN_LIFETIME = 10 * 365 * 24 * 3600.0

_MEETING_ID = re.compile(r"[0-9]{6,13}")
_PASSCODE = re.compile(r"[A-Za-z0-9]+")
_IDENTIFIER = re.compile(r"[A-Z0-9_]{1,40}")
_INTERNAL_ID = re.compile(r"[0-9]{1,19}")
_NUMERIC_ID = re.compile(r"[0-9]{1,20}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_CONTROL_INLINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]+")
_MAX_ID = 10**19

_JSON_HEADERS = {"Accept": "application/json"}


# ---- validation ----------------------------------------------------------------------


def validate_meeting_id(meeting_id: str) -> str:
    """Return the numeric meeting ID (what people dial) or raise InvalidInput."""
    text = meeting_id.strip() if isinstance(meeting_id, str) else ""
    if not _MEETING_ID.fullmatch(text):
        raise InvalidInput(
            "meeting_id", "must be the meeting ID from the invitation: 6 to 13 digits"
        )
    return text


def validate_passcode(passcode: str) -> str:
    """Return the passcode or raise InvalidInput; the message never repeats the value."""
    text = passcode.strip() if isinstance(passcode, str) else ""
    if not text:
        raise InvalidInput("passcode", "must not be empty")
    if len(text) > 32:
        raise InvalidInput("passcode", f"must be at most 32 characters (got {len(text)})")
    if not _PASSCODE.fullmatch(text):
        raise InvalidInput("passcode", "may contain only letters and digits")
    return text


def validate_identifier(field: str, value: str) -> str:
    """Return an upper-case relay enum value (cluster, meeting type) or raise InvalidInput."""
    text = value.strip() if isinstance(value, str) else ""
    if not _IDENTIFIER.fullmatch(text):
        raise InvalidInput(
            field, "must be an upper-case name such as PROD or MEETME (A-Z, 0-9, _; at most 40)"
        )
    return text


def validate_internal_id(meeting_id: str) -> str:
    """Return a Meetings REST internal meeting id (the integer ``id``) or raise InvalidInput."""
    text = meeting_id.strip() if isinstance(meeting_id, str) else ""
    if not _INTERNAL_ID.fullmatch(text):
        raise InvalidInput(
            "meeting_id", "must be the meeting's internal id (digits), not a link or name"
        )
    return text


def _base(url: str) -> str:
    return url.rstrip("/")


# ---- relay: joinflow -----------------------------------------------------------------


def build_joinflow(
    relay_url: str,
    meeting_id: str,
    *,
    passcode: str | None = None,
    cluster: str | None = None,
    meeting_type: str | None = None,
    access_token: str | None = None,
) -> HttpRequest:
    """Build ``GET {relay}/meetings/{id}/joinflow``; validates every input first.

    The relay token goes in the ``X-Access-Token`` header. The relay also accepts it
    as an ``accesstoken`` query parameter, but a query string ends up in proxy logs,
    server logs and our own HTTP debug logs; a header does not.
    """
    number = validate_meeting_id(meeting_id)
    params: dict[str, str] = {}
    if passcode is not None:
        params["passcode"] = validate_passcode(passcode)
    if cluster is not None:
        params["cluster"] = validate_identifier("cluster", cluster)
    if meeting_type is not None:
        params["meetingtype"] = validate_identifier("meeting_type", meeting_type)
    headers = dict(_JSON_HEADERS)
    if access_token:
        headers["X-Access-Token"] = access_token
    return HttpRequest(
        "GET", f"{_base(relay_url)}/meetings/{number}/joinflow", params=params, headers=headers
    )


def parse_joinflow(resp: HttpResponse) -> JoinFlowAction | str:
    """Return the joinflow answer: a known :class:`JoinFlowAction`, else the raw string.

    The body is a JSON-encoded string. An answer this version does not know is returned
    unchanged (``core.joinflow.verdict`` turns it into "open in the browser"). The
    relay is documented to fail open (``JOIN_NOW`` when its own back end fails); we
    cannot tell that apart from a real ``JOIN_NOW`` and do not try.
    """
    raise_for_error(resp, not_found="there is no meeting with that ID")
    body = _json_ok(resp)
    if not isinstance(body, str):
        raise ProtocolViolation(
            PROVIDER,
            "the pre-join check answered with something other than a text value",
            status=resp.status,
        )
    try:
        return JoinFlowAction(body)
    except ValueError:
        return body


# ---- relay: access tokens ------------------------------------------------------------


def build_relay_token(relay_url: str, username: str, password: str) -> HttpRequest:
    """Build ``POST {relay}/auth/accesstokens`` authenticated with HTTP Basic."""
    user = (username or "").strip() if isinstance(username, str) else ""
    if not user:
        raise InvalidInput("username", "must not be empty")
    if ":" in user:
        raise InvalidInput("username", "must not contain a colon")
    if not isinstance(password, str) or not password:
        raise InvalidInput("password", "must not be empty")
    basic = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    headers = dict(_JSON_HEADERS)
    headers["Authorization"] = f"Basic {basic}"
    # A POST, so never sent twice by the retry rules; the client paces its relay
    # requests to the relay's 2 a second, so a sign-in right after a check is not throttled.
    return HttpRequest("POST", f"{_base(relay_url)}/auth/accesstokens", headers=headers)


def parse_relay_token(resp: HttpResponse) -> str:
    """Return ``accessToken`` from the relay's access-token answer."""
    if resp.status in (400, 401, 403):
        raise AuthenticationRequired(
            PROVIDER, "the user name or password was not accepted", status=resp.status
        )
    raise_for_error(resp)
    body = _json_ok(resp)
    token = body.get("accessToken") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token.strip():
        raise ProtocolViolation(
            PROVIDER, "the sign-in answer did not contain an access token", status=resp.status
        )
    return token.strip()


# ---- Meetings REST: OAuth ------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Grant:
    """An access token for the Meetings REST API and what its ``scope`` told us."""

    access_token: str = dataclasses.field(repr=False)
    expires_in: float
    user_id: str | None = None
    enterprise_id: str | None = None


def grant_kind(credentials: Credentials, username: str | None) -> str | None:
    """Which OAuth grant the credentials allow: ``password``, ``client_credentials`` or None."""
    if username and credentials.password:
        return "password"
    if credentials.client_id and credentials.client_secret:
        return "client_credentials"
    return None


def build_token(base_url: str, credentials: Credentials, *, username: str | None) -> HttpRequest:
    """Build ``POST {base}/oauth2/token`` (JSON body) for the grant the credentials allow.

    The password grant (user name and password) is preferred; otherwise the
    client-credentials grant (app key and secret). Raises ConfigError with neither.
    """
    kind = grant_kind(credentials, username)
    body: dict[str, str]
    if kind == "password":
        body = {
            "grant_type": "password",
            "username": str(username),
            "password": str(credentials.password),
        }
    elif kind == "client_credentials":
        body = {
            "grant_type": "client_credentials",
            "client_id": str(credentials.client_id),
            "client_secret": str(credentials.client_secret),
        }
    else:
        raise ConfigError(
            "This BlueJeans account has no sign-in for listing meetings: add a user name "
            "and password, or an app key and secret."
        )
    return HttpRequest("POST", f"{_base(base_url)}/oauth2/token", headers=_JSON_HEADERS, json=body)


def parse_token(resp: HttpResponse) -> Grant:
    """Parse the OAuth token answer (``access_token``, ``expires_in``, ``scope``)."""
    if resp.status in (400, 401, 403):
        raise AuthenticationRequired(
            PROVIDER,
            "the sign-in was refused: check the user name and password (or app key and "
            "secret) in the account settings",
            status=resp.status,
        )
    raise_for_error(resp)
    body = _json_ok(resp)
    if not isinstance(body, dict):
        raise _violation("the sign-in answer is not an object", resp)
    token = body.get("access_token")
    if not isinstance(token, str) or not token.strip():
        raise _violation("the sign-in answer has no access token", resp)
    expires = _lifetime(body.get("expires_in"), resp)
    scope = body.get("scope")
    user_id = enterprise_id = None
    if isinstance(scope, dict):
        user_id = _as_id(scope.get("user"))
        enterprise_id = _as_id(scope.get("enterprise"))
    return Grant(token.strip(), expires, user_id, enterprise_id)


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
        raise _violation("the sign-in answer has an invalid expires_in", resp)
    if value <= 0:
        return 0.0
    if value >= _MAX_TOKEN_LIFETIME:
        return _MAX_TOKEN_LIFETIME
    return float(value)


def token_expiry(now: float, grant: Grant, *, skew: float = 60.0) -> float:
    """When to stop using a token granted at *now*: ``now + expires_in - skew``.

    (A once-popular client subtracted ``expires_in`` instead, so its tokens were
    always "expired".)
    """
    return now + grant.expires_in - skew


def build_token_info(base_url: str, token: str) -> HttpRequest:
    """Build ``GET /oauth2/tokenInfo?access_token=`` (is the token good, and whose is it?)."""
    return HttpRequest(
        "GET",
        f"{_base(base_url)}/oauth2/tokenInfo",
        params={"access_token": token},
        headers=_JSON_HEADERS,
    )


def parse_token_info(resp: HttpResponse) -> tuple[str | None, str | None]:
    """Return ``(user id, enterprise id)`` of a token; AuthenticationRequired if it is dead."""
    if resp.status in (400, 401, 403):
        raise AuthenticationRequired(
            PROVIDER,
            "sign-in needed: the BlueJeans sign-in has expired; sign in again",
            status=resp.status,
        )
    raise_for_error(resp)
    body = _json_ok(resp)
    if not isinstance(body, dict):
        raise _violation("the token information is not an object", resp)
    user_id, enterprise_id = _as_id(body.get("user")), _as_id(body.get("enterprise"))
    if user_id is None and enterprise_id is None:
        raise _violation("the token information names neither a user nor an enterprise", resp)
    return user_id, enterprise_id


def _bearer(token: str) -> dict[str, str]:
    headers = dict(_JSON_HEADERS)
    headers["Authorization"] = f"Bearer {token}"
    return headers


# ---- Meetings REST: user lookup and meetings -----------------------------------------


def build_enterprise_user(base_url: str, token: str, enterprise_id: str, email: str) -> HttpRequest:
    """Build ``GET /v1/enterprise/{id}/users?emailId=`` (client-credentials user lookup)."""
    eid = _safe_path_id(enterprise_id, "enterprise id")
    return HttpRequest(
        "GET",
        f"{_base(base_url)}/v1/enterprise/{eid}/users",
        params={"emailId": email},
        headers=_bearer(token),
    )


def parse_enterprise_user(resp: HttpResponse) -> str:
    """Return ``users[0].id`` from the enterprise user search."""
    raise_for_error(resp, not_found="the enterprise was not found")
    body = _json_ok(resp)
    if not isinstance(body, dict):
        raise _violation("the user search answer is not an object", resp)
    users = body.get("users", body.get("user"))
    if not isinstance(users, list):
        raise _violation("the user search answer has no user list", resp)
    if not users:
        raise NotFound(
            PROVIDER,
            "no user with this account's e-mail address was found in the enterprise",
            status=resp.status,
        )
    first = users[0]
    user_id = _as_id(first.get("id")) if isinstance(first, dict) else None
    if user_id is None:
        raise _violation("the user search answer has no user id", resp)
    return user_id


def build_list_meetings(base_url: str, token: str, user_id: str) -> HttpRequest:
    """Build ``GET /v1/user/{user_id}/scheduled_meeting`` (a bare JSON array comes back)."""
    uid = _safe_path_id(user_id, "user id")
    return HttpRequest(
        "GET", f"{_base(base_url)}/v1/user/{uid}/scheduled_meeting", headers=_bearer(token)
    )


def build_get_meeting(base_url: str, token: str, user_id: str, meeting_id: str) -> HttpRequest:
    """Build ``GET /v1/user/{user_id}/scheduled_meeting/{id}``; *meeting_id* is the internal id."""
    mid = validate_internal_id(meeting_id)
    uid = _safe_path_id(user_id, "user id")
    return HttpRequest(
        "GET",
        f"{_base(base_url)}/v1/user/{uid}/scheduled_meeting/{mid}",
        headers=_bearer(token),
    )


def parse_meetings(
    resp: HttpResponse, *, account: str, user_id: str | None, web_url: str
) -> list[Meeting]:
    """Map the scheduled-meeting array to :class:`Meeting` values."""
    raise_for_error(resp, not_found="the user was not found")
    body = _json_ok(resp)
    if not isinstance(body, list):
        raise _violation("the meeting list is not a list", resp)
    return [
        meeting_from_json(item, account=account, user_id=user_id, web_url=web_url, resp=resp)
        for item in body
    ]


def parse_meeting(
    resp: HttpResponse, *, account: str, user_id: str | None, web_url: str
) -> Meeting:
    """Map one scheduled meeting (``GET …/scheduled_meeting/{id}``)."""
    raise_for_error(resp, not_found="the meeting was not found (it may have been deleted)")
    body = _json_ok(resp)
    return meeting_from_json(body, account=account, user_id=user_id, web_url=web_url, resp=resp)


def meeting_from_json(
    item: Any,
    *,
    account: str,
    user_id: str | None,
    web_url: str,
    resp: HttpResponse | None = None,
) -> Meeting:
    """Map one Meetings REST ``Meeting`` object.

    ``id`` is the internal integer used in API paths; ``number`` is ``numericMeetingId``,
    the ID people dial and the one in the join link. Strict about what identifies and
    schedules the meeting, lenient (ignores) about decoration such as attendees.
    """
    status = resp.status if resp is not None else None
    if not isinstance(item, dict):
        raise ProtocolViolation(PROVIDER, "a meeting in the answer is not an object", status=status)
    internal = _as_id(item.get("id"))
    if internal is None:
        raise ProtocolViolation(PROVIDER, "a meeting in the answer has no valid id", status=status)
    number = _numeric_meeting_id(item.get("numericMeetingId"), status)
    title = _text(item.get("title")) or f"BlueJeans meeting {number or internal}"
    start = end = None
    if item.get("timelessMeeting") is not True:
        start = _epoch(item.get("start"), "start", status)
        end = _epoch(item.get("end"), "end", status)
    passcode = item.get("attendeePasscode")
    if isinstance(passcode, int) and not isinstance(passcode, bool) and 0 <= passcode < _MAX_ID:
        passcode = str(passcode)
    moderator = item.get("moderator")
    organizer = None
    role = Role.VIEWER
    if isinstance(moderator, dict):
        name = " ".join(
            part
            for part in (_text(moderator.get("firstname")), _text(moderator.get("lastname")))
            if part
        )
        organizer = name or _text(moderator.get("username")) or None
        moderator_id = _as_id(moderator.get("id"))
        if user_id is not None and moderator_id == str(user_id):
            role = Role.PRESENTER
    return Meeting(
        id=internal,
        account=account,
        provider=Provider.BLUEJEANS,
        title=title,
        start=start,
        end=end,
        join_url=f"{_base(web_url)}/{number}" if number else None,
        number=number,
        passcode=passcode if isinstance(passcode, str) and passcode.strip() else None,
        participants=tuple(_attendee_emails(item.get("attendees"))),
        organizer=organizer,
        role=role,
        description=_text(item.get("description"), limit=20_000, multiline=True),
    )


def in_window(meeting: Meeting, start: dt.datetime | None, end: dt.datetime | None) -> bool:
    """Whether *meeting* overlaps ``[start, end)``; timeless meetings always do.

    A meeting without a (positive) length counts as the instant it starts.
    """
    if meeting.start is None:
        return True
    if end is not None and meeting.start >= end:
        return False
    if start is not None:
        if meeting.end is not None and meeting.end > meeting.start:
            return meeting.end > start
        return meeting.start >= start
    return True


# ---- errors ----------------------------------------------------------------------------


def raise_for_error(resp: HttpResponse, *, not_found: str = "not found") -> None:
    """Raise the typed error for a non-2xx answer (REST error body ``{"message"}``).

    401 → AuthenticationRequired, 403 → AuthenticationRequired (not allowed for this
    account), 404 → NotFound, 429 → RateLimited, 5xx → ProviderUnavailable, other 4xx →
    Rejected with the server's message, anything else unexpected → ProtocolViolation.
    """
    status = resp.status
    if 200 <= status < 300:
        return
    if status == 401:
        raise AuthenticationRequired(
            PROVIDER, "sign-in needed: the credentials were refused or have expired", status=401
        )
    if status == 403:
        raise AuthenticationRequired(
            PROVIDER,
            "this account is not allowed to do that; sign in with an account that is",
            status=403,
        )
    message = error_message(resp)
    if status == 404:
        raise NotFound(PROVIDER, not_found, status=404)
    raise_for_common(PROVIDER, resp)
    if 400 <= status < 500:
        detail = f": {message}" if message else ""
        raise Rejected(PROVIDER, f"the request was refused (HTTP {status}){detail}", status=status)
    raise ProtocolViolation(PROVIDER, f"unexpected answer HTTP {status}", status=status)


def error_message(resp: HttpResponse) -> str:
    """Return the ``message`` of a BlueJeans error body, cleaned and shortened ("" if none)."""
    try:
        body = resp.json(PROVIDER)
    except ProtocolViolation:
        return ""
    if isinstance(body, dict):
        return _text(body.get("message"), limit=200)
    return ""


# ---- helpers ---------------------------------------------------------------------------


def _json_ok(resp: HttpResponse) -> Any:
    return resp.json(PROVIDER)


def _violation(message: str, resp: HttpResponse) -> ProtocolViolation:
    return ProtocolViolation(PROVIDER, message, status=resp.status)


def _as_id(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if 0 <= value < _MAX_ID else None
    if isinstance(value, str) and _INTERNAL_ID.fullmatch(value.strip()):
        return value.strip()
    return None


def _safe_path_id(value: str, what: str) -> str:
    text = str(value).strip()
    if not _INTERNAL_ID.fullmatch(text):
        raise ProtocolViolation(PROVIDER, f"the {what} is not a number")
    return urllib.parse.quote(text, safe="")


def _numeric_meeting_id(value: Any, status: int | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < _MAX_ID:
        return str(value)
    if isinstance(value, str) and _NUMERIC_ID.fullmatch(value.strip()):
        return value.strip()
    raise ProtocolViolation(
        PROVIDER, "a meeting in the answer has an invalid numericMeetingId", status=status
    )


def _epoch(value: Any, name: str, status: int | None) -> dt.datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolViolation(
            PROVIDER, f"a meeting in the answer has no valid {name}", status=status
        )
    try:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(value)
        return from_epoch_ms(value)
    except (ValueError, OverflowError, OSError):
        raise ProtocolViolation(
            PROVIDER, f"a meeting in the answer has an impossible {name} time", status=status
        ) from None


def _text(value: Any, *, limit: int = 500, multiline: bool = False) -> str:
    if not isinstance(value, str):
        return ""
    pattern = _CONTROL_INLINE if multiline else _CONTROL
    return pattern.sub(" ", value).strip()[:limit]


def _attendee_emails(value: Any) -> Iterable[str]:
    if not isinstance(value, list):
        return
    for attendee in value:
        email = attendee.get("email") if isinstance(attendee, dict) else None
        text = _text(email, limit=254)
        if text:
            yield text
