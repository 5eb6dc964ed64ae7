"""The Whereby client over httpx.MockTransport: exact requests, pagination, retries, errors."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
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
    ProtocolViolation,
    ProviderUnavailable,
    RateLimited,
    Rejected,
)
from launcher.core.models import Account, Credentials, Provider, Role
from launcher.providers.base import MeetingLister, RoomCreator
from launcher.providers.whereby import client as client_module
from launcher.providers.whereby.client import WherebyClient
from launcher.providers.whereby.protocol import RoomDraft

DATA = Path(__file__).resolve().parents[2] / "data" / "whereby"
BASE = "http://127.0.0.1:8765/whereby/v1"
KEY = "demo-whereby-key"
ACCOUNT = Account(name="acme", provider=Provider.WHEREBY, base_url=BASE)
CREDS = Credentials(api_key=KEY)
UTC = dt.UTC
NOW = dt.datetime(2025, 5, 12, 16, 0, tzinfo=UTC)
T = TypeVar("T")


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


class Server:
    """Answers requests from a script (or a function) and records them."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def run(
    server: Callable[[httpx.Request], httpx.Response],
    action: Callable[[WherebyClient], Awaitable[T]],
    credentials: Credentials = CREDS,
) -> T:
    async def go() -> T:
        async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as http:
            return await action(WherebyClient(http, ACCOUNT, credentials, clock=lambda: NOW))

    return asyncio.run(go())


