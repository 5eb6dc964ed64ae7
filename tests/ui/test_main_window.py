"""MainWindow: welcome page, agenda and filters, account statuses, messages, views, closing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from launcher.core.models import Meeting, Provider, Role
from launcher.ui.calendar_views import MonthView
from launcher.ui.main_window import MainWindow
from launcher.ui.models import meeting_key

pytestmark = pytest.mark.gui

UTC = dt.UTC
#: A Monday morning; every test window lives at this instant (UTC shown as local).
NOW = dt.datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    return NOW.replace(hour=hour, minute=minute) + dt.timedelta(days=days)


def make(
    mid: str,
    title: str,
    start: dt.datetime | None,
    *,
    provider: Provider = Provider.BLUEJEANS,
    account: str = "Work",
    join_url: str | None = "https://example.test/j",
    minutes: int = 30,
    **extra: Any,
) -> Meeting:
    end = start + dt.timedelta(minutes=minutes) if start is not None else None
    return Meeting(mid, account, provider, title, start, end, join_url=join_url, **extra)


def sample() -> list[Meeting]:
    return [
        make("1", "Weekly planning", at(0, 10), number="9036439807", passcode="1629"),
        make("2", "Customer call", at(0, 14), provider=Provider.JOINME, account="Home",
             role=Role.PRESENTER),
        make("3", "Design review", at(1, 9), provider=Provider.WHEREBY, account="Home"),
        make("4", "Phone-only sync", at(2, 11), join_url=None, number="5550100199"),
        make("5", "Board briefing", at(9, 16)),
        make("6", "Standing room", None, provider=Provider.SKYPE, account="Lync"),
    ]


@pytest.fixture
def window(qtbot: Any) -> MainWindow:
    win = MainWindow(clock=lambda: NOW, tz=UTC)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    return win


def shown_titles(win: MainWindow) -> list[str]:
    return [win.proxy.meeting_at(r).title for r in range(win.proxy.rowCount())]


def status_entries(win: MainWindow) -> dict[str, QWidget]:
    """The widgets in the sidebar's account list, by account name (from their object name)."""
    found: dict[str, QWidget] = {}
    for i in range(win.accounts_box.count()):
        item = win.accounts_box.itemAt(i)
        widget = item.widget() if item is not None else None
        if widget is not None:
            found[widget.objectName().removeprefix("status:")] = widget
    return found


def text_of(widget: QWidget) -> str:
    assert isinstance(widget, QLabel | QPushButton)
    return widget.text()


# ---- welcome page ----------------------------------------------------------------------------


def test_without_accounts_the_welcome_page_offers_three_ways_in(
    qtbot: Any, window: MainWindow
) -> None:
    assert window.pages.currentWidget() is window.empty_page
    assert window.empty_page.isVisible()
    titles = [label.text() for label in window.empty_page.findChildren(QLabel)]
    assert "Welcome to Meeting Launcher" in titles
    for button, signal in (
        (window.empty_add, window.add_account_requested),
        (window.empty_demo, window.demo_requested),
        (window.empty_join, window.join_link_requested),
    ):
        assert button.isVisible() and button.isEnabled()
        with qtbot.waitSignal(signal, timeout=1000):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert [b.text() for b in (window.empty_add, window.empty_demo, window.empty_join)] == [
        "Add account…", "Try the demo", "Join a meeting link…"
    ]


