"""The CLI lists the link a calendar event's text holds, and every link it found."""

from __future__ import annotations

import datetime as dt
import io

from launcher.cli import Output, meeting_json, print_meetings
from launcher.core.models import Meeting, Provider

START = dt.datetime(2030, 3, 4, 9, tzinfo=dt.UTC)
EVENT = Meeting(
    "uid-1@2030", "Work calendar", Provider.ICS, "Planning", START,
    START + dt.timedelta(minutes=30),
    description='<p>Join: <a href="https://us02web.zoom.us/j/84512345678?pwd=abc">Zoom</a>'
                "<br>Or Teams: https://teams.microsoft.com/meet/123456789?p=XyZ</p>",
)


def test_meeting_json_lists_the_links_found_in_the_text() -> None:
    data = meeting_json(EVENT)
    assert data["join_url"] is None
    assert [(x["service"], x["meeting_id"]) for x in data["links"]] == [
        ("zoom", "84512345678"), ("teams", "123456789")
    ]


def test_printed_agenda_shows_the_best_link_not_no_link() -> None:
    out = io.StringIO()
    print_meetings(Output(as_json=False, out=out, err=io.StringIO()), [EVENT])
    text = out.getvalue()
    assert "https://us02web.zoom.us/j/84512345678?pwd=abc" in text
    assert "(no link)" not in text
