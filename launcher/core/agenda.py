"""Agenda policy as pure functions: days, the next meeting, countdowns, reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from launcher.core.models import Meeting

#: A meeting that started less than this long ago still counts as "the next one".
DEFAULT_GRACE = dt.timedelta(minutes=10)


def local_day(meeting: Meeting, tz: dt.tzinfo) -> dt.date | None:
    """Return the local calendar day a meeting starts on (None for timeless meeting spaces)."""
    return meeting.start.astimezone(tz).date() if meeting.start is not None else None


def group_by_day(
    meetings: Iterable[Meeting], tz: dt.tzinfo
) -> list[tuple[dt.date | None, list[Meeting]]]:
    """Group meetings by local start day, in order; timeless meetings form a last group."""
    groups: dict[dt.date | None, list[Meeting]] = {}
    for meeting in sorted(meetings, key=Meeting.sort_key):
        groups.setdefault(local_day(meeting, tz), []).append(meeting)
    dated = sorted(d for d in groups if d is not None)
    out: list[tuple[dt.date | None, list[Meeting]]] = [(d, groups[d]) for d in dated]
    if None in groups:
        out.append((None, groups[None]))
    return out


def day_bounds(day: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """Return the UTC instants where a local day starts and ends."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def next_meeting(
    meetings: Iterable[Meeting],
    now: dt.datetime,
    *,
    grace: dt.timedelta = DEFAULT_GRACE,
    need_link: bool = True,
) -> Meeting | None:
    """Return the meeting to offer for "join next".

    A meeting that started less than *grace* ago and has not ended is preferred, so
    joining a little late still works; a meeting that started longer ago gives way to
    the next upcoming one. Meetings without a join link are skipped when *need_link*.
    """
    best: Meeting | None = None
    for meeting in meetings:
        if meeting.start is None:
            continue
        if need_link and not meeting.join_url:
            continue
        end = meeting.end or meeting.start
        if end <= now and meeting.start < now:
            continue
        if meeting.start < now - grace:
            continue
        if best is None or meeting.sort_key() < best.sort_key():
            best = meeting
    return best


def countdown(start: dt.datetime, now: dt.datetime) -> str:
    """Say when *start* is, relative to *now*: "in 5 min", "now", "started 3 min ago"."""
    seconds = (start - now).total_seconds()
    if -60 < seconds < 60:
        return "now"
    minutes = int(abs(seconds) // 60)
    if seconds < 0:
        if minutes < 60:
            return f"started {minutes} min ago"
        return f"started {minutes // 60} h {minutes % 60:02d} min ago"
    if minutes < 60:
        return f"in {minutes} min"
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        return f"in {hours} h {rest:02d} min" if rest else f"in {hours} h"
    days = round(minutes / (24 * 60))
    return f"in {days} day" if days == 1 else f"in {days} days"


def reminder_key(meeting: Meeting) -> str:
    """Return a stable key of one occurrence, so a reminder is shown once."""
    start = meeting.start.isoformat() if meeting.start else ""
    return f"{meeting.account}\x1f{meeting.id}\x1f{start}"


def reminders_due(
    meetings: Sequence[Meeting],
    now: dt.datetime,
    minutes: int | None,
    shown: set[str],
) -> list[Meeting]:
    """Meetings whose reminder is due now and was not shown yet (``minutes=None``: off).

    A reminder is due from ``start - minutes`` until one minute after the start, so a
    reminder is not lost when the computer wakes up just after its time.
    """
    if minutes is None:
        return []
    lead = dt.timedelta(minutes=max(0, minutes))
    due = []
    for meeting in meetings:
        if meeting.start is None or reminder_key(meeting) in shown:
            continue
        if meeting.start - lead <= now < meeting.start + dt.timedelta(minutes=1):
            due.append(meeting)
    return sorted(due, key=Meeting.sort_key)


def next_reminder_at(
    meetings: Iterable[Meeting], now: dt.datetime, minutes: int | None, shown: set[str]
) -> dt.datetime | None:
    """Return when the next reminder falls due after *now*, to schedule one timer."""
    if minutes is None:
        return None
    lead = dt.timedelta(minutes=max(0, minutes))
    times = [
        m.start - lead
        for m in meetings
        if m.start is not None and reminder_key(m) not in shown and m.start - lead > now
    ]
    return min(times, default=None)
