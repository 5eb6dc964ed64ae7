"""AppController on the demo sandbox: sync, second-launch commands, every kind of join, failures.

Each test runs a real sandbox (uvicorn on a loopback port, in a thread), the demo accounts
in a throw-away profile, a real MainWindow and the real services, on a qasync loop. Only
the opener is replaced: it records the URLs instead of starting a browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import gc
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCheckBox, QDialog, QLabel, QLineEdit, QPushButton, QWidget

import launcher.services.opener as opener_module
import launcher.ui.controller as controller_module
from launcher.core.models import API_PROVIDERS, Meeting, Provider
from launcher.sandbox.server import RunningSandbox
from launcher.sandbox.state import Fault
from launcher.services.context import Context, new_http_client
from launcher.services.demo import start_demo
from launcher.services.sync import SyncService, SyncState
from launcher.store.accounts import AccountStore
from launcher.store.cache import MeetingCache
from launcher.store.db import open_database
from launcher.store.paths import Paths
from launcher.store.secrets import SecretStore
from launcher.store.settings import SettingsStore
from launcher.ui.account_dialog import AccountSignInDialog, AddAccountDialog, RelaySignInDialog
from launcher.ui.controller import AppController
from launcher.ui.dialogs import PasscodeDialog, SkypeJoinDialog, StartedMeetingDialog
from launcher.ui.dialogs import SignInDialog as JoinSignInDialog
from launcher.ui.dialogs.links import PreJoinDialog
from launcher.ui.main_window import MainWindow
from launcher.ui.models import meeting_key
from launcher.ui.prompter import DialogPrompter
from tests.browser import FakeBrowser
from tests.ui.test_dialogs_join import click, dialog_of, texts, wait_for

pytestmark = pytest.mark.gui

DEMO_ACCOUNTS = {"Demo BlueJeans", "Demo join.me", "Demo Whereby", "Demo Skype for Business",
                 "Demo calendar"}


class DialogSpy(QObject):
    """Records the class name of every dialog shown on the window."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.seen: list[str] = []
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ChildPolished:
            child = getattr(event, "child", lambda: None)()
            if isinstance(child, QDialog):
                self.seen.append(type(child).__name__)
        return False


@dataclasses.dataclass
class Demo:
    controller: AppController
    window: MainWindow
    sandbox: RunningSandbox
    opened: list[str]
    dialogs: DialogSpy

    @property
    def base(self) -> str:
        return self.sandbox.base_url

    def meeting(self, predicate: Callable[[Meeting], bool]) -> Meeting:
        return next(m for m in self.controller.sync.meetings if predicate(m))

    def by_title(self, title: str) -> Meeting:
        return self.meeting(lambda m: m.title == title)

    def statuses(self) -> dict[str, SyncState]:
        return {n: s.state for n, s in self.controller.sync.statuses.items()}

    async def synced(self) -> None:
        """Wait until every account answered and the window shows the meetings."""
        await wait_for(
            lambda: set(self.statuses()) == DEMO_ACCOUNTS
            and all(s is SyncState.UP_TO_DATE for s in self.statuses().values())
            and self.window.model.rowCount() == len(self.controller.sync.meetings) > 0,
            limit=10,
        )

    async def opened_url(self, count: int = 1) -> str:
        await wait_for(lambda: len(self.opened) >= count, limit=10)
        return self.opened[count - 1]


