"""BlueJeans client over httpx.MockTransport: relay pre-check, pacing, REST tokens, listing."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import itertools
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from launcher.core.errors import AuthenticationRequired, ConfigError, InvalidInput, NotFound
from launcher.core.joinflow import JoinFlowAction
from launcher.core.models import Account, Credentials, Provider, Role
from launcher.providers.base import MeetingLister, PreChecker
from launcher.providers.bluejeans.client import BlueJeansClient, RelayPacer, shared_pacer

DATA = Path(__file__).resolve().parents[2] / "data" / "bluejeans"
BASE = "http://127.0.0.1:9/bluejeans"
ACCOUNT = Account(
    name="work",
    provider=Provider.BLUEJEANS,
    base_url=f"{BASE}/rest",
    relay_url=f"{BASE}/relay/api",
    web_url=f"{BASE}/web",
    username="demo@bluejeans.test",
)
PASSWORD = Credentials(
    relay_token="demo-relay-token", username="demo@bluejeans.test",
    password="demo-bluejeans-password",
)
T = TypeVar("T")
Handler = Callable[[httpx.Request], httpx.Response]


def sample(name: str) -> Any:
    return json.loads((DATA / name).read_bytes())


class FakeTime:
    """A clock and a sleep that only move when someone sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def run(
    handler: Handler,
    body: Callable[[BlueJeansClient], Coroutine[Any, Any, T]],
    *,
    account: Account = ACCOUNT,
    credentials: Credentials = PASSWORD,
    time: FakeTime | None = None,
) -> T:
    fake = time or FakeTime()

    async def go() -> T:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            client = BlueJeansClient(http, account, credentials, clock=fake.clock, sleep=fake.sleep)
            return await body(client)

    return asyncio.run(go())