def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Make retry waits instant; return the list of waits asked for."""
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("launcher.providers.http.asyncio.sleep", fake_sleep)
    return waits


def page(name: str) -> httpx.Response:
    return httpx.Response(200, json=load(name))


def test_client_has_the_whereby_capabilities() -> None:
    async def go() -> None:
        async with httpx.AsyncClient() as http:
            client = WherebyClient(http, ACCOUNT, CREDS)
            assert isinstance(client, MeetingLister)
            assert isinstance(client, RoomCreator)
            assert KEY not in repr(client)

    asyncio.run(go())


def test_wrong_provider_account_is_a_config_error() -> None:
    async def go() -> None:
        async with httpx.AsyncClient() as http:
            WherebyClient(http, Account("j", Provider.JOINME, BASE), CREDS)

    with pytest.raises(ConfigError):
        asyncio.run(go())


def test_create_room_request_and_result() -> None:
    server = Server(httpx.Response(201, json=load("meeting_with_urls.json")))
    draft = RoomDraft(
        end=NOW + dt.timedelta(hours=1, minutes=42, seconds=49),
        room_mode="group",
        prefix="Room Prefix",
        host_url=True,
        viewer_url=True,
    )
    room = run(server, lambda c: c.create_room(draft))
    (request,) = server.requests
    assert (request.method, str(request.url)) == ("POST", f"{BASE}/meetings")
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "endDate": "2025-05-12T17:42:49Z",
        "roomMode": "group",
        "roomNamePrefix": "roomprefix",
        "fields": ["hostRoomUrl", "viewerRoomUrl"],
    }
    assert room.id == "9cf691bf-f2d5-4420-bda9-ee8607bb558b"
    assert room.host_url is not None


def test_create_room_in_the_past_sends_nothing() -> None:
    server = Server()
    with pytest.raises(InvalidInput) as info:
        run(server, lambda c: c.create_room(RoomDraft(end=NOW - dt.timedelta(minutes=1))))
    assert info.value.field == "end"
    assert server.requests == []


def test_throttled_create_is_not_repeated() -> None:
    server = Server(httpx.Response(429, json=load("throttle_429.json")))
    with pytest.raises(RateLimited) as info:
        run(server, lambda c: c.create_room(RoomDraft(end=NOW)))
    assert info.value.retry_after == pytest.approx(38.689)
    assert len(server.requests) == 1


def test_create_refused_by_plan_is_rejected() -> None:
    with pytest.raises(Rejected, match="not allowed"):
        run(Server(httpx.Response(403)), lambda c: c.create_room(RoomDraft(end=NOW)))


def test_create_with_bad_input_on_the_server_is_rejected() -> None:
    server = Server(httpx.Response(400, json={"error": "endDate must be in the future"}))
    with pytest.raises(Rejected) as info:
        run(server, lambda c: c.create_room(RoomDraft(end=NOW)))
    assert info.value.reason == "endDate must be in the future"


def test_get_room_with_fields() -> None:
    server = Server(page("meeting_with_urls.json"))
    room = run(server, lambda c: c.get_room("9cf691bf", host_url=True, viewer_url=True))
    (request,) = server.requests
    assert (request.method, request.url.path) == ("GET", "/whereby/v1/meetings/9cf691bf")
    assert dict(request.url.params) == {"fields": "hostRoomUrl,viewerRoomUrl"}
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert room.viewer_url is not None


def test_get_unknown_room_is_not_found() -> None:
    with pytest.raises(NotFound):
        run(Server(httpx.Response(404)), lambda c: c.get_room("nope"))


def test_list_rooms_follows_the_cursor_through_three_pages() -> None:
    server = Server(page("list_page_1.json"), page("list_page_2.json"), page("list_page_3.json"))
    rooms = run(server, lambda c: c.list_rooms(viewer_url=True, page_size=2))
    assert [dict(r.url.params) for r in server.requests] == [
        {"limit": "2", "fields": "viewerRoomUrl"},
        {"limit": "2", "fields": "viewerRoomUrl", "cursor": "8f4031bfc7640c5f267b11b6fe0c2507"},
        {"limit": "2", "fields": "viewerRoomUrl", "cursor": "9a5132c0d8751d6f378c22c7"},
    ]
    assert all(r.method == "GET" and r.url.path == "/whereby/v1/meetings" for r in server.requests)
    # Room 52755922 appears on pages 2 and 3 (the list moved while we read): kept once.
    assert [r.id for r in rooms] == [
        "1",
        "9cf691bf-f2d5-4420-bda9-ee8607bb558b",
        "52755922",
        "77",
    ]


def test_list_rooms_stops_on_a_repeated_cursor() -> None:
    following = {None: "A", "A": "B", "B": "A"}
    calls: list[httpx.Request] = []

    def cycling(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        cursor = following[request.url.params.get("cursor")]
        return httpx.Response(200, json={"results": [], "cursor": cursor})

    with pytest.raises(ProtocolViolation, match="same page"):
        run(cycling, lambda c: c.list_rooms())
    assert len(calls) == 3  # start → A → B → A again: stop


def test_list_rooms_stops_after_the_page_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "MAX_PAGES", 5)
    calls: list[httpx.Request] = []

    def endless(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json={"results": [], "cursor": f"c{len(calls)}"})

    with pytest.raises(ProtocolViolation, match="5 pages"):
        run(endless, lambda c: c.list_rooms())
    assert len(calls) == 5


def test_throttled_list_is_retried_after_retry_after() -> None:
    server = Server(
        httpx.Response(429, headers={"Retry-After": "0"}, json=load("throttle_429.json")),
        page("list_page_3.json"),
    )
    rooms = run(server, lambda c: c.list_rooms())
    assert len(server.requests) == 2
    assert [r.id for r in rooms] == ["52755922", "77"]


def test_throttle_from_ms_left_is_waited_out(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr("launcher.providers.http.asyncio.sleep", fake_sleep)
    server = Server(
        httpx.Response(429, json={"error": "slow down", "data": {"msLeft": 1500}}),
        page("list_page_3.json"),
    )
    run(server, lambda c: c.list_rooms())
    assert waits == [1.5]
    assert len(server.requests) == 2


def test_page_size_is_checked_before_sending() -> None:
    server = Server()
    with pytest.raises(InvalidInput):
        run(server, lambda c: c.list_rooms(page_size=500))
    assert server.requests == []


@pytest.mark.parametrize("status", [204, 404])
def test_delete_is_idempotent(status: int) -> None:
    server = Server(httpx.Response(status))
    assert run(server, lambda c: c.delete_room("9cf691bf")) is None
    (request,) = server.requests
    assert (request.method, request.url.path) == ("DELETE", "/whereby/v1/meetings/9cf691bf")
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_throttled_delete_is_retried() -> None:
    server = Server(httpx.Response(429, headers={"Retry-After": "0"}), httpx.Response(204))
    run(server, lambda c: c.delete_room("1"))
    assert [r.method for r in server.requests] == ["DELETE", "DELETE"]


def test_delete_twice() -> None:
    server = Server(httpx.Response(204), httpx.Response(204))

    async def twice(c: WherebyClient) -> None:
        await c.delete_room("1")
        await c.delete_room("1")

    run(server, twice)
    assert len(server.requests) == 2


def test_list_meetings_shows_rooms_as_hosted_meetings() -> None:
    server = Server(page("list_page_1.json"), page("list_page_2.json"), page("list_page_3.json"))
    meetings = run(server, lambda c: c.list_meetings())
    assert server.requests[0].url.params["fields"] == "hostRoomUrl,viewerRoomUrl"
    assert [m.title for m in meetings] == [
        "Whereby room 4b3bd908-cb88-11ec-9d64-0242ac120002",
        "Whereby room room-prefix",
        "Whereby room example-prefix",
        "Whereby room customer0348-72b9",
    ]
    first = meetings[0]
    assert first.provider is Provider.WHEREBY
    assert first.role is Role.PRESENTER
    assert first.account == "acme"
    assert first.join_url == "https://subdomain.whereby.com/4b3bd908-cb88-11ec-9d64-0242ac120002"
    assert first.start == dt.datetime(2025, 5, 12, 16, 42, 49, tzinfo=UTC)


def test_list_meetings_filters_by_time() -> None:
    server = Server(page("list_page_1.json"), page("list_page_2.json"), page("list_page_3.json"))
    start = dt.datetime(2025, 5, 13, 0, tzinfo=UTC)
    end = dt.datetime(2025, 5, 15, 0, tzinfo=UTC)
    meetings = run(server, lambda c: c.list_meetings(start, end))
    assert [m.id for m in meetings] == ["9cf691bf-f2d5-4420-bda9-ee8607bb558b", "52755922"]


def test_refused_key() -> None:
    with pytest.raises(AuthenticationRequired, match="API key was refused") as info:
        run(Server(httpx.Response(401)), lambda c: c.list_rooms())
    assert KEY not in str(info.value)


def test_missing_key_sends_nothing() -> None:
    server = Server()
    with pytest.raises(AuthenticationRequired):
        run(server, lambda c: c.list_rooms(), credentials=Credentials(token="not-a-key"))
    assert server.requests == []


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("cut")],
)
def test_transport_errors_are_wrapped_after_the_retries_of_an_idempotent_delete(
    error: Exception, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits = no_sleep(monkeypatch)
    server = Server(error, error, error)
    with pytest.raises(ProviderUnavailable) as info:
        run(server, lambda c: c.delete_room("1"))
    assert info.value.__cause__ is error
    assert [r.method for r in server.requests] == ["DELETE"] * 3  # documented idempotent
    assert len(waits) == 2


def test_a_dropped_delete_is_retried_and_succeeds(monkeypatch: pytest.MonkeyPatch) -> None:
    no_sleep(monkeypatch)
    server = Server(httpx.RemoteProtocolError("cut"), httpx.Response(204))
    assert run(server, lambda c: c.delete_room("1")) is None
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("cut")],
)
def test_a_failed_create_is_sent_once(error: Exception) -> None:
    server = Server(error)
    with pytest.raises(ProviderUnavailable):
        run(server, lambda c: c.create_room(RoomDraft(end=NOW + dt.timedelta(hours=1))))
    assert len(server.requests) == 1


def test_server_error_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    no_sleep(monkeypatch)
    server = Server(httpx.Response(502), httpx.Response(503), httpx.Response(502))
    with pytest.raises(ProviderUnavailable) as info:
        run(server, lambda c: c.get_room("1"))
    assert info.value.status == 502
    assert len(server.requests) == 3


def test_malformed_answer_is_a_protocol_violation() -> None:
    with pytest.raises(ProtocolViolation):
        run(Server(httpx.Response(200, content=b"<html>")), lambda c: c.get_room("1"))
