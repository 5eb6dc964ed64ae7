"""FaultMiddleware at the ASGI level: counting, pass-through, drop and latency."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import pytest

from launcher.sandbox.faults import ConnectionDropped, FaultMiddleware, pause
from launcher.sandbox.state import Fault, SandboxState

Message = dict[str, Any]


async def downstream(scope: Message, receive: Any, send: Any) -> None:
    body = json.dumps({"path": scope["path"], "padding": "x" * 40}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())],
        }
    )  # fmt: skip
    await send({"type": "http.response.body", "body": body})


async def run(middleware: FaultMiddleware, path: str) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "path": path, "method": "GET", "headers": [(b"host", b"h")]}
    await middleware(scope, receive, send)
    return sent


@pytest.fixture
def state() -> SandboxState:
    return SandboxState(seed_demo=False)


def make(state: SandboxState, closing: threading.Event | None = None) -> FaultMiddleware:
    return FaultMiddleware(downstream, state, closing or threading.Event())


async def test_counts_api_requests_only(state: SandboxState) -> None:
    middleware = make(state)
    await run(middleware, "/joinme/v1/meetings")
    await run(middleware, "/joinme/web/abc")
    await run(middleware, "/_sandbox/stats")
    await run(middleware, "/bluejeans/relay/api/meetings/1/joinflow")
    assert state.stats()["requests"] == {"bluejeans": 1, "joinme": 1, "whereby": 0, "skype": 0,
                                        "ics": 0}


async def test_passes_through_without_a_fault(state: SandboxState) -> None:
    sent = await run(make(state), "/whereby/v1/meetings")
    assert sent[0]["status"] == 200
    assert json.loads(sent[1]["body"])["path"] == "/whereby/v1/meetings"


async def test_drop_sends_half_the_body_then_aborts(state: SandboxState) -> None:
    state.set_fault("whereby", Fault("drop"))
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "path": "/whereby/v1/meetings", "headers": []}
    with pytest.raises(ConnectionDropped):
        await make(state)(scope, receive, send)
    start, body = sent
    length = int(dict(start["headers"])[b"content-length"])
    assert start["status"] == 200
    assert body["more_body"] is True
    assert 0 < len(body["body"]) < length


async def test_replacing_faults(state: SandboxState) -> None:
    state.set_fault("skype", Fault("malformed"))
    sent = await run(make(state), "/skype/autodiscover/root")
    assert sent[0]["status"] == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(sent[1]["body"])
    state.set_fault("skype", Fault("status", status=504))
    assert (await run(make(state), "/skype/autodiscover/root"))[0]["status"] == 504


async def test_pause_ends_early_when_closing() -> None:
    closing = threading.Event()
    closing.set()
    began = time.monotonic()
    await pause(5, closing)
    assert time.monotonic() - began < 0.5
    began = time.monotonic()
    await asyncio.wait_for(pause(0.05, threading.Event()), 2)
    assert time.monotonic() - began >= 0.05
