"""What a provider client can do, as Protocols; the UI and CLI offer only what it has."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from typing import Protocol, runtime_checkable

from launcher.core.joinflow import JoinFlowAction
from launcher.core.models import Meeting, Room, StartedMeeting


@runtime_checkable
class MeetingLister(Protocol):
    """Lists the account's scheduled meetings."""

    async def list_meetings(
        self, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> Sequence[Meeting]:
        """Return meetings overlapping [start, end) where the API can filter, else all."""
        ...


@runtime_checkable
class PreChecker(Protocol):
    """Asks the provider whether a join with these parameters will go straight in."""

    async def precheck(
        self,
        meeting_id: str,
        *,
        passcode: str | None = None,
        cluster: str | None = None,
        meeting_type: str | None = None,
    ) -> JoinFlowAction | str:
        """Return the provider's answer (an unknown answer comes back as its raw text)."""
        ...


@runtime_checkable
class MeetingStarter(Protocol):
    """Starts a meeting and returns presenter and viewer links (join.me)."""

    async def start_meeting(
        self,
        meeting_id: str | None = None,
        *,
        personal_url: bool = False,
        headless: bool = False,
        viewer_app_detection: bool | None = None,
        webhooks: dict[str, object] | None = None,
    ) -> StartedMeeting:
        """Start an ad hoc meeting (no id) or a scheduled one."""
        ...


@dataclasses.dataclass(frozen=True, slots=True)
class JoinProgress:
    """One step of an asynchronous join (UCWA): connecting, lobby, joined, failed."""

    state: str
    message: str


@runtime_checkable
class MeetingJoiner(Protocol):
    """Joins a meeting through the provider's API and reports progress (UCWA)."""

    def join(self, online_meeting_uri: str) -> AsyncIterator[JoinProgress]:
        """Yield progress until the join completes; raise JoinFailed on failure."""
        ...


@runtime_checkable
class RoomCreator(Protocol):
    """Creates, lists and deletes transient rooms (Whereby)."""

    async def list_rooms(self) -> Sequence[Room]:
        """Every room, through all pages."""
        ...

    async def delete_room(self, room_id: str) -> None:
        """Delete a room; deleting one already gone is not an error."""
        ...
