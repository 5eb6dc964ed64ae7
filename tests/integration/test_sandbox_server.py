"""Starting and stopping the sandbox server (thread and foreground process)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from launcher.sandbox.server import start_in_thread
from launcher.sandbox.state import Fault, SandboxState


def test_start_and_stop_in_a_thread() -> None:
    with start_in_thread() as sandbox:
        assert sandbox.running
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", sandbox.base_url)
        urls = sandbox.provider_urls()
        assert urls == {
            "bluejeans": f"{sandbox.base_url}/bluejeans/rest",
            "bluejeans_relay": f"{sandbox.base_url}/bluejeans/relay/api",
            "joinme": f"{sandbox.base_url}/joinme/v1",
            "whereby": f"{sandbox.base_url}/whereby/v1",
            "skype": f"{sandbox.base_url}/skype/autodiscover/root",
            "ics": f"{sandbox.base_url}/ics/demo.ics",
        }
        assert httpx.get(urls["skype"]).status_code == 200
        assert "sandbox" in httpx.get(sandbox.base_url + "/").text
    assert not sandbox.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(urls["skype"], timeout=1)
    sandbox.stop()  # idempotent


def test_sandboxes_are_independent_and_share_a_given_state() -> None:
    state = SandboxState()
    with start_in_thread(state) as first, start_in_thread() as second:
        assert first.state is state
        assert second.state is not state
        state.set_fault("joinme", Fault("status", status=500))
        path = "/joinme/v1/user"
        headers = {"Authorization": "Bearer demo-joinme-token"}
        assert httpx.get(first.base_url + path, headers=headers).status_code == 500
        assert httpx.get(second.base_url + path, headers=headers).status_code == 200


def test_stop_ends_long_waits_quickly() -> None:
    sandbox = start_in_thread()
    sandbox.state.set_fault("whereby", Fault("latency", delay=60))
    errors: list[BaseException] = []

    def slow_request() -> None:
        try:
            httpx.get(sandbox.base_url + "/whereby/v1/meetings", timeout=30)
        except httpx.HTTPError as exc:
            errors.append(exc)

    worker = threading.Thread(target=slow_request)
    worker.start()
    time.sleep(0.2)
    began = time.monotonic()
    sandbox.stop()
    assert time.monotonic() - began < 3
    worker.join(5)
    assert not worker.is_alive()


@pytest.mark.parametrize(
    ("sig", "expected"), [(signal.SIGINT, 0), (signal.SIGTERM, -signal.SIGTERM)]
)
def test_serve_prints_the_urls_first(sig: signal.Signals, expected: int) -> None:
    code = "from launcher.sandbox.server import serve; serve('127.0.0.1', 0)"
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(7)]
        assert lines[0].startswith("BlueJeans REST: http://127.0.0.1:")
        assert lines[-1].startswith("Sandbox: http://127.0.0.1:")
        base = lines[-1].split(": ", 1)[1]
        assert any(line == f"join.me: {base}/joinme/v1" for line in lines)
        deadline = time.monotonic() + 10
        while True:
            try:
                response = httpx.get(f"{base}/skype/autodiscover/root", timeout=1)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert response.status_code == 200
    finally:
        process.send_signal(sig)
        _, err = process.communicate(timeout=10)
    # Ctrl+C ends with status 0; SIGTERM is re-raised by uvicorn after a clean shutdown
    assert process.returncode == expected, err
    assert "Traceback" not in err
