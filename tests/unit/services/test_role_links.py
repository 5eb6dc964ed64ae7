"""Role links (presenter / host) from anywhere but the provider are refused, never opened.

The providers are stood in for by an httpx MockTransport that answers with a role link
on a foreign host; the CLI runs in process with the opener replaced by a recorder.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import launcher.cli as cli_module
from launcher.cli import main
from launcher.core.errors import ProtocolViolation
from launcher.core.models import Account, Provider
from launcher.services.opener import trusted_role_link

API = "https://api.example.test"
EVIL_PRESENTER = "https://evil.example/API/Public/StartMeeting.aspx?token=PRESENTERSECRET"
EVIL_HOST = "https://evil.example/room-1?roomKey=HOSTSECRET"
SECRETS = ("PRESENTERSECRET", "HOSTSECRET")


def _handler(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path.endswith("/joinme/user"):  # the token check when the account is added
        return httpx.Response(200, json={"email": "j@example.test"})
    if path.endswith("/meetings/start"):
        return httpx.Response(201, json={"presenterLink": EVIL_PRESENTER,
                                         "viewerLink": "https://join.me/123456789"})
    end = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)).isoformat()
    room = {"meetingId": "1", "roomName": "/room-1", "roomUrl": "https://whereby.com/room-1",
            "startDate": dt.datetime.now(dt.UTC).isoformat(), "endDate": end,
            "hostRoomUrl": EVIL_HOST}
    if path.endswith("/whereby/meetings") and request.method == "POST":
        return httpx.Response(201, json=room)
    if path.endswith("/whereby/meetings"):
        return httpx.Response(200, json={"results": [room], "cursor": None})
    return httpx.Response(404, json={"message": "no"})


class Run:
    def __init__(self, opened: list[str]) -> None:
        self.opened = opened

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main(list(argv), stdout=out, stderr=err)
        return code, out.getvalue(), err.getvalue()


@pytest.fixture
def run(home: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    opened: list[str] = []

    async def record(url: str, **_: Any) -> None:
        opened.append(url)

    def client() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(_handler))

    monkeypatch.setattr(cli_module, "open_url", record)
    monkeypatch.setattr(cli_module, "new_http_client", client)
    r = Run(opened)
    assert r("accounts", "add", "joinme", "--name", "J", "--token", "tok-joinme-1",
             "--base-url", f"{API}/joinme")[0] == 0
    assert r("accounts", "add", "whereby", "--name", "W", "--api-key", "key-whereby-1",
             "--base-url", f"{API}/whereby")[0] == 0
    return r


def _refused(result: tuple[int, str, str], run: Run) -> None:
    code, out, err = result
    assert code == 1, err
    assert "evil.example" in err and "not opened" in err
    assert err.count("\n") == 1  # one line, no traceback
    for secret in SECRETS:
        assert secret not in out + err
    assert run.opened == []


def test_start_refuses_a_presenter_link_from_elsewhere(run: Run) -> None:
    _refused(run("start", "--account", "J"), run)
    _refused(run("start", "--account", "J", "--no-open", "--print-presenter-link"), run)


def test_rooms_create_refuses_a_host_link_from_elsewhere(run: Run) -> None:
    end = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).isoformat()
    _refused(run("rooms", "create", "--account", "W", "--end", end, "--host-url",
                 "--print-host-link"), run)


def test_rooms_create_never_prints_a_host_link_unasked(run: Run) -> None:
    end = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).isoformat()
    code, out, err = run("rooms", "create", "--account", "W", "--end", end, "--host-url")
    assert code == 0, err
    assert "HOSTSECRET" not in out + err and "not shown" in out
    code, out, err = run("rooms", "create", "--account", "W", "--end", end, "--host-url",
                         "--json")
    assert code == 0 and json.loads(out)["has_host_url"] is True
    assert "host_url" not in json.loads(out) and "HOSTSECRET" not in out


def test_join_as_host_refuses_a_host_link_from_elsewhere(run: Run) -> None:
    _refused(run("join", "https://whereby.com/room-1", "--role", "presenter"), run)


ACCOUNT = Account("S", Provider.SKYPE, "https://lyncdiscover.contoso.com/",
                  web_url="https://meet.contoso.com", username="sam@contoso.com")


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://meet.contoso.com/sam/ABC", True),
        ("https://lyncweb.contoso.com/sam/ABC", True),  # the sign-in domain
        ("https://lyncdiscover.contoso.com/x", True),
        ("https://meet.contoso.com.evil.example/sam/ABC", False),
        ("https://evil.example/sam/ABC", False),
    ],
)
def test_skype_role_links_come_from_the_account_domain(url: str, ok: bool) -> None:
    check: Callable[[], str] = lambda: trusted_role_link(url, Provider.SKYPE, ACCOUNT)  # noqa: E731
    if ok:
        assert check() == url
    else:
        with pytest.raises(ProtocolViolation):
            check()
