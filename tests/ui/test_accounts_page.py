"""The Accounts page of Settings: the model, the buttons, one click on "sign-in needed"."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from launcher.core.models import Provider
from launcher.store.settings import Settings
from launcher.ui.accounts_page import AccountRow, AccountsModel, AccountsPage
from launcher.ui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.gui

ROWS = [
    AccountRow("Work join.me", Provider.JOINME, "jo@work.test", "up to date", "up to date"),
    AccountRow("Rooms", Provider.WHEREBY, None, "sign-in needed", "sign-in needed",
               "Whereby: sign-in needed: the credentials were refused"),
    AccountRow("BJ", Provider.BLUEJEANS, "dana@bj.test", "offline", "offline since 09:30"),
]


@pytest.fixture
def page(qtbot: Any) -> AccountsPage:
    model = AccountsModel()
    model.set_rows(ROWS)
    widget = AccountsPage(model)
    qtbot.addWidget(widget)
    widget.resize(640, 320)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def cell(model: AccountsModel, row: int, column: int, role: Any = Qt.ItemDataRole.DisplayRole
         ) -> Any:
    return model.data(model.index(row, column), role)


def test_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    model = AccountsModel()
    model.set_rows(ROWS)
    qtmodeltester.check(model, force_py=True)
    model.set_rows([])
    qtmodeltester.check(model, force_py=True)


def test_model_shows_service_account_and_status() -> None:
    model = AccountsModel()
    model.set_rows(ROWS)
    assert model.rowCount() == 3 and model.columnCount() == 3
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)] == [
        "Service", "Account", "Status"]
    assert cell(model, 0, 0) == "join.me"
    assert cell(model, 0, 1) == "Work join.me (jo@work.test)"
    assert cell(model, 1, 1) == "Rooms"
    assert cell(model, 0, 2) == "up to date"
    assert cell(model, 1, 2) == "Sign-in needed — click to sign in"
    assert cell(model, 2, 2) == "offline since 09:30"
    assert cell(model, 1, 2, Qt.ItemDataRole.ToolTipRole).startswith("Whereby: sign-in needed")
    red = cell(model, 1, 2, Qt.ItemDataRole.ForegroundRole)
    assert isinstance(red, QColor) and red.name() == "#c0392b"
    assert not cell(model, 0, 0, Qt.ItemDataRole.DecorationRole).isNull()
    assert cell(model, 2, 1, AccountsModel.NAME_ROLE) == "BJ"
    assert model.row_of("BJ") == 2 and model.row_of("nope") == -1
    assert model.account_at(7) is None and cell(model, 9, 0) is None


def test_buttons_follow_the_selection(qtbot: Any, page: AccountsPage) -> None:
    assert page.selected() == ROWS[0]  # the first account starts selected
    with qtbot.waitSignal(page.edit_requested) as edit:
        qtbot.mouseClick(page.edit_button, Qt.MouseButton.LeftButton)
    assert edit.args == ["Work join.me"]
    page.select("BJ")
    with qtbot.waitSignal(page.remove_requested) as remove:
        qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert remove.args == ["BJ"]
    with qtbot.waitSignal(page.sign_in_requested) as sign_in:
        qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    assert sign_in.args == ["BJ"]
    with qtbot.waitSignal(page.add_requested):
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    page.table.clearSelection()
    assert not page.edit_button.isEnabled() and not page.remove_button.isEnabled()
    assert page.add_button.isEnabled()


def test_one_click_on_sign_in_needed_signs_in(qtbot: Any, page: AccountsPage) -> None:
    table = page.table
    rect = table.visualRect(page.model.index(1, 2))
    with qtbot.waitSignal(page.sign_in_requested) as signal:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == ["Rooms"]
    assert page.sign_in_button.isDefault()
    ok = table.visualRect(page.model.index(0, 1))
    with qtbot.assertNotEmitted(page.sign_in_requested):
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=ok.center())
    assert not page.sign_in_button.isDefault()
    with qtbot.waitSignal(page.edit_requested) as edit:
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=ok.center())
    assert edit.args == ["Work join.me"]


def test_selection_survives_a_status_update(page: AccountsPage) -> None:
    page.select("BJ")
    page.model.set_rows([*ROWS[:2], AccountRow("BJ", Provider.BLUEJEANS, None, "up to date",
                                               "up to date")])
    selected = page.selected()
    assert selected is not None and selected.name == "BJ"
    page.model.set_rows(ROWS[:1])
    selected = page.selected()
    assert selected is not None and selected.name == "Work join.me"


def test_no_accounts_says_so(qtbot: Any) -> None:
    model = AccountsModel()
    page = AccountsPage(model)
    qtbot.addWidget(page)
    page.show()
    assert page.empty.isVisible() and not page.table.isVisible()
    assert not page.edit_button.isEnabled()
    model.set_rows(ROWS)
    assert not page.empty.isVisible() and page.table.isVisible()


def test_settings_dialog_has_the_accounts_page(qtbot: Any) -> None:
    model = AccountsModel()
    model.set_rows(ROWS)
    dialog = SettingsDialog(None, Settings(), model)
    qtbot.addWidget(dialog)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "General", "Meeting links", "Accounts"]
    assert dialog.tabs.currentIndex() == 0
    dialog.show_accounts()
    assert dialog.tabs.currentWidget() is dialog.accounts
    plain = SettingsDialog(None, Settings())
    qtbot.addWidget(plain)
    assert plain.tabs.count() == 2 and plain.accounts is None
    plain.show_accounts()
