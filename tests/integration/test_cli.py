"""The CLI end to end: real subprocesses against a sandbox process over loopback HTTP."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.conftest import SandboxProcess, _env

pytestmark = pytest.mark.end2end

SECRETS = {
    "token": "demo-joinme-token",
    "api_key": "demo-whereby-key",
    "relay": "demo-relay-token",
    "bjn_password": "demo-bluejeans-password",
    "skype_password": "demo-skype-password",
}


@dataclass
class Cli:
    home: Path
    sandbox: SandboxProcess
    browser_log: Path

    def run(
        self, *args: str, stdin: str = "", browser: bool = False
    ) -> subprocess.CompletedProcess[str]:
        env = _env(self.home)
        if browser:
            script = self.home.parent / "browser.sh"
            script.write_text(f'#!/bin/sh\necho "$1" >> "{self.browser_log}"\n')
            script.chmod(0o700)
            env["BROWSER"] = str(script)
        return subprocess.run(
            [sys.executable, "-m", "launcher", *args],
            input=stdin, capture_output=True, text=True, env=env, timeout=60,
        )

    def json(self, *args: str, **kw: object) -> object:
        result = self.run(*args, "--json", **kw)  # type: ignore[arg-type]
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture(scope="module")
def cli(sandbox_process: SandboxProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    root = tmp_path_factory.mktemp("cli")
    c = Cli(root / "home", sandbox_process, root / "browser.log")
    base = sandbox_process.base_url
    adds = [
        ("accounts", "add", "joinme", "--name", "JM", "--base-url", f"{base}/joinme/v1",
         "--web-url", f"{base}/joinme/web", "--token", "-"),
        ("accounts", "add", "whereby", "--name", "WB", "--base-url", f"{base}/whereby/v1",
         "--web-url", f"{base}/whereby/web", "--api-key", "-"),
        ("accounts", "add", "bluejeans", "--name", "BJ", "--base-url", f"{base}/bluejeans/rest",
         "--relay-url", f"{base}/bluejeans/relay/api", "--web-url", f"{base}/bluejeans/web",
         "--username", "demo@bluejeans.test", "--password-stdin"),
        ("accounts", "add", "skype", "--name", "SfB",
         "--discovery-url", f"{base}/skype/autodiscover/root", "--web-url", f"{base}/skype/meet",
         "--username", "demo@contoso.test", "--password-stdin"),
    ]
    stdins = [SECRETS["token"], SECRETS["api_key"], SECRETS["bjn_password"],
              SECRETS["skype_password"]]
    for args, stdin in zip(adds, stdins, strict=True):
        result = c.run(*args, stdin=stdin + "\n")
        assert result.returncode == 0, result.stderr
    yield c


def _no_secret_in_files(home: Path) -> None:
    for path in home.rglob("*"):
        if not path.is_file() or path.name == "secrets.json":
            continue
        text = path.read_text(errors="replace")
        for secret in SECRETS.values():
            assert secret not in text, f"{secret} found in {path}"


def test_accounts_list_has_no_secrets(cli: Cli) -> None:
    rows = cli.json("accounts", "list")
    assert isinstance(rows, list)
    assert [r["name"] for r in rows] == ["JM", "WB", "BJ", "SfB"]
    assert rows[3]["username"] == "demo@contoso.test"
    assert not any(s in json.dumps(rows) for s in SECRETS.values())
    _no_secret_in_files(cli.home)
    secrets_file = cli.home / "config" / "secrets.json"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600


def test_meetings_merged_sorted_json(cli: Cli) -> None:
    doc = cli.json("meetings")
    assert isinstance(doc, dict)
    meetings = doc["meetings"]
    assert isinstance(meetings, list) and meetings
    assert [(a["account"], a["state"], a["fresh"], a["cached"]) for a in doc["accounts"]] == [
        (name, "up to date", True, False) for name in ("JM", "WB", "BJ", "SfB")
    ]
    providers = {m["provider"] for m in meetings}
    assert providers == {"bluejeans", "joinme", "whereby", "skype"}
    for m in meetings:
        for key in ("id", "account", "provider", "title", "start", "end", "join_url"):
            assert key in m
    timed = [dt.datetime.fromisoformat(m["start"]) for m in meetings if m["start"]]
    assert timed == sorted(timed)
    assert all(dt.datetime.fromisoformat(m["start"]).utcoffset() is not None
               for m in meetings if m["start"])
    numbers = {m["number"] for m in meetings if m["provider"] == "bluejeans"}
    assert "9036439807" in numbers
    text = cli.run("meetings")
    assert text.returncode == 0 and "BlueJeans" in text.stdout and "Meeting spaces" in text.stdout
    one = cli.json("meetings", "--account", "JM")
    assert isinstance(one, dict) and {m["account"] for m in one["meetings"]} == {"JM"}
    assert [a["account"] for a in one["accounts"]] == ["JM"]


def test_meetings_window(cli: Cli) -> None:
    now = dt.datetime.now(dt.UTC)
    doc = cli.json("meetings", "--from", (now + dt.timedelta(days=5)).isoformat(),
                   "--to", (now + dt.timedelta(days=9)).isoformat(), "--account", "JM")
    assert isinstance(doc, dict)
    later = doc["meetings"]
    assert later
    for m in later:
        assert dt.datetime.fromisoformat(m["start"]) < now + dt.timedelta(days=9)
        assert dt.datetime.fromisoformat(m["end"]) >= now + dt.timedelta(days=5)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("meetings", "--from", "yesterday"), "--from"),
        (("meetings", "--from", "2026-01-02T00:00Z", "--to", "2026-01-01T00:00Z"), "--to"),
        (("check", "not a link"), "URL_OR_ID"),
        (("check", "9036439807", "--passcode", "12 34"), "passcode"),
        (("check", "9036439807", "--cluster", "prod!"), "cluster"),
        (("schedule", "--account", "JM", "--title", "", "--start", "2030-01-01T10:00Z",
          "--end", "2030-01-01T11:00Z"), "title"),
        (("schedule", "--account", "JM", "--title", "X", "--start", "2030-01-01T10:00Z",
          "--end", "2030-01-20T11:00Z"), "end"),
        (("schedule", "--account", "JM", "--title", "X", "--start", "2030-01-01T10:00Z",
          "--end", "2030-01-01T11:00Z", "--participant", "bob@"), "participant"),
        (("rooms", "create", "--account", "WB", "--end", "2001-01-01T00:00Z"), "end"),
        (("rooms", "create", "--account", "WB", "--end", "2099-01-01T00:00Z",
          "--prefix", "bad_prefix!"), "prefix"),
        (("accounts", "add", "whereby", "--name", "X"), "--api-key"),
        (("accounts", "add", "joinme", "--name", "X", "--token", "t", "--base-url", "ftp://x"),
         "--base-url"),
        (("join", "9036439807", "--role", "boss"), "--role"),
    ],
)
def test_bad_input_exits_2_one_line_no_request(cli: Cli, args: tuple[str, ...], field: str) -> None:
    before = cli.sandbox.requests()
    result = cli.run(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert cli.sandbox.requests() == before


def test_check_bluejeans(cli: Cli) -> None:
    first = cli.json("check", "9036439807")
    assert first == {
        "provider": "bluejeans", "action": "GET_PASSCODE", "needs": "passcode",
        "message": first["message"],  # type: ignore[index]
    }
    good = cli.json("check", "9036439807", "--passcode", "1629")
    assert isinstance(good, dict) and good["action"] == "JOIN_NOW" and good["needs"] is None
    wrong = cli.json("check", "9036439807", "--passcode", "0000")
    assert isinstance(wrong, dict) and wrong["action"] == "GET_GOOD_PASSCODE"
    via_url = cli.json(
        "check", f"{cli.sandbox.base_url}/bluejeans/web/9036439807/1629",
    )
    assert isinstance(via_url, dict) and via_url["action"] == "JOIN_NOW"
    # --base-url points an ad hoc check at any relay (here the sandbox's).
    relay = f"{cli.sandbox.base_url}/bluejeans/relay/api"
    explicit = cli.json("check", "https://bluejeans.com/9036439807", "--base-url", relay)
    assert isinstance(explicit, dict) and explicit["needs"] == "passcode"


def test_join_needs_passcode_exits_3(cli: Cli) -> None:
    result = cli.run("join", "9036439807", "--no-open")
    assert result.returncode == 3
    assert "passcode" in result.stderr and "--passcode" in result.stderr


def test_join_with_passcode_prints_url(cli: Cli) -> None:
    data = cli.json("join", "9036439807", "--passcode", "1629", "--no-open")
    assert isinstance(data, dict) and data["role"] == "viewer"
    assert data["url"].endswith("/9036439807/1629")


def test_join_opens_through_browser_env(cli: Cli) -> None:
    result = cli.run("join", "9036439807", "--passcode", "1629", browser=True)
    assert result.returncode == 0, result.stderr
    import time

    for _ in range(50):
        if cli.browser_log.exists():
            break
        time.sleep(0.05)
    assert cli.browser_log.read_text().strip().endswith("/9036439807/1629")


def test_join_opens_a_link_of_a_service_without_an_account_after_its_check(cli: Cli) -> None:
    """A Zoom or Teams link, as the window's "Join a meeting link" takes it."""
    teams = "https://teams.microsoft.com/meet/41234567890123"
    result = cli.run("join", teams, browser=True)
    assert result.returncode == 0, result.stderr
    assert "Opened the Microsoft Teams link in the browser." in result.stdout
    assert "has no passcode (?p=...)" in result.stderr  # the pre-join check, said first
    import time

    for _ in range(50):
        if cli.browser_log.exists() and teams in cli.browser_log.read_text():
            break
        time.sleep(0.05)
    assert cli.browser_log.read_text().strip().endswith(teams)
    data = cli.json("join", "https://us02web.zoom.us/j/85012345678?pwd=abc", "--no-open")
    assert data == {"url": "https://us02web.zoom.us/j/85012345678?pwd=abc", "service": "zoom",
                    "opened_in": "printed"}


