"""The sandbox's join.me API and its web pages over real loopback HTTP (plain httpx)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from launcher.sandbox.server import RunningSandbox, start_in_thread

AUTH = {"Authorization": "Bearer demo-joinme-token"}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_in_thread() as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.state.clear_faults()
    yield
    sandbox.state.set_clock(None)


@pytest.fixture(scope="module")
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.provider_urls()["joinme"], headers=AUTH, timeout=5) as c:
        yield c


@pytest.fixture(scope="module")
def web() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


def iso(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def future(days: float = 2, hours: float = 1) -> dict[str, str]:
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).replace(microsecond=0)
    return {"meetingStart": iso(start), "meetingEnd": iso(start + dt.timedelta(hours=hours))}


def create(api: httpx.Client, **extra: Any) -> dict[str, Any]:
    body = {"meetingName": "Test meeting", **future(), **extra}
    response = api.post("/meetings", json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    assert isinstance(data, dict)
    return data


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body["Message"], str)
    assert body["Message"]
    if code is not None:
        assert body["ErrorCode"] == code


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "x"}])
def test_bad_token_is_401_invalid_token(sandbox: RunningSandbox, headers: dict[str, str]) -> None:
    response = httpx.get(sandbox.provider_urls()["joinme"] + "/meetings", headers=headers)
    assert_error(response, 401, "invalid_token")
    assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_user(api: httpx.Client) -> None:
    response = api.get("/user")
    assert response.status_code == 200
    user = response.json()
    assert user["email"] == "demo@joinme.test"
    assert user["personalUrl"] == "sandboxdemo"
    settings = user["conferenceSettings"]
    assert re.fullmatch(r"\d{9}", settings["conferenceId"])
    assert re.fullmatch(r"\d{4}", settings["organizerCode"])
    assert settings["conferenceCallNumbersUrl"].startswith("http")


def test_list_upcoming_meetings(api: httpx.Client) -> None:
    response = api.get("/meetings")
    assert response.status_code == 200
    meetings = response.json()["meetings"]
    assert len(meetings) >= 3
    now = dt.datetime.now(dt.UTC)
    for meeting in meetings:
        assert set(meeting) == {
            "meetingId", "meetingName", "meetingStart", "meetingEnd", "startWithPersonalUrl",
            "viewerLink",
        }  # fmt: skip
        assert isinstance(meeting["meetingId"], int)
        assert meeting["meetingStart"].endswith("Z")
        assert dt.datetime.fromisoformat(meeting["meetingEnd"]) > now
    tomorrow = iso(now + dt.timedelta(days=1, hours=2))
    soon = api.get("/meetings", params={"endDate": tomorrow}).json()["meetings"]
    assert 1 <= len(soon) < len(meetings)
    assert all(m["meetingStart"] <= tomorrow for m in soon)
    assert_error(api.get("/meetings", params={"endDate": "next week"}), 400, "invalid_request")


def test_get_meeting(api: httpx.Client) -> None:
    first = api.get("/meetings").json()["meetings"][0]
    meeting = api.get(f"/meetings/{first['meetingId']}").json()
    assert meeting["meetingName"] == first["meetingName"]
    assert isinstance(meeting["participants"], list)
    assert re.fullmatch(r"\d{9}", meeting["conferenceId"])
    assert meeting["viewerLink"] == first["viewerLink"]
    assert_error(api.get("/meetings/999999"), 404)
    assert_error(api.get("/meetings/not-a-number"), 404)


def test_create_normalises_to_utc(api: httpx.Client) -> None:
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(microsecond=0)
    local = start.astimezone(dt.timezone(dt.timedelta(hours=2)))
    meeting = create(
        api,
        meetingStart=local.isoformat(),
        meetingEnd=(local + dt.timedelta(hours=1)).isoformat(),
        participants=["a@example.com", "b@example.com"],
    )
    assert meeting["meetingStart"] == iso(start)
    assert meeting["participants"] == ["a@example.com", "b@example.com"]
    assert meeting["startWithPersonalUrl"] is False
    assert set(meeting) == {
        "meetingId", "meetingName", "meetingStart", "meetingEnd", "startWithPersonalUrl",
        "participants", "viewerLink",
    }  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [
        {"meetingName": "", **future()},
        {**future()},
        {"meetingName": "x", "meetingStart": "soon", "meetingEnd": future()["meetingEnd"]},
        {"meetingName": "x", "meetingStart": future()["meetingEnd"],
         "meetingEnd": future()["meetingStart"]},
        {"meetingName": "x", **future(hours=24 * 14 + 1)},
        {"meetingName": "x", **future(), "participants": ["bob@"]},
        {"meetingName": "x", **future(), "participants": "a@example.com"},
        {"meetingName": "x", **future(), "startWithPersonalUrl": "yes"},
    ],
)  # fmt: skip
def test_create_validation(api: httpx.Client, body: dict[str, Any]) -> None:
    assert_error(api.post("/meetings", json=body), 400, "invalid_request")


def test_update_replaces_participants_and_checks_times(api: httpx.Client) -> None:
    meeting = create(api, participants=["a@example.com", "b@example.com"])
    path = f"/meetings/{meeting['meetingId']}"
    response = api.patch(path, json={"meetingName": "Renamed", "participants": ["c@example.com"]})
    assert response.status_code == 201
    assert response.json()["participants"] == ["c@example.com"]
    assert response.json()["meetingName"] == "Renamed"
    assert response.json()["meetingStart"] == meeting["meetingStart"]
    start = dt.datetime.fromisoformat(meeting["meetingStart"])
    # only the end is given, but it must still come after the stored start
    too_early = api.patch(path, json={"meetingEnd": iso(start - dt.timedelta(minutes=5))})
    assert_error(too_early, 400, "invalid_request")
    too_long = api.patch(path, json={"meetingEnd": iso(start + dt.timedelta(days=15))})
    assert_error(too_long, 400)
    assert api.get(path).json()["participants"] == ["c@example.com"]
    assert_error(api.patch("/meetings/999999", json={"meetingName": "x"}), 404)


def test_delete(api: httpx.Client) -> None:
    meeting = create(api)
    path = f"/meetings/{meeting['meetingId']}"
    deleted = api.delete(path)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_error(api.get(path), 404)
    assert_error(api.delete(path), 404)


def test_start_ad_hoc(api: httpx.Client, web: httpx.Client) -> None:
    response = api.post("/meetings/start", json={"startWithPersonalUrl": False})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"presenterLink", "viewerLink", "audioConference"}
    assert "/StartMeeting.aspx?token=" in body["presenterLink"]
    assert re.search(r"/joinme/web/\d{9}$", body["viewerLink"])
    audio = body["audioConference"]
    assert re.fullmatch(r"\d{9}", audio["conferenceId"])
    assert re.fullmatch(r"\d{4}", audio["organizerCode"])
    numbers = web.get(audio["conferenceCallNumbersUrl"])
    assert numbers.status_code == 200
    assert audio["conferenceId"] in numbers.text
    viewer = web.get(body["viewerLink"])
    assert viewer.status_code == 200
    assert "as viewer" in viewer.text


def test_start_with_personal_url_and_headless(api: httpx.Client, web: httpx.Client) -> None:
    body = {"startWithPersonalUrl": True, "viewerMode": "headless", "viewerAppDetection": False}
    response = api.post("/meetings/start", json=body)
    assert response.status_code == 201
    assert response.json()["viewerLink"].endswith("/joinme/web/sandboxdemo")
    assert "headless" in web.get(response.json()["viewerLink"]).text


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"startWithPersonalUrl": "true"},
        {"startWithPersonalUrl": True, "viewerMode": "fullscreen"},
        {"startWithPersonalUrl": True, "viewerAppDetection": "no"},
        {"startWithPersonalUrl": True, "webhooks": ["meeting.start"]},
    ],
)
def test_start_validation(api: httpx.Client, body: dict[str, Any]) -> None:
    assert_error(api.post("/meetings/start", json=body), 400, "invalid_request")


def test_start_scheduled_and_viewer_link_activates(api: httpx.Client, web: httpx.Client) -> None:
    meeting = create(api)
    before = web.get(meeting["viewerLink"])
    assert before.status_code == 200
    assert "has not started yet" in before.text
    response = api.post(f"/meetings/{meeting['meetingId']}/start", json={})
    assert response.status_code == 200
    body = response.json()
    assert body["viewerLink"] == meeting["viewerLink"]
    assert "webhooksStatus" not in body
    after = web.get(meeting["viewerLink"])
    assert "You joined Test meeting as viewer" in after.text
    assert_error(api.post("/meetings/999999/start", json={}), 404)


def test_webhooks_status(sandbox: RunningSandbox, api: httpx.Client, web: httpx.Client) -> None:
    hooks = {
        "meeting.start": {
            "callbackUrl": "https://example.com/started",
            "customCallbackData": {"foo": 123},
        },
        "meeting.end": {"callbackUrl": "/relative/path"},
    }
    response = api.post("/meetings/start", json={"startWithPersonalUrl": False, "webhooks": hooks})
    assert response.status_code == 201
    status = response.json()["webhooksStatus"]
    assert status["meeting.start"] == {"success": True}
    assert status["meeting.end"]["success"] is False
    assert "callbackUrl" in status["meeting.end"]["message"]
    web.get(response.json()["presenterLink"])
    log = sandbox.state.joinme.webhook_log
    assert log[-1] == {
        "event": "meeting.start",
        "callbackUrl": "https://example.com/started",
        "customCallbackData": {"foo": 123},
    }


def test_presenter_link_is_one_time(api: httpx.Client, web: httpx.Client) -> None:
    link = api.post("/meetings/start", json={"startWithPersonalUrl": False}).json()["presenterLink"]
    first = web.get(link)
    assert first.status_code == 200
    assert "started" in first.text
    assert "as presenter" in first.text
    second = web.get(link)
    assert second.status_code == 410
    assert "already used / has expired" in second.text
    assert web.get(link.split("?")[0] + "?token=unknown").status_code == 404


def test_presenter_link_expires_after_ten_minutes(
    sandbox: RunningSandbox, api: httpx.Client, web: httpx.Client
) -> None:
    link = api.post("/meetings/start", json={"startWithPersonalUrl": False}).json()["presenterLink"]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10, seconds=5)
    sandbox.state.set_clock(lambda: later)
    expired = web.get(link)
    assert expired.status_code == 410
    assert "has expired" in expired.text


def test_unknown_viewer_code_is_a_404_page(sandbox: RunningSandbox, web: httpx.Client) -> None:
    page = web.get(f"{sandbox.base_url}/joinme/web/000000000")
    assert page.status_code == 404
    assert "does not exist" in page.text
