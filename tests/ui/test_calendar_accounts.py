"""Settings › Accounts with calendars: add an ICS link or file and a CalDAV account, edit,
sign in again (CalDAV asks for the password), remove; a refusal comes back to its field."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from launcher.core.models import Provider
from launcher.services.sync import SyncState
from launcher.ui.account_dialog import AccountSignInDialog, AddAccountDialog, EditAccountDialog
from tests.integration.test_caldav_radicale import PASSWORD, USER, radicale
from tests.ui.test_controller import demo
from tests.ui.test_controller_accounts import open_accounts, rows
from tests.ui.test_dialogs_join import click, dialog_of, wait_for

pytestmark = [pytest.mark.gui, pytest.mark.slow]
__all__ = ["radicale"]  # the Radicale server fixture, started once for this module

DATA = Path(__file__).resolve().parents[1] / "data" / "ics"


async def add_dialog(app: Any, qtbot: Any, provider: Provider) -> tuple[Any, AddAccountDialog]:
    settings = await open_accounts(app)
    assert settings.accounts is not None
    qtbot.mouseClick(settings.accounts.add_button, Qt.MouseButton.LeftButton)
    dialog = await dialog_of(settings, AddAccountDialog)
    dialog.provider.setCurrentIndex(dialog.provider.findData(provider.value))
    return settings, dialog


async def test_an_ics_link_is_read_before_it_is_saved(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        settings, dialog = await add_dialog(app, qtbot, Provider.ICS)
        qtbot.keyClicks(dialog.edits["name"], "Team calendar")
        qtbot.keyClicks(dialog.edits["base_url"], f"{app.base}/ics/missing.ics")
        click(qtbot, dialog, "ok")
        await wait_for(lambda: not dialog.busy and bool(dialog.error.text()))
        assert dialog.error.text().startswith("Calendar address:")
        assert "border" in dialog.edits["base_url"].styleSheet()
        assert "Team calendar" not in [a.name for a in app.controller.ctx.accounts.load()]
        dialog.edits["base_url"].clear()
        qtbot.keyClicks(dialog.edits["base_url"], f"{app.base}/ics/demo.ics")
        qtbot.keyClicks(dialog.edits["username"], "dana@example.test")
        click(qtbot, dialog, "ok")
        await wait_for(lambda: not settings.findChildren(AddAccountDialog))
        await wait_for(lambda: rows(settings).get("Team calendar") == "up to date", limit=10)
        account = app.controller.ctx.account("Team calendar")
        assert account.provider is Provider.ICS and account.username == "dana@example.test"
        assert app.controller.ctx.secrets.all_secrets("Team calendar") == {}
        await wait_for(lambda: any(m.account == "Team calendar" or "Team calendar" in m.sources
                                   for m in app.controller.sync.meetings))

        # An ICS "sign in again" asks nothing: it reads the calendar again.
        settings.accounts.select("Team calendar")  # type: ignore[union-attr]
        qtbot.mouseClick(settings.accounts.sign_in_button,  # type: ignore[union-attr]
                         Qt.MouseButton.LeftButton)
        await wait_for(lambda: app.controller.sync.statuses["Team calendar"].state
                       is SyncState.UP_TO_DATE and not settings.findChildren(AccountSignInDialog),
                       limit=10)
        settings.reject()


async def test_an_ics_file_can_be_added_edited_and_removed(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ics = tmp_path / "recurrence.ics"
    shutil.copy(DATA / "recurrence.ics", ics)
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        settings, dialog = await add_dialog(app, qtbot, Provider.ICS)
        qtbot.keyClicks(dialog.edits["name"], "Exported")
        dialog.choose_file(str(tmp_path / "nothing.ics"))
        click(qtbot, dialog, "ok")
        await wait_for(lambda: not dialog.busy and "not found" in dialog.error.text())
        assert "Exported" not in [a.name for a in app.controller.ctx.accounts.load()]
        dialog.choose_file(str(ics))
        assert dialog.ok.isEnabled()
        click(qtbot, dialog, "ok")
        await wait_for(lambda: not settings.findChildren(AddAccountDialog))
        await wait_for(lambda: rows(settings).get("Exported") == "up to date", limit=10)
        assert app.controller.ctx.account("Exported").base_url == ics.as_uri()

        assert settings.accounts is not None
        settings.accounts.select("Exported")
        qtbot.mouseClick(settings.accounts.edit_button, Qt.MouseButton.LeftButton)
        edit = await dialog_of(settings, EditAccountDialog)
        edit.name.selectAll()
        qtbot.keyClicks(edit.name, "Exported old")
        qtbot.mouseClick(edit.ok, Qt.MouseButton.LeftButton)
        await wait_for(lambda: "Exported old" in rows(settings))
        assert app.controller.ctx.account("Exported old").base_url == ics.as_uri()
        settings.accounts.select("Exported old")
        qtbot.mouseClick(settings.accounts.remove_button, Qt.MouseButton.LeftButton)
        box = await dialog_of(settings, QMessageBox)
        assert "Exported old" in box.text()
        remove = box.findChild(QPushButton, "remove")
        assert remove is not None
        qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
        await wait_for(lambda: "Exported old" not in rows(settings))
        assert ics.exists()  # the file itself is left alone
        settings.reject()


async def test_caldav_is_checked_against_radicale_and_asks_the_password_again(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, radicale: str
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        settings, dialog = await add_dialog(app, qtbot, Provider.CALDAV)
        qtbot.keyClicks(dialog.edits["name"], "Office DAV")
        qtbot.keyClicks(dialog.edits["base_url"], radicale)
        qtbot.keyClicks(dialog.edits["username"], USER)
        qtbot.keyClicks(dialog.edits["password"], "wrong-password")
        assert dialog.ok.isEnabled()
        click(qtbot, dialog, "ok")
        await wait_for(lambda: not dialog.busy and "did not accept" in dialog.error.text(),
                       limit=10)
        assert dialog.error.text().startswith("Password:")
        assert "border" in dialog.edits["password"].styleSheet()
        assert "wrong-password" not in dialog.error.text()
        assert "Office DAV" not in [a.name for a in app.controller.ctx.accounts.load()]
        assert app.controller.ctx.secrets.all_secrets("Office DAV") == {}
        dialog.edits["password"].clear()
        qtbot.keyClicks(dialog.edits["password"], PASSWORD)
        click(qtbot, dialog, "ok")
        await wait_for(lambda: not settings.findChildren(AddAccountDialog), limit=10)
        await wait_for(lambda: rows(settings).get("Office DAV") == "up to date", limit=15)
        assert app.controller.ctx.secrets.all_secrets("Office DAV") == {"password": PASSWORD}

        assert settings.accounts is not None
        settings.accounts.select("Office DAV")
        qtbot.mouseClick(settings.accounts.sign_in_button, Qt.MouseButton.LeftButton)
        again = await dialog_of(settings, AccountSignInDialog)
        assert set(again.edits) == {"password"} and not again.ok.isEnabled()
        assert "CalDAV password" in again.hint.text()
        qtbot.keyClicks(again.edits["password"], "nope")
        click(qtbot, again, "ok")
        await wait_for(lambda: not again.busy and "did not accept" in again.error.text(),
                       limit=10)
        assert app.controller.ctx.secrets.all_secrets("Office DAV") == {"password": PASSWORD}
        again.edits["password"].clear()
        qtbot.keyClicks(again.edits["password"], PASSWORD)
        click(qtbot, again, "ok")
        await wait_for(lambda: not settings.findChildren(AccountSignInDialog), limit=10)
        await wait_for(lambda: app.statuses()["Office DAV"] is SyncState.UP_TO_DATE, limit=15)
        settings.reject()


async def test_an_unreachable_caldav_server_saves_nothing(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        settings, dialog = await add_dialog(app, qtbot, Provider.CALDAV)
        qtbot.keyClicks(dialog.edits["name"], "Gone")
        qtbot.keyClicks(dialog.edits["base_url"], "http://127.0.0.1:9/dav/")
        qtbot.keyClicks(dialog.edits["username"], USER)
        qtbot.keyClicks(dialog.edits["password"], PASSWORD)
        click(qtbot, dialog, "ok")
        await wait_for(lambda: not dialog.busy and "nothing was saved" in dialog.error.text(),
                       limit=15)
        assert dialog.isVisible()
        assert "Gone" not in [a.name for a in app.controller.ctx.accounts.load()]
        assert app.controller.ctx.secrets.all_secrets("Gone") == {}
        settings.reject()