@contextlib.asynccontextmanager
async def demo(
    tmp_path: Path,
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
    *,
    faults: dict[str, Fault] | None = None,
) -> AsyncIterator[Demo]:
    opened: list[str] = []

    async def record(url: str, **_: Any) -> None:
        opened.append(url)

    async def record_detected(link: Any, prefer_native: bool = True, **_: Any) -> str:
        opened.append(link.url)
        return "browser"

    monkeypatch.setattr(controller_module, "open_url", record)
    # Links found in a calendar event open through the catalogue's opener.
    monkeypatch.setattr(opener_module, "open_detected", record_detected)
    paths = Paths(tmp_path / "config", tmp_path / "data", tmp_path / "cache",
                  tmp_path / "logs").ensure()
    db = open_database(paths)
    sandbox = await asyncio.to_thread(start_demo, paths, db)
    sandbox.state.skype.lobby_seconds = 0.3
    sandbox.state.skype.max_poll_seconds = 1
    for provider, fault in (faults or {}).items():
        sandbox.state.set_fault(provider, fault)
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    secrets = SecretStore(paths.secrets_file, backend="file")
    ctx = Context(paths, AccountStore(db), secrets, new_http_client())
    sync = SyncService(ctx, MeetingCache(db))
    controller = AppController(window, ctx, sync, SettingsStore(paths.config / "settings.json"),
                               demo_sandbox=sandbox)
    spy = DialogSpy(window)
    app = Demo(controller, window, sandbox, opened, spy)
    try:
        controller.start()
        yield app
    finally:
        # Let the refresh end first: closing in the middle of one leaves its fetches
        # running (see test_closing_during_a_sync_stops_every_fetch).
        if not controller.closed:
            with contextlib.suppress(AssertionError):
                await wait_for(lambda: SyncState.SYNCING not in app.statuses().values()
                               and controller.runner.active == 0, limit=5)
        await controller.aclose()
        sandbox.state.clear_faults()
        sandbox.stop()
        db.close()


def visible(window: QWidget, kind: type[QDialog]) -> list[QDialog]:
    return [d for d in window.findChildren(kind) if d.isVisible()]


def status_text(window: MainWindow, account: str) -> str:
    for i in range(window.accounts_box.count()):
        item = window.accounts_box.itemAt(i)
        widget = item.widget() if item is not None else None
        if widget is not None and widget.objectName() == f"status:{account}":
            assert isinstance(widget, QLabel | QPushButton)
            return widget.text()
    raise AssertionError(f"no status for {account}")


async def answer_passcode(qtbot: Any, window: QWidget, text: str, *,
                          remember: bool | None = None) -> PasscodeDialog:
    dialog = await dialog_of(window, PasscodeDialog)
    edit = dialog.findChild(QLineEdit, "passcode")
    assert edit is not None
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    box = dialog.findChild(QCheckBox, "remember")
    assert box is not None
    if remember is not None and box.isChecked() != remember:
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    click(qtbot, dialog, "ok")
    return dialog


# ---- start-up and sync ----------------------------------------------------------------------


