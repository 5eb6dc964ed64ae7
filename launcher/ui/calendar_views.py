"""Calendar-style browsing over the shared filter proxy: a month view and a week view."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QDate,
    QEvent,
    QObject,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QShowEvent,
    QTextLayout,
    QTextOption,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QCalendarWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from launcher.core.models import Meeting
from launcher.ui.delegate import NOW_COLOUR, format_duration, mix
from launcher.ui.icons import provider_colour
from launcher.ui.models import MeetingFilterProxy, MeetingListModel, end_day_text, meeting_key

_PAGE_KEYS = (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def _add_months(day: dt.date, months: int) -> dt.date:
    """Move *day* by whole months, clamping the day to the target month's length."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = (following - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _watch_model(proxy: MeetingFilterProxy, callback: Callable[[], None]) -> None:
    """Call *callback* whenever the rows shown by *proxy* may have changed."""
    proxy.modelReset.connect(callback)
    proxy.layoutChanged.connect(callback)
    proxy.rowsInserted.connect(callback)
    proxy.rowsRemoved.connect(callback)
    proxy.dataChanged.connect(callback)


class _FitLabel(QLabel):
    """A label showing the longest of its candidate texts that fits its width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._candidates: tuple[str, ...] = ("",)
        # The layout decides the width; the text adapts to it (never the other way).
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(0)

    def set_candidates(self, *texts: str) -> None:
        """Show the first of *texts* that fits, else the last one elided."""
        self._candidates = texts or ("",)
        self._fit()

    def full_text(self) -> str:
        """Return the longest candidate (what is shown when there is room)."""
        return self._candidates[0]

    def sizeHint(self) -> QSize:
        """As wide as the longest candidate."""
        hint = super().sizeHint()
        width = self.fontMetrics().horizontalAdvance(self._candidates[0]) + 4
        return QSize(width, hint.height())

    def minimumSizeHint(self) -> QSize:
        """As wide as the shortest candidate."""
        hint = super().minimumSizeHint()
        width = self.fontMetrics().horizontalAdvance(self._candidates[-1]) + 4
        return QSize(width, hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Pick the text for the new width."""
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        fm = self.fontMetrics()
        room = self.contentsRect().width()
        for text in self._candidates:
            if fm.horizontalAdvance(text) <= room:
                break
        else:
            text = fm.elidedText(self._candidates[-1], Qt.TextElideMode.ElideRight, room)
        if text != self.text():
            self.setText(text)


class _NavBar(QWidget):
    """Previous / title / next, and a Today button.

    The compact form (for a narrow sidebar) puts the title first and groups the arrows
    around a flat Today button on the right; the note is not shown there (its text goes
    into the title's tooltip).
    """

    previous_requested = Signal()
    next_requested = Signal()
    today_requested = Signal()

    def __init__(self, unit: str, key_hint: tuple[str, str], parent: QWidget | None = None,
                 *, compact: bool = False) -> None:
        super().__init__(parent)
        self._compact = compact
        self._note_text = ""
        self._note_tooltip = ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6 if not compact else 4, 4, 6 if not compact else 2, 4)
        layout.setSpacing(4 if not compact else 0)
        self.previous = QToolButton(self)
        self.previous.setArrowType(Qt.ArrowType.LeftArrow)
        self.previous.setAutoRaise(True)
        self.previous.setToolTip(f"Previous {unit} ({key_hint[0]})")
        self.previous.setAccessibleName(f"Previous {unit}")
        self.next = QToolButton(self)
        self.next.setArrowType(Qt.ArrowType.RightArrow)
        self.next.setAutoRaise(True)
        self.next.setToolTip(f"Next {unit} ({key_hint[1]})")
        self.next.setAccessibleName(f"Next {unit}")
        self.title = _FitLabel(self)
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * (1.05 if compact else 1.1))
        self.title.setFont(font)
        self.note = QLabel(self)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.today: QAbstractButton
        if compact:
            today = QToolButton(self)
            today.setText("Today")
            today.setAutoRaise(True)
            self.today = today
        else:
            self.today = QPushButton("Today", self)
        self.today.setToolTip("Go to today (T)")
        for button in (self.previous, self.next, self.today):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        if compact:
            self.note.setVisible(False)
            layout.addWidget(self.title, 1)
            layout.addSpacing(4)
            layout.addWidget(self.previous)
            layout.addWidget(self.today)
            layout.addWidget(self.next)
        else:
            layout.addWidget(self.previous)
            layout.addWidget(self.next)
            layout.addSpacing(6)
            layout.addWidget(self.title, 1)
            layout.addWidget(self.note)
            layout.addSpacing(6)
            layout.addWidget(self.today)
        self.previous.clicked.connect(self.previous_requested)
        self.next.clicked.connect(self.next_requested)
        self.today.clicked.connect(self.today_requested)

    def set_note(self, text: str, tooltip: str = "") -> None:
        """Show *text* beside the title where there is room, else in the title's tooltip."""
        self._note_text, self._note_tooltip = text, tooltip
        self._fit_note()

    def note_shown(self) -> bool:
        """Tell whether the note is shown beside the title (not only in its tooltip)."""
        return bool(self.note.text()) and not self.note.isHidden()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Decide again whether the note has room."""
        super().resizeEvent(event)
        self._fit_note()

    def _fit_note(self) -> None:
        # The title has priority: the note only shows when both fit whole.
        text = self._note_text
        shown = ""
        layout = self.layout()
        if text and not self._compact and layout is not None:
            margins = layout.contentsMargins()
            need = (margins.left() + margins.right() + 5 * layout.spacing() + 12
                    + sum(w.sizeHint().width() for w in (self.previous, self.next, self.today))
                    + self.title.fontMetrics().horizontalAdvance(self.title.full_text()) + 12
                    + self.note.fontMetrics().horizontalAdvance(text) + 4)
            shown = text if need <= self.width() else ""
        if self.note.text() != shown:
            self.note.setText(shown)
        self.note.setToolTip(self._note_tooltip if shown else "")
        hidden_note = text if text and not shown else ""
        self.title.setToolTip(f"{self.title.full_text()}\n{hidden_note}" if hidden_note else "")


# ====================================================================== month view
_DOT = 5.0  # diameter of a meeting marker dot in the month view
_DOT_GAP = 3.0
_MARK_DOTS = 3  # at most this many dots per day, then "+N"


class _MonthCalendar(QCalendarWidget):
    """A QCalendarWidget whose cells show today, the selection and meeting dots.

    Its table's rows are sized here: a short row of day names, then six equal rows of
    days, each tall enough for the number and a row of markers under it.
    """

    def __init__(self, owner: MonthView) -> None:
        super().__init__(owner)
        self._owner = owner
        self.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.setGridVisible(False)
        self.setNavigationBarVisible(False)
        self.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.setHorizontalHeaderFormat(QCalendarWidget.HorizontalHeaderFormat.ShortDayNames)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        # Day names small and calm, weekends alike (the default paints them red).
        palette = self.palette()
        weekday = self.weekdayTextFormat(Qt.DayOfWeek.Monday)
        weekday.setForeground(mix(palette.color(QPalette.ColorRole.Text),
                                  palette.color(QPalette.ColorRole.Base), 0.4))
        weekday.setFontPointSize(self.font().pointSizeF() * 0.85)
        for number in range(1, 8):
            self.setWeekdayTextFormat(Qt.DayOfWeek(number), weekday)
        self._table = self.findChild(QTableView)
        if self._table is not None:
            rows = self._table.verticalHeader()
            rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            rows.setMinimumSectionSize(1)

    def table(self) -> QTableView | None:
        """Return the table the days are painted in."""
        return self._table

    def header_height(self) -> int:
        """Height of the row of day names."""
        return self.fontMetrics().height() + 8

    def _frame(self) -> int:
        if self._table is None:
            return 0
        return 2 * self._table.frameWidth()

    def minimumSizeHint(self) -> QSize:
        """Seven narrow columns; six rows just tall enough for a number and its markers."""
        rows = self.header_height() + 6 * self._owner.min_cell_height() + self._frame()
        return QSize(7 * self._owner.min_cell_width(), rows)

    def sizeHint(self) -> QSize:
        """Give the rows a little more air than the minimum."""
        rows = self.header_height() + 6 * (self._owner.min_cell_height() + 6) + self._frame()
        return QSize(7 * (self._owner.min_cell_width() + 6), rows)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Size the rows for the new height."""
        super().resizeEvent(event)
        self.layout_rows()

    def layout_rows(self) -> None:
        """Give the day names a short row and share the rest among the six weeks."""
        # Computed from our own height (the table fills it: the navigation bar is off),
        # not from the table's viewport, whose resize may still be pending.
        if self._table is None:
            return
        rows = self._table.verticalHeader()
        if rows.count() < 7:
            return
        header = self.header_height()
        rest = max(0, self.height() - self._frame() - header)
        each, extra = divmod(rest, 6)
        rows.resizeSection(0, header)
        for row in range(1, 7):
            rows.resizeSection(row, each + (1 if row > 6 - extra else 0))

    def paintCell(self, painter: QPainter, rect: QRect, date: QDate | dt.date) -> None:
        """Paint the day number, a ring for today, the selection and meeting dots."""
        day = date if isinstance(date, dt.date) else _pydate(date)
        self._owner.paint_day(painter, rect, day)


