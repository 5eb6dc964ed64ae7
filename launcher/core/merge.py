"""One entry per meeting when several sources hold it (a calendar copy of an API meeting).

Two entries are the same meeting when they start at the same instant and either share
an iCalendar UID, or share a join link once normalised (scheme and ``www.`` dropped,
host lower-cased, trailing slash, fragment and passcode/tracking parameters removed:
``https://zoom.us/j/1?pwd=x`` and ``https://www.zoom.us/j/1/`` are one meeting). Same
UID with different starts are different occurrences of a recurring event, kept apart.

The merged entry is the richest record: a meeting service's API entry beats a calendar
copy (it knows roles, host links and passcodes), then the one with more fields set.
Fields it lacks are filled from the others (a calendar's location, UID, attendance),
and ``sources`` names every account it was found in, in the order they came.
"""

from __future__ import annotations

import dataclasses
import functools
import urllib.parse
from collections.abc import Iterable, Sequence

from launcher.core.models import Meeting

#: Query parameters that never identify a meeting (passcodes, tracking, UI context).
_NOISE_PARAMS = frozenset(
    {"pwd", "p", "passcode", "password", "context", "from", "launch", "uname", "tk",
     "ref", "source", "hl", "authuser"}
)
#: Fields filled from another copy when the chosen record lacks them.
_FILLABLE = (
    "join_url", "viewer_url", "number", "organizer", "online_meeting_uri", "conference",
    "description", "uid", "location", "status", "attendance", "calendar", "conference_url",
    "end",
)


@functools.lru_cache(maxsize=8192)
def normalise_link(url: str | None) -> str | None:
    """Return a comparison key for a join link, or None for no (or an unusable) link."""
    if not url:
        return None
    try:
        parts = urllib.parse.urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host:
        return None
    query = sorted(
        (k.lower(), v)
        for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _NOISE_PARAMS and not k.lower().startswith("utm_")
    )
    path = urllib.parse.unquote(parts.path).rstrip("/")
    return f"{host}{path}?{urllib.parse.urlencode(query)}" if query else f"{host}{path}"


def _keys(meeting: Meeting) -> list[tuple[str, str]]:
    if meeting.start is None:
        return []
    when = meeting.start.isoformat()
    keys = []
    if meeting.uid:
        keys.append(("uid", f"{meeting.uid}|{when}"))
    for url in {meeting.join_url, meeting.conference_url}:
        link = normalise_link(url)
        if link:
            keys.append(("link", f"{link}|{when}"))
    return keys


def _richness(meeting: Meeting) -> tuple[bool, int]:
    filled = sum(
        1 for f in dataclasses.fields(meeting)
        if f.name not in {"id", "account", "provider", "sources"}
        and getattr(meeting, f.name) not in (None, "", (), False)
    )
    return (not meeting.provider.is_calendar, filled)


def merge_duplicates(meetings: Iterable[Meeting]) -> list[Meeting]:
    """Return *meetings* with duplicates merged (order kept: first copy's place)."""
    items = list(meetings)
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[tuple[str, str], int] = {}
    for index, meeting in enumerate(items):
        for key in _keys(meeting):
            other = seen.setdefault(key, index)
            if other != index:
                a, b = find(other), find(index)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for index in range(len(items)):
        groups.setdefault(find(index), []).append(index)
    out: list[Meeting] = []
    for root in sorted(groups):
        members = [items[i] for i in groups[root]]
        out.append(members[0] if len(members) == 1 else _combine(members))
    return out


def _combine(members: Sequence[Meeting]) -> Meeting:
    best = max(members, key=_richness)  # max keeps the first of equals
    changes: dict[str, object] = {}
    for name in _FILLABLE:
        if getattr(best, name) in (None, ""):
            for other in members:
                value = getattr(other, name)
                if value not in (None, ""):
                    changes[name] = value
                    break
    if not best.all_day and any(m.all_day for m in members) and best.provider.is_calendar:
        changes["all_day"] = True
    sources: list[str] = []
    for m in members:
        for name in m.sources or (m.account,):
            if name not in sources:
                sources.append(name)
    changes["sources"] = tuple(sources)
    return dataclasses.replace(best, **changes)  # type: ignore[arg-type]


__all__ = ["merge_duplicates", "normalise_link"]
