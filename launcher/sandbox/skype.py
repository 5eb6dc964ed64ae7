"""Skype for Business UCWA 2.0: discovery, web ticket, application, meetings, join, events.

The chain a client walks: ``GET /skype/autodiscover/root`` → ``_links.user`` (401 with
the MsRtcOAuth challenge) → ``POST`` the token URL → ``GET`` user with the token →
``POST _links.applications`` → the application's ``events``, ``myOnlineMeetings`` and
``communication/joinOnlineMeeting`` links. Hrefs inside an application are relative, as
a real server's are.

Joining the demo meetings (``onlineMeetingUri`` = ``sip:demo@contoso.test;gruu;opaque=
app:conf:focus:id:<ID>``): ``SUCCESS1`` connects; ``LOBBY001`` waits in the lobby for
``state.skype.lobby_seconds`` and is admitted; ``DENIED01`` waits and is denied
(``completed``/``Failure``, reason ``Forbidden``/``Denied``); ``NOTFOUND`` and unknown
ids answer 404 DestinationNotFound; ``FORBID01`` 403; ``CALLBACK`` 500
CallbackChannelError; ``EXISTS01`` 409 AlreadyExists; ``GROUPS01`` 409 TooManyGroups;
``CONFLICT`` 409 without subcode; ``REDIRECT`` 410 CannotRedirect (seed 002).

Lobby events are an [INFERENCE] agreed in the contract: a ``conversation`` sender with a
``localParticipant`` ``updated`` event carrying ``inLobby`` true, then false.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import threading
import time
import urllib.parse
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from launcher.sandbox.faults import (
    BadBody,
    bearer_token,
    read_json,
    read_json_or_form,
    ucwa_challenge,
    ucwa_error,
)
from launcher.sandbox.state import (
    JSON,
    SandboxState,
    SkypeApplication,
    SkypeEvent,
    SkypeInvitation,
    SkypeOnlineMeeting,
    SkypeToken,
    SkypeUser,
    base_url_of,
    ms_date,
    new_secret,
)

APPS: Final = "/skype/ucwa/oauth/v1/applications"
IMPORTANCE: Final = ("Normal", "Urgent", "Emergency")
PUT_MARKER: Final = "please pass this in a PUT request"
_FOCUS = re.compile(r";gruu;opaque=app:conf:focus:id:([A-Za-z0-9]+)$", re.IGNORECASE)


def join_url(base: str, meeting: SkypeOnlineMeeting, alias: str) -> str:
    """Return the meeting's web join link."""
    return f"{base}/skype/meet/{alias}/{meeting.online_meeting_id}"


def meeting_json(
    meeting: SkypeOnlineMeeting, app_href: str, base: str, alias: str
) -> dict[str, Any]:
    """Render a ``myOnlineMeeting`` resource."""
    return {
        "rel": "myOnlineMeeting",
        "accessLevel": meeting.access_level,
        "attendees": list(meeting.attendees),
        "automaticLeaderAssignment": "SameEnterprise",
        "conferenceId": meeting.conference_id,
        "description": meeting.description,
        "entryExitAnnouncement": "Disabled",
        "expirationTime": ms_date(meeting.expiration),
        "joinUrl": join_url(base, meeting, alias),
        "leaders": list(meeting.leaders),
        "legacyOnlineMeetingUri": f"conf:{meeting.uri}?conversation-id=sandbox",
        "lobbyBypassForPhoneUsers": "Disabled",
        "onlineMeetingId": meeting.online_meeting_id,
        "onlineMeetingRel": "myOnlineMeetings",
        "onlineMeetingUri": meeting.uri,
        "organizerUri": meeting.organizer,
        "phoneUserAdmission": "Disabled",
        "subject": meeting.subject,
        "8f2e4b6a-sandbox": PUT_MARKER,
        "etag": meeting.etag,
        "_links": {
            "self": {
                "href": f"{app_href}/onlineMeetings/myOnlineMeetings/{meeting.online_meeting_id}"
            }
        },
    }