def test_each_welcome_button_emits_only_its_own_request(qtbot: Any, window: MainWindow) -> None:
    seen: list[str] = []
    window.add_account_requested.connect(lambda: seen.append("add"))
    window.demo_requested.connect(lambda: seen.append("demo"))
    window.join_link_requested.connect(lambda: seen.append("join"))
    qtbot.mouseClick(window.empty_demo, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.empty_join, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(window.empty_add, Qt.MouseButton.LeftButton)
    assert seen == ["demo", "join", "add"]


def test_set_accounts_shows_the_main_page_and_fills_the_account_filter(
    window: MainWindow,
) -> None:
    window.set_accounts(["Work", "Home"])
    assert window.pages.currentIndex() == 1 and not window.empty_page.isVisible()
    assert window.agenda.isVisible()
    combo = window.account_filter
    assert [combo.itemText(i) for i in range(combo.count())] == ["All accounts", "Work", "Home"]
    assert [combo.itemData(i) for i in range(combo.count())] == [None, "Work", "Home"]
    # The chosen account survives a refresh of the list, and is dropped when it goes away.
    combo.setCurrentIndex(2)
    window.set_accounts(["Home", "Lync", "Work"])
    assert combo.currentData() == "Home"
    assert window.proxy.account == "Home"
    window.set_accounts(["Work"])
    assert combo.currentData() is None
    window.set_accounts([])
    assert window.pages.currentWidget() is window.empty_page


# ---- agenda, selection, filters ---------------------------------------------------------------


def test_set_meetings_fills_the_agenda_and_keeps_the_selection(window: MainWindow) -> None:
    window.set_accounts(["Work", "Home", "Lync"])
    meetings = sample()
    window.set_meetings(meetings)
    assert sorted(shown_titles(window)) == sorted(m.title for m in meetings)
    assert window.details.meeting is None

    window.select_meeting(meetings[2])
    assert window.agenda.current_meeting() == meetings[2]
    assert window.details.meeting == meetings[2]

    # A refresh brings the same meeting (renamed) among new ones: still selected, updated.
    renamed = dataclasses.replace(meetings[2], title="Design review (moved)")
    fresh = [make("7", "Brand new", at(0, 8)), renamed, *meetings[:2], *meetings[3:]]
    window.set_meetings(fresh)
    assert window.model.rowCount() == len(fresh)
    assert window.agenda.current_meeting() == renamed
    assert window.details.meeting == renamed
    selected = window.agenda.selectionModel().selectedIndexes()
    assert [window.proxy.meeting_at(i.row()).title for i in selected] == [
        "Design review (moved)"
    ]

    # When the selected meeting is gone, the details pane empties instead of showing it.
    window.set_meetings([m for m in fresh if m.id != "3"])
    assert window.details.meeting is None


def test_activating_a_meeting_requests_a_join(qtbot: Any, window: MainWindow) -> None:
    window.set_accounts(["Work"])
    meetings = sample()
    window.set_meetings(meetings)
    window.select_meeting(meetings[0])
    window.agenda.setFocus()
    with qtbot.waitSignal(window.join_requested, timeout=1000) as blocker:
        qtbot.keyClick(window.agenda, Qt.Key.Key_Return)
    assert blocker.args == [meetings[0]]


def test_search_box_filters_the_agenda(qtbot: Any, window: MainWindow) -> None:
    window.set_accounts(["Work", "Home"])
    window.set_meetings(sample())
    qtbot.keyClicks(window.search, "planning")
    assert shown_titles(window) == ["Weekly planning"]
    window.search.clear()
    qtbot.keyClicks(window.search, "5550100199")  # the meeting number is searched too
    assert shown_titles(window) == ["Phone-only sync"]
    window.search.clear()
    assert window.proxy.rowCount() == len(sample())


def test_provider_filter(window: MainWindow) -> None:
    window.set_accounts(["Work", "Home"])
    window.set_meetings(sample())
    combo = window.provider_filter
    assert combo.itemData(0) is None
    assert {combo.itemData(i) for i in range(1, combo.count())} == {p.value for p in Provider}
    combo.setCurrentIndex(combo.findData("joinme"))
    assert shown_titles(window) == ["Customer call"]
    combo.setCurrentIndex(combo.findData("bluejeans"))
    assert set(shown_titles(window)) == {"Weekly planning", "Phone-only sync", "Board briefing"}
    combo.setCurrentIndex(0)
    assert window.proxy.rowCount() == len(sample())


def test_account_filter(window: MainWindow) -> None:
    window.set_accounts(["Work", "Home", "Lync"])
    window.set_meetings(sample())
    combo = window.account_filter
    combo.setCurrentIndex(combo.findData("Home"))
    assert set(shown_titles(window)) == {"Customer call", "Design review"}
    combo.setCurrentIndex(combo.findData("Lync"))
    assert shown_titles(window) == ["Standing room"]
    combo.setCurrentIndex(0)
    assert window.proxy.rowCount() == len(sample())


def test_link_only_filter_and_filters_combine(qtbot: Any, window: MainWindow) -> None:
    window.set_accounts(["Work", "Home"])
    window.set_meetings(sample())
    qtbot.mouseClick(window.link_only, Qt.MouseButton.LeftButton)
    assert window.link_only.isChecked()
    assert "Phone-only sync" not in shown_titles(window)
    assert len(shown_titles(window)) == len(sample()) - 1
    window.account_filter.setCurrentIndex(window.account_filter.findData("Work"))
    assert set(shown_titles(window)) == {"Weekly planning", "Board briefing"}
    qtbot.mouseClick(window.link_only, Qt.MouseButton.LeftButton)
    assert set(shown_titles(window)) == {"Weekly planning", "Board briefing", "Phone-only sync"}


# ---- statuses --------------------------------------------------------------------------------


def test_set_statuses_shows_each_account_state(qtbot: Any, window: MainWindow) -> None:
    window.set_accounts(["Work", "Home", "Lync"])
    window.set_statuses({
        "Work": ("up to date", "up to date"),
        "Home": ("offline", "offline since 08:55"),
        "Lync": ("syncing", "syncing"),
    })
    entries = status_entries(window)
    assert set(entries) == {"Work", "Home", "Lync"}
    assert "Work — up to date" in text_of(entries["Work"])
    assert "Home — offline since 08:55" in text_of(entries["Home"])
    assert "Lync — syncing" in text_of(entries["Lync"])
    qtbot.waitUntil(lambda: all(w.isVisible() for w in entries.values()), timeout=1000)
    assert window.sync_label.text() == "Syncing 1 account…"

    # A new round replaces the entries (no duplicates) and says when all are checked.
    window.set_statuses({"Work": ("up to date", "up to date"), "Home": ("failed", "failed")})
    entries = status_entries(window)
    assert set(entries) == {"Work", "Home"}
    assert "Home — failed" in text_of(entries["Home"])
    assert window.sync_label.text() == "1 account failed"
    window.set_statuses({"Work": ("up to date", "up to date"),
                         "Home": ("sign-in needed", "sign-in needed"),
                         "Lync": ("offline", "offline since 09:00")})
    assert window.sync_label.text() == "1 account needs sign-in, 1 account offline"
    window.set_statuses({"Work": ("up to date", "up to date")})
    assert window.sync_label.text() == "All accounts up to date"


def test_sign_in_needed_entry_asks_to_sign_in(qtbot: Any, window: MainWindow) -> None:
    window.set_accounts(["Work", "Home"])
    window.set_statuses({
        "Work": ("sign-in needed", "sign-in needed"),
        "Home": ("up to date", "up to date"),
    })
    entries = status_entries(window)
    button = entries["Work"]
    assert isinstance(button, QPushButton)
    assert "sign-in needed" in button.text()
    assert not isinstance(entries["Home"], QPushButton)
    with qtbot.waitSignal(window.sign_in_requested, timeout=1000) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["Work"]


# ---- messages --------------------------------------------------------------------------------


def test_info_message_hides_by_itself(qtbot: Any, window: MainWindow) -> None:
    window.set_accounts(["Work"])
    window.message_ms = 80
    window.show_message("Link copied")
    assert window.banner.isVisible() and window.banner.text() == "Link copied"
    assert window.banner.property("error") is False
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=2000)


