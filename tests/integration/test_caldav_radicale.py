"""The CalDAV client against a real Radicale server started on 127.0.0.1 by the tests."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher.core.errors import AuthenticationRequired, ProviderUnavailable
from launcher.core.models import Account, Credentials, Provider
from launcher.providers.caldav.client import CalDavClient

USER, PASSWORD = "alice", "wonder-land-42"
WINDOW = (dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2025, 3, 1, tzinfo=dt.UTC))

WEEKLY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//tests//EN
BEGIN:VEVENT
UID:dav-weekly@example.test
DTSTAMP:20250101T000000Z
SUMMARY:DAV weekly
DTSTART;TZID=Europe/Berlin:20250106T100000
DTEND;TZID=Europe/Berlin:20250106T103000
RRULE:FREQ=WEEKLY;COUNT=4
EXDATE;TZID=Europe/Berlin:20250120T100000
ATTENDEE;PARTSTAT=TENTATIVE:mailto:alice@example.test
X-GOOGLE-CONFERENCE:https://meet.google.com/aaa-bbbb-ccc
END:VEVENT
BEGIN:VEVENT
UID:dav-weekly@example.test
DTSTAMP:20250101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20250113T100000
SUMMARY:DAV weekly (moved)
DTSTART;TZID=Europe/Berlin:20250113T150000
DTEND;TZID=Europe/Berlin:20250113T153000
END:VEVENT
END:VCALENDAR
"""

SINGLE = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//tests//EN
BEGIN:VEVENT
UID:dav-single@example.test
DTSTAMP:20250101T000000Z
SUMMARY:Zoom review
DTSTART:20250210T140000Z
DTEND:20250210T150000Z
URL:https://example.zoom.us/j/5550001111
END:VEVENT
END:VCALENDAR
"""

OUTSIDE = SINGLE.replace("dav-single", "dav-later").replace("20250210", "20250610")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("radicale")
    users = root / "users"
    users.write_text(f"{USER}:{PASSWORD}\n")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", "",
         "--server-hosts", f"127.0.0.1:{port}",
         "--storage-filesystem-folder", str(root / "collections"),
         "--auth-type", "htpasswd", "--auth-htpasswd-filename", str(users),
         "--auth-htpasswd-encryption", "plain", "--auth-delay", "0",
         "--rights-type", "owner_only", "--logging-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    pytest.fail(f"Radicale did not start: {err[-2000:]}")
                time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/"
        _seed(url)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if proc.stderr:
            proc.stderr.close()


def _seed(url: str) -> None:
    """Create two calendars and their events through the caldav library."""
    from caldav.davclient import DAVClient

    with DAVClient(url=url, username=USER, password=PASSWORD, enable_rfc6764=False) as client:
        principal = client.principal()
        work = principal.make_calendar(name="Work", cal_id="work")
        work.save_event(WEEKLY)
        home = principal.make_calendar(name="Home", cal_id="home")
        home.save_event(SINGLE)
        home.save_event(OUTSIDE)


def account(url: str) -> Account:
    return Account("DAV", Provider.CALDAV, url, username="alice@example.test")


async def test_every_calendar_is_listed_and_expanded(radicale: str) -> None:
    client = CalDavClient(account(radicale), Credentials(username=USER, password=PASSWORD),
                          default_tz=dt.UTC)
    found = await client.list_meetings(*WINDOW)
    summary = [(m.title, m.start, m.calendar) for m in found]
    at = lambda *a: dt.datetime(*a, tzinfo=dt.UTC)  # noqa: E731
    assert summary == [
        ("DAV weekly", at(2025, 1, 6, 9), "Work"),
        ("DAV weekly (moved)", at(2025, 1, 13, 14), "Work"),
        ("DAV weekly", at(2025, 1, 27, 9), "Work"),
        ("Zoom review", at(2025, 2, 10, 14), "Home"),
    ]
    assert {m.provider for m in found} == {Provider.CALDAV}
    assert {m.account for m in found} == {"DAV"}
    assert found[0].attendance == "tentative"
    assert found[0].conference_url == "https://meet.google.com/aaa-bbbb-ccc"
    assert found[0].id == "dav-weekly@example.test/20250106T090000Z"
    assert found[3].join_url == "https://example.zoom.us/j/5550001111"


async def test_a_calendar_url_lists_only_that_calendar(radicale: str) -> None:
    client = CalDavClient(account(f"{radicale}{USER}/home/"),
                          Credentials(username=USER, password=PASSWORD), default_tz=dt.UTC)
    found = await client.list_meetings(*WINDOW)
    assert [m.title for m in found] == ["Zoom review"]
    assert await client.check_login() == ["Home"]


async def test_login_check_names_the_calendars(radicale: str) -> None:
    client = CalDavClient(account(radicale), Credentials(username=USER, password=PASSWORD))
    assert sorted(await client.check_login()) == ["Home", "Work"]


async def test_a_wrong_password_is_authentication_required(radicale: str) -> None:
    client = CalDavClient(account(radicale), Credentials(username=USER, password="nope"))
    with pytest.raises(AuthenticationRequired) as caught:
        await client.list_meetings(*WINDOW)
    assert "nope" not in str(caught.value)


async def test_a_server_that_is_not_there_is_unavailable() -> None:
    client = CalDavClient(account(f"http://127.0.0.1:{free_port()}/"),
                          Credentials(username=USER, password=PASSWORD), timeout=5)
    with pytest.raises(ProviderUnavailable):
        await client.check_login()


def test_cli_adds_a_caldav_account_after_checking_the_login(
    radicale: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import json

    from launcher.cli import main

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        return main(list(args), stdout=out, stderr=err), out.getvalue(), err.getvalue()

    code, _, err = run("accounts", "add", "caldav", "--name", "DAV", "--url", radicale,
                       "--username", USER, "--password-stdin", stdin="wrong\n")
    assert code == 2 and "--password-stdin:" in err and "did not accept" in err
    assert "wrong" not in err
    assert json.loads(run("accounts", "list", "--json")[1]) == []
    code, _, err = run("accounts", "add", "caldav", "--name", "DAV", "--url", radicale,
                       "--password-stdin", stdin=f"{PASSWORD}\n")
    assert code == 2 and "--username:" in err
    code, out, err = run("accounts", "add", "caldav", "--name", "DAV", "--url", radicale,
                         "--username", USER, "--password-stdin", stdin=f"{PASSWORD}\n")
    assert code == 0, err
    secrets = (home / "config" / "secrets.json").read_text()
    assert PASSWORD in secrets  # the file backend of the tests: the password lives there
    database = (home / "data" / "meeting-launcher.sqlite3").read_bytes()
    assert PASSWORD.encode() not in database
    code, out, err = run("meetings", "--from", "2025-01-01T00:00:00Z",
                         "--to", "2025-03-01T00:00:00Z", "--json")
    assert code == 0, err
    titles = [m["title"] for m in json.loads(out)["meetings"]]
    assert titles == ["DAV weekly", "DAV weekly (moved)", "DAV weekly", "Zoom review"]
