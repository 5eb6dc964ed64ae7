"""Skype UCWA client over httpx.MockTransport: the whole sign-in chain, meetings, joins."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.parse
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import httpx
import pytest

from launcher.core.errors import (
    AuthenticationRequired,
    InvalidInput,
    JoinFailed,
    NotFound,
    ProviderUnavailable,
    Rejected,
)
from launcher.core.models import Account, Credentials, Provider, Role
from launcher.providers.base import JoinProgress, MeetingJoiner, MeetingLister
from launcher.providers.skype.client import SkypeClient

DATA = Path(__file__).resolve().parents[2] / "data" / "skype"
DISCOVERY = "https://lyncdiscover.contoso.test/"
WEB = "https://lyncweb.contoso.test"
POOL = "https://pool.contoso.test"
POOL2 = "https://pool2.contoso.test"
USER_PATH = "/Autodiscover/AutodiscoverService.svc/root/oauth/user"
ACCOUNT = Account("corp", Provider.SKYPE, DISCOVERY, web_url="https://meet.contoso.test")
CREDS = Credentials(username="demo@contoso.test", password="demo-skype-password")
T = TypeVar("T")


def uri(meeting_id: str) -> str:
    return f"sip:demo@contoso.test;gruu;opaque=app:conf:focus:id:{meeting_id}"


def sample(name: str) -> Any:
    return json.loads((DATA / name).read_bytes())


def error(status: int, code: str, subcode: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"code": code, "message": "The server says no."}
    if subcode:
        body["subcode"] = subcode
    return httpx.Response(status, json=body)


class FakeTime:
    def __init__(self) -> None:
        self.now = 5000.0

    def clock(self) -> float:
        return self.now


class FakeUcwa:
    """A scripted UCWA server: discovery, web ticket, applications, meetings, events."""

    SYNC_ERRORS: ClassVar[dict[str, tuple[int, str, str | None]]] = {
        "NOTFOUND": (404, "NotFound", "DestinationNotFound"),
        "FORBID01": (403, "Forbidden", None),
        "CALLBACK": (500, "ServiceFailure", "CallbackChannelError"),
        "EXISTS01": (409, "Conflict", "AlreadyExists"),
        "GROUPS01": (409, "Conflict", "TooManyGroups"),
        "CONFLICT": (409, "Conflict", None),
        "REDIRECT": (410, "Gone", "CannotRedirect"),
    }

    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.requests: list[httpx.Request] = []
        self.tokens_issued = 0
        self.valid_tokens: set[str] = set()
        self.expires_in = 28800
        self.apps_created = 0
        self.live_apps: set[int] = set()
        self.app_bodies: list[dict[str, Any]] = []
        self.join_bodies: list[dict[str, Any]] = []
        self.senders: list[dict[str, Any]] = []  # one sender per poll answer
        self.acks: list[str] = []
        self.poll_queries: list[dict[str, str]] = []
        self.inject: list[tuple[Callable[[httpx.Request], bool], httpx.Response]] = []
        self.user_redirect: str | None = None
        self.poll_advances = 0.0
        self.meetings = sample("my_online_meetings.json")
        self.invitations = 0

    # -- plumbing --

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for i, (matches, response) in enumerate(self.inject):
            if matches(request):
                del self.inject[i]
                return response
        origin = f"{request.url.scheme}://{request.url.host}"
        path = request.url.path
        if origin + path == DISCOVERY:
            assert request.headers["accept"] == "application/json"
            return httpx.Response(
                200,
                json={
                    "_links": {"user": {"href": WEB + USER_PATH + "?originalDomain=contoso.test"}}
                },
            )
        if path == USER_PATH:
            if not self.authorized(request):
                return self.challenge("/WebTicket/oauthtoken")
            if self.user_redirect and origin == WEB:
                return httpx.Response(
                    200, json={"_links": {"redirect": {"href": self.user_redirect}}}
                )
            return httpx.Response(
                200,
                json={
                    "_links": {
                        "applications": {
                            "href": f"{origin.replace(WEB, POOL)}/ucwa/oauth/v1/applications"
                        }
                    }
                },
            )
        if path == "/WebTicket/oauthtoken":
            form = dict(urllib.parse.parse_qsl(request.content.decode()))
            assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
            if form != {
                "grant_type": "password",
                "username": "demo@contoso.test",
                "password": "demo-skype-password",
            }:
                return httpx.Response(400, json={"error": "invalid_grant"})
            self.tokens_issued += 1
            token = f"cwt=token-{self.tokens_issued}"
            self.valid_tokens.add(token)
            return httpx.Response(
                200,
                json={"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"},
            )
        if path == "/ucwa/oauth/v1/applications" and request.method == "POST":
            if not self.authorized(request):
                return self.challenge("/WebTicket/oauthtoken")
            return self.create_application(request)
        match = re.fullmatch(r"/ucwa/oauth/v1/applications/(\d+)/(.+)", path)
        if match:
            if not self.authorized(request):
                return self.challenge("/WebTicket/oauthtoken")
            app = int(match[1])
            if app not in self.live_apps:
                return error(404, "NotFound", "ApplicationNotFound")
            return self.app_resource(request, app, match[2])
        raise AssertionError(f"unexpected request {request.method} {request.url}")

    def authorized(self, request: httpx.Request) -> bool:
        return request.headers.get("authorization", "").removeprefix("Bearer ") in self.valid_tokens

    def challenge(self, href: str) -> httpx.Response:
        return httpx.Response(
            401,
            headers=[
                (
                    "WWW-Authenticate",
                    'Bearer trusted_issuers="", client_id="00000004-0000-0ff1-ce00-000000000000"',
                ),
                (
                    "WWW-Authenticate",
                    f'MsRtcOAuth href="{href}",'
                    'grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"',
                ),
                ("Content-Type", "text/html"),
            ],
            text="<html>401 Unauthorized</html>",
        )

    def create_application(self, request: httpx.Request) -> httpx.Response:
        self.app_bodies.append(json.loads(request.content))
        self.apps_created += 1
        app = 100 + self.apps_created
        self.live_apps.add(app)
        base = f"/ucwa/oauth/v1/applications/{app}"
        body = sample("application.json")
        body["_links"]["self"]["href"] = base
        body["_links"]["events"]["href"] = f"{base}/events?ack=1"
        body["_embedded"]["me"]["uri"] = "sip:demo@contoso.test"
        body["_embedded"]["onlineMeetings"]["_links"]["myOnlineMeetings"]["href"] = (
            f"{base}/onlineMeetings/myOnlineMeetings"
        )
        body["_embedded"]["communication"]["_links"]["joinOnlineMeeting"]["href"] = (
            f"{base}/communication/onlineMeetingInvitations"
        )
        return httpx.Response(201, json=body)

    def app_resource(self, request: httpx.Request, app: int, rest: str) -> httpx.Response:
        if rest == "onlineMeetings/myOnlineMeetings":
            return httpx.Response(200, json=self.meetings)
        if rest == "communication/onlineMeetingInvitations" and request.method == "POST":
            return self.join(json.loads(request.content), app)
        if rest == "events":
            self.acks.append(request.url.params["ack"])
            self.poll_queries.append(dict(request.url.params))
            self.time.now += self.poll_advances
            ack = int(request.url.params["ack"])
            base = f"/ucwa/oauth/v1/applications/{app}/events"
            body: dict[str, Any] = {
                "_links": {
                    "self": {"href": f"{base}?ack={ack}"},
                    "next": {"href": f"{base}?ack={ack + 1}"},
                }
            }
            if self.senders:
                body["sender"] = [self.senders.pop(0)]
            return httpx.Response(200, json=body)
        raise AssertionError(f"unexpected app resource {rest}")

    def join(self, body: dict[str, Any], app: int) -> httpx.Response:
        self.join_bodies.append(body)
        meeting = body["onlineMeetingUri"].rsplit(":", 1)[-1]
        if meeting in self.SYNC_ERRORS:
            return error(*self.SYNC_ERRORS[meeting])
        self.invitations += 1
        invitation = (
            f"/ucwa/oauth/v1/applications/{app}/communication/invitations/{self.invitations}"
        )
        op = body["operationId"]
        stray = self.invitation_event(
            app,
            invitation + "0",
            "other-op",
            "completed",
            status="Failure",
            reason={"code": "Forbidden", "subcode": "Denied"},
        )
        self.senders.append(stray)  # someone else's operation: must be ignored
        self.senders.append(self.invitation_event(app, invitation, op, "started"))
        if meeting in ("LOBBY001", "DENIED01"):
            self.senders.append(self.lobby_event(app, True))
            self.senders.append(self.invitation_event(app, invitation, op, "updated"))
            if meeting == "DENIED01":
                self.senders.append(
                    self.invitation_event(
                        app,
                        invitation,
                        op,
                        "completed",
                        status="Failure",
                        state="Failed",
                        reason={
                            "code": "Forbidden",
                            "subcode": "Denied",
                            "message": "Denied by the organizer",
                        },
                    )
                )
                return httpx.Response(201, headers={"Location": invitation})
            self.senders.append(self.lobby_event(app, False))
        else:
            self.senders.append(self.invitation_event(app, invitation, op, "updated"))
        self.senders.append(
            self.invitation_event(
                app, invitation, op, "completed", status="Success", state="Connected"
            )
        )
        return httpx.Response(201, headers={"Location": invitation})

    @staticmethod
    def invitation_event(
        app: int,
        href: str,
        op: str,
        kind: str,
        *,
        status: str | None = None,
        state: str = "Connecting",
        reason: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        event: dict[str, Any] = {
            "link": {"rel": "onlineMeetingInvitation", "href": href},
            "_embedded": {
                "onlineMeetingInvitation": {
                    "operationId": op,
                    "state": state,
                    "rel": "onlineMeetingInvitation",
                }
            },
            "type": kind,
        }
        if status:
            event["status"] = status
        if reason:
            event["reason"] = reason
        return {
            "rel": "communication",
            "href": f"/ucwa/oauth/v1/applications/{app}/communication",
            "events": [event],
        }

    @staticmethod
    def lobby_event(app: int, in_lobby: bool) -> dict[str, Any]:
        conversation = f"/ucwa/oauth/v1/applications/{app}/communication/conversations/1"
        return {
            "rel": "conversation",
            "href": conversation,
            "events": [
                {
                    "link": {"rel": "localParticipant", "href": conversation + "/localParticipant"},
                    "_embedded": {
                        "localParticipant": {
                            "rel": "localParticipant",
                            "inLobby": in_lobby,
                            "uri": "sip:demo@contoso.test",
                        }
                    },
                    "type": "updated",
                }
            ],
        }

    def trail(self) -> list[str]:
        return [f"{r.method} {r.url.host}{r.url.path}" for r in self.requests]


def run(
    body: Callable[[SkypeClient, FakeUcwa], Coroutine[Any, Any, T]],
    *,
    setup: Callable[[FakeUcwa], None] | None = None,
    credentials: Credentials = CREDS,
    **options: Any,
) -> tuple[T, FakeUcwa]:
    time = FakeTime()
    server = FakeUcwa(time)
    if setup:
        setup(server)

    async def go() -> T:
        async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as http:
            client = SkypeClient(http, ACCOUNT, credentials, clock=time.clock, **options)
            return await body(client, server)

    return asyncio.run(go()), server


async def collect(client: SkypeClient, meeting_id: str, **kwargs: Any) -> list[JoinProgress]:
    return [p async for p in client.join(uri(meeting_id), **kwargs)]


def states(progress: list[JoinProgress]) -> list[str]:
    return [p.state for p in progress]


# ---- the chain -----------------------------------------------------------------------------


def test_client_satisfies_the_capability_protocols():
    async def body(client: SkypeClient, server: FakeUcwa) -> None:
        assert isinstance(client, MeetingLister)
        assert isinstance(client, MeetingJoiner)

    run(body)


def test_full_chain_and_a_join_that_succeeds():
    progress, server = run(lambda c, s: collect(c, "SUCCESS1", subject="Weekly"))
    assert states(progress) == ["connecting", "joined"]
    assert server.trail()[:6] == [
        "GET lyncdiscover.contoso.test/",
        f"GET lyncweb.contoso.test{USER_PATH}",
        "POST lyncweb.contoso.test/WebTicket/oauthtoken",
        f"GET lyncweb.contoso.test{USER_PATH}",
        "POST pool.contoso.test/ucwa/oauth/v1/applications",
        "POST pool.contoso.test/ucwa/oauth/v1/applications/101/communication/"
        "onlineMeetingInvitations",
    ]
    discovery, anonymous_user, _, user = server.requests[:4]
    assert "authorization" not in discovery.headers
    assert "authorization" not in anonymous_user.headers
    assert user.headers["authorization"] == "Bearer cwt=token-1"
    (app_body,) = server.app_bodies
    assert app_body["userAgent"] == "MeetingLauncher/0.1.0"
    assert app_body["culture"] == "en-US"
    assert uuid.UUID(app_body["endpointId"]).version == 4
    (join_body,) = server.join_bodies
    assert join_body["onlineMeetingUri"] == uri("SUCCESS1")
    assert join_body["importance"] == "Normal"
    assert join_body["subject"] == "Weekly"
    assert 0 < len(join_body["operationId"]) <= 50
    # The event channel starts at the application's events link, then always follows next.
    assert server.acks == ["1", "2", "3", "4"]
    assert all(q["timeout"] == "180" for q in server.poll_queries)


def test_join_through_the_lobby():
    progress, _ = run(lambda c, s: collect(c, "LOBBY001"))
    assert progress == [
        JoinProgress("connecting", "Connecting to the meeting…"),
        JoinProgress("lobby", "Waiting in the lobby until someone lets you in"),
        JoinProgress("connecting", "You were let in from the lobby; joining the meeting…"),
        JoinProgress("joined", "You are in the meeting."),
    ]


def test_denied_from_the_lobby():
    seen: list[JoinProgress] = []

    async def body(client: SkypeClient, server: FakeUcwa) -> None:
        async for progress in client.join(uri("DENIED01")):
            seen.append(progress)

    with pytest.raises(JoinFailed) as info:
        run(body)
    assert info.value.code == "Denied"
    assert "The organiser or a presenter did not let you in from the lobby." in str(info.value)
    assert states(seen) == ["connecting", "lobby"]


@pytest.mark.parametrize(
    ("meeting", "error_type", "code"),
    [
        ("NOTFOUND", NotFound, None),
        ("FORBID01", Rejected, "Forbidden"),
        ("CALLBACK", ProviderUnavailable, None),
        ("EXISTS01", Rejected, "AlreadyExists"),
        ("GROUPS01", Rejected, "TooManyGroups"),
        ("CONFLICT", Rejected, "Conflict"),
        ("REDIRECT", ProviderUnavailable, None),
    ],
)
def test_synchronous_join_errors(meeting: str, error_type: type[Exception], code: str | None):
    with pytest.raises(error_type) as info:
        run(lambda c, s: collect(c, meeting))
    if code is not None:
        assert info.value.code == code  # type: ignore[attr-defined]
    if meeting == "NOTFOUND":
        assert "The meeting could not be found: check the link" in str(info.value)


def test_join_validates_before_any_request():
    async def body(client: SkypeClient, server: FakeUcwa) -> None:
        with pytest.raises(InvalidInput) as info:
            client.join("https://meet.contoso.test/demo/SUCCESS1")
        assert info.value.field == "online_meeting_uri"
        with pytest.raises(InvalidInput) as info:
            client.join(uri("SUCCESS1"), subject="x" * 251)
        assert info.value.field == "subject"

    _, server = run(body)
    assert server.requests == []


def test_wrong_password():
    with pytest.raises(AuthenticationRequired) as info:
        run(
            lambda c, s: c.list_meetings(),
            credentials=Credentials(username="demo@contoso.test", password="nope"),
        )
    assert "user name or password" in str(info.value)


def test_missing_password_sends_nothing_to_the_token_url():
    servers: list[FakeUcwa] = []
    with pytest.raises(AuthenticationRequired):
        run(
            lambda c, s: c.list_meetings(),
            setup=servers.append,
            credentials=Credentials(username="demo@contoso.test"),
        )
    assert not any("oauthtoken" in r.url.path for r in servers[0].requests)


def test_user_redirect_restarts_on_the_other_pool():
    def setup(server: FakeUcwa) -> None:
        server.user_redirect = POOL2 + USER_PATH

    meetings, server = run(lambda c, s: c.list_meetings(), setup=setup)
    assert len(meetings) == 1
    trail = server.trail()
    assert trail[4:8] == [
        f"GET pool2.contoso.test{USER_PATH}",  # unauthenticated again: a new challenge
        "POST pool2.contoso.test/WebTicket/oauthtoken",  # token URL relative to pool2
        f"GET pool2.contoso.test{USER_PATH}",
        "POST pool2.contoso.test/ucwa/oauth/v1/applications",  # the link pool2 gave
    ]
    assert "authorization" not in server.requests[4].headers


def test_redirect_loops_are_bounded():
    def setup(server: FakeUcwa) -> None:
        server.user_redirect = WEB + USER_PATH  # back to itself, forever

    with pytest.raises(ProviderUnavailable):
        run(lambda c, s: c.list_meetings(), setup=setup)


# ---- meetings -------------------------------------------------------------------------------


def test_list_meetings_maps_and_filters():
    import datetime as dt

    async def body(client: SkypeClient, server: FakeUcwa) -> tuple[Any, Any]:
        everything = await client.list_meetings()
        later = await client.list_meetings(dt.datetime(2017, 1, 1, tzinfo=dt.UTC))
        return everything, later

    (everything, later), server = run(body)
    (meeting,) = everything
    assert meeting.id == "IB88RLLY"
    assert meeting.role is Role.VIEWER  # demo is neither organizer nor leader
    assert meeting.account == "corp"
    assert later == []  # expired in 2016
    assert server.apps_created == 1  # one application serves every call


def test_application_not_found_recreates_it_once_silently():
    async def body(client: SkypeClient, server: FakeUcwa) -> Any:
        await client.list_meetings()
        server.live_apps.clear()  # the server forgot the idle application
        return await client.list_meetings()

    meetings, server = run(body)
    assert len(meetings) == 1
    assert server.apps_created == 2
    assert server.app_bodies[0]["endpointId"] == server.app_bodies[1]["endpointId"]
    assert (
        server.trail()[-1]
        == "GET pool.contoso.test/ucwa/oauth/v1/applications/102/onlineMeetings/myOnlineMeetings"
    )


def test_application_not_found_twice_is_reported():
    def setup(server: FakeUcwa) -> None:
        gone = error(404, "NotFound", "ApplicationNotFound")
        is_list = lambda r: r.url.path.endswith("/myOnlineMeetings")  # noqa: E731
        server.inject = [(is_list, gone), (is_list, gone)]

    with pytest.raises(ProviderUnavailable):
        run(lambda c, s: c.list_meetings(), setup=setup)


def test_token_is_renewed_when_less_than_five_minutes_are_left():
    def setup(server: FakeUcwa) -> None:
        server.expires_in = 3600

    async def body(client: SkypeClient, server: FakeUcwa) -> None:
        await client.list_meetings()
        server.time.now += 3600 - 301
        await client.list_meetings()
        assert server.tokens_issued == 1
        server.time.now += 2
        await client.list_meetings()
        assert server.tokens_issued == 2
        assert server.requests[-1].headers["authorization"] == "Bearer cwt=token-2"

    _, server = run(body, setup=setup)
    assert server.apps_created == 1  # a new token does not need a new application


def test_a_refused_token_is_regranted_once():
    async def body(client: SkypeClient, server: FakeUcwa) -> Any:
        await client.list_meetings()
        server.valid_tokens.clear()
        return await client.list_meetings()

    meetings, server = run(body)
    assert len(meetings) == 1
    assert server.tokens_issued == 2


def test_inactive_application_is_explained_and_forgotten():
    async def body(client: SkypeClient, server: FakeUcwa) -> Any:
        await client.list_meetings()
        server.inject = [
            (
                lambda r: r.url.path.endswith("/myOnlineMeetings"),
                error(410, "Gone", "InactiveApplicationExpired"),
            )
        ]
        with pytest.raises(Rejected) as info:
            await client.list_meetings()
        assert info.value.code == "InactiveApplicationExpired"
        return await client.list_meetings()  # the user's retry gets a new application

    _, server = run(body)
    assert server.apps_created == 2


# ---- event channel ---------------------------------------------------------------------------


def test_pget_replaced_is_retried_once_on_the_same_url():
    def setup(server: FakeUcwa) -> None:
        server.inject = [
            (lambda r: "/events" in r.url.path, error(409, "Conflict", "PGetReplaced"))
        ]

    progress, server = run(lambda c, s: collect(c, "SUCCESS1"), setup=setup)
    assert states(progress) == ["connecting", "joined"]
    assert server.acks[:2] == ["1", "2"]  # the replaced P-GET (ack=1) is not counted by acks
    polls = [r for r in server.requests if "/events" in r.url.path]
    assert polls[0].url == polls[1].url


def test_pget_replaced_twice_is_reported():
    def setup(server: FakeUcwa) -> None:
        replaced = error(409, "Conflict", "PGetReplaced")
        is_poll = lambda r: "/events" in r.url.path  # noqa: E731
        server.inject = [(is_poll, replaced), (is_poll, replaced)]

    with pytest.raises(Rejected) as info:
        run(lambda c, s: collect(c, "SUCCESS1"), setup=setup)
    assert info.value.code == "PGetReplaced"


def test_resync_and_resume_links_are_followed():
    base = "/ucwa/oauth/v1/applications/101/events"

    def setup(server: FakeUcwa) -> None:
        first = httpx.Response(200, json={"_links": {"resync": {"href": f"{base}?ack=7"}}})
        second = httpx.Response(200, json={"_links": {"resume": {"href": f"{base}?ack=8"}}})
        is_poll = lambda r: "/events" in r.url.path  # noqa: E731
        server.inject = [(is_poll, first), (is_poll, second)]

    progress, server = run(lambda c, s: collect(c, "SUCCESS1"), setup=setup)
    assert states(progress) == ["connecting", "joined"]
    assert server.acks[:2] == ["8", "9"]  # after the injected answers: resume → ack=8, then next


def test_poll_timeout_is_a_constructor_argument():
    progress, server = run(lambda c, s: collect(c, "SUCCESS1"), poll_timeout=30)
    assert {q["timeout"] for q in server.poll_queries} == {"30"}
    poll = next(r for r in server.requests if "/events" in r.url.path)
    assert poll.extensions["timeout"]["read"] == pytest.approx(45.0)
    assert states(progress)[-1] == "joined"


def test_join_gives_up_after_the_deadline():
    def setup(server: FakeUcwa) -> None:
        server.poll_advances = 200.0  # each empty long poll takes 200 s of fake time

    async def body(client: SkypeClient, server: FakeUcwa) -> list[JoinProgress]:
        seen = []
        server.senders.clear()
        async for progress in client.join(uri("SILENT01")):
            seen.append(progress)
            server.senders.clear()  # the meeting never answers
        return seen

    servers: list[FakeUcwa] = []

    def setup_and_keep(server: FakeUcwa) -> None:
        setup(server)
        servers.append(server)

    with pytest.raises(JoinFailed) as info:
        run(body, setup=setup_and_keep, join_deadline=600)
    assert info.value.code == "timeout"
    assert len(servers[0].acks) == 3  # 3 x 200 s of fake time reach the 600 s deadline
    assert "10 minutes" in str(info.value)


def test_application_lost_during_a_join_rejoins_once():
    polls = {"n": 0}

    def setup(server: FakeUcwa) -> None:
        def first_poll(request: httpx.Request) -> bool:
            if "/events" in request.url.path and polls["n"] == 0:
                polls["n"] += 1
                server.live_apps.clear()
                server.senders.clear()
                return True
            return False

        server.inject = [(first_poll, error(404, "NotFound", "ApplicationNotFound"))]

    progress, server = run(lambda c, s: collect(c, "SUCCESS1"), setup=setup)
    assert states(progress) == ["connecting", "joined"]
    assert server.apps_created == 2
    first, second = server.join_bodies
    assert first["operationId"] != second["operationId"]
    assert server.acks[0] == "1"  # the new application's channel starts at its own events link


def test_only_one_join_at_a_time():
    async def body(client: SkypeClient, server: FakeUcwa) -> None:
        first = client.join(uri("LOBBY001"))
        assert (await first.__anext__()).state == "connecting"
        with pytest.raises(Rejected) as info:
            await client.join(uri("SUCCESS1")).__anext__()
        assert info.value.code == "JoinInProgress"
        await first.aclose()
        assert states(await collect(client, "SUCCESS1"))[-1] == "joined"

    run(body)


def test_a_second_join_continues_on_the_same_channel():
    async def body(client: SkypeClient, server: FakeUcwa) -> None:
        await collect(client, "SUCCESS1")
        await collect(client, "LOBBY001")

    _, server = run(body)
    assert server.apps_created == 1
    assert server.acks == [str(n) for n in range(1, len(server.acks) + 1)]


def test_repr_has_no_secrets():
    async def body(client: SkypeClient, server: FakeUcwa) -> str:
        await client.list_meetings()
        return repr(client)

    text, _ = run(body)
    assert "cwt=" not in text
    assert "password" not in text


def test_constructor_checks_its_options():
    async def go() -> None:
        async with httpx.AsyncClient() as http:
            with pytest.raises(ValueError, match="poll_timeout"):
                SkypeClient(http, ACCOUNT, CREDS, poll_timeout=0)
            with pytest.raises(ValueError, match="join_deadline"):
                SkypeClient(http, ACCOUNT, CREDS, join_deadline=0)

    asyncio.run(go())
