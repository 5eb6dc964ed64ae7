"""MonthView and WeekView: day markers, keys, blocks at their times, signals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTableView

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
