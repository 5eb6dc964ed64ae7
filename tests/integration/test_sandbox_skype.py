"""The sandbox's UCWA chain end to end over real loopback HTTP (plain httpx)."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from launcher.sandbox.server import RunningSandbox, start_in_thread

URI = "sip:demo@contoso.test;gruu;opaque=app:conf:focus:id:{}"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_in_thread() as running:
        running.state.skype.lobby_seconds = 0.3
        running.state.skype.max_poll_seconds = 1.0
        yield running


@pytest.fixture(autouse=True)
def _clean(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.state.clear_faults()
    yield
    sandbox.state.set_clock(None)
    sandbox.state.skype.max_poll_seconds = 1.0


@pytest.fixture(scope="module")
def http(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, timeout=5) as client:
        yield client


class Ucwa:
    """What a client has after walking the chain: token, application and links."""

    def __init__(self, http: httpx.Client, token: str, app: dict[str, Any]) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"}
        self.app = app
        self.next_events: str = app["_links"]["events"]["href"]

    def get(self, href: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(href, headers=self.headers, **kwargs)

    def post(self, href: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(href, headers=self.headers, **kwargs)

    def link(self, *path: str) -> str:
        node: Any = self.app
        for key in path:
            node = node[key]
        href = node["href"]
        assert isinstance(href, str)
        return href

    def join(self, meeting_id: str, **body: Any) -> httpx.Response:
        href = self.link("_embedded", "communication", "_links", "joinOnlineMeeting")
        return self.post(href, json={"onlineMeetingUri": URI.format(meeting_id), **body})

    def with_timeout(self, href: str, timeout: float) -> str:
        # the link already carries ?ack=N: merge, do not replace (httpx's params= replaces)
        return str(httpx.URL(href).copy_merge_params({"timeout": timeout}))

    def poll(self, timeout: float = 1) -> dict[str, Any]:
        response = self.get(self.with_timeout(self.next_events, timeout))
        assert response.status_code == 200, response.text
        body = response.json()
        self.next_events = body["_links"]["next"]["href"]
        assert isinstance(body, dict)
        return body

    def events_until_completed(self, limit: float = 5) -> list[tuple[str, dict[str, Any]]]:
        """(sender rel, event) pairs up to and including the invitation's completed."""
        collected: list[tuple[str, dict[str, Any]]] = []
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            for sender in self.poll().get("sender", []):
                for event in sender["events"]:
                    collected.append((sender["rel"], event))
                    if event["type"] == "completed":
                        return collected
        raise AssertionError(f"no completed event: {collected}")


def walk_chain(http: httpx.Client, **app_body: Any) -> Ucwa:
    """Discovery → 401 challenge → web ticket → user → application, as a client does."""
    root = http.get("/skype/autodiscover/root")
    assert root.status_code == 200
    links = root.json()["_links"]
    assert set(links) == {"self", "user", "xframe"}
    challenge = http.get(links["user"]["href"])
    assert challenge.status_code == 401
    headers = challenge.headers.get_list("WWW-Authenticate")
    assert len(headers) == 2
    assert headers[0].startswith("Bearer ")
    msrtc = next(h for h in headers if h.startswith("MsRtcOAuth"))
    assert 'grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"' in msrtc
    match = re.search(r'href="([^"]+)"', msrtc)
    assert match is not None
    token = http.post(
        match.group(1),
        data={"grant_type": "password", "username": "demo@contoso.test",
              "password": "demo-skype-password"},
    )  # fmt: skip
    assert token.status_code == 200
    ticket = token.json()
    assert ticket["access_token"].startswith("cwt=")
    assert ticket["expires_in"] == 28800
    assert ticket["ms_rtc_identityscope"] == "local"
    assert ticket["token_type"] == "Bearer"
    auth = {"Authorization": f"Bearer {ticket['access_token']}"}
    user = http.get(links["user"]["href"], headers=auth)
    assert user.status_code == 200
    applications = user.json()["_links"]["applications"]["href"]
    body = app_body or {
        "UserAgent": "sandbox-tests",
        "EndpointId": "a917c6f4-976c-4cf3-847d-cdfffa28ccdf",
        "Culture": "en-US",
    }
    created = http.post(applications, json=body, headers=auth)
    assert created.status_code == 201, created.text
    return Ucwa(http, ticket["access_token"], created.json())


