"""Keep secrets out of logs: a logging filter that masks known values and patterns."""

from __future__ import annotations

import logging
import re
import threading

_MASK = "***"
# Query parameters and fields that carry secrets in the providers' URLs and bodies.
_PATTERNS = re.compile(
    r"(?i)(\b(?:access_?token|accesstoken|seamaccesstoken|token|api_?key|password|passcode|"
    r"roomKey|organizerCode|client_secret|refresh_token|code_verifier|code)=)[^&\s\"']+"
)
_BEARER = re.compile(r"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=:-]+")
_PRESENTER = re.compile(r"(?i)(StartMeeting\.aspx\?)[^\s\"']+")


def redact(text: str, secrets: frozenset[str] = frozenset()) -> str:
    """Return *text* with known secret values and secret-looking parameters masked."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, _MASK)
    text = _PRESENTER.sub(lambda m: m.group(1) + _MASK, text)
    text = _PATTERNS.sub(lambda m: m.group(1) + _MASK, text)
    return _BEARER.sub(lambda m: m.group(1) + " " + _MASK, text)


class RedactingFilter(logging.Filter):
    """Mask secrets in every record that passes through a handler."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._secrets: frozenset[str] = frozenset()

    def add_secret(self, value: str | None) -> None:
        """Remember a secret value so it is masked wherever it appears."""
        if value and len(value) >= 4:
            with self._lock:
                self._secrets = self._secrets | {value}

    def mask(self, text: str) -> str:
        """Return *text* with the known secret values masked (for messages to people).

        Only values: the patterns of :func:`redact` are for log lines and would also
        rewrite ordinary words in a sentence ("Basic authentication ...").
        """
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, _MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message with secrets masked; never drop it."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not break logging
            message = str(record.msg)
        record.msg = redact(message, self._secrets)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(
                logging.Formatter().formatException(record.exc_info), self._secrets
            )
            record.exc_info = None
        return True