class FakeBlueJeans:
    """Scripted REST + relay: counts token grants, can refuse tokens, records requests."""

    def __init__(self, meetings: list[dict[str, Any]] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.tokens_issued = 0
        self.valid_tokens: set[str] = set()
        self.meetings = meetings if meetings is not None else sample("scheduled_meetings.json")
        self.expires_in = 1209600
        self.relay_answer: str = "JOIN_NOW"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/bluejeans/rest/oauth2/token":
            body = json.loads(request.content)
            self.tokens_issued += 1
            token = f"token-{self.tokens_issued}"
            self.valid_tokens.add(token)
            if body["grant_type"] == "password":
                assert body == {
                    "grant_type": "password",
                    "username": "demo@bluejeans.test",
                    "password": "demo-bluejeans-password",
                }
                scope: dict[str, Any] = {"user": 1442589}
            else:
                assert body["grant_type"] == "client_credentials"
                scope = {"enterprise": 6}
            return httpx.Response(
                200, json={"access_token": token, "expires_in": self.expires_in, "scope": scope}
            )
        if path.startswith("/bluejeans/rest/v1/"):
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            if token not in self.valid_tokens:
                return httpx.Response(401, json={"message": "Unauthorized"})
            if path == "/bluejeans/rest/v1/enterprise/6/users":
                assert request.url.params["emailId"] == "demo@bluejeans.test"
                return httpx.Response(200, json=sample("enterprise_users.json"))
            if path == "/bluejeans/rest/v1/user/1442589/scheduled_meeting":
                return httpx.Response(200, json=self.meetings)
            if path == "/bluejeans/rest/v1/user/1442589/scheduled_meeting/9":
                return httpx.Response(200, json=self.meetings[0])
            return httpx.Response(404, json={"message": "Not found"})
        if path == "/bluejeans/relay/api/auth/accesstokens":
            auth = request.headers["authorization"]
            if auth != "Basic " + base64.b64encode(b"demo@bluejeans.test:secret").decode():
                return httpx.Response(401, json={"message": "bad credentials"})
            return httpx.Response(200, json=sample("relay_accesstoken.json"))
        if path.endswith("/joinflow"):
            return httpx.Response(200, json=self.relay_answer)
        raise AssertionError(f"unexpected request {request.method} {request.url}")

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def test_client_satisfies_the_capability_protocols():
    async def body(client: BlueJeansClient) -> None:
        assert isinstance(client, PreChecker)
        assert isinstance(client, MeetingLister)

    run(FakeBlueJeans(), body)


# ---- relay -----------------------------------------------------------------------------


def test_precheck_sends_token_header_and_given_params_only():
    fake = FakeBlueJeans()
    fake.relay_answer = "GET_GOOD_PASSCODE"
    result = run(fake, lambda c: c.precheck("9036439807", passcode="1234"))
    assert result is JoinFlowAction.GET_GOOD_PASSCODE
    (request,) = fake.requests
    assert request.url.path == "/bluejeans/relay/api/meetings/9036439807/joinflow"
    assert dict(request.url.params) == {"passcode": "1234"}
    assert request.headers["x-access-token"] == "demo-relay-token"
    assert "demo-relay-token" not in str(request.url)


def test_precheck_without_relay_token_sends_no_header():
    fake = FakeBlueJeans()
    run(fake, lambda c: c.precheck("9036439807"), credentials=Credentials())
    assert "x-access-token" not in fake.requests[0].headers


def test_precheck_returns_unknown_answers_unchanged():
    fake = FakeBlueJeans()
    fake.relay_answer = "GET_FACE_SCAN"
    assert run(fake, lambda c: c.precheck("9036439807")) == "GET_FACE_SCAN"


def test_precheck_validates_before_any_request():
    fake = FakeBlueJeans()
    with pytest.raises(InvalidInput) as info:
        run(fake, lambda c: c.precheck("9036439807", cluster="prod"))
    assert info.value.field == "cluster"
    assert fake.requests == []


def test_default_relay_and_web_urls():
    fake = FakeBlueJeans()
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.host == "relay.bluejeans.com":
            return httpx.Response(200, json="JOIN_NOW")
        request.url = httpx.URL(
            str(request.url).replace("https://api.bluejeans.com", BASE + "/rest")
        )
        return fake(request)

    account = Account("bj", Provider.BLUEJEANS, "https://api.bluejeans.com")

    async def body(client: BlueJeansClient) -> list[Any]:
        await client.precheck("9036439807")
        return await client.list_meetings()

    meetings = run(handler, body, account=account)
    assert seen[0] == "https://relay.bluejeans.com/api/meetings/9036439807/joinflow"
    assert seen[1] == "https://api.bluejeans.com/oauth2/token"
    assert meetings[0].join_url == "https://bluejeans.com/9036439807"


def test_five_prechecks_take_at_least_two_seconds_of_fake_time():
    fake = FakeBlueJeans()
    clock = FakeTime()
    sent_at: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent_at.append(clock.now)
        return fake(request)

    async def body(client: BlueJeansClient) -> None:
        await asyncio.gather(*(client.precheck("9036439807") for _ in range(5)))

    start = clock.now
    run(handler, body, time=clock)
    assert len(sent_at) == 5
    assert clock.now - start >= 2.0
    gaps = [b - a for a, b in itertools.pairwise(sent_at)]
    assert all(gap >= 0.5 for gap in gaps)
    # Never more than two requests within any one second.
    assert all(sent_at[i + 2] - sent_at[i] >= 1.0 for i in range(len(sent_at) - 2))


def test_pacer_does_not_wait_when_requests_are_far_apart():
    clock = FakeTime()

    async def go() -> None:
        pacer = RelayPacer(clock=clock.clock, sleep=clock.sleep)
        await pacer.wait()
        clock.now += 10
        await pacer.wait()

    asyncio.run(go())
    assert clock.slept == []


def test_clients_of_one_relay_share_its_pacer_on_an_event_loop():
    async def pacers() -> tuple[RelayPacer, RelayPacer, RelayPacer]:
        return (shared_pacer("https://relay.test/api"), shared_pacer("https://relay.test/api"),
                shared_pacer("https://other.test/api"))

    first = asyncio.run(pacers())
    second = asyncio.run(pacers())
    assert first[0] is first[1] and first[0] is not first[2]
    assert second[0] is not first[0]  # a new event loop gets new pacers (asyncio locks)


def test_create_relay_token_returns_it_and_uses_it_for_prechecks():
    fake = FakeBlueJeans()

    async def body(client: BlueJeansClient) -> str:
        token = await client.create_relay_token("demo@bluejeans.test", "secret")
        await client.precheck("9036439807")
        return token

    assert run(fake, body, credentials=Credentials()) == "DFG67SD876DFG76SDF5"
    auth_request, check_request = fake.requests
    assert auth_request.method == "POST"
    assert auth_request.url.path == "/bluejeans/relay/api/auth/accesstokens"
    assert check_request.headers["x-access-token"] == "DFG67SD876DFG76SDF5"


def test_create_relay_token_with_wrong_password():
    with pytest.raises(AuthenticationRequired):
        run(FakeBlueJeans(), lambda c: c.create_relay_token("demo@bluejeans.test", "wrong"))


# ---- Meetings REST ---------------------------------------------------------------------


def test_list_meetings_with_password_grant():
    fake = FakeBlueJeans()
    meetings = run(fake, lambda c: c.list_meetings())
    assert fake.paths() == [
        "/bluejeans/rest/oauth2/token",
        "/bluejeans/rest/v1/user/1442589/scheduled_meeting",
    ]
    assert fake.requests[1].headers["authorization"] == "Bearer token-1"
    first, second = meetings
    assert (first.id, first.number) == ("9", "9036439807")
    assert first.join_url == f"{BASE}/web/9036439807"
    assert first.role is Role.PRESENTER
    assert second.role is Role.VIEWER
    assert first.account == "work"


def test_list_meetings_filters_the_window_client_side():
    fake = FakeBlueJeans()
    start = dt.datetime(2023, 11, 15, tzinfo=dt.UTC)  # after the sample meeting
    meetings = run(fake, lambda c: c.list_meetings(start, start + dt.timedelta(days=1)))
    assert [m.number for m in meetings] == ["494435558"]  # only the timeless one
    assert "start" not in fake.requests[-1].url.params  # the API has no date filter


def test_list_meetings_rejects_naive_datetimes():
    with pytest.raises(InvalidInput) as info:
        run(FakeBlueJeans(), lambda c: c.list_meetings(dt.datetime(2026, 1, 1)))
    assert info.value.field == "start"


def test_token_is_cached_until_expires_in_minus_a_minute():
    fake = FakeBlueJeans()
    fake.expires_in = 3600
    clock = FakeTime()

    async def body(client: BlueJeansClient) -> None:
        await client.list_meetings()
        clock.now += 3600 - 61  # still valid
        await client.list_meetings()
        assert fake.tokens_issued == 1
        clock.now += 2  # within the last minute: renew
        await client.list_meetings()
        assert fake.tokens_issued == 2

    run(fake, body, time=clock)


def test_a_401_drops_the_token_and_retries_once():
    fake = FakeBlueJeans()

    async def body(client: BlueJeansClient) -> None:
        await client.list_meetings()
        fake.valid_tokens.clear()  # revoked on the server
        meetings = await client.list_meetings()
        assert len(meetings) == 2

    run(fake, body)
    assert fake.tokens_issued == 2
    assert fake.paths().count("/bluejeans/rest/v1/user/1442589/scheduled_meeting") == 3


def test_a_second_401_is_reported():
    fake = FakeBlueJeans()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/bluejeans/rest/v1/"):
            fake.requests.append(request)
            return httpx.Response(401, json={"message": "Unauthorized"})
        return fake(request)

    with pytest.raises(AuthenticationRequired):
        run(handler, lambda c: c.list_meetings())
    assert fake.tokens_issued == 2  # one re-grant, no loop


def test_wrong_password_is_authentication_required():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"message": "Invalid username or password"})

    with pytest.raises(AuthenticationRequired):
        run(handler, lambda c: c.list_meetings())