def test_error_message_stays_until_the_next_message(qtbot: Any, window: MainWindow) -> None:
    window.set_accounts(["Work"])
    window.message_ms = 50
    window.show_message("Saved")
    window.show_message("join.me: the service is unavailable", error=True)
    qtbot.wait(200)
    assert window.banner.isVisible()
    assert window.banner.text() == "join.me: the service is unavailable"
    assert window.banner.property("error") is True
    window.show_message("Back online")
    assert window.banner.property("error") is False
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=2000)


def test_copying_in_the_details_says_so_in_the_banner(qtbot: Any, window: MainWindow) -> None:
    window.set_accounts(["Work"])
    meetings = sample()
    window.set_meetings(meetings)
    window.select_meeting(meetings[0])
    qtbot.mouseClick(window.details.copy_link_button, Qt.MouseButton.LeftButton)
    assert window.banner.isVisible() and window.banner.text() == "Link copied"


# ---- views and days --------------------------------------------------------------------------


def test_set_view_switches_between_agenda_and_week(window: MainWindow) -> None:
    window.set_accounts(["Work"])
    window.set_view("week")
    assert window.center.currentWidget() is window.week
    assert window.week_action.isChecked() and not window.agenda_action.isChecked()
    assert window.week.isVisible() and not window.agenda.isVisible()
    window.set_view("agenda")
    assert window.center.currentWidget() is window.agenda
    assert window.agenda_action.isChecked()
    # The toolbar actions do the same.
    window.week_action.trigger()
    assert window.center.currentWidget() is window.week
    window.agenda_action.trigger()
    assert window.center.currentWidget() is window.agenda


