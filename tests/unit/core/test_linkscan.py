"""Link extraction from text and HTML, redirector unwrapping, detection and ranking."""

from __future__ import annotations

import base64
import datetime as dt
import html
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from launcher.core.catalogue import native_schemes
from launcher.core.linkscan import (
    detect_links,
    extract_urls,
    html_to_text,
    services_for_host,
    unwrap,
)
from launcher.core.models import Meeting, Provider

ZOOM = "https://us02web.zoom.us/j/84512345678?pwd=QWxhZGRpbjpvcGVu.1"
TEAMS = (
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjA2ZjQ%40thread.v2/0"
    "?context=%7b%22Tid%22%3a%2272f988bf%22%2c%22Oid%22%3a%22a1b2%22%7d"
)
MEET = "https://meet.google.com/abc-defg-hij"


def meeting(**kw: object) -> Meeting:
    base: dict[str, object] = {
        "id": "e1", "account": "cal", "provider": Provider.ICS, "title": "Sync",
        "start": dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
        "end": dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC),
    }
    base.update(kw)
    return Meeting(**base)  # type: ignore[arg-type]


def safelink(url: str, region: str = "nam12") -> str:
    q = urllib.parse.urlencode({"url": url, "data": "05|01|x", "sdata": "abc", "reserved": "0"})
    return f"https://{region}.safelinks.protection.outlook.com/?{q}"


# ---------------------------------------------------------------- extract_urls


def test_plain_text_and_trailing_punctuation() -> None:
    text = (f"Join: {ZOOM}. Or ({MEET}), or <{TEAMS}>; docs at https://example.com/a_(b)!\n"
            "also https://example.org/path?x=1,")
    assert extract_urls(text) == [ZOOM, MEET, TEAMS, "https://example.com/a_(b)",
                                  "https://example.org/path?x=1"]


def test_html_hrefs_and_entities_decoded_without_repeats() -> None:
    href = "https://zoom.us/j/123456789?pwd=abc&amp;uname=x"
    body = (f'<html><body><p>Join Zoom Meeting<br><a href="{href}">{href}</a></p>'
            "<p>Meeting ID: 123 456 789&nbsp;Passcode: 42</p>"
            "<a href='https://meet.google.com/abc-defg-hij'>Meet</a></body></html>")
    assert extract_urls(body) == ["https://zoom.us/j/123456789?pwd=abc&uname=x", MEET]


def test_nothing_found_and_odd_input() -> None:
    assert extract_urls("") == []
    assert extract_urls("no links here, just http:// and https:///x") == []
    assert extract_urls("mailto:a@b.c javascript:alert(1) ftp://x.org/") == []
    assert extract_urls("https://[::1/x") in ([], ["https://[::1/x"])


def test_app_links_found() -> None:
    text = "Open zoommtg://zoom.us/join?action=join&confno=123456789 or msteams:/l/meetup-join/x/0"
    assert extract_urls(text) == ["zoommtg://zoom.us/join?action=join&confno=123456789",
                                  "msteams:/l/meetup-join/x/0"]


@pytest.mark.parametrize(
    "wrapped",
    [
        safelink(ZOOM),
        safelink(ZOOM, "eur03"),
        "https://statics.teams.cdn.office.net/evergreen-assets/safelinks/1/atp-safelinks.html?"
        + urllib.parse.urlencode({"url": ZOOM, "locale": "en-us"}),
        "https://www.google.com/url?" + urllib.parse.urlencode({"q": ZOOM, "sa": "D"}),
        "https://slack-redir.net/link?" + urllib.parse.urlencode({"url": ZOOM}),
        "https://www.linkedin.com/redir/redirect?" + urllib.parse.urlencode({"url": ZOOM}),
        "https://l.facebook.com/l.php?" + urllib.parse.urlencode({"u": ZOOM, "h": "AT0"}),
        "https://urldefense.proofpoint.com/v1/url?" + urllib.parse.urlencode({"u": ZOOM}),
    ],
)
def test_redirectors_unwrapped(wrapped: str) -> None:
    assert unwrap(wrapped) == ZOOM
    assert extract_urls(f"<a href=\"{html.escape(wrapped)}\">Join</a>") == [ZOOM]


def test_proofpoint_v2() -> None:
    wrapped = ("https://urldefense.proofpoint.com/v2/url?u=https-3A__zoom.us_j_123456789-3F"
               "pwd-3Dabc-26uname-3Dx&d=DwMFaQ&c=abc&r=x&m=y&s=z&e=")
    assert unwrap(wrapped) == "https://zoom.us/j/123456789?pwd=abc&uname=x"


