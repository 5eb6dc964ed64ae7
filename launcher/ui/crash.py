"""Unexpected errors: logged through the redaction filter, told to the user in words.

A bug must not show a user a traceback, nor write a secret to a crash report: every
uncaught exception (a Qt slot, the event loop, a worker thread) goes to the
``launcher.crash`` logger, whose handlers mask secrets, and the window says that
something went wrong and where the details are.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

log = logging.getLogger("launcher.crash")

#: Shows one line to the user (the window's error banner); called on the GUI thread.
Notify = Callable[[str], None]


class CrashHandler:
    """Route every uncaught exception to the redacted log and a short message."""

    def __init__(self, notify: Notify, log_file: Path) -> None:
        self._notify = notify
        self._log_file = log_file
        self._previous: tuple[Any, Any] | None = None
        self.count = 0

    @property
    def log_file(self) -> Path:
        """Where the details of an error are written."""
        return self._log_file

    def install(self) -> None:
        """Take over ``sys.excepthook`` and ``threading.excepthook``."""
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.on_exception
        threading.excepthook = self._on_thread_exception

    def uninstall(self) -> None:
        """Give the hooks back."""
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def message(self, exc_type: type[BaseException]) -> str:
        """Return what the user is told: no exception text (it could quote a secret)."""
        return (f"Something went wrong inside Meeting Launcher ({exc_type.__name__}); "
                f"it keeps running. Details are in {self._log_file} — please report it.")

    def on_exception(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        """``sys.excepthook``: a Qt slot or other main-thread code raised."""
        if issubclass(exc_type, KeyboardInterrupt):
            return
        self.count += 1
        log.error("uncaught exception", exc_info=(exc_type, exc, tb))
        self._notify(self.message(exc_type))

    def _on_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        self.count += 1
        name = args.thread.name if args.thread is not None else "?"
        log.error("uncaught exception in thread %s", name,
                  exc_info=(args.exc_type, args.exc_value, args.exc_traceback))

    def on_loop_exception(self, loop: Any, context: dict[str, Any]) -> None:
        """Handle an error the asyncio loop reports (a task nobody awaited failed)."""
        exc = context.get("exception")
        self.count += 1
        if isinstance(exc, BaseException):
            log.error("uncaught exception in the event loop: %s", context.get("message", ""),
                      exc_info=(type(exc), exc, exc.__traceback__))
            self._notify(self.message(type(exc)))
        else:
            log.error("event loop error: %s", context.get("message", ""))