def test_picking_a_day_in_the_month_selects_it_in_the_agenda(
    qtbot: Any, window: MainWindow
) -> None:
    window.set_accounts(["Work", "Home"])
    meetings = sample()
    window.set_meetings(meetings)
    calendar = window.month.calendar()
    day = at(2, 0).date()
    window.month.set_day(day)
    calendar.setFocus()
    qtbot.keyClick(calendar, Qt.Key.Key_Return)
    assert window.agenda.current_meeting() == meetings[3]  # "Phone-only sync", that day
    assert window.details.meeting == meetings[3]
    assert window.week.selected_day() == day

    # A day without meetings selects the next meeting after it.
    empty_day = at(4, 0).date()
    window.month.set_day(empty_day)
    qtbot.keyClick(calendar, Qt.Key.Key_Return)
    assert window.agenda.current_meeting() == meetings[4]  # "Board briefing", day 9


def test_a_deferred_window_builds_the_month_and_the_details_when_completed(
    qtbot: Any,
) -> None:
    win = MainWindow(clock=lambda: NOW, tz=UTC, defer_month=True)
    qtbot.addWidget(win)
    win.set_accounts(["Work", "Home"])
    meetings = sample()
    win.set_meetings(meetings)
    win.show()
    qtbot.waitExposed(win)
    win.agenda.select_meeting(meeting_key(meetings[1]))
    assert win.findChildren(MonthView) == []
    assert win.details.meeting is None  # held back until complete()

    win.complete()
    [month] = win.findChildren(MonthView)
    assert month is win.month and win._side.itemAt(0).widget() is month
    assert win.details.meeting == meetings[1]
    # From now on the details follow the agenda at once, and the month is wired up.
    win.agenda.select_meeting(meeting_key(meetings[2]))
    assert win.details.meeting == meetings[2]
    month.set_day(at(2, 0).date())
    month.calendar().setFocus()
    qtbot.keyClick(month.calendar(), Qt.Key.Key_Return)
    assert win.agenda.current_meeting() == meetings[3]
    win.complete()  # twice is harmless
    assert win.findChildren(MonthView) == [month]


def test_today_action_goes_back_to_today(window: MainWindow) -> None:
    window.set_accounts(["Work", "Home"])
    meetings = sample()
    window.set_meetings(meetings)
    window.select_meeting(meetings[4])
    window.month.set_day(dt.date(2030, 6, 1))
    window.week.set_day(dt.date(2030, 6, 1))
    window.today_action.trigger()
    assert window.month.selected_day() == NOW.date()
    assert window.week.selected_day() == NOW.date()
    assert window.agenda.current_meeting() == meetings[0]  # the first meeting today


def test_today_follows_the_clock_not_the_last_refresh(qtbot: Any) -> None:
    now = [NOW]
    win = MainWindow(clock=lambda: now[0], tz=UTC)
    qtbot.addWidget(win)
    win.set_accounts(["Work"])
    meetings = sample()
    win.set_meetings(meetings)
    now[0] = NOW + dt.timedelta(days=2)  # the window stayed open over two nights
    win.today_action.trigger()
    assert win.month.selected_day() == now[0].date()
    assert win.week.selected_day() == now[0].date()
    assert win.agenda.current_meeting() == meetings[3]


# ---- closing ---------------------------------------------------------------------------------


def test_close_hides_to_the_tray_when_there_is_one(qtbot: Any, window: MainWindow) -> None:
    window.keep_running_in_tray = True
    with qtbot.waitSignal(window.close_requested, timeout=1000):
        closed = window.close()
    assert closed is False
    assert not window.isVisible()


def test_close_without_a_tray_closes_and_asks_to_quit(qtbot: Any, window: MainWindow) -> None:
    window.keep_running_in_tray = False
    with qtbot.waitSignal(window.close_requested, timeout=1000):
        closed = window.close()
    assert closed is True
    assert not window.isVisible()
