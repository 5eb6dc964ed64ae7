"""Fault injection and the control API, seen by a plain httpx client over loopback."""

from __future__ import annotations

import email.utils
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from launcher.sandbox.server import RunningSandbox, start_in_thread
from launcher.sandbox.state import Fault

PROVIDERS = ("bluejeans", "joinme", "whereby", "skype")

# One ordinary request per provider: (path under the sandbox, headers).
REQUESTS: dict[str, tuple[str, dict[str, str]]] = {
    "bluejeans": ("/bluejeans/relay/api/meetings/494435558/joinflow", {}),
    "joinme": ("/joinme/v1/user", {"Authorization": "Bearer demo-joinme-token"}),
    "whereby": ("/whereby/v1/meetings", {"Authorization": "Bearer demo-whereby-key"}),
    "skype": ("/skype/autodiscover/root", {}),
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_in_thread() as running:
        running.state.bluejeans.relay_rate_limit = False
        yield running


@pytest.fixture(scope="module")
def http(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, timeout=5) as client:
        yield client


@pytest.fixture(autouse=True)
def _clean(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.state.clear_faults()
    yield
    sandbox.state.clear_faults()


def call(http: httpx.Client, provider: str, **kwargs: Any) -> httpx.Response:
    path, headers = REQUESTS[provider]
    return http.get(path, headers=headers, **kwargs)


def put_fault(http: httpx.Client, provider: str, **body: Any) -> None:
    response = http.put(f"/_sandbox/faults/{provider}", json=body)
    assert response.status_code == 200, response.text


def assert_shape(provider: str, response: httpx.Response, status: int) -> None:
    """The error body is in the provider's documented shape."""
    assert response.status_code == status
    if provider == "skype" and status == 401:
        challenges = response.headers.get_list("WWW-Authenticate")
        assert any(c.startswith("MsRtcOAuth href=") for c in challenges)
        return
    body = response.json()
    if provider == "bluejeans":
        assert isinstance(body["message"], str)
    elif provider == "joinme":
        assert isinstance(body["Message"], str)
        assert isinstance(body["ErrorCode"], str)
    elif provider == "whereby":
        assert isinstance(body["error"], str)
    else:
        assert isinstance(body["code"], str)
        assert isinstance(body["message"], str)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_no_fault_is_a_normal_answer(http: httpx.Client, provider: str) -> None:
    response = call(http, provider)
    assert response.status_code == 200
    response.json()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_latency_times_a_short_client_out(http: httpx.Client, provider: str) -> None:
    put_fault(http, provider, kind="latency", delay=0.4, remaining=1)
    with pytest.raises(httpx.TimeoutException):
        call(http, provider, timeout=0.1)
    assert call(http, provider).status_code == 200  # remaining=1: the fault is used up


def test_latency_delays_but_answers(http: httpx.Client) -> None:
    put_fault(http, "joinme", kind="latency", delay=0.2)
    began = time.monotonic()
    response = call(http, "joinme")
    assert response.status_code == 200
    assert time.monotonic() - began >= 0.2


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("status", [503, 500, 502])
def test_status(http: httpx.Client, provider: str, status: int) -> None:
    put_fault(http, provider, kind="status", status=status)
    assert_shape(provider, call(http, provider), status)


def test_status_defaults_to_503(http: httpx.Client) -> None:
    put_fault(http, "whereby", kind="status")
    assert call(http, "whereby").status_code == 503


@pytest.mark.parametrize("provider", PROVIDERS)
def test_rate_limit(http: httpx.Client, provider: str) -> None:
    put_fault(http, provider, kind="rate_limit", retry_after=3)
    response = call(http, provider)
    assert_shape(provider, response, 429)
    assert response.headers["Retry-After"] == "3"


def test_whereby_rate_limit_headers_and_body(http: httpx.Client) -> None:
    put_fault(http, "whereby", kind="rate_limit", retry_after=1.5)
    response = call(http, "whereby")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1.5"
    assert response.headers["X-RateLimit-Limit"].isdigit()
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert email.utils.parsedate_to_datetime(response.headers["X-RateLimit-Reset"]) is not None
    body = response.json()
    assert body["data"] == {"msLeft": 1500}
    assert body["error"].startswith("Rate limit active")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_malformed(http: httpx.Client, provider: str) -> None:
    put_fault(http, provider, kind="malformed")
    response = call(http, provider)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_drop(http: httpx.Client, provider: str) -> None:
    put_fault(http, provider, kind="drop", remaining=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        call(http, provider)
    assert call(http, provider).status_code == 200  # the client reconnects


def test_drop_of_an_empty_answer_still_drops(http: httpx.Client) -> None:
    put_fault(http, "whereby", kind="drop", remaining=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        http.delete("/whereby/v1/meetings/anything", headers=REQUESTS["whereby"][1])


@pytest.mark.parametrize("provider", PROVIDERS)
def test_unauthorized(http: httpx.Client, provider: str) -> None:
    put_fault(http, provider, kind="unauthorized")
    assert_shape(provider, call(http, provider), 401)


def test_remaining_counts_down(http: httpx.Client, sandbox: RunningSandbox) -> None:
    put_fault(http, "joinme", kind="status", status=500, remaining=2)
    assert [call(http, "joinme").status_code for _ in range(3)] == [500, 500, 200]
    assert "joinme" not in sandbox.state.faults


def test_bluejeans_fault_covers_rest_and_relay(http: httpx.Client) -> None:
    put_fault(http, "bluejeans", kind="status", status=503)
    assert call(http, "bluejeans").status_code == 503
    token = http.post("/bluejeans/rest/oauth2/token", json={"grant_type": "password"})
    assert token.status_code == 503
    assert call(http, "joinme").status_code == 200  # other providers are unaffected


def test_web_pages_are_not_faulted(http: httpx.Client) -> None:
    put_fault(http, "bluejeans", kind="status", status=503)
    assert http.get("/bluejeans/web/494435558").status_code == 200


def test_in_process_knobs(http: httpx.Client, sandbox: RunningSandbox) -> None:
    sandbox.state.set_fault("skype", Fault("status", status=500, remaining=1))
    assert call(http, "skype").status_code == 500
    assert call(http, "skype").status_code == 200


# ---------------------------------------------------------------------------- control API


def test_fault_control_api(http: httpx.Client) -> None:
    put_fault(http, "joinme", kind="status", status=500)
    put_fault(http, "whereby", kind="latency", delay=0.0)
    listed = http.get("/_sandbox/faults").json()["faults"]
    assert listed["joinme"] == {
        "kind": "status", "delay": 0.0, "status": 500, "retry_after": 1.0, "remaining": None
    }  # fmt: skip
    assert http.delete("/_sandbox/faults/joinme").status_code == 204
    assert set(http.get("/_sandbox/faults").json()["faults"]) == {"whereby"}
    assert http.delete("/_sandbox/faults").status_code == 204
    assert http.get("/_sandbox/faults").json()["faults"] == {}


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "explode"},
        {"kind": "status", "status": 99},
        {"kind": "latency", "delay": -1},
        {"kind": "drop", "remaining": 0},
        {"kind": "drop", "remaining": "two"},
        {"kind": "drop", "surprise": 1},
        ["drop"],
    ],
)
def test_fault_control_rejects_bad_knobs(http: httpx.Client, body: object) -> None:
    response = http.put("/_sandbox/faults/joinme", json=body)
    assert response.status_code == 400
    assert response.json()["error"]


def test_fault_control_unknown_provider(http: httpx.Client) -> None:
    assert http.put("/_sandbox/faults/zoom", json={"kind": "drop"}).status_code == 404
    assert http.delete("/_sandbox/faults/zoom").status_code == 404


def test_stats_count_api_requests_per_provider(http: httpx.Client) -> None:
    assert http.post("/_sandbox/stats/reset").status_code == 204
    for provider, times in (("bluejeans", 2), ("joinme", 1), ("skype", 3)):
        for _ in range(times):
            call(http, provider)
    http.get("/joinme/web/sandboxdemo")  # pages and the control API are not counted
    http.get("/_sandbox/faults")
    put_fault(http, "whereby", kind="status")
    call(http, "whereby")  # a faulted request still counts
    stats = http.get("/_sandbox/stats").json()
    assert stats == {
        "requests": {"bluejeans": 2, "joinme": 1, "whereby": 1, "skype": 3, "ics": 0}
    }


@pytest.mark.parametrize("provider", PROVIDERS)
def test_bulk(http: httpx.Client, sandbox: RunningSandbox, provider: str) -> None:
    stores = {
        "bluejeans": lambda: len(sandbox.state.bluejeans.meetings),
        "joinme": lambda: len(sandbox.state.joinme.meetings),
        "whereby": lambda: len(sandbox.state.whereby.rooms),
        "skype": lambda: len(sandbox.state.skype.meetings),
    }
    before = stores[provider]()
    response = http.post("/_sandbox/bulk", json={"provider": provider, "count": 200})
    assert response.status_code == 200
    assert response.json() == {"provider": provider, "added": 200}
    assert stores[provider]() == before + 200


def test_bulk_meetings_show_up_in_the_api(http: httpx.Client) -> None:
    headers = REQUESTS["joinme"][1]
    before = len(http.get("/joinme/v1/meetings", headers=headers).json()["meetings"])
    http.post("/_sandbox/bulk", json={"provider": "joinme", "count": 50})
    after = http.get("/joinme/v1/meetings", headers=headers).json()["meetings"]
    assert len(after) == before + 50


@pytest.mark.parametrize(
    "body",
    [{"provider": "zoom", "count": 1}, {"provider": "joinme", "count": 0},
     {"provider": "joinme", "count": "many"}, {"provider": "joinme"}, []],
)  # fmt: skip
def test_bulk_validation(http: httpx.Client, body: object) -> None:
    assert http.post("/_sandbox/bulk", json=body).status_code == 400


# ---------------------------------------------------------------------------- drop and refuse


def test_drop_sends_status_headers_and_part_of_the_body_then_cuts(
    sandbox: RunningSandbox,
) -> None:
    """A ``drop`` is cut mid-body: the status line and headers arrive, the body does not."""
    sandbox.state.set_fault("whereby", Fault("drop", remaining=1))
    host, port = sandbox.base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            b"GET /whereby/v1/meetings HTTP/1.1\r\nHost: sandbox\r\n"
            b"Authorization: Bearer demo-whereby-key\r\nConnection: close\r\n\r\n"
        )
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    length = next(int(line.split(":")[1]) for line in lines if line.lower().startswith(
        "content-length:"))
    assert 0 < len(body) < length  # part of the body, then the connection was closed


def test_refused_connections_and_back(sandbox: RunningSandbox) -> None:
    state = sandbox.state
    with start_in_thread(state) as second:
        url = f"{second.base_url}{REQUESTS['joinme'][0]}"
        headers = REQUESTS["joinme"][1]
        assert httpx.get(url, headers=headers).status_code == 200
        port = second.port
        second.refuse_connections()
        assert not second.running
        with pytest.raises(httpx.ConnectError):
            httpx.get(url, headers=headers, timeout=2)
        with socket.socket() as probe:  # nothing listens: the kernel refuses at once
            assert probe.connect_ex(("127.0.0.1", port)) != 0
        second.accept_connections()
        second.accept_connections()  # idempotent
        assert second.port == port and second.running
        assert httpx.get(url, headers=headers).status_code == 200
        assert second.state is state
