"""The last meetings fetched per account, so the window paints at once and works offline.

Kept without secrets: no passcode and no host (presenter) link is written here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from launcher.core.models import AudioConference, Meeting, Provider, Role
from launcher.store.atomic import write_atomic

log = logging.getLogger("launcher.cache")
FORMAT_VERSION = 1


@dataclasses.dataclass(frozen=True, slots=True)
class CachedAccount:
    """One account's meetings as last fetched, and when."""

    meetings: tuple[Meeting, ...]
    fetched_at: dt.datetime


class MeetingCache:
    """Read and write the meeting cache file (one JSON document, replaced atomically)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def load(
        self, *, window: tuple[dt.datetime, dt.datetime] | None = None
    ) -> dict[str, CachedAccount]:
        """Return the cached accounts; a missing or damaged cache is an empty one.

        With *window*, only meetings starting in it (and timeless ones) are built: the
        window's first paint needs the next few days, not every cached meeting.
        """
        lo = hi = ""
        if window is not None:
            lo, hi = (w.astimezone(dt.UTC).isoformat() for w in window)
        try:
            doc = json.loads(self._path.read_text(encoding="utf-8"))
            if doc.get("version") != FORMAT_VERSION:
                return {}
            out: dict[str, CachedAccount] = {}
            for name, entry in doc["accounts"].items():
                # Starts are written as UTC ISO strings, which sort like the instants.
                meetings = tuple(
                    _from_json(m)
                    for m in entry["meetings"]
                    if not lo or not m.get("start") or lo <= m["start"] < hi
                )
                out[name] = CachedAccount(meetings, dt.datetime.fromisoformat(entry["fetched_at"]))
            return out
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("the meeting cache could not be read (%s); starting empty", exc)
            return {}

    def save(self, accounts: dict[str, CachedAccount]) -> None:
        """Replace the cache with *accounts*."""
        self.write(encode_accounts(accounts))

    def write(self, document: bytes) -> None:
        """Replace the cache file with an already encoded document (atomic)."""
        write_atomic(self._path, document)


def encode_meetings(meetings: Sequence[Meeting]) -> str:
    """Encode meetings as the JSON array the cache file holds (a piece of the document).

    Callers on an event loop encode a few hundred at a time, so no single step of the
    work is long enough to be felt in the window.
    """
    return ",".join(json.dumps(_to_json(m), separators=(",", ":")) for m in meetings)


def encode_document(parts: dict[str, tuple[dt.datetime, list[str]]]) -> bytes:
    """Assemble the cache document from each account's encoded meeting pieces."""
    accounts = ",".join(
        f'{json.dumps(name)}:{{"fetched_at":{json.dumps(fetched.isoformat())},'
        f'"meetings":[{",".join(p for p in pieces if p)}]}}'
        for name, (fetched, pieces) in parts.items()
    )
    return f'{{"version":{FORMAT_VERSION},"accounts":{{{accounts}}}}}'.encode()


def encode_accounts(accounts: dict[str, CachedAccount]) -> bytes:
    """Encode the whole cache document at once."""
    return encode_document(
        {n: (e.fetched_at, [encode_meetings(e.meetings)]) for n, e in accounts.items()}
    )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _to_json(m: Meeting) -> dict[str, Any]:
    conf = m.conference
    return {
        "id": m.id, "account": m.account, "provider": m.provider.value, "title": m.title,
        "start": _iso(m.start), "end": _iso(m.end), "join_url": m.join_url,
        "viewer_url": m.viewer_url, "number": m.number,
        "participants": list(m.participants), "organizer": m.organizer,
        "role": m.role.value if m.role else None, "uri": m.online_meeting_uri,
        "conference": (
            {"id": conf.conference_id, "numbers_url": conf.numbers_url} if conf else None
        ),
        "description": m.description, "expires": _iso(m.expires),
        "has_passcode": m.passcode is not None,
    }


def _dt(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _from_json(d: dict[str, Any]) -> Meeting:
    conf = d.get("conference")
    return Meeting(
        id=str(d["id"]), account=str(d["account"]), provider=Provider(d["provider"]),
        title=str(d["title"]), start=_dt(d.get("start")), end=_dt(d.get("end")),
        join_url=d.get("join_url"), viewer_url=d.get("viewer_url"), number=d.get("number"),
        participants=tuple(d.get("participants") or ()), organizer=d.get("organizer"),
        role=Role(d["role"]) if d.get("role") else None, online_meeting_uri=d.get("uri"),
        conference=(
            AudioConference(conf.get("id"), conf.get("numbers_url")) if conf else None
        ),
        description=d.get("description") or "", expires=_dt(d.get("expires")),
    )
