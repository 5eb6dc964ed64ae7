"""Settings › Accounts on the demo sandbox: add, edit, remove, sign in again, cancel, expiry."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

import launcher.ui.controller as controller_module
from launcher.services.sync import SyncState
from launcher.ui.account_dialog import AccountSignInDialog, AddAccountDialog, EditAccountDialog
from launcher.ui.settings_dialog import SettingsDialog
from tests.browser import FakeBrowser
from tests.ui.test_controller import DEMO_ACCOUNTS, Demo, demo
from tests.ui.test_dialogs_join import click, dialog_of, wait_for

pytestmark = pytest.mark.gui


async def open_accounts(app: Demo) -> SettingsDialog:
    app.controller.spawn(app.controller.edit_settings(accounts=True), key="settings")
    dialog = await dialog_of(app.window, SettingsDialog)
    assert dialog.accounts is not None and dialog.tabs.currentWidget() is dialog.accounts
    return dialog


def rows(dialog: SettingsDialog) -> dict[str, str]:
    assert dialog.accounts is not None
    return {r.name: r.state for r in dialog.accounts.model.rows()}


def port_closed(url: str) -> bool:
    port = httpx.URL(httpx.URL(url).params["redirect_uri"]).port
    assert port is not None
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


async def test_the_page_lists_every_account_with_its_state(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        settings = await open_accounts(app)
        await wait_for(lambda: rows(settings) == dict.fromkeys(DEMO_ACCOUNTS, "up to date"))
        app.sandbox.state.auth_knobs("bluejeans", {"expire_tokens": True})
        await app.controller.refresh_now()
        await wait_for(lambda: rows(settings)["Demo BlueJeans"] == "sign-in needed")
        settings.reject()


async def test_a_refused_key_stays_in_the_dialog_then_the_account_is_added(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        settings = await open_accounts(app)
        assert settings.accounts is not None
        qtbot.mouseClick(settings.accounts.add_button, Qt.MouseButton.LeftButton)
        dialog = await dialog_of(settings, AddAccountDialog)
        dialog.provider.setCurrentIndex(dialog.provider.findData("whereby"))
        qtbot.keyClicks(dialog.edits["name"], "Demo Whereby")
        assert not dialog.ok.isEnabled() and "already exists" in dialog.error.text()
        dialog.edits["name"].clear()
        qtbot.keyClicks(dialog.edits["name"], "Team rooms")
        qtbot.keyClicks(dialog.edits["base_url"], f"{app.base}/whereby/v1")
        qtbot.keyClicks(dialog.edits["api_key"], "wrong-key")
        click(qtbot, dialog, "ok")
        await wait_for(lambda: "did not accept" in dialog.error.text())
        assert "Team rooms" not in app.statuses()
        assert "border" in dialog.edits["api_key"].styleSheet()
        dialog.edits["api_key"].clear()
        qtbot.keyClicks(dialog.edits["api_key"], "demo-whereby-key")
        click(qtbot, dialog, "ok")
        await wait_for(lambda: not settings.findChildren(AddAccountDialog))
        await wait_for(lambda: rows(settings).get("Team rooms") == "up to date", limit=10)
        settings.reject()


async def test_cancel_while_waiting_for_the_browser_adds_nothing_and_never_blocks(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        browser = FakeBrowser(decision=None)  # the user never answers in the browser
        monkeypatch.setattr(controller_module, "open_url", browser)
        ticks: list[float] = []

        async def ticker() -> None:
            while True:
                ticks.append(asyncio.get_running_loop().time())
                await asyncio.sleep(0.01)

        beat = asyncio.get_running_loop().create_task(ticker())
        try:
            app.window.add_account_requested.emit()
            dialog = await dialog_of(app.window, AddAccountDialog)
            dialog.provider.setCurrentIndex(dialog.provider.findData("joinme"))
            qtbot.keyClicks(dialog.edits["name"], "Never")
            qtbot.keyClicks(dialog.edits["base_url"], f"{app.base}/joinme/v1")
            click(qtbot, dialog, "ok")
            await asyncio.wait_for(browser.consent_shown.wait(), 5)
            await wait_for(lambda: dialog.progress.isVisible() and dialog.link.isVisible())
            assert "allow access in your browser" in dialog.status.text()
            assert dialog.link_url() == browser.opened[0]
            before = len(ticks)
            await asyncio.sleep(0.5)
            # The loop keeps running while we wait (a 10 ms ticker: about 50 ticks when
            # idle; a blocked loop would give none).
            assert len(ticks) - before >= 5
            click(qtbot, dialog, "cancel")
            await wait_for(lambda: not app.window.findChildren(AddAccountDialog))
            await wait_for(lambda: port_closed(browser.opened[0]))
        finally:
            beat.cancel()
        assert "Never" not in [a.name for a in app.controller.ctx.accounts.load()]
        assert app.controller.ctx.secrets.all_secrets("Never") == {}
        await browser.aclose()


async def test_stale_joinme_sign_in_is_one_click_away(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        browser = FakeBrowser()
        monkeypatch.setattr(controller_module, "open_url", browser)
        app.sandbox.state.auth_knobs("joinme", {"stale_tokens": True})
        await app.controller.refresh_now()
        assert app.statuses()["Demo join.me"] is SyncState.SIGN_IN_NEEDED
        # Nothing else broke: the other accounts are still up to date.
        others = {n: s for n, s in app.statuses().items() if n != "Demo join.me"}
        assert set(others.values()) == {SyncState.UP_TO_DATE}
        assert any(m.account == "Demo join.me" for m in app.window.model.meetings())
        button = app.window.findChild(QPushButton, "status:Demo join.me")
        assert button is not None
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        # No field to fill in: the browser opens at once, and that is all it takes.
        await asyncio.wait_for(browser.finished.wait(), 10)
        await wait_for(lambda: not app.window.findChildren(AccountSignInDialog))
        await wait_for(lambda: app.statuses()["Demo join.me"] is SyncState.UP_TO_DATE,
                       limit=10)
        stored = app.controller.ctx.secrets.all_secrets("Demo join.me")
        assert stored["token"] != "demo-joinme-token" and "refresh_token" in stored


async def test_edit_renames_and_the_meetings_follow(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        settings = await open_accounts(app)
        assert settings.accounts is not None
        settings.accounts.select("Demo Whereby")
        qtbot.mouseClick(settings.accounts.edit_button, Qt.MouseButton.LeftButton)
        dialog = await dialog_of(settings, EditAccountDialog)
        dialog.name.selectAll()
        qtbot.keyClicks(dialog.name, "Rooms")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        await wait_for(lambda: "Rooms" in app.statuses() and "Demo Whereby" not in app.statuses())
        await wait_for(lambda: app.statuses()["Rooms"] is SyncState.UP_TO_DATE, limit=10)
        await wait_for(lambda: any(m.account == "Rooms" for m in app.window.model.meetings()))
        assert not any(m.account == "Demo Whereby" for m in app.window.model.meetings())
        assert app.controller.ctx.secrets.all_secrets("Rooms") == {"api_key": "demo-whereby-key"}
        assert settings.accounts.selected() is not None
        settings.reject()


async def test_remove_asks_first_and_takes_secrets_and_cache(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        await wait_for(lambda: "Demo Skype for Business" in app.controller.sync.cache.load())
        settings = await open_accounts(app)
        assert settings.accounts is not None
        settings.accounts.select("Demo Skype for Business")
        qtbot.mouseClick(settings.accounts.remove_button, Qt.MouseButton.LeftButton)
        box = await dialog_of(settings, QMessageBox)
        assert "secret" not in box.text()
        assert "saved sign-in" in box.informativeText()
        assert "cached meetings" in box.informativeText()
        cancel = box.findChild(QPushButton, "cancel")
        assert cancel is not None
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        await wait_for(lambda: not settings.findChildren(QMessageBox))
        assert "Demo Skype for Business" in app.statuses()

        qtbot.mouseClick(settings.accounts.remove_button, Qt.MouseButton.LeftButton)
        box = await dialog_of(settings, QMessageBox)
        remove = box.findChild(QPushButton, "remove")
        assert remove is not None
        qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
        await wait_for(lambda: "Demo Skype for Business" not in rows(settings))
        assert "Demo Skype for Business" not in app.statuses()
        assert app.controller.ctx.secrets.all_secrets("Demo Skype for Business") == {}
        await wait_for(lambda: SyncState.SYNCING not in app.statuses().values(), limit=10)
        cached = app.controller.sync.cache.load()
        assert "Demo Skype for Business" not in cached
        assert not any(m.account == "Demo Skype for Business"
                       for m in app.window.model.meetings())
        settings.reject()
