"""AgendaView and its delegate: row sizes, activation, selection, empty state."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QStyleOptionViewItem

from launcher.core.models import API_PROVIDERS, Meeting, Provider
from launcher.ui.agenda_view import AgendaView
from launcher.ui.delegate import NOW_COLOUR, format_duration
from launcher.ui.models import MeetingFilterProxy, MeetingListModel, MeetingRole, meeting_key
from tests.ui.test_models import NOW, at, meeting, sample

pytestmark = pytest.mark.gui


@pytest.fixture
def agenda(qtbot: Any) -> tuple[AgendaView, MeetingFilterProxy, MeetingListModel]:
    source = MeetingListModel(tz=at(0, 0)[0].tzinfo, now=NOW)
    source.set_meetings([
        *sample(),
        meeting("long", "A very long title " * 12, at(2, 15), provider=Provider.WHEREBY),
    ])
    proxy = MeetingFilterProxy()
    proxy.setSourceModel(source)
    view = AgendaView()
    view.setModel(proxy)
    qtbot.addWidget(view)
    view.resize(520, 700)
    view.show()
    qtbot.waitExposed(view)
    return view, proxy, source


def row_of(proxy: MeetingFilterProxy, title: str) -> int:
    for row in range(proxy.rowCount()):
        if proxy.meeting_at(row).title == title:
            return row
    raise AssertionError(title)


def double_click(qtbot: Any, view: AgendaView, pos: QPoint) -> None:
    """A real double click: press/release, then the double-click event."""
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def center_of(view: AgendaView, row: int) -> QPoint:
    """A point on the meeting card of *row* (below its day heading, if any)."""
    rect = view.visualRect(view.model().index(row, 0))
    return QPoint(rect.center().x(), rect.bottom() - 12)


def test_heading_rows_are_taller(agenda: tuple[AgendaView, MeetingFilterProxy,
                                               MeetingListModel]) -> None:
    view, proxy, _ = agenda
    delegate = view.delegate()
    option = QStyleOptionViewItem()
    option.initFrom(view)
    heights = [delegate.sizeHint(option, proxy.index(r, 0)).height()
               for r in range(proxy.rowCount())]
    first_of_day = [proxy.starts_day(r) for r in range(proxy.rowCount())]
    plain = {h for h, first in zip(heights, first_of_day, strict=True) if not first}
    headed = {h for h, first in zip(heights, first_of_day, strict=True) if first}
    assert len(plain) == 1 and len(headed) == 1
    assert headed.pop() > plain.pop() + 15
    # The view lays rows out with those sizes (uniform sizes are off).
    assert not view.uniformItemSizes()
    assert view.visualRect(proxy.index(0, 0)).height() == heights[0]
    assert view.visualRect(proxy.index(2, 0)).height() == heights[2]


def test_filtering_moves_headings(agenda: tuple[AgendaView, MeetingFilterProxy,
                                                MeetingListModel]) -> None:
    view, proxy, _ = agenda
    design = row_of(proxy, "Design review")
    assert not view.delegate().starts_day(proxy.index(design, 0))
    proxy.set_provider(Provider.JOINME)  # Design review is now the first row of today
    design = row_of(proxy, "Design review")
    assert view.delegate().starts_day(proxy.index(design, 0))


def test_double_click_activates(qtbot: Any, agenda: tuple[AgendaView, MeetingFilterProxy,
                                                         MeetingListModel]) -> None:
    view, proxy, _ = agenda
    row = row_of(proxy, "Customer call")
    with qtbot.waitSignal(view.meeting_activated, timeout=1000) as blocker:
        double_click(qtbot, view, center_of(view, row))
    activated = blocker.args[0]
    assert isinstance(activated, Meeting) and activated.title == "Customer call"


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_enter_activates_the_current_meeting(
    qtbot: Any, agenda: tuple[AgendaView, MeetingFilterProxy, MeetingListModel], key: Any
) -> None:
    view, proxy, _ = agenda
    assert view.select_meeting(meeting_key(proxy.meeting_at(row_of(proxy, "Interview"))))
    with qtbot.waitSignal(view.meeting_activated, timeout=1000) as blocker:
        qtbot.keyClick(view, key)
    assert blocker.args[0].title == "Interview"


def test_enter_without_a_current_meeting_does_nothing(
    qtbot: Any, agenda: tuple[AgendaView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, _, _ = agenda
    view.setCurrentIndex(QModelIndex())
    with qtbot.assertNotEmitted(view.meeting_activated):
        qtbot.keyClick(view, Qt.Key.Key_Return)


def test_select_meeting_makes_it_current_and_visible(
    qtbot: Any, agenda: tuple[AgendaView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, proxy, _ = agenda
    target = proxy.meeting_at(row_of(proxy, "Skype meeting space"))
    with qtbot.waitSignal(view.current_meeting_changed, timeout=1000) as blocker:
        assert view.select_meeting(meeting_key(target))
    assert blocker.args == [target]
    assert view.current_meeting() == target
    assert view.selectionModel().isSelected(view.currentIndex())
    assert view.viewport().rect().intersects(view.visualRect(view.currentIndex()))
    assert not view.select_meeting("no such key")
    proxy.set_search("stand-up")
    assert not view.select_meeting(meeting_key(target))


def test_select_day_picks_the_first_meeting_on_or_after(
    agenda: tuple[AgendaView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, _, _ = agenda
    today = NOW.date()
    assert view.select_day(today + dt.timedelta(days=1))
    assert view.current_meeting() is not None
    assert view.current_meeting().title == "Sprint kick-off"  # type: ignore[union-attr]
    assert view.select_day(today + dt.timedelta(days=3))  # nothing that day: next one
    assert view.current_meeting().title == "Board meeting"  # type: ignore[union-attr]
    assert not view.select_day(today + dt.timedelta(days=60))


def test_arrows_move_the_selection(qtbot: Any, agenda: tuple[AgendaView, MeetingFilterProxy,
                                                            MeetingListModel]) -> None:
    view, proxy, _ = agenda
    view.select_meeting(meeting_key(proxy.meeting_at(row_of(proxy, "Daily stand-up"))))
    view.setFocus()
    seen: list[Meeting | None] = []
    view.current_meeting_changed.connect(seen.append)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert [m.title for m in seen if m] == ["Design review", "Customer call"]
    assert view.selectionModel().isSelected(view.currentIndex())
    assert len(view.selectionModel().selectedIndexes()) == 1
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.current_meeting().title == "Design review"  # type: ignore[union-attr]


def test_current_meeting_changed_on_click(qtbot: Any, agenda: tuple[AgendaView,
                                                                   MeetingFilterProxy,
                                                                   MeetingListModel]) -> None:
    view, proxy, _ = agenda
    row = row_of(proxy, "Interview")
    with qtbot.waitSignal(view.current_meeting_changed, timeout=1000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center_of(view, row))
    assert blocker.args[0].title == "Interview"


def test_now_marker_goes_above_todays_first_meeting_to_come(
    agenda: tuple[AgendaView, MeetingFilterProxy, MeetingListModel]
) -> None:
    view, proxy, _ = agenda
    delegate = view.delegate()
    marked = [proxy.meeting_at(r).title for r in range(proxy.rowCount())
              if delegate.shows_now_marker(proxy.index(r, 0))]
    assert marked == ["Customer call"]
    # It is painted: a red line just above that card.
    view.scrollToTop()
    rect = view.visualRect(proxy.index(row_of(proxy, "Customer call"), 0))
    image = view.viewport().grab().toImage()
    reds = [QColor(image.pixel(x, rect.top() + 1)) for x in range(rect.left() + 20,
                                                                  rect.left() + 60)]
    assert all(abs(c.red() - NOW_COLOUR.red()) < 40 and c.green() < 120 for c in reds)


def test_paints_every_row_without_errors(qtbot: Any, agenda: tuple[AgendaView,
                                                                  MeetingFilterProxy,
                                                                  MeetingListModel]) -> None:
    view, proxy, _ = agenda
    view.select_meeting(meeting_key(proxy.meeting_at(row_of(proxy, "Board meeting"))))
    for width in (280, 520, 900):
        view.resize(width, 1600)
        image = view.grab().toImage()
        assert not image.isNull() and image.width() == width


def test_empty_states(qtbot: Any, agenda: tuple[AgendaView, MeetingFilterProxy,
                                                MeetingListModel]) -> None:
    view, proxy, source = agenda
    assert view.empty_text == AgendaView.EMPTY_TEXT
    proxy.set_search("nothing matches this")
    assert proxy.rowCount() == 0
    assert view.empty_text == "No meetings match"
    image = view.grab().toImage()
    assert not image.isNull()
    proxy.set_search("")
    source.set_meetings([])
    assert view.empty_text == "No meetings"


def test_activation_uses_the_proxy_row(qtbot: Any, agenda: tuple[AgendaView,
                                                                 MeetingFilterProxy,
                                                                 MeetingListModel]) -> None:
    view, proxy, _ = agenda
    proxy.set_provider(Provider.SKYPE)
    with qtbot.waitSignal(view.meeting_activated, timeout=1000) as blocker:
        double_click(qtbot, view, center_of(view, 0))
    assert blocker.args[0].provider == Provider.SKYPE
    assert blocker.args[0].title == proxy.index(0, 0).data(MeetingRole.MEETING).title


def test_format_duration() -> None:
    start = NOW
    assert format_duration(start, start + dt.timedelta(minutes=30)) == "30 min"
    assert format_duration(start, start + dt.timedelta(minutes=60)) == "1 h"
    assert format_duration(start, start + dt.timedelta(minutes=95)) == "1 h 35 min"
    assert format_duration(start, start + dt.timedelta(days=2)) == "2 days"
    assert format_duration(start, None) == ""
    assert format_duration(None, None) == ""


@pytest.mark.parametrize(("length", "text"), [
    (dt.timedelta(hours=23, minutes=59), "23 h 59 min"),
    (dt.timedelta(hours=24), "1 day"),
    (dt.timedelta(hours=26, minutes=31), "1 day 2 h"),  # minutes dropped from a day on
    (dt.timedelta(days=3, hours=5, minutes=59), "3 days 5 h"),
    (dt.timedelta(hours=170, minutes=32), "7 days"),  # hours dropped from a week on
    (dt.timedelta(days=7, hours=13), "8 days"),  # ... rounded to the nearest day
    (dt.timedelta(days=14), "14 days"),
])
def test_format_duration_of_multi_day_items(length: dt.timedelta, text: str) -> None:
    assert format_duration(NOW, NOW + length) == text


def test_multi_day_row_shows_the_end_day_and_fits_the_time_column(qtbot: Any) -> None:
    source = MeetingListModel(tz=NOW.tzinfo, now=NOW)
    start = at(0, 4, 57)[0]
    room = meeting("room", "Whereby room all-hands", (start, start + dt.timedelta(
        hours=170, minutes=33)), provider=Provider.WHEREBY)
    source.set_meetings([room, *sample()])
    proxy = MeetingFilterProxy()
    proxy.setSourceModel(source)
    view = AgendaView()
    view.setModel(proxy)
    qtbot.addWidget(view)
    view.resize(520, 500)
    view.show()
    index = proxy.index_of(meeting_key(room))
    text = index.data(MeetingRole.TIME_TEXT)
    assert text == "04:57 – Fri 28 Nov"
    assert format_duration(room.start, room.end) == "7 days"
    # The time column is wide enough for it: the row shows it whole, not "04:57 – Fr…".
    metrics = view.delegate().metrics(view.font())
    assert metrics.body_fm.horizontalAdvance(text) <= metrics.time_width
    view.grab()  # paints the row without errors


def test_icons_load_from_package_data(qapp: Any) -> None:
    from launcher.ui import icons

    for name in ("app", "bluejeans", "joinme", "whereby", "skype", "link"):
        assert icons.asset_path("icons", f"{name}.svg").is_file()
    assert not icons.app_icon().pixmap(32, 32).isNull()
    for provider in (*Provider, "bluejeans", "SKYPE"):
        assert not icons.provider_icon(provider).pixmap(16, 16).isNull()
    # Each provider has its own icon; anything else gets the generic link icon.
    keys = {icons.provider_icon(p).pixmap(16, 16).toImage().pixel(2, 8) for p in API_PROVIDERS}
    assert len(keys) == 4
    link = icons.provider_icon("zoom").pixmap(16, 16).toImage()
    assert link == icons.provider_icon(None).pixmap(16, 16).toImage()
    assert icons.provider_icon(Provider.JOINME) is icons.provider_icon("joinme")  # cached
    assert icons.provider_colour(Provider.WHEREBY) != icons.provider_colour("zoom")