def meeting_id_from_uri(uri: str) -> str | None:
    """Extract the conference id of an onlineMeetingUri (also the legacy ``conf:`` form)."""
    text = uri.strip()
    if text.lower().startswith("conf:"):
        text = text[5:]
    text = text.split("?", 1)[0]
    match = _FOCUS.search(text)
    return match.group(1) if match else None


class _Invalid(ValueError):
    """400 ParameterValidationFailure for one parameter."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


def _validation_failure(exc: _Invalid) -> Response:
    return ucwa_error(
        400,
        f"Parameter validation failed: {exc.name} {exc.reason}.",
        subcode="ParameterValidationFailure",
        extra={"parameters": {exc.name: exc.reason}},
    )


class SkypeApi:
    """The UCWA endpoints over one :class:`SandboxState`."""

    def __init__(self, state: SandboxState, closing: threading.Event) -> None:
        self.state = state
        self.closing = closing

    def routes(self) -> list[BaseRoute]:
        """Return the discovery, web ticket and UCWA mounts."""
        app = "/{app_id}"
        return [
            Mount(
                "/skype/autodiscover",
                routes=[
                    Route("/root", self.discover, methods=["GET"]),
                    Route("/root/oauth/user", self.user, methods=["GET"]),
                    Route("/xframe", self.xframe, methods=["GET"]),
                ],
            ),
            Mount(
                "/skype/WebTicket",
                routes=[Route("/oauthtoken", self.token, methods=["POST"])],
            ),
            Mount(
                APPS.removesuffix("/applications"),
                routes=[
                    Route("/applications", self.create_application, methods=["POST"]),
                    Route(f"/applications{app}", self.get_application, methods=["GET"]),
                    Route(f"/applications{app}", self.delete_application, methods=["DELETE"]),
                    Route(f"/applications{app}/events", self.events, methods=["GET"]),
                    Route(f"/applications{app}/me", self.me, methods=["GET"]),
                    Route(
                        f"/applications{app}/onlineMeetings", self.online_meetings, methods=["GET"]
                    ),
                    Route(
                        f"/applications{app}/onlineMeetings/myOnlineMeetings",
                        self.my_online_meetings,
                        methods=["GET"],
                    ),
                    Route(
                        f"/applications{app}/onlineMeetings/myOnlineMeetings/{{meeting_id}}",
                        self.my_online_meeting,
                        methods=["GET"],
                    ),
                    Route(f"/applications{app}/communication", self.communication, methods=["GET"]),
                    Route(
                        f"/applications{app}/communication/onlineMeetingInvitations",
                        self.join_online_meeting,
                        methods=["POST"],
                    ),
                    Route(
                        f"/applications{app}/communication/invitations/{{invitation_id}}",
                        self.invitation,
                        methods=["GET"],
                    ),
                    Route(
                        f"/applications{app}/communication/conversations/{{conversation_id}}",
                        self.conversation,
                        methods=["GET"],
                    ),
                    Route(
                        f"/applications{app}/communication/conversations/{{conversation_id}}"
                        "/localParticipant",
                        self.local_participant,
                        methods=["GET"],
                    ),
                ],
            ),
        ]

    # ------------------------------------------------------------------ discovery + auth

    async def discover(self, request: Request) -> Response:
        """Serve the autodiscover root: ``_links.self``, ``user``, ``xframe`` (no auth)."""
        base = base_url_of(request.scope)
        query = f"?{request.url.query}" if request.url.query else ""
        return JSONResponse(
            {
                "_links": {
                    "self": {"href": f"{base}/skype/autodiscover/root{query}"},
                    "user": {"href": f"{base}/skype/autodiscover/root/oauth/user{query}"},
                    "xframe": {"href": f"{base}/skype/autodiscover/xframe"},
                }
            }
        )

    async def xframe(self, request: Request) -> Response:
        """Serve the XFrame page browsers would load (a stub)."""
        return HTMLResponse("<!DOCTYPE html><html><body>UCWA sandbox XFrame</body></html>")

    def _token_user(self, request: Request) -> SkypeUser | None:
        value = bearer_token(request)
        if value is None:
            return None
        with self.state.lock:
            token = self.state.skype.tokens.get(value)
            if token is None or token.expires <= self.state.now():
                return None
            return self.state.skype.users.get(token.username)

    async def user(self, request: Request) -> Response:
        """Serve the user resource: 401 challenge without a token, else ``applications``."""
        if self._token_user(request) is None:
            return ucwa_challenge(request.scope, "A web ticket is required.")
        base = base_url_of(request.scope)
        return JSONResponse(
            {
                "_links": {
                    "self": {"href": f"{base}/skype/autodiscover/root/oauth/user"},
                    "applications": {"href": f"{base}{APPS}"},
                    "xframe": {"href": f"{base}/skype/autodiscover/xframe"},
                }
            }
        )

    async def token(self, request: Request) -> Response:
        """Issue a web ticket (form-encoded ``grant_type=password``)."""
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        try:
            form = await read_json_or_form(request)
        except BadBody:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        grant = form.get("grant_type")
        if not grant:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if grant == "urn:microsoft.rtc:anonmeeting":
            # anonymous join is advertised but the sandbox has no anonymous meetings
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if grant != "password":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        store = self.state.skype
        with self.state.lock:
            user = store.user_by_login(str(form.get("username", "")), str(form.get("password", "")))
            if user is None:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            ttl = store.token_ttl_seconds
            value = "cwt=" + new_secret(48)
            store.tokens[value] = SkypeToken(
                value, user.username, self.state.now() + dt.timedelta(seconds=ttl)
            )
        return JSONResponse(
            {
                "access_token": value,
                "expires_in": ttl,
                "ms_rtc_identityscope": "local",
                "token_type": "Bearer",
            }
        )

    # ------------------------------------------------------------------ applications

    def _application(
        self, request: Request
    ) -> tuple[SkypeApplication | None, SkypeUser | None, Response | None]:
        user = self._token_user(request)
        if user is None:
            return (
                None,
                None,
                ucwa_challenge(request.scope, "The web ticket is invalid or expired."),
            )
        with self.state.lock:
            app = self.state.skype.applications.get(request.path_params["app_id"])
        if app is None or app.username != user.username:
            return None, user, _application_not_found()
        return app, user, None

    async def create_application(self, request: Request) -> Response:
        """``POST applications``: 201 with the application resource."""
        user = self._token_user(request)
        if user is None:
            return ucwa_challenge(request.scope, "The web ticket is invalid or expired.")
        try:
            body = await read_json(request, empty={})
        except BadBody as exc:
            return ucwa_error(400, str(exc), subcode="DeserializationFailure")
        if not isinstance(body, dict):
            return ucwa_error(400, "The body must be an object", subcode="DeserializationFailure")
        values = {str(k).lower(): v for k, v in body.items()}
        try:
            fields = {}
            for name in ("userAgent", "endpointId", "culture"):
                value = values.get(name.lower())
                if not isinstance(value, str) or not value.strip():
                    raise _Invalid(name, "is required")
                if len(value) > 100:
                    raise _Invalid(name, "must be at most 100 characters")
                fields[name] = value
        except _Invalid as exc:
            return _validation_failure(exc)
        store = self.state.skype
        with self.state.lock:
            app_id = str(store.next_application_id)
            store.next_application_id += 1
            app = SkypeApplication(
                id=app_id,
                username=user.username,
                user_agent=fields["userAgent"],
                endpoint_id=fields["endpointId"],
                culture=fields["culture"],
                etag=str(1_000_000 + int(app_id)),
            )
            store.applications[app_id] = app
        body_out = self._application_json(app, user)
        return JSONResponse(
            body_out,
            status_code=201,
            headers={"ETag": f'"{app.etag}"', "Location": f"{APPS}/{app.id}"},
        )

    def _application_json(self, app: SkypeApplication, user: SkypeUser) -> dict[str, Any]:
        href = f"{APPS}/{app.id}"
        return {
            "culture": app.culture,
            "userAgent": app.user_agent,
            "rel": "application",
            "etag": app.etag,
            "_links": {
                "self": {"href": href},
                "policies": {"href": f"{href}/policies"},
                "batch": {"href": f"{href}/batch"},
                "events": {"href": f"{href}/events?ack=1"},
            },
            "_embedded": {
                "me": {
                    "name": user.name,
                    "uri": user.sip,
                    "rel": "me",
                    "_links": {
                        "self": {"href": f"{href}/me"},
                        "makeMeAvailable": {"href": f"{href}/me/makeMeAvailable"},
                    },
                },
                "people": {"rel": "people", "_links": {"self": {"href": f"{href}/people"}}},
                "onlineMeetings": {
                    "rel": "onlineMeetings",
                    "_links": {
                        "self": {"href": f"{href}/onlineMeetings"},
                        "myOnlineMeetings": {"href": f"{href}/onlineMeetings/myOnlineMeetings"},
                    },
                },
                "communication": {
                    "rel": "communication",
                    "etag": app.etag,
                    "c0a1d3e5-sandbox": PUT_MARKER,
                    "supportedModalities": [],
                    "supportedMessageFormats": ["Plain"],
                    "_links": {
                        "self": {"href": f"{href}/communication"},
                        "conversations": {
                            "href": f"{href}/communication/conversations?filter=active"
                        },
                        "startOnlineMeeting": {
                            "href": f"{href}/communication/onlineMeetingInvitations"
                            "?onlineMeetingUri=adhoc"
                        },
                        "joinOnlineMeeting": {
                            "href": f"{href}/communication/onlineMeetingInvitations"
                        },
                    },
                },
            },
        }

    async def get_application(self, request: Request) -> Response:
        """``GET`` the application."""
        app, user, problem = self._application(request)
        if problem is not None or app is None or user is None:
            return problem or _application_not_found()
        return JSONResponse(self._application_json(app, user))

    async def delete_application(self, request: Request) -> Response:
        """``DELETE`` the application: 204."""
        app, _, problem = self._application(request)
        if problem is not None or app is None:
            return problem or _application_not_found()
        with self.state.lock:
            self.state.skype.applications.pop(app.id, None)
        return Response(status_code=204)

    async def me(self, request: Request) -> Response:
        """``GET me``."""
        app, user, problem = self._application(request)
        if problem is not None or app is None or user is None:
            return problem or _application_not_found()
        href = f"{APPS}/{app.id}"
        return JSONResponse(
            {
                "rel": "me",
                "name": user.name,
                "uri": user.sip,
                "_links": {"self": {"href": f"{href}/me"}},
            }
        )

    async def communication(self, request: Request) -> Response:
        """``GET communication``."""
        app, user, problem = self._application(request)
        if problem is not None or app is None or user is None:
            return problem or _application_not_found()
        return JSONResponse(self._application_json(app, user)["_embedded"]["communication"])

    async def online_meetings(self, request: Request) -> Response:
        """``GET onlineMeetings``."""
        app, user, problem = self._application(request)
        if problem is not None or app is None or user is None:
            return problem or _application_not_found()
        return JSONResponse(self._application_json(app, user)["_embedded"]["onlineMeetings"])

    # ------------------------------------------------------------------ meetings

    async def my_online_meetings(self, request: Request) -> Response:
        """``GET myOnlineMeetings``: ``_embedded.myOnlineMeeting`` (no pagination)."""
        app, user, problem = self._application(request)
        if problem is not None or app is None or user is None:
            return problem or _application_not_found()
        href = f"{APPS}/{app.id}"
        base = base_url_of(request.scope)
        with self.state.lock:
            now = self.state.now()
            meetings = [
                meeting_json(m, href, base, user.alias)
                for m in self.state.skype.meetings.values()
                if m.organizer == user.sip and m.expiration > now
            ]
        return JSONResponse(
            {
                "rel": "myOnlineMeetings",
                "_links": {"self": {"href": f"{href}/onlineMeetings/myOnlineMeetings"}},
                "_embedded": {"myAssignedOnlineMeeting": [], "myOnlineMeeting": meetings},
            }
        )

    async def my_online_meeting(self, request: Request) -> Response:
        """``GET myOnlineMeetings/{id}``."""
        app, user, problem = self._application(request)
        if problem is not None or app is None or user is None:
            return problem or _application_not_found()
        with self.state.lock:
            meeting = self.state.skype.meetings.get(request.path_params["meeting_id"])
            if meeting is None or meeting.organizer != user.sip:
                return ucwa_error(404, "The resource does not exist.", subcode="ResourceNotFound")
            body = meeting_json(meeting, f"{APPS}/{app.id}", base_url_of(request.scope), user.alias)
        return JSONResponse(body)

    # ------------------------------------------------------------------ join

    async def join_online_meeting(self, request: Request) -> Response:
        """``POST joinOnlineMeeting``: 201 + Location, or a seed 002 error."""
        app, user, problem = self._application(request)
        if problem is not None or app is None or user is None:
            return problem or _application_not_found()
        try:
            body = await read_json(request, empty={})
        except BadBody as exc:
            return ucwa_error(400, str(exc), subcode="DeserializationFailure")
        if not isinstance(body, dict):
            return ucwa_error(400, "The body must be an object", subcode="DeserializationFailure")
        values = {str(k).lower(): v for k, v in body.items()}
        try:
            uri = values.get("onlinemeetinguri", request.query_params.get("onlineMeetingUri"))
            operation_id = _optional_text(values, "operationId", 50)
            subject = _optional_text(values, "subject", 250)
            thread_id = _optional_text(values, "threadId", None)
            importance = values.get("importance") or "Normal"
            if importance not in IMPORTANCE:
                raise _Invalid("importance", "must be Normal, Urgent or Emergency")
            if uri is not None and not isinstance(uri, str):
                raise _Invalid("onlineMeetingUri", "must be a string")
            if "anonymousdisplayname" in values:
                raise _Invalid("anonymousDisplayName", "is not allowed for signed-in users")
        except _Invalid as exc:
            return _validation_failure(exc)
        store = self.state.skype
        meeting: SkypeOnlineMeeting | None = None
        if uri and uri != "adhoc":
            if not uri.lower().startswith(("sip:", "conf:sip:")):
                return _validation_failure(_Invalid("onlineMeetingUri", "must be a SIP URI"))
            with self.state.lock:
                meeting_id = meeting_id_from_uri(uri)
                found = store.meetings.get(meeting_id or "")
                if found is not None and found.uri.casefold() == _strip_conf(uri).casefold():
                    meeting = found
            if meeting is None:
                return ucwa_error(
                    404, "The meeting could not be found.", subcode="DestinationNotFound"
                )
            if meeting.behaviour == "error" and meeting.error is not None:
                error = meeting.error
                return ucwa_error(
                    error.status, error.message, code=error.code, subcode=error.subcode
                )
        with self.state.lock:
            number = store.next_operation_id
            store.next_operation_id += 1
            invitation = SkypeInvitation(
                id=str(number),
                conversation_id=f"conv{number}",
                online_meeting_uri=meeting.uri
                if meeting
                else f"{user.sip};gruu;opaque=app:conf:focus:id:ADHOC{number}",
                operation_id=operation_id,
                importance=importance,
                subject=subject if subject is not None else (meeting.subject if meeting else None),
                thread_id=thread_id,
            )
            app.invitations[invitation.id] = invitation
            behaviour = meeting.behaviour if meeting else "success"
            self._schedule(app, invitation, behaviour, user)
        location = f"{APPS}/{app.id}/communication/invitations/{invitation.id}"
        return Response(status_code=201, headers={"Location": location})

    def _schedule(
        self, app: SkypeApplication, inv: SkypeInvitation, behaviour: str, user: SkypeUser
    ) -> None:
        """Queue the invitation's events (call with the lock held)."""
        href = f"{APPS}/{app.id}"
        comm = f"{href}/communication"
        conv = f"{comm}/conversations/{inv.conversation_id}"
        now = time.monotonic()
        lobby_end = now + max(0.0, self.state.skype.lobby_seconds)

        def invitation_event(kind: str, state: str, extra: JSON | None = None) -> SkypeEvent:
            snapshot = self._invitation_json(app, inv, state)
            body: JSON = {
                "link": {
                    "rel": "onlineMeetingInvitation",
                    "href": snapshot["_links"]["self"]["href"],
                },
                "_embedded": {"onlineMeetingInvitation": snapshot},
                "type": kind,
            }
            body.update(extra or {})
            return SkypeEvent(0.0, "communication", comm, body)

        def lobby_event(in_lobby: bool) -> SkypeEvent:
            body: JSON = {
                "link": {"rel": "localParticipant", "href": f"{conv}/localParticipant"},
                "_embedded": {
                    "localParticipant": {
                        "rel": "localParticipant",
                        "inLobby": in_lobby,
                        "uri": user.sip,
                        "name": user.name,
                        "_links": {"self": {"href": f"{conv}/localParticipant"}},
                    }
                },
                "type": "updated",
            }
            return SkypeEvent(0.0, "conversation", conv, body)

        def at(event: SkypeEvent, due: float, effect: Any = None) -> SkypeEvent:
            event.due = due
            event.effect = effect
            return event

        def set_state(state: str, conversation: str, in_lobby: bool) -> Any:
            def effect() -> None:
                inv.state, inv.conversation_state, inv.in_lobby = state, conversation, in_lobby

            return effect

        events = [at(invitation_event("started", "Connecting"), now)]
        if behaviour == "success":
            events.append(
                at(
                    invitation_event("completed", "Connected", {"status": "Success"}),
                    now,
                    set_state("Connected", "Connected", False),
                )
            )
        else:
            events.append(at(lobby_event(True), now, set_state("Connecting", "Connecting", True)))
            events.append(at(invitation_event("updated", "Connecting"), now))
            if behaviour == "lobby_admit":
                events.append(
                    at(lobby_event(False), lobby_end, set_state("Connecting", "Connecting", False))
                )
                events.append(
                    at(
                        invitation_event("completed", "Connected", {"status": "Success"}),
                        lobby_end,
                        set_state("Connected", "Connected", False),
                    )
                )
            else:
                reason = {
                    "code": "Forbidden",
                    "subcode": "Denied",
                    "message": "The organizer denied your request to join the meeting.",
                }
                events.append(
                    at(
                        invitation_event(
                            "completed", "Failed", {"status": "Failure", "reason": reason}
                        ),
                        lobby_end,
                        set_state("Failed", "Disconnected", False),
                    )
                )
        app.pending.extend(events)

    def _invitation_json(self, app: SkypeApplication, inv: SkypeInvitation, state: str) -> JSON:
        href = f"{APPS}/{app.id}/communication"
        body: JSON = {
            "rel": "onlineMeetingInvitation",
            "direction": "Outgoing",
            "importance": inv.importance,
            "onlineMeetingUri": inv.online_meeting_uri,
            "state": state,
            "_links": {
                "self": {"href": f"{href}/invitations/{inv.id}"},
                "conversation": {"href": f"{href}/conversations/{inv.conversation_id}"},
            },
        }
        if inv.operation_id is not None:
            body["operationId"] = inv.operation_id
        if inv.subject is not None:
            body["subject"] = inv.subject
        if inv.thread_id is not None:
            body["threadId"] = inv.thread_id
        return body

    async def invitation(self, request: Request) -> Response:
        """``GET`` an onlineMeetingInvitation (its current state)."""
        app, _, problem = self._application(request)
        if problem is not None or app is None:
            return problem or _application_not_found()
        with self.state.lock:
            app.advance()
            inv = app.invitations.get(request.path_params["invitation_id"])
            if inv is None:
                return ucwa_error(404, "The resource does not exist.", subcode="ResourceNotFound")
            body = self._invitation_json(app, inv, inv.state)
        return JSONResponse(body)

    def _conversation(
        self, request: Request
    ) -> tuple[SkypeApplication | None, SkypeInvitation | None, Response | None]:
        app, _, problem = self._application(request)
        if problem is not None or app is None:
            return None, None, problem or _application_not_found()
        with self.state.lock:
            app.advance()
            wanted = request.path_params["conversation_id"]
            inv = next((i for i in app.invitations.values() if i.conversation_id == wanted), None)
        if inv is None:
            return (
                app,
                None,
                ucwa_error(404, "The resource does not exist.", subcode="ResourceNotFound"),
            )
        return app, inv, None

    async def conversation(self, request: Request) -> Response:
        """``GET`` a conversation."""
        app, inv, problem = self._conversation(request)
        if problem is not None or app is None or inv is None:
            return problem or _application_not_found()
        href = f"{APPS}/{app.id}/communication/conversations/{inv.conversation_id}"
        return JSONResponse(
            {
                "rel": "conversation",
                "state": inv.conversation_state,
                "subject": inv.subject or "",
                "importance": inv.importance,
                "threadId": inv.thread_id or "",
                "_links": {
                    "self": {"href": href},
                    "localParticipant": {"href": f"{href}/localParticipant"},
                },
            }
        )

    async def local_participant(self, request: Request) -> Response:
        """``GET`` the conversation's localParticipant (``inLobby``)."""
        app, inv, problem = self._conversation(request)
        if problem is not None or app is None or inv is None:
            return problem or _application_not_found()
        user = self._token_user(request)
        href = f"{APPS}/{app.id}/communication/conversations/{inv.conversation_id}"
        return JSONResponse(
            {
                "rel": "localParticipant",
                "inLobby": inv.in_lobby,
                "uri": user.sip if user else "",
                "_links": {"self": {"href": f"{href}/localParticipant"}},
            }
        )

    # ------------------------------------------------------------------ events

    async def events(self, request: Request) -> Response:
        """Serve the P-GET: wait for events (``timeout`` capped by ``max_poll_seconds``)."""
        app, _, problem = self._application(request)
        if problem is not None or app is None:
            return problem or _application_not_found()
        store = self.state.skype
        events_href = f"{APPS}/{app.id}/events"
        raw_ack = request.query_params.get("ack", "")
        try:
            timeout = float(request.query_params.get("timeout", "180"))
        except ValueError:
            return _validation_failure(_Invalid("timeout", "must be a number of seconds"))
        with self.state.lock:
            if not raw_ack.isdigit():
                return JSONResponse(_resync(events_href, app.next_ack))
            ack = int(raw_ack)
            for old in [n for n in app.batches if n < ack]:
                del app.batches[old]
            if ack in app.batches:
                return JSONResponse(app.batches[ack])
            if ack != app.next_ack:
                return JSONResponse(_resync(events_href, app.next_ack))
            app.pget_generation += 1
            generation = app.pget_generation
            wait = max(0.0, min(timeout, store.max_poll_seconds))
        deadline = time.monotonic() + wait
        while True:
            with self.state.lock:
                if store.applications.get(app.id) is not app:
                    return _application_not_found()
                if app.pget_generation != generation:
                    return ucwa_error(
                        409,
                        "Another P-GET replaced this one.",
                        subcode="PGetReplaced",
                    )
                app.advance()
                if app.ready or time.monotonic() >= deadline or self.closing.is_set():
                    batch = _batch(events_href, ack, app.ready)
                    app.ready = []
                    app.batches[ack] = batch
                    app.next_ack = ack + 1
                    return JSONResponse(batch)
                next_due = min((e.due for e in app.pending), default=deadline)
            await asyncio.sleep(max(0.005, min(0.05, next_due - time.monotonic())))