class MonthView(QWidget):
    """A month calendar marking the days that have (shown) meetings.

    Each day shows its number with up to three provider-coloured dots under it (one per
    meeting, then "+N"). The header is compact to fit a sidebar: "November 2026", the
    arrows and Today; how many meetings have no fixed time is in the title's tooltip.

    Keys: arrows move the selected day, PageUp/PageDown go to the previous/next month,
    T goes to today, Enter picks the selected day. A click also picks a day.

    Signals:
        day_selected(date): the user picked a day (click, Enter, Today).
        meeting_selected(Meeting): not emitted by the month view (same interface as weeks).
        meeting_activated(Meeting): not emitted by the month view.
    """

    day_selected = Signal(object)
    meeting_selected = Signal(object)
    meeting_activated = Signal(object)

    def __init__(self, proxy: MeetingFilterProxy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._proxy = proxy
        self._marks: dict[dt.date, list[str]] | None = None
        self._counts: dict[dt.date, int] = {}
        self._nav = _NavBar("month", ("Page Up", "Page Down"), self, compact=True)
        self._calendar = _MonthCalendar(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self._nav)
        layout.addWidget(self._calendar, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setFocusProxy(self._calendar)
        self.setAccessibleName("Month")
        self._view = self._calendar.table()
        for watched in (self._calendar, self._view):
            if watched is not None:
                watched.installEventFilter(self)
        self._nav.previous_requested.connect(self._on_nav_previous_requested)
        self._nav.next_requested.connect(self._on_nav_next_requested)
        self._nav.today_requested.connect(self.today)
        self._calendar.clicked.connect(self._on_calendar_clicked)
        self._calendar.currentPageChanged.connect(self._on_calendar_current_page_changed)
        self._calendar.selectionChanged.connect(self._calendar.updateCells)
        _watch_model(proxy, self._on_proxy_changed)
        self._calendar.setSelectedDate(_qdate(self._today()))
        self._update_title()

    # ------------------------------------------------------------------ public API
    def calendar(self) -> QCalendarWidget:
        """Return the calendar widget (for styling and tests)."""
        return self._calendar

    def title_text(self) -> str:
        """Return the month's title as shown in the header ("November 2026")."""
        return self._nav.title.text()

    def selected_day(self) -> dt.date:
        """Return the selected day."""
        return _pydate(self._calendar.selectedDate())

    def set_day(self, day: dt.date) -> None:
        """Select *day* and show its month (does not emit ``day_selected``)."""
        self._calendar.setSelectedDate(_qdate(day))
        self._calendar.setCurrentPage(day.year, day.month)

    def today(self) -> None:
        """Go to today and pick it (the Today button and the T key)."""
        day = self._today()
        self.set_day(day)
        self.day_selected.emit(day)

    def marks(self) -> dict[dt.date, tuple[int, list[str]]]:
        """Return each marked day's number of shown meetings and its first few providers."""
        providers = self._ensure_marks()
        return {day: (self._counts[day], list(values)) for day, values in providers.items()}

    def min_cell_width(self) -> int:
        """Return the narrowest day cell that still fits "28" and three dots."""
        return max(28, QFontMetrics(self.font()).horizontalAdvance("28") + 14)

    def min_cell_height(self) -> int:
        """Return the shortest day cell: the number's disc, a gap and the marker row."""
        return self._disc_size() + 1 + self._marker_band() + 4

    def cell_geometry(self, rect: QRect | QRectF) -> tuple[QRectF, QRectF]:
        """Return where a day cell's number (its disc) and its marker row are drawn."""
        cell = QRectF(rect)
        band = float(self._marker_band())
        diameter = float(min(self._disc_size(), cell.width() - 4, cell.height() - band - 3))
        content = diameter + 1 + band
        top = cell.top() + max(1.0, (cell.height() - content) / 2)
        number = QRectF(cell.center().x() - diameter / 2, top, diameter, diameter)
        markers = QRectF(cell.left() + 1, number.bottom() + 1, cell.width() - 2, band)
        return number, markers

    def markers_for(self, day: dt.date, width: float) -> tuple[list[str], int]:
        """Return the providers whose dots fit in *width* for *day*, and how many are left.

        One dot per meeting up to three; when there are more, as many dots as fit beside
        the "+N" that counts the rest.
        """
        providers = self._ensure_marks().get(day, [])[:_MARK_DOTS]
        count = self._counts.get(day, 0)
        shown = len(providers)
        if count <= shown:
            return providers, 0
        fm = QFontMetrics(self._small_font())
        while shown > 1:
            more_w = fm.horizontalAdvance(f"+{count - shown}") + 2
            if shown * _DOT + (shown - 1) * _DOT_GAP + _DOT_GAP + more_w <= width:
                break
            shown -= 1
        return providers[:shown], count - shown

    # ------------------------------------------------------------------ data
    def _source(self) -> MeetingListModel | None:
        return self._proxy.source_model()

    def _today(self) -> dt.date:
        source = self._source()
        return source.today if source is not None else dt.date.today()

    def _ensure_marks(self) -> dict[dt.date, list[str]]:
        if self._marks is None:
            self._marks = self._proxy.day_providers()
            self._counts = self._proxy.day_counts()
        return self._marks

    def _on_proxy_changed(self, *args: Any) -> None:
        self._marks = None
        self._calendar.updateCells()
        self._update_title()

    # ------------------------------------------------------------------ painting
    def _small_font(self) -> QFont:
        small = QFont(self._calendar.font())
        small.setPointSizeF(max(small.pointSizeF() * 0.75, 6.5))
        return small

    def _disc_size(self) -> int:
        return QFontMetrics(self._calendar.font()).height() + 6

    def _marker_band(self) -> int:
        return max(int(_DOT) + 1, QFontMetrics(self._small_font()).height())

    def paint_day(self, painter: QPainter, rect: QRect, day: dt.date) -> None:
        """Paint one calendar cell (called by the calendar for every visible day)."""
        palette = self._calendar.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        in_month = day.month == self._calendar.monthShown()
        selected = day == self.selected_day()
        is_today = day == self._today()
        number_rect, marker_rect = self.cell_geometry(rect)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(rect, base if in_month or selected else mix(base, text, 0.03))
        font = QFont(self._calendar.font())
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(highlight)
            painter.drawEllipse(number_rect)
        elif is_today:
            pen = painter.pen()
            pen.setColor(mix(highlight, text, 0.15))
            pen.setWidthF(1.6)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(number_rect.adjusted(0.8, 0.8, -0.8, -0.8))
        if is_today:
            font.setBold(True)
        if selected:
            colour = palette.color(QPalette.ColorRole.HighlightedText)
        elif not in_month:
            colour = mix(text, base, 0.55)
        elif is_today:
            colour = mix(highlight, text, 0.3)
        else:
            colour = text
        painter.setFont(font)
        painter.setPen(colour)
        painter.drawText(number_rect, Qt.AlignmentFlag.AlignCenter, str(day.day))

        providers, more = self.markers_for(day, marker_rect.width())
        if providers:
            small = self._small_font()
            more_text = f"+{more}" if more else ""
            more_w = QFontMetrics(small).horizontalAdvance(more_text) + 2 if more else 0
            width = len(providers) * _DOT + (len(providers) - 1) * _DOT_GAP
            if more:
                width += _DOT_GAP + more_w
            x = marker_rect.center().x() - width / 2
            y = marker_rect.center().y() - _DOT / 2
            painter.setPen(Qt.PenStyle.NoPen)
            for provider in providers:
                dot_colour = provider_colour(provider)
                if not in_month:
                    dot_colour = mix(dot_colour, base, 0.5)
                painter.setBrush(dot_colour)
                painter.drawEllipse(QRectF(x, y, _DOT, _DOT))
                x += _DOT + _DOT_GAP
            if more:
                painter.setFont(small)
                painter.setPen(mix(text, base, 0.35 if in_month else 0.6))
                painter.drawText(QRectF(x - 1, marker_rect.top(), more_w + 2,
                                        marker_rect.height()),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                 more_text)
        painter.restore()

    # ------------------------------------------------------------------ keys and clicks
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Handle T, PageUp/PageDown and Enter before the calendar's own handling."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._handle_key(event)
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Handle the same keys when the view itself has focus."""
        if not self._handle_key(event):
            super().keyPressEvent(event)

    def _handle_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                      Qt.KeyboardModifier.KeypadModifier)
        if key == Qt.Key.Key_T and plain:
            self.today()
        elif key in _PAGE_KEYS and plain:
            step = -1 if key == Qt.Key.Key_PageUp else 1
            self.set_day(_add_months(self.selected_day(), step))
        elif key in _ENTER_KEYS:
            self.day_selected.emit(self.selected_day())
        else:
            return False
        event.accept()
        return True

    def _on_nav_previous_requested(self) -> None:
        self.set_day(_add_months(self.selected_day(), -1))

    def _on_nav_next_requested(self) -> None:
        self.set_day(_add_months(self.selected_day(), 1))

    def _on_calendar_clicked(self, date: QDate) -> None:
        self.day_selected.emit(_pydate(date))

    def _on_calendar_current_page_changed(self, year: int, month: int) -> None:
        selected = self.selected_day()
        if (selected.year, selected.month) != (year, month):
            self._calendar.setSelectedDate(
                _qdate(_add_months(selected, (year - selected.year) * 12 + month
                                   - selected.month)))
        self._update_title()

    def _update_title(self) -> None:
        shown = dt.date(self._calendar.yearShown(), self._calendar.monthShown(), 1)
        self._nav.title.set_candidates(f"{shown:%B} {shown.year}", f"{shown:%b} {shown.year}")
        timeless = self._proxy.timeless_count()
        self._nav.set_note(f"{timeless} without a fixed time (see the agenda)"
                           if timeless else "")


# ====================================================================== week view
_HOURS_SHOWN = 12  # 07:00–19:00 fills the view by default
_FIRST_HOUR = 7
_MIN_HOUR_HEIGHT = 40
_GUTTER = 54
_MIN_BLOCK_MINUTES = 22
_HEADER_HEIGHT = 46
_STRIP_PAD = 3  # above and below the rows of the all-day strip
_STRIP_ROWS = 3  # rows shown at once; more scroll with the wheel


@dataclasses.dataclass(slots=True)
class _Span:
    """One multi-day item in the all-day strip: a row spanning the days it covers."""

    meeting: Meeting
    key: str
    first: int  # first day column covered in the shown week (0 = Monday)
    last: int  # last day column covered
    before: bool  # it started before the shown week
    after: bool  # it goes on after the shown week
    row: int = 0


@dataclasses.dataclass(slots=True)
class _Block:
    """One meeting drawn in one day column (a meeting crossing midnight has two)."""

    meeting: Meeting
    key: str
    day: int  # 0 = Monday of the shown week
    top: float  # minutes since local midnight
    bottom: float
    column: int = 0
    columns: int = 1
    span: int = 1  # columns covered: it widens to the right over free columns


def _place_side_by_side(blocks: list[_Block]) -> None:
    """Give overlapping blocks of one day their own columns (greedy, per overlap cluster).

    A block then widens over the columns to its right that are free while it lasts, so a
    meeting overlapping others only in part is not left as narrow as the busiest moment.
    """
    blocks.sort(key=lambda b: (b.top, -b.bottom))
    cluster: list[_Block] = []
    column_ends: list[float] = []
    cluster_end = -1.0

    def bottom_of(block: _Block) -> float:
        return max(block.bottom, block.top + _MIN_BLOCK_MINUTES)

    def close() -> None:
        for member in cluster:
            member.columns = len(column_ends)
        for member in cluster:
            end = bottom_of(member)
            span = 1
            for column in range(member.column + 1, len(column_ends)):
                if any(other.column == column and other.top < end
                       and bottom_of(other) > member.top for other in cluster):
                    break
                span += 1
            member.span = span

    for block in blocks:
        visual_bottom = max(block.bottom, block.top + _MIN_BLOCK_MINUTES)
        if cluster and block.top >= cluster_end:
            close()
            cluster, column_ends = [], []
        for column, end in enumerate(column_ends):
            if end <= block.top:
                block.column = column
                column_ends[column] = visual_bottom
                break
        else:
            block.column = len(column_ends)
            column_ends.append(visual_bottom)
        cluster.append(block)
        cluster_end = max(cluster_end, visual_bottom) if len(cluster) > 1 else visual_bottom
    if cluster:
        close()


class _WeekHeader(QWidget):
    """Day names above the columns; a click picks that day."""

    def __init__(self, owner: WeekView) -> None:
        super().__init__(owner)
        self._owner = owner
        self.setFixedHeight(_HEADER_HEIGHT)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint "Mon 17" for each day, today's number in an accent disc."""
        painter = QPainter(self)
        self._owner.paint_header(painter, self.rect())
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Pick the clicked day."""
        day = self._owner.day_at_x(int(event.position().x()))
        if day is not None and event.button() == Qt.MouseButton.LeftButton:
            self._owner.pick_day(day)


class _WeekGrid(QWidget):
    """The scrolling hour grid with the meeting blocks."""

    def __init__(self, owner: WeekView) -> None:
        super().__init__()
        self._owner = owner
        self.setMouseTracking(True)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint hours, blocks and the "now" line."""
        painter = QPainter(self)
        self._owner.paint_grid(painter, self.rect(), event.rect())
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Select the block (or the day) under the pointer."""
        if event.button() == Qt.MouseButton.LeftButton:
            self._owner.click_at(event.position().toPoint())

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Activate the block under the pointer."""
        if event.button() == Qt.MouseButton.LeftButton:
            self._owner.double_click_at(event.position().toPoint())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Show a pointing hand over blocks and their title as a tooltip."""
        meeting = self._owner.meeting_at(event.position().toPoint())
        self.setCursor(Qt.CursorShape.PointingHandCursor if meeting is not None
                       else Qt.CursorShape.ArrowCursor)
        self.setToolTip(self._owner.block_tooltip(meeting) if meeting is not None else "")


class _WeekAllDay(QWidget):
    """The all-day strip above the hour grid: multi-day items as bars across their days."""

    def __init__(self, owner: WeekView) -> None:
        super().__init__(owner)
        self._owner = owner
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint the gutter label, the day columns and the bars."""
        painter = QPainter(self)
        self._owner.paint_strip(painter, self.rect())
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Select the item (or the day) under the pointer."""
        if event.button() == Qt.MouseButton.LeftButton:
            self._owner.strip_click_at(event.position().toPoint())

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Activate the item under the pointer."""
        if event.button() == Qt.MouseButton.LeftButton:
            self._owner.strip_double_click_at(event.position().toPoint())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Show a pointing hand over items and their details as a tooltip."""
        meeting = self._owner.span_meeting_at(event.position().toPoint())
        self.setCursor(Qt.CursorShape.PointingHandCursor if meeting is not None
                       else Qt.CursorShape.ArrowCursor)
        if meeting is not None:
            self.setToolTip(self._owner.block_tooltip(meeting))
        else:
            self.setToolTip(self._owner.strip_tooltip())

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Scroll the rows when there are more than fit."""
        steps = event.angleDelta().y()
        if steps and self._owner.scroll_strip(-1 if steps > 0 else 1):
            event.accept()
        else:
            event.ignore()


class WeekView(QWidget):
    """Seven day columns (Monday to Sunday) with meetings as blocks at their local times.

    Multi-day items (``MeetingListModel.is_multi_day``: a Whereby room open for a week, a
    meeting far into the next day) are not blocks in the hour grid, where they would cover
    every other meeting: they are bars in an all-day strip above it, one row each, across
    the days they cover.

    The first time it is shown (and after the data or the week changes, as long as the user
    has not scrolled), the grid scrolls so that the earliest meeting of the week is in view,
    with an hour of room above it; 07:00 when every meeting fits below that.

    Keys: Left/Right move the selected day, Up/Down select the previous/next item of that
    day (its all-day items first), PageUp/PageDown go to the previous/next week, T goes to
    today, Enter opens the selected meeting (or picks the day when none is selected).

    Signals:
        day_selected(date): the user picked a day (click on a day, Enter, Today).
        meeting_selected(Meeting): a block or bar was clicked or chosen with Up/Down.
        meeting_activated(Meeting): a block or bar was double-clicked, or Enter on it.
    """

    day_selected = Signal(object)
    meeting_selected = Signal(object)
    meeting_activated = Signal(object)

    def __init__(self, proxy: MeetingFilterProxy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._proxy = proxy
        self._day = self._today()
        self._selected_key: str | None = None
        self._blocks: list[_Block] | None = None
        self._spans: list[_Span] = []
        self._span_offset = 0  # first strip row shown
        self._hour_height = float(_MIN_HOUR_HEIGHT)
        self._scrolled_once = False
        # Scroll position set by the automatic scroll; while the bar is still there, the
        # user has not scrolled and the automatic scroll may run again.
        self._auto_value: int | None = None
        self._nav = _NavBar("week", ("Page Up", "Page Down"), self)
        self._header = _WeekHeader(self)
        self._strip = _WeekAllDay(self)
        self._strip.setVisible(False)
        self._grid = _WeekGrid(self)
        self._scroll = QScrollArea(self)
        self._scroll.setWidget(self._grid)
        self._scroll.setWidgetResizable(False)
        self._scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self._scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._scroll.viewport().installEventFilter(self)
        self._grid.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._grid.setBackgroundRole(QPalette.ColorRole.Base)
        self._grid.setAutoFillBackground(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._nav)
        # Header and strip end where the grid's scroll bar begins, so the columns line up.
        header_rows = QVBoxLayout()
        header_rows.setSpacing(0)
        header_rows.setContentsMargins(
            0, 0, self._scroll.verticalScrollBar().sizeHint().width(), 0)
        header_rows.addWidget(self._header)
        header_rows.addWidget(self._strip)
        layout.addLayout(header_rows)
        layout.addWidget(self._scroll, 1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Week")
        self._nav.previous_requested.connect(self._on_nav_previous_requested)
        self._nav.next_requested.connect(self._on_nav_next_requested)
        self._nav.today_requested.connect(self.today)
        _watch_model(proxy, self._on_proxy_changed)
        self._update_title()

    # ------------------------------------------------------------------ public API
    def grid(self) -> QWidget:
        """Return the widget blocks are painted on (:meth:`block_rect` positions are in it)."""
        return self._grid

    def selected_day(self) -> dt.date:
        """Return the selected day."""
        return self._day

    def week_start(self) -> dt.date:
        """Return Monday of the shown week."""
        return self._day - dt.timedelta(days=self._day.weekday())

    def selected_key(self) -> str | None:
        """Return the key of the selected meeting block, if any."""
        return self._selected_key

    def set_day(self, day: dt.date) -> None:
        """Select *day* and show its week (does not emit ``day_selected``)."""
        if day != self._day:
            old_week = self.week_start()
            self._day = day
            if self.week_start() != old_week:
                self._blocks = None
                self._selected_key = None
                self._span_offset = 0
                self._refresh_strip()
                self._auto_scroll_again()
            self._update_title()
            self._header.update()
            self._strip.update()
            self._grid.update()

    def today(self) -> None:
        """Go to today and pick it (the Today button and the T key)."""
        day = self._today()
        self.set_day(day)
        self.scroll_to_hour(max(0, min(self._now_hours() - 1, 24 - _HOURS_SHOWN)))
        self.day_selected.emit(day)

    def select_meeting(self, key: str | None) -> bool:
        """Highlight the block of the meeting with *key* and show its day; False if absent."""
        if key is None:
            self._selected_key = None
            self._strip.update()
            self._grid.update()
            return False
        index = self._proxy.index_of(key)
        if not index.isValid():
            return False
        meeting = self._proxy.meeting_at(index.row())
        source = self._source()
        if meeting.start is None or source is None:
            return False
        self.set_day(source.local(meeting.start).date())
        self._selected_key = key
        self._ensure_visible(key)
        self._strip.update()
        self._grid.update()
        return True

    def block_rect(self, key: str) -> QRect | None:
        """Return where the (first) block of *key*'s meeting is drawn, in grid coordinates.

        None for meetings not in the grid: hidden, in another week, or multi-day (those
        are in the all-day strip, see :meth:`span_rect`).
        """
        for block in self._ensure_blocks():
            if block.key == key:
                return self._rect_of(block).toAlignedRect()
        return None

    def meeting_at(self, pos: QPoint) -> Meeting | None:
        """Return the meeting whose block is at *pos* (grid coordinates), if any."""
        found = self._block_at(pos)
        return found.meeting if found is not None else None

    def all_day_strip(self) -> QWidget:
        """Return the all-day strip (:meth:`span_rect` positions are in it)."""
        return self._strip

    def span_keys(self) -> list[str]:
        """Return the keys of the shown week's multi-day items, in strip row order."""
        self._ensure_blocks()
        return [span.key for span in self._spans]

    def span_rect(self, key: str) -> QRect | None:
        """Return where *key*'s bar is drawn in the all-day strip (None if not in view)."""
        self._ensure_blocks()
        for span in self._spans:
            if span.key == key:
                rect = self._span_rect(span)
                return rect.toAlignedRect() if rect is not None else None
        return None

    def span_meeting_at(self, pos: QPoint) -> Meeting | None:
        """Return the multi-day item whose bar is at *pos* (strip coordinates), if any."""
        found = self._span_at(pos)
        return found.meeting if found is not None else None

    def strip_tooltip(self) -> str:
        """Return the all-day strip's own tooltip (what it holds, how to see the rest)."""
        self._ensure_blocks()
        hidden = len(self._spans) - _STRIP_ROWS
        text = "Meetings and rooms that last a day or more, across the days they cover."
        if hidden > 0:
            text += f"\n{len(self._spans)} this week: scroll with the wheel to see them all."
        return text

    def scroll_strip(self, rows: int) -> bool:
        """Scroll the all-day strip by *rows*; False if it cannot move that way."""
        self._ensure_blocks()
        hidden = max(0, len(self._spans) - _STRIP_ROWS)
        offset = max(0, min(self._span_offset + rows, hidden))
        if offset == self._span_offset:
            return False
        self._span_offset = offset
        self._strip.update()
        return True

    def day_at_x(self, x: int) -> dt.date | None:
        """Return the day whose column contains *x* (grid or header coordinates)."""
        width = self._day_width()
        if x < _GUTTER or width <= 0:
            return None
        column = int((x - _GUTTER) // width)
        if not 0 <= column < 7:
            return None
        return self.week_start() + dt.timedelta(days=column)

    def scroll_to_hour(self, hour: float) -> None:
        """Scroll so that *hour* is at the top of the visible grid (its label readable)."""
        self._scroll.verticalScrollBar().setValue(max(0, int(hour * self._hour_height) - 8))

    def top_hour(self) -> float:
        """Return the hour shown at the top of the visible grid."""
        return (self._scroll.verticalScrollBar().value() + 8) / self._hour_height

    def first_hour(self) -> float:
        """Return the hour the grid starts at when shown: see the class docstring."""
        tops = [block.top for block in self._ensure_blocks()]
        if not tops:
            return float(_FIRST_HOUR)
        earliest = min(tops) / 60
        visible = self._scroll.viewport().height() / self._hour_height
        if _FIRST_HOUR + 0.5 <= earliest <= _FIRST_HOUR + visible - 1.5:
            return float(_FIRST_HOUR)
        # About an hour of room above it, from a whole hour (its label shows).
        return float(max(0, min(int(earliest - 0.75), 24 - int(visible))))

    def _auto_scroll(self) -> None:
        self.scroll_to_hour(self.first_hour())
        self._auto_value = self._scroll.verticalScrollBar().value()

    def _auto_scroll_again(self) -> None:
        """Scroll to the week's first meeting again unless the user scrolled meanwhile."""
        # A hidden view catches up in showEvent (through _layout_grid).
        if self._scrolled_once and self.isVisible() and self._following_auto():
            self._auto_scroll()

    def _following_auto(self) -> bool:
        return self._auto_value == self._scroll.verticalScrollBar().value()

    def hour_height(self) -> float:
        """Return the height of one hour in pixels."""
        return self._hour_height

    def sizeHint(self) -> QSize:
        """Room for seven readable columns and the hours 07:00–19:00."""
        return QSize(760, _HEADER_HEIGHT + 48 + _HOURS_SHOWN * 48)

    # ------------------------------------------------------------------ data
    def _source(self) -> MeetingListModel | None:
        return self._proxy.source_model()

    def _today(self) -> dt.date:
        source = self._source()
        return source.today if source is not None else dt.date.today()

    def _now_hours(self) -> float:
        source = self._source()
        if source is None:
            return float(_FIRST_HOUR)
        local = source.local(source.now)
        return local.hour + local.minute / 60

    def _on_proxy_changed(self, *args: Any) -> None:
        self._blocks = None
        self._refresh_strip()
        self._auto_scroll_again()
        self._update_title()
        self._header.update()
        self._strip.update()
        self._grid.update()

    def _refresh_strip(self) -> None:
        """Size the all-day strip for the shown week's items (hidden when there are none)."""
        if not self.isVisible():
            return  # showEvent does it: no work for a hidden view on every reload or tick
        self._ensure_blocks()
        rows = min(len(self._spans), _STRIP_ROWS)
        self._span_offset = max(0, min(self._span_offset, len(self._spans) - rows))
        self._strip.setFixedHeight(2 * _STRIP_PAD + rows * self._span_row_height() + 1)
        self._strip.setVisible(rows > 0)

    def _span_row_height(self) -> int:
        return QFontMetrics(self._span_font()).height() + 8

    def _span_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(self.font().pointSizeF() * 0.9)
        return font

    def _ensure_blocks(self) -> list[_Block]:
        if self._blocks is not None:
            return self._blocks
        source = self._source()
        blocks: list[_Block] = []
        spans: list[_Span] = []
        if source is not None:
            first = self.week_start()
            starts = [source.day_start(first + dt.timedelta(days=i)) for i in range(8)]
            per_day: list[list[_Block]] = [[] for _ in range(7)]
            for meeting in self._proxy.meetings_between(starts[0], starts[7]):
                assert meeting.start is not None
                end = meeting.end if meeting.end is not None and meeting.end > meeting.start \
                    else meeting.start + dt.timedelta(minutes=30)
                key = meeting_key(meeting)
                if source.is_multi_day(meeting):
                    covered = [day for day in range(7)
                               if meeting.start < starts[day + 1] and end > starts[day]]
                    if covered:
                        spans.append(_Span(meeting, key, covered[0], covered[-1],
                                           meeting.start < starts[0], end > starts[7],
                                           len(spans)))
                    continue
                for day in range(7):
                    lo, hi = max(meeting.start, starts[day]), min(end, starts[day + 1])
                    if lo >= hi:
                        continue
                    top = (lo - starts[day]).total_seconds() / 60
                    bottom = (hi - starts[day]).total_seconds() / 60
                    per_day[day].append(_Block(meeting, key, day, top, min(bottom, 24 * 60)))
            for day_blocks in per_day:
                _place_side_by_side(day_blocks)
                blocks.extend(day_blocks)
        self._blocks = blocks
        self._spans = spans
        return blocks

    # ------------------------------------------------------------------ geometry
    def _day_width(self) -> float:
        return max(0.0, (self._grid.width() - _GUTTER) / 7)

    def _rect_of(self, block: _Block) -> QRectF:
        width = self._day_width()
        column_width = width / block.columns
        left = _GUTTER + block.day * width + block.column * column_width
        top = block.top * self._hour_height / 60
        bottom = max(block.bottom, block.top + _MIN_BLOCK_MINUTES) * self._hour_height / 60
        return QRectF(left + 2, top + 1, column_width * block.span - 4, bottom - top - 2)

    def _span_rect(self, span: _Span) -> QRectF | None:
        """Where *span*'s bar is in the strip; None when its row is scrolled out of view."""
        visible = span.row - self._span_offset
        if not 0 <= visible < _STRIP_ROWS:
            return None
        width = max(0.0, (self._strip.width() - _GUTTER) / 7)
        row_h = self._span_row_height()
        left = _GUTTER + span.first * width + (0 if span.before else 2)
        right = _GUTTER + (span.last + 1) * width - (0 if span.after else 2)
        top = _STRIP_PAD + visible * row_h + 1
        return QRectF(left, top, right - left, row_h - 2)

    def _span_at(self, pos: QPoint) -> _Span | None:
        self._ensure_blocks()
        point = QPointF(pos)
        for span in self._spans:
            rect = self._span_rect(span)
            if rect is not None and rect.contains(point):
                return span
        return None

    def _block_at(self, pos: QPoint) -> _Block | None:
        point = QPointF(pos)
        # Later blocks are painted on top: hit-test them first.
        for block in reversed(self._ensure_blocks()):
            if self._rect_of(block).contains(point):
                return block
        return None

    def _ensure_visible(self, key: str) -> None:
        self._ensure_blocks()
        for span in self._spans:
            if span.key == key:
                if span.row < self._span_offset:
                    self._span_offset = span.row
                elif span.row >= self._span_offset + _STRIP_ROWS:
                    self._span_offset = span.row - _STRIP_ROWS + 1
                self._strip.update()
                return
        rect = self.block_rect(key)
        if rect is not None:
            self._scroll.ensureVisible(rect.center().x(), rect.top(), 0, 40)

    def _layout_grid(self) -> None:
        viewport = self._scroll.viewport()
        hour = max(float(_MIN_HOUR_HEIGHT), viewport.height() / _HOURS_SHOWN)
        following = self._following_auto()
        top_hour = self.top_hour()
        self._hour_height = hour
        self._grid.resize(viewport.width(), int(24 * hour) + 1)
        if self._scrolled_once:
            if following:
                self._auto_scroll()
            else:
                self.scroll_to_hour(top_hour)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Keep the grid as wide as the viewport and the hour height readable."""
        if watched is self._scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._layout_grid()
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Relayout the grid."""
        super().resizeEvent(event)
        self._layout_grid()

    def showEvent(self, event: QShowEvent) -> None:
        """Scroll to the week's first meeting (or 07:00) the first time the view is shown."""
        super().showEvent(event)
        self._refresh_strip()
        self._layout_grid()
        if not self._scrolled_once:
            self._scrolled_once = True
            self._auto_scroll()

    # ------------------------------------------------------------------ painting
    def _colours(self) -> tuple[QColor, QColor, QColor]:
        palette = self.palette()
        return (palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text),
                palette.color(QPalette.ColorRole.Highlight))

    def paint_header(self, painter: QPainter, rect: QRect) -> None:
        """Paint the day names row."""
        base, text, highlight = self._colours()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(rect, base)
        width = max(0.0, (rect.width() - _GUTTER) / 7)
        today = self._today()
        font = QFont(self.font())
        small = QFont(font)
        small.setPointSizeF(font.pointSizeF() * 0.85)
        big = QFont(font)
        big.setPointSizeF(font.pointSizeF() * 1.35)
        for column in range(7):
            day = self.week_start() + dt.timedelta(days=column)
            cell = QRectF(_GUTTER + column * width, rect.top(), width, rect.height())
            is_today = day == today
            if day == self._day:
                painter.fillRect(cell, mix(base, highlight, 0.08))
            painter.setFont(small)
            painter.setPen(mix(highlight, text, 0.3) if is_today else mix(text, base, 0.4))
            painter.drawText(cell.adjusted(0, 3, 0, -rect.height() / 2),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                             f"{day:%a}")
            number_rect = QRectF(cell.center().x() - 14, cell.top() + rect.height() / 2 - 1,
                                 28, 24)
            if is_today:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(highlight)
                painter.drawRoundedRect(number_rect, 12, 12)
                painter.setPen(self.palette().color(QPalette.ColorRole.HighlightedText))
            else:
                painter.setPen(text)
            big.setBold(is_today or day == self._day)
            painter.setFont(big)
            painter.drawText(number_rect, Qt.AlignmentFlag.AlignCenter, str(day.day))
        painter.setFont(small)
        painter.setPen(mix(text, base, 0.45))
        week = self.week_start().isocalendar().week
        painter.drawText(QRectF(0, rect.top(), _GUTTER - 8, rect.height() - 6),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom, f"W{week}")
        painter.setPen(mix(base, text, 0.18))
        painter.drawLine(rect.left(), rect.bottom(), rect.right(), rect.bottom())

    def paint_grid(self, painter: QPainter, rect: QRect, dirty: QRect) -> None:
        """Paint hour lines and labels, day columns, blocks and the "now" line."""
        base, text, highlight = self._colours()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(dirty, base)
        width = self._day_width()
        hour_h = self._hour_height
        line = mix(base, text, 0.12)
        faint = mix(base, text, 0.06)
        today = self._today()
        first = self.week_start()
        # Day columns: the selected one tinted, weekends faintly shaded.
        for column in range(7):
            day = first + dt.timedelta(days=column)
            cell = QRectF(_GUTTER + column * width, rect.top(), width, rect.height())
            if day == self._day:
                painter.fillRect(cell, mix(base, highlight, 0.06))
            elif column >= 5:
                painter.fillRect(cell, mix(base, text, 0.025))
        small = QFont(self.font())
        small.setPointSizeF(self.font().pointSizeF() * 0.85)
        painter.setFont(small)
        for hour in range(25):
            y = round(hour * hour_h) + 0.5
            painter.setPen(line)
            painter.drawLine(QPointF(_GUTTER - 4, y), QPointF(rect.width(), y))
            if 0 < hour < 24:
                painter.setPen(mix(text, base, 0.45))
                painter.drawText(QRectF(0, y - 9, _GUTTER - 8, 18),
                                 Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                                 f"{hour:02d}:00")
            if hour < 24:
                half = round((hour + 0.5) * hour_h) + 0.5
                painter.setPen(faint)
                painter.drawLine(QPointF(_GUTTER, half), QPointF(rect.width(), half))
        painter.setPen(line)
        for column in range(8):
            x = round(_GUTTER + column * width) + 0.5
            painter.drawLine(QPointF(x, 0), QPointF(x, rect.height()))

        for block in self._ensure_blocks():
            block_rect = self._rect_of(block)
            if block_rect.intersects(QRectF(dirty)):
                self._paint_block(painter, block, block_rect)

        if first <= today < first + dt.timedelta(days=7):
            column = (today - first).days
            y = self._now_hours() * hour_h
            x0 = _GUTTER + column * width
            pen = painter.pen()
            pen.setColor(NOW_COLOUR)
            pen.setWidthF(2.0)
            painter.setPen(pen)
            painter.drawLine(QPointF(x0, y), QPointF(x0 + width, y))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(NOW_COLOUR)
            painter.drawEllipse(QRectF(x0 - 4, y - 4, 8, 8))

    def _paint_block(self, painter: QPainter, block: _Block, rect: QRectF) -> None:
        base, text, _highlight = self._colours()
        colour = provider_colour(block.meeting.provider)
        selected = block.key == self._selected_key
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour if selected else mix(base, colour, 0.16))
        painter.drawRoundedRect(rect, 4, 4)
        painter.setBrush(colour)
        painter.drawRoundedRect(QRectF(rect.left(), rect.top(), 3.5, rect.height()), 1.5, 1.5)
        if selected:
            pen = painter.pen()
            pen.setColor(mix(colour, text, 0.4))
            pen.setWidthF(1.0)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 4, 4)
        fg = QColor("#ffffff") if selected else mix(text, colour, 0.25)
        inner = rect.adjusted(7, 2, -3, -2)
        painter.setClipRect(rect)
        title_font = QFont(self.font())
        title_font.setPointSizeF(self.font().pointSizeF() * 0.9)
        title_font.setBold(True)
        small = QFont(self.font())
        small.setPointSizeF(self.font().pointSizeF() * 0.82)
        title_fm, small_fm = QFontMetrics(title_font), QFontMetrics(small)
        source = self._source()
        start = block.meeting.start
        assert start is not None
        time_text = f"{source.local(start):%H:%M}" if source is not None else ""
        title = block.meeting.title or "(untitled)"
        if inner.height() < title_fm.height() + small_fm.height():
            # Short block: "09:00 Title" on one line.
            painter.setFont(title_font)
            painter.setPen(fg)
            label = f"{time_text} {title}"
            painter.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                             title_fm.elidedText(label, Qt.TextElideMode.ElideRight,
                                                 int(inner.width())))
        else:
            # The time line only as far as it is readable: the range, the start, or none
            # (a cut "08:…" says nothing; the title gets the room instead).
            width = int(inner.width())
            time_line = next((candidate for candidate in
                              (time_text + _range_end(block, source), time_text)
                              if candidate and small_fm.horizontalAdvance(candidate) <= width),
                             "")
            time_h = small_fm.height() if time_line else 0
            lines = max(1, int((inner.height() - time_h) // title_fm.height()))
            wrapped = _wrapped(title, title_font, width, lines)
            painter.setFont(title_font)
            painter.setPen(fg)
            title_rect = QRectF(inner.left(), inner.top(), inner.width(),
                                len(wrapped) * title_fm.height())
            painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                             "\n".join(wrapped))
            if time_line:
                painter.setFont(small)
                painter.setPen(mix(fg, base if not selected else colour, 0.25))
                time_rect = QRectF(inner.left(), title_rect.bottom(), inner.width(), time_h)
                painter.drawText(time_rect,
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                                 time_line)
        painter.restore()

    def paint_strip(self, painter: QPainter, rect: QRect) -> None:
        """Paint the all-day strip: "All day" in the gutter, day columns and the bars."""
        base, text, highlight = self._colours()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(rect, base)
        self._ensure_blocks()
        width = max(0.0, (rect.width() - _GUTTER) / 7)
        first = self.week_start()
        for column in range(7):
            day = first + dt.timedelta(days=column)
            cell = QRectF(_GUTTER + column * width, rect.top(), width, rect.height())
            if day == self._day:
                painter.fillRect(cell, mix(base, highlight, 0.06))
            elif column >= 5:
                painter.fillRect(cell, mix(base, text, 0.025))
        line = mix(base, text, 0.12)
        painter.setPen(line)
        for column in range(8):
            x = round(_GUTTER + column * width) + 0.5
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
        small = QFont(self.font())
        small.setPointSizeF(self.font().pointSizeF() * 0.8)
        painter.setFont(small)
        painter.setPen(mix(text, base, 0.45))
        row_h = self._span_row_height()
        label = QRectF(0, _STRIP_PAD, _GUTTER - 8, row_h)
        painter.drawText(label, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         "all day")
        hidden = len(self._spans) - _STRIP_ROWS
        if hidden > 0:
            # Say there is more, and which way: the wheel scrolls the rows.
            above, below = self._span_offset, hidden - self._span_offset
            arrows = ("▴" if above else "") + ("▾" if below else "")
            painter.drawText(QRectF(0, rect.bottom() - _STRIP_PAD - row_h, _GUTTER - 8, row_h),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"{arrows} +{hidden}")
        for span in self._spans:
            span_rect = self._span_rect(span)
            if span_rect is not None:
                self._paint_span(painter, span, span_rect)
        painter.setPen(mix(base, text, 0.18))
        painter.drawLine(rect.left(), rect.bottom(), rect.right(), rect.bottom())

    def _paint_span(self, painter: QPainter, span: _Span, rect: QRectF) -> None:
        base, text, _highlight = self._colours()
        colour = provider_colour(span.meeting.provider)
        selected = span.key == self._selected_key
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour if selected else mix(base, colour, 0.16))
        painter.drawRoundedRect(rect, 4, 4)
        if not span.before:
            painter.setBrush(colour)
            painter.drawRoundedRect(QRectF(rect.left(), rect.top(), 3.5, rect.height()),
                                    1.5, 1.5)
        fg = QColor("#ffffff") if selected else mix(text, colour, 0.25)
        dim = mix(fg, colour if selected else base, 0.3)
        painter.setClipRect(rect)
        font = self._span_font()
        bold = QFont(font)
        bold.setBold(True)
        bold_fm, fm = QFontMetrics(bold), QFontMetrics(font)
        inner = rect.adjusted(8 if not span.before else 4, 0, -4, 0)
        title = span.meeting.title or "(untitled)"
        if span.before:
            title = f"◂ {title}"
        if span.after:
            # It goes on next week: say so at the right edge, whatever else fits.
            painter.setFont(bold)
            painter.setPen(fg)
            painter.drawText(inner, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             "▸")
            inner.setRight(inner.right() - bold_fm.horizontalAdvance("▸") - 4)
        when = self._span_when(span)
        when_w = fm.horizontalAdvance(when) if when else 0
        title_w = bold_fm.horizontalAdvance(title)
        # The title comes first; the time range only where there is room for it.
        room = int(inner.width())
        show_when = bool(when) and title_w + 12 + when_w <= room
        title_room = room - (when_w + 12 if show_when else 0)
        painter.setFont(bold)
        painter.setPen(fg)
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(inner, align,
                         bold_fm.elidedText(title, Qt.TextElideMode.ElideRight, title_room))
        if show_when:
            painter.setFont(font)
            painter.setPen(dim)
            painter.drawText(inner, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             when)
        painter.restore()

    def _span_when(self, span: _Span) -> str:
        """Say when a multi-day item runs: "04:57 – Sat 28 Nov"."""
        source = self._source()
        meeting = span.meeting
        if source is None or meeting.start is None or meeting.end is None:
            return ""
        start, end = source.local(meeting.start), source.local(meeting.end)
        starts = f"{start:%H:%M}" if not span.before else f"{start:%a} {start.day} {start:%b}"
        return f"{starts} – {end_day_text(start, end)}"

    def block_tooltip(self, meeting: Meeting) -> str:
        """Return the tooltip of a block or bar: title, time, provider and account."""
        source = self._source()
        lines = [meeting.title]
        if meeting.start is not None and source is not None:
            start = source.local(meeting.start)
            span = f"{start:%a %d %b, %H:%M}"
            if meeting.end is not None and meeting.end > meeting.start:
                end = source.local(meeting.end)
                span += f" – {end:%a %d %b, %H:%M}" if end.date() != start.date() \
                    else f" – {end:%H:%M}"
                span += f" ({format_duration(meeting.start, meeting.end)})"
            lines.append(span)
        lines.append(f"{meeting.provider.label} · {meeting.account}")
        return "\n".join(lines)

    # ------------------------------------------------------------------ input
    def pick_day(self, day: dt.date) -> None:
        """Select *day* as if the user clicked it, and say so."""
        self.set_day(day)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.day_selected.emit(day)

    def click_at(self, pos: QPoint) -> None:
        """Select the block at *pos* (grid coordinates), or the day there."""
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        block = self._block_at(pos)
        if block is not None:
            self._select_block(block)
            return
        day = self.day_at_x(pos.x())
        if day is not None:
            self._selected_key = None
            self.pick_day(day)
            self._grid.update()

    def double_click_at(self, pos: QPoint) -> None:
        """Activate the block at *pos* (grid coordinates)."""
        block = self._block_at(pos)
        if block is not None:
            self.meeting_activated.emit(block.meeting)

    def strip_click_at(self, pos: QPoint) -> None:
        """Select the multi-day item at *pos* (strip coordinates), or the day there."""
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        span = self._span_at(pos)
        if span is not None:
            # Keep the picked day when it is one the item covers.
            column = self.day_at_x(pos.x())
            self._select_item(span, column)
            return
        day = self.day_at_x(pos.x())
        if day is not None:
            self._selected_key = None
            self.pick_day(day)
            self._strip.update()
            self._grid.update()

    def strip_double_click_at(self, pos: QPoint) -> None:
        """Activate the multi-day item at *pos* (strip coordinates)."""
        span = self._span_at(pos)
        if span is not None:
            self.meeting_activated.emit(span.meeting)

    def _select_block(self, block: _Block) -> None:
        self._select_item(block, self.week_start() + dt.timedelta(days=block.day))

    def _select_item(self, item: _Block | _Span, day: dt.date | None) -> None:
        if isinstance(item, _Span):
            first = self.week_start()
            covered = (first + dt.timedelta(days=item.first),
                       first + dt.timedelta(days=item.last))
            if day is None or not covered[0] <= day <= covered[1]:
                day = self._day if covered[0] <= self._day <= covered[1] else covered[0]
        assert day is not None
        self._selected_key = item.key
        self.set_day(day)
        self._strip.update()
        self._grid.update()
        self.meeting_selected.emit(item.meeting)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Arrows, PageUp/PageDown, T and Enter (see the class docstring)."""
        key = event.key()
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                      Qt.KeyboardModifier.KeypadModifier)
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and plain:
            self._selected_key = None
            self.set_day(self._day + dt.timedelta(days=-1 if key == Qt.Key.Key_Left else 1))
            self._strip.update()
            self._grid.update()
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and plain:
            self._step_block(-1 if key == Qt.Key.Key_Up else 1)
        elif key in _PAGE_KEYS and plain:
            self.set_day(self._day + dt.timedelta(days=-7 if key == Qt.Key.Key_PageUp else 7))
        elif key == Qt.Key.Key_T and plain:
            self.today()
        elif key in _ENTER_KEYS:
            block = self._selected_block()
            if block is not None:
                self.meeting_activated.emit(block.meeting)
            else:
                self.day_selected.emit(self._day)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _selected_block(self) -> _Block | _Span | None:
        for block in self._ensure_blocks():
            if block.key == self._selected_key:
                return block
        for span in self._spans:
            if span.key == self._selected_key:
                return span
        return None

    def _step_block(self, step: int) -> None:
        column = (self._day - self.week_start()).days
        blocks = self._ensure_blocks()
        day_blocks = sorted((b for b in blocks if b.day == column),
                            key=lambda b: (b.top, b.column))
        items: list[_Block | _Span] = [s for s in self._spans if s.first <= column <= s.last]
        items.extend(day_blocks)
        if not items:
            return
        keys = [item.key for item in items]
        if self._selected_key in keys:
            position = keys.index(self._selected_key) + step
        else:
            position = 0 if step > 0 else len(keys) - 1
        position = max(0, min(position, len(keys) - 1))
        item = items[position]
        self._select_item(item, self._day)
        self._ensure_visible(item.key)

    def _on_nav_previous_requested(self) -> None:
        self.set_day(self._day - dt.timedelta(days=7))

    def _on_nav_next_requested(self) -> None:
        self.set_day(self._day + dt.timedelta(days=7))

    def _update_title(self) -> None:
        first = self.week_start()
        last = first + dt.timedelta(days=6)
        titles: tuple[str, ...]
        if first.month == last.month:
            titles = (f"{first.day} – {last.day} {last:%B} {last.year}",
                      f"{first.day} – {last.day} {last:%b} {last.year}",
                      f"{first.day} – {last.day} {last:%b}")
        elif first.year == last.year:
            titles = (f"{first.day} {first:%b} – {last.day} {last:%b} {last.year}",
                      f"{first.day} {first:%b} – {last.day} {last:%b}")
        else:
            titles = (f"{first.day} {first:%b} {first.year} – {last.day} {last:%b} {last.year}",
                      f"{first.day} {first:%b} – {last.day} {last:%b}")
        self._nav.title.set_candidates(*titles)
        timeless = self._proxy.timeless_count()
        self._nav.set_note(f"{timeless} without a fixed time" if timeless else "",
                           "Meeting spaces with no fixed time are listed in the agenda."
                           if timeless else "")


def _range_end(block: _Block, source: MeetingListModel | None) -> str:
    meeting = block.meeting
    if source is None or meeting.end is None or meeting.start is None:
        return ""
    if meeting.end <= meeting.start:
        return ""
    return f" – {source.local(meeting.end):%H:%M}"


def _wrapped(text: str, font: QFont, width: int, lines: int) -> list[str]:
    """Wrap *text* into at most *lines* lines of *width*, eliding the last one.

    Lines break between words only; a word wider than the line stays whole and is cut by
    the block's edge when painted (a narrow block reads "Desig|" rather than "De…" or a
    word broken in two).
    """
    if width <= 0 or lines <= 0 or not text:
        return []
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    out: list[str] = []
    end = 0
    layout.beginLayout()
    while len(out) < lines:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        start, end = line.textStart(), line.textStart() + line.textLength()
        out.append(text[start:end].strip())
    layout.endLayout()
    if end < len(text) and out:
        rest = f"{out[-1]} {text[end:].strip()}"
        fm = QFontMetrics(font)
        elided = fm.elidedText(rest, Qt.TextElideMode.ElideRight, width)
        # A lone "…" (or one letter and "…") says less than the cut word it replaces.
        if len(elided) > 2 or fm.horizontalAdvance(out[-1]) <= width:
            out[-1] = elided
    return out
