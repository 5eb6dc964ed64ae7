"""Settings › Meeting links: which service's link "Join" prefers, and app or browser.

A list of the link catalogue's services in the order the user prefers their links when
an event holds several (after links from the event's conference fields). Move up /
Move down (or drag and drop) reorders it. Services that have an app are ticked to open
in the app when it is installed, unticked to open always in the browser.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from launcher.core.catalogue import CATALOGUE, Service
from launcher.ui.icons import service_icon

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
#: The columns: the service, and where its links open.
NAME_COLUMN, OPEN_COLUMN = 0, 1


def default_order() -> tuple[str, ...]:
    """Return the catalogue's own ranking of its services (lower priority first)."""
    ranked = sorted(enumerate(CATALOGUE), key=lambda pair: (pair[1].priority, pair[0]))
    return tuple(service.key for _index, service in ranked)


def has_app(service: Service) -> bool:
    """Whether the service's links can open in an app (it has a native link form)."""
    return bool(service.native or service.schemes)


class ServicesPage(QWidget):
    """The services in the user's order, each opening in its app or in the browser."""

    def __init__(
        self, parent: QWidget | None, priority: Sequence[str] = (),
        browser_only: Collection[str] = (),
    ) -> None:
        super().__init__(parent)
        hint = QLabel(
            "When an event holds links of several services, Join opens the link of the "
            "service highest in this list (links from the event's conference details "
            "come first). Drag a service, or use Move up and Move down. Ticked services "
            "open in their app when it is installed; unticked ones always open in the "
            "browser.",
            self,
        )
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        self.list = QTreeWidget(self)
        self.list.setObjectName("services")
        self.list.setColumnCount(2)
        self.list.setHeaderLabels(["Service", "Opens in"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setAlternatingRowColors(True)
        header = self.list.header()
        header.setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(OPEN_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.up = QPushButton("Move up", self)
        self.up.setObjectName("move_up")
        self.down = QPushButton("Move down", self)
        self.down.setObjectName("move_down")
        self.reset = QPushButton("Default order", self)
        self.reset.setObjectName("default_order")
        for button in (self.up, self.down, self.reset):
            button.setAutoDefault(False)
        self.up.clicked.connect(lambda: self.move_selected(-1))
        self.down.clicked.connect(lambda: self.move_selected(1))
        self.reset.clicked.connect(self._on_reset_clicked)
        self.list.currentItemChanged.connect(self._on_current_item_changed)
        self.list.itemChanged.connect(self._on_item_changed)
        buttons = QVBoxLayout()
        buttons.addWidget(self.up)
        buttons.addWidget(self.down)
        buttons.addSpacing(12)
        buttons.addWidget(self.reset)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(row, 1)
        self._services = {service.key: service for service in CATALOGUE}
        self._fill(priority, frozenset(browser_only))
        self.set_current_row(0)

    def _fill(self, priority: Sequence[str], browser_only: Collection[str]) -> None:
        self.list.clear()
        first = [key for key in priority if key in self._services]
        order = [*dict.fromkeys(first), *(k for k in default_order() if k not in first)]
        # Rows are moved, never dropped onto one another (no nesting).
        flags = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                 | Qt.ItemFlag.ItemIsDragEnabled)
        for key in order:
            service = self._services[key]
            item = QTreeWidgetItem([service.name, ""])
            item.setIcon(NAME_COLUMN, service_icon(service.key, service.name))
            item.setData(NAME_COLUMN, KEY_ROLE, key)
            if has_app(service):
                item.setFlags(flags | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(OPEN_COLUMN, Qt.CheckState.Unchecked if key in browser_only
                                   else Qt.CheckState.Checked)
                item.setText(OPEN_COLUMN, _open_text(item))
                item.setToolTip(OPEN_COLUMN, "Ticked: the app when it is installed, else the "
                                "browser. Unticked: always the browser.")
            else:
                item.setFlags(flags)
                item.setText(OPEN_COLUMN, "the browser")
                item.setForeground(OPEN_COLUMN, self.palette().placeholderText())
                item.setToolTip(OPEN_COLUMN, f"{service.name} links have no app form.")
            self.list.addTopLevelItem(item)
        root = self.list.invisibleRootItem()
        root.setFlags(root.flags() | Qt.ItemFlag.ItemIsDropEnabled)

    def _items(self) -> list[QTreeWidgetItem]:
        count = self.list.topLevelItemCount()
        return [item for row in range(count) if (item := self.list.topLevelItem(row))]

    def keys(self) -> tuple[str, ...]:
        """Return the services' keys in the order shown."""
        return tuple(str(item.data(NAME_COLUMN, KEY_ROLE)) for item in self._items())

    def priority(self) -> tuple[str, ...]:
        """Return the order to keep: empty when it is the catalogue's own."""
        keys = self.keys()
        return () if keys == default_order() else keys

    def browser_only(self) -> tuple[str, ...]:
        """Return the services unticked: their links always open in the browser."""
        return tuple(sorted(
            str(item.data(NAME_COLUMN, KEY_ROLE)) for item in self._items()
            if item.flags() & Qt.ItemFlag.ItemIsUserCheckable
            and item.checkState(OPEN_COLUMN) == Qt.CheckState.Unchecked
        ))

    def current_row(self) -> int:
        """Return the selected row (-1: none)."""
        item = self.list.currentItem()
        return self.list.indexOfTopLevelItem(item) if item is not None else -1

    def set_current_row(self, row: int) -> None:
        """Select the service at *row*."""
        item = self.list.topLevelItem(row)
        if item is not None:
            self.list.setCurrentItem(item)

    def move_selected(self, step: int) -> None:
        """Move the selected service *step* rows (-1 up, 1 down)."""
        row = self.current_row()
        target = row + step
        if row < 0 or not 0 <= target < self.list.topLevelItemCount():
            return
        item = self.list.takeTopLevelItem(row)
        if item is None:
            return
        self.list.insertTopLevelItem(target, item)
        self.set_current_row(target)

    def _on_reset_clicked(self) -> None:
        self._fill((), frozenset(self.browser_only()))
        self.set_current_row(0)

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if column == OPEN_COLUMN and item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            text = _open_text(item)
            if item.text(OPEN_COLUMN) != text:
                item.setText(OPEN_COLUMN, text)

    def _on_current_item_changed(self, *_: object) -> None:
        row = self.current_row()
        self.up.setEnabled(row > 0)
        self.down.setEnabled(0 <= row < self.list.topLevelItemCount() - 1)


def _open_text(item: QTreeWidgetItem) -> str:
    """Say where a service's links open, from its tick."""
    if item.checkState(OPEN_COLUMN) == Qt.CheckState.Checked:
        return "the app when installed"
    return "always the browser"
