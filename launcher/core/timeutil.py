"""Parsing and formatting of the time formats the providers use. Pure functions."""

from __future__ import annotations

import datetime as dt
import re

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MILLISECOND = dt.timedelta(milliseconds=1)
_MS_DATE = re.compile(r"^\\?/Date\((-?\d{1,15})(?:[+-]\d{4})?\)\\?/$")


def parse_iso(value: str) -> dt.datetime:
    """Parse an ISO 8601 date-time into an aware UTC datetime.

    Accepts ``Z``, offsets and fractional seconds; a value without an offset is taken
    as UTC (join.me's ``registrationDate`` has none). Raises ``ValueError`` otherwise.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError("empty date-time")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the first representable instant
        raise ValueError("date-time out of range") from None


def format_iso_z(value: dt.datetime) -> str:
    """Format an aware datetime as ISO 8601 UTC with a ``Z`` and whole seconds."""
    if value.tzinfo is None:
        raise ValueError("datetime must be timezone-aware")
    return value.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_epoch_ms(value: int | float) -> dt.datetime:
    """Convert integer milliseconds since the Unix epoch (BlueJeans) to UTC."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("epoch milliseconds must be a number")
    try:
        # Exact for integers (a float division would drift by a microsecond in 2200).
        return _EPOCH + dt.timedelta(milliseconds=value)
    except (OverflowError, ValueError) as exc:  # huge, infinite or NaN
        raise ValueError("epoch milliseconds out of range") from exc


def to_epoch_ms(value: dt.datetime) -> int:
    """Convert an aware datetime to integer milliseconds since the Unix epoch."""
    if value.tzinfo is None:
        raise ValueError("datetime must be timezone-aware")
    return round((value - _EPOCH) / _MILLISECOND)


def parse_ms_date(value: str) -> dt.datetime:
    """Parse UCWA's ASP.NET ``/Date(1474932029051)/`` form (ISO is accepted too)."""
    if not isinstance(value, str):
        raise ValueError("date must be a string")
    match = _MS_DATE.match(value.strip())
    if match:
        return from_epoch_ms(int(match.group(1)))
    return parse_iso(value)


def parse_user_datetime(value: str, *, local_tz: dt.tzinfo | None = None) -> dt.datetime:
    """Parse a date-time typed by a user; without an offset it is local time.

    Raises ``ValueError`` with a message a user can act on.
    """
    text = (value or "").strip()
    if not text:
        raise ValueError("give a date and time, e.g. 2026-11-21T15:00 or 2026-11-21T15:00+01:00")
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a date and time; use ISO 8601, e.g. 2026-11-21T15:00"
        ) from None
    if parsed.tzinfo is None:
        tz = local_tz or dt.datetime.now().astimezone().tzinfo
        parsed = parsed.replace(tzinfo=tz)
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError(f"{value!r} is out of the supported range of dates") from None
