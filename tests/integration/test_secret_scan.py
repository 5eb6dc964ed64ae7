"""No secret anywhere in the profile or the output after a full demo session (issue 4).

The session runs against the sandbox over loopback, with debug logging on, through the
CLI as subprocesses and through the window's controller in process:

1. add the four accounts (token, API key, user name + password, passwords on stdin);
2. sync (``meetings``);
3. start a join.me meeting as presenter (the one-time link goes to a ``$BROWSER`` stub,
   which writes it to a file OUTSIDE the profile);
4. in the window: join a BlueJeans meeting, type its passcode with "remember" ticked;
5. create a Whereby room with a host link;
6. list meetings and accounts again.

The keyring is :mod:`tests.keyring_file`, a stand-in for the OS keyring that keeps its
file outside ``MEETING_LAUNCHER_HOME``, so the owner-only fallback file (which holds
secrets by design) is never written. Then every file under the profile (whatever other
parts of the app add: databases, ``-wal`` files, logs, settings) and every captured
output is searched for every secret used or issued in the session. A hit names the
secret kind, the file and the offset, never the secret itself.

To add a secret kind: put it in :func:`collect_secrets` (or store it in the sandbox
state as a ``repr=False`` field, or in the keyring: both are collected automatically).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import os
import stat
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import keyring.core
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit

from launcher.sandbox import demo as sandbox_demo
from launcher.sandbox.server import RunningSandbox, start_in_thread
from launcher.sandbox.state import BlueJeansMeeting, Fault, SandboxState, to_ms
from launcher.store.db import open_database
from launcher.store.logs import close_logging
from launcher.store.paths import HOME_ENV, Paths
from tests.keyring_file import PATH_ENV, FileKeyring
from tests.ui.test_dialogs_join import click, dialog_of, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.gui, pytest.mark.end2end]

REPO = Path(__file__).resolve().parents[2]

#: Distinctive values, so a hit cannot be a timestamp or an id that happens to match.
PASSCODE = "Rm7Kq2Xw9P"
MEETING_NUMBER = "7403918265"
ORGANIZER_CODE = "ORG7Q4Z9X2K"
#: Secrets shorter than this are not searched for: they would match by chance.
MIN_SECRET = 8


# ---- the scanner ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Hit:
    """Where a secret was found: never the secret itself."""

    kind: str
    where: str
    offset: int
    encoding: str
    hint: str = dataclasses.field(default="", compare=False)

    def __str__(self) -> str:
        shown = f" [{self.hint}]" if self.hint else ""
        return f"{self.kind} ({self.encoding}) in {self.where} at offset {self.offset}{shown}"


def _forms(secret: str) -> dict[str, bytes]:
    """The byte forms a secret may take in a file or output."""
    forms = {
        "utf-8": secret.encode("utf-8"),
        "url-encoded": urllib.parse.quote(secret, safe="").encode("ascii"),
        "utf-16-le": secret.encode("utf-16-le"),
        "json": json.dumps(secret)[1:-1].encode("utf-8"),
    }
    unique: dict[str, bytes] = {}
    for name, value in forms.items():
        if value not in unique.values():
            unique[name] = value
    return unique


def scan(blobs: Iterable[tuple[str, bytes]], secrets: dict[str, set[str]]) -> list[Hit]:
    """Return every place where a secret appears in *blobs* (name, content)."""
    hits = []
    for where, data in blobs:
        for kind, values in secrets.items():
            for value in values:
                for encoding, needle in _forms(value).items():
                    at = data.find(needle)
                    if at >= 0:
                        hits.append(Hit(kind, where, at, encoding, _hint(value)))
    return hits


def files_under(root: Path) -> Iterator[tuple[str, bytes]]:
    """Every regular file below *root* (new files are picked up without changes here)."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield str(path.relative_to(root)), path.read_bytes()


def _hint(value: str) -> str:
    """Enough to tell secrets apart in a report; never enough to use one."""
    return f"{value[:2]}… ({len(value)} characters)"


