"""join.me REST API v1: drafts, validation, request builders and response parsers. Pure.

Sources: seeds 001 (start ad hoc / scheduled) and 003 (scheduled meetings CRUD), and
PROVIDERS.md section 2. Every request carries ``Authorization: Bearer <token>`` and
``Content-Type: application/json``. Errors come as ``{"Message": ..., "ErrorCode": ...}``;
join.me sits behind a Mashery proxy, which throttles with a 403 whose
``X-Mashery-Error-Code`` names the limit (``ERR_403_DEVELOPER_OVER_QPS`` / ``..._OVER_RATE``).

The presenter link and the organizer code are secrets: no message, log line or repr
written here contains a value taken from a start answer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

from launcher.core.errors import (
    AuthenticationRequired,
    InvalidInput,
    NotFound,
    ProtocolViolation,
    RateLimited,
    Rejected,
)
from launcher.core.models import (
    AudioConference,
    Meeting,
    Provider,
    Role,
    StartedMeeting,
    utc,
)
from launcher.core.timeutil import format_iso_z
from launcher.core.validate import is_email, require_http_url, require_text
from launcher.providers.http import (
    HttpRequest,
    HttpResponse,
    describe_status,
    raise_for_common,
    retry_after_seconds,
)
from launcher.providers.jsonread import FieldReader

PROVIDER = Provider.JOINME.value

#: Longest meeting name we send. join.me documents no limit; 255 is our own cap.
MAX_TITLE = 255
#: "The end date must be within 14 days of the start date" (seed 003).
MAX_DURATION = dt.timedelta(days=14)
#: The only webhook events join.me knows (PROVIDERS.md 2.4).
WEBHOOK_EVENTS = frozenset({"meeting.start", "meeting.end"})

_MEETING_ID = re.compile(r"[0-9]{1,20}")
_MAX_MESSAGE = 300


# ---- drafts ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class ScheduleDraft:
    """A meeting to schedule with ``POST /meetings``.

    ``participants`` are e-mail addresses to invite; the presenter (the account
    owner) is not included automatically. ``personal_url`` starts the meeting on
    the user's personal URL instead of a 9-digit code.
    """

    title: str
    start: dt.datetime
    end: dt.datetime
    participants: tuple[str, ...] = ()
    personal_url: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class MeetingPatch:
    """A partial update for ``PATCH /meetings/{id}``; ``None`` leaves a field unchanged.

    ``participants`` REPLACES the whole invitation list (seed 003: "This list will
    override the existing participants list"): to remove one person, send the old
    list without them; an empty tuple removes everybody.
    """

    title: str | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    participants: tuple[str, ...] | None = None
    personal_url: bool | None = None

    @property
    def empty(self) -> bool:
        """Whether the patch changes nothing."""
        return all(getattr(self, f.name) is None for f in dataclasses.fields(self))


# ---- validation (before any request) ----------------------------------------------


def validate_meeting_id(meeting_id: str) -> str:
    """Return the meeting ID stripped, or raise InvalidInput: join.me IDs are integers."""
    text = meeting_id.strip() if isinstance(meeting_id, str) else ""
    if not _MEETING_ID.fullmatch(text):
        raise InvalidInput("meeting_id", "a join.me meeting ID is a number, e.g. 12345")
    return text


def _aware(field: str, value: object) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise InvalidInput(field, "must be a date and time")
    try:
        return utc(value)
    except ValueError:
        raise InvalidInput(field, "must include a time zone (or be given in UTC)") from None
    except OverflowError:
        raise InvalidInput(field, "is out of the supported range") from None


def _check_times(start: dt.datetime, end: dt.datetime) -> None:
    if start >= end:
        raise InvalidInput("end", "must be after the start")
    if end - start > MAX_DURATION:
        raise InvalidInput("end", "must be within 14 days of the start")


def _participants(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise InvalidInput("participant", "give a list of e-mail addresses, not one string")
    seen: set[str] = set()
    out: list[str] = []
    for raw in values:
        address = raw.strip() if isinstance(raw, str) else ""
        if not is_email(address):
            shown = raw[:80] if isinstance(raw, str) else type(raw).__name__
            raise InvalidInput("participant", f"{shown!r} is not a well-formed e-mail address")
        if address.casefold() not in seen:  # inviting someone twice is never meant
            seen.add(address.casefold())
            out.append(address)
    return tuple(out)


def validate_schedule(draft: ScheduleDraft) -> ScheduleDraft:
    """Check a draft and return it normalised (title stripped, times in UTC).

    Raises:
        InvalidInput: on "title" (missing, over 255 characters), "start"/"end" (not
            aware, start not before end, end more than 14 days after start) or
            "participant" (naming the malformed address).

    """
    title = require_text("title", draft.title, max_len=MAX_TITLE)
    start = _aware("start", draft.start)
    end = _aware("end", draft.end)
    _check_times(start, end)
    participants = _participants(draft.participants)
    return ScheduleDraft(
        title=title,
        start=start,
        end=end,
        participants=participants,
        personal_url=bool(draft.personal_url),
    )


def validate_patch(current: Meeting | None, patch: MeetingPatch) -> MeetingPatch:
    """Check a patch, merged with the current meeting when given; return it normalised.

    join.me requires the start to precede the end "even if either the meetingStart or
    meetingEnd parameter is not provided" (seed 003), so a patch that moves only one
    of them is checked against the other taken from *current*. Without *current*
    (``None``), only what the patch itself decides is checked.

    Raises:
        InvalidInput: with the same field names as :func:`validate_schedule`.

    """
    title = None if patch.title is None else require_text("title", patch.title, max_len=MAX_TITLE)
    start = None if patch.start is None else _aware("start", patch.start)
    end = None if patch.end is None else _aware("end", patch.end)
    participants = None if patch.participants is None else _participants(patch.participants)
    merged_start = start if start is not None else (current.start if current else None)
    merged_end = end if end is not None else (current.end if current else None)
    moved = start is not None or end is not None
    if moved and merged_start is not None and merged_end is not None:
        _check_times(merged_start, merged_end)
    personal = None if patch.personal_url is None else bool(patch.personal_url)
    return MeetingPatch(
        title=title, start=start, end=end, participants=participants, personal_url=personal
    )


def validate_webhooks(webhooks: Mapping[str, object]) -> dict[str, object]:
    """Check a ``webhooks`` request object (PROVIDERS.md 2.4) and return a plain copy.

    Keys are ``meeting.start`` / ``meeting.end``; each value is an object with an
    absolute http(s) ``callbackUrl`` and optional JSON ``customCallbackData``.
    """
    if not isinstance(webhooks, Mapping):
        raise InvalidInput("webhooks", "must be an object keyed by event name")
    out: dict[str, object] = {}
    for event, hook in webhooks.items():
        if event not in WEBHOOK_EVENTS:
            raise InvalidInput(
                "webhooks", f"unknown event {str(event)[:40]!r}; use meeting.start or meeting.end"
            )
        if not isinstance(hook, Mapping) or not isinstance(hook.get("callbackUrl"), str):
            raise InvalidInput("webhooks", f"{event} needs a callbackUrl")
        require_http_url("webhooks", hook["callbackUrl"])
        out[event] = dict(hook)
    try:
        json.dumps(out, allow_nan=False)
    except (TypeError, ValueError):
        raise InvalidInput("webhooks", "customCallbackData must be plain JSON data") from None
    return out


# ---- requests ----------------------------------------------------------------------


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def _url(base_url: str, *parts: str) -> str:
    path = "/".join(urllib.parse.quote(p, safe="") for p in parts)
    return f"{base_url.rstrip('/')}/{path}"


def build_list_meetings(
    base_url: str, token: str, *, end: dt.datetime | None = None
) -> HttpRequest:
    """``GET /meetings[?endDate=...]``: upcoming meetings, up to *end* if given."""
    params = {} if end is None else {"endDate": format_iso_z(_aware("end", end))}
    return HttpRequest("GET", _url(base_url, "meetings"), params=params, headers=_headers(token))


def build_get_user(base_url: str, token: str) -> HttpRequest:
    """``GET /user``: the signed-in user's profile (a cheap check of a token)."""
    return HttpRequest("GET", _url(base_url, "user"), headers=_headers(token))


def parse_user_email(resp: HttpResponse) -> str | None:
    """Return the profile's e-mail address (None if it has none we can use).

    Only the address is read: the profile also holds the organizer code, a secret.
    """
    body = _body(resp, (200,))
    if not isinstance(body, dict):
        raise ProtocolViolation(PROVIDER, "join.me sent a user profile we cannot read")
    email = body.get("email")
    return email.strip() if isinstance(email, str) and is_email(email.strip()) else None


def build_get_meeting(base_url: str, token: str, meeting_id: str) -> HttpRequest:
    """``GET /meetings/{meetingId}``."""
    mid = validate_meeting_id(meeting_id)
    return HttpRequest("GET", _url(base_url, "meetings", mid), headers=_headers(token))


def build_schedule_meeting(base_url: str, token: str, draft: ScheduleDraft) -> HttpRequest:
    """``POST /meetings`` for a draft (validated here again; cheap and safe)."""
    d = validate_schedule(draft)
    body = {
        "meetingName": d.title,
        "meetingStart": format_iso_z(d.start),
        "meetingEnd": format_iso_z(d.end),
        "startWithPersonalUrl": d.personal_url,
        "participants": list(d.participants),
    }
    return HttpRequest(
        "POST", _url(base_url, "meetings"), headers=_headers(token), json=body, idempotent=False
    )


def patch_body(patch: MeetingPatch) -> dict[str, object]:
    """Return the JSON body of a PATCH: only the fields the patch sets."""
    body: dict[str, object] = {}
    if patch.title is not None:
        body["meetingName"] = patch.title
    if patch.start is not None:
        body["meetingStart"] = format_iso_z(patch.start)
    if patch.end is not None:
        body["meetingEnd"] = format_iso_z(patch.end)
    if patch.personal_url is not None:
        body["startWithPersonalUrl"] = patch.personal_url
    if patch.participants is not None:
        body["participants"] = list(patch.participants)
    return body


def build_update_meeting(
    base_url: str, token: str, meeting_id: str, patch: MeetingPatch
) -> HttpRequest:
    """``PATCH /meetings/{meetingId}`` with only the fields *patch* sets.

    The caller validates the patch against the current meeting first
    (:func:`validate_patch`); this builder re-checks only what the patch alone decides.
    """
    mid = validate_meeting_id(meeting_id)
    p = validate_patch(None, patch)
    return HttpRequest(
        "PATCH",
        _url(base_url, "meetings", mid),
        headers=_headers(token),
        json=patch_body(p),
        idempotent=False,
    )


def build_delete_meeting(base_url: str, token: str, meeting_id: str) -> HttpRequest:
    """``DELETE /meetings/{meetingId}``."""
    mid = validate_meeting_id(meeting_id)
    return HttpRequest("DELETE", _url(base_url, "meetings", mid), headers=_headers(token))


def build_start_meeting(
    base_url: str,
    token: str,
    meeting_id: str | None = None,
    *,
    personal_url: bool = False,
    headless: bool = False,
    viewer_app_detection: bool | None = None,
    webhooks: Mapping[str, object] | None = None,
) -> HttpRequest:
    """``POST /meetings/start`` (ad hoc) or ``POST /meetings/{id}/start`` (scheduled).

    ``startWithPersonalUrl`` is required for ad hoc meetings and not a parameter of
    the scheduled start (the meeting keeps the setting it was scheduled with), so
    asking for a personal URL with a meeting ID is an input error. ``headless`` sends
    ``viewerMode: "headless"`` and, unless the caller decided otherwise,
    ``viewerAppDetection: false``, which the docs say every viewer needs to see the
    headless viewer.
    """
    body: dict[str, object] = {}
    if meeting_id is None:
        url = _url(base_url, "meetings", "start")
        body["startWithPersonalUrl"] = bool(personal_url)
    else:
        if personal_url:
            raise InvalidInput(
                "personal_url",
                "only an ad hoc meeting can be started on the personal URL; a scheduled "
                "meeting keeps the setting it was scheduled with",
            )
        url = _url(base_url, "meetings", validate_meeting_id(meeting_id), "start")
    if headless:
        body["viewerMode"] = "headless"
        if viewer_app_detection is None:
            viewer_app_detection = False
    if viewer_app_detection is not None:
        body["viewerAppDetection"] = bool(viewer_app_detection)
    if webhooks is not None:
        body["webhooks"] = validate_webhooks(webhooks)
    return HttpRequest("POST", url, headers=_headers(token), json=body, idempotent=False)


# ---- responses ---------------------------------------------------------------------


def _clean_message(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text:
        return None
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _error_body(resp: HttpResponse) -> tuple[str | None, str | None]:
    try:
        body = json.loads(resp.body.decode("utf-8")) if resp.body else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, None
    if not isinstance(body, dict):
        return None, None
    message = _clean_message(body.get("Message", body.get("message")))
    code = body.get("ErrorCode", body.get("errorCode"))
    return message, code if isinstance(code, str) and code else None


def refreshable(resp: HttpResponse) -> bool:
    """Whether a 401 says the access token ran out (a refresh may fix it).

    ``stale_token`` is not: the user must approve the app again in the browser.
    """
    if resp.status != 401:
        return False
    _message, code = _error_body(resp)
    return code != "stale_token"


def raise_for_error(resp: HttpResponse) -> NoReturn:
    """Raise the typed error for a response that is not the expected success."""
    status = resp.status
    message, code = _error_body(resp)
    mashery = (resp.header("x-mashery-error-code") or "").upper()
    if status == 403 and ("OVER_QPS" in mashery or "OVER_RATE" in mashery):
        wait = retry_after_seconds(resp)
        if wait is None and "OVER_QPS" in mashery:
            wait = 1.0  # a per-second quota: the next second is a fresh budget
        raise RateLimited(
            PROVIDER,
            "join.me is limiting how often we may ask; try again shortly",
            retry_after=wait,
            status=403,
        )
    if status in (401, 403):
        if code == "stale_token":
            raise AuthenticationRequired(
                PROVIDER,
                "the join.me authorization must be renewed: sign in to join.me again and "
                "approve Meeting Launcher's access",
                status=status,
                code=code,
            )
        www = (resp.header("www-authenticate") or "").lower()
        if status == 401 or code == "invalid_token" or "invalid_token" in www:
            raise AuthenticationRequired(
                PROVIDER,
                "the sign-in was refused or has expired; sign in to join.me again",
                status=status,
                code=code or "invalid_token",
            )
        raise AuthenticationRequired(
            PROVIDER,
            "join.me refused access (the account may be inactive, or the sign-in lacks a "
            "permission); sign in to join.me again",
            status=status,
            code=code,
        )
    if status == 404:
        raise NotFound(PROVIDER, "the meeting was not found; it may have been deleted", status=404)
    if status == 400:
        raise Rejected(
            PROVIDER, message or "join.me refused the request as invalid", status=400, code=code
        )
    raise_for_common(PROVIDER, resp)  # 429 and 5xx
    if 400 <= status < 500:
        raise Rejected(PROVIDER, message or describe_status(status), status=status, code=code)
    raise ProtocolViolation(
        PROVIDER, f"join.me gave an unexpected answer (HTTP {status})", status=status
    )


def _body(resp: HttpResponse, ok: Iterable[int]) -> Any:
    if resp.status not in ok:
        raise_for_error(resp)
    return resp.json(PROVIDER)


_READ = FieldReader(PROVIDER, "a meeting")
_bad = _READ.bad
_opt_str = _READ.opt_str
_time = _READ.time


def _id_text(value: object, key: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**20:
        return str(value)
    if isinstance(value, str) and _MEETING_ID.fullmatch(value.strip()):
        return value.strip()
    raise _bad(f"{key} is not a meeting number")


def _code_text(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**20:
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    raise _bad(f"{key} is not text")


def meeting_from_json(obj: object, account: str) -> Meeting:
    """Turn one join.me meeting object into a :class:`Meeting` (role presenter).

    The meetings an account lists are its own, so the user is their presenter.
    """
    if not isinstance(obj, dict):
        raise _bad("not an object")
    title = obj.get("meetingName")
    if title is None:
        title = ""
    elif not isinstance(title, str):
        raise _bad("meetingName is not text")
    raw_participants = obj.get("participants")
    if raw_participants is None:
        participants: tuple[str, ...] = ()
    elif isinstance(raw_participants, list) and all(isinstance(p, str) for p in raw_participants):
        participants = tuple(raw_participants)
    else:
        raise _bad("participants is not a list of addresses")
    conference_id = _code_text(obj, "conferenceId")
    return Meeting(
        id=_id_text(obj.get("meetingId"), "meetingId"),
        account=account,
        provider=Provider.JOINME,
        title=title,
        start=_time(obj, "meetingStart"),
        end=_time(obj, "meetingEnd"),
        join_url=_opt_str(obj, "viewerLink"),
        number=conference_id,
        participants=participants,
        role=Role.PRESENTER,
        conference=AudioConference(conference_id=conference_id) if conference_id else None,
    )


def parse_list_meetings(resp: HttpResponse, account: str) -> list[Meeting]:
    """Parse ``GET /meetings`` (200, ``{"meetings": [...]}``; a bare array is accepted)."""
    body = _body(resp, (200,))
    items = body.get("meetings") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise ProtocolViolation(PROVIDER, "join.me sent a meeting list we cannot read")
    return [meeting_from_json(item, account) for item in items]


def parse_get_meeting(resp: HttpResponse, account: str) -> Meeting:
    """Parse ``GET /meetings/{id}`` (200)."""
    return meeting_from_json(_body(resp, (200,)), account)


def parse_schedule_meeting(resp: HttpResponse, account: str) -> Meeting:
    """Parse ``POST /meetings`` (201; 200 accepted)."""
    return meeting_from_json(_body(resp, (200, 201)), account)


def parse_update_meeting(resp: HttpResponse, account: str) -> Meeting:
    """Parse ``PATCH /meetings/{id}`` (seed 003 says 201; 200 accepted)."""
    return meeting_from_json(_body(resp, (200, 201)), account)


def parse_delete_meeting(resp: HttpResponse) -> None:
    """Check ``DELETE /meetings/{id}`` (204; 200 accepted; 404 → NotFound)."""
    if resp.status not in (200, 204):
        raise_for_error(resp)


def parse_start_meeting(resp: HttpResponse) -> StartedMeeting:
    """Parse a start answer: ad hoc 201, scheduled 200 (seed 001); both accepted for both."""
    body = _body(resp, (200, 201))
    if not isinstance(body, dict):
        raise ProtocolViolation(PROVIDER, "join.me sent a start answer we cannot read")
    presenter = body.get("presenterLink")
    viewer = body.get("viewerLink")
    if not isinstance(presenter, str) or not presenter:
        raise ProtocolViolation(PROVIDER, "join.me did not send a presenter link")
    if not isinstance(viewer, str) or not viewer:
        raise ProtocolViolation(PROVIDER, "join.me did not send a viewer link")
    conference = None
    audio = body.get("audioConference")
    if isinstance(audio, dict):
        try:
            conference = AudioConference(
                conference_id=_code_text(audio, "conferenceId"),
                numbers_url=_opt_str(audio, "conferenceCallNumbersUrl"),
                organizer_code=_code_text(audio, "organizerCode"),
            )
        except ProtocolViolation:
            raise ProtocolViolation(
                PROVIDER, "join.me sent audio conference details we cannot read"
            ) from None
    elif audio is not None:
        raise ProtocolViolation(PROVIDER, "join.me sent audio conference details we cannot read")
    status = body.get("webhooksStatus")
    if status is not None and not isinstance(status, dict):
        raise ProtocolViolation(PROVIDER, "join.me sent a webhooks status we cannot read")
    return StartedMeeting(
        viewer_link=viewer,
        presenter_link=presenter,
        conference=conference,
        webhooks_status=dict(status) if status is not None else None,
    )


def overlapping(
    meetings: Iterable[Meeting], start: dt.datetime | None, end: dt.datetime | None
) -> list[Meeting]:
    """Keep the meetings that overlap ``[start, end)``; ``None`` leaves a side open.

    The API filters only by ``endDate``, with undocumented edge semantics, so both
    sides are applied here too; meetings without times are always kept.
    """
    lo = None if start is None else utc(start)
    hi = None if end is None else utc(end)
    out: list[Meeting] = []
    for m in meetings:
        if lo is not None and m.end is not None and m.end <= lo:
            continue
        if hi is not None and m.start is not None and m.start >= hi:
            continue
        out.append(m)
    return out
