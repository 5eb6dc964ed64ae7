"""Validators shared by the dialogs, the CLI and the provider protocols. Pure."""

from __future__ import annotations

import ipaddress
import re
import urllib.parse

from launcher.core.errors import InvalidInput
from launcher.core.links import MAX_URL_LENGTH, ascii_host, has_unsafe_character

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
    """Return *value* if it is an absolute http(s) URL without embedded credentials.

    Also refused: control, invisible and space characters, backslashes, a host name
    that is not a clean DNS name or IP address, and more than 4096 characters. The
    message never repeats a value that is not a URL at all (it may be a pasted secret).
    """
    text = (value or "").strip() if isinstance(value, str) else ""
    schemes = {"https", "http"} if allow_http else {"https"}
    wanted = f"an absolute {' or '.join(sorted(schemes))} URL"
    if not text:
        raise InvalidInput(field, f"must not be empty: give {wanted}")
    if len(text) > MAX_URL_LENGTH:
        raise InvalidInput(field, f"must be at most {MAX_URL_LENGTH} characters")
    if has_unsafe_character(text) or "\\" in text:
        raise InvalidInput(field, "must not contain spaces, control characters or backslashes")
    try:
        parts = urllib.parse.urlsplit(text)
        _ = parts.port
    except ValueError:
        raise InvalidInput(field, f"is not {wanted}") from None
    if parts.scheme.lower() not in schemes or not parts.hostname:
        raise InvalidInput(field, f"is not {wanted}")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise InvalidInput(field, "must not contain a user name or password")
    if ascii_host(parts.hostname) != parts.hostname.rstrip("."):
        raise InvalidInput(field, "has a host name that is not valid")
    return text.rstrip("/")


def is_host_name(value: str) -> bool:
    """Return whether *value* is an IP address or a DNS host name (ASCII letters)."""
    if not isinstance(value, str) or not value or value != value.strip():
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return value.isascii() and ascii_host(value) == value.lower().rstrip(".")
    return True
