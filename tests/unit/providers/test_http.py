"""send(): timeouts on every request, retries only for idempotent requests, throttles honoured."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from launcher.core.errors import ProtocolViolation, ProviderUnavailable, RateLimited
from launcher.providers.http import (
    DEFAULT_RETRY,
    HttpClient,
    HttpRequest,
    HttpResponse,
    RetryPolicy,
    Timeouts,
    describe_wait,
    is_throttle,
    raise_for_common,
    retry_after_seconds,
    send,
)

URL = "http://127.0.0.1:9/api/things"


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def policy(fake: FakeTime, jitter: float = 0.5, **kwargs: Any) -> RetryPolicy:
    return RetryPolicy(jitter=lambda: jitter, sleep=fake.sleep, clock=fake.clock, **kwargs)


class Script:
    """Answers with the scripted responses/exceptions in turn and records the requests."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def call(
    script: Callable[[httpx.Request], httpx.Response],
    request: HttpRequest,
    retry: RetryPolicy,
    **kwargs: Any,
) -> HttpResponse:
    async def go() -> HttpResponse:
        async with httpx.AsyncClient(transport=httpx.MockTransport(script)) as http:
            return await send(http, request, provider="whereby", retry=retry, **kwargs)

    return asyncio.run(go())


TRANSIENT = [
    httpx.ConnectError("refused"),
    httpx.ConnectTimeout("no answer to SYN"),
    httpx.ReadTimeout("stalled"),
    httpx.ReadError("reset"),
    httpx.WriteError("broken pipe"),
    httpx.RemoteProtocolError("dropped mid-body"),
]


# ---- backoff -----------------------------------------------------------------------


def test_backoff_doubles_up_to_the_cap_with_equal_jitter() -> None:
    low = RetryPolicy(base_delay=0.5, max_delay=4.0, jitter=lambda: 0.0)
    high = RetryPolicy(base_delay=0.5, max_delay=4.0, jitter=lambda: 1.0)
    assert [low.backoff(n) for n in range(1, 6)] == [0.25, 0.5, 1.0, 2.0, 2.0]
    assert [high.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]


def test_backoff_keeps_a_misbehaving_jitter_source_in_range() -> None:
    assert RetryPolicy(jitter=lambda: 7.0).backoff(1) == 0.5
    assert RetryPolicy(jitter=lambda: -3.0).backoff(1) == 0.25


def test_default_jitter_is_random_but_bounded() -> None:
    waits = {DEFAULT_RETRY.backoff(3) for _ in range(50)}
    assert len(waits) > 1 and all(1.0 <= w <= 2.0 for w in waits)


@pytest.mark.parametrize(
    "knobs", [{"attempts": 0}, {"attempts": 11}, {"attempts": True}, {"budget": -1},
              {"base_delay": "1"}],
)  # fmt: skip
def test_retry_policy_rejects_nonsense(knobs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be"):
        RetryPolicy(**knobs)


# ---- what is retried ---------------------------------------------------------------


@pytest.mark.parametrize("error", TRANSIENT, ids=lambda e: type(e).__name__)
def test_a_get_is_retried_after_a_transport_failure(error: Exception) -> None:
    fake = FakeTime()
    script = Script(error, httpx.Response(200, json={"ok": True}))
    response = call(script, HttpRequest("GET", URL), policy(fake))
    assert response.status == 200
    assert len(script.requests) == 2
    assert fake.slept == [0.375]  # backoff(1) with jitter 0.5


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_get_is_retried_after_a_server_error(status: int) -> None:
    fake = FakeTime()
    script = Script(httpx.Response(status), httpx.Response(status), httpx.Response(200))
    assert call(script, HttpRequest("GET", URL), policy(fake)).status == 200
    assert fake.slept == [0.375, 0.75]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 501])
def test_other_statuses_are_answered_at_once(status: int) -> None:
    script = Script(httpx.Response(status))
    assert call(script, HttpRequest("GET", URL), policy(FakeTime())).status == status
    assert len(script.requests) == 1


def test_attempts_are_capped() -> None:
    fake = FakeTime()
    script = Script(*(httpx.Response(503) for _ in range(3)))
    assert call(script, HttpRequest("GET", URL), policy(fake)).status == 503
    assert len(script.requests) == 3 and len(fake.slept) == 2


