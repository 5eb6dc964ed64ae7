"""End to end: `meeting-launcher --demo` as a subprocess, offscreen; it syncs, stays single
instance, takes a link from a second launch, and quits cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from launcher.services.instance import send_command
from launcher.store.paths import instance_address

pytestmark = [pytest.mark.end2end, pytest.mark.slow]


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        QT_API="pyside6",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        XDG_RUNTIME_DIR=str(tmp / "run"),
        MEETING_LAUNCHER_HOME=str(tmp / "home"),
        BROWSER=str(tmp / "browser.sh"),
    )
    (tmp / "run").mkdir(mode=0o700)
    script = tmp / "browser.sh"
    script.write_text(f'#!/bin/sh\necho "$1" >> "{tmp / "browser.log"}"\n')
    script.chmod(0o700)
    return env


def _wait(address: str, predicate: Any, timeout: float = 40.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    last: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        last = send_command(address, {"cmd": "status"})
        if last is not None and last.get("ok") and predicate(last):
            return last
        time.sleep(0.2)
    raise AssertionError(f"condition not met; last status {last}")


@pytest.fixture
def demo_app(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, dict[str, str], Path]]:
    env = _env(tmp_path)
    address = instance_address(None, {"XDG_RUNTIME_DIR": env["XDG_RUNTIME_DIR"]}, demo=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "launcher", "--demo"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        yield proc, address, env, tmp_path
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


def test_demo_window_syncs_takes_links_and_quits_cleanly(
    demo_app: tuple[subprocess.Popen[str], str, dict[str, str], Path],
) -> None:
    proc, address, env, tmp = demo_app
    status = _wait(
        address,
        lambda s: s["meetings"] > 10 and s["accounts"]
        and all(v == "up to date" for v in s["accounts"].values()),
    )
    assert set(status["accounts"]) == {
        "Demo BlueJeans", "Demo join.me", "Demo Whereby", "Demo Skype for Business",
        "Demo calendar",
    }
    assert status["visible"] is True

    # A second launch raises the running window instead of starting another one.
    second = subprocess.run([sys.executable, "-m", "launcher", "--demo"], env=env,
                            capture_output=True, text=True, timeout=30)
    assert second.returncode == 0 and "already running" in second.stdout

    # A link handed over by the CLI is opened by the running window (through $BROWSER).
    handed = subprocess.run(
        [sys.executable, "-m", "launcher", "--demo", "join", "https://whereby.com/team-room"],
        env=env, capture_output=True, text=True, timeout=30,
    )
    assert handed.returncode == 0 and "Handed the link" in handed.stdout, handed.stderr
    log = tmp / "browser.log"
    deadline = time.monotonic() + 10
    while not log.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert log.read_text().strip() == "https://whereby.com/team-room"

    assert send_command(address, {"cmd": "quit"}) == {"ok": True}
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Error" not in err, err
    assert send_command(address, {"cmd": "status"}) is None  # the socket is gone


def test_sigterm_quits_cleanly(
    demo_app: tuple[subprocess.Popen[str], str, dict[str, str], Path],
) -> None:
    proc, address = demo_app[0], demo_app[1]
    _wait(address, lambda s: s["meetings"] > 0)
    proc.terminate()
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