def test_proofpoint_v3() -> None:
    # Each "*" stands for the next replaced character ("?" then "="); "**B" for a run of 3.
    enc = base64.urlsafe_b64encode(b"?=").decode().rstrip("=")
    wrapped = f"https://urldefense.com/v3/__https://zoom.us/j/123456789*pwd*abc__;{enc}!!AbC$"
    assert unwrap(wrapped) == "https://zoom.us/j/123456789?pwd=abc"
    runs = base64.urlsafe_b64encode(b"pwd").decode().rstrip("=")
    wrapped_run = f"https://urldefense.com/v3/__https://zoom.us/j/123456789?**B=abc__;{runs}!!x$"
    assert unwrap(wrapped_run) == "https://zoom.us/j/123456789?pwd=abc"
    plain = "https://urldefense.com/v3/__https://meet.google.com/abc-defg-hij__;!!x$"
    assert unwrap(plain) == MEET


def test_proofpoint_v3_bad_base64_kept() -> None:
    wrapped = "https://urldefense.com/v3/__https://zoom.us/j/123456789*pwd__;!!x$"
    assert unwrap(wrapped) == wrapped


def test_nested_wrapping() -> None:
    inner = "https://www.google.com/url?" + urllib.parse.urlencode({"q": ZOOM})
    assert unwrap(safelink(safelink(inner))) == ZOOM


def test_redirector_to_a_bad_scheme_is_kept() -> None:
    wrapped = safelink("javascript:alert(1)")
    assert unwrap(wrapped) == wrapped


# ---------------------------------------------------------------- host lookup


def test_host_lookup() -> None:
    assert [s.key for s in services_for_host("us02web.zoom.us")] == ["zoom"]
    assert [s.key for s in services_for_host("meet.google.com")] == ["google_meet"]
    assert [s.key for s in services_for_host("meet.contoso.com")] == ["skype_business"]
    assert services_for_host("zoom.us.evil.com") == []
    assert services_for_host("daily.co") == []
    assert [s.key for s in services_for_host("acme.daily.co")] == ["daily"]


# ---------------------------------------------------------------- detect_links

OUTLOOK_TEAMS_HTML = f"""<html><head><style>p {{margin:0}}</style></head><body>
<div style="width:100%"><span style="font-size:24px">Microsoft Teams meeting</span></div>
<div><b>Join on your computer, mobile app or room device</b></div>
<a href="{html.escape(safelink(TEAMS))}" target="_blank">Click here to join the meeting</a>
<div>Meeting ID: 234 567 890 123<br>Passcode: aB3cD4</div>
<a href="{html.escape(safelink("https://www.microsoft.com/en-us/microsoft-teams/download-app"))}">
Download Teams</a> | <a href="https://www.microsoft.com/microsoft-teams/join-a-meeting">
Join on the web</a>
<a href="https://aka.ms/JoinTeamsMeeting">Learn More</a> |
<a href="https://teams.microsoft.com/meetingOptions/?organizerId=a&amp;tenantId=b">
Meeting options</a></body></html>"""

GOOGLE_HTML = (
    "-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-<br>"
    "Join with Google Meet: <a href=\"https://meet.google.com/abc-defg-hij?hs=224\">"
    "https://meet.google.com/abc-defg-hij</a><br>Or dial: (US) +1 234-567-8901 PIN: "
    "123456789#<br>More phone numbers: https://tel.meet/abc-defg-hij?pin=123456789<br>"
    "Learn more about Meet at: https://support.google.com/a/users/answer/9282720"
)


def test_teams_invitation_html() -> None:
    links = detect_links(meeting(description=OUTLOOK_TEAMS_HTML))
    assert [(lk.service, lk.url) for lk in links] == [("teams", TEAMS)]
    assert links[0].native_url is not None
    assert links[0].native_url.startswith("msteams:/l/meetup-join/")


def test_google_invitation_html_dedupes_and_prefers_conference_field() -> None:
    m = meeting(description=GOOGLE_HTML, conference_url=MEET)
    links = detect_links(m)
    assert [(lk.service, lk.meeting_id, lk.field) for lk in links] == [
        ("google_meet", "abc-defg-hij", "conference_url")
    ]


def test_ranking_and_join_with_alternatives() -> None:
    m = meeting(
        location="Room 4 / https://meet.jit.si/BackupRoom",
        description=f"Zoom: {ZOOM}\nTeams: {TEAMS}\nWebex: https://acme.webex.com/meet/jdoe",
        conference_url=MEET,
    )
    links = detect_links(m)
    assert [lk.service for lk in links] == ["google_meet", "zoom", "teams", "webex", "jitsi"]
    assert [lk.field for lk in links][:2] == ["conference_url", "description"]
    reordered = detect_links(m, priority=("jitsi", "teams"))
    assert [lk.service for lk in reordered] == ["google_meet", "jitsi", "teams", "zoom", "webex"]


def test_duplicate_takes_the_passcode_of_a_later_copy() -> None:
    m = meeting(location="https://zoom.us/j/123456789",
                description="https://zoom.us/j/123456789?pwd=abc")
    links = detect_links(m)
    assert len(links) == 1
    assert (links[0].field, links[0].passcode) == ("location", "abc")


