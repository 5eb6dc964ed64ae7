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
)
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
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
from launcher.ui.models import MeetingFilterProxy, MeetingListModel, meeting_key

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


class _NavBar(QWidget):
    """Previous / title / next, and a Today button."""

    previous_requested = Signal()
    next_requested = Signal()
    today_requested = Signal()

    def __init__(self, unit: str, key_hint: tuple[str, str], parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
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
        self.title = QLabel(self)
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.note = QLabel(self)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.today = QPushButton("Today", self)
        self.today.setToolTip("Go to today (T)")
        for button in (self.previous, self.next, self.today):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
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


# ====================================================================== month view
class _MonthCalendar(QCalendarWidget):
    """A QCalendarWidget whose cells show today, the selection and meeting dots."""

    def __init__(self, owner: MonthView) -> None:
        super().__init__(owner)
        self._owner = owner
        self.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.setGridVisible(False)
        self.setNavigationBarVisible(False)
        self.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.setHorizontalHeaderFormat(QCalendarWidget.HorizontalHeaderFormat.ShortDayNames)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        # Weekend day names in the same calm colour as weekdays (the default is red).
        weekday = self.weekdayTextFormat(Qt.DayOfWeek.Monday)
        for day in (Qt.DayOfWeek.Saturday, Qt.DayOfWeek.Sunday):
            self.setWeekdayTextFormat(day, weekday)

    def paintCell(self, painter: QPainter, rect: QRect, date: QDate | dt.date) -> None:
        """Paint the day number, a ring for today, the selection and meeting dots."""
        day = date if isinstance(date, dt.date) else _pydate(date)
        self._owner.paint_day(painter, rect, day)


class MonthView(QWidget):
    """A month calendar marking the days that have (shown) meetings.

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
        self._nav = _NavBar("month", ("Page Up", "Page Down"), self)
        self._calendar = _MonthCalendar(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._nav)
        layout.addWidget(self._calendar, 1)
        self.setFocusProxy(self._calendar)
        self.setAccessibleName("Month")
        self._view = self._calendar.findChild(QTableView)
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
    def paint_day(self, painter: QPainter, rect: QRect, day: dt.date) -> None:
        """Paint one calendar cell (called by the calendar for every visible day)."""
        palette = self._calendar.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        in_month = day.month == self._calendar.monthShown()
        selected = day == self.selected_day()
        is_today = day == self._today()
        marks = self._ensure_marks().get(day, [])
        count = self._counts.get(day, 0)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(rect, base if in_month or selected else mix(base, text, 0.03))
        font = QFont(self._calendar.font())
        fm = QFontMetrics(font)
        diameter = min(fm.height() + 10, rect.width() - 4, rect.height() - 12)
        number_rect = QRectF(rect.center().x() - diameter / 2 + 0.5,
                             rect.top() + max(3, (rect.height() - diameter - 10) / 2),
                             diameter, diameter)
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

        if count:
            dot = 6.0
            gap = 3.0
            shown = marks[:3]
            more = count - len(shown)
            small = QFont(font)
            small.setBold(False)
            small.setPointSizeF(max(font.pointSizeF() * 0.75, 6.5))
            more_text = f"+{more}" if more > 0 else ""
            more_w = QFontMetrics(small).horizontalAdvance(more_text) + 2 if more_text else 0
            width = len(shown) * dot + (len(shown) - 1) * gap + more_w
            x = rect.center().x() + 0.5 - width / 2
            y = number_rect.bottom() + 3
            painter.setPen(Qt.PenStyle.NoPen)
            for provider in shown:
                colour = provider_colour(provider)
                if not in_month:
                    colour = mix(colour, base, 0.5)
                painter.setBrush(colour)
                painter.drawEllipse(QRectF(x, y, dot, dot))
                x += dot + gap
            if more_text:
                painter.setFont(small)
                painter.setPen(mix(text, base, 0.35))
                painter.drawText(QRectF(x - 1, y - 4, more_w + 2, dot + 8),
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
        self._nav.title.setText(f"{shown:%B} {shown.year}")
        timeless = self._proxy.timeless_count()
        self._nav.note.setText(f"{timeless} without a fixed time" if timeless else "")


# ====================================================================== week view
_HOURS_SHOWN = 12  # 07:00–19:00 fills the view by default
_FIRST_HOUR = 7
_MIN_HOUR_HEIGHT = 40
_GUTTER = 54
_MIN_BLOCK_MINUTES = 22
_HEADER_HEIGHT = 46


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


def _place_side_by_side(blocks: list[_Block]) -> None:
    """Give overlapping blocks of one day their own columns (greedy, per overlap cluster)."""
    blocks.sort(key=lambda b: (b.top, -b.bottom))
    cluster: list[_Block] = []
    column_ends: list[float] = []
    cluster_end = -1.0

    def close() -> None:
        for member in cluster:
            member.columns = len(column_ends)

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


class WeekView(QWidget):
    """Seven day columns (Monday to Sunday) with meetings as blocks at their local times.

    Keys: Left/Right move the selected day, Up/Down select the previous/next meeting of
    that day, PageUp/PageDown go to the previous/next week, T goes to today, Enter opens
    the selected meeting (or picks the day when none is selected).

    Signals:
        day_selected(date): the user picked a day (click on a day, Enter, Today).
        meeting_selected(Meeting): a block was clicked or chosen with Up/Down.
        meeting_activated(Meeting): a block was double-clicked, or Enter on the selection.
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
        self._hour_height = float(_MIN_HOUR_HEIGHT)
        self._scrolled_once = False
        self._nav = _NavBar("week", ("Page Up", "Page Down"), self)
        self._header = _WeekHeader(self)
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
        header_row = QHBoxLayout()
        header_row.setContentsMargins(0, 0, self._scroll.verticalScrollBar().sizeHint().width(),
                                      0)
        header_row.addWidget(self._header)
        layout.addLayout(header_row)
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
            self._update_title()
            self._header.update()
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
        self._grid.update()
        return True

    def block_rect(self, key: str) -> QRect | None:
        """Return where the (first) block of *key*'s meeting is drawn, in grid coordinates."""
        for block in self._ensure_blocks():
            if block.key == key:
                return self._rect_of(block).toAlignedRect()
        return None

    def meeting_at(self, pos: QPoint) -> Meeting | None:
        """Return the meeting whose block is at *pos* (grid coordinates), if any."""
        found = self._block_at(pos)
        return found.meeting if found is not None else None

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
        self._update_title()
        self._header.update()
        self._grid.update()

    def _ensure_blocks(self) -> list[_Block]:
        if self._blocks is not None:
            return self._blocks
        source = self._source()
        blocks: list[_Block] = []
        if source is not None:
            first = self.week_start()
            starts = [source.day_start(first + dt.timedelta(days=i)) for i in range(8)]
            per_day: list[list[_Block]] = [[] for _ in range(7)]
            for meeting in self._proxy.meetings_between(starts[0], starts[7]):
                assert meeting.start is not None
                end = meeting.end if meeting.end is not None and meeting.end > meeting.start \
                    else meeting.start + dt.timedelta(minutes=30)
                key = meeting_key(meeting)
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
        return QRectF(left + 2, top + 1, column_width - 4, bottom - top - 2)

    def _block_at(self, pos: QPoint) -> _Block | None:
        point = QPointF(pos)
        # Later blocks are painted on top: hit-test them first.
        for block in reversed(self._ensure_blocks()):
            if self._rect_of(block).contains(point):
                return block
        return None

    def _ensure_visible(self, key: str) -> None:
        rect = self.block_rect(key)
        if rect is not None:
            self._scroll.ensureVisible(rect.center().x(), rect.top(), 0, 40)

    def _layout_grid(self) -> None:
        viewport = self._scroll.viewport()
        hour = max(float(_MIN_HOUR_HEIGHT), viewport.height() / _HOURS_SHOWN)
        top_hour = (self._scroll.verticalScrollBar().value() + 8) / self._hour_height
        self._hour_height = hour
        self._grid.resize(viewport.width(), int(24 * hour) + 1)
        if self._scrolled_once:
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
        """Start at 07:00 the first time the view is shown."""
        super().showEvent(event)
        self._layout_grid()
        if not self._scrolled_once:
            self._scrolled_once = True
            self.scroll_to_hour(_FIRST_HOUR)

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
            lines = max(1, int((inner.height() - small_fm.height()) // title_fm.height()))
            wrapped = _wrapped(title, title_fm, int(inner.width()), lines)
            painter.setFont(title_font)
            painter.setPen(fg)
            title_rect = QRectF(inner.left(), inner.top(), inner.width(),
                                len(wrapped) * title_fm.height())
            painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                             "\n".join(wrapped))
            painter.setFont(small)
            painter.setPen(mix(fg, base if not selected else colour, 0.25))
            time_rect = QRectF(inner.left(), title_rect.bottom(), inner.width(),
                               small_fm.height())
            painter.drawText(time_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                             small_fm.elidedText(time_text + _range_end(block, source),
                                                 Qt.TextElideMode.ElideRight,
                                                 int(inner.width())))
        painter.restore()

    def block_tooltip(self, meeting: Meeting) -> str:
        """Return the tooltip of a block: title, time, provider and account."""
        source = self._source()
        lines = [meeting.title]
        if meeting.start is not None and source is not None:
            start = source.local(meeting.start)
            span = f"{start:%a %d %b, %H:%M}"
            if meeting.end is not None and meeting.end > meeting.start:
                span += f" – {source.local(meeting.end):%H:%M}"
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

    def _select_block(self, block: _Block) -> None:
        self._selected_key = block.key
        self.set_day(self.week_start() + dt.timedelta(days=block.day))
        self._grid.update()
        self.meeting_selected.emit(block.meeting)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Arrows, PageUp/PageDown, T and Enter (see the class docstring)."""
        key = event.key()
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                      Qt.KeyboardModifier.KeypadModifier)
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and plain:
            self._selected_key = None
            self.set_day(self._day + dt.timedelta(days=-1 if key == Qt.Key.Key_Left else 1))
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

    def _selected_block(self) -> _Block | None:
        for block in self._ensure_blocks():
            if block.key == self._selected_key:
                return block
        return None

    def _step_block(self, step: int) -> None:
        column = (self._day - self.week_start()).days
        day_blocks = sorted((b for b in self._ensure_blocks() if b.day == column),
                            key=lambda b: (b.top, b.column))
        if not day_blocks:
            return
        keys = [b.key for b in day_blocks]
        if self._selected_key in keys:
            position = keys.index(self._selected_key) + step
        else:
            position = 0 if step > 0 else len(keys) - 1
        position = max(0, min(position, len(keys) - 1))
        block = day_blocks[position]
        self._select_block(block)
        self._ensure_visible(block.key)

    def _on_nav_previous_requested(self) -> None:
        self.set_day(self._day - dt.timedelta(days=7))

    def _on_nav_next_requested(self) -> None:
        self.set_day(self._day + dt.timedelta(days=7))

    def _update_title(self) -> None:
        first = self.week_start()
        last = first + dt.timedelta(days=6)
        if first.month == last.month:
            title = f"{first.day} – {last.day} {last:%B} {last.year}"
        elif first.year == last.year:
            title = f"{first.day} {first:%b} – {last.day} {last:%b} {last.year}"
        else:
            title = f"{first.day} {first:%b} {first.year} – {last.day} {last:%b} {last.year}"
        self._nav.title.setText(title)
        timeless = self._proxy.timeless_count()
        self._nav.note.setText(f"{timeless} without a fixed time" if timeless else "")
        self._nav.note.setToolTip("Meeting spaces with no fixed time are listed in the agenda."
                                  if timeless else "")


def _range_end(block: _Block, source: MeetingListModel | None) -> str:
    meeting = block.meeting
    if source is None or meeting.end is None or meeting.start is None:
        return ""
    if meeting.end <= meeting.start:
        return ""
    return f" – {source.local(meeting.end):%H:%M}"


def _wrapped(text: str, fm: QFontMetrics, width: int, lines: int) -> list[str]:
    """Word-wrap *text* into at most *lines* lines of *width*, eliding the last one."""
    words = text.split()
    out: list[str] = []
    current = ""
    while words and len(out) < lines:
        word = words[0]
        candidate = f"{current} {word}" if current else word
        if fm.horizontalAdvance(candidate) <= width:
            current = candidate
            words.pop(0)
            continue
        if not current:
            # One word longer than the line: elide it.
            current = fm.elidedText(word, Qt.TextElideMode.ElideRight, width)
            words.pop(0)
        out.append(current)
        current = ""
    if current and len(out) < lines:
        out.append(current)
    if words and out:
        rest = " ".join([out[-1], *words])
        out[-1] = fm.elidedText(rest, Qt.TextElideMode.ElideRight, width)
    return out
