"""Every provider client operation against the sandbox over real loopback HTTP (uvicorn)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest

from launcher.core.errors import (
    AuthenticationRequired,
    InvalidInput,
    JoinFailed,
    NotFound,
    Rejected,
)
from launcher.core.joinflow import JoinFlowAction
from launcher.core.models import Account, Credentials, Provider, Role
from launcher.providers.bluejeans.client import BlueJeansClient
from launcher.providers.joinme.client import JoinMeClient
from launcher.providers.joinme.protocol import MeetingPatch, ScheduleDraft
from launcher.providers.skype.client import SkypeClient
from launcher.providers.whereby.client import WherebyClient
from launcher.providers.whereby.protocol import RoomDraft, Streaming, StreamingDestination
from launcher.sandbox.server import RunningSandbox, start_in_thread
from launcher.sandbox.state import SandboxState

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    state = SandboxState()
    state.skype.lobby_seconds = 0.3
    state.skype.max_poll_seconds = 2
    with start_in_thread(state) as running:
        yield running


def _bj(base: str, **creds: str) -> tuple[Account, Credentials]:
    account = Account("BJ", Provider.BLUEJEANS, f"{base}/bluejeans/rest",
                      relay_url=f"{base}/bluejeans/relay/api", web_url=f"{base}/bluejeans/web",
                      username="demo@bluejeans.test")
    return account, Credentials(**creds)


async def test_bluejeans_precheck_every_answer(sandbox: RunningSandbox) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        anon = BlueJeansClient(http, *_bj(sandbox.base_url))
        assert await anon.precheck("9036439807") is JoinFlowAction.GET_PASSCODE
        assert await anon.precheck("9036439807", passcode="0000") is (
            JoinFlowAction.GET_GOOD_PASSCODE)
        assert await anon.precheck("9036439807", passcode="1629") is JoinFlowAction.JOIN_NOW
        assert await anon.precheck("4085551212", passcode="3691") is (
            JoinFlowAction.GET_OTHER_PASSCODE)
        assert await anon.precheck("6175550123") is JoinFlowAction.WAITING_ROOM_ENABLED
        assert await anon.precheck("8005550100") == "GET_FACE_SCAN"
        assert await anon.precheck("184405040") is (
            JoinFlowAction.LOGIN_REQUIRED_FOR_INVITEE_ONLY_SECURE_MEETING)
        assert await anon.precheck("2600155003", passcode="000000") is (
            JoinFlowAction.INVALID_PASSCODE_FOR_INVITEE_ONLY_SECURE_MEETING)
        assert await anon.precheck("494435558", cluster="PROD", meeting_type="MEETME") is (
            JoinFlowAction.JOIN_NOW)
        with pytest.raises(InvalidInput):
            await anon.precheck("not-a-number")
        # Signing in to the relay turns the login answer into JOIN_NOW.
        token = await anon.create_relay_token("demo@bluejeans.test", "demo-bluejeans-password")
        assert token
        assert await anon.precheck("184405040") is JoinFlowAction.JOIN_NOW
        assert await anon.precheck("2600155001") is (
            JoinFlowAction.USER_NOT_IN_LIST_FOR_INVITEE_ONLY_SECURE_MEETING)
        with pytest.raises(AuthenticationRequired):
            await anon.create_relay_token("demo@bluejeans.test", "wrong")


async def test_bluejeans_meetings_rest(sandbox: RunningSandbox) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        client = BlueJeansClient(http, *_bj(sandbox.base_url, username="demo@bluejeans.test",
                                            password="demo-bluejeans-password"))
        assert client.can_list
        meetings = await client.list_meetings()
        by_number = {m.number: m for m in meetings}
        weekly = by_number["9036439807"]
        assert weekly.id != weekly.number  # internal id, not the dial-in number
        assert weekly.join_url == f"{sandbox.base_url}/bluejeans/web/9036439807"
        assert weekly.passcode == "1629"
        again = await client.get_meeting(weekly.id)
        assert again.number == "9036439807" and again.title == weekly.title
        with pytest.raises(NotFound):
            await client.get_meeting("999999999")
        wrong = BlueJeansClient(http, *_bj(sandbox.base_url, username="demo@bluejeans.test",
                                           password="nope"))
        with pytest.raises(AuthenticationRequired):
            await wrong.list_meetings()
        relay_only = BlueJeansClient(http, *_bj(sandbox.base_url, relay_token="demo-relay-token"))
        assert not relay_only.can_list and await relay_only.list_meetings() == []


async def test_joinme_every_operation(sandbox: RunningSandbox) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        account = Account("JM", Provider.JOINME, f"{sandbox.base_url}/joinme/v1")
        client = JoinMeClient(http, account, Credentials(token="demo-joinme-token"))
        listed = await client.list_meetings()
        assert listed and all(m.provider is Provider.JOINME and m.role is Role.PRESENTER
                              for m in listed)
        soon = await client.list_meetings(end=NOW + dt.timedelta(days=2))
        assert 0 < len(soon) < len(listed)
        start = (NOW + dt.timedelta(days=1)).replace(microsecond=0)
        created = await client.schedule_meeting(ScheduleDraft(
            "Integration", start, start + dt.timedelta(hours=1), ("a@example.com",)))
        fetched = await client.get_meeting(created.id)
        assert fetched.title == "Integration" and fetched.participants == ("a@example.com",)
        updated = await client.update_meeting(created.id, MeetingPatch(
            end=start + dt.timedelta(hours=2), participants=("b@example.com", "c@example.com")))
        assert updated.end == start + dt.timedelta(hours=2)
        assert updated.participants == ("b@example.com", "c@example.com")
        with pytest.raises(InvalidInput) as bad:
            await client.update_meeting(created.id, MeetingPatch(end=start - dt.timedelta(hours=1)))
        assert bad.value.field in {"start", "end"}
        started = await client.start_meeting(created.id, headless=True, webhooks={
            "meeting.start": {"callbackUrl": "https://hooks.example.com/start"}})
        assert started.viewer_link and started.presenter_link != started.viewer_link
        assert started.conference and started.conference.organizer_code
        assert started.webhooks_status is not None
        assert started.presenter_link not in repr(started)
        adhoc = await client.start_meeting(personal_url=True)
        assert adhoc.viewer_link
        # The presenter link is one-time: the second visit is refused.
        first = await http.get(adhoc.presenter_link)
        second = await http.get(adhoc.presenter_link)
        assert first.status_code == 200 and second.status_code == 410
        await client.delete_meeting(created.id)
        with pytest.raises(NotFound):
            await client.get_meeting(created.id)
        bad_token = JoinMeClient(http, account, Credentials(token="nope"))
        with pytest.raises(AuthenticationRequired):
            await bad_token.list_meetings()


async def test_whereby_every_operation(sandbox: RunningSandbox) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        account = Account("WB", Provider.WHEREBY, f"{sandbox.base_url}/whereby/v1")
        client = WherebyClient(http, account, Credentials(api_key="demo-whereby-key"))
        room = await client.create_room(RoomDraft(
            end=NOW + dt.timedelta(hours=2), is_locked=True, room_mode="group",
            prefix="Customer0348-", pattern="human-short", host_url=True, viewer_url=True,
            streaming=Streaming(StreamingDestination("rtmp://a.rtmp.youtube.com/live2/key"))))
        assert "/customer0348-" in room.room_url
        assert room.host_url and "roomKey=" in room.host_url and room.viewer_url
        got = await client.get_room(room.id, host_url=True)
        assert got.room_url == room.room_url and got.host_url
        viewer = await client.create_room(RoomDraft(end=NOW + dt.timedelta(hours=1),
                                                    room_mode="group", viewer_mode=True))
        assert viewer.host_url and viewer.viewer_url
        for n in range(120):  # enough for two pages of 100
            await client.create_room(RoomDraft(end=NOW + dt.timedelta(hours=1), prefix=f"bulk{n}"))
        every = await client.list_rooms(page_size=50)
        ids = [r.id for r in every]
        assert len(ids) == len(set(ids)) >= 122 and room.id in ids
        meetings = await client.list_meetings()
        assert {m.id for m in meetings} == set(ids)
        await client.delete_room(room.id)
        await client.delete_room(room.id)  # idempotent
        with pytest.raises(NotFound):
            await client.get_room(room.id)
        with pytest.raises(InvalidInput) as bad:
            await client.create_room(RoomDraft(end=NOW - dt.timedelta(hours=1)))
        assert bad.value.field == "end"


async def test_skype_list_and_join(sandbox: RunningSandbox) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        account = Account("SfB", Provider.SKYPE, f"{sandbox.base_url}/skype/autodiscover/root",
                          web_url=f"{sandbox.base_url}/skype/meet", username="demo@contoso.test")
        creds = Credentials(username="demo@contoso.test", password="demo-skype-password")
        client = SkypeClient(http, account, creds, poll_timeout=2)
        meetings = {m.id: m for m in await client.list_meetings()}
        assert {"SUCCESS1", "LOBBY001", "DENIED01"} <= set(meetings)
        assert all(m.start is None and m.expires is not None for m in meetings.values())

        async def states(meeting_id: str) -> list[str]:
            uri = meetings[meeting_id].online_meeting_uri
            assert uri is not None
            return [p.state async for p in client.join(uri)]

        assert (await states("SUCCESS1"))[-1] == "joined"
        lobby = await states("LOBBY001")
        assert "lobby" in lobby and lobby[-1] == "joined"
        with pytest.raises(JoinFailed) as denied:
            await states("DENIED01")
        assert denied.value.code == "Denied" and "lobby" in str(denied.value)
        with pytest.raises(NotFound):
            await states("NOTFOUND")
        with pytest.raises(Rejected) as exists:
            await states("EXISTS01")
        assert exists.value.code == "AlreadyExists"
        with pytest.raises(InvalidInput):
            client.join("https://not-a-sip-uri")
        wrong = SkypeClient(http, account, Credentials(username="demo@contoso.test", password="x"))
        with pytest.raises(AuthenticationRequired):
            await wrong.list_meetings()