def test_unknown_links_kept_only_from_conference_and_api_fields() -> None:
    cal = meeting(join_url="https://calendar.example.com/event?id=1",
                  description="https://example.com/agenda",
                  conference_url="https://video.example.org/room/1")
    assert [(lk.service, lk.field) for lk in detect_links(cal)] == [("link", "conference_url")]
    api = meeting(provider=Provider.BLUEJEANS, join_url="http://127.0.0.1:8765/123456789")
    assert [(lk.service, lk.field) for lk in detect_links(api)] == [("link", "join_url")]


def test_no_links() -> None:
    assert detect_links(meeting(description="Lunch at noon", location="Cafeteria")) == ()


def test_html_to_text() -> None:
    text = html_to_text("<style>a{}</style><p>Passcode:&nbsp;<b>123456</b></p><p>Next</p>")
    assert "Passcode: 123456" in text
    assert "a{}" not in text
    assert html_to_text("a &amp; b") == "a & b"
    assert html_to_text("") == ""


# ---------------------------------------------------------------- properties

_ALLOWED = ("http://", "https://", *(f"{s}:" for s in native_schemes()))
_PIECES = st.sampled_from([
    ZOOM, TEAMS, MEET, safelink(ZOOM), "https://meet.jit.si/Room", "<a href=\"", "\">", "&amp;",
    "&quot;", " ", "\n", "(", ")", ".", ",", "<br>", "zoommtg://zoom.us/join?confno=123456789",
    "https://urldefense.com/v3/__https://zoom.us/j/1*__;Pw!!x$", "https://", "http://[",
    "msteams:/", "javascript:", "%", "?url=", "https://www.google.com/url?q=",
])
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=20)), max_size=30).map("".join)


def _unwrapped_candidates(text: str) -> set[str]:
    out: set[str] = set()
    decoded = html.unescape(text)
    for token in decoded.replace("<", " ").replace(">", " ").replace('"', " ").split():
        for start in range(len(token)):
            if token[start:].lower().startswith(_ALLOWED):
                out.add(unwrap(token[start:]))
    return out


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_extract_urls_never_raises_and_only_returns_links_from_the_input(text: str) -> None:
    urls = extract_urls(text)
    decoded = html.unescape(text)
    for url in urls:
        assert url.lower().startswith(_ALLOWED)
        assert url in decoded or url in " ".join(_unwrapped_candidates(text)), url


@settings(max_examples=200, deadline=None)
@given(_TEXT, _TEXT, st.one_of(st.none(), _TEXT))
def test_detect_links_never_raises(description: str, location: str, conf: str | None) -> None:
    links = detect_links(meeting(description=description, location=location,
                                 conference_url=conf), priority=("zoom",))
    for link in links:
        assert link.url.lower().startswith(_ALLOWED)
        assert link.field in {"conference_url", "location", "description"}
    assert len({(lk.service, lk.meeting_id or lk.url) for lk in links}) == len(links)


def test_app_link_without_slashes_in_a_description() -> None:
    m = meeting(description="Open in the app: MsTeams:/l/meetup-join/19%3ameeting_Q%40thread.v2/0")
    links = detect_links(m)
    assert [(lk.service, lk.meeting_id) for lk in links] == [("teams", "19:meeting_Q@thread.v2")]
    assert links[0].url.startswith("https://teams.microsoft.com/l/meetup-join/")


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_detect_links_finds_every_meeting_extract_urls_finds(text: str) -> None:
    from launcher.core.linkscan import match_url

    expected = set()
    for url in extract_urls(text):
        link = match_url(url)
        if link is not None:
            expected.add((link.service, link.meeting_id))
    found = {(lk.service, lk.meeting_id) for lk in detect_links(meeting(description=text))}
    assert expected <= found


def test_zoomgov_app_link_goes_to_zoomgov() -> None:
    from launcher.core.linkscan import match_url

    link = match_url("zoommtg://www.zoomgov.com/join?action=join&confno=1612345678")
    assert link is not None
    assert (link.service, link.url) == ("zoomgov", "https://www.zoomgov.com/j/1612345678")


def test_mimecast_links_are_left_as_they_are() -> None:
    url = "https://protect-eu.mimecast.com/s/AbCdEfGhIjKl?domain=zoom.us"
    assert extract_urls(url) == [url]


def test_unknown_priority_keys_are_ignored() -> None:
    m = meeting(description=f"{TEAMS} {ZOOM}")
    assert [lk.service for lk in detect_links(m, priority=("nope", "teams"))] == ["teams", "zoom"]


def test_a_doubled_scheme_does_not_hide_the_link() -> None:
    # Found by Hypothesis: the fast path used to read "https:" as the host of the first
    # "://" and skip past the real link.
    text = ".https://https://us02web.zoom.us/j/84512345678?pwd=QWxhZGRpbjpvcGVu.1"
    assert [(lk.service, lk.meeting_id) for lk in detect_links(meeting(description=text))] == [
        ("zoom", "84512345678")
    ]
    port = "see http://zoom.us:443/j/84512345678 now"
    assert [lk.meeting_id for lk in detect_links(meeting(description=port))] == ["84512345678"]
