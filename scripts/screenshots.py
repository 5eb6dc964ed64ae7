"""Render the demo offscreen and write PNGs of the main screens to docs/screenshots/.

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py [--out docs/screenshots]

Runs the real app stack (sandbox, services, controller, window) on a qasync loop, waits
for every demo account to sync, then grabs: the main window (agenda + details), the
month view, the week view, a passcode prompt, the create-room dialog, Settings › Accounts
(with one account whose sign-in went stale) and the add-account dialog waiting for the
browser. Then, without the sandbox (:func:`shoot_links`): the details pane of a calendar
event holding several links, the pre-join check, Add meeting and the Settings filters.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from PySide6.QtWidgets import QApplication, QWidget

from launcher.core.joinflow import AskPasscode, verdict
from launcher.core.models import Meeting, Provider
from launcher.store.db import open_database
from launcher.store.paths import Paths
from launcher.store.settings import Settings
from launcher.ui import dialogs
from launcher.ui.account_dialog import AddAccountDialog, busy_text
from launcher.ui.asyncqt import new_event_loop
from launcher.ui.controller import AppController
from launcher.ui.details import DetailsPane
from launcher.ui.dialogs.links import AddMeetingDialog, PreJoinDialog, shown_findings
from launcher.ui.linkinfo import LinkInfo
from launcher.ui.main_window import MainWindow
from launcher.ui.settings_dialog import SettingsDialog


def save(widget: QWidget, path: Path) -> None:
    widget.grab().save(str(path))
    print(f"wrote {path}")


async def settle(seconds: float = 0.3) -> None:
    await asyncio.sleep(seconds)


async def shoot(app: QApplication, out: Path) -> None:
    with tempfile.TemporaryDirectory() as home:
        root = Path(home)
        paths = Paths.under(root).ensure()
        window = MainWindow()
        window.resize(1360, 860)
        window.show()
        db = open_database(paths)
        controller = await AppController.create(window, paths, db, demo=True)
        try:
            for _ in range(100):
                states = {s.state.value for s in controller.sync.statuses.values()}
                if states == {"up to date"}:
                    break
                await settle(0.1)
            await settle(0.5)
            now = dt.datetime.now(dt.UTC)
            upcoming = [m for m in controller.sync.meetings
                        if m.start and m.start > now and m.provider is Provider.BLUEJEANS]
            if upcoming:
                window.select_meeting(upcoming[0])
            await settle()
            save(window, out / "main-window.png")

            save(window.month, out / "month-view.png")

            window.set_view("week")
            await settle()
            save(window, out / "week-view.png")
            window.set_view("agenda")

            step = AskPasscode(verdict("GET_PASSCODE").message)
            prompt = dialogs.PasscodeDialog(window, step.message, moderator=False, retry=False)
            prompt.open()
            await settle()
            save(prompt, out / "passcode-prompt.png")
            prompt.reject()

            names = [a.name for a in controller.ctx.accounts.load()
                     if a.provider is Provider.WHEREBY]
            room = dialogs.CreateRoomDialog(window, names)
            room.open()
            await settle()
            save(room, out / "create-room-dialog.png")
            room.reject()

            controller._demo_sandbox.state.auth_knobs("joinme", {"stale_tokens": True})
            await controller.refresh_now()
            controller._update_accounts_model()
            settings = SettingsDialog(window, controller.settings, controller.accounts_model)
            settings.show_accounts()
            settings.open()
            await settle()
            save(settings, out / "accounts-page.png")
            settings.reject()

            add = AddAccountDialog(window, taken=names)
            add.provider.setCurrentIndex(add.provider.findData(Provider.JOINME.value))
            add.edits["name"].setText("Work join.me")
            add.open()
            add.set_busy(busy_text(Provider.JOINME))
            add.set_link("http://127.0.0.1:8765/joinme/auth/oauth2?response_type=code&"
                         "client_id=meeting-launcher-desktop&scope=user_info%20scheduler…")
            await settle()
            save(add, out / "add-account-browser.png")
            add.reject()
        finally:
            await controller.aclose()
            db.close()
            window.close()


def sample_event(now: dt.datetime) -> Meeting:
    """A calendar event with a Zoom conference link (no passcode) and two more links."""
    start = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    return Meeting(
        id="sample", account="Work calendar (ICS)", provider=Provider.ICS,
        title="Quarterly roadmap review", start=start, end=start + dt.timedelta(hours=1),
        organizer="dara@example.com", participants=("ana@example.com", "bo@example.com"),
        conference_url="https://acme.zoom.us/j/85012345678",
        description=("<p>Join Zoom: https://acme.zoom.us/j/85012345678<br>Meeting ID: 850 1234"
                     " 5678<br>Passcode: 314159</p><p>Or Teams: https://teams.microsoft.com/l/"
                     "meetup-join/19%3ameeting_NjA5%40thread.v2/0</p><p>Backup: "
                     "https://meet.google.com/abc-defg-hij</p>"),
        calendar="Product", location="Room 4.12 / online",
    )


async def shoot_links(out: Path, links: LinkInfo | None = None) -> None:
    """Details with several links, the pre-join check, Add meeting, Settings filters."""
    links = links or LinkInfo()
    now = dt.datetime.now(dt.UTC)
    event = sample_event(now)
    details = DetailsPane(links=links)
    details.resize(400, 640)
    details.set_meeting(event)
    details.show()
    await settle()
    save(details, out / "details-several-links.png")
    details.close()
    found = links.links(event)
    findings = shown_findings(links.check(event, found))
    if findings:
        check = PreJoinDialog(None, findings, found, subject=event.title)
        check.show()
        await settle()
        save(check, out / "prejoin-check.png")
        check.close()
    add = AddMeetingDialog(None, clipboard="https://meet.google.com/abc-defg-hij")
    add.title.setText("Design crit with the agency")
    add.show()
    await settle()
    save(add, out / "add-meeting.png")
    add.close()
    settings = Settings(hide_declined=True, hide_all_day=True,
                        title_blocklist=("^Lunch\\b", "(focus time"),
                        excluded_calendars=("Birthdays",))
    dialog = SettingsDialog(None, settings, calendars=["Product", "Birthdays", "Team",
                                                       "Demo Whereby"])
    dialog.show()
    await settle()
    save(dialog, out / "settings-filters.png")
    dialog.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs"
                                             / "screenshots"))
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=lambda: new_event_loop(app)) as runner:
        runner.run(shoot(app, out))
        runner.run(shoot_links(out))


if __name__ == "__main__":
    main()
