"""Every provider x every fault, over real loopback HTTP: typed errors, retries, the matrix.

Faults are injected by the sandbox, so the clients see real timeouts, refused and
dropped connections and real malformed bodies. The last part runs the fault matrix of
``benchmarks/fault_matrix.py`` cell by cell through the real sync service and cache.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from benchmarks import fault_matrix
from launcher.core.errors import (
    AuthenticationRequired,
    LauncherError,
    ProtocolViolation,
    ProviderUnavailable,
    RateLimited,
)
from launcher.core.models import Account, Credentials, Provider
from launcher.providers.bluejeans.client import BlueJeansClient
from launcher.providers.http import NO_RETRY, HttpClient, RetryPolicy, Timeouts
from launcher.providers.joinme.client import JoinMeClient
from launcher.providers.joinme.protocol import ScheduleDraft
from launcher.providers.skype.client import SkypeClient
from launcher.providers.whereby.client import WherebyClient
from launcher.providers.whereby.protocol import RoomDraft
from launcher.sandbox.server import RunningSandbox, start_in_thread
from launcher.sandbox.state import Fault, SandboxState
from launcher.services.context import new_http_client
from launcher.services.sync import SyncState

Op = Callable[[httpx.AsyncClient, str], Awaitable[Any]]


def _accounts(base: str) -> dict[str, tuple[Account, Credentials]]:
    return {
        "bluejeans": (
            Account("BJ", Provider.BLUEJEANS, f"{base}/bluejeans/rest",
                    relay_url=f"{base}/bluejeans/relay/api", web_url=f"{base}/bluejeans/web",
                    username="demo@bluejeans.test"),
            Credentials(token="demo-relay-token", username="demo@bluejeans.test",
                        password="demo-bluejeans-password"),
        ),
        "joinme": (Account("JM", Provider.JOINME, f"{base}/joinme/v1"),
                   Credentials(token="demo-joinme-token")),
        "whereby": (Account("WB", Provider.WHEREBY, f"{base}/whereby/v1"),
                    Credentials(api_key="demo-whereby-key")),
        "skype": (
            Account("SfB", Provider.SKYPE, f"{base}/skype/autodiscover/root",
                    web_url=f"{base}/skype/meet", username="demo@contoso.test"),
            Credentials(username="demo@contoso.test", password="demo-skype-password"),
        ),
    }


async def _precheck(http: httpx.AsyncClient, base: str) -> Any:
    account, creds = _accounts(base)["bluejeans"]
    return await BlueJeansClient(http, account, creds).precheck("9036439807")


async def _bj_list(http: httpx.AsyncClient, base: str) -> Any:
    account, creds = _accounts(base)["bluejeans"]
    return await BlueJeansClient(http, account, creds).list_meetings()


async def _jm_list(http: httpx.AsyncClient, base: str) -> Any:
    account, creds = _accounts(base)["joinme"]
    return await JoinMeClient(http, account, creds).list_meetings()


async def _wb_list(http: httpx.AsyncClient, base: str) -> Any:
    account, creds = _accounts(base)["whereby"]
    return await WherebyClient(http, account, creds).list_rooms()


async def _sk_list(http: httpx.AsyncClient, base: str) -> Any:
    account, creds = _accounts(base)["skype"]
    return await SkypeClient(http, account, creds, poll_timeout=5).list_meetings()


OPS: dict[str, tuple[str, Op]] = {
    "bluejeans-relay": ("bluejeans", _precheck),
    "bluejeans-rest": ("bluejeans", _bj_list),
    "joinme": ("joinme", _jm_list),
    "whereby": ("whereby", _wb_list),
    "skype": ("skype", _sk_list),
}

FAULTS: dict[str, tuple[dict[str, Any] | None, type[LauncherError], str]] = {
    "timeout": ({"kind": "latency", "delay": 3.0}, ProviderUnavailable, "in time"),
    "refused": (None, ProviderUnavailable, "could not connect"),
    "5xx": ({"kind": "status", "status": 503}, ProviderUnavailable, "503"),
    "429": ({"kind": "rate_limit", "retry_after": 30}, RateLimited, "try again in about 30"),
    "malformed": ({"kind": "malformed"}, ProtocolViolation, "not valid JSON"),
    "dropped": ({"kind": "drop"}, ProviderUnavailable, "dropped"),
    "401": ({"kind": "unauthorized"}, AuthenticationRequired, ""),
}

#: Short timeouts and quick, deterministic retries keep the matrix fast.
FAST = RetryPolicy(base_delay=0.02, max_delay=0.1, budget=3.0, jitter=lambda: 0.5)
SHORT = Timeouts(connect=1.0, read=0.5, write=1.0, pool=1.0)


def http_client(retry: RetryPolicy = FAST) -> HttpClient:
    return new_http_client(timeouts=SHORT, retry=retry)


def dead_base() -> str:
    """The address of a loopback port nobody listens on (connecting is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_in_thread() as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.state.clear_faults()
    sandbox.state.bluejeans.relay_rate_limit = False
    yield
    sandbox.state.clear_faults()
    sandbox.state.bluejeans.relay_rate_limit = True


# ---- every client x every fault: a typed error with a clear message -----------------------


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("op", list(OPS))
async def test_fault(sandbox: RunningSandbox, op: str, fault: str) -> None:
    provider, call = OPS[op]
    spec, expected, words = FAULTS[fault]
    base = sandbox.base_url
    if spec is None:
        base = dead_base()
    else:
        sandbox.state.set_fault(provider, Fault.from_json(spec))
    began = time.monotonic()
    async with http_client() as http:
        with pytest.raises(expected) as info:
            await call(http, base)
    took = time.monotonic() - began
    error = info.value
    message = str(error)
    assert words.lower() in message.lower(), message
    label = Provider(provider).label
    assert message.startswith(label), message
    assert "Traceback" not in message and "httpx" not in message
    for secret in ("demo-relay-token", "demo-joinme-token", "demo-whereby-key",
                   "demo-bluejeans-password", "demo-skype-password"):
        assert secret not in message
    if isinstance(error, RateLimited):
        assert error.retry_after is not None and 25 <= error.retry_after <= 30
    # 3 tries of 0.5 s at most, tiny backoffs: a stalled service is reported within ~2 s.
    assert took < 2.5, took


# ---- recovery -----------------------------------------------------------------------------


@pytest.mark.parametrize("op", list(OPS))
async def test_recovers_after_fault_cleared(sandbox: RunningSandbox, op: str) -> None:
    provider, call = OPS[op]
    sandbox.state.set_fault(provider, Fault("status", status=500, remaining=1))
    async with http_client(NO_RETRY) as http:
        with pytest.raises(ProviderUnavailable):
            await call(http, sandbox.base_url)
        result = await call(http, sandbox.base_url)
    assert result  # a JoinFlowAction or a non-empty list of meetings/rooms


@pytest.mark.parametrize("op", ["bluejeans-relay", "joinme", "whereby"])
@pytest.mark.parametrize("kind", ["status", "drop", "latency"])
async def test_one_failed_get_is_retried_transparently(
    sandbox: RunningSandbox, op: str, kind: str
) -> None:
    provider, call = OPS[op]
    sandbox.state.set_fault(provider, Fault(kind, status=502, delay=2.0, remaining=1))
    sandbox.state.reset_stats()
    async with http_client() as http:
        assert await call(http, sandbox.base_url)
    assert sandbox.state.stats()["requests"][provider] == 2  # the failed one and its retry


async def test_short_throttle_is_waited_out(sandbox: RunningSandbox) -> None:
    sandbox.state.set_fault("whereby", Fault("rate_limit", retry_after=0.2, remaining=1))
    started = time.monotonic()
    async with http_client() as http:
        rooms = await _wb_list(http, sandbox.base_url)
    waited = time.monotonic() - started
    assert rooms and waited >= 0.2


# ---- never a retry of a request that is not idempotent ------------------------------------


async def _jm_start(http: httpx.AsyncClient, base: str) -> Any:
    account, creds = _accounts(base)["joinme"]
    return await JoinMeClient(http, account, creds).start_meeting()


async def _jm_schedule(http: httpx.AsyncClient, base: str) -> Any:
    account, creds = _accounts(base)["joinme"]
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    draft = ScheduleDraft("Fault matrix", start, start + dt.timedelta(hours=1))
    return await JoinMeClient(http, account, creds).schedule_meeting(draft)


async def _wb_create(http: httpx.AsyncClient, base: str) -> Any:
    account, creds = _accounts(base)["whereby"]
    end = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    return await WherebyClient(http, account, creds).create_room(RoomDraft(end=end))


async def _bj_token(http: httpx.AsyncClient, base: str) -> Any:
    account, creds = _accounts(base)["bluejeans"]
    return await BlueJeansClient(http, account, creds).list_meetings()  # POST oauth2/token


async def _bj_relay_token(http: httpx.AsyncClient, base: str) -> Any:
    account, creds = _accounts(base)["bluejeans"]
    client = BlueJeansClient(http, account, creds)
    return await client.create_relay_token("demo@bluejeans.test", "demo-bluejeans-password")


POSTS: dict[str, tuple[str, Op]] = {
    "joinme-start": ("joinme", _jm_start),
    "joinme-schedule": ("joinme", _jm_schedule),
    "whereby-create": ("whereby", _wb_create),
    "bluejeans-token": ("bluejeans", _bj_token),
    "bluejeans-relay-token": ("bluejeans", _bj_relay_token),
}


@pytest.mark.parametrize(
    "spec",
    [{"kind": "status", "status": 503}, {"kind": "drop"}, {"kind": "latency", "delay": 2.0},
     {"kind": "rate_limit", "retry_after": 0.1}],
    ids=["5xx", "dropped", "timeout", "short-429"],
)
@pytest.mark.parametrize("op", list(POSTS))
async def test_a_failing_post_is_sent_exactly_once(
    sandbox: RunningSandbox, op: str, spec: dict[str, Any]
) -> None:
    provider, call = POSTS[op]
    sandbox.state.set_fault(provider, Fault.from_json(spec))
    sandbox.state.reset_stats()
    async with http_client() as http:
        with pytest.raises(ProviderUnavailable) as info:
            await call(http, sandbox.base_url)
    assert sandbox.state.stats()["requests"][provider] == 1, "a POST was repeated"
    if spec["kind"] in ("drop", "latency"):
        assert "may still have been carried out" in str(info.value)


async def test_a_skype_join_post_is_sent_exactly_once(sandbox: RunningSandbox) -> None:
    account, creds = _accounts(sandbox.base_url)["skype"]
    async with http_client() as http:
        client = SkypeClient(http, account, creds, poll_timeout=5)
        await client.list_meetings()  # signed in, application created
        sandbox.state.set_fault("skype", Fault("status", status=503))
        sandbox.state.reset_stats()
        uri = "sip:demo@contoso.test;gruu;opaque=app:conf:focus:id:SUCCESS1"
        with pytest.raises(ProviderUnavailable):
            async for _ in client.join(uri):
                pass
    assert sandbox.state.stats()["requests"]["skype"] == 1


# ---- timeouts: a stalled server is a typed error within the bound -------------------------


@pytest.fixture
def stalled() -> Iterator[str]:
    """A loopback server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            accepted.append(conn)  # kept open, never read or written

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        for conn in accepted:
            conn.close()
        listener.close()


@pytest.mark.slow
@pytest.mark.parametrize("op", list(OPS))
async def test_a_stalled_server_is_reported_within_the_bound(stalled: str, op: str) -> None:
    _provider, call = OPS[op]
    retry = RetryPolicy(attempts=3, base_delay=0.1, max_delay=0.2, budget=5.0,
                        jitter=lambda: 0.5)
    began = time.monotonic()
    async with new_http_client(timeouts=SHORT, retry=retry) as http:
        with pytest.raises(ProviderUnavailable, match="did not answer in time"):
            await call(http, stalled)
    took = time.monotonic() - began
    if op == "bluejeans-rest":  # its first request is the token POST: one try only
        assert 0.5 <= took < 1.0, took
    else:  # 3 reads of 0.5 s plus backoffs of 0.075 and 0.1 s (jitter 0.5): about 1.7 s
        assert 1.5 <= took < 2.5, took


async def test_the_ucwa_long_poll_waits_longer_than_the_read_timeout(
    sandbox: RunningSandbox,
) -> None:
    """The event channel's read timeout is its ``timeout`` plus a margin, not the client's.

    The client's read timeout is 0.5 s; the server holds each P-GET up to 1 s while the
    joiner waits 1.5 s in the lobby. With the client's timeout the join would fail.
    """
    sandbox.state.skype.max_poll_seconds = 1.0
    sandbox.state.skype.lobby_seconds = 1.5
    account, creds = _accounts(sandbox.base_url)["skype"]
    uri = "sip:demo@contoso.test;gruu;opaque=app:conf:focus:id:LOBBY001"
    try:
        async with http_client() as http:  # read timeout 0.5 s
            client = SkypeClient(http, account, creds, poll_timeout=1)
            began = time.monotonic()
            states = [p.state async for p in client.join(uri)]
            took = time.monotonic() - began
    finally:
        sandbox.state.skype.max_poll_seconds = 20.0
        sandbox.state.skype.lobby_seconds = 3.0
    assert states[-1] == "joined" and "lobby" in states
    assert took >= 1.4


# ---- the BlueJeans relay's 2 requests per second, kept by the client ----------------------


@pytest.mark.slow
async def test_relay_rate_limit_is_respected_by_the_client(sandbox: RunningSandbox) -> None:
    sandbox.state.bluejeans.relay_rate_limit = True  # the sandbox answers 429 above 2/s
    account, creds = _accounts(sandbox.base_url)["bluejeans"]
    sandbox.state.reset_stats()
    began = time.monotonic()
    async with http_client(NO_RETRY) as http:  # a 429 would fail the check, not be retried
        client = BlueJeansClient(http, account, creds)
        answers = await asyncio.gather(*(client.precheck("9036439807") for _ in range(6)))
    took = time.monotonic() - began
    assert len(answers) == 6 and all(a == answers[0] for a in answers)
    assert sandbox.state.stats()["requests"]["bluejeans"] == 6
    assert took >= 2.4  # six requests spaced 0.5 s apart


# ---- the fault matrix: provider x fault through the real sync and cache -------------------

#: fault -> (state shown, words in the message)
MATRIX: dict[str, tuple[SyncState, str]] = {
    "timeout": (SyncState.OFFLINE, "did not answer in time"),
    "refused": (SyncState.OFFLINE, "could not connect"),
    "5xx": (SyncState.OFFLINE, "HTTP 503"),
    "429": (SyncState.OFFLINE, "try again in about 30 seconds"),
    "malformed body": (SyncState.FAILED, "not valid JSON"),
    "401": (SyncState.SIGN_IN_NEEDED, ""),
    "dropped mid-body": (SyncState.OFFLINE, "dropped before the answer was complete"),
}
assert tuple(MATRIX) == fault_matrix.FAULTS


@pytest.fixture(scope="module")
def matrix_state() -> SandboxState:
    state = SandboxState()
    state.bluejeans.relay_rate_limit = False
    return state


@pytest.mark.parametrize(
    "fault",
    [pytest.param(f, marks=pytest.mark.slow) if f == "timeout" else f for f in MATRIX],
)
@pytest.mark.parametrize("provider", fault_matrix.PROVIDERS)
async def test_fault_matrix(
    matrix_state: SandboxState, tmp_path: Path, provider: str, fault: str
) -> None:
    cell = await fault_matrix.run_cell(matrix_state, provider, fault, tmp_path)
    state, words = MATRIX[fault]
    assert cell.state == state.value, cell
    assert words in cell.message, cell
    assert cell.message.startswith(Provider(provider).label), cell
    if state is SyncState.OFFLINE:
        assert cell.shown.startswith("offline since "), cell
    assert cell.data_kept, "the cached meetings must stay listed, in the window and the cache"
    assert cell.recovered, "a sync after the fault is cleared must be up to date"
    assert cell.seconds < 3.0, cell
