"""The CLI in process: the terminal prompts of `join`, and `check` for every provider."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher import cli
from launcher.sandbox.server import RunningSandbox, start_in_thread


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_in_thread() as running:
        running.state.skype.lobby_seconds = 0.2
        yield running


@pytest.fixture
def profile(sandbox: RunningSandbox, home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    base = sandbox.base_url
    monkeypatch.setattr(sys, "stdin", io.StringIO("demo-relay-token\n"))
    assert run("accounts", "add", "bluejeans", "--name", "BJ", "--relay-token", "-",
               "--base-url", f"{base}/bluejeans/rest", "--relay-url",
               f"{base}/bluejeans/relay/api", "--web-url", f"{base}/bluejeans/web")[0] == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("demo-skype-password\n"))
    assert run("accounts", "add", "skype", "--name", "SfB", "--password-stdin",
               "--username", "demo@contoso.test",
               "--discovery-url", f"{base}/skype/autodiscover/root",
               "--web-url", f"{base}/skype/meet")[0] == 0
    return base


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_interactive_passcode_retry(profile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["0000", "1629"])
    asked: list[str] = []

    def fake_getpass(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr(sys, "stdin", FakeTerminal())
    monkeypatch.setattr(cli.getpass, "getpass", fake_getpass)
    code, out, err = run("join", f"{profile}/bluejeans/web/9036439807", "--no-open")
    assert code == 0, err
    assert out.strip() == f"{profile}/bluejeans/web/9036439807/1629"
    assert len(asked) == 2
    assert "not accepted" in err  # the second prompt says the first code was wrong


def test_interactive_cancel_exits_3(profile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", FakeTerminal())
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: "")
    code, _out, err = run("join", "9036439807", "--no-open")
    assert code == 3 and "cancelled" in err


def test_interactive_not_invited_opens_browser(
    profile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", FakeTerminal())
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    code, out, err = run("join", f"{profile}/bluejeans/web/2600155001", "--no-open")
    assert code == 0, err
    assert "not on the invitation list" in err
    assert out.strip().endswith("/bluejeans/web/2600155001")


def test_non_interactive_not_invited_exits_3(profile: str) -> None:
    # A public BlueJeans link is checked with the relay token of the only BlueJeans account.
    code, _out, err = run("join", "https://bluejeans.com/2600155002", "--no-open")
    assert code == 3 and "needs invitation" in err


def test_waiting_room_is_announced(profile: str) -> None:
    code, out, err = run("join", "6175550123", "--no-open", "--json")
    assert code == 0, err
    assert "waiting room" in err
    assert json.loads(out)["role"] == "viewer"


@pytest.mark.parametrize(
    ("path", "action"),
    [
        ("/skype/meet/demo/SUCCESS1", "JOIN_VIA_UCWA"),
    ],
)
def test_check_skype_with_account(profile: str, path: str, action: str) -> None:
    code, out, _ = run("check", profile + path, "--json")
    assert code == 0 and json.loads(out)["action"] == action


def test_check_other_providers(profile: str) -> None:
    for url, action in [
        ("https://join.me/hardwork", "OPEN_VIEWER_LINK"),
        ("https://whereby.com/team-room", "OPEN_ROOM_LINK"),
        ("https://acme.whereby.com/r?roomKey=abc", "OPEN_ROLE_LINK"),
        ("https://meet.fabrikam.com/alice/ABCD1234", "OPEN_IN_BROWSER"),
    ]:
        code, out, _ = run("check", url, "--json")
        data = json.loads(out)
        assert code == 0 and data["action"] == action and data["needs"] is None
    code, _, err = run("check", "https://join.me/hardwork", "--cluster", "PROD")
    assert code == 2 and "--cluster" in err


def test_skype_progress_is_shown(profile: str) -> None:
    code, out, err = run("join", f"{profile}/skype/meet/demo/LOBBY001", "--no-open")
    assert code == 0, err
    assert "[lobby]" in err and "[joined]" in err
    assert out.strip() == f"{profile}/skype/meet/demo/LOBBY001"


def test_unknown_account_is_bad_input_naming_the_option(profile: str) -> None:
    code, _, err = run("start", "--account", "Nope")
    assert code == 2 and "--account: there is no account called 'Nope'" in err
    code, _, err = run("start", "--account", "BJ")
    assert code == 2 and "--account" in err and "not join.me" in err
