"""Pure tests of the BlueJeans relay and Meetings REST protocol with documented samples."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from launcher.core.errors import (
    AuthenticationRequired,
    ConfigError,
    InvalidInput,
    NotFound,
    ProtocolViolation,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Rejected,
)
from launcher.core.joinflow import JoinFlowAction, verdict
from launcher.core.models import Credentials, Meeting, Provider, Role
from launcher.providers.bluejeans import protocol
from launcher.providers.http import HttpResponse

DATA = Path(__file__).resolve().parents[2] / "data" / "bluejeans"
RELAY = "https://relay.bluejeans.com/api"
REST = "https://api.bluejeans.com"
WEB = "https://bluejeans.com"


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def resp(
    status: int, body: Any = None, *, raw: bytes | None = None, **headers: str
) -> HttpResponse:
    if raw is None:
        raw = b"" if body is None else json.dumps(body).encode()
    return HttpResponse(
        status=status,
        headers={"content-type": "application/json", **{k.lower(): v for k, v in headers.items()}},
        body=raw,
        url=f"{REST}/x",
    )


# ---- joinflow: request ----------------------------------------------------------------


def test_joinflow_request_without_options_is_the_documented_one():
    req = protocol.build_joinflow(RELAY, "9036439807")
    assert req.method == "GET"
    assert req.url == "https://relay.bluejeans.com/api/meetings/9036439807/joinflow"
    assert dict(req.params) == {}
    assert "X-Access-Token" not in req.headers


def test_joinflow_request_sends_only_given_options_and_token_in_header():
    req = protocol.build_joinflow(
        RELAY + "/",
        " 9036439807 ",
        passcode="1629",
        cluster="PROD",
        meeting_type="PRIMETIME_ATTENDEE",
        access_token="DFG67SD876DFG76SDF5",
    )
    assert req.url == "https://relay.bluejeans.com/api/meetings/9036439807/joinflow"
    assert dict(req.params) == {
        "passcode": "1629",
        "cluster": "PROD",
        "meetingtype": "PRIMETIME_ATTENDEE",
    }
    assert req.headers["X-Access-Token"] == "DFG67SD876DFG76SDF5"
    assert "accesstoken" not in req.params  # the token never goes into the URL
    assert "DFG67SD876DFG76SDF5" not in repr(req)


@pytest.mark.parametrize(
    "meeting_id", ["", "12345", "12345678901234", "90364398a7", "9036-439807", "٩٠٣٦٤٣٩٨٠٧", "1\n"]
)
def test_joinflow_rejects_bad_meeting_ids(meeting_id: str):
    with pytest.raises(InvalidInput) as info:
        protocol.build_joinflow(RELAY, meeting_id)
    assert info.value.field == "meeting_id"


@pytest.mark.parametrize("meeting_id", ["123456", "1234567890123", "9036439807"])
def test_joinflow_accepts_6_to_13_digits(meeting_id: str):
    assert protocol.build_joinflow(RELAY, meeting_id).url.endswith(f"/{meeting_id}/joinflow")


@pytest.mark.parametrize("passcode", ["", "   ", "a" * 33, "16 29", "16-29", "pass!"])
def test_joinflow_rejects_bad_passcodes_without_echoing_them(passcode: str):
    with pytest.raises(InvalidInput) as info:
        protocol.build_joinflow(RELAY, "9036439807", passcode=passcode)
    assert info.value.field == "passcode"
    if passcode.strip():
        assert passcode.strip() not in str(info.value)


def test_joinflow_accepts_32_letters_and_digits():
    req = protocol.build_joinflow(RELAY, "9036439807", passcode="Ab1" * 10 + "xy")
    assert req.params["passcode"] == "Ab1" * 10 + "xy"


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("cluster", {"cluster": "prod"}),
        ("cluster", {"cluster": ""}),
        ("cluster", {"cluster": "A" * 41}),
        ("meeting_type", {"meeting_type": "MEET ME"}),
        ("meeting_type", {"meeting_type": "MEETME&x=1"}),
    ],
)
def test_joinflow_rejects_bad_identifiers(field: str, kwargs: dict[str, str]):
    with pytest.raises(InvalidInput) as info:
        protocol.build_joinflow(RELAY, "9036439807", **kwargs)
    assert info.value.field == field


# ---- joinflow: answers -----------------------------------------------------------------


def test_documented_joinflow_examples():
    assert protocol.parse_joinflow(resp(200, raw=sample("joinflow_9036439807.json"))) is (
        JoinFlowAction.GET_PASSCODE
    )
    assert (
        protocol.parse_joinflow(resp(200, raw=sample("joinflow_9036439807_passcode_1629.json")))
        is JoinFlowAction.JOIN_NOW
    )


@pytest.mark.parametrize("action", list(JoinFlowAction))
def test_every_joinflow_action_is_recognised(action: JoinFlowAction):
    result = protocol.parse_joinflow(resp(200, action.value))
    assert result is action
    assert verdict(result).known


@pytest.mark.parametrize("value", ["GET_FACE_SCAN", "", "join_now", "x" * 5000])
def test_unknown_joinflow_answer_comes_back_unchanged(value: str):
    result = protocol.parse_joinflow(resp(200, value))
    assert result == value
    assert not isinstance(result, JoinFlowAction)
    assert not verdict(result).known


@pytest.mark.parametrize("body", [None, 1, ["JOIN_NOW"], {"action": "JOIN_NOW"}, True])
def test_non_string_joinflow_answer_is_a_protocol_violation(body: Any):
    with pytest.raises(ProtocolViolation):
        protocol.parse_joinflow(resp(200, raw=json.dumps(body).encode()))


def test_bare_text_joinflow_answer_is_a_protocol_violation():
    with pytest.raises(ProtocolViolation):
        protocol.parse_joinflow(resp(200, raw=b"JOIN_NOW"))


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, AuthenticationRequired),
        (403, AuthenticationRequired),
        (404, NotFound),
        (429, RateLimited),
        (500, ProviderUnavailable),
        (503, ProviderUnavailable),
        (400, Rejected),
        (302, ProtocolViolation),
    ],
)
def test_joinflow_errors(status: int, error: type[Exception]):
    with pytest.raises(error) as info:
        protocol.parse_joinflow(resp(status, {"message": "nope"}))
    assert isinstance(info.value, ProviderError)
    assert info.value.provider == "bluejeans"


def test_rate_limit_carries_retry_after():
    with pytest.raises(RateLimited) as info:
        protocol.parse_joinflow(resp(429, {"message": "slow down"}, **{"Retry-After": "2"}))
    assert info.value.retry_after == 2.0


# ---- relay access token ----------------------------------------------------------------


def test_relay_token_request_uses_basic_auth():
    req = protocol.build_relay_token(RELAY, "joe.user", "my_pwrd")
    assert (req.method, req.url) == ("POST", f"{RELAY}/auth/accesstokens")
    scheme, _, value = req.headers["Authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(value) == b"joe.user:my_pwrd"
    assert "my_pwrd" not in repr(req)


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [("", "pw", "username"), ("a:b", "pw", "username"), ("joe", "", "password")],
)
def test_relay_token_request_validates(username: str, password: str, field: str):
    with pytest.raises(InvalidInput) as info:
        protocol.build_relay_token(RELAY, username, password)
    assert info.value.field == field


def test_documented_relay_token_answer():
    assert protocol.parse_relay_token(resp(200, raw=sample("relay_accesstoken.json"))) == (
        "DFG67SD876DFG76SDF5"
    )


@pytest.mark.parametrize("status", [400, 401, 403])
def test_relay_token_refused(status: int):
    with pytest.raises(AuthenticationRequired):
        protocol.parse_relay_token(resp(status, {"message": "bad credentials"}))


@pytest.mark.parametrize("body", [{}, {"accessToken": ""}, {"accessToken": 5}, []])
def test_relay_token_answer_without_token(body: Any):
    with pytest.raises(ProtocolViolation):
        protocol.parse_relay_token(resp(200, body))


# ---- OAuth -----------------------------------------------------------------------------


def test_password_grant_request():
    creds = Credentials(username="joe.user", password="my_pwrd")
    req = protocol.build_token(REST, creds, username="joe.user")
    assert (req.method, req.url) == ("POST", f"{REST}/oauth2/token")
    assert req.json == {"grant_type": "password", "username": "joe.user", "password": "my_pwrd"}
    assert req.form is None  # a JSON body, as the swagger says


def test_client_credentials_grant_request():
    creds = Credentials(client_id="a_client_app", client_secret="62a01e8ddc38f04008")
    req = protocol.build_token(REST, creds, username="joe@example.com")
    assert req.json == {
        "grant_type": "client_credentials",
        "client_id": "a_client_app",
        "client_secret": "62a01e8ddc38f04008",
    }


def test_no_rest_credentials_is_a_config_error():
    assert protocol.grant_kind(Credentials(token="relay"), "joe") is None
    with pytest.raises(ConfigError):
        protocol.build_token(REST, Credentials(token="relay"), username="joe")


def test_documented_password_grant_answer():
    grant = protocol.parse_token(resp(200, raw=sample("oauth_password.json")))
    assert grant.access_token == "c2d18e8adbe7461c837ae187287a1261"
    assert grant.expires_in == 1209600
    assert grant.user_id == "1442589"
    assert grant.enterprise_id is None
    assert "c2d18e8a" not in repr(grant)


def test_client_grant_answer_names_the_enterprise():
    grant = protocol.parse_token(resp(200, raw=sample("oauth_client.json")))
    assert (grant.user_id, grant.enterprise_id) == (None, "6")


def test_token_expiry_adds_the_lifetime_and_subtracts_the_skew():
    grant = protocol.Grant("t", 1209600.0, "1")
    assert protocol.token_expiry(1000.0, grant) == 1000.0 + 1209600.0 - 60.0
    assert protocol.token_expiry(1000.0, grant) > 1000.0  # the umich sign bug would fail this


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, protocol.DEFAULT_TOKEN_LIFETIME), (0, 0.0), (-5, 0.0), ("3600", 3600.0), (1e400, None)],
)
def test_token_lifetime_is_sanitised(value: Any, expected: float | None):
    body = {"access_token": "t", "expires_in": value}
    raw = (
        json.dumps(body).encode() if value != 1e400 else b'{"access_token":"t","expires_in":1e400}'
    )
    grant = protocol.parse_token(resp(200, raw=raw))
    if expected is None:
        assert grant.expires_in == 10 * 365 * 24 * 3600.0
    else:
        assert grant.expires_in == expected


@pytest.mark.parametrize("status", [400, 401, 403])
def test_token_refused(status: int):
    with pytest.raises(AuthenticationRequired):
        protocol.parse_token(resp(status, {"message": "invalid credentials"}))


@pytest.mark.parametrize(
    "body", [[], {"access_token": ""}, {"expires_in": 5}, {"access_token": "t", "expires_in": True}]
)
def test_bad_token_answers(body: Any):
    with pytest.raises(ProtocolViolation):
        protocol.parse_token(resp(200, body))


def test_enterprise_user_lookup():
    req = protocol.build_enterprise_user(REST, "tok", "6", "joe@example.com")
    assert req.url == f"{REST}/v1/enterprise/6/users"
    assert dict(req.params) == {"emailId": "joe@example.com"}
    assert req.headers["Authorization"] == "Bearer tok"
    assert protocol.parse_enterprise_user(resp(200, raw=sample("enterprise_users.json"))) == (
        "1442589"
    )


def test_enterprise_user_lookup_without_match():
    with pytest.raises(NotFound):
        protocol.parse_enterprise_user(resp(200, {"count": 0, "users": []}))
    with pytest.raises(ProtocolViolation):
        protocol.parse_enterprise_user(resp(200, {"count": 1, "users": [{"uri": "/v1/user/x"}]}))


# ---- meetings --------------------------------------------------------------------------


def parse_sample(user_id: str | None = "1442589") -> list[Meeting]:
    return protocol.parse_meetings(
        resp(200, raw=sample("scheduled_meetings.json")),
        account="work",
        user_id=user_id,
        web_url=WEB,
    )


def test_list_request():
    req = protocol.build_list_meetings(REST, "tok", "1442589")
    assert (req.method, req.url) == ("GET", f"{REST}/v1/user/1442589/scheduled_meeting")
    assert req.headers["Authorization"] == "Bearer tok"


def test_get_request_uses_the_internal_id():
    req = protocol.build_get_meeting(REST, "tok", "1442589", "9")
    assert req.url == f"{REST}/v1/user/1442589/scheduled_meeting/9"
    with pytest.raises(InvalidInput):
        protocol.build_get_meeting(REST, "tok", "1442589", "../9")


def test_id_and_numeric_meeting_id_are_not_mixed_up():
    first, _ = parse_sample()
    assert first.id == "9"  # internal id: used in API paths
    assert first.number == "9036439807"  # what people dial and type
    assert first.join_url == "https://bluejeans.com/9036439807"
    assert "/9" not in first.join_url.removeprefix("https://bluejeans.com/9036439807")


def test_documented_meeting_maps_every_field():
    first, _ = parse_sample()
    assert first.provider is Provider.BLUEJEANS
    assert first.account == "work"
    assert first.title == "My Test Meeting"
    assert first.start == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)
    assert first.end == first.start + dt.timedelta(minutes=30)
    assert first.passcode == "1629"
    assert "1629" not in repr(first)
    assert first.participants == ("a@example.com", "b@example.com")
    assert first.organizer == "Joe User"
    assert first.role is Role.PRESENTER
    assert first.description == "Weekly planning.\nBring numbers."


def test_timeless_meeting_of_someone_else():
    _, second = parse_sample()
    assert (second.start, second.end) == (None, None)
    assert second.timeless
    assert second.number == "494435558"
    assert second.passcode is None
    assert second.organizer == "ann.other"
    assert second.role is Role.VIEWER


def test_role_is_viewer_when_the_user_is_unknown():
    first, _ = parse_sample(user_id=None)
    assert first.role is Role.VIEWER


def test_numbers_as_json_numbers_are_accepted():
    item = {"id": 1, "numericMeetingId": 9036439807, "attendeePasscode": 1629, "start": 0, "end": 1}
    meeting = protocol.meeting_from_json(item, account="a", user_id=None, web_url=WEB)
    assert (meeting.number, meeting.passcode) == ("9036439807", "1629")
    assert meeting.title == "BlueJeans meeting 9036439807"


@pytest.mark.parametrize(
    "item",
    [
        {"numericMeetingId": "1", "start": 0, "end": 0},
        {"id": True, "numericMeetingId": "1", "start": 0, "end": 0},
        {"id": 1, "numericMeetingId": "../../evil", "start": 0, "end": 0},
        {"id": 1, "numericMeetingId": "1", "start": "tomorrow", "end": 0},
        {"id": 1, "numericMeetingId": "1", "start": 0},
        {"id": 1, "numericMeetingId": "1", "start": 10**30, "end": 0},
    ],
)
def test_malformed_meetings_are_protocol_violations(item: dict[str, Any]):
    with pytest.raises(ProtocolViolation):
        protocol.meeting_from_json(item, account="a", user_id=None, web_url=WEB)


def test_meeting_list_must_be_a_bare_array():
    with pytest.raises(ProtocolViolation):
        protocol.parse_meetings(resp(200, {"meetings": []}), account="a", user_id=None, web_url=WEB)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, AuthenticationRequired),
        (404, NotFound),
        (429, RateLimited),
        (502, ProviderUnavailable),
        (400, Rejected),
    ],
)
def test_rest_error_rows(status: int, error: type[Exception]):
    body = json.loads(sample("error.json"))
    with pytest.raises(error) as info:
        protocol.parse_meeting(resp(status, body), account="a", user_id=None, web_url=WEB)
    assert info.value.status == status  # type: ignore[attr-defined]


def test_rejected_includes_the_server_message():
    with pytest.raises(Rejected) as info:
        protocol.parse_meetings(
            resp(400, {"message": "bad\nrequest"}), account="a", user_id=None, web_url=WEB
        )
    assert "bad request" in str(info.value)


def test_html_error_page_is_still_typed():
    with pytest.raises(ProviderUnavailable):
        protocol.parse_meetings(
            resp(503, raw=b"<html>down</html>"), account="a", user_id=None, web_url=WEB
        )
    with pytest.raises(ProtocolViolation):
        protocol.parse_meetings(
            resp(200, raw=b"<html>ok?</html>"), account="a", user_id=None, web_url=WEB
        )


# ---- window --------------------------------------------------------------------------

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def meeting_at(start: dt.datetime | None, end: dt.datetime | None) -> Meeting:
    return Meeting("1", "a", Provider.BLUEJEANS, "m", start, end)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (T0, T0 + H, True),  # inside
        (T0 - H, T0 + H / 2, True),  # overlaps the start
        (T0 - 2 * H, T0, False),  # ends exactly when the window starts
        (T0 + 2 * H, T0 + 3 * H, False),  # starts exactly when the window ends
        (T0 + H, T0 + H, True),  # zero-length inside
        (T0 - H, T0 - H, False),  # zero-length before
        (None, None, True),  # timeless
    ],
)
def test_in_window_is_half_open(start, end, expected):
    assert protocol.in_window(meeting_at(start, end), T0, T0 + 2 * H) is expected


def test_in_window_without_bounds_keeps_everything():
    assert protocol.in_window(meeting_at(T0, T0 + H), None, None)


# ---- properties ------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
meeting_like = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values | st.integers(),
        "numericMeetingId": json_values | st.from_regex(r"[0-9]{1,12}", fullmatch=True),
        "start": json_values | st.integers(),
        "end": json_values | st.integers(),
        "timelessMeeting": st.booleans(),
        "title": json_values,
        "attendeePasscode": json_values,
        "moderator": json_values
        | st.fixed_dictionaries({}, optional={"id": json_values, "firstname": json_values}),
        "attendees": json_values,
        "description": json_values,
    },
)
statuses = st.sampled_from([200, 201, 204, 301, 400, 401, 403, 404, 409, 429, 500, 503])


def _body(value: Any) -> bytes:
    try:
        return json.dumps(value).encode()
    except (ValueError, TypeError):
        return b"null"


@given(status=statuses, body=json_values | st.lists(meeting_like, max_size=3) | meeting_like)
def test_parsers_raise_only_provider_errors(status: int, body: Any):
    response = resp(status, raw=_body(body))
    parsers = [
        protocol.parse_joinflow,
        protocol.parse_relay_token,
        protocol.parse_token,
        protocol.parse_enterprise_user,
        lambda r: protocol.parse_meetings(r, account="a", user_id="1", web_url=WEB),
        lambda r: protocol.parse_meeting(r, account="a", user_id="1", web_url=WEB),
    ]
    for parse in parsers:
        try:
            parse(response)
        except ProviderError:
            pass


@given(raw=st.binary(max_size=200), status=statuses)
def test_parsers_survive_arbitrary_bytes(raw: bytes, status: int):
    for parse in (protocol.parse_joinflow, protocol.parse_token, protocol.parse_relay_token):
        try:
            parse(resp(status, raw=raw))
        except ProviderError:
            pass


@given(value=st.text(max_size=40))
def test_joinflow_answer_strings_never_raise(value: str):
    result = protocol.parse_joinflow(resp(200, value))
    assert result == value
