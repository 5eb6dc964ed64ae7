"""Log files under the profile's log directory, always through the redaction filter."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
from typing import TextIO

from launcher.core.redact import RedactingFilter
from launcher.store.paths import Paths

#: Ours, and the libraries whose records could quote a URL, header or failed task.
_LOGGERS = ("launcher", "httpx", "httpcore", "asyncio")


def setup_logging(paths: Paths, *, debug: bool, stream: TextIO) -> RedactingFilter:
    """Log to ``<logs>/meeting-launcher.log`` and *stream* (warnings, or all with debug).

    Returns the redaction filter, so callers can register secret values to mask.
    """
    close_logging()
    redactor = RedactingFilter()
    handlers: list[logging.Handler] = []
    console = logging.StreamHandler(stream)
    console.setLevel(logging.DEBUG if debug else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handlers.append(console)
    try:
        paths.logs.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            paths.logs / "meeting-launcher.log", maxBytes=1_000_000, backupCount=3,
            encoding="utf-8",
        )
    except OSError:
        file_handler = None
    if file_handler is not None:
        file_handler.setLevel(logging.DEBUG if debug else logging.INFO)
        file_handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
        handlers.append(file_handler)
    for handler in handlers:
        handler.addFilter(redactor)
    root = logging.getLogger("launcher")
    root.setLevel(logging.DEBUG)
    root.handlers = list(handlers)
    for name in _LOGGERS[1:]:
        other = logging.getLogger(name)
        other.setLevel(logging.DEBUG if debug else logging.WARNING)
        other.handlers = list(handlers)
        other.propagate = False
    return redactor


def close_logging() -> None:
    """Detach and close every handler we installed."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            with contextlib.suppress(Exception):
                handler.close()