def test_the_scanner_finds_a_planted_secret_and_does_not_show_it(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.db-wal").write_bytes(b"\x00\x01" + "s3cr3t-v@lue".encode("utf-16-le"))
    (tmp_path / "log.txt").write_text("GET /x?token=s3cr3t-v%40lue\n")
    hits = scan(files_under(tmp_path), {"token": {"s3cr3t-v@lue"}})
    assert sorted(str(h) for h in hits) == [
        "token (url-encoded) in log.txt at offset 13 [s3… (12 characters)]",
        "token (utf-16-le) in data/x.db-wal at offset 2 [s3… (12 characters)]",
    ]
    assert all("s3cr3t" not in str(h) for h in hits)


# ---- the secrets of a session --------------------------------------------------------------


def _hidden_strings(obj: Any, seen: set[int]) -> Iterator[tuple[str, str]]:
    """Every ``repr=False`` string field of the sandbox's records (its secrets)."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for field in dataclasses.fields(obj):
            value = getattr(obj, field.name)
            if not field.repr and isinstance(value, str):
                yield type(obj).__name__ + "." + field.name, value
            else:
                yield from _hidden_strings(value, seen)
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _hidden_strings(value, seen)
    elif isinstance(obj, list | tuple | set | frozenset):
        for value in obj:
            yield from _hidden_strings(value, seen)


#: repr=False fields of the sandbox that are not secrets in the app's sense.
NOT_SECRET = {"WherebyRoom.viewer_key"}  # viewer links are meant to be shared


def collect_secrets(
    state: SandboxState, keyring_values: Iterable[str], opened: Iterable[str]
) -> dict[str, set[str]]:
    """Every secret used or issued in the session, by kind."""
    found: dict[str, set[str]] = {
        "join.me access token": {sandbox_demo.JOINME_TOKEN},
        "Whereby API key": {sandbox_demo.WHEREBY_KEY},
        "BlueJeans password": {sandbox_demo.BLUEJEANS_PASSWORD},
        "BlueJeans relay token": {sandbox_demo.RELAY_TOKEN},
        "Skype password": {sandbox_demo.SKYPE_PASSWORD},
        "remembered passcode": {PASSCODE},
        "join.me organizer code": {ORGANIZER_CODE},
    }
    with state.lock:
        found["join.me tokens issued"] = set(state.joinme.tokens)
        found["join.me presenter link tokens"] = set(state.joinme.presenter_links)
        found["Whereby host room keys"] = {r.host_key for r in state.whereby.rooms.values()}
        found["BlueJeans REST tokens issued"] = set(state.bluejeans.tokens)
        found["BlueJeans relay tokens issued"] = set(state.bluejeans.relay_tokens)
        found["Skype web tickets issued"] = set(state.skype.tokens)
        for store in (state.bluejeans, state.joinme, state.whereby, state.skype):
            for name, value in _hidden_strings(vars(store), set()):
                if name not in NOT_SECRET:
                    found.setdefault(f"sandbox {name}", set()).add(value)
            # New kinds of tokens (refresh tokens, OAuth codes) the sandbox keeps in sets.
            for attr, value in vars(store).items():
                if "token" in attr and isinstance(value, set | dict):
                    found.setdefault(f"sandbox {attr}", set()).update(
                        v for v in value if isinstance(v, str)
                    )
    found["keyring entries"] = set(keyring_values)
    found["links opened (presenter, passcode)"] = {u for u in opened if "token=" in u
                                                   or PASSCODE in u}
    return {k: {v for v in vs if len(v) >= MIN_SECRET} for k, vs in found.items()}


# ---- the session -----------------------------------------------------------------------------


@dataclasses.dataclass
class Session:
    home: Path
    env: dict[str, str]
    browser_log: Path
    outputs: list[tuple[str, bytes]] = dataclasses.field(default_factory=list)
    #: The profile's files while the window had the database open.
    live_files: list[tuple[str, bytes]] = dataclasses.field(default_factory=list)

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "launcher", "--debug", *args],
            input=stdin, capture_output=True, text=True, env=self.env, timeout=60,
        )
        name = " ".join(args[:3])
        self.outputs.append((f"stdout of `{name}`", result.stdout.encode()))
        self.outputs.append((f"stderr of `{name}`", result.stderr.encode()))
        assert result.returncode == 0, f"`{name}` failed: {result.stderr[-2000:]}"
        return result

    def opened(self) -> list[str]:
        if not self.browser_log.exists():
            return []
        return self.browser_log.read_text().splitlines()

    def wait_opened(self, count: int) -> list[str]:
        deadline = time.monotonic() + 15
        while len(self.opened()) < count:  # the stub browser runs detached
            assert time.monotonic() < deadline, "the browser stub was not started"
            time.sleep(0.05)
        return self.opened()


def _add_passcode_meeting(state: SandboxState) -> None:
    """A BlueJeans meeting of the demo user, in two hours, with a distinctive passcode."""
    with state.lock:
        store = state.bluejeans
        now = state.now()
        start = now + dt.timedelta(hours=2)
        store.meetings[store.next_meeting_id] = BlueJeansMeeting(
            id=store.next_meeting_id,
            uuid=str(uuid.uuid4()),
            owner_id=sandbox_demo.BLUEJEANS_USER_ID,
            numeric_id=MEETING_NUMBER,
            title="Secret scan review",
            start_ms=to_ms(start),
            end_ms=to_ms(start + dt.timedelta(hours=1)),
            attendee_passcode=PASSCODE,
            advanced={"moderatorLess": True},
            created_ms=to_ms(now),
            modified_ms=to_ms(now),
        )
        store.next_meeting_id += 1
        state.joinme.organizer_code = ORGANIZER_CODE


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    running = start_in_thread()
    try:
        yield running
    finally:
        running.stop()


def _cli_part_one(s: Session, base: str, state: SandboxState) -> None:
    s.cli("accounts", "add", "joinme", "--name", "JM", "--base-url", f"{base}/joinme/v1",
          "--web-url", f"{base}/joinme/web", "--token", "-",
          stdin=sandbox_demo.JOINME_TOKEN + "\n")
    s.cli("accounts", "add", "whereby", "--name", "WB", "--base-url", f"{base}/whereby/v1",
          "--web-url", f"{base}/whereby/web", "--api-key", "-",
          stdin=sandbox_demo.WHEREBY_KEY + "\n")
    # BlueJeans: the password is used once to sign in (the relay token comes from that
    # sign-in) and is not kept.
    s.cli("accounts", "add", "bluejeans", "--name", "BJ", "--base-url", f"{base}/bluejeans/rest",
          "--relay-url", f"{base}/bluejeans/relay/api", "--web-url", f"{base}/bluejeans/web",
          "--username", sandbox_demo.BLUEJEANS_USER, "--password-stdin",
          stdin=sandbox_demo.BLUEJEANS_PASSWORD + "\n")
    s.cli("accounts", "add", "skype", "--name", "SfB",
          "--discovery-url", f"{base}/skype/autodiscover/root", "--web-url", f"{base}/skype/meet",
          "--username", sandbox_demo.SKYPE_USER, "--password-stdin",
          stdin=sandbox_demo.SKYPE_PASSWORD + "\n")
    listed = s.cli("meetings")
    assert "Secret scan review" in listed.stdout
    with state.lock:
        joinme_id = str(min(state.joinme.meetings))
    s.cli("start", "--account", "JM", "--meeting-id", joinme_id)
    (presenter,) = s.wait_opened(1)
    assert "StartMeeting.aspx?token=" in presenter


async def _window_part(s: Session, qtbot: Any) -> None:
    """Join the passcode meeting in the window, ticking "remember"."""
    from launcher.services.sync import SyncState
    from launcher.ui.controller import AppController
    from launcher.ui.dialogs import PasscodeDialog
    from launcher.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    paths = Paths.under(s.home).ensure()
    db = open_database(paths)
    try:
        controller = await AppController.create(window, paths, db, debug=True)
    except BaseException:
        db.close()
        raise
    try:
        await wait_for(
            lambda: len(controller.sync.statuses) == 4
            and all(st.state is SyncState.UP_TO_DATE for st in controller.sync.statuses.values()),
            limit=20,
        )
        meeting = next(m for m in controller.sync.meetings if m.number == MEETING_NUMBER)
        # As an invitation reads it: the passcode is not in the meeting, so it is asked for.
        window.join_requested.emit(dataclasses.replace(meeting, passcode=None))
        dialog = await dialog_of(window, PasscodeDialog)
        edit = dialog.findChild(QLineEdit, "passcode")
        box = dialog.findChild(QCheckBox, "remember")
        assert edit is not None and box is not None
        qtbot.keyClicks(edit, PASSCODE)
        if not box.isChecked():
            qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
        click(qtbot, dialog, "ok")
        await wait_for(lambda: len(s.opened()) >= 2, limit=15)
        await wait_for(lambda: controller.runner.active == 0, limit=10)
        # The profile while the database is open: its -wal and -shm files exist now (a
        # clean close checkpoints the WAL into the main file and removes them).
        s.live_files = list(files_under(s.home))
    finally:
        await controller.aclose()
        db.close()
        close_logging()


def test_a_full_demo_session_leaves_no_secret_in_the_profile_or_output(
    qtbot: Any,
    qloop: asyncio.AbstractEventLoop,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    sandbox: RunningSandbox,
) -> None:
    home = tmp_path / "home"
    outside = tmp_path / "outside"
    outside.mkdir()
    keyring_file = outside / "keyring.json"
    browser_log = outside / "opened.txt"
    browser = outside / "browser.sh"
    browser.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{browser_log}"\n')
    browser.chmod(0o700)
    env = dict(os.environ)
    env.update({
        HOME_ENV: str(home),
        "PYTHON_KEYRING_BACKEND": "tests.keyring_file.FileKeyring",
        PATH_ENV: str(keyring_file),
        "BROWSER": str(browser),
        "PYTHONPATH": os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    })
    s = Session(home, env, browser_log)
    base = sandbox.base_url
    state = sandbox.state
    _add_passcode_meeting(state)

    # 1-3: accounts, sync, start as presenter (CLI).
    _cli_part_one(s, base, state)

    # 4: the window, in process, with the same profile, keyring and browser.
    monkeypatch.setenv(HOME_ENV, str(home))
    monkeypatch.setenv("BROWSER", str(browser))
    monkeypatch.setenv(PATH_ENV, str(keyring_file))
    monkeypatch.setattr(keyring.core, "_keyring_backend", FileKeyring(keyring_file))
    capfd.readouterr()
    qloop.run_until_complete(asyncio.wait_for(_window_part(s, qtbot), 60))
    captured = capfd.readouterr()
    s.outputs += [("window stdout", captured.out.encode()),
                  ("window stderr", captured.err.encode())]
    assert "DEBUG launcher." in captured.err, "the window's debug log was not captured"
    opened = s.opened()
    assert opened[1].endswith(f"/{MEETING_NUMBER}/{PASSCODE}")
    assert PASSCODE in FileKeyring(keyring_file).values(), "the passcode was not remembered"

    # 5-6: a Whereby room with a host link, then list everything again (CLI).
    end = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).isoformat()
    room = s.cli("rooms", "create", "--account", "WB", "--end", end, "--host-url")
    assert "Host link:" in room.stdout
    s.cli("meetings")
    s.cli("meetings", "--json")
    s.cli("accounts", "list")
    s.cli("check", MEETING_NUMBER, "--passcode", PASSCODE)
    # Failures write warnings and error messages: those must be clean too.
    for provider, fault in (("joinme", Fault("unauthorized")), ("whereby", Fault("malformed")),
                            ("bluejeans", Fault("status", status=500))):
        state.set_fault(provider, fault)
    try:
        failing = s.cli("meetings")
    finally:
        state.clear_faults()
    assert "warning: JM" in failing.stderr and "warning: WB" in failing.stderr

    # The session really used the keyring, not the fallback file; no warning was due.
    assert not (home / "config" / "secrets.json").exists()
    assert not any("No system keyring" in out.decode() for _, out in s.outputs)

    secrets = collect_secrets(state, FileKeyring(keyring_file).values(), opened)
    with state.lock:
        assert state.joinme.presenter_links, "no presenter link was issued"
        assert any(r.host_key in secrets["Whereby host room keys"]
                   for r in state.whereby.rooms.values())
    values = {v for vs in secrets.values() for v in vs}
    files = list(files_under(home))
    # The SQLite store (accounts, cached meetings, join history) is scanned too: the main
    # file at the end, and the -wal/-shm files as they were while the window ran.
    database = Paths.under(home).database.relative_to(home)
    names = {name for name, _ in files}
    live = {name for name, _ in s.live_files}
    assert str(database) in names, "the database was not scanned"
    assert {f"{database}-wal", f"{database}-shm"} <= live, sorted(live)
    files += [(f"{name} (while open)", data) for name, data in s.live_files
              if name not in names or dict(files)[name] != data]
    log_text = (home / "logs" / "meeting-launcher.log").read_text()
    assert "httpx: HTTP Request" in log_text and "DEBUG launcher." in log_text  # debug on
    hits = scan(files + s.outputs, secrets)
    scanned = sum(len(data) for _, data in files)
    print(
        f"\nsecret scan: {len(files)} files ({scanned} bytes) under the profile and "
        f"{len(s.outputs)} captured outputs ({sum(len(d) for _, d in s.outputs)} bytes); "
        f"{len(values)} distinct secrets of {len(secrets)} kinds; {len(hits)} found"
    )
    for path, data in files:
        print(f"  scanned {path} ({len(data)} bytes)")
    print("  secrets by kind: " + ", ".join(f"{k}: {len(v)}" for k, v in secrets.items() if v))
    assert not hits, "secrets found:\n" + "\n".join(f"  {hit}" for hit in hits)


def test_without_a_keyring_secrets_go_to_an_owner_only_file_with_a_warning(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    home = tmp_path / "home"
    env = dict(os.environ)
    env.update({HOME_ENV: str(home), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    result = subprocess.run(
        [sys.executable, "-m", "launcher", "accounts", "add", "whereby", "--name", "WB",
         "--base-url", f"{sandbox.base_url}/whereby/v1", "--api-key", "-"],
        input=sandbox_demo.WHEREBY_KEY + "\n", capture_output=True, text=True, env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    secrets_file = home / "config" / "secrets.json"
    assert "No system keyring was found" in result.stderr and str(secrets_file) in result.stderr
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "config").stat().st_mode) == 0o700
    assert sandbox_demo.WHEREBY_KEY not in result.stdout + result.stderr
    # Everything else in the profile is still free of the key.
    others = [(n, d) for n, d in files_under(home) if n != "config/secrets.json"]
    assert not scan(others, {"Whereby API key": {sandbox_demo.WHEREBY_KEY}})


async def test_the_window_says_where_secrets_go_when_no_keyring_exists(
    qtbot: Any, qloop: asyncio.AbstractEventLoop, tmp_path: Path
) -> None:
    from launcher.ui.controller import AppController
    from launcher.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    paths = Paths.under(tmp_path / "home").ensure()
    db = open_database(paths)
    try:
        controller = await AppController.create(window, paths, db)  # tests: failing keyring
        try:
            assert controller.ctx.secrets.uses_file
            await wait_for(lambda: "No system keyring was found" in window.banner.text())
            assert str(paths.secrets_file) in window.banner.text()
        finally:
            await controller.aclose()
            close_logging()
    finally:
        db.close()
