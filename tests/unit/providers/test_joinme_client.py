"""The join.me client over httpx.MockTransport: exact requests, parsed results, failures."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from launcher.core.errors import (
    AuthenticationRequired,
    ConfigError,
    InvalidInput,
    NotFound,
    ProviderUnavailable,
    RateLimited,
)
from launcher.core.models import Account, Credentials, Provider, Role
from launcher.providers.base import MeetingLister, MeetingStarter
from launcher.providers.joinme.client import JoinMeClient
from launcher.providers.joinme.protocol import MeetingPatch, ScheduleDraft

DATA = Path(__file__).resolve().parents[2] / "data" / "joinme"
BASE = "http://127.0.0.1:8765/joinme/v1"
TOKEN = "demo-joinme-token"
ACCOUNT = Account(name="work", provider=Provider.JOINME, base_url=BASE + "/")
CREDS = Credentials(token=TOKEN)
UTC = dt.UTC
PRESENTER = "https://secure.join.me/API/Public/StartMeeting.aspx?token=123456789"
T = TypeVar("T")


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2015, 6, day, hour, tzinfo=UTC)


class Server:
    """Answers requests from a script and records them."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def json(self, index: int) -> Any:
        return json.loads(self.requests[index].content)


def run(
    server: Server,
    action: Callable[[JoinMeClient], Awaitable[T]],
    credentials: Credentials = CREDS,
) -> T:
    async def go() -> T:
        async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as http:
            return await action(JoinMeClient(http, ACCOUNT, credentials))

    return asyncio.run(go())


def check_headers(request: httpx.Request) -> None:
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["content-type"] == "application/json"


def test_client_has_the_join_me_capabilities() -> None:
    async def go() -> None:
        async with httpx.AsyncClient() as http:
            client = JoinMeClient(http, ACCOUNT, CREDS)
            assert isinstance(client, MeetingLister)
            assert isinstance(client, MeetingStarter)
            assert TOKEN not in repr(client)

    asyncio.run(go())


def test_wrong_provider_account_is_a_config_error() -> None:
    async def go() -> None:
        async with httpx.AsyncClient() as http:
            other = Account(name="w", provider=Provider.WHEREBY, base_url=BASE)
            JoinMeClient(http, other, CREDS)

    with pytest.raises(ConfigError):
        asyncio.run(go())


def test_list_meetings_request_and_result() -> None:
    server = Server(httpx.Response(200, json=load("meetings_list_200.json")))
    meetings = run(server, lambda c: c.list_meetings())
    (request,) = server.requests
    assert request.method == "GET"
    assert str(request.url) == f"{BASE}/meetings"
    check_headers(request)
    assert [m.id for m in meetings] == ["12345", "12399"]
    assert all(m.role is Role.PRESENTER and m.account == "work" for m in meetings)


