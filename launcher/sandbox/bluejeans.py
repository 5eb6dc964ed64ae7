"""BlueJeans relay (joinflow, access tokens) and Meetings REST (OAuth, scheduled meetings).

Relay ``GET …/relay/api/meetings/{id}/joinflow`` answers for the demo meetings (no token
and no passcode unless a column says otherwise; "demo token" = ``demo-relay-token`` or
Basic ``demo@bluejeans.test``; "outsider token" = ``outsider-relay-token`` or Basic
``outsider@elsewhere.test`` / ``outsider-password``):

============  =====================================  ==================================
id            answer                                 how to get the other answers
============  =====================================  ==================================
494435558     JOIN_NOW                               (no passcode, moderatorless)
9036439807    GET_PASSCODE                           1629 → JOIN_NOW, other → GET_GOOD_PASSCODE
4159908751    GET_GOOD_PASSCODE with passcode 0000   none → GET_PASSCODE, 2404 → JOIN_NOW
4085551212    GET_OTHER_PASSCODE with passcode 3691  moderator code 7788 → JOIN_NOW,
                                                     none → GET_PASSCODE
5550100199    GET_OTHER_PASSCODE (passcodeless,      moderator code 8642 → JOIN_NOW
              needs a moderator to start)
184405040     LOGIN_REQUIRED_FOR_INVITEE_ONLY_…      demo token or one-time passcode 482913
                                                     → JOIN_NOW; outsider token →
                                                     USER_NOT_IN_LIST_FOR_INVITEE_ONLY_…;
                                                     other passcode → INVALID_PASSCODE_…
7301146021    LOGIN_REQUIRED_FOR_ENTERPRISE_ONLY_…   demo token or passcode 551234 →
                                                     JOIN_NOW; outsider token →
                                                     USER_NOT_IN_LIST_FOR_ENTERPRISE_…;
                                                     other passcode → INVALID_PASSCODE_…
2600155001    USER_NOT_IN_LIST_FOR_INVITEE_ONLY_…    with the demo token (only
                                                     partner@partner.test is invited)
2600155002    USER_NOT_IN_LIST_FOR_ENTERPRISE_ONLY_… with the demo token (partner
                                                     enterprise only)
2600155003    INVALID_PASSCODE_FOR_INVITEE_ONLY_…    with passcode 000000 (314159 works)
2600155004    INVALID_PASSCODE_FOR_ENTERPRISE_ONLY_… with passcode 000000 (271828 works)
6175550123    WAITING_ROOM_ENABLED                   moderator code 5150 → JOIN_NOW
8005550100    GET_FACE_SCAN (a value no client       always
              knows, to exercise the fallback)
other digits  GET_PASSCODE                           (unknown meeting)
non-digits    400 {"message": …}
============  =====================================  ==================================

The decision order (``joinflow_answer``) for other meetings: a forced answer wins;
secure meetings check the user, then a one-time passcode; otherwise the moderator
passcode joins at once, a required attendee passcode must be given and right, a meeting
that is not moderatorless asks for the moderator passcode, a waiting room says so.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
import zoneinfo
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from launcher.sandbox.faults import (
    BadBody,
    bearer_token,
    error_response,
    rate_limited_response,
    read_json,
    read_json_or_form,
    unauthorized_response,
)
from launcher.sandbox.state import (
    BlueJeansMeeting,
    BlueJeansToken,
    BlueJeansUser,
    RelayToken,
    SandboxState,
    digits,
    is_email,
    new_secret,
    to_ms,
)

PARTITION: Final = {"partitionName": "z2", "partition": {"id": 2, "name": "z2"}}
RELAY_TOKEN_TTL: Final = dt.timedelta(days=14)
ENCRYPTION_TYPES: Final = ("NO_ENCRYPTION", "ENCRYPTED_ONLY", "ENCRYPTED_OR_PSTN_ONLY")
ADVANCED_BOOLEANS: Final = (
    "videoBestFit",
    "publishMeeting",
    "moderatorLess",
    "allowStream",
    "autoRecord",
    "disallowChat",
    "muteParticipantsOnEntry",
    "showAllAttendeesInMeetingInvite",
)
ADVANCED_DEFAULTS: Final[dict[str, Any]] = {
    "videoBestFit": True,
    "publishMeeting": False,
    "encryptionType": "NO_ENCRYPTION",
    "moderatorLess": False,
    "allowStream": False,
    "autoRecord": False,
    "disallowChat": False,
    "muteParticipantsOnEntry": False,
    "showAllAttendeesInMeetingInvite": False,
}


def joinflow_answer(
    meeting: BlueJeansMeeting | None, passcode: str, user: BlueJeansUser | None
) -> str:
    """Decide what the relay's pre-join check answers (see the module table)."""
    if meeting is None:
        return "GET_PASSCODE"
    if meeting.forced_answer:
        return meeting.forced_answer
    if meeting.secure is not None:
        kind = "INVITEE" if meeting.secure == "invitee" else "ENTERPRISE"
        if user is not None and _allowed(meeting, user):
            return "JOIN_NOW"
        if passcode:
            if meeting.one_time_passcode and passcode == meeting.one_time_passcode:
                return "JOIN_NOW"
            return f"INVALID_PASSCODE_FOR_{kind}_ONLY_SECURE_MEETING"
        if user is not None:
            return f"USER_NOT_IN_LIST_FOR_{kind}_ONLY_SECURE_MEETING"
        return f"LOGIN_REQUIRED_FOR_{kind}_ONLY_SECURE_MEETING"
    if passcode and meeting.moderator_passcode and passcode == meeting.moderator_passcode:
        return "JOIN_NOW"
    if meeting.attendee_passcode:
        if not passcode:
            return "GET_PASSCODE"
        if passcode != meeting.attendee_passcode:
            return "GET_GOOD_PASSCODE"
    if not meeting.moderator_less:
        return "GET_OTHER_PASSCODE"
    if meeting.waiting_room:
        return "WAITING_ROOM_ENABLED"
    return "JOIN_NOW"


