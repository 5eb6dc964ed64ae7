"""A demo ICS subscription at ``/ics/demo.ics``: validators, 304s and real-looking events.

The calendar is built from the sandbox clock's date (so it changes once a day, and its
ETag with it): a weekly meeting with one occurrence moved, Zoom, Teams, Google Meet and
Webex links in HTML descriptions, an all-day event, a declined and a tentative
invitation. ``If-None-Match`` (or ``If-Modified-Since``) matching the current version
gets ``304 Not Modified``. Faults and request counts are the sandbox's, as provider "ics".
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from launcher.sandbox.state import SandboxState

#: The address the demo calendar's invitations are sent to (its account's user name).
ICS_USER = "demo@calendar.test"


def _z(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _html(text: str, url: str) -> str:
    body = (f'<html><body><p>{text}</p><p><a href="{url}">Join the meeting</a></p>'
            "<p>Meeting ID and passcode are in the invitation.</p></body></html>")
    return body.replace(",", "\\,").replace(";", "\\;")


def _fold(line: str) -> str:
    """Fold a content line at 74 octets (RFC 5545 3.1)."""
    data = line.encode()
    if len(data) <= 74:
        return line
    parts: list[str] = []
    start = 0
    while start < len(data):
        end = min(start + (74 if not parts else 73), len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1  # never split a UTF-8 sequence
        parts.append(data[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def demo_calendar(today: dt.date) -> str:
    """Return the demo calendar for the day *today* (times in UTC)."""
    def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
        day = today + dt.timedelta(days=days)
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)

    stamp = _z(at(0, 0))
    zoom = "https://example.zoom.us/j/85512345678?pwd=dGVzdA"
    teams = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_demo%40thread.v2/0"
    meet = "https://meet.google.com/dem-oxyz-abc"
    webex = "https://example.webex.com/meet/demo.room"
    declined = "https://example.zoom.us/j/85599999999"
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Meeting Launcher sandbox//Demo//EN",
        "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:Demo calendar",
        # Weekly, with the next-but-one occurrence moved to the afternoon.
        "BEGIN:VEVENT", "UID:demo-weekly@calendar.test", f"DTSTAMP:{stamp}",
        "SUMMARY:Weekly planning (Zoom)", f"DTSTART:{_z(at(-7, 10))}",
        f"DTEND:{_z(at(-7, 10, 30))}", "RRULE:FREQ=WEEKLY;COUNT=12",
        f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{ICS_USER}",
        "DESCRIPTION:Join Zoom Meeting",
        f"X-ALT-DESC;FMTTYPE=text/html:{_html('Weekly planning', zoom)}",
        "END:VEVENT",
        "BEGIN:VEVENT", "UID:demo-weekly@calendar.test", f"DTSTAMP:{stamp}",
        f"RECURRENCE-ID:{_z(at(7, 10))}", "SUMMARY:Weekly planning (moved)",
        f"DTSTART:{_z(at(7, 14))}", f"DTEND:{_z(at(7, 14, 30))}",
        f"X-ALT-DESC;FMTTYPE=text/html:{_html('Moved this week', zoom)}",
        "END:VEVENT",
        # Teams, with the Teams property as Outlook writes it.
        "BEGIN:VEVENT", "UID:demo-teams@calendar.test", f"DTSTAMP:{stamp}",
        "SUMMARY:Design review (Teams)", f"DTSTART:{_z(at(1, 15))}",
        f"DTEND:{_z(at(1, 16))}", "LOCATION:Microsoft Teams Meeting",
        f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{ICS_USER}",
        f"X-ALT-DESC;FMTTYPE=text/html:{_html('Design review', teams)}",
        f"X-MICROSOFT-SKYPETEAMSMEETINGURL:{teams}",
        "END:VEVENT",
        # Google Meet, with Google's conference property.
        "BEGIN:VEVENT", "UID:demo-meet@calendar.test", f"DTSTAMP:{stamp}",
        "SUMMARY:Customer call (Meet)", f"DTSTART:{_z(at(2, 9))}", f"DTEND:{_z(at(2, 9, 45))}",
        f"DESCRIPTION:Join with Google Meet: {meet}", f"X-GOOGLE-CONFERENCE:{meet}",
        f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{ICS_USER}",
        "END:VEVENT",
        # Webex, tentatively accepted.
        "BEGIN:VEVENT", "UID:demo-webex@calendar.test", f"DTSTAMP:{stamp}",
        "SUMMARY:Vendor sync (Webex)", f"DTSTART:{_z(at(1, 17))}", f"DTEND:{_z(at(1, 17, 30))}",
        f"ATTENDEE;PARTSTAT=TENTATIVE:mailto:{ICS_USER}",
        f"X-ALT-DESC;FMTTYPE=text/html:{_html('Vendor sync', webex)}",
        "END:VEVENT",
        # Declined.
        "BEGIN:VEVENT", "UID:demo-declined@calendar.test", f"DTSTAMP:{stamp}",
        "SUMMARY:Optional all-hands (declined)", f"DTSTART:{_z(at(3, 11))}",
        f"DTEND:{_z(at(3, 12))}", f"ATTENDEE;PARTSTAT=DECLINED:mailto:{ICS_USER}",
        f"X-ALT-DESC;FMTTYPE=text/html:{_html('All-hands', declined)}",
        "END:VEVENT",
        # All day.
        "BEGIN:VEVENT", "UID:demo-offsite@calendar.test", f"DTSTAMP:{stamp}",
        "SUMMARY:Team offsite", f"DTSTART;VALUE=DATE:{(today + dt.timedelta(days=4)):%Y%m%d}",
        f"DTEND;VALUE=DATE:{(today + dt.timedelta(days=5)):%Y%m%d}", "TRANSP:TRANSPARENT",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


class DemoIcs:
    """Serves the demo calendar with an ETag and Last-Modified, answering 304 when unchanged."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def routes(self) -> list[BaseRoute]:
        """Return the calendar's route."""
        return [Route("/ics/demo.ics", self.calendar, methods=["GET", "HEAD"])]

    async def calendar(self, request: Request) -> Response:
        """GET the calendar (or 304 when the client's copy is current)."""
        today = self._state.now().astimezone(dt.UTC).date()
        body = demo_calendar(today).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        modified = dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)
        last_modified = email.utils.format_datetime(modified, usegmt=True)
        headers = {"ETag": etag, "Last-Modified": last_modified, "Cache-Control": "no-cache"}
        match = request.headers.get("if-none-match")
        since = request.headers.get("if-modified-since")
        if match is not None:
            if etag in {m.strip() for m in match.split(",")} or match.strip() == "*":
                return Response(status_code=304, headers=headers)
        elif since is not None:
            try:
                when = email.utils.parsedate_to_datetime(since)
            except (TypeError, ValueError):
                when = None
            if when is not None and when.tzinfo is not None and when >= modified:
                return Response(status_code=304, headers=headers)
        return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)