def test_client_credentials_look_up_the_user_by_email():
    fake = FakeBlueJeans()
    creds = Credentials(client_id="app", client_secret="secret")
    meetings = run(fake, lambda c: c.list_meetings(), credentials=creds)
    assert fake.paths() == [
        "/bluejeans/rest/oauth2/token",
        "/bluejeans/rest/v1/enterprise/6/users",
        "/bluejeans/rest/v1/user/1442589/scheduled_meeting",
    ]
    assert meetings[0].role is Role.PRESENTER


def test_client_credentials_need_the_users_email():
    account = Account("bj", Provider.BLUEJEANS, f"{BASE}/rest", relay_url=f"{BASE}/relay/api")
    creds = Credentials(client_id="app", client_secret="secret")
    with pytest.raises(ConfigError):
        run(FakeBlueJeans(), lambda c: c.list_meetings(), account=account, credentials=creds)


def test_relay_only_account_lists_nothing():
    fake = FakeBlueJeans()
    account = Account("bj", Provider.BLUEJEANS, f"{BASE}/rest")

    async def body(client: BlueJeansClient) -> list[Any]:
        assert client.can_list is False
        return await client.list_meetings()

    assert run(fake, body, account=account, credentials=Credentials(relay_token="relay")) == []
    assert fake.requests == []


def test_can_list_with_rest_credentials():
    async def body(client: BlueJeansClient) -> bool:
        return client.can_list

    assert run(FakeBlueJeans(), body) is True


def test_get_meeting_by_internal_id():
    fake = FakeBlueJeans()
    meeting = run(fake, lambda c: c.get_meeting("9"))
    assert fake.requests[-1].url.path == "/bluejeans/rest/v1/user/1442589/scheduled_meeting/9"
    assert (meeting.id, meeting.number) == ("9", "9036439807")


def test_get_meeting_unknown_id():
    with pytest.raises(NotFound):
        run(FakeBlueJeans(), lambda c: c.get_meeting("12345"))


def test_get_meeting_validates_before_any_request():
    fake = FakeBlueJeans()
    with pytest.raises(InvalidInput):
        run(fake, lambda c: c.get_meeting("https://bluejeans.com/9036439807"))
    assert fake.requests == []


def test_secrets_stay_out_of_the_repr():
    async def body(client: BlueJeansClient) -> str:
        await client.list_meetings()
        return repr(client)

    text = run(FakeBlueJeans(), body)
    assert "token" not in text
    assert "password" not in text
