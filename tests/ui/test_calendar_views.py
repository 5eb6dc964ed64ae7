"""MonthView and WeekView: day markers, keys, blocks at their times, signals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QTableView, QVBoxLayout, QWidget

from launcher.core.models import Meeting, Provider
from launcher.ui.calendar_views import MonthView, WeekView
from launcher.ui.delegate import NOW_COLOUR
from launcher.ui.models import MeetingFilterProxy, MeetingListModel, meeting_key
from tests.ui.test_models import NOW, TZ, at, meeting, sample

pytestmark = pytest.mark.gui

TODAY = NOW.date()  # Friday 21 November 2025


def make_models(meetings: list[Meeting] | None = None) -> tuple[MeetingListModel,
                                                                 MeetingFilterProxy]:
    source = MeetingListModel(tz=TZ, now=NOW)
    source.set_meetings(sample() if meetings is None else meetings)
    proxy = MeetingFilterProxy()
    proxy.setSourceModel(source)
    return source, proxy


def key_of(title: str) -> str:
    return meeting_key(next(m for m in sample() if m.title == title))


# ====================================================================== month
@pytest.fixture
def month(qtbot: Any) -> tuple[MonthView, MeetingFilterProxy]:
    _, proxy = make_models()
    view = MonthView(proxy)
    qtbot.addWidget(view)
    view.resize(520, 420)
    view.show()
    qtbot.waitExposed(view)
    return view, proxy


def calendar_table(view: MonthView) -> QTableView:
    table = view.calendar().findChild(QTableView)
    assert table is not None
    return table


def cell_center(view: MonthView, day: int) -> QPoint:
    """Where day *day* of the shown month is drawn in the calendar's table."""
    table = calendar_table(view)
    model = table.model()
    in_month = False
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            text = str(model.index(row, column).data())
            if text == "1":
                in_month = True  # past the previous month's last days
            if in_month and text == str(day):
                return table.visualRect(model.index(row, column)).center()
    raise AssertionError(day)


def test_month_marks_days_with_meetings(month: tuple[MonthView, MeetingFilterProxy]) -> None:
    view, proxy = month
    marks = view.marks()
    assert marks[TODAY] == (4, ["bluejeans", "joinme", "bluejeans"])
    assert marks[TODAY + dt.timedelta(days=1)] == (1, ["whereby"])
    assert marks[TODAY + dt.timedelta(days=7)] == (1, ["skype"])
    assert TODAY + dt.timedelta(days=2) not in marks
    # Filters apply: the markers follow the shared proxy.
    proxy.set_provider(Provider.WHEREBY)
    assert view.marks() == {TODAY + dt.timedelta(days=1): (1, ["whereby"])}
    proxy.set_provider(None)
    proxy.set_search("board")
    assert list(view.marks()) == [TODAY + dt.timedelta(days=7)]


