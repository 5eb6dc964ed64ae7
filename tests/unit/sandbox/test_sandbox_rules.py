"""Pure decisions of the sandbox: joinflow answers, Whereby names and cursors, UCWA URIs."""

from __future__ import annotations

import pytest

from launcher.sandbox.bluejeans import joinflow_answer
from launcher.sandbox.faults import format_seconds, provider_for_path
from launcher.sandbox.joinme import webhooks_status
from launcher.sandbox.skype import meeting_id_from_uri
from launcher.sandbox.state import BlueJeansMeeting, BlueJeansUser
from launcher.sandbox.whereby import (
    _Invalid,
    decode_cursor,
    encode_cursor,
    normalise_prefix,
    parse_fields,
)


def meeting(**rules: object) -> BlueJeansMeeting:
    return BlueJeansMeeting(
        id=1, uuid="u", owner_id=1, numeric_id="111222333", title="t", start_ms=0, end_ms=1,
        **rules,  # type: ignore[arg-type]
    )  # fmt: skip


def user(email: str = "a@x.test", enterprise: int | None = 6) -> BlueJeansUser:
    return BlueJeansUser(
        id=1, username=email, email=email, first_name="A", last_name="B", password="p",
        enterprise_id=enterprise, enterprise_name=None, personal_meeting_id="1",
    )  # fmt: skip


OPEN = {"advanced": {"moderatorLess": True}}


@pytest.mark.parametrize(
    ("rules", "passcode", "who", "expected"),
    [
        ({}, "", None, "GET_OTHER_PASSCODE"),  # no moderator yet, no passcode given
        (OPEN, "", None, "JOIN_NOW"),
        (OPEN, "123", None, "JOIN_NOW"),  # a passcode for a passcodeless meeting is ignored
        ({**OPEN, "attendee_passcode": "1629"}, "", None, "GET_PASSCODE"),
        ({**OPEN, "attendee_passcode": "1629"}, "1", None, "GET_GOOD_PASSCODE"),
        ({**OPEN, "attendee_passcode": "1629"}, "1629", None, "JOIN_NOW"),
        ({"attendee_passcode": "1", "moderator_passcode": "2"}, "1", None, "GET_OTHER_PASSCODE"),
        ({"attendee_passcode": "1", "moderator_passcode": "2"}, "2", None, "JOIN_NOW"),
        ({**OPEN, "waiting_room": True, "moderator_passcode": "9"}, "", None,
         "WAITING_ROOM_ENABLED"),
        ({**OPEN, "waiting_room": True, "moderator_passcode": "9"}, "9", None, "JOIN_NOW"),
        ({"forced_answer": "GET_FACE_SCAN"}, "", None, "GET_FACE_SCAN"),
        ({"secure": "invitee", "invitees": ("a@x.test",), "one_time_passcode": "42"}, "", None,
         "LOGIN_REQUIRED_FOR_INVITEE_ONLY_SECURE_MEETING"),
        ({"secure": "invitee", "invitees": ("A@X.test",)}, "", user(), "JOIN_NOW"),
        ({"secure": "invitee", "invitees": ("b@x.test",)}, "", user(),
         "USER_NOT_IN_LIST_FOR_INVITEE_ONLY_SECURE_MEETING"),
        ({"secure": "invitee", "one_time_passcode": "42"}, "42", None, "JOIN_NOW"),
        ({"secure": "invitee", "one_time_passcode": "42"}, "41", user(enterprise=None),
         "INVALID_PASSCODE_FOR_INVITEE_ONLY_SECURE_MEETING"),
        ({"secure": "enterprise", "secure_enterprise_id": 6}, "", user(), "JOIN_NOW"),
        ({"secure": "enterprise", "secure_enterprise_id": 7}, "", user(),
         "USER_NOT_IN_LIST_FOR_ENTERPRISE_ONLY_SECURE_MEETING"),
        ({"secure": "enterprise", "secure_enterprise_id": 7}, "", None,
         "LOGIN_REQUIRED_FOR_ENTERPRISE_ONLY_SECURE_MEETING"),
        ({"secure": "enterprise", "secure_enterprise_id": 7, "one_time_passcode": "5"}, "6", None,
         "INVALID_PASSCODE_FOR_ENTERPRISE_ONLY_SECURE_MEETING"),
    ],
)  # fmt: skip
def test_joinflow_answer(
    rules: dict[str, object], passcode: str, who: BlueJeansUser | None, expected: str
) -> None:
    assert joinflow_answer(meeting(**rules), passcode, who) == expected


def test_joinflow_unknown_meeting() -> None:
    assert joinflow_answer(None, "1629", None) == "GET_PASSCODE"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Customer0348-", "customer0348-"), (" Team Sync ", "teamsync"), ("", ""),
     ("a" * 39, "a" * 39), ("Tab\tHere", "tabhere")],
)  # fmt: skip
def test_room_name_prefix(raw: str, expected: str) -> None:
    assert normalise_prefix(raw) == expected


@pytest.mark.parametrize("raw", ["bad_prefix!", "a" * 40, "ünïcode", "dots.here", 5])
def test_room_name_prefix_rejected(raw: object) -> None:
    with pytest.raises(_Invalid):
        normalise_prefix(raw)


def test_cursor_round_trip() -> None:
    cursor = encode_cursor(42)
    assert cursor.isalnum()
    assert decode_cursor(cursor) == 42
    for bad in ("zz", "00", "616263", ""):
        with pytest.raises(_Invalid):
            decode_cursor(bad)


def test_fields_parsing() -> None:
    assert parse_fields(["hostRoomUrl,viewerRoomUrl"]) == {"hostRoomUrl", "viewerRoomUrl"}
    assert parse_fields(["hostRoomUrl", "viewerRoomUrl", ""]) == {"hostRoomUrl", "viewerRoomUrl"}
    with pytest.raises(_Invalid):
        parse_fields(["roomKey"])


def test_webhooks_status() -> None:
    status = webhooks_status(
        {
            "meeting.start": {"callbackUrl": "https://example.com/x", "customCallbackData": 1},
            "meeting.end": {"callbackUrl": "example.com/x"},
            "meeting.paused": {"callbackUrl": "https://example.com/y"},
        }
    )
    assert status["meeting.start"] == {"success": True}
    assert status["meeting.end"]["success"] is False
    assert status["meeting.paused"]["success"] is False
    assert "Unknown" in status["meeting.paused"]["message"]


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("sip:demo@contoso.test;gruu;opaque=app:conf:focus:id:SUCCESS1", "SUCCESS1"),
        ("conf:sip:demo@contoso.test;gruu;opaque=app:conf:focus:id:LOBBY001?conversation-id=x",
         "LOBBY001"),
        ("sip:demo@contoso.test", None),
        ("", None),
    ],
)  # fmt: skip
def test_meeting_id_from_uri(uri: str, expected: str | None) -> None:
    assert meeting_id_from_uri(uri) == expected


def test_helpers() -> None:
    assert format_seconds(3) == "3"
    assert format_seconds(3.0) == "3"
    assert format_seconds(0.25) == "0.25"
    assert provider_for_path("/bluejeans/relay/api/meetings/1/joinflow") == "bluejeans"
    assert provider_for_path("/bluejeans/rest/oauth2/token") == "bluejeans"
    assert provider_for_path("/skype/ucwa/oauth/v1/applications") == "skype"
    assert provider_for_path("/skype/meet/demo/SUCCESS1") is None
    assert provider_for_path("/joinme/web/sandboxdemo") is None
    assert provider_for_path("/_sandbox/stats") is None