@pytest.fixture
def ucwa(http: httpx.Client) -> Ucwa:
    return walk_chain(http)


# ---------------------------------------------------------------------------- chain


def test_application_resource(ucwa: Ucwa) -> None:
    app = ucwa.app
    assert app["rel"] == "application"
    assert app["userAgent"] == "sandbox-tests"
    assert re.search(r"/events\?ack=1$", ucwa.link("_links", "events"))
    assert app["_embedded"]["me"]["uri"] == "sip:demo@contoso.test"
    join = ucwa.link("_embedded", "communication", "_links", "joinOnlineMeeting")
    assert join.endswith("/communication/onlineMeetingInvitations")
    assert ucwa.link("_embedded", "onlineMeetings", "_links", "myOnlineMeetings").endswith(
        "/onlineMeetings/myOnlineMeetings"
    )
    assert ucwa.get(ucwa.link("_links", "self")).json()["rel"] == "application"


def test_my_online_meetings(sandbox: RunningSandbox, ucwa: Ucwa) -> None:
    response = ucwa.get(ucwa.link("_embedded", "onlineMeetings", "_links", "myOnlineMeetings"))
    assert response.status_code == 200
    body = response.json()
    assert body["_embedded"]["myAssignedOnlineMeeting"] == []
    meetings = {m["onlineMeetingId"]: m for m in body["_embedded"]["myOnlineMeeting"]}
    assert {"SUCCESS1", "LOBBY001", "DENIED01", "NOTFOUND", "REDIRECT"} <= set(meetings)
    success = meetings["SUCCESS1"]
    assert success["onlineMeetingUri"] == URI.format("SUCCESS1")
    assert success["joinUrl"] == f"{sandbox.base_url}/skype/meet/demo/SUCCESS1"
    assert success["organizerUri"] == "sip:demo@contoso.test"
    assert re.fullmatch(r"/Date\(\d{12,14}\)/", success["expirationTime"])
    assert re.fullmatch(r"\d+", success["conferenceId"])
    for key in ("subject", "attendees", "leaders", "accessLevel", "_links"):
        assert key in success
    single = ucwa.get(success["_links"]["self"]["href"])
    assert single.status_code == 200
    assert single.json()["onlineMeetingId"] == "SUCCESS1"
    page = httpx.get(success["joinUrl"])
    assert page.status_code == 200
    assert "You joined Project sync as presenter" in page.text


def test_join_success(ucwa: Ucwa) -> None:
    response = ucwa.join("SUCCESS1", operationId="op-1", importance="Urgent", subject="Hi")
    assert response.status_code == 201
    assert response.content == b""
    location = response.headers["Location"]
    assert "/communication/invitations/" in location
    events = ucwa.events_until_completed()
    rels = [event["link"]["rel"] for _, event in events]
    assert set(rels) == {"onlineMeetingInvitation"}
    assert [event["type"] for _, event in events] == ["started", "completed"]
    started, completed = events[0][1], events[-1][1]
    invitation = started["_embedded"]["onlineMeetingInvitation"]
    assert invitation["operationId"] == "op-1"
    assert invitation["state"] == "Connecting"
    assert invitation["importance"] == "Urgent"
    assert completed["status"] == "Success"
    assert completed["_embedded"]["onlineMeetingInvitation"]["state"] == "Connected"
    assert ucwa.get(location).json()["state"] == "Connected"