async def test_refresh_fills_the_window_with_the_four_demo_accounts(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        window = app.window
        assert window.pages.currentIndex() == 1
        combo = window.account_filter
        assert {combo.itemData(i) for i in range(1, combo.count())} == DEMO_ACCOUNTS
        await app.synced()
        await wait_for(lambda: "All accounts up to date" == window.sync_label.text())
        for name in DEMO_ACCOUNTS:
            assert status_text(window, name).endswith(f"{name} — up to date")
        providers = {window.model.meeting_at(r).provider for r in range(window.model.rowCount())}
        assert providers == {*API_PROVIDERS, Provider.ICS}
        numbers = {m.number for m in window.model.meetings()}
        assert "9036439807" in numbers
        assert app.by_title("Customer review (lobby, admitted)").start is None
        assert "Demo" in window.banner.text()
        # The cache now holds every account, for the next start.
        await wait_for(lambda: set(app.controller.sync.cache.load()) == DEMO_ACCOUNTS)


async def test_a_refresh_that_brings_nothing_new_leaves_the_window_alone(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        await wait_for(lambda: SyncState.SYNCING not in app.statuses().values()
                       and app.controller.runner.active == 0)
        shown: list[int] = []
        real = app.window.set_meetings

        def counting(meetings: Any, **options: Any) -> None:
            shown.append(len(meetings))
            real(meetings, **options)

        monkeypatch.setattr(app.window, "set_meetings", counting)
        before = app.controller.sync.meetings
        await app.controller.refresh_now()
        assert all(s is SyncState.UP_TO_DATE for s in app.statuses().values())
        assert app.controller.sync.meetings is before  # every account answered as before
        assert shown == []  # so thousands of rows are not laid out again
        app.sandbox.state.bulk("whereby", 1)
        await app.controller.refresh_now()
        await wait_for(lambda: shown == [len(before) + 1] == [app.window.model.rowCount()])


async def test_the_tray_menu_gets_the_meetings(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        tray = app.controller.tray
        await wait_for(lambda: tray.next_meeting() is not None)
        nxt = tray.next_meeting()
        assert nxt in app.controller.sync.meetings
        join_next = next(a for a in tray.menu().actions() if a.objectName() == "joinNext")
        assert join_next.isEnabled() and join_next.text().startswith("Join next: ")
        assert nxt is not None and nxt.title in join_next.text()
        assert nxt.title in tray.tooltip()
        with qtbot.waitSignal(tray.join_requested, timeout=1000) as blocker:
            join_next.trigger()
        assert blocker.args == [nxt]
        # The controller joins it: a BlueJeans meeting opens with its passcode, an own
        # join.me meeting starts (and says so in a dialog); a calendar event's link gets
        # the pre-join check first, which may ask (which meeting is next depends on the
        # time of day the test runs).
        if nxt.provider.is_calendar:
            def asked() -> list[PreJoinDialog]:
                return [d for d in app.window.findChildren(PreJoinDialog) if d.isVisible()]

            await wait_for(lambda: app.opened or asked())
            if asked():
                click(qtbot, asked()[0], "join")
        url = await app.opened_url()
        if nxt.provider is Provider.JOINME:
            assert "StartMeeting.aspx" in url
            click(qtbot, await dialog_of(app.window, StartedMeetingDialog), "close")
        elif nxt.provider.is_calendar:
            assert url == app.window.links.links(nxt)[0].url
        else:
            assert url.startswith(nxt.join_url or "-")


async def test_closing_the_window_without_a_tray_requests_quit(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        assert not app.controller.tray.available  # offscreen: no system tray
        assert app.window.keep_running_in_tray is False
        waiting = asyncio.ensure_future(app.controller.run_until_quit())  # noqa: TID251
        await asyncio.sleep(0.05)
        assert not waiting.done()
        app.window.close()
        await asyncio.wait_for(waiting, 2)


async def test_aclose_leaves_nothing_running(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        await app.controller.aclose()
        assert app.controller.closed and app.controller.runner.active == 0
        assert not app.sandbox.running
        timers = [t for t in app.controller.findChildren(QTimer) if t.isActive()]
        assert timers == []


# ---- second launch ---------------------------------------------------------------------------


async def test_instance_commands(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        controller, window = app.controller, app.window
        await app.synced()
        window.hide()
        assert controller.handle_instance_command({"cmd": "raise"}) == {"ok": True}
        assert window.isVisible()

        status = controller.handle_instance_command({"cmd": "status"})
        assert status == {
            "ok": True,
            "meetings": len(controller.sync.meetings),
            "accounts": dict.fromkeys(DEMO_ACCOUNTS, "up to date"),
            "visible": True,
        }

        assert controller.handle_instance_command({"cmd": "join"}) == {
            "ok": False, "error": "no link given"}
        assert controller.handle_instance_command({"cmd": "join", "url": "  "})["ok"] is False
        window.hide()
        answer = controller.handle_instance_command(
            {"cmd": "join", "url": " https://example.org/meet/abc "})
        assert answer == {"ok": True}
        assert await app.opened_url() == "https://example.org/meet/abc"
        assert window.isVisible()

        answer = controller.handle_instance_command({"cmd": "frobnicate"})
        assert answer == {"ok": False, "error": "unknown command 'frobnicate'"}
        assert controller.handle_instance_command({})["ok"] is False

        waiting = asyncio.ensure_future(controller.run_until_quit())  # noqa: TID251
        assert controller.handle_instance_command({"cmd": "quit"}) == {"ok": True}
        await asyncio.wait_for(waiting, 2)


# ---- joining ---------------------------------------------------------------------------------


async def test_bluejeans_join_with_the_passcode_from_the_api_asks_nothing(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        weekly = app.meeting(lambda m: m.number == "9036439807")
        assert weekly.passcode == "1629"
        app.window.select_meeting(weekly)
        qtbot.mouseClick(app.window.details.join_button, Qt.MouseButton.LeftButton)
        assert await app.opened_url() == f"{app.base}/bluejeans/web/9036439807/1629"
        assert app.dialogs.seen == []
        await wait_for(lambda: app.window.banner.text().startswith("Opened Weekly planning"))
        assert "1629" not in app.window.banner.text()


async def test_a_link_that_needs_a_passcode_asks_for_it(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        app.controller.handle_instance_command(
            {"cmd": "join", "url": f"{app.base}/bluejeans/web/9036439807"})
        first = await answer_passcode(qtbot, app.window, "0000")
        # Wrong: asked again, keeping what was typed.
        again = await wait_for(lambda: next(
            (d for d in visible(app.window, PasscodeDialog) if d is not first), None))
        assert again.windowTitle() == "Passcode not accepted"
        edit = again.findChild(QLineEdit, "passcode")
        assert edit is not None and edit.text() == "0000"
        await answer_passcode(qtbot, app.window, "1629")
        assert await app.opened_url() == f"{app.base}/bluejeans/web/9036439807/1629"
        assert app.opened == [f"{app.base}/bluejeans/web/9036439807/1629"]


async def test_cancelling_the_passcode_prompt_opens_nothing(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        app.controller.spawn(app.controller.join_link(f"{app.base}/bluejeans/web/9036439807"))
        dialog = await dialog_of(app.window, PasscodeDialog)
        click(qtbot, dialog, "cancel")
        await wait_for(lambda: app.window.banner.text() == "Join cancelled.")
        assert app.opened == []


async def test_a_remembered_passcode_is_used_next_time(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        secrets = app.controller.ctx.secrets
        # An invitation without the passcode (e.g. someone else's meeting).
        weekly = dataclasses.replace(
            app.meeting(lambda m: m.number == "9036439807"), passcode=None)
        key = meeting_key(weekly)
        app.window.join_requested.emit(weekly)
        dialog = await dialog_of(app.window, PasscodeDialog)
        box = dialog.findChild(QCheckBox, "remember")
        assert box is not None and not box.isChecked()
        await answer_passcode(qtbot, app.window, "1629", remember=True)
        assert await app.opened_url() == f"{app.base}/bluejeans/web/9036439807/1629"
        assert secrets.get_passcode(key) == "1629"

        seen = len(app.dialogs.seen)
        app.window.join_requested.emit(weekly)
        assert await app.opened_url(2) == f"{app.base}/bluejeans/web/9036439807/1629"
        assert app.dialogs.seen[seen:] == []


async def test_a_passcode_is_not_remembered_unless_asked(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        secrets = app.controller.ctx.secrets
        # The API's passcode is out of date: the user is asked, "remember" is not ticked
        # for them, and what they type is used once only.
        stale = dataclasses.replace(
            app.meeting(lambda m: m.number == "9036439807"), passcode="0000")
        app.window.join_requested.emit(stale)
        dialog = await dialog_of(app.window, PasscodeDialog)
        box = dialog.findChild(QCheckBox, "remember")
        assert box is not None and not box.isChecked()
        await answer_passcode(qtbot, app.window, "1629")
        assert await app.opened_url() == f"{app.base}/bluejeans/web/9036439807/1629"
        assert secrets.get_passcode(meeting_key(stale)) is None


async def test_a_remembered_passcode_that_stopped_working_is_replaced(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        secrets = app.controller.ctx.secrets
        weekly = dataclasses.replace(
            app.meeting(lambda m: m.number == "9036439807"), passcode=None)
        secrets.set_passcode(meeting_key(weekly), "0000")
        app.window.join_requested.emit(weekly)
        dialog = await dialog_of(app.window, PasscodeDialog)
        box = dialog.findChild(QCheckBox, "remember")
        edit = dialog.findChild(QLineEdit, "passcode")
        assert box is not None and box.isChecked()
        assert edit is not None and edit.text() == "0000"
        await answer_passcode(qtbot, app.window, "1629")
        assert await app.opened_url() == f"{app.base}/bluejeans/web/9036439807/1629"
        assert secrets.get_passcode(meeting_key(weekly)) == "1629"


async def test_unticking_remember_forgets_the_stored_passcode(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        secrets = app.controller.ctx.secrets
        weekly = dataclasses.replace(
            app.meeting(lambda m: m.number == "9036439807"), passcode=None)
        secrets.set_passcode(meeting_key(weekly), "0000")
        app.window.join_requested.emit(weekly)
        await answer_passcode(qtbot, app.window, "1629", remember=False)
        assert await app.opened_url() == f"{app.base}/bluejeans/web/9036439807/1629"
        assert secrets.get_passcode(meeting_key(weekly)) is None


async def test_start_joinme_as_presenter_opens_the_one_time_link_and_never_shows_it(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        meeting = app.meeting(lambda m: m.provider is Provider.JOINME)
        app.window.select_meeting(meeting)
        start = app.window.details.start_button
        assert start.isVisible()
        qtbot.mouseClick(start, Qt.MouseButton.LeftButton)
        presenter = await app.opened_url()
        assert presenter.startswith(f"{app.base}/joinme/web/API/Public/StartMeeting.aspx")
        dialog = await dialog_of(app.window, StartedMeetingDialog)
        shown = "\n".join(texts(dialog) + texts(app.window))
        assert presenter not in shown
        assert presenter.split("token=", 1)[1] not in shown
        assert "10 minutes" in shown
        click(qtbot, dialog, "close")
        await wait_for(lambda: not app.window.findChildren(StartedMeetingDialog))
        assert app.opened == [presenter]


async def test_whereby_start_opens_the_host_link_and_join_the_room(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        room = app.meeting(lambda m: m.provider is Provider.WHEREBY and bool(m.host_url))
        app.window.select_meeting(room)
        qtbot.mouseClick(app.window.details.start_button, Qt.MouseButton.LeftButton)
        assert await app.opened_url() == room.host_url
        assert room.host_url is not None and room.host_url != room.join_url
        assert room.host_url not in app.window.banner.text()
        assert app.dialogs.seen == []


async def test_skype_meeting_joins_through_ucwa_then_opens_the_join_url(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    states: list[str] = []
    original = DialogPrompter.progress

    async def spy(self: DialogPrompter, progress: Any) -> None:
        states.append(progress.state)
        await original(self, progress)

    monkeypatch.setattr(DialogPrompter, "progress", spy)
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        meeting = app.meeting(lambda m: m.id == "LOBBY001")
        assert meeting.start is None and meeting.join_url
        app.window.select_meeting(meeting)
        qtbot.mouseClick(app.window.details.join_button, Qt.MouseButton.LeftButton)
        await dialog_of(app.window, SkypeJoinDialog)
        assert await app.opened_url() == meeting.join_url
        assert states[0] == "connecting" and "lobby" in states and states[-1] == "joined"
        assert "SkypeJoinDialog" in app.dialogs.seen
        await wait_for(lambda: not visible(app.window, SkypeJoinDialog))


async def test_unrecognised_web_link_opens_in_the_browser(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        url = "https://intranet.example.org/calendar/42?x=1"
        app.controller.spawn(app.controller.join_link(url))
        assert await app.opened_url() == url
        await wait_for(lambda: app.window.banner.text() == "Opened the link in the browser.")


@pytest.mark.parametrize("text", ["see you at 10", "javascript:alert(1)", "file:///etc/passwd"])
async def test_text_that_is_no_link_shows_an_error(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.controller.join_link(text)
        assert app.opened == []
        assert app.window.banner.isVisible()
        assert app.window.banner.property("error") is True
        assert "not a meeting link" in app.window.banner.text()


async def test_join_link_from_the_clipboard(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        clipboard = QGuiApplication.clipboard()
        clipboard.clear()
        app.controller.tray.join_clipboard_requested.emit()
        assert app.window.banner.text() == "The clipboard holds no link."
        assert app.window.banner.property("error") is True
        clipboard.setText("  https://whereby.com/team-room \n")
        app.controller.tray.join_clipboard_requested.emit()
        assert await app.opened_url() == "https://whereby.com/team-room"
        clipboard.clear()


# ---- creating, deleting, accounts --------------------------------------------------------------


async def test_delete_a_whereby_room_after_confirming(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        rooms = [m for m in app.controller.sync.meetings if m.provider is Provider.WHEREBY]
        room = rooms[0]
        app.window.select_meeting(room)
        qtbot.mouseClick(app.window.details.delete_button, Qt.MouseButton.LeftButton)
        dialog = await dialog_of(app.window, QDialog)
        assert dialog.objectName() == "confirm_delete_dialog"
        click(qtbot, dialog, "cancel")
        await asyncio.sleep(0.1)
        assert room in app.controller.sync.meetings

        qtbot.mouseClick(app.window.details.delete_button, Qt.MouseButton.LeftButton)
        dialog = await wait_for(lambda: next(
            (d for d in visible(app.window, QDialog)
             if d.objectName() == "confirm_delete_dialog"), None))
        click(qtbot, dialog, "delete")
        await wait_for(lambda: app.window.banner.text() == f"Deleted “{room.title}”.")
        await wait_for(lambda: room.id not in {m.id for m in app.window.model.meetings()})
        assert len([m for m in app.window.model.meetings()
                    if m.provider is Provider.WHEREBY]) == len(rooms) - 1
        await wait_for(lambda: not app.window.findChildren(QDialog))


async def test_ad_hoc_joinme_meeting(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        app.window.adhoc_action.trigger()
        dialog = await dialog_of(app.window, QDialog)
        click(qtbot, dialog, "ok")
        presenter = await app.opened_url()
        assert "StartMeeting.aspx" in presenter
        started = await dialog_of(app.window, StartedMeetingDialog)
        assert presenter not in "\n".join(texts(started))
        click(qtbot, started, "close")
        await wait_for(lambda: not app.window.findChildren(QDialog))


async def test_relay_sign_in_during_a_join_keeps_the_token_not_the_password(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        secrets = app.controller.ctx.secrets
        stored = secrets.all_secrets("Demo BlueJeans")
        del stored["relay_token"]  # the relay does not know who we are
        secrets.replace_account("Demo BlueJeans", stored)
        app.controller.ctx.forget_client("Demo BlueJeans")
        app.controller.spawn(app.controller.join_link(f"{app.base}/bluejeans/web/184405040"))
        login = await dialog_of(app.window, JoinSignInDialog)
        click(qtbot, login, "sign_in")
        dialog = await dialog_of(app.window, RelaySignInDialog)
        assert dialog.user.text() == "demo@bluejeans.test"
        qtbot.keyClicks(dialog.secret, "demo-bluejeans-password")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        url = await app.opened_url()
        assert url.endswith("/bluejeans/web/184405040")  # signed in: the join goes ahead
        relay = secrets.get("Demo BlueJeans", "relay_token")
        assert relay and relay in app.sandbox.state.bluejeans.relay_tokens
        assert "demo-bluejeans-password" not in app.controller.ctx.paths.secrets_file.read_text()


async def test_sign_in_again_from_the_sidebar_asks_for_the_whereby_key(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        app.sandbox.state.auth_knobs("whereby", {"expire_tokens": True})  # the key is revoked
        app.sandbox.state.whereby.api_keys.add("new-whereby-key")
        await app.controller.refresh_now()
        assert app.statuses()["Demo Whereby"] is SyncState.SIGN_IN_NEEDED
        button = app.window.findChild(QPushButton, "status:Demo Whereby")
        assert button is not None and "sign-in needed" in button.text()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # one click
        dialog = await dialog_of(app.window, AccountSignInDialog)
        assert set(dialog.edits) == {"api_key"}
        qtbot.keyClicks(dialog.edits["api_key"], "still-wrong")
        click(qtbot, dialog, "ok")
        await wait_for(lambda: "did not accept" in dialog.error.text())
        assert dialog.isVisible() and "border" in dialog.edits["api_key"].styleSheet()
        dialog.edits["api_key"].clear()
        qtbot.keyClicks(dialog.edits["api_key"], "new-whereby-key")
        click(qtbot, dialog, "ok")
        await wait_for(lambda: not app.window.findChildren(AccountSignInDialog))
        assert app.window.banner.text() == "Signed in to “Demo Whereby” again."
        await wait_for(lambda: app.statuses()["Demo Whereby"] is SyncState.UP_TO_DATE, limit=10)
        assert app.controller.ctx.secrets.all_secrets("Demo Whereby") == {
            "api_key": "new-whereby-key"}


async def test_add_an_account(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        browser = FakeBrowser()
        monkeypatch.setattr(controller_module, "open_url", browser)
        app.window.add_account_requested.emit()
        dialog = await dialog_of(app.window, AddAccountDialog)
        dialog.provider.setCurrentIndex(dialog.provider.findData("joinme"))
        qtbot.keyClicks(dialog.edits["name"], "Second join.me")
        qtbot.keyClicks(dialog.edits["base_url"], f"{app.base}/joinme/v1")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        await wait_for(lambda: "Second join.me" in app.statuses(), limit=10)
        await wait_for(lambda: app.statuses()["Second join.me"] is SyncState.UP_TO_DATE,
                       limit=10)
        assert browser.opened and browser.visits[0].status == 200
        stored = app.controller.ctx.secrets.all_secrets("Second join.me")
        assert set(stored) == {"token", "refresh_token", "token_expires"}
        combo = app.window.account_filter
        assert "Second join.me" in {combo.itemData(i) for i in range(combo.count())}
        # The same sandbox user: its meetings merge with Demo join.me's, naming both.
        await wait_for(lambda: any("Second join.me" in m.sources
                                   for m in app.window.model.meetings()))
        await wait_for(lambda: not app.window.findChildren(AddAccountDialog))
        assert "signed in as demo@joinme.test" in app.window.banner.text()


async def test_closing_to_the_tray_says_so_once(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        notices: list[bool] = []
        monkeypatch.setattr(app.controller.tray, "available", True)
        monkeypatch.setattr(app.controller.tray, "show_closed_to_tray_notice",
                            lambda: notices.append(True))
        app.window.keep_running_in_tray = True
        waiting = asyncio.ensure_future(app.controller.run_until_quit())  # noqa: TID251
        assert app.window.close() is False
        assert not app.window.isVisible() and notices == [True]
        assert SettingsStore(tmp_path / "config" / "settings.json").load().tray_notice_shown
        app.controller.show_window()
        assert app.window.isVisible()
        app.window.close()
        assert notices == [True]
        await asyncio.sleep(0.05)
        assert not waiting.done()
        app.controller.request_quit()
        await asyncio.wait_for(waiting, 2)


# ---- failures --------------------------------------------------------------------------------


async def test_provider_failure_shows_an_error_and_keeps_the_last_meetings(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        before = [m for m in app.window.model.meetings() if m.provider is Provider.JOINME]
        assert before
        fetched = app.controller.sync.statuses["Demo join.me"].since
        assert fetched is not None
        app.sandbox.state.set_fault("joinme", Fault.from_json({"kind": "status", "status": 503}))
        with caplog.at_level(logging.INFO, logger="launcher"):
            app.controller.refresh()
            await wait_for(lambda: app.statuses().get("Demo join.me") is SyncState.OFFLINE,
                           limit=10)
            await wait_for(lambda: app.window.banner.property("error") is True, limit=5)
        assert app.statuses()["Demo BlueJeans"] is SyncState.UP_TO_DATE
        banner = app.window.banner.text()
        assert "Demo join.me" in banner and "Traceback" not in banner
        assert "Something went wrong" not in banner
        assert f"offline since {fetched.astimezone():%H:%M}" in status_text(
            app.window, "Demo join.me")
        await wait_for(lambda: app.window.model.rowCount() == len(app.controller.sync.meetings))
        after = [m for m in app.window.model.meetings() if m.provider is Provider.JOINME]
        assert after == before
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]

        # Once the provider is back, the next refresh clears the state.
        app.sandbox.state.clear_faults()
        app.controller.refresh()
        await app.synced()
        await wait_for(lambda: not app.window.banner.isVisible())


async def test_closing_during_a_sync_stops_every_fetch(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = {p: Fault.from_json({"kind": "latency", "delay": 0.4})
            for p in (*(p.value for p in API_PROVIDERS), "ics")}
    async with demo(tmp_path, qtbot, monkeypatch, faults=slow) as app:
        await wait_for(lambda: set(app.statuses().values()) == {SyncState.SYNCING})
        await asyncio.sleep(0.1)  # every account's request is under way
        fetches = [t for t in asyncio.all_tasks()
                   if getattr(t.get_coro(), "__name__", "") == "fetch_account"]
        assert len(fetches) == len(DEMO_ACCOUNTS)
        await app.controller.aclose()
        await asyncio.gather(*fetches, return_exceptions=True)
        gc.collect()  # a socket left open warns here, in this test
        assert [t for t in fetches if not t.cancelled()] == []


async def test_settings_apply_to_the_tray_and_are_saved(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from launcher.store.settings import SettingsStore

    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        controller = app.controller
        new = dataclasses.replace(controller.settings, reminder_minutes=None,
                                  next_meeting_grace_minutes=3)
        controller.apply_settings(new)
        assert controller.tray._reminder_minutes is None
        assert controller.tray._grace == dt.timedelta(minutes=3)
        assert controller.settings_store is not None
        saved = SettingsStore(controller.ctx.paths.config / "settings.json").load()
        assert saved.reminder_minutes is None and saved.next_meeting_grace_minutes == 3
        assert app.window.banner.text() == "Settings saved."
