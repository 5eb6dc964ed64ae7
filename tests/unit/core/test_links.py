from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from launcher.core.errors import InvalidInput
from launcher.core.links import (
    WebBase,
    check_openable,
    parse_target,
    skype_meeting_uri,
)
from launcher.core.models import Provider


@pytest.mark.parametrize(
    ("text", "provider", "mid", "passcode"),
    [
        ("9036439807", Provider.BLUEJEANS, "9036439807", None),
        ("9036439807.1629", Provider.BLUEJEANS, "9036439807", "1629"),
        ("https://bluejeans.com/9036439807", Provider.BLUEJEANS, "9036439807", None),
        ("https://bluejeans.com/9036439807/1629", Provider.BLUEJEANS, "9036439807", "1629"),
        ("https://bluejeans.com/9036439807.1629", Provider.BLUEJEANS, "9036439807", "1629"),
        ("https://bluejeans.com/494435558?src=calendarLink", Provider.BLUEJEANS, "494435558", None),
        ("https://acme.bluejeans.com/494435558/webrtc", Provider.BLUEJEANS, "494435558", None),
        ("https://join.me/hardwork", Provider.JOINME, "hardwork", None),
        ("https://secure.join.me/123-456-789", Provider.JOINME, "123-456-789", None),
        ("https://whereby.com/my-room", Provider.WHEREBY, "my-room", None),
        ("https://acme.whereby.com/room-prefix-793e9ec1?roomKey=abc", Provider.WHEREBY,
         "room-prefix-793e9ec1", None),
        ("https://meet.contoso.com/bmauldin/IB88RLLY", Provider.SKYPE, "IB88RLLY", None),
    ],
)
def test_public_links(text: str, provider: Provider, mid: str, passcode: str | None) -> None:
    target = parse_target(text)
    assert target is not None
    assert (target.provider, target.meeting_id, target.passcode) == (provider, mid, passcode)


def test_skype_user_and_uri() -> None:
    target = parse_target("https://meet.contoso.com/bmauldin/IB88RLLY")
    assert target is not None and target.user == "bmauldin"
    assert skype_meeting_uri("bmauldin", "contoso.com", "IB88RLLY") == (
        "sip:bmauldin@contoso.com;gruu;opaque=app:conf:focus:id:IB88RLLY"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12345",  # too short for a BlueJeans ID
        "https://bluejeans.com/",
        "https://bluejeans.com/abc",
        "https://notbluejeans.com/9036439807",
        "ftp://bluejeans.com/9036439807",
        "https://user:pw@bluejeans.com/9036439807",
        "https://example.com/9036439807",
        "https://zoom.us/j/123456789",
        "https://meet.google.com/abc-defg-hij",  # two-label host: not a Skype pool
        "javascript:alert(1)",
        "https://bluejeans.com:99999/9036439807",
    ],
)
def test_non_matches(text: str) -> None:
    assert parse_target(text) is None


def test_web_base_of_an_account() -> None:
    bases = [
        WebBase("http://127.0.0.1:8765/bluejeans/web", Provider.BLUEJEANS, "Work BJN"),
        WebBase("http://127.0.0.1:8765/skype/meet", Provider.SKYPE, "Work SfB"),
    ]
    bjn = parse_target("http://127.0.0.1:8765/bluejeans/web/9036439807", bases)
    assert bjn is not None and bjn.account == "Work BJN" and bjn.meeting_id == "9036439807"
    sfb = parse_target("http://127.0.0.1:8765/skype/meet/demo/LOBBY001", bases)
    assert sfb is not None and sfb.provider is Provider.SKYPE and sfb.user == "demo"
    assert parse_target("http://127.0.0.1:9999/bluejeans/web/9036439807", bases) is None
    assert parse_target("http://127.0.0.1:8765/bluejeans/webx/9036439807", bases) is None


@given(st.text(max_size=300))
def test_parse_target_never_raises(text: str) -> None:
    parse_target(text)
    parse_target("https://" + text)
    parse_target("https://bluejeans.com/" + text)


@pytest.mark.parametrize(
    "url", ["https://bluejeans.com/1", "http://localhost:1/x", "zoommtg://zoom.us/join?confno=1",
            "msteams://l/meetup-join/x"],
)
def test_openable(url: str) -> None:
    assert check_openable(url) == url


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "javascript:alert(1)", "https://u:p@x.com/", "https:///nohost",
     "", "data:text/html,hi", "http://x.com:bad/"],
)
def test_not_openable(url: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_openable(url)
    assert info.value.field == "url"


@given(st.text(max_size=200))
def test_check_openable_only_raises_invalid_input(text: str) -> None:
    try:
        check_openable(text)
    except InvalidInput:
        pass