def test_the_last_transport_failure_is_raised_typed_after_the_retries() -> None:
    fake = FakeTime()
    errors = [httpx.ConnectError("refused") for _ in range(3)]
    with pytest.raises(ProviderUnavailable, match="could not connect") as info:
        call(Script(*errors), HttpRequest("GET", URL), policy(fake))
    assert info.value.__cause__ is errors[-1]
    assert info.value.provider == "whereby"


def test_no_retry_starts_once_the_budget_is_spent() -> None:
    fake = FakeTime()
    script = Script(*(httpx.ReadTimeout("stalled") for _ in range(5)))
    with pytest.raises(ProviderUnavailable, match="in time"):
        call(script, HttpRequest("GET", URL), policy(fake, attempts=5, budget=1.0))
    # 0.375 then 0.75 would end at 1.125 s > 1.0 s: only one retry.
    assert fake.slept == [0.375] and len(script.requests) == 2


@pytest.mark.parametrize("error", TRANSIENT, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("path", ["meetings", "meetings/start", "oauth2/token"])
def test_a_post_is_never_repeated(error: Exception, path: str) -> None:
    script = Script(error)
    with pytest.raises(ProviderUnavailable) as info:
        call(script, HttpRequest("POST", f"{URL}/{path}", json={}), policy(FakeTime()))
    assert len(script.requests) == 1
    message = str(info.value)
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
        assert "carried out" not in message  # nothing reached the server
    else:
        assert "may still have been carried out" in message and "check" in message


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_post_answered_with_a_retryable_status_is_not_repeated(status: int) -> None:
    script = Script(httpx.Response(status, headers={"Retry-After": "0"}))
    assert call(script, HttpRequest("POST", URL), policy(FakeTime())).status == status
    assert len(script.requests) == 1


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_sent_once_unless_marked_idempotent(method: str) -> None:
    script = Script(httpx.Response(503))
    assert call(script, HttpRequest(method, URL), policy(FakeTime())).status == 503
    assert len(script.requests) == 1
    marked = Script(httpx.Response(503), httpx.Response(204))
    request = HttpRequest(method, URL, idempotent=True)
    assert call(marked, request, policy(FakeTime())).status == 204


def test_a_get_marked_not_idempotent_is_sent_once() -> None:
    script = Script(httpx.ReadError("reset"))
    with pytest.raises(ProviderUnavailable):
        call(script, HttpRequest("GET", URL, idempotent=False), policy(FakeTime()))
    assert len(script.requests) == 1


def test_invalid_urls_are_not_retried() -> None:
    script = Script(httpx.UnsupportedProtocol("ftp"))
    with pytest.raises(ProviderUnavailable, match="not a valid URL"):
        call(script, HttpRequest("GET", URL), policy(FakeTime()))
    assert len(script.requests) == 1


def test_pace_is_awaited_before_every_attempt() -> None:
    fake = FakeTime()
    paced: list[int] = []

    async def pace() -> None:
        paced.append(len(script.requests))

    script = Script(httpx.Response(503), httpx.Response(200))
    call(script, HttpRequest("GET", URL), policy(fake), pace=pace)
    assert paced == [0, 1]


# ---- throttling --------------------------------------------------------------------


def test_a_short_retry_after_is_waited_out_exactly() -> None:
    fake = FakeTime()
    script = Script(httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200))
    assert call(script, HttpRequest("GET", URL), policy(fake)).status == 200
    assert fake.slept == [2.0]


def test_whereby_ms_left_is_waited_out() -> None:
    fake = FakeTime()
    body = {"error": "Rate limit active", "data": {"msLeft": 1250}}
    script = Script(httpx.Response(429, json=body), httpx.Response(200))
    assert call(script, HttpRequest("GET", URL), policy(fake)).status == 200
    assert fake.slept == [1.25]


def test_a_throttle_without_a_time_backs_off() -> None:
    fake = FakeTime()
    script = Script(httpx.Response(429), httpx.Response(200))
    assert call(script, HttpRequest("GET", URL), policy(fake)).status == 200
    assert fake.slept == [0.375]


