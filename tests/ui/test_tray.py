"""TrayController: menu, tooltip, left click, reminders and their timer (fake tray)."""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Iterator
from types import EllipsisType
from typing import Any

import pytest
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QSystemTrayIcon

from launcher.core.models import Meeting, Provider
from launcher.ui.tray import MAX_TODAY_ITEMS, TrayController

TZ = dt.timezone(dt.timedelta(hours=2), "CEST")
#: Saturday 2026-11-21 09:00 local.
BASE = dt.datetime(2026, 11, 21, 9, 0, tzinfo=TZ)


class FakeTray(QSystemTrayIcon):
    """Records what the controller asks of the tray instead of talking to a real one."""

    def __init__(self, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(icon, parent)
        self.visible = False
        self.tip = ""
        self.messages: list[tuple[str, str]] = []

    def show(self) -> None:
        self.visible = True

    def hide(self) -> None:
        self.visible = False

    def setToolTip(self, tip: str) -> None:
        self.tip = tip

    def showMessage(self, title: str, msg: str, *args: Any) -> None:
        self.messages.append((title, msg))


class Clock:
    """A settable clock."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


def meeting(
    mid: str,
    title: str,
    start: dt.datetime | None,
    minutes: int = 30,
    *,
    provider: Provider = Provider.BLUEJEANS,
    link: bool = True,
) -> Meeting:
    end = start + dt.timedelta(minutes=minutes) if start is not None else None
    return Meeting(
        id=mid,
        account="work",
        provider=provider,
        title=title,
        start=start,
        end=end,
        join_url=f"https://example.test/{mid}" if link else None,
    )


def at(hour: int, minute: int = 0, second: int = 0, *, days: int = 0) -> dt.datetime:
    return BASE.replace(hour=hour, minute=minute, second=second) + dt.timedelta(days=days)


Factory = Callable[..., tuple[TrayController, FakeTray]]


@pytest.fixture
def make_tray(qapp: Any) -> Iterator[Factory]:
    made: list[TrayController] = []

    def factory(
        meetings: list[Meeting] | None = None,
        *,
        clock: Clock | Callable[[], dt.datetime] | None = None,
        available: bool = True,
        reminder: int | EllipsisType | None = None,
    ) -> tuple[TrayController, FakeTray]:
        trays: list[FakeTray] = []

        def tray_factory(icon: QIcon, parent: QObject) -> FakeTray:
            trays.append(FakeTray(icon, parent))
            return trays[-1]

        controller = TrayController(
            QIcon(),
            clock=clock or Clock(BASE),
            tz=TZ,
            tray_factory=tray_factory,
            available=available,
        )
        made.append(controller)
        if not isinstance(reminder, EllipsisType):  # ... keeps the controller's default
            controller.set_reminder_minutes(reminder)
        if meetings is not None:
            controller.set_meetings(meetings)
        return controller, trays[0]

    yield factory
    for controller in made:
        controller.shutdown()
        controller.deleteLater()


def layout(controller: TrayController) -> list[str]:
    """The visible menu as text: separators as "---", sections as "[title]"."""
    out = []
    for action in controller.menu().actions():
        if not action.isVisible():
            continue
        if action.isSeparator():
            out.append(f"[{action.text()}]" if action.text() else "---")
        else:
            out.append(action.text())
    return out


def action_named(controller: TrayController, text: str) -> QAction:
    matches = [a for a in controller.menu().actions() if a.text() == text and a.isVisible()]
    assert len(matches) == 1, layout(controller)
    return matches[0]


def recorder(signal: Any) -> list[tuple[Any, ...]]:
    calls: list[tuple[Any, ...]] = []
    signal.connect(lambda *args: calls.append(args))
    return calls


# ---------------------------------------------------------------- menu


def test_menu_lists_next_then_todays_remaining_then_tools(make_tray: Factory) -> None:
    done = meeting("1", "Early sync", at(7), 30)
    running = meeting("2", "Design review", at(8, 45), 60)
    soon = meeting("3", "Standup", at(9, 5), 15)
    later = meeting("4", "1:1 with Ana", at(16, 30), 30)
    tomorrow = meeting("5", "Planning", at(9, 5, days=1))
    timeless = meeting("6", "Skype space", None)
    controller, _ = make_tray([later, tomorrow, timeless, soon, done, running])

    assert layout(controller) == [
        "Join next: Standup (in 5 min)",
        "[Today]",
        "08:45  Design review",
        "09:05  Standup",
        "16:30  1:1 with Ana",
        "---",
        "Join link from clipboard",
        "Add meeting…",
        "New ad hoc meeting",
        "---",
        "Open Meeting Launcher",
        "Quit",
    ]
    assert action_named(controller, "Join next: Standup (in 5 min)").isEnabled()


def test_times_are_shown_in_the_given_zone(make_tray: Factory) -> None:
    utc_start = dt.datetime(2026, 11, 21, 12, 15, tzinfo=dt.UTC)  # 14:15 at +02:00
    controller, _ = make_tray([meeting("1", "Lunch talk", utc_start)])
    assert "14:15  Lunch talk" in layout(controller)


def test_join_next_disabled_when_nothing_is_coming(make_tray: Factory) -> None:
    controller, _ = make_tray([meeting("1", "Old", at(7))])
    join_next = controller.menu().actions()[0]
    assert join_next.text() == "No upcoming meeting"
    assert not join_next.isEnabled()
    assert "[Today]" not in layout(controller)
    calls = recorder(controller.join_requested)
    join_next.trigger()
    assert calls == []


def test_join_next_skips_meetings_without_a_link(make_tray: Factory) -> None:
    nolink = meeting("1", "No link", at(9, 2), link=False)
    linked = meeting("2", "Linked", at(9, 30))
    controller, _ = make_tray([nolink, linked])
    assert layout(controller)[0] == "Join next: Linked (in 30 min)"
    # Both are still listed under Today: the join flow can handle a meeting without a link.
    assert "09:02  No link" in layout(controller)


def test_join_next_label_follows_the_clock(make_tray: Factory) -> None:
    clock = Clock(BASE)
    standup = meeting("1", "Standup", at(10), 15)
    controller, _ = make_tray([standup], clock=clock)
    assert layout(controller)[0] == "Join next: Standup (in 1 h)"
    clock.advance(minutes=55)
    controller.tick()
    assert layout(controller)[0] == "Join next: Standup (in 5 min)"
    clock.advance(minutes=8)
    controller.tick()
    assert layout(controller)[0] == "Join next: Standup (started 3 min ago)"
    clock.advance(minutes=10)  # 10:13: past the 10 minute grace
    controller.tick()
    assert layout(controller)[0] == "No upcoming meeting"


def test_grace_minutes_change_what_is_next(make_tray: Factory) -> None:
    late = meeting("1", "Started", at(8, 55), 60)
    upcoming = meeting("2", "Upcoming", at(9, 20))
    controller, _ = make_tray([late, upcoming])
    assert controller.next_meeting() == late
    controller.set_grace_minutes(2)
    assert controller.next_meeting() == upcoming
    assert layout(controller)[0] == "Join next: Upcoming (in 20 min)"


def test_next_after_midnight_counts_within_the_hour(make_tray: Factory) -> None:
    clock = Clock(at(23, 40))
    midnight = meeting("1", "Night shift", at(0, 20, days=1))
    controller, _ = make_tray([midnight], clock=clock)
    assert layout(controller)[0] == "Join next: Night shift (in 40 min)"
    clock.now = at(21, 0)
    controller.tick()
    assert layout(controller)[0] == "No upcoming meeting"
    assert controller.tooltip() == "Meeting Launcher — No more meetings today"


def test_each_meeting_action_joins_that_meeting(make_tray: Factory) -> None:
    a = meeting("a", "Alpha", at(10))
    b = meeting("b", "Beta", at(11))
    controller, _ = make_tray([a, b])
    calls = recorder(controller.join_requested)
    action_named(controller, "11:00  Beta").trigger()
    action_named(controller, "10:00  Alpha").trigger()
    action_named(controller, "Join next: Alpha (in 1 h)").trigger()
    assert calls == [(b,), (a,), (a,)]


def test_ampersand_in_titles_is_not_a_mnemonic(make_tray: Factory) -> None:
    controller, _ = make_tray([meeting("1", "R&D sync", at(10))])
    assert "10:00  R&&D sync" in layout(controller)
    assert layout(controller)[0] == "Join next: R&&D sync (in 1 h)"


def test_long_days_are_capped_with_a_link_to_the_window(make_tray: Factory) -> None:
    many = [meeting(str(i), f"Meeting {i:02d}", at(10, i * 2)) for i in range(15)]
    controller, _ = make_tray(many)
    items = [t for t in layout(controller) if t.startswith("10:")]
    assert len(items) == MAX_TODAY_ITEMS
    assert items[0] == "10:00  Meeting 00"
    more = action_named(controller, "3 more today in the window…")
    calls = recorder(controller.show_window_requested)
    more.trigger()
    assert calls == [()]


def test_actions_survive_a_tick_when_the_meetings_are_the_same(make_tray: Factory) -> None:
    clock = Clock(BASE)
    controller, _ = make_tray([meeting("1", "Alpha", at(10))], clock=clock)
    before = action_named(controller, "10:00  Alpha")
    clock.advance(seconds=30)
    controller.tick()
    assert action_named(controller, "10:00  Alpha") is before
    controller.set_meetings([meeting("1", "Alpha", at(10, 30))])
    assert "10:30  Alpha" in layout(controller)
    assert "10:00  Alpha" not in layout(controller)


def test_meetings_drop_off_the_menu_once_over(make_tray: Factory) -> None:
    clock = Clock(BASE)
    controller, _ = make_tray([meeting("1", "Alpha", at(9, 10), 20)], clock=clock)
    assert "09:10  Alpha" in layout(controller)
    clock.now = at(9, 31)
    controller.tick()
    assert "09:10  Alpha" not in layout(controller)
    assert "[Today]" not in layout(controller)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Join link from clipboard", "join_clipboard_requested"),
        ("Add meeting…", "add_meeting_requested"),
        ("New ad hoc meeting", "adhoc_requested"),
        ("Open Meeting Launcher", "show_window_requested"),
        ("Quit", "quit_requested"),
    ],
)
def test_fixed_actions_emit_their_signal(make_tray: Factory, text: str, signal: str) -> None:
    controller, _ = make_tray([])
    calls = recorder(getattr(controller, signal))
    others = {
        name: recorder(getattr(controller, name))
        for name in (
            "join_clipboard_requested",
            "add_meeting_requested",
            "adhoc_requested",
            "show_window_requested",
            "quit_requested",
        )
        if name != signal
    }
    action_named(controller, text).trigger()
    assert calls == [()]
    assert all(not c for c in others.values())


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS clicks open the menu")
def test_left_click_toggles_the_window(make_tray: Factory) -> None:
    controller, tray = make_tray([])
    toggles = recorder(controller.toggle_window_requested)
    tray.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    assert toggles == [()]
    tray.activated.emit(QSystemTrayIcon.ActivationReason.Context)
    assert toggles == [()]


# ---------------------------------------------------------------- tooltip and visibility


def test_tooltip_names_the_next_meeting_and_countdown(make_tray: Factory) -> None:
    controller, tray = make_tray([meeting("1", "Standup", at(9, 5))])
    assert controller.tooltip() == "Meeting Launcher — next: Standup in 5 min"
    assert tray.tip == controller.tooltip()


def test_tooltip_without_meetings_today(make_tray: Factory) -> None:
    controller, tray = make_tray([meeting("1", "Planning", at(9, 5, days=1))])
    assert controller.tooltip() == "Meeting Launcher — No more meetings today"
    assert tray.tip == "Meeting Launcher — No more meetings today"


def test_shown_only_where_a_tray_exists(make_tray: Factory) -> None:
    controller, tray = make_tray([], available=True)
    assert controller.available and tray.visible
    controller.shutdown()
    assert not tray.visible
    controller2, tray2 = make_tray([], available=False)
    assert not controller2.available and not tray2.visible
    controller2.show_closed_to_tray_notice()
    assert tray2.messages == []


def test_real_tray_factory_falls_back_offscreen(qapp: Any) -> None:
    controller = TrayController(QIcon(), clock=lambda: BASE, tz=TZ)
    try:
        assert controller.available is QSystemTrayIcon.isSystemTrayAvailable()
        assert controller.tooltip() == "Meeting Launcher — No more meetings today"
    finally:
        controller.shutdown()
        controller.deleteLater()


def test_closed_to_tray_notice_and_its_click(make_tray: Factory) -> None:
    controller, tray = make_tray([])
    shows = recorder(controller.show_window_requested)
    joins = recorder(controller.join_requested)
    controller.show_closed_to_tray_notice()
    assert tray.messages == [
        ("Meeting Launcher", "Meeting Launcher is still running in the tray. Quit from its menu.")
    ]
    tray.messageClicked.emit()
    assert shows == [()]
    assert joins == []


# ---------------------------------------------------------------- reminders


def test_reminder_is_due_n_minutes_before_and_shown_once(make_tray: Factory) -> None:
    clock = Clock(BASE)
    standup = meeting("1", "Standup", at(9, 10), provider=Provider.WHEREBY)
    controller, tray = make_tray([standup], clock=clock, reminder=5)
    reminded = recorder(controller.reminder_shown)
    assert tray.messages == []
    clock.now = at(9, 4, 59)
    controller.tick()
    assert tray.messages == []
    clock.now = at(9, 5)
    controller.tick()
    assert tray.messages == [("Standup", "Starts in 5 min (09:10) on Whereby. Click to join.")]
    assert reminded == [(standup,)]
    for _ in range(3):
        clock.advance(seconds=30)
        controller.tick()
    assert len(tray.messages) == 1


def test_reminder_default_is_one_minute(make_tray: Factory) -> None:
    clock = Clock(at(9, 8, 30))
    controller, tray = make_tray([meeting("1", "Standup", at(9, 10))], clock=clock, reminder=...)
    assert tray.messages == []
    assert controller.scheduled_reminder() == at(9, 9)
    clock.now = at(9, 9)
    controller.tick()
    assert tray.messages == [("Standup", "Starts in 1 min (09:10) on BlueJeans. Click to join.")]


def test_reminders_off_when_none(make_tray: Factory) -> None:
    clock = Clock(at(9, 9, 30))
    controller, tray = make_tray([meeting("1", "Standup", at(9, 10))], clock=clock, reminder=None)
    clock.advance(seconds=30)
    controller.tick()
    assert tray.messages == []
    assert controller.scheduled_reminder() is None
    assert controller.reminder_timer_interval() is None


def test_each_occurrence_is_reminded_once(make_tray: Factory) -> None:
    clock = Clock(at(9, 9))
    first = meeting("daily", "Standup", at(9, 10))
    controller, tray = make_tray([first], clock=clock, reminder=1)
    assert [t for t, _ in tray.messages] == ["Standup"]
    controller.set_meetings([first])  # a refresh of the same occurrence
    assert len(tray.messages) == 1
    moved = meeting("daily", "Standup", at(9, 9, 30))  # moved: a new occurrence
    controller.set_meetings([moved])
    assert len(tray.messages) == 2


def test_late_reminder_still_shows_just_after_the_start(make_tray: Factory) -> None:
    clock = Clock(at(9, 10, 30))  # e.g. the computer woke up after the reminder time
    controller, tray = make_tray([meeting("1", "Standup", at(9, 10))], clock=clock, reminder=5)
    assert tray.messages == [("Standup", "Starts now (09:10) on BlueJeans. Click to join.")]
    clock.now = at(9, 12)
    controller.set_meetings([meeting("2", "Later", at(9, 0))])
    assert len(tray.messages) == 1


def test_clicking_a_reminder_joins_that_meeting(make_tray: Factory) -> None:
    clock = Clock(at(9, 5))
    a = meeting("a", "Alpha", at(9, 10))
    b = meeting("b", "Beta", at(9, 20))
    controller, tray = make_tray([a, b], clock=clock, reminder=5)
    joins = recorder(controller.join_requested)
    tray.messageClicked.emit()
    assert joins == [(a,)]
    clock.now = at(9, 15)
    controller.tick()
    tray.messageClicked.emit()
    assert joins == [(a,), (b,)]


def test_simultaneous_reminders_are_one_notification(make_tray: Factory) -> None:
    clock = Clock(at(9, 55))
    a = meeting("a", "Alpha", at(10), provider=Provider.JOINME)
    b = meeting("b", "Beta", at(10), provider=Provider.SKYPE)
    controller, tray = make_tray([a, b], clock=clock, reminder=5)
    assert tray.messages == [
        (
            "2 meetings are starting",
            "Starts in 5 min (10:00): Alpha (join.me)\n"
            "Starts in 5 min (10:00): Beta (Skype for Business)",
        )
    ]
    joins = recorder(controller.join_requested)
    shows = recorder(controller.show_window_requested)
    tray.messageClicked.emit()
    assert joins == []
    assert shows == [()]


def test_reminders_without_a_tray_are_still_reported(make_tray: Factory) -> None:
    clock = Clock(at(9, 9))
    standup = meeting("1", "Standup", at(9, 10))
    controller, tray = make_tray([], clock=clock, reminder=1, available=False)
    reminded = recorder(controller.reminder_shown)
    controller.set_meetings([standup])
    assert reminded == [(standup,)]
    assert tray.messages == []


def test_next_reminder_timer_is_aimed_at_the_reminder_time(make_tray: Factory) -> None:
    clock = Clock(BASE)
    a = meeting("a", "Alpha", at(9, 10))
    b = meeting("b", "Beta", at(9, 40))
    controller, _ = make_tray([b, a], clock=clock, reminder=5)
    assert controller.scheduled_reminder() == at(9, 5)
    interval = controller.reminder_timer_interval()
    assert interval is not None
    assert 5 * 60_000 <= interval <= 5 * 60_000 + 1000
    clock.now = at(9, 5)
    controller.tick()  # what the timer does when it fires
    assert controller.scheduled_reminder() == at(9, 35)
    controller.set_reminder_minutes(10)
    assert controller.scheduled_reminder() == at(9, 30)
    controller.set_reminder_minutes(None)
    assert controller.scheduled_reminder() is None


def test_far_reminders_are_re_aimed_within_the_hour(make_tray: Factory) -> None:
    controller, _ = make_tray([meeting("1", "Evening", at(20))], reminder=1)
    assert controller.scheduled_reminder() == at(19, 59)
    interval = controller.reminder_timer_interval()
    assert interval is not None
    assert interval <= 3_600_000


def test_reminder_timer_fires_on_time(make_tray: Factory, qtbot: Any) -> None:
    started = time.monotonic()

    def clock() -> dt.datetime:
        return BASE + dt.timedelta(seconds=time.monotonic() - started)

    # Due 0.3 s from now: 1 minute before a start 60.3 s ahead.
    soon = meeting("1", "Standup", BASE + dt.timedelta(seconds=60.3))
    controller, tray = make_tray([soon], clock=clock, reminder=1)
    assert tray.messages == []
    assert controller.reminder_timer_interval() is not None
    qtbot.waitUntil(lambda: bool(tray.messages), timeout=3000)
    assert tray.messages[0][0] == "Standup"
    assert time.monotonic() - started >= 0.3
