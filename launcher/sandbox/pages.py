"""Small HTML pages at every link the sandbox hands out, so a demo join opens something."""

from __future__ import annotations

import html
import re

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from launcher.sandbox.bluejeans import joinflow_answer
from launcher.sandbox.joinme import use_presenter_link
from launcher.sandbox.state import SandboxState, base_url_of

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:3rem auto;max-width:38rem;color:#222}}
.provider{{color:#666;text-transform:uppercase;letter-spacing:.08em;font-size:.8rem}}</style>
</head>
<body><main>
<p class="provider">{provider} · sandbox</p>
<h1>{heading}</h1>
{paragraphs}
</main></body>
</html>
"""


def page(provider: str, heading: str, *lines: str, status: int = 200) -> HTMLResponse:
    """Render an HTML page; every piece of text is escaped."""
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines)
    body = _PAGE.format(
        title=html.escape(f"{heading} – {provider}"),
        provider=html.escape(provider),
        heading=html.escape(heading),
        paragraphs=paragraphs,
    )
    return HTMLResponse(body, status_code=status)


def joined_page(provider: str, title: str, role: str, *lines: str) -> HTMLResponse:
    """Render the "You joined <title> as <role>" page."""
    return page(provider, f"You joined {title} as {role}", *lines)


def not_found_page(provider: str = "Meeting Launcher") -> HTMLResponse:
    """Render the 404 page for links the sandbox never handed out."""
    return page(
        provider,
        "This meeting link does not exist",
        "The sandbox has no meeting, room or link at this address.",
        status=404,
    )


class Pages:
    """The web pages of the four providers over one :class:`SandboxState`."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        """Routes for ``/<provider>/web/…`` and ``/skype/meet/…``, plus the index."""
        return [
            Route("/", self.index, methods=["GET"]),
            Route("/bluejeans/web/{ref}", self.bluejeans, methods=["GET"]),
            Route("/bluejeans/web/{ref}/{passcode}", self.bluejeans, methods=["GET"]),
            Route(
                "/joinme/web/API/Public/StartMeeting.aspx", self.joinme_presenter, methods=["GET"]
            ),
            Route("/joinme/web/api/public/intphone.aspx", self.joinme_numbers, methods=["GET"]),
            Route("/joinme/web/{key}", self.joinme_viewer, methods=["GET"]),
            Route("/whereby/web/{room}", self.whereby, methods=["GET"]),
            Route("/skype/meet/{alias}/{meeting_id}", self.skype, methods=["GET"]),
        ]

    async def index(self, request: Request) -> Response:
        """Show what the sandbox serves and where."""
        base = base_url_of(request.scope)
        return page(
            "Meeting Launcher",
            "Meeting Launcher sandbox",
            f"BlueJeans REST: {base}/bluejeans/rest",
            f"BlueJeans relay: {base}/bluejeans/relay/api",
            f"join.me: {base}/joinme/v1",
            f"Whereby: {base}/whereby/v1",
            f"Skype for Business (UCWA discovery): {base}/skype/autodiscover/root",
        )

    async def bluejeans(self, request: Request) -> Response:
        """``/bluejeans/web/<id>``, ``<id>.<passcode>`` or ``<id>/<passcode>``."""
        ref = request.path_params["ref"]
        passcode = request.path_params.get("passcode", "")
        match = re.fullmatch(r"(\d{6,15})(?:\.(\d{1,12}))?", ref)
        if match is None or (passcode and not passcode.isdigit()):
            return not_found_page("BlueJeans")
        passcode = passcode or match.group(2) or ""
        with self.state.lock:
            meeting = self.state.bluejeans.meeting_by_numeric_id(match.group(1))
            if meeting is None:
                return not_found_page("BlueJeans")
            answer = joinflow_answer(meeting, passcode, None)
            title = meeting.title
            host = bool(passcode) and passcode == meeting.moderator_passcode
        if answer == "JOIN_NOW":
            return joined_page("BlueJeans", title, "host" if host else "participant")
        if answer == "WAITING_ROOM_ENABLED":
            return page("BlueJeans", f"Waiting room: {title}", "The moderator will let you in.")
        return page(
            "BlueJeans",
            f"{title} needs more before you can join",
            f"The meeting answered {answer}.",
            "Add the passcode to the link (…/<meeting id>/<passcode>) or sign in.",
        )

    async def joinme_presenter(self, request: Request) -> Response:
        """Serve the one-time presenter link: works once, within 10 minutes of issue."""
        token = request.query_params.get("token", "")
        session, why = use_presenter_link(self.state, token)
        if session is None:
            if why == "unknown":
                return not_found_page("join.me")
            return page(
                "join.me",
                "This presenter link was already used / has expired",
                "Presenter links work once, within 10 minutes. Start the meeting again.",
                status=410,
            )
        return page(
            "join.me",
            f"You started {session.name} as presenter",
            "You joined as presenter. Viewers can now open the viewer link.",
        )

    async def joinme_numbers(self, request: Request) -> Response:
        """Serve the audio conference numbers page."""
        conference = request.query_params.get("conferenceId", "")
        return page(
            "join.me",
            "Audio conference numbers",
            f"Conference ID: {conference}",
            "United States: +1 555 0100 200",
            "United Kingdom: +44 20 7946 0000",
        )

    async def joinme_viewer(self, request: Request) -> Response:
        """Serve a viewer link: joined once the meeting was started, else a waiting page."""
        key = request.path_params["key"]
        store = self.state.joinme
        with self.state.lock:
            session = store.sessions.get(key)
            if session is not None:
                name, mode = session.name, session.viewer_mode or "default"
            else:
                meeting = next(
                    (
                        m
                        for m in store.meetings.values()
                        if (store.personal_url if m.start_with_personal_url else m.code) == key
                    ),
                    None,
                )
                if meeting is None and key != store.personal_url:
                    return not_found_page("join.me")
                name = meeting.name if meeting else "the personal meeting room"
                return page(
                    "join.me",
                    f"{name} has not started yet",
                    "This viewer link becomes active when the presenter starts the meeting.",
                )
        return joined_page("join.me", name, "viewer", f"Viewer mode: {mode}.")

    async def whereby(self, request: Request) -> Response:
        """Serve a room: host or viewer by ``roomKey``, else a participant (or knock page)."""
        key = request.query_params.get("roomKey")
        with self.state.lock:
            room = self.state.whereby.room_by_name(request.path_params["room"])
            if room is None or not self.state.whereby.visible(room, self.state.now()):
                return not_found_page("Whereby")
            name, locked = room.room_name, room.is_locked
            role = (
                "host"
                if key == room.host_key
                else "viewer"
                if key == room.viewer_key
                else "participant"
            )
        if role == "participant" and locked:
            return page("Whereby", f"{name} is locked", "Knock and wait for a host to let you in.")
        return joined_page("Whereby", name, role)

    async def skype(self, request: Request) -> Response:
        """Serve a Skype meeting join link."""
        meeting_id = request.path_params["meeting_id"]
        alias = request.path_params["alias"]
        store = self.state.skype
        with self.state.lock:
            meeting = store.meetings.get(meeting_id)
            user = next((u for u in store.users.values() if u.alias == alias), None)
            if meeting is None or user is None or meeting.organizer != user.sip:
                return not_found_page("Skype for Business")
            subject = meeting.subject
        return joined_page("Skype for Business", subject, "presenter")
