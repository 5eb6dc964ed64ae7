"""Saved links (Provider.LOCAL) as meetings of the agenda: no account needed."""

from __future__ import annotations

import datetime as dt

from launcher.core.models import Meeting, Provider
from launcher.store.db import Database
from launcher.store.history import LocalMeeting, LocalMeetings

#: The source name saved links show under (not an account: it cannot be removed).
LOCAL_ACCOUNT = "Saved links"
#: How long a saved link without an end is shown to last.
DEFAULT_LENGTH = dt.timedelta(minutes=30)


def local_meeting_id(saved: LocalMeeting) -> str:
    """Return the meeting id of a saved link (``local-<row id>``)."""
    return f"local-{saved.id}"


def local_row_id(meeting_id: str) -> int:
    """Return the saved link's row id from its meeting id; ValueError if it is not one."""
    prefix, _, number = meeting_id.partition("-")
    if prefix != "local" or not number.isdigit():
        raise ValueError(f"{meeting_id!r} is not a saved link")
    return int(number)


def as_meeting(saved: LocalMeeting) -> Meeting:
    """Show a saved link as a meeting of the LOCAL source."""
    return Meeting(
        id=local_meeting_id(saved),
        account=LOCAL_ACCOUNT,
        provider=Provider.LOCAL,
        title=saved.title,
        start=saved.start,
        end=saved.end or saved.start + DEFAULT_LENGTH,
        join_url=saved.url,
    )


def load_local_meetings(db: Database) -> tuple[Meeting, ...]:
    """Every saved link as a meeting (a small table: read whole, on the calling thread)."""
    return tuple(as_meeting(saved) for saved in LocalMeetings(db).list())