def _allowed(meeting: BlueJeansMeeting, user: BlueJeansUser) -> bool:
    if meeting.secure == "invitee":
        return user.email.casefold() in {e.casefold() for e in meeting.invitees}
    return user.enterprise_id is not None and user.enterprise_id == meeting.secure_enterprise_id


def meeting_json(
    meeting: BlueJeansMeeting, owner: BlueJeansUser | None, now_ms: int
) -> dict[str, Any]:
    """Render the swagger ``Meeting`` object."""
    advanced = {**ADVANCED_DEFAULTS, **meeting.advanced}
    moderator: dict[str, Any] = {"id": meeting.owner_id}
    if owner is not None:
        moderator.update(
            username=owner.username,
            firstname=owner.first_name,
            lastname=owner.last_name,
            profile_pic_url="",
        )
    join_option = {None: 0, "invitee": 1, "enterprise": 2}[meeting.secure]
    return {
        "id": meeting.id,
        "uuid": meeting.uuid,
        "title": meeting.title,
        "description": meeting.description,
        "start": meeting.start_ms,
        "end": meeting.end_ms,
        "timezone": meeting.timezone,
        "advancedMeetingOptions": advanced,
        "moderator": moderator,
        "numericMeetingId": meeting.numeric_id,
        "attendeePasscode": meeting.attendee_passcode or "",
        "addAttendeePasscode": bool(meeting.attendee_passcode),
        "allow720p": True,
        "locked": False,
        "seqeuenceNumber": meeting.sequence,
        "icsUid": f"{meeting.uuid}@sandbox.bluejeans.test",
        "endPointType": meeting.end_point_type,
        "endPointVersion": meeting.end_point_version,
        "attendees": [{"email": email} for email in meeting.attendees],
        "isLargeMeeting": meeting.is_large,
        "created": meeting.created_ms,
        "lastModified": meeting.modified_ms,
        "isExpired": meeting.end_ms < now_ms,
        "timelessMeeting": False,
        "endlessMeeting": False,
        "nextStart": meeting.start_ms,
        "nextEnd": meeting.end_ms,
        "isPersonalMeeting": meeting.is_personal,
        "inviteeJoinOption": join_option,
    }


