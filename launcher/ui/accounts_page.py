"""The Accounts page of Settings: each account's service, name and state, and what to do.

A table model over plain rows (model/view, STYLE.md rule 9) and a page that only emits
``*_requested`` signals; the controller runs the sign-in flows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from launcher.core.models import Provider
from launcher.ui.icons import provider_icon

SIGN_IN_NEEDED = "sign-in needed"
_STATE_COLOURS = {
    "up to date": "#2e9d5b",
    "offline": "#b07412",
    SIGN_IN_NEEDED: "#c0392b",
    "failed": "#c0392b",
}
Index = QModelIndex | QPersistentModelIndex


@dataclasses.dataclass(frozen=True, slots=True)
class AccountRow:
    """One account as the page shows it."""

    name: str
    provider: Provider
    username: str | None = None
    #: The sync state ("up to date", "sign-in needed", ...) and the words shown for it.
    state: str = ""
    status: str = ""
    message: str = ""

    @property
    def needs_sign_in(self) -> bool:
        """Whether the account waits for "sign in again"."""
        return self.state == SIGN_IN_NEEDED


class AccountsModel(QAbstractTableModel):
    """Service, name (and user), state of every account."""

    COLUMNS = ("Service", "Account", "Status")
    #: The account's name, in every column.
    NAME_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[AccountRow] = []

    def set_rows(self, rows: Sequence[AccountRow]) -> None:
        """Replace the rows (the list is small: a reset is simplest)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[AccountRow]:
        """Return the rows shown."""
        return list(self._rows)

    def row_of(self, name: str) -> int:
        """Return the row of account *name*, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.name == name), -1)

    def account_at(self, row: int) -> AccountRow | None:
        """Return the account in *row*, if any."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Return how many accounts there are (no children)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Return the number of columns."""
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Return the column titles."""
        if (orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.COLUMNS)):
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Return what a cell shows."""
        if not index.isValid() or index.parent().isValid():
            return None
        row = self.account_at(index.row())
        if row is None:
            return None
        column = index.column()
        if role == self.NAME_ROLE:
            return row.name
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return row.provider.label
            if column == 1:
                return f"{row.name} ({row.username})" if row.username else row.name
            if column == 2:
                if row.needs_sign_in:
                    return "Sign-in needed — click to sign in"
                return row.status or row.state or "—"
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return provider_icon(row.provider)
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            colour = _STATE_COLOURS.get(row.state)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 2 and row.message:
                return row.message
            if row.needs_sign_in:
                return "Click to sign in again"
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole and column == 2:
            return row.status or row.state
        return None


class AccountsPage(QWidget):
    """The table of accounts and the Add, Edit, Remove and Sign in again buttons."""

    add_requested = Signal()
    edit_requested = Signal(str)
    remove_requested = Signal(str)
    sign_in_requested = Signal(str)

    def __init__(self, model: AccountsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.table = QTableView(self)
        self.table.setObjectName("accounts")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setHighlightSections(False)
        self.table.setMinimumHeight(180)

        self.add_button = self._button("add", "Add…", self._on_add_button_clicked)
        self.edit_button = self._button("edit", "Edit…", self._on_edit_button_clicked)
        self.remove_button = self._button("remove", "Remove", self._on_remove_button_clicked)
        self.sign_in_button = self._button(
            "signin", "Sign in again", self._on_sign_in_button_clicked
        )
        self.empty = QLabel("No accounts yet. Add one to see its meetings.", self)
        self.empty.setObjectName("empty")
        hint = QLabel(
            "Removing an account also removes its saved sign-in, the passcodes remembered for "
            "its meetings and its cached meetings.",
            self,
        )
        hint.setObjectName("hint")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(placeholder-text);")

        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(buttons)
        layout.addWidget(hint)

        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.clicked.connect(self._on_table_clicked)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        model.modelReset.connect(self._on_model_reset)
        self._selected: str | None = None
        self._on_model_reset()

    def _button(self, name: str, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # ---- selection -----------------------------------------------------------------------

    def selected(self) -> AccountRow | None:
        """Return the selected account, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.account_at(rows[0].row()) if rows else None

    def select(self, name: str) -> None:
        """Select account *name* (if it exists)."""
        row = self.model.row_of(name)
        if row >= 0:
            self.table.selectionModel().select(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._update_buttons()

    def _on_model_reset(self) -> None:
        empty = self.model.rowCount() == 0
        self.empty.setVisible(empty)
        self.table.setVisible(not empty)
        if self._selected is not None and self.model.row_of(self._selected) >= 0:
            self.select(self._selected)
        elif not empty:
            self.select(self.model.rows()[0].name)
        self._update_buttons()

    def _on_selection_changed(self, *_: object) -> None:
        row = self.selected()
        self._selected = row.name if row else None
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.selected()
        for button in (self.edit_button, self.remove_button, self.sign_in_button):
            button.setEnabled(row is not None)
        self.sign_in_button.setDefault(bool(row and row.needs_sign_in))

    # ---- clicks --------------------------------------------------------------------------

    def _on_table_clicked(self, index: QModelIndex) -> None:
        row = self.model.account_at(index.row()) if index.isValid() else None
        if row is not None and row.needs_sign_in:  # one click fixes it
            self.sign_in_requested.emit(row.name)

    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        row = self.model.account_at(index.row()) if index.isValid() else None
        if row is not None and not row.needs_sign_in:
            self.edit_requested.emit(row.name)

    def _on_add_button_clicked(self) -> None:
        self.add_requested.emit()

    def _on_edit_button_clicked(self) -> None:
        if (row := self.selected()) is not None:
            self.edit_requested.emit(row.name)

    def _on_remove_button_clicked(self) -> None:
        if (row := self.selected()) is not None:
            self.remove_requested.emit(row.name)

    def _on_sign_in_button_clicked(self) -> None:
        if (row := self.selected()) is not None:
            self.sign_in_requested.emit(row.name)