def test_month_paints_a_dot_under_marked_days(
    month: tuple[MonthView, MeetingFilterProxy]
) -> None:
    view, _ = month
    view.set_day(TODAY + dt.timedelta(days=2))  # keep the selection off the days we check
    table = calendar_table(view)

    def coloured_pixels(day: int) -> int:
        center = cell_center(view, day)
        rect = table.visualRect(table.indexAt(center))
        image = table.viewport().grab(rect).toImage()
        count = 0
        for y in range(image.height() // 2, image.height()):
            for x in range(image.width()):
                colour = QColor(image.pixel(x, y))
                if colour.saturation() > 120 and colour.value() > 80:
                    count += 1
        return count

    whereby_day = (TODAY + dt.timedelta(days=1)).day
    assert coloured_pixels(whereby_day) > 5
    assert coloured_pixels((TODAY + dt.timedelta(days=4)).day) == 0


def test_month_page_keys_and_today(qtbot: Any,
                                   month: tuple[MonthView, MeetingFilterProxy]) -> None:
    view, _ = month
    table = calendar_table(view)
    table.setFocus()
    assert view.selected_day() == TODAY
    qtbot.keyClick(table, Qt.Key.Key_PageDown)
    assert view.selected_day() == dt.date(2025, 12, 21)
    assert view.calendar().monthShown() == 12
    qtbot.keyClick(table, Qt.Key.Key_PageUp)
    qtbot.keyClick(table, Qt.Key.Key_PageUp)
    assert view.selected_day() == dt.date(2025, 10, 21)
    assert view.calendar().monthShown() == 10
    with qtbot.waitSignal(view.day_selected, timeout=1000) as blocker:
        qtbot.keyClick(table, Qt.Key.Key_T)
    assert blocker.args == [TODAY]
    assert view.selected_day() == TODAY and view.calendar().monthShown() == 11


def test_month_arrows_move_the_day_and_enter_picks_it(
    qtbot: Any, month: tuple[MonthView, MeetingFilterProxy]
) -> None:
    view, _ = month
    table = calendar_table(view)
    table.setFocus()
    with qtbot.assertNotEmitted(view.day_selected):
        qtbot.keyClick(table, Qt.Key.Key_Right)
        qtbot.keyClick(table, Qt.Key.Key_Down)
    assert view.selected_day() == TODAY + dt.timedelta(days=8)
    with qtbot.waitSignal(view.day_selected, timeout=1000) as blocker:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert blocker.args == [TODAY + dt.timedelta(days=8)]


def test_month_click_picks_a_day(qtbot: Any, month: tuple[MonthView, MeetingFilterProxy]) -> None:
    view, _ = month
    table = calendar_table(view)
    with qtbot.waitSignal(view.day_selected, timeout=1000) as blocker:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell_center(view, 12))
    assert blocker.args == [dt.date(2025, 11, 12)]
    assert view.selected_day() == dt.date(2025, 11, 12)


def test_month_set_day_and_navigation_buttons(
    qtbot: Any, month: tuple[MonthView, MeetingFilterProxy]
) -> None:
    view, _ = month
    with qtbot.assertNotEmitted(view.day_selected):
        view.set_day(dt.date(2026, 1, 31))
    assert view.calendar().monthShown() == 1 and view.calendar().yearShown() == 2026
    view._nav.next.click()
    assert view.selected_day() == dt.date(2026, 2, 28)  # clamped to the month's end
    view._nav.previous.click()
    view._nav.previous.click()
    assert view.selected_day() == dt.date(2025, 12, 28)
    with qtbot.waitSignal(view.day_selected, timeout=1000):
        view._nav.today.click()
    assert view.selected_day() == TODAY


# ====================================================================== week
@pytest.fixture
def week(qtbot: Any) -> tuple[WeekView, MeetingFilterProxy, MeetingListModel]:
    overlapping = [
        *sample(),
        meeting("o1", "Overlap A", at(2, 9, 0, 60), provider=Provider.JOINME),
        meeting("o2", "Overlap B", at(2, 9, 30, 60), provider=Provider.WHEREBY),
        meeting("o3", "After both", at(2, 11, 0, 30)),
    ]
    source, proxy = make_models(overlapping)
    view = WeekView(proxy)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    qtbot.waitExposed(view)
    return view, proxy, source


def week_key(source: MeetingListModel, title: str) -> str:
    for row in range(source.rowCount()):
        if source.meeting_at(row).title == title:
            return meeting_key(source.meeting_at(row))
    raise AssertionError(title)