def user_json(user: BlueJeansUser) -> dict[str, Any]:
    """Render the swagger ``User`` object (a subset of its fields)."""
    return {
        "id": user.id,
        "username": user.username,
        "firstName": user.first_name,
        "middleName": "",
        "lastName": user.last_name,
        "emailId": user.email,
        "company": user.enterprise_name or "",
        "title": "",
        "phone": "",
        "profilePicture": "",
        "timezone": user.timezone,
        "timeFormat": 24,
        "language": "en",
        "defaultEndpoint": "WEB_APP",
        "passwordChangeRequired": False,
        "isVerified": True,
    }


class _Invalid(ValueError):
    """A request body field is missing or wrong."""


def _require_int_ms(body: dict[str, Any], name: str) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"{name} must be an integer number of milliseconds since the epoch")
    if not 0 <= value <= 32_503_680_000_000:  # year 3000
        raise _Invalid(f"{name} is out of range")
    return value


def _require_str(body: dict[str, Any], name: str, *, allow_empty: bool = False) -> str:
    value = body.get(name)
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise _Invalid(f"{name} is required and must be a non-empty string")
    return value


def _parse_attendees(value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Invalid('attendees must be an array of {"email": ...}')
    emails: list[str] = []
    for item in value:
        email = item.get("email") if isinstance(item, dict) else None
        if not is_email(email):
            raise _Invalid(f"attendee e-mail is not valid: {email!r}")
        assert isinstance(email, str)
        emails.append(email)
    return emails


def _parse_advanced(value: object, current: dict[str, Any]) -> dict[str, Any]:
    if value is None:
        return dict(current)
    if not isinstance(value, dict):
        raise _Invalid("advancedMeetingOptions must be an object")
    merged = dict(current)
    for key, item in value.items():
        if key in ADVANCED_BOOLEANS:
            if not isinstance(item, bool):
                raise _Invalid(f"advancedMeetingOptions.{key} must be a boolean")
            merged[key] = item
        elif key == "encryptionType":
            if item not in ENCRYPTION_TYPES:
                raise _Invalid(
                    f"advancedMeetingOptions.encryptionType must be one of {ENCRYPTION_TYPES}"
                )
            merged[key] = item
        elif key == "editability":
            if not isinstance(item, dict):
                raise _Invalid("advancedMeetingOptions.editability must be an object")
        # other keys are ignored, as a JSON backend would
    return merged


def _parse_timezone(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid("timezone is required (an IANA name such as America/New_York)")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise _Invalid(f"unknown timezone {value!r}") from exc
    return value


class BlueJeansApi:
    """The BlueJeans relay and REST endpoints over one :class:`SandboxState`."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        """Return the relay and REST mounts."""
        relay = Mount(
            "/bluejeans/relay/api",
            routes=[
                Route("/meetings/{meeting_id}/joinflow", self.joinflow, methods=["GET"]),
                Route("/auth/accesstokens", self.relay_access_token, methods=["POST"]),
            ],
        )
        rest = Mount(
            "/bluejeans/rest",
            routes=[
                Route("/oauth2/token", self.oauth_token, methods=["POST"]),
                Route("/oauth2/token", self.revoke_token, methods=["DELETE"]),
                Route("/oauth2/tokenInfo", self.token_info, methods=["GET"]),
                Route("/v1/user/{user_id:int}", self.get_user, methods=["GET"]),
                Route(
                    "/v1/enterprise/{enterprise_id:int}/users",
                    self.enterprise_users,
                    methods=["GET"],
                ),
                Route(
                    "/v1/user/{user_id:int}/scheduled_meeting",
                    self.list_meetings,
                    methods=["GET"],
                ),
                Route(
                    "/v1/user/{user_id:int}/scheduled_meeting",
                    self.create_meeting,
                    methods=["POST"],
                ),
                Route(
                    "/v1/user/{user_id:int}/scheduled_meeting/{meeting_id:int}",
                    self.get_meeting,
                    methods=["GET"],
                ),
                Route(
                    "/v1/user/{user_id:int}/scheduled_meeting/{meeting_id:int}",
                    self.update_meeting,
                    methods=["PUT"],
                ),
                Route(
                    "/v1/user/{user_id:int}/scheduled_meeting/{meeting_id:int}",
                    self.delete_meeting,
                    methods=["DELETE"],
                ),
            ],
        )
        return [relay, rest]

    # ------------------------------------------------------------------ relay

    def _relay_user(self, request: Request) -> tuple[BlueJeansUser | None, Response | None]:
        """Find the user a relay request authenticates as (``None`` = anonymous)."""
        store = self.state.bluejeans
        token = request.query_params.get("accesstoken") or request.headers.get("x-access-token")
        if token:
            relay = store.relay_tokens.get(token)
            if relay is None or (relay.expires is not None and relay.expires <= self.state.now()):
                return None, error_response("bluejeans", 401, "Invalid or expired access token")
            return store.users.get(relay.user_id), None
        basic = _basic_credentials(request)
        if basic is not None:
            user = store.user_by_login(*basic)
            if user is None:
                return None, error_response("bluejeans", 401, "Bad username or password")
            return user, None
        return None, None

    def _relay_throttle(self) -> Response | None:
        with self.state.lock:
            wait = self.state.bluejeans.relay_admit()
        if wait is None:
            return None
        return rate_limited_response("bluejeans", 1.0)  # whole seconds; the window is 1 s

    async def joinflow(self, request: Request) -> Response:
        """``GET /meetings/{id}/joinflow``: the pre-join check (a JSON string)."""
        throttled = self._relay_throttle()
        if throttled is not None:
            return throttled
        meeting_id = request.path_params["meeting_id"]
        if not meeting_id.isdigit() or len(meeting_id) > 15:
            return error_response("bluejeans", 400, "The meeting id must be numeric")
        for name in ("cluster", "meetingtype"):
            value = request.query_params.get(name)
            if value is not None and not _is_enum_name(value):
                return error_response("bluejeans", 400, f"Invalid value for {name}")
        with self.state.lock:
            user, problem = self._relay_user(request)
            if problem is not None:
                return problem
            meeting = self.state.bluejeans.meeting_by_numeric_id(meeting_id)
            answer = joinflow_answer(meeting, request.query_params.get("passcode", ""), user)
        return JSONResponse(answer)

    async def relay_access_token(self, request: Request) -> Response:
        """``POST /auth/accesstokens`` with Basic auth (or ``?seamaccesstoken=``)."""
        throttled = self._relay_throttle()
        if throttled is not None:
            return throttled
        store = self.state.bluejeans
        with self.state.lock:
            now = self.state.now()
            user: BlueJeansUser | None = None
            seam = request.query_params.get("seamaccesstoken")
            basic = _basic_credentials(request)
            if basic is not None:
                user = store.user_by_login(*basic)
            elif seam:
                rest = self._valid_rest_token(seam)
                if rest is not None and rest.enterprise_id is not None:
                    user = next(
                        (
                            u
                            for u in store.users.values()
                            if u.enterprise_id == rest.enterprise_id and u.enterprise_admin
                        ),
                        None,
                    )
            if user is None:
                return error_response("bluejeans", 401, "Authentication required")
            value = new_secret(15)
            expires = now + RELAY_TOKEN_TTL
            store.relay_tokens[value] = RelayToken(value, user.id, now, expires)
        return JSONResponse(
            {
                "enterpriseName": user.enterprise_name,
                "accessToken": value,
                "creationDate": to_ms(now),
                "expirationDate": to_ms(expires),
                "roles": ["ROLE_READWRITE", "ROLE_READONLY"],
                "clientName": None,
            }
        )

    # ------------------------------------------------------------------ OAuth

    def _valid_rest_token(self, value: str) -> BlueJeansToken | None:
        token = self.state.bluejeans.tokens.get(value)
        if token is None or token.expires <= self.state.now():
            return None
        return token

    def _rest_token(self, request: Request) -> BlueJeansToken | None:
        value = bearer_token(request) or request.query_params.get("access_token")
        if not value:
            return None
        with self.state.lock:
            return self._valid_rest_token(value)

    async def oauth_token(self, request: Request) -> Response:
        """``POST /oauth2/token``: password and client_credentials grants."""
        try:
            body = await read_json_or_form(request)
        except BadBody as exc:
            return error_response("bluejeans", 400, str(exc))
        grant = body.get("grant_type")
        store = self.state.bluejeans
        with self.state.lock:
            now = self.state.now()
            ttl = store.token_ttl_seconds
            expires = now + dt.timedelta(seconds=ttl)
            if grant == "password":
                username, password = body.get("username"), body.get("password")
                if not isinstance(username, str) or not isinstance(password, str):
                    return error_response("bluejeans", 400, "username and password are required")
                user = store.user_by_login(username, password)
                if user is None:
                    return error_response("bluejeans", 401, "Invalid username or password")
                token = BlueJeansToken(new_secret(24), expires, user_id=user.id)
                scope: dict[str, Any] = {"user": user.id, **PARTITION}
            elif grant == "client_credentials":
                client_id, secret = body.get("client_id"), body.get("client_secret")
                if not isinstance(client_id, str) or not isinstance(secret, str):
                    return error_response(
                        "bluejeans", 400, "client_id and client_secret are required"
                    )
                client = store.clients.get(client_id)
                if client is None or client.secret != secret:
                    return error_response("bluejeans", 401, "Invalid client credentials")
                token = BlueJeansToken(
                    new_secret(24),
                    expires,
                    enterprise_id=client.enterprise_id,
                    client_id=client.client_id,
                )
                scope = {"enterprise": client.enterprise_id, **PARTITION}
            else:
                return error_response("bluejeans", 400, f"Unsupported grant_type: {grant!r}")
            store.tokens[token.value] = token
        return JSONResponse(
            {"access_token": token.value, "expires_in": ttl, "scope": scope, "refresh_token": ""}
        )

    async def revoke_token(self, request: Request) -> Response:
        """``DELETE /oauth2/token?access_token=``: 204, or 400 when already revoked."""
        value = request.query_params.get("access_token") or bearer_token(request) or ""
        with self.state.lock:
            if self.state.bluejeans.tokens.pop(value, None) is None:
                return error_response("bluejeans", 400, "The token is invalid or already revoked")
        return Response(status_code=204)

    async def token_info(self, request: Request) -> Response:
        """``GET /oauth2/tokenInfo?access_token=``: who the token belongs to."""
        token = self._rest_token(request)
        if token is None:
            return unauthorized_response("bluejeans", request.scope)
        if token.user_id is not None:
            return JSONResponse({"user": token.user_id})
        return JSONResponse({"enterprise": token.enterprise_id, "clientId": token.client_id})

    # ------------------------------------------------------------------ users

    def _authorize_user(
        self, request: Request, user_id: int
    ) -> tuple[BlueJeansUser | None, Response | None]:
        token = self._rest_token(request)
        if token is None:
            return None, unauthorized_response("bluejeans", request.scope)
        with self.state.lock:
            user = self.state.bluejeans.users.get(user_id)
        if token.user_id is not None:
            if token.user_id != user_id:
                return None, error_response("bluejeans", 403, "Access to this user is not allowed")
        elif user is None or user.enterprise_id != token.enterprise_id:
            return None, error_response("bluejeans", 403, "Access to this user is not allowed")
        if user is None:
            return None, error_response("bluejeans", 404, "User not found")
        return user, None

    async def get_user(self, request: Request) -> Response:
        """``GET /v1/user/{user_id}``."""
        user, problem = self._authorize_user(request, request.path_params["user_id"])
        if problem is not None or user is None:
            return problem or error_response("bluejeans", 404, "User not found")
        return JSONResponse(user_json(user))

    async def enterprise_users(self, request: Request) -> Response:
        """``GET /v1/enterprise/{id}/users?emailId=|textSearch=``."""
        enterprise_id: int = request.path_params["enterprise_id"]
        token = self._rest_token(request)
        if token is None:
            return unauthorized_response("bluejeans", request.scope)
        store = self.state.bluejeans
        with self.state.lock:
            admin = store.users.get(token.user_id) if token.user_id is not None else None
            allowed = token.enterprise_id == enterprise_id or (
                admin is not None
                and admin.enterprise_admin
                and admin.enterprise_id == enterprise_id
            )
            if not allowed:
                return error_response("bluejeans", 403, "Access to this enterprise is not allowed")
            users = [u for u in store.users.values() if u.enterprise_id == enterprise_id]
        email = request.query_params.get("emailId")
        text = request.query_params.get("textSearch")
        if email is not None:
            users = [u for u in users if u.email.casefold() == email.strip().casefold()]
        elif text:
            needle = text.casefold()
            users = [
                u
                for u in users
                if needle in f"{u.username} {u.email} {u.first_name} {u.last_name}".casefold()
            ]
        items = [
            {
                "id": u.id,
                "username": u.username,
                "email": u.email,
                "firstName": u.first_name,
                "middleName": "",
                "lastName": u.last_name,
                "enterpriseJoinDate": 1_420_070_400_000,
                "isEnterpriseAdmin": u.enterprise_admin,
                "uri": f"/v1/user/{u.id}",
            }
            for u in users
        ]
        # "user" is the current swagger's key, "users" the older model clients still read.
        return JSONResponse({"count": len(items), "user": items, "users": items})

    # ------------------------------------------------------------------ meetings

    async def list_meetings(self, request: Request) -> Response:
        """``GET …/scheduled_meeting``: the user's upcoming meetings, a bare array."""
        user_id: int = request.path_params["user_id"]
        user, problem = self._authorize_user(request, user_id)
        if problem is not None:
            return problem
        wanted = request.query_params.get("numericMeetingId")
        with self.state.lock:
            now_ms = to_ms(self.state.now())
            meetings = [
                m
                for m in self.state.bluejeans.meetings.values()
                if m.owner_id == user_id
                and m.end_ms > now_ms
                and (wanted is None or m.numeric_id == wanted)
            ]
            meetings.sort(key=lambda m: (m.start_ms, m.id))
            body = [meeting_json(m, user, now_ms) for m in meetings]
        return JSONResponse(body)

    def _owned(self, user_id: int, meeting_id: int) -> BlueJeansMeeting | None:
        meeting = self.state.bluejeans.meetings.get(meeting_id)
        if meeting is None or meeting.owner_id != user_id:
            return None
        return meeting

    async def get_meeting(self, request: Request) -> Response:
        """``GET …/scheduled_meeting/{meeting_id}`` (the internal integer id)."""
        user_id: int = request.path_params["user_id"]
        user, problem = self._authorize_user(request, user_id)
        if problem is not None:
            return problem
        with self.state.lock:
            meeting = self._owned(user_id, request.path_params["meeting_id"])
            if meeting is None:
                return error_response("bluejeans", 404, "Meeting not found")
            body = meeting_json(meeting, user, to_ms(self.state.now()))
        return JSONResponse(body)

    async def create_meeting(self, request: Request) -> Response:
        """``POST …/scheduled_meeting``: 201 with the new meeting."""
        user_id: int = request.path_params["user_id"]
        user, problem = self._authorize_user(request, user_id)
        if problem is not None or user is None:
            return problem or error_response("bluejeans", 404, "User not found")
        try:
            body = await read_json(request)
        except BadBody as exc:
            return error_response("bluejeans", 400, str(exc))
        if not isinstance(body, dict):
            return error_response("bluejeans", 400, "The body must be a meeting object")
        personal = request.query_params.get("personal_meeting", "false").lower() == "true"
        store = self.state.bluejeans
        try:
            fields = _meeting_fields(body, require_timezone=True)
            with self.state.lock:
                now = self.state.now()
                if personal:
                    numeric_id = user.personal_meeting_id
                else:
                    numeric_id = digits(self.state.rng, 10)
                    while store.numeric_id_in_use(numeric_id):
                        numeric_id = digits(self.state.rng, 10)
                passcode = None
                if body.get("addAttendeePasscode") is True:
                    passcode = digits(self.state.rng, 4)
                meeting = BlueJeansMeeting(
                    id=store.next_meeting_id,
                    uuid=str(uuid.uuid4()),
                    owner_id=user_id,
                    numeric_id=numeric_id,
                    attendee_passcode=passcode,
                    is_personal=personal,
                    created_ms=to_ms(now),
                    modified_ms=to_ms(now),
                    moderator_passcode=digits(self.state.rng, 4),
                    **fields,
                )
                meeting.advanced = _parse_advanced(body.get("advancedMeetingOptions"), {})
                store.next_meeting_id += 1
                store.meetings[meeting.id] = meeting
                result = meeting_json(meeting, user, to_ms(now))
        except _Invalid as exc:
            return error_response("bluejeans", 400, str(exc))
        return JSONResponse(result, status_code=201)

    async def update_meeting(self, request: Request) -> Response:
        """``PUT …/scheduled_meeting/{meeting_id}``: 200 with the updated meeting."""
        user_id: int = request.path_params["user_id"]
        user, problem = self._authorize_user(request, user_id)
        if problem is not None:
            return problem
        try:
            body = await read_json(request)
        except BadBody as exc:
            return error_response("bluejeans", 400, str(exc))
        if not isinstance(body, dict):
            return error_response("bluejeans", 400, "The body must be a meeting object")
        with self.state.lock:
            meeting = self._owned(user_id, request.path_params["meeting_id"])
            if meeting is None:
                return error_response("bluejeans", 404, "Meeting not found")
            try:
                fields = _meeting_fields(body, require_timezone=False)
                advanced = _parse_advanced(body.get("advancedMeetingOptions"), meeting.advanced)
            except _Invalid as exc:
                return error_response("bluejeans", 400, str(exc))
            if "timezone" not in body:
                fields["timezone"] = meeting.timezone
            for name, value in fields.items():
                setattr(meeting, name, value)
            meeting.advanced = advanced
            add = body.get("addAttendeePasscode")
            if add is True and not meeting.attendee_passcode:
                meeting.attendee_passcode = digits(self.state.rng, 4)
            elif add is False:
                meeting.attendee_passcode = None
            now = self.state.now()
            meeting.sequence += 1
            meeting.modified_ms = to_ms(now)
            result = meeting_json(meeting, user, to_ms(now))
        return JSONResponse(result)

    async def delete_meeting(self, request: Request) -> Response:
        """``DELETE …/scheduled_meeting/{meeting_id}``: 200, no content; 404 afterwards."""
        user_id: int = request.path_params["user_id"]
        _, problem = self._authorize_user(request, user_id)
        if problem is not None:
            return problem
        with self.state.lock:
            meeting = self._owned(user_id, request.path_params["meeting_id"])
            if meeting is None:
                return error_response("bluejeans", 404, "Meeting not found")
            del self.state.bluejeans.meetings[meeting.id]
        return Response(status_code=200)


def _meeting_fields(body: dict[str, Any], *, require_timezone: bool) -> dict[str, Any]:
    """Validate the writable fields (``scheduleMeetingMinComp`` / ``Meeting``)."""
    title = _require_str(body, "title")
    start = _require_int_ms(body, "start")
    end = _require_int_ms(body, "end")
    if end <= start:
        raise _Invalid("end must be after start")
    end_point_type = _require_str(body, "endPointType")
    end_point_version = _require_str(body, "endPointVersion")
    fields: dict[str, Any] = {
        "title": title,
        "start_ms": start,
        "end_ms": end,
        "end_point_type": end_point_type,
        "end_point_version": end_point_version,
        "attendees": _parse_attendees(body.get("attendees")),
    }
    if require_timezone or "timezone" in body:
        fields["timezone"] = _parse_timezone(body.get("timezone"))
    description = body.get("description", "")
    if description is not None and not isinstance(description, str):
        raise _Invalid("description must be a string")
    fields["description"] = description or ""
    large = body.get("isLargeMeeting", False)
    if not isinstance(large, bool):
        raise _Invalid("isLargeMeeting must be a boolean")
    fields["is_large"] = large
    return fields


def _is_enum_name(value: str) -> bool:
    return bool(value) and value.replace("_", "").isalnum() and value.upper() == value


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    username, _, password = decoded.partition(":")
    return username, password
