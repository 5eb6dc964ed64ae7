"""join.me REST v1: scheduled meetings, starting meetings (presenter/viewer links), user."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any, Final, NamedTuple

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from launcher.sandbox.faults import (
    BadBody,
    bearer_token,
    error_response,
    read_json,
    unauthorized_response,
)
from launcher.sandbox.state import (
    JoinMeMeeting,
    JoinMeSession,
    PresenterLink,
    SandboxState,
    base_url_of,
    digits,
    format_z,
    is_email,
    new_secret,
    parse_iso,
)

MAX_DURATION: Final = dt.timedelta(days=14)
VIEWER_MODES: Final = (None, "default", "headless")
WEBHOOK_EVENTS: Final = ("meeting.start", "meeting.end")


class _Invalid(ValueError):
    """A request field is missing or wrong (400 ``invalid_request``)."""


class _StartOptions(NamedTuple):
    viewer_mode: str | None
    viewer_app_detection: bool
    webhooks: dict[str, dict[str, Any]]
    statuses: dict[str, Any] | None


def viewer_link(base: str, key: str) -> str:
    """Return the viewer page URL of a meeting code or personal URL."""
    return f"{base}/joinme/web/{urllib.parse.quote(key, safe='')}"


def meeting_json(
    meeting: JoinMeMeeting,
    base: str,
    personal_url: str,
    *,
    participants: bool,
    conference: bool,
) -> dict[str, Any]:
    """Render a scheduled meeting as seed 003 shows it (fields depend on the endpoint)."""
    body: dict[str, Any] = {
        "meetingId": meeting.id,
        "meetingName": meeting.name,
        "meetingStart": format_z(meeting.start),
        "meetingEnd": format_z(meeting.end),
        "startWithPersonalUrl": meeting.start_with_personal_url,
    }
    if participants:
        body["participants"] = list(meeting.participants)
    if conference:
        body["conferenceId"] = meeting.conference_id
    key = personal_url if meeting.start_with_personal_url else meeting.code
    body["viewerLink"] = viewer_link(base, key)
    return body


def webhooks_status(value: object) -> dict[str, Any]:
    """``webhooksStatus``: per event, ``success`` and a ``message`` when it failed.

    The shape is not in the public docs (PROVIDERS.md 2.4); this is the sandbox's guess.
    """
    if not isinstance(value, dict):
        raise _Invalid("webhooks must be an object")
    status: dict[str, Any] = {}
    for event, config in value.items():
        if event not in WEBHOOK_EVENTS:
            status[event] = {"success": False, "message": f"Unknown webhook event: {event}"}
            continue
        url = config.get("callbackUrl") if isinstance(config, dict) else None
        if not isinstance(url, str) or not _absolute_url(url):
            status[event] = {
                "success": False,
                "message": "callbackUrl must be a fully qualified http(s) URL",
            }
            continue
        status[event] = {"success": True}
    return status


def _absolute_url(url: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url


def _optional_bool(body: dict[str, Any], name: str, default: bool) -> bool:
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _Invalid(f"{name} must be a boolean")
    return value


def _date(body: dict[str, Any], name: str) -> dt.datetime:
    try:
        return parse_iso(body.get(name))
    except ValueError as exc:
        raise _Invalid(f"{name} must be an ISO 8601 date-time") from exc


def _participants(value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Invalid("participants must be an array of e-mail addresses")
    for item in value:
        if not is_email(item):
            raise _Invalid(f"participant e-mail is not valid: {item!r}")
    return [str(item) for item in value]


def _check_times(start: dt.datetime, end: dt.datetime) -> None:
    if start >= end:
        raise _Invalid("The start date must precede the end date")
    if end - start > MAX_DURATION:
        raise _Invalid("The end date must be within 14 days of the start date")


class JoinMeApi:
    """The join.me endpoints over one :class:`SandboxState`."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        """Return the ``/joinme/v1`` mount."""
        return [
            Mount(
                "/joinme/v1",
                routes=[
                    Route("/user", self.get_user, methods=["GET"]),
                    Route("/meetings/start", self.start_ad_hoc, methods=["POST"]),
                    Route("/meetings", self.list_meetings, methods=["GET"]),
                    Route("/meetings", self.create_meeting, methods=["POST"]),
                    Route("/meetings/{meeting_id}/start", self.start_scheduled, methods=["POST"]),
                    Route("/meetings/{meeting_id}", self.get_meeting, methods=["GET"]),
                    Route("/meetings/{meeting_id}", self.update_meeting, methods=["PATCH"]),
                    Route("/meetings/{meeting_id}", self.delete_meeting, methods=["DELETE"]),
                ],
            )
        ]

    def _denied(self, request: Request) -> Response | None:
        """Return the 401 for a missing, unknown, expired or stale token (None: it is good)."""
        with self.state.lock:
            verdict = self.state.joinme.token_state(bearer_token(request), self.state.now())
        if verdict == "ok":
            return None
        if verdict == "stale":
            return JSONResponse(
                {"Message": "The authorization is stale; the user must renew it.",
                 "ErrorCode": "stale_token"},
                401,
            )
        if verdict == "expired":
            return error_response("joinme", 401, "The access token has expired.")
        return unauthorized_response("joinme", request.scope)

    def _meeting(self, request: Request) -> JoinMeMeeting | None:
        raw = request.path_params["meeting_id"]
        if not raw.isdigit() or len(raw) > 12:
            return None
        return self.state.joinme.meetings.get(int(raw))

    async def _body(self, request: Request) -> dict[str, Any]:
        try:
            body = await read_json(request, empty={})
        except BadBody as exc:
            raise _Invalid(str(exc)) from exc
        if not isinstance(body, dict):
            raise _Invalid("The body must be a JSON object")
        return body

    @staticmethod
    def _invalid(exc: Exception) -> Response:
        return error_response("joinme", 400, str(exc))

    @staticmethod
    def _not_found() -> Response:
        return error_response("joinme", 404, "The meeting does not exist")

    # ------------------------------------------------------------------ user

    async def get_user(self, request: Request) -> Response:
        """``GET /user``."""
        if (denied := self._denied(request)) is not None:
            return denied
        store = self.state.joinme
        base = base_url_of(request.scope)
        with self.state.lock:
            body = dict(store.profile)
            body["personalUrl"] = store.personal_url
            body["conferenceSettings"] = {
                "conferenceId": store.conference_id,
                "conferenceCallNumbersUrl": _numbers_url(base, store.conference_id),
                "organizerCode": store.organizer_code,
            }
        return JSONResponse(body)

    # ------------------------------------------------------------------ scheduled meetings

    async def list_meetings(self, request: Request) -> Response:
        """``GET /meetings?endDate=``: upcoming meetings, ``{"meetings": [...]}``."""
        if (denied := self._denied(request)) is not None:
            return denied
        until: dt.datetime | None = None
        if "endDate" in request.query_params:
            try:
                until = parse_iso(request.query_params["endDate"])
            except ValueError:
                return self._invalid(_Invalid("endDate must be an ISO 8601 date-time"))
        base = base_url_of(request.scope)
        store = self.state.joinme
        with self.state.lock:
            now = self.state.now()
            meetings = sorted(
                (
                    m
                    for m in store.meetings.values()
                    if m.end > now and (until is None or m.start <= until)
                ),
                key=lambda m: (m.start, m.id),
            )
            items = [
                meeting_json(m, base, store.personal_url, participants=False, conference=False)
                for m in meetings
            ]
        return JSONResponse({"meetings": items})

    async def get_meeting(self, request: Request) -> Response:
        """``GET /meetings/{id}``."""
        if (denied := self._denied(request)) is not None:
            return denied
        base = base_url_of(request.scope)
        with self.state.lock:
            meeting = self._meeting(request)
            if meeting is None:
                return self._not_found()
            body = meeting_json(
                meeting, base, self.state.joinme.personal_url, participants=True, conference=True
            )
        return JSONResponse(body)

    async def create_meeting(self, request: Request) -> Response:
        """``POST /meetings``: 201 with the new meeting."""
        if (denied := self._denied(request)) is not None:
            return denied
        base = base_url_of(request.scope)
        store = self.state.joinme
        try:
            body = await self._body(request)
            name = body.get("meetingName")
            if not isinstance(name, str) or not name.strip():
                raise _Invalid("meetingName is required")
            start = _date(body, "meetingStart")
            end = _date(body, "meetingEnd")
            _check_times(start, end)
            participants = _participants(body.get("participants"))
            personal = _optional_bool(body, "startWithPersonalUrl", False)
        except _Invalid as exc:
            return self._invalid(exc)
        with self.state.lock:
            code = digits(self.state.rng, 9)
            while store.code_in_use(code):
                code = digits(self.state.rng, 9)
            meeting = JoinMeMeeting(
                id=store.next_meeting_id,
                name=name,
                start=start,
                end=end,
                start_with_personal_url=personal,
                code=code,
                conference_id=digits(self.state.rng, 9),
                participants=participants,
            )
            store.next_meeting_id += 1
            store.meetings[meeting.id] = meeting
            result = meeting_json(
                meeting, base, store.personal_url, participants=True, conference=False
            )
        return JSONResponse(result, status_code=201)

    async def update_meeting(self, request: Request) -> Response:
        """``PATCH /meetings/{id}``: 201 (seed 003) with the updated meeting."""
        if (denied := self._denied(request)) is not None:
            return denied
        base = base_url_of(request.scope)
        try:
            body = await self._body(request)
        except _Invalid as exc:
            return self._invalid(exc)
        with self.state.lock:
            meeting = self._meeting(request)
            if meeting is None:
                return self._not_found()
            try:
                name = meeting.name
                if "meetingName" in body:
                    name = body["meetingName"]
                    if not isinstance(name, str) or not name.strip():
                        raise _Invalid("meetingName must be a non-empty string")
                start = _date(body, "meetingStart") if "meetingStart" in body else meeting.start
                end = _date(body, "meetingEnd") if "meetingEnd" in body else meeting.end
                _check_times(start, end)
                participants = meeting.participants
                if "participants" in body:
                    participants = _participants(body["participants"])
                personal = _optional_bool(
                    body, "startWithPersonalUrl", meeting.start_with_personal_url
                )
            except _Invalid as exc:
                return self._invalid(exc)
            meeting.name, meeting.start, meeting.end = name, start, end
            meeting.participants = participants  # the list is replaced, not merged
            meeting.start_with_personal_url = personal
            result = meeting_json(
                meeting, base, self.state.joinme.personal_url, participants=True, conference=False
            )
        return JSONResponse(result, status_code=201)

    async def delete_meeting(self, request: Request) -> Response:
        """``DELETE /meetings/{id}``: 204; 404 for an unknown (or already deleted) one."""
        if (denied := self._denied(request)) is not None:
            return denied
        with self.state.lock:
            meeting = self._meeting(request)
            if meeting is None:
                return self._not_found()
            del self.state.joinme.meetings[meeting.id]
        return Response(status_code=204)

    # ------------------------------------------------------------------ starting

    def _start_options(self, body: dict[str, Any]) -> _StartOptions:
        mode = body.get("viewerMode")
        if mode not in VIEWER_MODES:
            raise _Invalid('viewerMode must be null, "default" or "headless"')
        detection = _optional_bool(body, "viewerAppDetection", True)
        hooks = body.get("webhooks")
        if hooks is None:
            return _StartOptions(mode, detection, {}, None)
        statuses = webhooks_status(hooks)
        registered = {
            event: dict(hooks[event]) for event, result in statuses.items() if result["success"]
        }
        return _StartOptions(mode, detection, registered, statuses)

    def _started(
        self,
        request: Request,
        *,
        key: str,
        name: str,
        meeting_id: int | None,
        conference_id: str,
        options: _StartOptions,
        status: int,
    ) -> Response:
        store = self.state.joinme
        base = base_url_of(request.scope)
        with self.state.lock:
            now = self.state.now()
            store.sessions[key] = JoinMeSession(
                key=key,
                name=name,
                meeting_id=meeting_id,
                started=now,
                conference_id=conference_id,
                viewer_mode=options.viewer_mode,
                viewer_app_detection=options.viewer_app_detection,
                webhooks=options.webhooks,
            )
            token = new_secret(24)
            store.presenter_links[token] = PresenterLink(token, key, now)
            body: dict[str, Any] = {
                "presenterLink": (
                    f"{base}/joinme/web/API/Public/StartMeeting.aspx?"
                    + urllib.parse.urlencode({"token": token})
                ),
                "viewerLink": viewer_link(base, key),
                "audioConference": {
                    "conferenceId": conference_id,
                    "conferenceCallNumbersUrl": _numbers_url(base, conference_id),
                    "organizerCode": store.organizer_code,
                },
            }
        if options.statuses is not None:
            body["webhooksStatus"] = options.statuses
        return JSONResponse(body, status_code=status)

    async def start_ad_hoc(self, request: Request) -> Response:
        """``POST /meetings/start``: 201 with presenter and viewer links."""
        if (denied := self._denied(request)) is not None:
            return denied
        store = self.state.joinme
        try:
            body = await self._body(request)
            personal = body.get("startWithPersonalUrl")
            if not isinstance(personal, bool):
                raise _Invalid("startWithPersonalUrl is required and must be a boolean")
            options = self._start_options(body)
        except _Invalid as exc:
            return self._invalid(exc)
        with self.state.lock:
            if personal:
                key = store.personal_url
            else:
                key = digits(self.state.rng, 9)
                while store.code_in_use(key) or key in store.sessions:
                    key = digits(self.state.rng, 9)
            name = str(store.profile.get("fullName", "join.me")) + "'s meeting"
            conference_id = store.conference_id
        return self._started(
            request,
            key=key,
            name=name,
            meeting_id=None,
            conference_id=conference_id,
            options=options,
            status=201,
        )

    async def start_scheduled(self, request: Request) -> Response:
        """``POST /meetings/{id}/start``: 200 (seed 001) with presenter and viewer links."""
        if (denied := self._denied(request)) is not None:
            return denied
        try:
            options = self._start_options(await self._body(request))
        except _Invalid as exc:
            return self._invalid(exc)
        store = self.state.joinme
        with self.state.lock:
            meeting = self._meeting(request)
            if meeting is None:
                return self._not_found()
            key = store.personal_url if meeting.start_with_personal_url else meeting.code
            name, meeting_id, conference_id = meeting.name, meeting.id, meeting.conference_id
        return self._started(
            request,
            key=key,
            name=name,
            meeting_id=meeting_id,
            conference_id=conference_id,
            options=options,
            status=200,
        )


def _numbers_url(base: str, conference_id: str) -> str:
    query = urllib.parse.urlencode({"conferenceId": conference_id})
    return f"{base}/joinme/web/api/public/intphone.aspx?{query}"


def use_presenter_link(state: SandboxState, token: str) -> tuple[JoinMeSession | None, str]:
    """Consume a presenter link: ``(session, "ok")``, or ``(None, why)`` when unusable.

    *why* is ``"unknown"``, ``"used"`` or ``"expired"``. A first use records the
    ``meeting.start`` webhook the real service would call.
    """
    store = state.joinme
    with state.lock:
        link = store.presenter_links.get(token)
        if link is None:
            return None, "unknown"
        if link.used:
            return None, "used"
        if state.now() > link.issued + dt.timedelta(seconds=store.presenter_ttl_seconds):
            return None, "expired"
        link.used = True
        session = store.sessions.get(link.session_key)
        if session is None:
            return None, "unknown"
        session.presenter_joined = True
        hook = session.webhooks.get("meeting.start")
        if hook is not None:
            store.webhook_log.append(
                {
                    "event": "meeting.start",
                    "callbackUrl": hook.get("callbackUrl"),
                    "customCallbackData": hook.get("customCallbackData"),
                }
            )
        return session, "ok"