@pytest.mark.parametrize(
    ("args", "option", "words"),
    [
        (("zoom tomorrow",), "URL_OR_ID", "paste the meeting's full address"),
        (("javascript:alert(1)",), "URL_OR_ID", "only web links and known meeting apps"),
        (("https://zoom.us/j/123456789", "--passcode", "1234"), "--passcode",
         "BlueJeans, join.me, Whereby and Skype for Business links only"),
        (("https://zoom.us/j/123456789", "--role", "presenter"), "--role",
         "BlueJeans, join.me, Whereby and Skype for Business links only"),
    ],
)
def test_join_refuses_what_it_cannot_open_and_says_what_to_do(
    cli: Cli, args: tuple[str, ...], option: str, words: str
) -> None:
    result = cli.run("join", *args, browser=True)
    assert result.returncode == 2
    assert result.stderr.startswith(f"meeting-launcher: error: {option}: ")
    assert words in result.stderr and result.stderr.count("\n") == 1


def test_start_joinme(cli: Cli) -> None:
    data = cli.json("start", "--account", "JM", "--no-open")
    assert isinstance(data, dict)
    assert set(data) == {"viewer_url", "conference_id", "conference_numbers_url"}
    assert data["conference_id"] and len(data["conference_id"]) == 9
    with_link = cli.json("start", "--account", "JM", "--no-open", "--print-presenter-link")
    assert isinstance(with_link, dict) and "StartMeeting.aspx" in with_link["presenter_url"]


