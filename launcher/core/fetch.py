"""What a calendar subscription last sent, as data shared by its client and the store."""

from __future__ import annotations

import dataclasses
import datetime as dt


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarFetch:
    """One subscription's last answer with content (a 200), and when it was last asked.

    ``etag`` and ``last_modified`` are the validators sent back in the next request
    (``If-None-Match``, ``If-Modified-Since``).
    """

    url: str
    body: bytes = dataclasses.field(repr=False)
    fetched_at: dt.datetime
    etag: str | None = None
    last_modified: str | None = None
