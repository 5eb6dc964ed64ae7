"""Validators shared by the dialogs, the CLI and the provider protocols. Pure."""

from __future__ import annotations

import re
import urllib.parse

from launcher.core.errors import InvalidInput

# Deliberately strict enough to catch typos, loose enough for real addresses.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")


def is_email(value: str) -> bool:
    """Return whether *value* looks like a well-formed e-mail address."""
    return (
        isinstance(value, str)
        and len(value) <= 254
        and bool(_EMAIL.match(value))
        and ".." not in value
        and not value.startswith(".")
        and not value.split("@", 1)[0].endswith(".")
    )


def require_text(field: str, value: str | None, *, max_len: int | None = None) -> str:
    """Return *value* stripped, or raise InvalidInput if it is empty or too long."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput(field, "must not be empty")
    if max_len is not None and len(text) > max_len:
        raise InvalidInput(field, f"must be at most {max_len} characters (got {len(text)})")
    return text


def require_http_url(field: str, value: str, *, allow_http: bool = True) -> str:
    """Return *value* if it is an absolute http(s) URL without embedded credentials."""
    text = (value or "").strip()
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        raise InvalidInput(field, f"{text!r} is not a URL") from None
    schemes = {"https", "http"} if allow_http else {"https"}
    if parts.scheme.lower() not in schemes or not parts.hostname:
        raise InvalidInput(
            field, f"{text!r} is not an absolute {' or '.join(sorted(schemes))} URL"
        )
    if parts.username or parts.password:
        raise InvalidInput(field, "must not contain a user name or password")
    return text.rstrip("/")
