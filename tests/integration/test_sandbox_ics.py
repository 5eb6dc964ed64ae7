"""The sandbox's demo ICS subscription: validators, 304, and the events the demo shows."""

from __future__ import annotations

import datetime as dt

import httpx

from launcher.core.models import Account, Provider
from launcher.providers.http import HttpClient, RetryPolicy
from launcher.providers.ics.client import IcsClient
from launcher.sandbox.demo import demo_accounts
from launcher.sandbox.ics import ICS_USER, DemoIcs, demo_calendar
from launcher.sandbox.server import start_in_thread
from launcher.sandbox.state import SandboxState


def test_etag_last_modified_and_304() -> None:
    with start_in_thread() as sandbox:
        url = f"{sandbox.base_url}/ics/demo.ics"
        first = httpx.get(url)
        assert first.status_code == 200
        assert first.headers["content-type"].startswith("text/calendar")
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert httpx.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert httpx.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        assert httpx.get(url, headers={"If-None-Match": '"old"'}).status_code == 200
        assert sandbox.state.stats()["requests"]["ics"] == 4


async def test_the_demo_calendar_through_the_client() -> None:
    with start_in_thread() as sandbox:
        [demo] = [a for a in demo_accounts(sandbox.base_url) if a.provider == "ics"]
        account = Account(demo.name, Provider.ICS, demo.base_url, username=demo.username)
        now = dt.datetime.now(dt.UTC)
        window = (now - dt.timedelta(days=1), now + dt.timedelta(days=14))
        async with HttpClient(retry=RetryPolicy(attempts=1)) as http:
            client = IcsClient(http, account, default_tz=dt.UTC)
            found = await client.list_meetings(*window)
            again = await client.list_meetings(*window)
        assert client.last_outcome == "not modified"
        assert found == again
    titles = {m.title for m in found}
    assert {"Design review (Teams)", "Customer call (Meet)", "Vendor sync (Webex)",
            "Optional all-hands (declined)", "Team offsite", "Weekly planning (moved)"} <= titles
    by_title = {m.title: m for m in found}
    assert by_title["Team offsite"].all_day
    assert by_title["Optional all-hands (declined)"].attendance == "declined"
    assert by_title["Vendor sync (Webex)"].attendance == "tentative"
    assert "example.webex.com" in by_title["Vendor sync (Webex)"].description
    assert by_title["Customer call (Meet)"].conference_url == "https://meet.google.com/dem-oxyz-abc"
    assert by_title["Design review (Teams)"].join_url.startswith("https://teams.microsoft.com/")
    assert {m.calendar for m in found} == {"Demo calendar"}


def test_the_calendar_changes_with_the_day_and_counts_requests() -> None:
    assert demo_calendar(dt.date(2025, 1, 1)) != demo_calendar(dt.date(2025, 1, 2))
    assert ICS_USER in demo_calendar(dt.date(2025, 1, 1))
    text = demo_calendar(dt.date(2025, 1, 1))
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert DemoIcs(SandboxState(seed_demo=False)).routes()