def test_a_long_retry_after_is_reported_with_its_time_not_waited() -> None:
    fake = FakeTime()
    script = Script(httpx.Response(429, headers={"Retry-After": "30"}))
    response = call(script, HttpRequest("GET", URL), policy(fake))
    assert fake.slept == [] and len(script.requests) == 1
    with pytest.raises(RateLimited) as info:
        raise_for_common("whereby", response)
    assert info.value.retry_after == 30.0
    assert "try again in about 30 seconds" in str(info.value)


def test_a_retry_after_beyond_the_budget_is_not_waited() -> None:
    fake = FakeTime()
    script = Script(httpx.Response(503), httpx.Response(429, headers={"Retry-After": "4"}))
    retry = policy(fake, budget=3.0)
    assert call(script, HttpRequest("GET", URL), retry).status == 429
    assert fake.slept == [0.375]


def test_mashery_403_is_a_throttle_only_with_its_error_code() -> None:
    over = HttpResponse(403, {"x-mashery-error-code": "ERR_403_DEVELOPER_OVER_QPS"})
    assert is_throttle(over)
    assert is_throttle(HttpResponse(429))
    assert not is_throttle(HttpResponse(403, {"x-mashery-error-code": "ERR_403_NOT_AUTHORIZED"}))
    assert not is_throttle(HttpResponse(403))


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(None, "shortly"), (0.5, "shortly"), (30, "in about 30 seconds"),
     (120, "in about 2 minutes"), (60.0 * 60, "in about 60 minutes")],
)  # fmt: skip
def test_describe_wait(seconds: float | None, words: str) -> None:
    assert describe_wait(seconds) == words


# ---- timeouts ----------------------------------------------------------------------


def test_http_client_bounds_every_phase() -> None:
    async def go() -> httpx.Timeout:
        async with HttpClient(timeouts=Timeouts(connect=1, read=2, write=3, pool=4)) as http:
            return http.timeout

    timeout = asyncio.run(go())
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (1, 2, 3, 4)


@pytest.mark.parametrize("bad", [0, -1, None, True])
def test_timeouts_must_be_positive(bad: Any) -> None:
    with pytest.raises(ValueError, match="read must be a positive number"):
        Timeouts(read=bad)


def test_a_request_read_timeout_keeps_the_client_connect_timeout() -> None:
    seen: list[dict[str, float]] = []

    def script(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200)

    async def go() -> None:
        timeouts = Timeouts(connect=1.5, read=2, write=3, pool=4)
        async with HttpClient(timeouts=timeouts, transport=httpx.MockTransport(script)) as http:
            await send(http, HttpRequest("GET", URL), provider="skype")
            await send(http, HttpRequest("GET", URL, timeout=195.0), provider="skype")

    asyncio.run(go())
    assert seen[0] == {"connect": 1.5, "read": 2, "write": 3, "pool": 4}
    assert seen[1] == {"connect": 1.5, "read": 195.0, "write": 3, "pool": 4}


def test_the_client_policy_is_used_when_none_is_given() -> None:
    fake = FakeTime()
    script = Script(httpx.Response(503), httpx.Response(200))

    async def go() -> HttpResponse:
        transport = httpx.MockTransport(script)
        async with HttpClient(retry=policy(fake), transport=transport) as http:
            return await send(http, HttpRequest("GET", URL), provider="joinme")

    assert asyncio.run(go()).status == 200
    assert fake.slept == [0.375]


def test_retries_are_logged_without_the_address_or_its_query(
    caplog: pytest.LogCaptureFixture,
) -> None:
    script = Script(httpx.ReadError("reset"), httpx.Response(200))
    request = HttpRequest("GET", URL, params={"passcode": "SECRET-1629"})
    with caplog.at_level(logging.DEBUG, logger="launcher.http"):
        call(script, request, policy(FakeTime()))
    text = caplog.text
    assert "retry 1 of 2" in text
    assert "SECRET-1629" not in text and "127.0.0.1" not in text


def test_a_body_nested_too_deeply_is_a_protocol_violation_everywhere_it_is_read() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(ProtocolViolation, match="nested too deeply"):
        HttpResponse(200, {}, deep).json("whereby")
    # A 429 whose body cannot be read waits as its headers say (here: not at all).
    assert retry_after_seconds(HttpResponse(429, {}, deep)) is None
    assert retry_after_seconds(HttpResponse(429, {"retry-after": "3"}, deep)) == 3.0
