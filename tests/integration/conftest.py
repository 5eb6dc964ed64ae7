"""Fixtures for tests against a real sandbox over loopback HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class SandboxProcess:
    """A `meeting-launcher sandbox` running as its own process."""

    base_url: str
    process: subprocess.Popen[str]

    def control(self, method: str, path: str, body: object | None = None) -> object:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.base_url + path, data=data, method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:  # loopback only
            raw = resp.read()
        return json.loads(raw) if raw else None

    def requests(self) -> dict[str, int]:
        stats = self.control("GET", "/_sandbox/stats")
        assert isinstance(stats, dict)
        return dict(stats["requests"])


def _env(home: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env.pop("BROWSER", None)
    if home is not None:
        env["MEETING_LAUNCHER_HOME"] = str(home)
    return env


def _start_sandbox_process() -> SandboxProcess:
    proc = subprocess.Popen(
        [sys.executable, "-m", "launcher", "sandbox", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
    )
    base = None
    deadline = time.monotonic() + 20
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("Sandbox:"):
            base = line.split(":", 1)[1].strip()
            break
    if base is None:
        proc.kill()
        _, err = proc.communicate(timeout=5)
        raise AssertionError(f"sandbox did not start: {err}")
    return SandboxProcess(base, proc)


def _stop_sandbox_process(sandbox: SandboxProcess) -> None:
    sandbox.process.terminate()
    try:
        sandbox.process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        sandbox.process.kill()
        sandbox.process.communicate(timeout=5)


@pytest.fixture(scope="session")
def sandbox_process() -> Iterator[SandboxProcess]:
    """One sandbox process for the whole session, on a free port."""
    sandbox = _start_sandbox_process()
    try:
        yield sandbox
    finally:
        _stop_sandbox_process(sandbox)


@pytest.fixture(scope="module")
def own_sandbox_process() -> Iterator[SandboxProcess]:
    """A sandbox process for one test module that turns sign-in knobs (tokens expired,
    authorizations made stale), which would otherwise leak into other modules."""
    sandbox = _start_sandbox_process()
    try:
        yield sandbox
    finally:
        _stop_sandbox_process(sandbox)


@pytest.fixture
def clean_sandbox(sandbox_process: SandboxProcess) -> Iterator[SandboxProcess]:
    """The session sandbox with no faults before and after the test."""
    sandbox_process.control("DELETE", "/_sandbox/faults")
    yield sandbox_process
    sandbox_process.control("DELETE", "/_sandbox/faults")
