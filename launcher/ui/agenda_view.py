"""The agenda: meetings grouped by day in one scrolling list, painted by AgendaDelegate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from launcher.core.models import Meeting
from launcher.ui.delegate import AgendaDelegate, mix
from launcher.ui.models import MeetingFilterProxy, MeetingRole

_Index = QModelIndex | QPersistentModelIndex


class AgendaView(QListView):
    """Meetings of a :class:`MeetingFilterProxy`, one row each, grouped under day headings.

    Signals:
        meeting_activated(Meeting): double-click, Enter or Return on a meeting.
        current_meeting_changed(Meeting | None): the current meeting changed.
    """

    meeting_activated = Signal(object)
    current_meeting_changed = Signal(object)

    #: Shown when there are no meetings at all / when filters hide every meeting.
    EMPTY_TEXT = "No meetings"
    FILTERED_EMPTY_TEXT = "No meetings match"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A viewport of our own: the first time Qt's own is asked for, PySide looks its
        # plain QWidget* up among every widget class, creating all their enums (about
        # 8 ms, before the first paint of an empty agenda).
        self._canvas = QWidget(self)
        self.setViewport(self._canvas)
        self._delegate = AgendaDelegate(self)
        self.setItemDelegate(self._delegate)
        self.setUniformItemSizes(False)  # day headings make some rows taller
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Row heights do not depend on the width, and rows stretch to the viewport: no
        # relayout of every row on resize.
        self.setResizeMode(QListView.ResizeMode.Fixed)
        self.setMouseTracking(True)  # hover highlight
        self.setFrameShape(QListView.Shape.NoFrame)
        self.setAccessibleName("Agenda")
        self.doubleClicked.connect(self._on_self_double_clicked)

    # ------------------------------------------------------------------ model
    def setModel(self, model: Any) -> None:
        """Show *model* (normally the shared MeetingFilterProxy)."""
        old = self.selectionModel()
        super().setModel(model)
        if old is not None and old.model() is not model:
            old.deleteLater()
        selection = self.selectionModel()
        if selection is not None:
            selection.currentChanged.connect(self._on_selection_current_changed)

    def delegate(self) -> AgendaDelegate:
        """Return the delegate painting the rows."""
        return self._delegate

    def current_meeting(self) -> Meeting | None:
        """Return the meeting of the current row, if any."""
        index = self.currentIndex()
        meeting = index.data(MeetingRole.MEETING) if index.isValid() else None
        return meeting if isinstance(meeting, Meeting) else None

    # ------------------------------------------------------------------ selection API
    def select_meeting(self, key: str) -> bool:
        """Make the meeting with *key* current, selected and visible; False if not shown."""
        model = self.model()
        if isinstance(model, MeetingFilterProxy):
            index = model.index_of(key)
        else:
            index = QModelIndex()
            if model is not None:
                for row in range(model.rowCount()):
                    candidate = model.index(row, 0)
                    if candidate.data(MeetingRole.KEY) == key:
                        index = candidate
                        break
        if not index.isValid():
            return False
        self._make_current(index)
        return True

    def select_day(self, day: dt.date) -> bool:
        """Select the first meeting on or after *day*; False if there is none."""
        model = self.model()
        row: int | None = None
        if isinstance(model, MeetingFilterProxy):
            row = model.first_row_on_or_after(day)
        elif model is not None:
            for candidate in range(model.rowCount()):
                value = model.index(candidate, 0).data(MeetingRole.DAY)
                if isinstance(value, dt.date) and value >= day:
                    row = candidate
                    break
        if row is None:
            return False
        self._make_current(self.model().index(row, 0))
        return True

    def _make_current(self, index: QModelIndex) -> None:
        self.setCurrentIndex(index)
        # The heading belongs to the row: show it too when scrolling up to a day.
        self.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop
                      if self._delegate.starts_day(index) else
                      QAbstractItemView.ScrollHint.EnsureVisible)

    # ------------------------------------------------------------------ events
    def changeEvent(self, event: QEvent) -> None:
        """Recompute row sizes when the font or style changes."""
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._delegate.reset_metrics()
            self.scheduleDelayedItemsLayout()
        super().changeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter/Return activates the current meeting; arrows move the selection."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            meeting = self.current_meeting()
            if meeting is not None:
                self.meeting_activated.emit(meeting)
                event.accept()
                return
        super().keyPressEvent(event)

    def _on_self_double_clicked(self, index: QModelIndex) -> None:
        meeting = index.data(MeetingRole.MEETING)
        if isinstance(meeting, Meeting):
            self.meeting_activated.emit(meeting)

    def _on_selection_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        meeting = current.data(MeetingRole.MEETING) if current.isValid() else None
        self.current_meeting_changed.emit(meeting if isinstance(meeting, Meeting) else None)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint the rows, or a centred note when there is nothing to show."""
        model = self.model()
        if model is not None and model.rowCount() > 0:
            super().paintEvent(event)
            return
        painter = QPainter(self._canvas)
        palette = self.palette()
        colour = mix(palette.color(QPalette.ColorRole.Text),
                     palette.color(QPalette.ColorRole.Base), 0.45)
        title = self.empty_text
        filtered = title == self.FILTERED_EMPTY_TEXT
        hint = ("Try fewer words or clear the filters." if filtered
                else "Meetings of your accounts will show here.")
        font = self.font()
        big = QFont(font)
        big.setPointSizeF(font.pointSizeF() * 1.25)
        big.setBold(True)
        rect = self._canvas.rect()
        mid = rect.center().y()
        painter.setPen(colour)
        painter.setFont(big)
        painter.drawText(rect.adjusted(16, 0, -16, -rect.height() + mid - 4),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, title)
        painter.setFont(font)
        painter.drawText(rect.adjusted(16, mid + 4, -16, 0),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                         | Qt.TextFlag.TextWordWrap, hint)
        painter.end()

    @property
    def empty_text(self) -> str:
        """The note painted right now if the list is empty."""
        model = self.model()
        if isinstance(model, MeetingFilterProxy) and model.is_filtered():
            return self.FILTERED_EMPTY_TEXT
        return self.EMPTY_TEXT
