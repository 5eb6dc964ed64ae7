"""Uncaught exceptions: a redacted log record and a message in words, never the secret."""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher.store.logs import close_logging, setup_logging
from launcher.store.paths import Paths
from launcher.ui.crash import CrashHandler

SECRET = "tok-7d1e9c2b5a"


@pytest.fixture
def handler(tmp_path: Path) -> Iterator[tuple[CrashHandler, list[str], io.StringIO]]:
    paths = Paths.under(tmp_path).ensure()
    console = io.StringIO()
    redactor = setup_logging(paths, debug=False, stream=console)
    redactor.add_secret(SECRET)
    shown: list[str] = []
    log_file = paths.logs / "meeting-launcher.log"
    crash = CrashHandler(shown.append, log_file)
    crash.install()
    try:
        yield crash, shown, console
    finally:
        crash.uninstall()
        close_logging()


def _raise_with_secret() -> None:
    raise RuntimeError(f"request failed: Authorization: Bearer {SECRET} token={SECRET}")


def test_slot_exception_is_logged_redacted_and_told(
    handler: tuple[CrashHandler, list[str], io.StringIO],
) -> None:
    crash, shown, console = handler
    root = Path(crash.log_file).parents[1]
    try:
        _raise_with_secret()
    except RuntimeError:
        sys.excepthook(*sys.exc_info())  # what Qt does for an exception in a slot
    close_logging()
    text = (root / "logs" / "meeting-launcher.log").read_text()
    assert "uncaught exception" in text and "_raise_with_secret" in text
    assert SECRET not in text and SECRET not in console.getvalue()
    assert "uncaught exception" in console.getvalue()
    assert crash.count == 1
    assert len(shown) == 1 and "RuntimeError" in shown[0] and "meeting-launcher.log" in shown[0]
    assert SECRET not in shown[0] and "request failed" not in shown[0]


def test_thread_exception_is_logged_redacted(
    handler: tuple[CrashHandler, list[str], io.StringIO],
) -> None:
    crash, shown, _console = handler
    root = Path(crash.log_file).parents[1]
    worker = threading.Thread(target=_raise_with_secret, name="worker-x")
    worker.start()
    worker.join()
    close_logging()
    text = (root / "logs" / "meeting-launcher.log").read_text()
    assert "uncaught exception in thread worker-x" in text
    assert SECRET not in text
    assert crash.count == 1 and shown == []  # not on the GUI thread: logged only


def test_loop_exception_is_logged_redacted_and_told(
    handler: tuple[CrashHandler, list[str], io.StringIO],
) -> None:
    crash, shown, _console = handler
    root = Path(crash.log_file).parents[1]
    try:
        _raise_with_secret()
    except RuntimeError as exc:
        crash.on_loop_exception(None, {"message": "Task exception was never retrieved",
                                       "exception": exc})
    crash.on_loop_exception(None, {"message": "plain loop error"})
    close_logging()
    text = (root / "logs" / "meeting-launcher.log").read_text()
    assert "Task exception was never retrieved" in text and "plain loop error" in text
    assert SECRET not in text
    assert crash.count == 2 and len(shown) == 1


def test_uninstall_restores_the_hooks(tmp_path: Path) -> None:
    before = (sys.excepthook, threading.excepthook)
    crash = CrashHandler(lambda _t: None, tmp_path / "x.log")
    crash.install()
    assert sys.excepthook == crash.on_exception
    crash.uninstall()
    assert (sys.excepthook, threading.excepthook) == before