def test_lobby_then_admitted(ucwa: Ucwa) -> None:
    began = time.monotonic()
    assert ucwa.join("LOBBY001", operationId="op-2").status_code == 201
    events = ucwa.events_until_completed()
    assert time.monotonic() - began >= 0.25
    lobby = [e for rel, e in events if rel == "conversation"]
    assert [e["_embedded"]["localParticipant"]["inLobby"] for e in lobby] == [True, False]
    assert all(e["link"]["rel"] == "localParticipant" and e["type"] == "updated" for e in lobby)
    order = [
        (rel, e["type"], e["_embedded"].get("localParticipant", {}).get("inLobby"))
        for rel, e in events
    ]
    assert order.index(("conversation", "updated", False)) < len(order) - 1
    completed = events[-1][1]
    assert completed["status"] == "Success"
    assert completed["_embedded"]["onlineMeetingInvitation"]["operationId"] == "op-2"
    states = {
        e["_embedded"]["onlineMeetingInvitation"]["state"]
        for rel, e in events[:-1]
        if rel == "communication"
    }
    assert states == {"Connecting"}  # stays Connecting while in the lobby


def test_lobby_then_denied(ucwa: Ucwa) -> None:
    assert ucwa.join("DENIED01").status_code == 201
    events = ucwa.events_until_completed()
    assert [
        e["_embedded"]["localParticipant"]["inLobby"] for rel, e in events if rel == "conversation"
    ] == [True]
    completed = events[-1][1]
    assert completed["status"] == "Failure"
    assert completed["reason"]["subcode"] == "Denied"
    assert completed["reason"]["code"]
    assert completed["reason"]["message"]


@pytest.mark.parametrize(
    ("meeting_id", "status", "code", "subcode"),
    [
        ("NOTFOUND", 404, "NotFound", "DestinationNotFound"),
        ("NOSUCHID", 404, "NotFound", "DestinationNotFound"),
        ("FORBID01", 403, "Forbidden", None),
        ("CALLBACK", 500, "ServiceFailure", "CallbackChannelError"),
        ("EXISTS01", 409, "Conflict", "AlreadyExists"),
        ("GROUPS01", 409, "Conflict", "TooManyGroups"),
        ("CONFLICT", 409, "Conflict", None),
        ("REDIRECT", 410, "Gone", "CannotRedirect"),
    ],
)
def test_synchronous_join_errors(
    ucwa: Ucwa, meeting_id: str, status: int, code: str, subcode: str | None
) -> None:
    response = ucwa.join(meeting_id)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert body.get("subcode") == subcode
    assert isinstance(body["message"], str)
    assert body["message"]


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"operationId": "x" * 51}, "operationId"),
        ({"subject": "s" * 251}, "subject"),
        ({"importance": "High"}, "importance"),
        ({"threadId": 12}, "threadId"),
    ],
)
def test_join_validation(ucwa: Ucwa, body: dict[str, Any], parameter: str) -> None:
    response = ucwa.join("SUCCESS1", **body)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "BadRequest"
    assert error["subcode"] == "ParameterValidationFailure"
    assert parameter in error["message"]


def test_join_limits_are_inclusive(ucwa: Ucwa) -> None:
    assert ucwa.join("SUCCESS1", operationId="x" * 50, subject="s" * 250).status_code == 201


# ---------------------------------------------------------------------------- auth, apps


@pytest.mark.parametrize(
    "form",
    [
        {"grant_type": "password", "username": "demo@contoso.test", "password": "wrong"},
        {"grant_type": "password", "username": "nobody@contoso.test", "password": "x"},
    ],
)
def test_token_bad_credentials(http: httpx.Client, form: dict[str, str]) -> None:
    response = http.post("/skype/WebTicket/oauthtoken", data=form)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant"}


def test_token_request_errors(http: httpx.Client) -> None:
    as_json = http.post("/skype/WebTicket/oauthtoken", json={"grant_type": "password"})
    assert as_json.status_code == 400
    assert as_json.json()["error"] == "invalid_request"
    other = http.post(
        "/skype/WebTicket/oauthtoken", data={"grant_type": "urn:microsoft.rtc:passive"}
    )
    assert other.status_code == 400
    assert other.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize(
    "body",
    [
        {"endpointId": "e", "culture": "en-US"},
        {"userAgent": "u" * 101, "endpointId": "e", "culture": "en-US"},
        {"userAgent": "u", "endpointId": "", "culture": "en-US"},
        {"userAgent": "u", "endpointId": "e"},
    ],
)
def test_application_validation(ucwa: Ucwa, body: dict[str, Any]) -> None:
    applications = ucwa.link("_links", "self").rsplit("/", 1)[0]
    response = ucwa.post(applications, json=body)
    assert response.status_code == 400
    assert response.json()["subcode"] == "ParameterValidationFailure"


