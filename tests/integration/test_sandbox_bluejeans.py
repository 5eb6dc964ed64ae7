"""The sandbox's BlueJeans relay and REST APIs over real loopback HTTP (plain httpx)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from launcher.sandbox.server import RunningSandbox, start_in_thread
from tests.conftest import require_reference

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"
DEMO_USER = 1442589
PASSWORD_GRANT = {
    "grant_type": "password",
    "username": "demo@bluejeans.test",
    "password": "demo-bluejeans-password",
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_in_thread() as running:
        running.state.bluejeans.relay_rate_limit = False
        yield running


@pytest.fixture(autouse=True)
def _clean(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.state.clear_faults()
    yield
    sandbox.state.clear_faults()
    sandbox.state.set_clock(None)
    sandbox.state.bluejeans.relay_rate_limit = False
    sandbox.state.bluejeans.token_ttl_seconds = 1_209_600


@pytest.fixture(scope="module")
def relay(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.provider_urls()["bluejeans_relay"], timeout=5) as client:
        yield client


@pytest.fixture(scope="module")
def rest(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.provider_urls()["bluejeans"], timeout=5) as client:
        yield client


@pytest.fixture
def token(rest: httpx.Client) -> str:
    response = rest.post("/oauth2/token", json=PASSWORD_GRANT)
    assert response.status_code == 200
    value = response.json()["access_token"]
    assert isinstance(value, str)
    return value


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ---------------------------------------------------------------------------- relay joinflow

DEMO = {"X-Access-Token": "demo-relay-token"}
OUTSIDER = {"X-Access-Token": "outsider-relay-token"}

JOINFLOW_CASES = [
    ("494435558", {}, {}, "JOIN_NOW"),
    ("9036439807", {}, {}, "GET_PASSCODE"),
    ("9036439807", {"passcode": "1629"}, {}, "JOIN_NOW"),
    ("9036439807", {"passcode": "1111"}, {}, "GET_GOOD_PASSCODE"),
    ("4159908751", {"passcode": "0000"}, {}, "GET_GOOD_PASSCODE"),
    ("4159908751", {"passcode": "2404"}, {}, "JOIN_NOW"),
    ("4085551212", {"passcode": "3691"}, {}, "GET_OTHER_PASSCODE"),
    ("4085551212", {"passcode": "7788"}, {}, "JOIN_NOW"),
    ("4085551212", {}, {}, "GET_PASSCODE"),
    ("5550100199", {}, {}, "GET_OTHER_PASSCODE"),
    ("5550100199", {"passcode": "8642"}, {}, "JOIN_NOW"),
    ("184405040", {}, {}, "LOGIN_REQUIRED_FOR_INVITEE_ONLY_SECURE_MEETING"),
    ("184405040", {}, DEMO, "JOIN_NOW"),
    ("184405040", {}, OUTSIDER, "USER_NOT_IN_LIST_FOR_INVITEE_ONLY_SECURE_MEETING"),
    ("184405040", {"passcode": "482913"}, {}, "JOIN_NOW"),
    ("184405040", {"passcode": "999999"}, {}, "INVALID_PASSCODE_FOR_INVITEE_ONLY_SECURE_MEETING"),
    ("7301146021", {}, {}, "LOGIN_REQUIRED_FOR_ENTERPRISE_ONLY_SECURE_MEETING"),
    ("7301146021", {}, DEMO, "JOIN_NOW"),
    ("7301146021", {}, OUTSIDER, "USER_NOT_IN_LIST_FOR_ENTERPRISE_ONLY_SECURE_MEETING"),
    ("7301146021", {"passcode": "551234"}, {}, "JOIN_NOW"),
    ("2600155001", {}, DEMO, "USER_NOT_IN_LIST_FOR_INVITEE_ONLY_SECURE_MEETING"),
    ("2600155002", {}, DEMO, "USER_NOT_IN_LIST_FOR_ENTERPRISE_ONLY_SECURE_MEETING"),
    ("2600155003", {"passcode": "000000"}, {}, "INVALID_PASSCODE_FOR_INVITEE_ONLY_SECURE_MEETING"),
    ("2600155003", {"passcode": "314159"}, {}, "JOIN_NOW"),
    (
        "2600155004",
        {"passcode": "000000"},
        {},
        "INVALID_PASSCODE_FOR_ENTERPRISE_ONLY_SECURE_MEETING",
    ),
    ("6175550123", {}, {}, "WAITING_ROOM_ENABLED"),
    ("6175550123", {"passcode": "5150"}, {}, "JOIN_NOW"),
    ("8005550100", {}, {}, "GET_FACE_SCAN"),
    ("1234567890", {}, {}, "GET_PASSCODE"),
]


@pytest.mark.parametrize(("meeting_id", "params", "headers", "expected"), JOINFLOW_CASES)
def test_joinflow_answers(
    relay: httpx.Client,
    meeting_id: str,
    params: dict[str, str],
    headers: dict[str, str],
    expected: str,
) -> None:
    response = relay.get(f"/meetings/{meeting_id}/joinflow", params=params, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.text == f'"{expected}"'  # a JSON-encoded string
    assert response.json() == expected


def test_every_joinflow_action_has_a_demo_meeting() -> None:
    actions = {
        "JOIN_NOW", "GET_PASSCODE", "GET_GOOD_PASSCODE", "GET_OTHER_PASSCODE",
        "LOGIN_REQUIRED_FOR_INVITEE_ONLY_SECURE_MEETING",
        "LOGIN_REQUIRED_FOR_ENTERPRISE_ONLY_SECURE_MEETING",
        "USER_NOT_IN_LIST_FOR_INVITEE_ONLY_SECURE_MEETING",
        "USER_NOT_IN_LIST_FOR_ENTERPRISE_ONLY_SECURE_MEETING",
        "INVALID_PASSCODE_FOR_INVITEE_ONLY_SECURE_MEETING",
        "INVALID_PASSCODE_FOR_ENTERPRISE_ONLY_SECURE_MEETING",
        "WAITING_ROOM_ENABLED",
    }  # fmt: skip
    assert actions <= {case[3] for case in JOINFLOW_CASES}


def test_joinflow_accepts_every_auth_form(relay: httpx.Client) -> None:
    path = "/meetings/184405040/joinflow"
    assert relay.get(path, params={"accesstoken": "demo-relay-token"}).json() == "JOIN_NOW"
    assert relay.get(path, headers=DEMO).json() == "JOIN_NOW"
    basic = relay.get(path, auth=("demo@bluejeans.test", "demo-bluejeans-password"))
    assert basic.json() == "JOIN_NOW"
    outsider = relay.get(path, auth=("outsider@elsewhere.test", "outsider-password"))
    assert outsider.json() == "USER_NOT_IN_LIST_FOR_INVITEE_ONLY_SECURE_MEETING"
    assert relay.get(path, params={"cluster": "PROD", "meetingtype": "MEETME"}).status_code == 200


def test_joinflow_errors(relay: httpx.Client) -> None:
    bad_id = relay.get("/meetings/abc123/joinflow")
    assert bad_id.status_code == 400
    assert "message" in bad_id.json()
    bad_token = relay.get("/meetings/9036439807/joinflow", headers={"X-Access-Token": "nope"})
    assert bad_token.status_code == 401
    assert "message" in bad_token.json()
    bad_basic = relay.get("/meetings/9036439807/joinflow", auth=("demo@bluejeans.test", "x"))
    assert bad_basic.status_code == 401
    bad_enum = relay.get("/meetings/9036439807/joinflow", params={"meetingtype": "bad type"})
    assert bad_enum.status_code == 400


def test_relay_access_token(relay: httpx.Client) -> None:
    response = relay.post(
        "/auth/accesstokens", auth=("demo@bluejeans.test", "demo-bluejeans-password")
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "enterpriseName", "accessToken", "creationDate", "expirationDate", "roles", "clientName"
    }  # fmt: skip
    assert body["expirationDate"] - body["creationDate"] == 14 * 24 * 3600 * 1000
    assert body["clientName"] is None
    assert "ROLE_READWRITE" in body["roles"]
    answer = relay.get("/meetings/184405040/joinflow", params={"accesstoken": body["accessToken"]})
    assert answer.json() == "JOIN_NOW"
    assert relay.post("/auth/accesstokens").status_code == 401
    wrong = relay.post("/auth/accesstokens", auth=("demo@bluejeans.test", "wrong"))
    assert wrong.status_code == 401
    assert "message" in wrong.json()


def test_relay_enforces_two_requests_per_second(
    sandbox: RunningSandbox, relay: httpx.Client
) -> None:
    sandbox.state.bluejeans.relay_rate_limit = True
    statuses = [relay.get("/meetings/494435558/joinflow").status_code for _ in range(3)]
    assert statuses[:2] == [200, 200]
    assert statuses[2] == 429
    limited = relay.get("/meetings/494435558/joinflow")
    assert limited.status_code == 429
    assert float(limited.headers["Retry-After"]) > 0
    sandbox.state.bluejeans.relay_rate_limit = False
    assert relay.get("/meetings/494435558/joinflow").status_code == 200


# ---------------------------------------------------------------------------- REST OAuth


def test_password_grant(rest: httpx.Client) -> None:
    response = rest.post("/oauth2/token", json=PASSWORD_GRANT)
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 1_209_600
    assert body["scope"]["user"] == DEMO_USER
    assert body["scope"]["partition"] == {"id": 2, "name": "z2"}
    form = rest.post("/oauth2/token", data=PASSWORD_GRANT)  # form-encoded works too
    assert form.status_code == 200
    assert form.json()["access_token"] != body["access_token"]


def test_client_credentials_grant(rest: httpx.Client) -> None:
    grant = {
        "grant_type": "client_credentials",
        "client_id": "demo-client",
        "client_secret": "demo-client-secret",
    }
    body = rest.post("/oauth2/token", json=grant).json()
    assert body["scope"]["enterprise"] == 6
    users = rest.get(
        "/v1/enterprise/6/users",
        params={"emailId": "demo@bluejeans.test"},
        headers=auth(body["access_token"]),
    )
    assert users.status_code == 200
    found = users.json()
    assert found["count"] == 1
    assert found["users"][0]["id"] == DEMO_USER
    assert found["user"] == found["users"]
    user = rest.get(f"/v1/user/{DEMO_USER}", headers=auth(body["access_token"]))
    assert user.status_code == 200
    assert user.json()["emailId"] == "demo@bluejeans.test"
    wrong = rest.post("/oauth2/token", json={**grant, "client_secret": "nope"})
    assert wrong.status_code == 401
    assert "message" in wrong.json()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({**PASSWORD_GRANT, "password": "wrong"}, 401),
        ({**PASSWORD_GRANT, "username": "nobody@bluejeans.test"}, 401),
        ({"grant_type": "password"}, 400),
        ({"grant_type": "magic"}, 400),
        ({}, 400),
    ],
)
def test_token_errors(rest: httpx.Client, body: dict[str, str], status: int) -> None:
    response = rest.post("/oauth2/token", json=body)
    assert response.status_code == status
    assert isinstance(response.json()["message"], str)


def test_token_info_and_revoke(rest: httpx.Client, token: str) -> None:
    assert rest.get("/oauth2/tokenInfo", params={"access_token": token}).json() == {
        "user": DEMO_USER
    }
    assert rest.get("/oauth2/tokenInfo", params={"access_token": "nope"}).status_code == 401
    assert rest.delete("/oauth2/token", params={"access_token": token}).status_code == 204
    assert rest.delete("/oauth2/token", params={"access_token": token}).status_code == 400
    assert rest.get(f"/v1/user/{DEMO_USER}", headers=auth(token)).status_code == 401


def test_token_expires(sandbox: RunningSandbox, rest: httpx.Client, token: str) -> None:
    path = f"/v1/user/{DEMO_USER}/scheduled_meeting"
    assert rest.get(path, headers=auth(token)).status_code == 200
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1_209_601)
    sandbox.state.set_clock(lambda: later)
    expired = rest.get(path, headers=auth(token))
    assert expired.status_code == 401
    assert "message" in expired.json()


def test_short_token_lifetime_knob(sandbox: RunningSandbox, rest: httpx.Client) -> None:
    sandbox.state.bluejeans.token_ttl_seconds = 60
    body = rest.post("/oauth2/token", json=PASSWORD_GRANT).json()
    assert body["expires_in"] == 60
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=61)
    sandbox.state.set_clock(lambda: later)
    assert rest.get(f"/v1/user/{DEMO_USER}", headers=auth(body["access_token"])).status_code == 401


# ---------------------------------------------------------------------------- REST users, meetings


def test_user_access(rest: httpx.Client, token: str) -> None:
    assert rest.get(f"/v1/user/{DEMO_USER}").status_code == 401
    assert rest.get(f"/v1/user/{DEMO_USER}", headers=auth(token)).json()["id"] == DEMO_USER
    assert rest.get("/v1/user/2000001", headers=auth(token)).status_code == 403
    assert rest.get("/v1/enterprise/6/users", headers=auth(token)).status_code == 403


def _swagger_meeting_fields() -> set[str]:
    path = require_reference(REFERENCE / "bluejeans-meetings-swagger.yaml")
    text = path.read_text(encoding="utf-8")
    block = text.split("\n  Meeting:\n", 1)[1].split("\n  StartEnd:\n", 1)[0]
    props = block.split("\n    properties:\n", 1)[1].split("\n    description:", 1)[0]
    return set(re.findall(r"^      (\w+):", props, flags=re.MULTILINE))


def test_list_meetings(rest: httpx.Client, token: str) -> None:
    response = rest.get(f"/v1/user/{DEMO_USER}/scheduled_meeting", headers=auth(token))
    assert response.status_code == 200
    meetings = response.json()
    assert isinstance(meetings, list)
    assert len(meetings) >= 13
    starts = [m["start"] for m in meetings]
    assert starts == sorted(starts)
    swagger = _swagger_meeting_fields()
    assert {"numericMeetingId", "attendeePasscode", "moderator", "start", "end"} <= swagger
    for meeting in meetings:
        assert set(meeting) <= swagger, set(meeting) - swagger
        assert isinstance(meeting["id"], int)
        assert isinstance(meeting["numericMeetingId"], str)
        assert isinstance(meeting["start"], int)
        assert meeting["end"] > meeting["start"]
        assert isinstance(meeting["moderator"]["id"], int)
        assert isinstance(meeting["advancedMeetingOptions"]["moderatorLess"], bool)
    weekly = next(m for m in meetings if m["numericMeetingId"] == "9036439807")
    assert weekly["attendeePasscode"] == "1629"
    # the access_token query parameter works like the header; numericMeetingId filters
    filtered = rest.get(
        f"/v1/user/{DEMO_USER}/scheduled_meeting",
        params={"access_token": token, "numericMeetingId": "9036439807"},
    )
    assert [m["id"] for m in filtered.json()] == [weekly["id"]]


def test_meeting_lifecycle(rest: httpx.Client, token: str) -> None:
    start = int((dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).timestamp() * 1000)
    body = {
        "title": "Sandbox test",
        "description": "",
        "start": start,
        "end": start + 1_800_000,
        "timezone": "Europe/Berlin",
        "endPointType": "WEB_APP",
        "endPointVersion": "2.10",
        "attendees": [{"email": "a@example.com"}],
        "isLargeMeeting": False,
        "addAttendeePasscode": True,
        "advancedMeetingOptions": {"moderatorLess": True},
    }
    base = f"/v1/user/{DEMO_USER}/scheduled_meeting"
    created = rest.post(base, json=body, headers=auth(token))
    assert created.status_code == 201
    meeting = created.json()
    assert re.fullmatch(r"\d{10}", meeting["numericMeetingId"])
    assert re.fullmatch(r"\d{4}", meeting["attendeePasscode"])
    assert meeting["advancedMeetingOptions"]["moderatorLess"] is True
    assert meeting["attendees"] == [{"email": "a@example.com"}]
    path = f"{base}/{meeting['id']}"
    assert rest.get(path, headers=auth(token)).json()["title"] == "Sandbox test"
    updated = rest.put(path, json={**meeting, "title": "Renamed"}, headers=auth(token))
    assert updated.status_code == 200
    assert updated.json()["title"] == "Renamed"
    assert updated.json()["numericMeetingId"] == meeting["numericMeetingId"]
    assert updated.json()["seqeuenceNumber"] == meeting["seqeuenceNumber"] + 1
    deleted = rest.delete(path, headers=auth(token))
    assert deleted.status_code == 200
    assert deleted.content == b""
    assert rest.get(path, headers=auth(token)).status_code == 404
    assert rest.delete(path, headers=auth(token)).status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"title": ""},
        {"start": "tomorrow"},
        {"start": 1.5},
        {"end": 0},
        {"timezone": "Mars/Olympus"},
        {"timezone": None},
        {"endPointType": None},
        {"attendees": [{"email": "not-an-email"}]},
        {"advancedMeetingOptions": {"moderatorLess": "yes"}},
    ],
)
def test_create_validation(rest: httpx.Client, token: str, change: dict[str, object]) -> None:
    start = int((dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).timestamp() * 1000)
    body: dict[str, object] = {
        "title": "x",
        "start": start,
        "end": start + 60_000,
        "timezone": "America/New_York",
        "endPointType": "WEB_APP",
        "endPointVersion": "2.10",
    }
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    response = rest.post(f"/v1/user/{DEMO_USER}/scheduled_meeting", json=body, headers=auth(token))
    assert response.status_code == 400
    assert isinstance(response.json()["message"], str)


def test_unknown_meeting_and_route(rest: httpx.Client, token: str) -> None:
    missing = rest.get(f"/v1/user/{DEMO_USER}/scheduled_meeting/999999", headers=auth(token))
    assert missing.status_code == 404
    assert "message" in missing.json()
    assert rest.get("/v1/nothing-here", headers=auth(token)).status_code == 404


def test_web_page_for_a_meeting(sandbox: RunningSandbox) -> None:
    with httpx.Client(base_url=sandbox.base_url, timeout=5) as client:
        joined = client.get("/bluejeans/web/9036439807/1629")
        assert joined.status_code == 200
        assert "You joined Weekly planning as participant" in joined.text
        assert "You joined" in client.get("/bluejeans/web/4085551212.7788").text
        assert "as host" in client.get("/bluejeans/web/4085551212.7788").text
        needs = client.get("/bluejeans/web/9036439807")
        assert "GET_PASSCODE" in needs.text
        assert client.get("/bluejeans/web/1000000001").status_code == 404