def test_list_meetings_sends_end_date_and_filters_by_start() -> None:
    server = Server(httpx.Response(200, json=load("meetings_list_200.json")))
    end = dt.datetime(2015, 6, 2, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    meetings = run(server, lambda c: c.list_meetings(start=at(2, 10), end=end))
    (request,) = server.requests
    assert request.url.path == "/joinme/v1/meetings"
    assert dict(request.url.params) == {"endDate": "2015-06-02T12:30:00Z"}
    assert [m.id for m in meetings] == ["12399"]  # 12345 ended at 10:00


def test_get_meeting() -> None:
    server = Server(httpx.Response(200, json=load("meeting_get_200.json")))
    meeting = run(server, lambda c: c.get_meeting("23"))
    (request,) = server.requests
    assert (request.method, request.url.path) == ("GET", "/joinme/v1/meetings/23")
    check_headers(request)
    assert meeting.participants == ("worldsbestboss@join.me", "hardworker@join.me")


def test_get_unknown_meeting_is_not_found() -> None:
    server = Server(httpx.Response(404, json={"Message": "Meeting not found"}))
    with pytest.raises(NotFound):
        run(server, lambda c: c.get_meeting("999"))


def test_schedule_meeting() -> None:
    server = Server(httpx.Response(201, json=load("schedule_201.json")))
    draft = ScheduleDraft(
        "Follow up with our customer",
        at(2, 10),
        at(2, 11),
        ("youremail@join.me", "the.best.customer@join.me"),
    )
    meeting = run(server, lambda c: c.schedule_meeting(draft))
    (request,) = server.requests
    assert (request.method, request.url.path) == ("POST", "/joinme/v1/meetings")
    check_headers(request)
    assert server.json(0) == load("schedule_request.json")
    assert (meeting.id, meeting.title) == ("12400", "Follow up with our customer")


def test_invalid_schedule_sends_nothing() -> None:
    server = Server()
    with pytest.raises(InvalidInput) as info:
        run(server, lambda c: c.schedule_meeting(ScheduleDraft("x", at(2, 10), at(17, 10))))
    assert info.value.field == "end"
    assert server.requests == []


def test_update_moving_only_the_start_checks_the_current_meeting_first() -> None:
    server = Server(
        httpx.Response(200, json=load("meeting_get_200.json")),
        httpx.Response(201, json=load("update_201.json")),
    )
    meeting = run(server, lambda c: c.update_meeting("23", MeetingPatch(start=at(2, 8))))
    get, patch = server.requests
    assert (get.method, get.url.path) == ("GET", "/joinme/v1/meetings/23")
    assert (patch.method, patch.url.path) == ("PATCH", "/joinme/v1/meetings/23")
    check_headers(patch)
    assert server.json(1) == {"meetingStart": "2015-06-02T08:00:00Z"}
    assert meeting.title == "Follow up with our best customer"


def test_update_that_would_put_start_after_end_sends_no_patch() -> None:
    server = Server(httpx.Response(200, json=load("meeting_get_200.json")))
    with pytest.raises(InvalidInput) as info:
        run(server, lambda c: c.update_meeting("23", MeetingPatch(start=at(2, 11))))
    assert info.value.field == "end"
    assert [r.method for r in server.requests] == ["GET"]


def test_update_with_both_times_needs_no_get() -> None:
    server = Server(httpx.Response(200, json=load("update_201.json")))
    patch = MeetingPatch(start=at(3, 10), end=at(3, 11), participants=())
    run(server, lambda c: c.update_meeting("23", patch))
    (request,) = server.requests
    assert request.method == "PATCH"
    assert server.json(0) == {
        "meetingStart": "2015-06-03T10:00:00Z",
        "meetingEnd": "2015-06-03T11:00:00Z",
        "participants": [],
    }


def test_update_title_only() -> None:
    server = Server(httpx.Response(200, json=load("update_201.json")))
    run(server, lambda c: c.update_meeting("23", MeetingPatch(title="Renamed")))
    assert server.json(0) == {"meetingName": "Renamed"}


def test_empty_update_only_reads_the_meeting() -> None:
    server = Server(httpx.Response(200, json=load("meeting_get_200.json")))
    meeting = run(server, lambda c: c.update_meeting("23", MeetingPatch()))
    assert [r.method for r in server.requests] == ["GET"]
    assert meeting.id == "23"


def test_update_with_bad_id_sends_nothing() -> None:
    server = Server()
    with pytest.raises(InvalidInput) as info:
        run(server, lambda c: c.update_meeting("23; drop", MeetingPatch(title="x")))
    assert info.value.field == "meeting_id"
    assert server.requests == []


def test_delete_meeting() -> None:
    server = Server(httpx.Response(204))
    assert run(server, lambda c: c.delete_meeting("23")) is None
    (request,) = server.requests
    assert (request.method, request.url.path) == ("DELETE", "/joinme/v1/meetings/23")
    check_headers(request)


def test_delete_unknown_meeting_is_not_found() -> None:
    with pytest.raises(NotFound):
        run(Server(httpx.Response(404)), lambda c: c.delete_meeting("23"))


def test_start_ad_hoc(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = Server(httpx.Response(201, json=load("start_adhoc_201.json")))
    started = run(server, lambda c: c.start_meeting(personal_url=True))
    (request,) = server.requests
    assert (request.method, request.url.path) == ("POST", "/joinme/v1/meetings/start")
    check_headers(request)
    assert server.json(0) == {"startWithPersonalUrl": True}
    assert started.presenter_link == PRESENTER
    assert started.conference is not None
    assert started.conference.organizer_code == "1234"
    assert "StartMeeting" not in caplog.text
    assert "token=" not in caplog.text
    assert TOKEN not in caplog.text


@pytest.mark.parametrize("status", [200, 201])
def test_start_scheduled(status: int) -> None:
    server = Server(httpx.Response(status, json=load("start_scheduled_200.json")))
    started = run(server, lambda c: c.start_meeting("23"))
    (request,) = server.requests
    assert (request.method, request.url.path) == ("POST", "/joinme/v1/meetings/23/start")
    assert server.json(0) == {}
    assert started.viewer_link == "https://secure.join.me/YourName"


def test_start_headless_with_webhooks_keeps_their_status() -> None:
    status = {"meeting.start": {"success": True}}
    server = Server(
        httpx.Response(201, json=load("start_adhoc_201.json") | {"webhooksStatus": status})
    )
    hooks = {"meeting.start": {"callbackUrl": "https://hooks.test/start"}}
    started = run(server, lambda c: c.start_meeting(headless=True, webhooks=hooks))
    assert server.json(0) == {
        "startWithPersonalUrl": False,
        "viewerMode": "headless",
        "viewerAppDetection": False,
        "webhooks": hooks,
    }
    assert started.webhooks_status == status


def test_throttled_start_is_not_repeated() -> None:
    server = Server(httpx.Response(429, headers={"Retry-After": "0"}))
    with pytest.raises(RateLimited) as info:
        run(server, lambda c: c.start_meeting())
    assert info.value.retry_after == 0.0
    assert len(server.requests) == 1


def test_throttled_list_is_retried_after_retry_after() -> None:
    server = Server(
        httpx.Response(429, headers={"Retry-After": "0"}),
        httpx.Response(200, json=load("meetings_list_200.json")),
    )
    meetings = run(server, lambda c: c.list_meetings())
    assert len(server.requests) == 2
    assert len(meetings) == 2


def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Make retry waits instant; return the list of waits asked for."""
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("launcher.providers.http.asyncio.sleep", fake_sleep)
    return waits


OVER_QPS = {"X-Mashery-Error-Code": "ERR_403_DEVELOPER_OVER_QPS"}


def test_mashery_throttle_is_rate_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    waits = no_sleep(monkeypatch)
    server = Server(*(httpx.Response(403, headers=OVER_QPS) for _ in range(3)))
    with pytest.raises(RateLimited) as info:
        run(server, lambda c: c.list_meetings())
    assert info.value.status == 403
    assert len(server.requests) == 3  # a per-second quota: worth two more tries
    assert len(waits) == 2 and all(w >= 1.0 for w in waits)


def test_mashery_throttle_of_a_list_is_waited_out(monkeypatch: pytest.MonkeyPatch) -> None:
    no_sleep(monkeypatch)
    server = Server(
        httpx.Response(403, headers=OVER_QPS),
        httpx.Response(200, json=load("meetings_list_200.json")),
    )
    assert len(run(server, lambda c: c.list_meetings())) == 2


def test_mashery_over_rate_is_not_retried() -> None:
    server = Server(
        httpx.Response(403, headers={"X-Mashery-Error-Code": "ERR_403_DEVELOPER_OVER_RATE"})
    )
    with pytest.raises(RateLimited):
        run(server, lambda c: c.list_meetings())
    assert len(server.requests) == 1  # an hourly/daily quota: asking again soon is useless


def test_mashery_throttle_of_a_start_is_not_repeated() -> None:
    server = Server(httpx.Response(403, headers=OVER_QPS))
    with pytest.raises(RateLimited):
        run(server, lambda c: c.start_meeting())
    assert len(server.requests) == 1


def test_stale_token() -> None:
    body = {"Message": "stale", "ErrorCode": "stale_token"}
    with pytest.raises(AuthenticationRequired, match="renewed") as info:
        run(Server(httpx.Response(401, json=body)), lambda c: c.list_meetings())
    assert TOKEN not in str(info.value)


def test_missing_token_sends_nothing() -> None:
    server = Server()
    with pytest.raises(AuthenticationRequired):
        run(server, lambda c: c.list_meetings(), credentials=Credentials())
    assert server.requests == []


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
    ],
)
def test_transport_errors_are_wrapped(error: Exception) -> None:
    with pytest.raises(ProviderUnavailable) as info:
        run(Server(error), lambda c: c.start_meeting("23"))
    assert info.value.__cause__ is error


def test_server_error_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    no_sleep(monkeypatch)
    server = Server(*(httpx.Response(503) for _ in range(3)))
    with pytest.raises(ProviderUnavailable) as info:
        run(server, lambda c: c.get_meeting("23"))
    assert not isinstance(info.value, RateLimited)
    assert info.value.status == 503
    assert len(server.requests) == 3