def test_application_keys_are_case_insensitive(http: httpx.Client) -> None:
    ucwa = walk_chain(http, userAgent="camel", endpointId="e-1", culture="en-GB")
    assert ucwa.app["userAgent"] == "camel"
    assert ucwa.app["culture"] == "en-GB"


def test_dropped_application_is_not_found(sandbox: RunningSandbox, ucwa: Ucwa) -> None:
    sandbox.state.skype.drop_applications()
    for href in (ucwa.next_events, ucwa.link("_links", "self")):
        response = ucwa.get(href)
        assert response.status_code == 404
        assert response.json()["code"] == "NotFound"
        assert response.json()["subcode"] == "ApplicationNotFound"
    assert ucwa.join("SUCCESS1").json()["subcode"] == "ApplicationNotFound"


def test_expired_token_gets_the_challenge(sandbox: RunningSandbox, ucwa: Ucwa) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=8, seconds=1)
    sandbox.state.set_clock(lambda: later)
    response = ucwa.get(ucwa.link("_links", "self"))
    assert response.status_code == 401
    assert any(h.startswith("MsRtcOAuth") for h in response.headers.get_list("WWW-Authenticate"))


def test_short_token_lifetime_knob(sandbox: RunningSandbox, http: httpx.Client) -> None:
    sandbox.state.skype.token_ttl_seconds = 5
    try:
        ticket = http.post(
            "/skype/WebTicket/oauthtoken",
            data={"grant_type": "password", "username": "demo@contoso.test",
                  "password": "demo-skype-password"},
        ).json()  # fmt: skip
    finally:
        sandbox.state.skype.token_ttl_seconds = 28_800
    assert ticket["expires_in"] == 5


# ---------------------------------------------------------------------------- event channel


def test_empty_poll_is_capped_by_the_knob(sandbox: RunningSandbox, ucwa: Ucwa) -> None:
    sandbox.state.skype.max_poll_seconds = 0.2
    began = time.monotonic()
    body = ucwa.poll(timeout=100)
    assert time.monotonic() - began < 1.5
    assert "sender" not in body
    assert body["_links"]["next"]["href"].endswith("?ack=2")


def test_poll_without_ack_resyncs(ucwa: Ucwa) -> None:
    events = ucwa.next_events.split("?")[0]
    assert ucwa.get(events, params={"timeout": 1}).json() == {
        "_links": {"resync": {"href": events + "?ack=1"}}
    }


def test_same_ack_is_delivered_again_and_wrong_ack_resyncs(ucwa: Ucwa) -> None:
    first_href = ucwa.next_events
    assert ucwa.join("SUCCESS1").status_code == 201
    first = ucwa.poll()
    assert first["sender"]
    again = ucwa.get(first_href).json()
    assert again == first
    resync = ucwa.get(first_href.replace("ack=1", "ack=7")).json()
    assert set(resync["_links"]) == {"resync"}


def test_second_pget_replaces_the_first(sandbox: RunningSandbox, ucwa: Ucwa) -> None:
    sandbox.state.skype.max_poll_seconds = 2.0
    results: list[httpx.Response] = []
    worker = threading.Thread(
        target=lambda: results.append(ucwa.get(ucwa.with_timeout(ucwa.next_events, 2)))
    )
    with httpx.Client(base_url=str(ucwa.http.base_url), timeout=5) as other:
        worker.start()
        time.sleep(0.2)
        sandbox.state.skype.max_poll_seconds = 0.1
        second = other.get(ucwa.with_timeout(ucwa.next_events, 1), headers=ucwa.headers)
        worker.join(5)
    assert second.status_code == 200
    assert results
    assert results[0].status_code == 409
    assert results[0].json()["subcode"] == "PGetReplaced"