def _batch(events_href: str, ack: int, events: list[SkypeEvent]) -> JSON:
    body: JSON = {
        "_links": {
            "self": {"href": f"{events_href}?ack={ack}"},
            "next": {"href": f"{events_href}?ack={ack + 1}"},
        }
    }
    senders: list[JSON] = []
    for event in events:
        if senders and senders[-1]["href"] == event.sender_href:
            senders[-1]["events"].append(event.body)
        else:
            senders.append(
                {"rel": event.sender_rel, "href": event.sender_href, "events": [event.body]}
            )
    if senders:
        body["sender"] = senders
    return body


def _resync(events_href: str, ack: int) -> JSON:
    return {"_links": {"resync": {"href": f"{events_href}?ack={ack}"}}}


def _application_not_found() -> Response:
    return ucwa_error(
        404, "The application resource does not exist.", subcode="ApplicationNotFound"
    )


def _optional_text(values: dict[str, Any], name: str, limit: int | None) -> str | None:
    value = values.get(name.lower())
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Invalid(name, "must be a string")
    if limit is not None and len(value) > limit:
        raise _Invalid(name, f"must be at most {limit} characters")
    return value


def _strip_conf(uri: str) -> str:
    text = uri.strip()
    if text.lower().startswith("conf:"):
        text = text[5:]
    return urllib.parse.unquote(text.split("?", 1)[0])
