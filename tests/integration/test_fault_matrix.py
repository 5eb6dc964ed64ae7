"""Every provider client x every fault, over real loopback HTTP: a typed error, a clear message.

Faults are injected by the sandbox (its control API), so the client sees real timeouts,
real dropped connections and real malformed bodies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest

from launcher.core.errors import (
    AuthenticationRequired,
    LauncherError,
    ProtocolViolation,
    ProviderUnavailable,
    RateLimited,
)
from launcher.core.models import Account, Credentials, Provider
from launcher.providers.bluejeans.client import BlueJeansClient
from launcher.providers.joinme.client import JoinMeClient
from launcher.providers.skype.client import SkypeClient
from launcher.providers.whereby.client import WherebyClient
from launcher.sandbox.server import RunningSandbox, start_in_thread
from launcher.sandbox.state import Fault

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

FAULTS: dict[str, tuple[dict[str, Any], type[LauncherError], str]] = {
    "timeout": ({"kind": "latency", "delay": 3.0}, ProviderUnavailable, "in time"),
    "5xx": ({"kind": "status", "status": 503}, ProviderUnavailable, "503"),
    "429": ({"kind": "rate_limit", "retry_after": 30}, RateLimited, "try again"),
    "malformed": ({"kind": "malformed"}, ProtocolViolation, "not valid JSON"),
    "dropped": ({"kind": "drop"}, ProviderUnavailable, "dropped"),
    "401": ({"kind": "unauthorized"}, AuthenticationRequired, ""),
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_in_thread() as running:
        yield running


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("op", list(OPS))
async def test_fault(sandbox: RunningSandbox, op: str, fault: str) -> None:
    provider, call = OPS[op]
    spec, expected, words = FAULTS[fault]
    sandbox.state.clear_faults()
    sandbox.state.set_fault(provider, Fault.from_json(spec))
    try:
        async with httpx.AsyncClient(timeout=httpx.Timeout(1.0, connect=1.0)) as http:
            with pytest.raises(expected) as info:
                await call(http, sandbox.base_url)
    finally:
        sandbox.state.clear_faults()
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


@pytest.mark.parametrize("op", list(OPS))
async def test_recovers_after_fault_cleared(sandbox: RunningSandbox, op: str) -> None:
    provider, call = OPS[op]
    sandbox.state.set_fault(
        provider, Fault.from_json({"kind": "status", "status": 500, "remaining": 1})
    )
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            with pytest.raises(ProviderUnavailable):
                await call(http, sandbox.base_url)
            result = await call(http, sandbox.base_url)
    finally:
        sandbox.state.clear_faults()
    assert result  # a JoinFlowAction or a non-empty list of meetings/rooms


async def test_short_throttle_is_waited_out(sandbox: RunningSandbox) -> None:
    sandbox.state.set_fault(
        "whereby", Fault.from_json({"kind": "rate_limit", "retry_after": 0.2, "remaining": 1})
    )
    try:
        started = dt.datetime.now()
        async with httpx.AsyncClient(timeout=5) as http:
            rooms = await _wb_list(http, sandbox.base_url)
        waited = (dt.datetime.now() - started).total_seconds()
    finally:
        sandbox.state.clear_faults()
    assert rooms and waited >= 0.2
