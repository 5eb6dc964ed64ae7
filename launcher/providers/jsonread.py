"""Defensive reading of provider JSON: one set of helpers and messages for every protocol."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from launcher.core.errors import ProtocolViolation, provider_label
from launcher.core.timeutil import parse_iso


@dataclasses.dataclass(frozen=True, slots=True)
class FieldReader:
    """Reads fields of one kind of object (``what``: "a meeting", "a room") strictly."""

    provider: str
    what: str

    def bad(self, detail: str) -> ProtocolViolation:
        """Return the error for an object that cannot be read, naming the bad field."""
        label = provider_label(self.provider)
        return ProtocolViolation(self.provider, f"{label} sent {self.what} we cannot read "
                                                f"({detail})")

    def opt_str(self, obj: Mapping[str, Any], key: str) -> str | None:
        """Read an optional text field; empty text counts as absent."""
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.bad(f"{key} is not text")
        return value or None

    def time(self, obj: Mapping[str, Any], key: str) -> dt.datetime:
        """Read a required ISO 8601 date-time field, as aware UTC."""
        value = obj.get(key)
        if not isinstance(value, str):
            raise self.bad(f"{key} is missing" if value is None else f"{key} is not text")
        try:
            return parse_iso(value)
        except (ValueError, OverflowError) as exc:
            raise self.bad(f"{key} is not a date and time") from exc
