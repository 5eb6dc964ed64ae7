"""`accounts add/edit/signin/remove` end to end: real subprocesses, the sandbox, a real "browser".

The join.me sign-in runs through ``$BROWSER``: tests/browser.py loads the sandbox's consent
page, presses Allow and follows the redirect to the CLI's loopback listener.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.conftest import SandboxProcess, _env

pytestmark = pytest.mark.end2end

REPO = Path(__file__).resolve().parents[2]
BROWSER_SCRIPT = REPO / "tests" / "browser.py"


@dataclass
class Profile:
    home: Path
    sandbox: SandboxProcess
    pages: Path

    @property
    def base(self) -> str:
        return self.sandbox.base_url

    def env(self, *, browser: bool = True) -> dict[str, str]:
        env = _env(self.home)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO), env.get("PYTHONPATH", "")) if p
        )
        if browser:
            env["BROWSER"] = f"{sys.executable} {BROWSER_SCRIPT} %s {self.pages}"
        return env

    def run(self, *args: str, stdin: str = "", browser: bool = True
            ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "launcher", *args], input=stdin, capture_output=True,
            text=True, env=self.env(browser=browser), timeout=90,
        )

    def secrets(self) -> dict[str, dict[str, str]]:
        path = self.home / "config" / "secrets.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def names(self) -> list[str]:
        result = self.run("accounts", "list", "--json")
        assert result.returncode == 0, result.stderr
        return [row["name"] for row in json.loads(result.stdout)]


@pytest.fixture
def profile(own_sandbox_process: SandboxProcess, tmp_path: Path) -> Iterator[Profile]:
    # Its own sandbox: these tests expire and stale tokens, which must not leak out.
    own_sandbox_process.control("DELETE", "/_sandbox/faults")
    yield Profile(tmp_path / "home", own_sandbox_process, tmp_path / "browser-pages.log")


def joinme_args(p: Profile, name: str = "JM") -> tuple[str, ...]:
    return ("accounts", "add", "joinme", "--name", name, "--base-url", f"{p.base}/joinme/v1",
            "--web-url", f"{p.base}/joinme/web")


def wait_for_page(p: Profile, count: int = 1) -> list[str]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if p.pages.exists() and len(lines := p.pages.read_text().splitlines()) >= count:
            return lines
        time.sleep(0.05)
    raise AssertionError("the browser never reached the listener")


@pytest.mark.slow
def test_joinme_add_and_sign_in_again_through_the_browser(profile: Profile) -> None:
    added = profile.run(*joinme_args(profile))
    assert added.returncode == 0, added.stderr
    assert "Added join.me account 'JM' (signed in as demo@joinme.test)." in added.stdout
    assert "Sign in to join.me in your browser" in added.stderr
    assert f"{profile.base}/joinme/auth/oauth2?" in added.stderr  # the address, for a copy
    assert "Signed in to join.me" in wait_for_page(profile)[0]
    first = profile.secrets()["JM"]
    assert set(first) == {"token", "refresh_token", "token_expires"}
    meetings = profile.run("meetings", "--json", "--account", "JM")
    assert meetings.returncode == 0 and json.loads(meetings.stdout)

    again = profile.run("--debug", "accounts", "signin", "JM", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {"signed_in": "JM", "provider": "joinme"}
    assert profile.secrets()["JM"]["token"] != first["token"]
    # Expire the new token: the next command refreshes it silently (with debug logging).
    profile.sandbox.control("POST", "/_sandbox/auth/joinme", {"expire_tokens": True})
    renewed = profile.run("--debug", "meetings", "--account", "JM")
    assert renewed.returncode == 0, renewed.stderr
    assert "renewed" in renewed.stderr
    logs = "".join(p.read_text() for p in (profile.home / "logs").iterdir())
    shown = added.stdout + added.stderr + again.stdout + again.stderr + renewed.stderr + logs
    secrets = {*first.values(), *profile.secrets()["JM"].values()}
    for secret in secrets - {first["token_expires"], profile.secrets()["JM"]["token_expires"]}:
        assert secret not in shown
    assert "code=" not in shown.replace("code=***", "")


def test_joinme_no_browser_prints_the_address_and_waits(profile: Profile) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "launcher", *joinme_args(profile), "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=profile.env(browser=False),
    )
    try:
        assert proc.stderr is not None
        url = None
        for line in proc.stderr:
            if line.startswith(f"{profile.base}/joinme/auth/oauth2?"):
                url = line.strip()
                break
        assert url is not None
        assert not profile.pages.exists()  # nothing was opened
        browse = subprocess.run(
            [sys.executable, str(BROWSER_SCRIPT), url, str(profile.pages)],
            capture_output=True, text=True, timeout=30, env=profile.env(browser=False),
        )
        assert browse.returncode == 0, browse.stderr
        out, _err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert "Added join.me account 'JM'" in out


@pytest.mark.slow
def test_bluejeans_password_from_stdin_is_used_once(profile: Profile) -> None:
    args = ("accounts", "add", "bluejeans", "--name", "BJ",
            "--base-url", f"{profile.base}/bluejeans/rest",
            "--relay-url", f"{profile.base}/bluejeans/relay/api",
            "--username", "demo@bluejeans.test")
    before = profile.sandbox.requests()
    no_terminal = profile.run(*args)
    assert no_terminal.returncode == 2
    assert no_terminal.stderr.strip().splitlines() == [
        no_terminal.stderr.strip()] and "--password-stdin" in no_terminal.stderr
    assert profile.sandbox.requests() == before
    wrong = profile.run(*args, "--password-stdin", stdin="wrong\n")
    assert wrong.returncode == 2 and "--password-stdin" in wrong.stderr
    assert "did not accept" in wrong.stderr
    ok = profile.run(*args, "--password-stdin", "--json", stdin="demo-bluejeans-password\n")
    assert ok.returncode == 0, ok.stderr
    stored = profile.secrets()["BJ"]
    assert set(stored) == {"token", "token_expires", "relay_token"}
    assert "demo-bluejeans-password" not in json.dumps(profile.secrets())
    profile.sandbox.control("POST", "/_sandbox/auth/bluejeans", {"expire_tokens": True})
    listing = profile.run("meetings", "--account", "BJ")
    assert listing.returncode == 1 and "sign-in needed" in listing.stderr
    again = profile.run("accounts", "signin", "BJ", "--password-stdin",
                        stdin="demo-bluejeans-password\n")
    assert again.returncode == 0, again.stderr
    assert profile.run("meetings", "--account", "BJ").returncode == 0


@pytest.mark.slow
def test_whereby_rejected_key_saves_nothing(profile: Profile) -> None:
    args = ("accounts", "add", "whereby", "--name", "WB", "--api-key", "-",
            "--base-url", f"{profile.base}/whereby/v1")
    refused = profile.run(*args, stdin="not-the-key\n")
    assert refused.returncode == 2
    assert refused.stderr.startswith("meeting-launcher: error: --api-key: Whereby did not accept")
    assert profile.names() == [] and profile.secrets() == {}
    profile.sandbox.control("PUT", "/_sandbox/faults/whereby", {"kind": "status", "status": 503})
    down = profile.run(*args, stdin="demo-whereby-key\n")
    profile.sandbox.control("DELETE", "/_sandbox/faults")
    assert down.returncode == 1 and "nothing was saved" in down.stderr
    assert profile.names() == []
    assert profile.run(*args, stdin="demo-whereby-key\n").returncode == 0
    assert profile.secrets() == {"WB": {"api_key": "demo-whereby-key"}}


@pytest.mark.slow
def test_edit_rename_and_remove(profile: Profile) -> None:
    base = ("--base-url", f"{profile.base}/whereby/v1")
    assert profile.run("accounts", "add", "whereby", "--name", "WB", "--api-key", "-", *base,
                       stdin="demo-whereby-key\n").returncode == 0
    assert profile.run("accounts", "add", "whereby", "--name", "Other", "--api-key", "-", *base,
                       stdin="demo-whereby-key\n").returncode == 0
    taken = profile.run("accounts", "edit", "WB", "--name", "Other")
    assert taken.returncode == 2 and "--name" in taken.stderr
    renamed = profile.run("accounts", "edit", "WB", "--name", "Work rooms", "--json")
    assert renamed.returncode == 0, renamed.stderr
    assert json.loads(renamed.stdout)["name"] == "Work rooms"
    assert profile.names() == ["Work rooms", "Other"]
    assert set(profile.secrets()) == {"Work rooms", "Other"}
    assert profile.run("rooms", "list", "--account", "Work rooms").returncode == 0
    removed = profile.run("accounts", "remove", "Work rooms")
    assert removed.returncode == 0 and "cached meetings" in removed.stdout
    assert set(profile.secrets()) == {"Other"}
    missing = profile.run("accounts", "remove", "Work rooms")
    # A name that is no account is a bad value, as with --account: exit 2, one line.
    assert missing.returncode == 2 and "no account called 'Work rooms'" in missing.stderr
    assert missing.stderr.count("\n") == 1 and "NAME" in missing.stderr


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("accounts", "edit", "Nobody"), "--name"),
        (("accounts", "edit", "WB", "--base-url", "ftp://x"), "--base-url"),
        (("accounts", "edit", "WB", "--name", ""), "--name"),
        (("accounts", "add", "joinme", "--name", "X", "--password-stdin"), "--password-stdin"),
        (("accounts", "add", "whereby", "--name", "X", "--api-key", "k", "--no-browser"),
         "--no-browser"),
        (("accounts", "add", "bluejeans", "--name", "X", "--client-secret", "s",
          "--username", "a@b.test"), "--client-id"),
        (("accounts", "add", "bluejeans", "--name", "X", "--client-id", "c",
          "--client-secret", "s"), "--username"),
        (("accounts", "add", "skype", "--name", "X", "--username", "a@b.test",
          "--password-stdin"), "--discovery-url"),
        (("accounts", "add", "joinme", "--name", "bad/name"), "--name"),
        (("accounts", "add", "joinme", "--name", "X", "--base-url", "http://u:p@h/v1"),
         "--base-url"),
        (("accounts", "add", "whereby", "--name", "X", "--password"), "unrecognized"),
        (("accounts", "signin", "WB", "--password", "x"), "unrecognized"),
        (("accounts", "signin", "WB"), "--api-key"),
        (("accounts", "signin", "WB", "--password-stdin"), "--password-stdin"),
        (("accounts", "signin", "WB", "--username", "x", "--api-key", "k"), "--username"),
    ],
)
def test_bad_options_exit_2_with_one_line_and_send_nothing(
    profile: Profile, args: tuple[str, ...], option: str
) -> None:
    assert profile.run("accounts", "add", "whereby", "--name", "WB", "--api-key", "-",
                       "--base-url", f"{profile.base}/whereby/v1",
                       stdin="demo-whereby-key\n").returncode == 0
    before = profile.sandbox.requests()
    result = profile.run(*args, stdin="secret-from-stdin\n")
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and option in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert profile.sandbox.requests() == before
    assert not profile.pages.exists()
    assert profile.names() == ["WB"]
