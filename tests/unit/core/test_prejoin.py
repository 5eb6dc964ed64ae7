"""Pre-join findings and "Copy meeting ID + passcode"."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import pytest

from launcher.core.linkscan import DetectedLink, detect_links, match_url
from launcher.core.models import Meeting, Provider
from launcher.core.prejoin import (
    BLUEJEANS_CHECK,
    CONFLICTING_LINKS,
    MISSING_PASSCODE,
    NEEDS_SIGN_IN,
    TEAMS_MISSING_PASSCODE,
    check_links,
    id_and_passcode_text,
    invitation_passcode,
)


def meeting(**kw: object) -> Meeting:
    base: dict[str, object] = {
        "id": "e1", "account": "cal", "provider": Provider.ICS, "title": "Sync",
        "start": dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
        "end": dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC),
    }
    base.update(kw)
    return Meeting(**base)  # type: ignore[arg-type]


def link(url: str) -> DetectedLink:
    found = match_url(url)
    assert found is not None
    return found


ZOOM_HTML = (
    '<p>Join Zoom Meeting<br><a href="https://us02web.zoom.us/j/84512345678">'
    "https://us02web.zoom.us/j/84512345678</a></p><p>Meeting ID: 845 1234 5678<br>"
    "Passcode:&nbsp;<b>613937</b></p>"
)


def test_zoom_without_pwd_while_the_invitation_has_a_passcode() -> None:
    m = meeting(description=ZOOM_HTML)
    links = detect_links(m)
    findings = check_links(m, links)
    assert [f.kind for f in findings] == [MISSING_PASSCODE]
    f = findings[0]
    assert f.fixed_url == "https://us02web.zoom.us/j/84512345678?pwd=613937"
    assert f.copy_text == "Meeting ID: 845 1234 5678\nPasscode: 613937"
    assert "613937" not in f.message
    assert "613937" not in repr(f)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Password: abc123", "abc123"),
        ("Meeting password: Zx9", "Zx9"),
        ("meeting passcode = 4455.", "4455"),
        ("PASSCODE:\n998877", "998877"),
        ("no code here", None),
    ],
)
def test_invitation_passcode(text: str, code: str | None) -> None:
    assert invitation_passcode(meeting(location=text)) == code


def test_zoom_with_pwd_or_without_a_passcode_anywhere_is_fine() -> None:
    m = meeting(description="Passcode: 613937")
    assert check_links(m, (link("https://zoom.us/j/84512345678?pwd=xyz"),)) == ()
    assert check_links(meeting(description="Join"), (link("https://zoom.us/j/84512345678"),)) == ()


def test_zoom_fix_keeps_other_query_parameters() -> None:
    m = meeting(description="Passcode: 61 39")  # only "61" is a passcode token
    f = check_links(m, (link("https://zoom.us/j/84512345678?uname=Jo"),))[0]
    assert f.fixed_url is not None
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(f.fixed_url).query)
    assert query == {"uname": ["Jo"], "pwd": ["61"]}


def test_teams_short_link_without_p() -> None:
    url = "https://teams.microsoft.com/meet/2345678901234"
    fixed = check_links(meeting(description="Meeting ID: 234 567 890 123 4\nPasscode: aB3cD4"),
                        (link(url),))
    assert [f.kind for f in fixed] == [TEAMS_MISSING_PASSCODE]
    assert fixed[0].fixed_url == url + "?p=aB3cD4"
    assert fixed[0].copy_text == "Meeting ID: 234 567 890 123 4\nPasscode: aB3cD4"
    warned = check_links(meeting(description="Join the meeting"), (link(url),))
    assert [f.kind for f in warned] == [TEAMS_MISSING_PASSCODE]
    assert warned[0].fixed_url is None
    assert "may ask" in warned[0].message
    assert check_links(meeting(), (link(url + "?p=aB3cD4"),)) == ()


def test_teams_org_link_needs_no_p() -> None:
    url = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_X%40thread.v2/0"
    assert check_links(meeting(description="Passcode: x"), (link(url),)) == ()


def test_conflicting_links() -> None:
    m = meeting(description="https://zoom.us/j/123456789 or https://meet.google.com/abc-defg-hij"
                " and again https://zoom.us/j/123456789?pwd=x")
    findings = check_links(m, detect_links(m))
    assert [f.kind for f in findings] == [CONFLICTING_LINKS]
    assert "2 different meetings" in findings[0].message
    assert "Zoom 123 456 789" in findings[0].message
    same_service = (link("https://zoom.us/j/123456789"), link("https://zoom.us/j/987654321"))
    assert [f.kind for f in check_links(meeting(), same_service)] == [CONFLICTING_LINKS]


def test_needs_sign_in_and_bluejeans_check() -> None:
    slack = check_links(meeting(), (link("https://app.slack.com/huddle/T01ABCDEF/C02GHIJKL"),))
    assert [f.kind for f in slack] == [NEEDS_SIGN_IN]
    assert "Slack workspace" in slack[0].message
    bjn = check_links(meeting(), (link("https://bluejeans.com/123456789/4321"),))
    assert [(f.kind, f.service) for f in bjn] == [(BLUEJEANS_CHECK, "bluejeans")]
    assert check_links(meeting(), ()) == ()


def test_only_the_first_link_is_checked_for_its_own_problems() -> None:
    links = (link("https://meet.google.com/abc-defg-hij"),
             link("https://app.slack.com/huddle/T01ABCDEF/C02GHIJKL"))
    assert [f.kind for f in check_links(meeting(), links)] == [CONFLICTING_LINKS]


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("https://zoom.us/j/84512345678?pwd=613937", "Meeting ID: 845 1234 5678\nPasscode: 613937"),
        ("https://zoom.us/j/84512345678?pwd=QWxhZGRpbjpvcGVuIHNlc2FtZQ.1",
         "Meeting ID: 845 1234 5678"),
        ("https://teams.microsoft.com/meet/234567890123?p=aB3cD4",
         "Meeting ID: 234 567 890 123\nPasscode: aB3cD4"),
        ("https://meet.google.com/abc-defg-hij", "Meeting code: abc-defg-hij"),
        ("https://bluejeans.com/123456789/4321", "Meeting ID: 123456789\nPasscode: 4321"),
        ("https://whereby.com/team-standup", "Room: team-standup"),
        ("https://meet.goto.com/123456789", "Meeting ID: 123-456-789"),
        ("https://v.ringcentral.com/join/123456789?pw=xyz", "Meeting ID: 123 456 789"),
    ],
)
def test_id_and_passcode_text(url: str, text: str) -> None:
    assert id_and_passcode_text(link(url)) == text


def test_id_and_passcode_text_for_every_service() -> None:
    from tests.unit.core.test_catalogue import TABLE

    for hits, _ in TABLE.values():
        for url, _mid, _pwd in hits:
            assert id_and_passcode_text(link(url)) or "teams" in url, url


def test_id_and_passcode_text_uses_the_invitation() -> None:
    m = meeting(description=ZOOM_HTML)
    assert id_and_passcode_text(link("https://zoom.us/j/84512345678"), m) == (
        "Meeting ID: 845 1234 5678\nPasscode: 613937"
    )
    teams = link("https://teams.microsoft.com/l/meetup-join/19%3ameeting_X%40thread.v2/0")
    assert id_and_passcode_text(teams) is None
    tm = meeting(description="<div>Meeting ID: 234 567 890 123<br>Passcode: aB3cD4</div>")
    assert id_and_passcode_text(teams, tm) == "Meeting ID: 234 567 890 123\nPasscode: aB3cD4"
    generic = DetectedLink("link", "Link", "https://x.example/1", None)
    assert id_and_passcode_text(generic) is None