def test_schedule_update_delete(cli: Cli) -> None:
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).replace(microsecond=0)
    created = cli.json(
        "schedule", "--account", "JM", "--title", "CLI test", "--start", start.isoformat(),
        "--end", (start + dt.timedelta(hours=1)).isoformat(), "--participant", "a@example.com",
    )
    assert isinstance(created, dict) and created["title"] == "CLI test"
    mid = created["id"]
    updated = cli.json("update", "--account", "JM", mid, "--title", "CLI test 2",
                       "--participant", "b@example.com")
    assert isinstance(updated, dict) and updated["title"] == "CLI test 2"
    assert updated["participants"] == ["b@example.com"]
    bad = cli.run("update", "--account", "JM", mid,
                  "--end", (start - dt.timedelta(hours=1)).isoformat())
    assert bad.returncode == 2 and "end" in bad.stderr
    assert cli.json("delete", "--account", "JM", mid) == {"deleted": mid}
    gone = cli.run("delete", "--account", "JM", mid)
    assert gone.returncode == 1 and "join.me" in gone.stderr


def test_rooms_create_list_delete(cli: Cli) -> None:
    end = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).isoformat()
    room = cli.json("rooms", "create", "--account", "WB", "--end", end, "--prefix", "Team Sync",
                    "--host-url", "--viewer-url", "--locked", "--print-host-link")
    assert isinstance(room, dict)
    assert set(room) == {"id", "room_url", "has_host_url", "host_url", "viewer_url", "end"}
    assert "/teamsync" in room["room_url"] and "roomKey=" in room["host_url"]
    # Without --print-host-link the host link (it gives host rights) is not shown.
    quiet = cli.json("rooms", "create", "--account", "WB", "--end", end, "--host-url")
    assert isinstance(quiet, dict) and quiet["has_host_url"] is True and "host_url" not in quiet
    assert "roomKey=" not in json.dumps(quiet).replace(quiet["viewer_url"] or "", "")
    listed = cli.json("rooms", "list", "--account", "WB")
    assert isinstance(listed, list) and room["id"] in {r["id"] for r in listed}
    assert cli.json("rooms", "delete", room["id"], "--account", "WB") == {"deleted": room["id"]}
    assert cli.json("rooms", "delete", room["id"], "--account", "WB") == {"deleted": room["id"]}


