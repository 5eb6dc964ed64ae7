"""The ICS client against a loopback HTTP server: ETag then 304, redirects, errors, files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from launcher.core.errors import AuthenticationRequired, NotFound, ProtocolViolation
from launcher.core.models import Account, Provider
from launcher.providers.http import HttpClient, RetryPolicy
from launcher.providers.ics.client import IcsClient, fetch_url
from launcher.store.accounts import AccountStore
from launcher.store.calendar_fetch import CalendarFetchStore
from launcher.store.db import Database

DATA = Path(__file__).resolve().parents[2] / "data" / "ics"
BODY = (DATA / "recurrence.ics").read_bytes()
WINDOW = (dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 01 Jan 2025 00:00:00 GMT"


@dataclasses.dataclass
class Seen:
    requests: list[tuple[str, dict[str, str]]] = dataclasses.field(default_factory=list)
    body: bytes = BODY
    etag: str = ETAG


class Handler(http.server.BaseHTTPRequestHandler):
    seen: Seen

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.seen.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        if self.path == "/moved.ics":
            self.send_response(302)
            self.send_header("Location", "/cal.ics")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path in {"/gone.ics", "/private.ics", "/page"}:
            status = {"/gone.ics": 404, "/private.ics": 403, "/page": 200}[self.path]
            body = b"<html>nope</html>"
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.headers.get("If-None-Match") == self.seen.etag:
            self.send_response(304)
            self.send_header("ETag", self.seen.etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.send_header("ETag", self.seen.etag)
        self.send_header("Last-Modified", LAST_MODIFIED)
        self.send_header("Content-Length", str(len(self.seen.body)))
        self.end_headers()
        self.wfile.write(self.seen.body)


@pytest.fixture
def server() -> Iterator[tuple[str, Seen]]:
    seen = Seen()
    handler = type("H", (Handler,), {"seen": seen})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    with Database.open(tmp_path / "t.sqlite3") as database:
        yield database


def http_client() -> HttpClient:
    return HttpClient(retry=RetryPolicy(attempts=1))


def account(url: str) -> Account:
    return Account("Cal", Provider.ICS, url, username="me@example.test")


async def test_etag_then_304_rereads_the_kept_body(
    server: tuple[str, Seen], db: Database
) -> None:
    base, seen = server
    acc = account(f"{base}/cal.ics")
    AccountStore(db).add(acc)
    store = CalendarFetchStore(db)
    async with http_client() as http:
        client = IcsClient(http, acc, store=store, default_tz=dt.UTC)
        first = await client.list_meetings(*WINDOW)
        assert client.last_outcome == "fetched"
        assert len(first) == 5 and first[0].attendance == "accepted"
        # A new client (a restart) finds the validators in the database.
        again = IcsClient(http, acc, store=store, default_tz=dt.UTC)
        second = await again.list_meetings(*WINDOW)
        assert again.last_outcome == "not modified"
        assert second == first
        # A narrower window is expanded from the kept body.
        narrow = await again.list_meetings(WINDOW[0], dt.datetime(2025, 1, 10, tzinfo=dt.UTC))
        assert [m.title for m in narrow] == ["Weekly stand-up"]
    assert seen.requests[0][1].get("if-none-match") is None
    assert seen.requests[1][1]["if-none-match"] == ETAG
    assert seen.requests[1][1]["if-modified-since"] == LAST_MODIFIED
    kept = store.get("Cal")
    assert kept is not None and kept.etag == ETAG and kept.body == BODY


async def test_a_changed_calendar_is_downloaded_again(server: tuple[str, Seen]) -> None:
    base, seen = server
    async with http_client() as http:
        client = IcsClient(http, account(f"{base}/cal.ics"), default_tz=dt.UTC)
        await client.list_meetings(*WINDOW)
        seen.body = (DATA / "timezones.ics").read_bytes()
        seen.etag = '"v2"'
        changed = await client.list_meetings(*WINDOW)
    assert client.last_outcome == "fetched"
    assert {m.uid for m in changed} >= {"utc@example.test"}


async def test_min_interval_sends_nothing_until_it_passes(server: tuple[str, Seen]) -> None:
    base, seen = server
    now = [dt.datetime(2025, 1, 1, tzinfo=dt.UTC)]
    async with http_client() as http:
        client = IcsClient(http, account(f"{base}/cal.ics"), default_tz=dt.UTC,
                           min_interval=dt.timedelta(minutes=30), clock=lambda: now[0])
        await client.list_meetings(*WINDOW)
        now[0] += dt.timedelta(minutes=10)
        await client.list_meetings(*WINDOW)
        assert client.last_outcome == "recent"
        assert len(seen.requests) == 1
        now[0] += dt.timedelta(minutes=30)
        await client.list_meetings(*WINDOW)
        assert client.last_outcome == "not modified"
    assert len(seen.requests) == 2


async def test_redirects_are_followed(server: tuple[str, Seen]) -> None:
    base, seen = server
    async with http_client() as http:
        found = await IcsClient(http, account(f"{base}/moved.ics"),
                                default_tz=dt.UTC).list_meetings(*WINDOW)
    assert len(found) == 5
    assert [p for p, _ in seen.requests] == ["/moved.ics", "/cal.ics"]


@pytest.mark.parametrize(
    ("path", "error", "words"),
    [("/gone.ics", NotFound, "not found"), ("/private.ics", AuthenticationRequired, "403"),
     ("/page", ProtocolViolation, "is not a calendar .no BEGIN:VCALENDAR.")],
)
async def test_errors_are_typed_and_readable(
    server: tuple[str, Seen], path: str, error: type[Exception], words: str
) -> None:
    base, _ = server
    async with http_client() as http:
        with pytest.raises(error, match=words):
            await IcsClient(http, account(base + path), default_tz=dt.UTC).list_meetings(*WINDOW)


async def test_files_are_read_and_a_missing_file_is_not_found(tmp_path: Path) -> None:
    async with httpx.AsyncClient() as http:
        client = IcsClient(http, account((DATA / "dst.ics").as_uri()), default_tz=dt.UTC)
        found = await client.list_meetings(
            dt.datetime(2025, 3, 1, tzinfo=dt.UTC), dt.datetime(2025, 4, 1, tzinfo=dt.UTC)
        )
        assert client.last_outcome == "file"
        assert len(found) == 5
        missing = IcsClient(http, account((tmp_path / "none.ics").as_uri()))
        with pytest.raises(NotFound, match="not found"):
            await missing.list_meetings(*WINDOW)


def test_webcal_is_https() -> None:
    assert fetch_url("webcal://cal.example/a.ics?x=1") == "https://cal.example/a.ics?x=1"
    assert fetch_url("https://cal.example/a.ics") == "https://cal.example/a.ics"


async def test_an_unchanged_body_is_not_parsed_again(
    server: tuple[str, Seen], monkeypatch: pytest.MonkeyPatch
) -> None:
    from launcher.providers.ics import client as client_module

    calls: list[int] = []
    real = client_module.read_ics

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(client_module, "read_ics", counting)
    base, seen = server
    async with http_client() as http:
        client = IcsClient(http, account(f"{base}/cal.ics"), default_tz=dt.UTC)
        first = await client.list_meetings(*WINDOW)
        second = await client.list_meetings(*WINDOW)
        assert client.last_outcome == "not modified"
        seen.etag = '"v2"'
        third = await client.list_meetings(*WINDOW)
    assert first == second == third
    assert len(calls) == 2  # the 304 reused the first read
