"""Every CLI option refuses a bad value: exit 2, one line naming the option, nothing sent.

Table-driven, one table per command. The CLI runs in process against a sandbox on a
loopback port; the sandbox's request counters prove that nothing was sent.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import httpx
import pytest

import launcher.cli as cli_module
from launcher.cli import main
from launcher.sandbox import demo as sandbox_demo
from launcher.sandbox.server import RunningSandbox, start_in_thread
from launcher.store.paths import HOME_ENV

pytestmark = pytest.mark.end2end

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
SOON = (NOW + dt.timedelta(days=1)).isoformat()
LATER = (NOW + dt.timedelta(days=1, hours=1)).isoformat()
PAST = (NOW - dt.timedelta(days=1)).isoformat()
FAR = (NOW + dt.timedelta(days=40)).isoformat()
WB_END = (NOW + dt.timedelta(hours=3)).isoformat()
SECRET = "not-echoed-value-123"

#: (arguments, the option the message must name[, what is on stdin])
Case = tuple[list[str], str] | tuple[list[str], str, str]


def _loopback_only_client() -> httpx.AsyncClient:
    async def guard(request: httpx.Request) -> None:
        if request.url.host != "127.0.0.1":
            raise httpx.ConnectError(f"test: no requests to {request.url.host}")

    return httpx.AsyncClient(event_hooks={"request": [guard]}, follow_redirects=False)


class Cli:
    def __init__(self, sandbox: RunningSandbox) -> None:
        self.sandbox = sandbox
        self.base = sandbox.base_url

    def __call__(self, *argv: str, stdin: str = "") -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        real_stdin = __import__("sys").stdin
        __import__("sys").stdin = io.StringIO(stdin)
        try:
            code = main(list(argv), stdout=out, stderr=err)
        finally:
            __import__("sys").stdin = real_stdin
        return code, out.getvalue(), err.getvalue()

    def requests(self) -> dict[str, int]:
        return dict(self.sandbox.state.requests)


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    sandbox = start_in_thread()
    home = tmp_path_factory.mktemp("validation") / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(HOME_ENV, str(home))
        # A case that wrongly succeeds must neither install into the real desktop menu
        # nor reach a provider's real servers.
        mp.setenv("XDG_DATA_HOME", str(home.parent / "xdg"))
        mp.setattr(cli_module, "new_http_client", _loopback_only_client)
        c = Cli(sandbox)
        b = c.base
        # Today's sign-in: secrets on stdin (``-`` / --password-stdin), never in argv.
        for argv, stdin in (
            (["accounts", "add", "joinme", "--name", "JM", "--base-url", f"{b}/joinme/v1",
              "--web-url", f"{b}/joinme/web", "--token", "-"], sandbox_demo.JOINME_TOKEN),
            (["accounts", "add", "whereby", "--name", "WB", "--base-url", f"{b}/whereby/v1",
              "--web-url", f"{b}/whereby/web", "--api-key", "-"], sandbox_demo.WHEREBY_KEY),
            (["accounts", "add", "bluejeans", "--name", "BJ", "--base-url",
              f"{b}/bluejeans/rest", "--relay-url", f"{b}/bluejeans/relay/api",
              "--web-url", f"{b}/bluejeans/web", "--username", "demo@bluejeans.test",
              "--password-stdin"], sandbox_demo.BLUEJEANS_PASSWORD),
        ):
            code, _, err = c(*argv, stdin=stdin + "\n")
            assert code == 0, err
        try:
            yield c
        finally:
            sandbox.stop()


ACCOUNTS_ADD: list[Case] = [
    (["joinme", "--name", "", "--token", "t"], "--name"),
    (["joinme", "--name", "   ", "--token", "t"], "--name"),
    (["joinme", "--name", "x" * 65, "--token", "t"], "--name"),
    (["joinme", "--name", "bad\nname", "--token", "t"], "--name"),
    (["joinme", "--name", "JM", "--token", "t"], "--name"),  # taken
    (["joinme", "--name", "N", "--token", ""], "--token"),
    (["joinme", "--name", "N", "--token", "-"], "--token"),  # nothing on stdin
    (["joinme", "--name", "N", "--token", "has space"], "--token"),
    (["joinme", "--name", "N", "--token", "line\nbreak"], "--token"),
    (["joinme", "--name", "N", "--token", "x" * 5000], "--token"),
    (["joinme", "--name", "N", "--token", "t", "--api-key", "k"], "--api-key"),
    (["joinme", "--name", "N", "--token", "t", "--relay-token", "r"], "--relay-token"),
    (["joinme", "--name", "N", "--token", "t", "--password-stdin"], "--password-stdin",
     SECRET),
    (["joinme", "--name", "N", "--token", "t", "--client-id", "c"], "--client-id"),
    (["joinme", "--name", "N", "--token", "t", "--url", "https://x.example/c.ics"], "--url"),
    (["joinme", "--name", "N", "--token", "t", "--base-url", "ftp://x.example"], "--base-url"),
    (["joinme", "--name", "N", "--token", "t", "--base-url", "https://u:p@x.example"],
     "--base-url"),
    (["joinme", "--name", "N", "--token", "t", "--base-url", "https://x.example/a b"],
     "--base-url"),
    (["joinme", "--name", "N", "--token", "t", "--web-url", "not a url"], "--web-url"),
    (["joinme", "--name", "N", "--token", "t", "--web-url", "javascript:alert(1)"],
     "--web-url"),
    (["whereby", "--name", "N"], "--api-key"),
    (["whereby", "--name", "N", "--api-key", "-"], "--api-key"),  # nothing on stdin
    (["whereby", "--name", "N", "--api-key", "k", "--token", "t"], "--token"),
    (["whereby", "--name", "N", "--api-key", "k", "--username", "u"], "--username"),
    (["whereby", "--name", "N", "--api-key", "bad\tkey"], "--api-key"),
    (["whereby", "--name", "N", "--api-key", "k", "--no-browser"], "--no-browser"),
    (["bluejeans", "--name", "N"], "--username"),
    (["bluejeans", "--name", "N", "--username", "u@x.example"], "--password-stdin"),
    (["bluejeans", "--name", "N", "--username", "u@x.example", "--password-stdin"],
     "--password-stdin"),  # nothing on stdin
    (["bluejeans", "--name", "N", "--password-stdin"], "--username", SECRET),
    (["bluejeans", "--name", "N", "--relay-token", "t", "--relay-url", "javascript:x"],
     "--relay-url"),
    (["bluejeans", "--name", "N", "--relay-token", "has space"], "--relay-token"),
    (["bluejeans", "--name", "N", "--username", "u" * 300, "--password-stdin"],
     "--username", SECRET),
    (["bluejeans", "--name", "N", "--client-secret", "-"], "--client-id", SECRET),
    (["bluejeans", "--name", "N", "--client-id", "c", "--client-secret", "s",
      "--username", "u@x.example", "--password-stdin"], "--password-stdin", SECRET),
    (["bluejeans", "--name", "N", "--username", "u@x.example", "--password-stdin",
      "--api-key", "k"], "--api-key", SECRET),
    (["skype", "--name", "N", "--username", "u@c.example", "--password-stdin"],
     "--discovery-url", SECRET),
    (["skype", "--name", "N", "--discovery-url", "https://d.example", "--username", "nouser",
      "--password-stdin"], "--username", SECRET),
    (["skype", "--name", "N", "--discovery-url", "https://d.example", "--username",
      "u@c.example"], "--password-stdin"),
    (["skype", "--name", "N", "--discovery-url", "file:///etc", "--username", "u@c.example",
      "--password-stdin"], "--discovery-url", SECRET),
    (["skype", "--name", "N", "--discovery-url", "https://d.example", "--username",
      "u@c.example", "--password-stdin", "--base-url", "https://x.example"], "--base-url",
     SECRET),
    (["skype", "--name", "N", "--discovery-url", "https://d.example", "--username",
      "u@bad domain", "--password-stdin"], "--username", SECRET),
    (["ics", "--name", "N"], "--url"),
    (["ics", "--name", "N", "--url", "ftp://x.example/c.ics"], "--url"),
    (["ics", "--name", "N", "--url", "webcal://u:p@x.example/c.ics"], "--url"),
    (["ics", "--name", "N", "--file", "/no/such/calendar.ics"], "--file"),
    (["ics", "--name", "N", "--url", "https://x.example/c.ics", "--base-url",
      "https://x.example"], "--base-url"),
    (["ics", "--name", "N", "--url", "https://x.example/c.ics", "--username", "nobody"],
     "--username"),
    (["ics", "--name", "N", "--url", "https://x.example/c.ics", "--token", "t"], "--token"),
    (["caldav", "--name", "N", "--url", "https://x.example/dav", "--username", "u"],
     "--password-stdin"),
    (["caldav", "--name", "N", "--url", "javascript:x", "--username", "u",
      "--password-stdin"], "--url", SECRET),
    (["caldav", "--name", "N", "--file", "/etc/hostname"], "--file"),
    (["teams", "--name", "N"], "provider"),
]

ACCOUNTS_EDIT: list[Case] = [
    (["NOPE", "--name", "X"], "NAME"),
    (["JM"], "--name"),
    (["JM", "--name", ""], "--name"),
    (["JM", "--name", "x" * 65], "--name"),
    (["JM", "--name", "WB"], "--name"),  # taken
    (["JM", "--base-url", "ftp://x.example"], "--base-url"),
    (["JM", "--base-url", "https://u:p@x.example"], "--base-url"),
]

ACCOUNTS_SIGNIN: list[Case] = [
    (["NOPE"], "NAME"),
    (["WB", "--token", "t"], "--token"),
    (["JM", "--api-key", "k"], "--api-key"),
    (["JM", "--token", "has space"], "--token"),
    (["JM", "--token", "-"], "--token"),  # nothing on stdin
    (["JM", "--username", "u@x.example", "--token", "t"], "--username"),
    (["WB", "--no-browser", "--api-key", "k"], "--no-browser"),
    (["WB", "--api-key", "bad key"], "--api-key"),
    (["WB", "--password-stdin"], "--password-stdin", SECRET),
    (["BJ", "--token", "t"], "--token"),
]

MEETINGS = [
    (["--from", "yesterday"], "--from"),
    (["--to", "soon"], "--to"),
    (["--from", SOON, "--to", SOON], "--to"),
    (["--from", "2024-02-30T10:00"], "--from"),
    (["--from", "0001-01-01T00:00+01:00"], "--from"),  # before the first instant
    (["--to", "9999-12-31T23:59-01:00"], "--to"),  # after the last
    (["--account", "NOPE"], "--account"),
    (["--account", ""], "--account"),
]

CHECK = [
    (["not a link"], "URL_OR_ID"),
    (["https://example.com/x"], "URL_OR_ID"),
    (["12345"], "URL_OR_ID"),
    (["9036439807", "--passcode", "has space"], "--passcode"),
    (["9036439807", "--passcode", ""], "--passcode"),
    (["9036439807", "--passcode", "x" * 40], "--passcode"),
    (["9036439807", "--cluster", "lower"], "--cluster"),
    (["9036439807", "--meeting-type", "a-b"], "--meeting-type"),
    (["9036439807", "--base-url", "ftp://relay.example"], "--base-url"),
    (["https://join.me/abc", "--cluster", "PROD"], "--cluster"),
]

JOIN = [
    (["not a link"], "URL_OR_ID"),
    (["9036439807", "--passcode", "bad code"], "--passcode"),
    (["https://join.me/abc", "--passcode", "1234"], "--passcode"),
    (["9036439807", "--role", "boss"], "--role"),
]

START = [
    (["--account", "NOPE"], "--account"),
    (["--account", "WB"], "--account"),  # not a join.me account
    (["--account", "JM", "--meeting-id", "abc"], "--meeting-id"),
    (["--account", "JM", "--meeting-id", "5001", "--personal-url"], "--personal-url"),
]

SCHEDULE = [
    (["--account", "JM", "--title", "", "--start", SOON, "--end", LATER], "--title"),
    (["--account", "JM", "--title", "x" * 300, "--start", SOON, "--end", LATER], "--title"),
    (["--account", "JM", "--title", "T", "--start", "tomorrow", "--end", LATER], "--start"),
    (["--account", "JM", "--title", "T", "--start", SOON, "--end", "never"], "--end"),
    (["--account", "JM", "--title", "T", "--start", LATER, "--end", SOON], "--end"),
    (["--account", "JM", "--title", "T", "--start", SOON, "--end", FAR], "--end"),
    (["--account", "JM", "--title", "T", "--start", SOON, "--end", LATER,
      "--participant", "not-an-address"], "--participant"),
    (["--account", "NOPE", "--title", "T", "--start", SOON, "--end", LATER], "--account"),
    (["--account", "BJ", "--title", "T", "--start", SOON, "--end", LATER], "--account"),
]

UPDATE = [
    (["abc", "--account", "JM", "--title", "T"], "ID"),
    (["5001", "--account", "JM", "--title", "   "], "--title"),
    (["5001", "--account", "JM", "--start", LATER, "--end", SOON], "--end"),
    (["5001", "--account", "JM", "--participant", "nobody"], "--participant"),
    (["5001", "--account", "JM", "--start", "later"], "--start"),
    (["5001", "--account", "NOPE", "--title", "T"], "--account"),
]

DELETE = [
    (["abc", "--account", "JM"], "ID"),
    (["", "--account", "JM"], "ID"),
    (["5001", "--account", "NOPE"], "--account"),
]

ROOMS_CREATE = [
    (["--account", "WB", "--end", PAST], "--end"),
    (["--account", "WB", "--end", "soon"], "--end"),
    (["--account", "WB", "--end", WB_END, "--prefix", "!!!"], "--prefix"),
    (["--account", "WB", "--end", WB_END, "--prefix", "x" * 60], "--prefix"),
    (["--account", "WB", "--end", WB_END, "--mode", "huge"], "--mode"),
    (["--account", "WB", "--end", WB_END, "--pattern", "short"], "--pattern"),
    (["--account", "WB", "--end", WB_END, "--print-host-link"], "--print-host-link"),
    (["--account", "NOPE", "--end", WB_END], "--account"),
    (["--account", "JM", "--end", WB_END], "--account"),
]

ROOMS_DELETE = [
    (["", "--account", "WB"], "ID"),
    (["   ", "--account", "WB"], "ID"),
    (["x" * 300, "--account", "WB"], "ID"),
    (["123", "--account", "NOPE"], "--account"),
]

ROOMS_LIST = [
    (["--account", "NOPE"], "--account"),
    (["--account", "JM"], "--account"),
]

ADD_MEETING: list[Case] = [
    (["not a url", "--title", "T", "--start", SOON], "URL"),
    (["javascript:alert(1)", "--title", "T", "--start", SOON], "URL"),
    (["ftp://x.example/m", "--title", "T", "--start", SOON], "URL"),
    (["https://join.me/abc", "--title", "", "--start", SOON], "--title"),
    (["https://join.me/abc", "--title", "x" * 300, "--start", SOON], "--title"),
    (["https://join.me/abc", "--title", "T", "--start", "tomorrow"], "--start"),
    (["https://join.me/abc", "--title", "T", "--start", SOON, "--end", "never"], "--end"),
    (["https://join.me/abc", "--title", "T", "--start", LATER, "--end", SOON], "--end"),
]

SAVED_REMOVE: list[Case] = [
    (["abc"], "ID"),
    ([""], "ID"),
    (["1.5"], "ID"),
]

ACCOUNTS_REMOVE = [
    (["NOPE"], "NAME"),
    ([""], "NAME"),
]

INSTALL = [
    (["--executable", ""], "--executable"),
    (["--executable", "meeting-launcher\nExec=evil"], "--executable"),
    (["--executable", "/no/such/program"], "--executable"),
]

SANDBOX = [
    (["--port", "99999"], "--port"),
    (["--port", "-1"], "--port"),
    (["--port", "http"], "--port"),
    (["--host", "not a host"], "--host"),
    (["--host", ""], "--host"),
]

TABLES: dict[tuple[str, ...], list[Case]] = {
    ("accounts", "add"): ACCOUNTS_ADD,
    ("accounts", "edit"): ACCOUNTS_EDIT,
    ("accounts", "signin"): ACCOUNTS_SIGNIN,
    ("accounts", "remove"): ACCOUNTS_REMOVE,
    ("add-meeting",): ADD_MEETING,
    ("saved", "remove"): SAVED_REMOVE,
    ("meetings",): MEETINGS,
    ("check",): CHECK,
    ("join",): JOIN,
    ("start",): START,
    ("schedule",): SCHEDULE,
    ("update",): UPDATE,
    ("delete",): DELETE,
    ("rooms", "create"): ROOMS_CREATE,
    ("rooms", "delete"): ROOMS_DELETE,
    ("rooms", "list"): ROOMS_LIST,
    ("install-desktop-entry",): INSTALL,
    ("sandbox",): SANDBOX,
}
CASES = [
    pytest.param(
        command, case[0], case[1], case[2] if len(case) == 3 else "",  # type: ignore[misc]
        id=f"{' '.join(command)}:{case[1]}:{i}",
    )
    for command, table in TABLES.items()
    for i, case in enumerate(table)
]


@pytest.mark.parametrize(("command", "argv", "option", "stdin"), CASES)
def test_a_bad_value_exits_2_naming_the_option_and_sends_nothing(
    cli: Cli, command: tuple[str, ...], argv: list[str], option: str, stdin: str
) -> None:
    before = cli.requests()
    code, out, err = cli(*command, *argv, stdin=stdin + "\n" if stdin else "")
    assert code == 2, f"exit {code}: {err}{out}"
    assert err.endswith("\n") and err.count("\n") == 1, f"not one line: {err!r}"
    assert err.startswith("meeting-launcher: error: ")
    assert option in err, f"{option} not named: {err!r}"
    assert "Traceback" not in err and out == ""
    assert SECRET not in err
    assert cli.requests() == before, "a request was sent"


def test_every_command_has_a_table() -> None:
    from launcher.cli import COMMANDS

    covered = {command[0] for command in TABLES}
    assert set(COMMANDS) | {"sandbox"} <= covered
    # Each action of a command with actions that takes a value (list takes none).
    actions = {command for command in TABLES if len(command) == 2}
    assert {("accounts", a) for a in ("add", "edit", "signin", "remove")} <= actions
    assert {("rooms", a) for a in ("create", "delete", "list")} <= actions
    assert ("saved", "remove") in actions


def test_the_tables_can_fail(cli: Cli) -> None:
    """A good value of each kind goes through (the cases above are really bad ones)."""
    code, _, err = cli("check", "9036439807", "--passcode", "1629")
    assert code == 0, err
    code, _, err = cli("meetings", "--account", "JM", "--from", SOON)
    assert code == 0, err