def test_skype_join_outcomes(cli: Cli) -> None:
    base = cli.sandbox.base_url
    ok = cli.run("join", f"{base}/skype/meet/demo/SUCCESS1", "--no-open")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip().endswith("/skype/meet/demo/SUCCESS1")
    lobby = cli.run("join", f"{base}/skype/meet/demo/LOBBY001", "--no-open")
    assert lobby.returncode == 0, lobby.stderr
    assert "lobby" in lobby.stderr.lower()
    denied = cli.run("join", f"{base}/skype/meet/demo/DENIED01", "--no-open")
    assert denied.returncode == 1 and "lobby" in denied.stderr.lower()
    missing = cli.run("join", f"{base}/skype/meet/demo/NOTFOUND", "--no-open")
    assert missing.returncode == 1 and "not be found" in missing.stderr


def test_provider_failure_exits_1_with_message(cli: Cli) -> None:
    cli.sandbox.control("PUT", "/_sandbox/faults/bluejeans", {"kind": "status", "status": 503})
    try:
        result = cli.run("check", "9036439807")
    finally:
        cli.sandbox.control("DELETE", "/_sandbox/faults")
    assert result.returncode == 1
    assert "BlueJeans" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_partial_failure_keeps_other_accounts_and_the_failed_ones_cached_meetings(
    cli: Cli,
) -> None:
    fresh = cli.json("meetings")
    assert isinstance(fresh, dict)
    rooms = {m["id"] for m in fresh["meetings"] if m["account"] == "WB"}
    assert rooms
    cli.sandbox.control("PUT", "/_sandbox/faults/whereby", {"kind": "status", "status": 500})
    try:
        result = cli.run("meetings", "--json")
    finally:
        cli.sandbox.control("DELETE", "/_sandbox/faults")
    assert result.returncode == 0
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("warning:")]
    assert line.startswith("warning: WB: offline since ") and "showing the meetings" in line
    assert "HTTP 500" in line
    doc = json.loads(result.stdout)
    assert {m["id"] for m in doc["meetings"] if m["account"] == "WB"} == rooms
    assert "joinme" in {m["provider"] for m in doc["meetings"]}
    wb = next(a for a in doc["accounts"] if a["account"] == "WB")
    assert (wb["state"], wb["fresh"], wb["cached"]) == ("offline", False, True)
    assert wb["since"] and "HTTP 500" in wb["message"]


def test_remove_account_removes_secrets(cli: Cli) -> None:
    added = cli.run("accounts", "add", "whereby", "--name", "Temp", "--api-key", "-",
                    "--base-url", f"{cli.sandbox.base_url}/whereby/v1",
                    stdin=SECRETS["api_key"] + "\n")
    assert added.returncode == 0, added.stderr
    assert "keyring" in added.stderr  # the fallback is announced
    stored = json.loads((cli.home / "config" / "secrets.json").read_text())
    assert stored["Temp"] == {"api_key": SECRETS["api_key"]}
    assert cli.json("accounts", "remove", "Temp") == {"removed": "Temp"}
    assert "Temp" not in json.loads((cli.home / "config" / "secrets.json").read_text())


def test_demo_mode_needs_no_account(tmp_path: Path) -> None:
    env = _env(tmp_path / "unused-home")
    result = subprocess.run(
        [sys.executable, "-m", "launcher", "--demo", "meetings", "--json"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    providers = {m["provider"] for m in json.loads(result.stdout)["meetings"]}
    assert providers == {"bluejeans", "joinme", "whereby", "skype", "ics"}
    assert not (tmp_path / "unused-home").exists()


def test_help_lists_every_command() -> None:
    result = subprocess.run([sys.executable, "-m", "launcher", "--help"], capture_output=True,
                            text=True, env=_env(), timeout=30)
    assert result.returncode == 0
    for command in ("accounts", "meetings", "check", "join", "start", "schedule", "update",
                    "delete", "rooms", "sandbox", "install-desktop-entry", "add-meeting",
                    "saved"):
        assert command in result.stdout


def test_logs_hold_no_secrets(cli: Cli) -> None:
    result = cli.run("--debug", "meetings")
    assert result.returncode == 0
    for secret in SECRETS.values():
        assert secret not in result.stderr
    _no_secret_in_files(cli.home)
    assert any((cli.home / "logs").iterdir())


def test_python_dash_m_and_console_script_agree() -> None:
    exe = Path(sys.executable).with_name("meeting-launcher")
    if not exe.exists():  # pragma: no cover - installed editable in every supported setup
        pytest.fail("the meeting-launcher console script is not installed")
    a = subprocess.run([str(exe), "--version"], capture_output=True, text=True, env=_env())
    b = subprocess.run([sys.executable, "-m", "launcher", "--version"], capture_output=True,
                       text=True, env=_env())
    assert a.stdout == b.stdout and a.stdout.startswith("meeting-launcher ")
    assert os.access(exe, os.X_OK)