def test_week_starts_on_monday_and_shows_07_to_19(
    week: tuple[WeekView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, _, _ = week
    assert view.week_start() == dt.date(2025, 11, 17)
    assert view.selected_day() == TODAY
    viewport_height = view._scroll.viewport().height()
    assert view.hour_height() >= 40
    top = view._scroll.verticalScrollBar().value()
    # 07:00 is at the top (a few pixels of margin for its label), 19:00 fits below.
    assert abs(top - 7 * view.hour_height()) <= 10
    assert top + viewport_height >= 19 * view.hour_height() - 10


def test_week_blocks_are_positioned_by_time(
    week: tuple[WeekView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, _, source = week
    hour = view.hour_height()
    design = view.block_rect(week_key(source, "Design review"))  # Fri 10:00–11:00
    standup = view.block_rect(week_key(source, "Daily stand-up"))  # Fri 09:00–09:15
    kickoff = view.block_rect(week_key(source, "Sprint kick-off"))  # Sat 09:30–10:30
    assert design is not None and standup is not None and kickoff is not None
    assert abs(design.top() - 10 * hour) <= 2
    assert abs(design.height() - hour) <= 3
    assert abs(kickoff.top() - 9.5 * hour) <= 2
    assert standup.bottom() < design.top()
    assert design.left() < kickoff.left()  # Friday's column is left of Saturday's
    assert view.day_at_x(design.center().x()) == TODAY
    assert view.day_at_x(kickoff.center().x()) == TODAY + dt.timedelta(days=1)
    # Hit-testing a point inside a block gives that meeting; outside gives nothing.
    hit = view.meeting_at(design.center())
    assert hit is not None and hit.title == "Design review"
    assert view.meeting_at(QPoint(design.center().x(), int(3 * hour))) is None


def test_week_overlapping_meetings_side_by_side(
    week: tuple[WeekView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, _, source = week
    a = view.block_rect(week_key(source, "Overlap A"))
    b = view.block_rect(week_key(source, "Overlap B"))
    after = view.block_rect(week_key(source, "After both"))
    assert a is not None and b is not None and after is not None
    assert a.right() < b.left()  # side by side, not on top of each other
    assert a.top() < b.top() < a.bottom()
    assert after.width() > a.width() + b.width() - 10  # alone again: full column width
    assert view.meeting_at(a.center()).title == "Overlap A"  # type: ignore[union-attr]
    assert view.meeting_at(b.center()).title == "Overlap B"  # type: ignore[union-attr]


def test_week_does_not_draw_timeless_meetings(
    week: tuple[WeekView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, _, source = week
    assert view.block_rect(week_key(source, "Skype meeting space")) is None
    assert view.block_rect(week_key(source, "Always-open room")) is None
    assert "2 without a fixed time" in view._nav.note.text()


def test_week_follows_the_filters(week: tuple[WeekView, MeetingFilterProxy,
                                              MeetingListModel]) -> None:
    view, proxy, source = week
    key = week_key(source, "Design review")
    assert view.block_rect(key) is not None
    proxy.set_search("stand-up")
    assert view.block_rect(key) is None
    assert view.block_rect(week_key(source, "Daily stand-up")) is not None
    proxy.set_search("")
    assert view.block_rect(key) is not None


def test_week_click_selects_and_double_click_activates(
    qtbot: Any, week: tuple[WeekView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, _, source = week
    rect = view.block_rect(week_key(source, "Sprint kick-off"))
    assert rect is not None
    with qtbot.waitSignal(view.meeting_selected, timeout=1000) as selected:
        qtbot.mouseClick(view.grid(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert selected.args[0].title == "Sprint kick-off"
    assert view.selected_key() == week_key(source, "Sprint kick-off")
    assert view.selected_day() == TODAY + dt.timedelta(days=1)
    with qtbot.waitSignal(view.meeting_activated, timeout=1000) as activated:
        qtbot.mouseDClick(view.grid(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert activated.args[0].title == "Sprint kick-off"


def test_week_click_on_an_empty_slot_picks_the_day(
    qtbot: Any, week: tuple[WeekView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, _, _ = week
    x = int(54 + view._day_width() * 0.5)  # Monday's column
    y = int(view.hour_height() * 8)
    with qtbot.waitSignal(view.day_selected, timeout=1000) as blocker:
        qtbot.mouseClick(view.grid(), Qt.MouseButton.LeftButton, pos=QPoint(x, y))
    assert blocker.args == [dt.date(2025, 11, 17)]
    assert view.selected_key() is None


def test_week_keys(qtbot: Any, week: tuple[WeekView, MeetingFilterProxy,
                                           MeetingListModel]) -> None:
    view, _, _ = week
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.selected_day() == TODAY - dt.timedelta(days=1)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.selected_day() == TODAY + dt.timedelta(days=1)
    qtbot.keyClick(view, Qt.Key.Key_Right)  # Sunday -> next Monday: the week moves
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.week_start() == dt.date(2025, 11, 24)
    qtbot.keyClick(view, Qt.Key.Key_PageUp)
    assert view.selected_day() == dt.date(2025, 11, 17)
    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    qtbot.keyClick(view, Qt.Key.Key_PageDown)
    assert view.week_start() == dt.date(2025, 12, 1)
    with qtbot.waitSignal(view.day_selected, timeout=1000) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_T)
    assert blocker.args == [TODAY]
    assert view.week_start() == dt.date(2025, 11, 17)


def test_week_up_down_walk_the_days_meetings_and_enter_activates(
    qtbot: Any, week: tuple[WeekView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, _, _ = week
    view.setFocus()
    seen: list[str] = []
    view.meeting_selected.connect(lambda m: seen.append(m.title))
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert seen == ["Daily stand-up", "Design review", "Customer call", "Design review"]
    with qtbot.waitSignal(view.meeting_activated, timeout=1000) as blocker:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert blocker.args[0].title == "Design review"
    qtbot.keyClick(view, Qt.Key.Key_Left)  # moving the day clears the block selection
    with qtbot.waitSignal(view.day_selected, timeout=1000) as day:
        qtbot.keyClick(view, Qt.Key.Key_Enter)
    assert day.args == [TODAY - dt.timedelta(days=1)]


def test_week_select_meeting_goes_to_its_week(
    qtbot: Any, week: tuple[WeekView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, _, source = week
    with qtbot.assertNotEmitted(view.day_selected):
        assert view.select_meeting(week_key(source, "Board meeting"))
    assert view.week_start() == dt.date(2025, 11, 24)
    assert view.selected_day() == TODAY + dt.timedelta(days=7)
    assert not view.select_meeting(week_key(source, "Skype meeting space"))
    assert not view.select_meeting("no such key")


def test_week_set_day_does_not_emit(qtbot: Any, week: tuple[WeekView, MeetingFilterProxy,
                                                            MeetingListModel]) -> None:
    view, _, _ = week
    with qtbot.assertNotEmitted(view.day_selected):
        view.set_day(dt.date(2026, 3, 4))
    assert view.week_start() == dt.date(2026, 3, 2)
    assert view._nav.title.text() == "2 – 8 March 2026"


def test_week_paints_the_now_line_across_today(
    week: tuple[WeekView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, _, _ = week
    image = view.grid().grab().toImage()
    width = view._day_width()
    friday = int(54 + 4 * width)
    y = round((10 + 42 / 60) * view.hour_height())

    def red(x: int) -> bool:
        for dy in (-1, 0, 1):
            c = QColor(image.pixel(x, y + dy))
            if abs(c.red() - NOW_COLOUR.red()) < 40 and c.green() < 120 and c.blue() < 120:
                return True
        return False

    assert sum(red(x) for x in range(friday + 10, int(friday + width) - 4)) > width * 0.6
    assert not any(red(x) for x in range(70, int(54 + width) - 4))  # not on Monday


def test_week_meeting_across_midnight_is_drawn_on_both_days(qtbot: Any) -> None:
    late = meeting("late", "Night shift", at(0, 23, 0, 120))
    _, proxy = make_models([late])
    view = WeekView(proxy)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    blocks = [b for b in view._ensure_blocks() if b.key == meeting_key(late)]
    assert [(b.day, b.top, b.bottom) for b in blocks] == [(4, 23 * 60, 24 * 60),
                                                          (5, 0, 60)]


# ====================================================================== month in a sidebar
def busy_day() -> list[Meeting]:
    """Nine meetings today (Friday), a few elsewhere."""
    many = [meeting(f"b{i}", f"Busy {i}", at(0, 8 + i),
                    provider=(Provider.BLUEJEANS, Provider.JOINME, Provider.WHEREBY)[i % 3])
            for i in range(9)]
    return [*sample(), *many]


@pytest.fixture
def sidebar_month(qtbot: Any) -> Iterator[MonthView]:
    """The month view in a sidebar like the main window's (260 px wide, stretch below)."""
    _, proxy = make_models(busy_day())
    sidebar = QWidget()
    layout = QVBoxLayout(sidebar)
    layout.setContentsMargins(8, 8, 8, 8)
    view = MonthView(proxy, sidebar)
    layout.addWidget(view)
    layout.addStretch(1)
    qtbot.addWidget(sidebar)
    sidebar.setFixedWidth(260)
    sidebar.resize(260, 700)
    sidebar.show()
    qtbot.waitExposed(sidebar)
    yield view
    sidebar.close()  # (the sidebar is kept alive until here)


def test_month_minimum_size_leaves_room_for_numbers_and_markers(qapp: Any) -> None:
    _, proxy = make_models()
    view = MonthView(proxy)
    try:
        fm = QFontMetrics(view.font())
        hint = view.minimumSizeHint()
        # Header + day names + six weeks, each a number and a row of markers under it.
        assert hint.height() >= 6 * (fm.height() + 8) + 2 * fm.height()
        assert view.min_cell_height() >= fm.height() + 8
        assert hint.width() <= 244  # fits the narrowest sidebar (260 px, 8 px margins)
        assert view.sizeHint().height() >= hint.height()
    finally:
        view.deleteLater()


def test_month_in_a_narrow_sidebar_is_readable(sidebar_month: MonthView) -> None:
    view = sidebar_month
    assert view.height() >= view.minimumSizeHint().height()
    # The header says which month, whole; the timeless count moved to the tooltip.
    assert view.title_text() == "November 2025"
    assert not view._nav.note.isVisible()
    assert "2 without a fixed time" in view._nav.title.toolTip()
    table = calendar_table(view)
    model = table.model()
    fm = QFontMetrics(view.calendar().font())
    for row in range(1, model.rowCount()):
        for column in range(model.columnCount()):
            cell = QRectF(table.visualRect(model.index(row, column)))
            number, markers = view.cell_geometry(cell.toRect())
            assert number.height() >= fm.height()  # the day number is not clipped
            assert number.width() >= fm.horizontalAdvance("28")
            assert cell.contains(number) and cell.contains(markers)
            assert markers.top() >= number.bottom()  # dots under the number, never on it


def test_month_markers_fit_their_cell(sidebar_month: MonthView) -> None:
    view = sidebar_month
    table = calendar_table(view)
    width = table.visualRect(table.indexAt(cell_center(view, TODAY.day))).width()
    assert width < 40  # narrow: this is the case worth checking
    _, markers = view.cell_geometry(table.visualRect(table.indexAt(cell_center(view,
                                                                                TODAY.day))))
    providers, more = view.markers_for(TODAY, markers.width())
    assert view.marks()[TODAY][0] == 13  # four of the sample and nine more
    assert 1 <= len(providers) <= 3
    assert len(providers) + more == 13  # the dots and "+N" count every meeting
    # A day with few meetings: one dot each, no "+N".
    assert view.markers_for(TODAY + dt.timedelta(days=1), markers.width()) == (["whereby"], 0)
    assert view.markers_for(TODAY + dt.timedelta(days=2), markers.width()) == ([], 0)
    # Paint: the dots are under the number, inside the cell.
    image = table.viewport().grab(table.visualRect(table.indexAt(cell_center(
        view, TODAY.day + 1)))).toImage()
    number, markers = view.cell_geometry(QRect(0, 0, image.width(), image.height()))
    coloured_rows = {y for y in range(image.height()) for x in range(image.width())
                     if QColor(image.pixel(x, y)).saturation() > 120
                     and QColor(image.pixel(x, y)).value() > 80}
    assert coloured_rows and min(coloured_rows) >= number.bottom()
    assert max(coloured_rows) <= markers.bottom()


def test_month_alone_at_280_by_300(qtbot: Any) -> None:
    _, proxy = make_models(busy_day())
    view = MonthView(proxy)
    qtbot.addWidget(view)
    view.resize(280, 300)
    view.show()
    qtbot.waitExposed(view)
    table = calendar_table(view)
    rows = [table.rowHeight(row) for row in range(7)]
    assert rows[0] < rows[1]  # the day names take a short row
    assert min(rows[1:]) >= view.min_cell_height()
    assert sum(rows) <= table.viewport().height() + 1  # nothing cut off at the bottom


# ====================================================================== week: all-day strip
def room(ident: str, title: str, days: int, hours: float, *, start_day: int = 0,
         hour: int = 4, provider: Provider = Provider.WHEREBY) -> Meeting:
    start = at(start_day, hour, 57)[0]
    return meeting(ident, title, (start, start + dt.timedelta(days=days, hours=hours)),
                   provider=provider)


def make_week(qtbot: Any, meetings: list[Meeting], size: tuple[int, int] = (900, 700)
              ) -> tuple[WeekView, MeetingFilterProxy, MeetingListModel]:
    source, proxy = make_models(meetings)
    view = WeekView(proxy)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    return view, proxy, source


@pytest.fixture
def long_week(qtbot: Any) -> tuple[WeekView, MeetingFilterProxy, MeetingListModel]:
    # Wednesday 04:57 for a week; Friday 04:57 for 26 hours: both multi-day.
    return make_week(qtbot, [*sample(), room("all", "Room all-hands", 7, 2.5, start_day=-2),
                             room("cust", "Room customer", 1, 2)])


def test_week_multi_day_items_go_to_the_all_day_strip(
    long_week: tuple[WeekView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, _, source = long_week
    all_hands, customer = week_key(source, "Room all-hands"), week_key(source, "Room customer")
    assert view.span_keys() == [all_hands, customer]
    assert view.all_day_strip().isVisible()
    # Not in the hour grid, so they squeeze nothing there.
    assert view.block_rect(all_hands) is None and view.block_rect(customer) is None
    design = view.block_rect(week_key(source, "Design review"))
    assert design is not None
    assert design.width() >= view._day_width() - 6  # the full day column
    # One row each, spanning the days they cover (to the week's end for the long one).
    first, second = view.span_rect(all_hands), view.span_rect(customer)
    assert first is not None and second is not None
    assert first.bottom() < second.top()
    width = view._day_width()
    assert view.day_at_x(first.left() + 4) == dt.date(2025, 11, 19)  # from Wednesday
    assert view.day_at_x(first.right() - 1) == dt.date(2025, 11, 23)  # past Sunday
    assert view.day_at_x(second.left() + 4) == TODAY
    assert view.day_at_x(second.right() - 4) == TODAY + dt.timedelta(days=1)
    assert abs(second.width() - 2 * width) <= 6
    assert view.span_meeting_at(first.center()).title == "Room all-hands"  # type: ignore[union-attr]
    assert view.span_meeting_at(QPoint(int(54 + width / 2), first.center().y())) is None
    # Tooltip: the whole range, with days.
    tip = view.block_tooltip(source.meeting_at(source.row_of(all_hands) or 0))
    assert "Wed 19 Nov, 04:57 – Wed 26 Nov, 07:27 (7 days)" in tip


def test_week_strip_click_selects_and_double_click_activates(
    qtbot: Any, long_week: tuple[WeekView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, _, source = long_week
    key = week_key(source, "Room all-hands")
    rect = view.span_rect(key)
    assert rect is not None
    strip = view.all_day_strip()
    # A click on Thursday's part of the bar selects it and keeps Thursday.
    thursday = QPoint(int(54 + 3.5 * view._day_width()), rect.center().y())
    with qtbot.waitSignal(view.meeting_selected, timeout=1000) as selected:
        qtbot.mouseClick(strip, Qt.MouseButton.LeftButton, pos=thursday)
    assert selected.args[0].title == "Room all-hands"
    assert view.selected_key() == key
    assert view.selected_day() == dt.date(2025, 11, 20)
    with qtbot.waitSignal(view.meeting_activated, timeout=1000) as activated:
        qtbot.mouseDClick(strip, Qt.MouseButton.LeftButton, pos=thursday)
    assert activated.args[0].title == "Room all-hands"
    # Enter opens the selected bar too.
    view.setFocus()
    with qtbot.waitSignal(view.meeting_activated, timeout=1000) as entered:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert entered.args[0].title == "Room all-hands"
    # A click on the strip outside any bar picks that day.
    monday = QPoint(int(54 + 0.5 * view._day_width()), rect.center().y())
    with qtbot.waitSignal(view.day_selected, timeout=1000) as picked:
        qtbot.mouseClick(strip, Qt.MouseButton.LeftButton, pos=monday)
    assert picked.args == [dt.date(2025, 11, 17)]
    assert view.selected_key() is None


def test_week_up_down_visit_the_days_bars_first(
    qtbot: Any, long_week: tuple[WeekView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, _, _ = long_week
    view.setFocus()
    seen: list[str] = []
    view.meeting_selected.connect(lambda m: seen.append(m.title))
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Down)
    assert seen == ["Room all-hands", "Room customer", "Daily stand-up"]
    assert view.selected_day() == TODAY


def test_week_select_meeting_finds_a_bar(
    long_week: tuple[WeekView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, _, source = long_week
    view.set_day(dt.date(2025, 12, 1))
    assert not view.all_day_strip().isVisible()  # nothing multi-day that week
    key = week_key(source, "Room customer")
    assert view.select_meeting(key)
    assert view.selected_day() == TODAY and view.selected_key() == key
    assert view.span_rect(key) is not None


def test_week_all_day_strip_scrolls_when_full(qtbot: Any) -> None:
    rooms = [room(f"r{i}", f"Room {i}", 2, 0, start_day=i - 3) for i in range(5)]
    view, _, _ = make_week(qtbot, [*sample(), *rooms])
    keys = view.span_keys()
    assert len(keys) == 5
    shown = [k for k in keys if view.span_rect(k) is not None]
    assert len(shown) == 3  # at most three rows; the strip does not eat the grid
    assert view.all_day_strip().height() < 5 * 22
    assert "scroll" in view.strip_tooltip()
    assert view.scroll_strip(1)
    assert view.span_rect(keys[0]) is None and view.span_rect(keys[3]) is not None
    assert view.scroll_strip(5) and view.span_rect(keys[4]) is not None
    assert not view.scroll_strip(1)  # at the end already
    # Selecting a hidden one scrolls it into view.
    assert view.select_meeting(keys[0])
    assert view.span_rect(keys[0]) is not None


def test_week_night_far_into_the_next_day_is_a_bar(qtbot: Any) -> None:
    night = meeting("night", "Night shift", at(0, 22, 0, 7 * 60))  # Fri 22:00 – Sat 05:00
    late = meeting("late", "Late call", at(0, 23, 0, 120))  # Fri 23:00 – Sat 01:00
    view, _, _ = make_week(qtbot, [night, late])
    assert view.span_keys() == [meeting_key(night)]
    assert view.block_rect(meeting_key(night)) is None
    assert view.block_rect(meeting_key(late)) is not None


# ====================================================================== week: first scroll
def test_week_first_scroll_shows_the_earliest_meeting(qtbot: Any) -> None:
    early = meeting("early", "Early sync", at(1, 6, 30, 60))  # Saturday 06:30
    view, _, _ = make_week(qtbot, [*sample(), early])
    assert abs(view.top_hour() - 5) < 0.05  # about an hour above 06:30, on a whole hour
    rect = view.block_rect(meeting_key(early))
    assert rect is not None
    value = view._scroll.verticalScrollBar().value()
    assert value <= rect.top() < value + view._scroll.viewport().height()


def test_week_first_scroll_ignores_bars_and_defaults_to_seven(qtbot: Any) -> None:
    # The room starts at 04:57 but is a bar: the grid still opens at 07:00.
    view, _, _ = make_week(qtbot, [*sample(), room("all", "Room all-hands", 7, 0)])
    assert abs(view.top_hour() - 7) < 0.05
    empty, _, _ = make_week(qtbot, [])
    assert abs(empty.top_hour() - 7) < 0.05


def test_week_scroll_follows_late_data_until_the_user_scrolls(qtbot: Any) -> None:
    view, _, source = make_week(qtbot, [])  # shown before the accounts synced
    assert abs(view.top_hour() - 7) < 0.05
    source.set_meetings([*sample(), meeting("early", "Early", at(0, 5, 0))])
    assert abs(view.top_hour() - 4) < 0.05  # the data arrived: scrolled to it
    bar = view._scroll.verticalScrollBar()
    bar.triggerAction(bar.SliderAction.SliderPageStepAdd)  # the user scrolls
    after = bar.value()
    source.set_meetings([*sample(), meeting("earlier", "Earlier", at(0, 3, 0))])
    assert bar.value() == after  # left where the user put it


def test_week_title_has_priority_over_the_note(qtbot: Any) -> None:
    view, _, _ = make_week(qtbot, sample(), size=(900, 600))
    assert view._nav.note_shown() and view._nav.title.text() == "17 – 23 November 2025"
    view.resize(420, 600)
    qtbot.waitUntil(lambda: not view._nav.note_shown()
                    and view._nav.title.text() == "17 – 23 November 2025",  # whole
                    timeout=1000)
    assert "2 without a fixed time" in view._nav.title.toolTip()  # the note moved here
