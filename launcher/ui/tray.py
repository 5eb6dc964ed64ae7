"""The system tray icon: next meeting and countdown, quick join menu, reminders."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from launcher import APP_NAME
from launcher.core.agenda import (
    DEFAULT_GRACE,
    countdown,
    next_meeting,
    next_reminder_at,
    reminder_key,
    reminders_due,
)
from launcher.core.models import Meeting
from launcher.ui.icons import provider_icon

CLOSED_TO_TRAY_MESSAGE = "Meeting Launcher is still running in the tray"

#: How often labels, the tooltip and the countdown are refreshed.
TICK_MS = 30_000
#: At most this many of today's meetings are listed; the rest are one click away in the window.
MAX_TODAY_ITEMS = 12
#: How long a reminder stays on screen (the desktop may keep it longer or shorter).
REMINDER_MS = 15_000
#: Fired a little after the due instant, so the tick surely sees the reminder as due.
_REMINDER_SLACK_MS = 50
#: QTimer intervals are 32-bit milliseconds; re-aim at least hourly (ticks re-aim anyway).
_MAX_TIMER_MS = 3_600_000
#: Titles longer than this are shortened in menus, tooltips and notifications.
_MAX_TITLE = 60
#: A meeting just after midnight still counts as "next" in the evening.
_LOOK_AHEAD = dt.timedelta(hours=1)

TrayFactory = Callable[[QIcon, QObject], QSystemTrayIcon]


def _own_link(meeting: Meeting) -> bool:
    return bool(meeting.join_url or meeting.conference_url)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _short(title: str) -> str:
    title = " ".join(title.split()) or "(untitled)"
    return title if len(title) <= _MAX_TITLE else title[: _MAX_TITLE - 1].rstrip() + "…"


def _menu_text(text: str) -> str:
    """Escape ``&`` so Qt does not turn it into a keyboard mnemonic."""
    return text.replace("&", "&&")


class TrayController(QObject):
    """Owns the tray icon and its menu; emits ``*_requested`` intents, never joins itself.

    Feed it meetings with :meth:`set_meetings`. Every 30 s (and right before the menu
    opens) :meth:`tick` refreshes the tooltip and the labels and shows due reminders; a
    single-shot timer aimed at the next reminder time keeps reminders on the minute.
    Where the platform has no system tray, :attr:`available` is false and nothing is
    shown; the signals still work, and :attr:`reminder_shown` still fires so the window
    can remind in its own way.
    """

    join_requested = Signal(object)
    join_clipboard_requested = Signal()
    add_meeting_requested = Signal()
    adhoc_requested = Signal()
    show_window_requested = Signal()
    toggle_window_requested = Signal()
    quit_requested = Signal()
    #: A reminder was shown (or was due, where no tray exists); carries the Meeting.
    reminder_shown = Signal(object)

    def __init__(
        self,
        icon: QIcon,
        parent: QObject | None = None,
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
        tz: dt.tzinfo | None = None,
        tray_factory: TrayFactory = QSystemTrayIcon,
        available: bool | None = None,
    ) -> None:
        """Create the tray icon and show it where a system tray exists.

        Args:
            icon: The app icon, for the tray and for notifications.
            parent: The Qt parent.
            clock: Returns the aware current time (tests inject a fake).
            tz: The zone times are shown in; None means the system's local zone.
            tray_factory: Builds the QSystemTrayIcon (tests pass a fake).
            available: Whether a system tray exists; None asks Qt.

        """
        super().__init__(parent)
        self._icon = icon
        self._clock = clock
        self._tz = tz
        self.available: bool = (
            QSystemTrayIcon.isSystemTrayAvailable() if available is None else available
        )
        self._meetings: tuple[Meeting, ...] = ()
        self._all: tuple[Meeting, ...] = ()
        self._window_day: dt.date | None = None
        self._reminder_minutes: int | None = 1
        self._grace = DEFAULT_GRACE
        self._has_link: Callable[[Meeting], bool] = _own_link
        self._shown: set[str] = set()
        self._next: Meeting | None = None
        self._tooltip = ""
        # What clicking the last notification does: join this meeting, or open the window.
        self._click_meeting: Meeting | None = None
        self._today_keys: tuple[str, ...] = ()
        self._today_actions: list[QAction] = []
        self._scheduled_reminder: dt.datetime | None = None

        self._menu = QMenu()
        self._menu.setObjectName("trayMenu")
        self._build_menu()

        self._tray = tray_factory(icon, self)
        self._tray.setContextMenu(self._menu)
        self._tray.activated.connect(self._on_tray_activated)
        self._tray.messageClicked.connect(self._on_tray_message_clicked)

        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(TICK_MS)
        self._tick_timer.timeout.connect(self.tick)
        self._reminder_timer = QTimer(self)
        self._reminder_timer.setSingleShot(True)
        self._reminder_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._reminder_timer.timeout.connect(self.tick)

        self.tick()
        self._tick_timer.start()
        if self.available:
            self._tray.show()

    # ------------------------------------------------------------ public API

    def set_meetings(self, meetings: Sequence[Meeting]) -> None:
        """Replace the meetings (all accounts); refreshes at once."""
        self._all = tuple(meetings)
        self._window_day = None
        self.tick()

    def _narrow(self, now: dt.datetime) -> None:
        """Keep only what the tray can show or remind about: now to two days ahead.

        The tray looks at its meetings every 30 s; scanning thousands each time would
        cost the event loop for nothing. Re-narrowed once a day and on every update.
        """
        day = now.date()
        if self._window_day == day:
            return
        self._window_day = day
        lo, hi = now - dt.timedelta(days=1), now + dt.timedelta(days=2)
        self._meetings = tuple(
            m for m in self._all
            if m.start is not None and m.start <= hi and (m.end or m.start) >= lo
        )

    def set_reminder_minutes(self, minutes: int | None) -> None:
        """Remind this many minutes before each meeting starts; None turns reminders off."""
        self._reminder_minutes = None if minutes is None else max(0, int(minutes))
        self.tick()

    def set_link_checker(self, checker: Callable[[Meeting], bool]) -> None:
        """Tell "Join next" which meetings have a link (also one found in the event text)."""
        self._has_link = checker
        self.tick()

    def set_grace_minutes(self, minutes: int) -> None:
        """Keep offering a started meeting as "next" for this many minutes."""
        self._grace = dt.timedelta(minutes=max(0, int(minutes)))
        self.tick()

    def tick(self) -> None:
        """Refresh the tooltip and menu labels, show due reminders, re-aim the timer."""
        now = self._clock()
        self._narrow(now)
        self._next = self._pick_next(now)
        self._update_tooltip(now)
        self._update_join_next(now)
        self._update_today(now)
        self._remind(now)
        self._schedule_reminder(now)

    def show_closed_to_tray_notice(self) -> None:
        """Say once that closing the window left the app running (the caller tracks "once")."""
        self._click_meeting = None
        if self.available:
            self._tray.showMessage(
                APP_NAME,
                f"{CLOSED_TO_TRAY_MESSAGE}. Quit from its menu.",
                self._icon,
                REMINDER_MS,
            )

    def shutdown(self) -> None:
        """Stop the timers and remove the icon from the tray (call before quitting)."""
        self._tick_timer.stop()
        self._reminder_timer.stop()
        self._tray.hide()

    def menu(self) -> QMenu:
        """Return the tray's context menu."""
        return self._menu

    def tooltip(self) -> str:
        """Return the tray's current tooltip text."""
        return self._tooltip

    def next_meeting(self) -> Meeting | None:
        """Return the meeting "Join next" joins, as of the last tick."""
        return self._next

    def scheduled_reminder(self) -> dt.datetime | None:
        """Return when the reminder timer fires next (None when no reminder is pending)."""
        return self._scheduled_reminder if self._reminder_timer.isActive() else None

    def reminder_timer_interval(self) -> int | None:
        """Return the reminder timer's interval in ms while it is armed, else None."""
        return self._reminder_timer.interval() if self._reminder_timer.isActive() else None

    # ------------------------------------------------------------ menu

    def _build_menu(self) -> None:
        menu = self._menu
        self._join_next_action = menu.addAction("No upcoming meeting")
        self._join_next_action.setObjectName("joinNext")
        self._join_next_action.setEnabled(False)
        self._join_next_action.triggered.connect(self._on_join_next_triggered)
        self._today_section = menu.addSection("Today")
        self._today_section.setVisible(False)
        self._more_action = menu.addAction("More in the window…")
        self._more_action.setVisible(False)
        self._more_action.triggered.connect(self.show_window_requested)
        self._tools_separator = menu.addSeparator()
        clipboard = menu.addAction("Join link from clipboard")
        clipboard.setObjectName("joinClipboard")
        clipboard.triggered.connect(self.join_clipboard_requested)
        add_meeting = menu.addAction("Add meeting…")
        add_meeting.setObjectName("addMeeting")
        add_meeting.triggered.connect(self.add_meeting_requested)
        adhoc = menu.addAction("New ad hoc meeting")
        adhoc.setObjectName("adhoc")
        adhoc.triggered.connect(self.adhoc_requested)
        menu.addSeparator()
        open_window = menu.addAction(f"Open {APP_NAME}")
        open_window.setObjectName("openWindow")
        open_window.triggered.connect(self.show_window_requested)
        quit_action = menu.addAction("Quit")
        quit_action.setObjectName("quit")
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.quit_requested)
        # Labels are fresh whenever the menu opens, not up to 30 s old.
        menu.aboutToShow.connect(self.tick)

    def _pick_next(self, now: dt.datetime) -> Meeting | None:
        has_link = self._has_link
        candidates = [m for m in self._meetings if has_link(m)]
        meeting = next_meeting(candidates, now, grace=self._grace, need_link=False)
        if meeting is None or meeting.start is None:
            return None
        if self._local(meeting.start).date() == self._local(now).date():
            return meeting
        return meeting if meeting.start - now <= _LOOK_AHEAD else None

    def _update_tooltip(self, now: dt.datetime) -> None:
        nxt = self._next
        if nxt is not None and nxt.start is not None:
            text = f"{APP_NAME} — next: {_short(nxt.title)} {countdown(nxt.start, now)}"
        else:
            text = f"{APP_NAME} — No more meetings today"
        self._tooltip = text
        self._tray.setToolTip(text)

    def _update_join_next(self, now: dt.datetime) -> None:
        nxt = self._next
        action = self._join_next_action
        if nxt is None or nxt.start is None:
            action.setText("No upcoming meeting")
            action.setEnabled(False)
            return
        action.setText(_menu_text(f"Join next: {_short(nxt.title)} ({countdown(nxt.start, now)})"))
        action.setEnabled(True)

    def _remaining_today(self, now: dt.datetime) -> list[Meeting]:
        today = self._local(now).date()
        out = []
        for meeting in self._meetings:
            if meeting.start is None or self._local(meeting.start).date() != today:
                continue
            over = meeting.end if meeting.end is not None else meeting.start + self._grace
            if over > now:
                out.append(meeting)
        return sorted(out, key=Meeting.sort_key)

    def _update_today(self, now: dt.datetime) -> None:
        remaining = self._remaining_today(now)
        shown = remaining[:MAX_TODAY_ITEMS]
        keys = tuple(reminder_key(m) for m in shown)
        if keys == self._today_keys:
            # Same meetings: keep the actions (the menu may be open), refresh the text.
            for action, meeting in zip(self._today_actions, shown, strict=True):
                action.setText(self._today_label(meeting))
        else:
            for action in self._today_actions:
                self._menu.removeAction(action)
                action.deleteLater()
            self._today_actions = []
            for meeting in shown:
                action = QAction(
                    provider_icon(meeting.provider), self._today_label(meeting), self._menu
                )
                action.triggered.connect(
                    lambda _checked=False, m=meeting: self.join_requested.emit(m)
                )
                self._menu.insertAction(self._more_action, action)
                self._today_actions.append(action)
            self._today_keys = keys
        self._today_section.setVisible(bool(shown))
        hidden = len(remaining) - len(shown)
        self._more_action.setVisible(hidden > 0)
        self._more_action.setText(f"{hidden} more today in the window…")

    def _today_label(self, meeting: Meeting) -> str:
        assert meeting.start is not None
        return _menu_text(f"{self._local(meeting.start):%H:%M}  {_short(meeting.title)}")

    def _local(self, value: dt.datetime) -> dt.datetime:
        return value.astimezone(self._tz) if self._tz is not None else value.astimezone()

    # ------------------------------------------------------------ reminders

    def _remind(self, now: dt.datetime) -> None:
        due = reminders_due(self._meetings, now, self._reminder_minutes, self._shown)
        if not due:
            return
        self._shown.update(reminder_key(m) for m in due)
        if len(due) == 1:
            meeting = due[0]
            title = _short(meeting.title)
            body = f"{self._when_text(meeting, now)} on {meeting.provider.label}. Click to join."
            self._click_meeting = meeting
        else:
            # One notification for several: clicking cannot say which, so it opens the window.
            title = f"{len(due)} meetings are starting"
            body = "\n".join(
                f"{self._when_text(m, now)}: {_short(m.title)} ({m.provider.label})" for m in due
            )
            self._click_meeting = None
        if self.available:
            self._tray.showMessage(title, body, self._icon, REMINDER_MS)
        for meeting in due:
            self.reminder_shown.emit(meeting)

    def _when_text(self, meeting: Meeting, now: dt.datetime) -> str:
        assert meeting.start is not None
        when = countdown(meeting.start, now)
        clock = f"{self._local(meeting.start):%H:%M}"
        if when == "now":
            return f"Starts now ({clock})"
        if when.startswith("in "):
            return f"Starts {when} ({clock})"
        return f"Started {when.removeprefix('started ')} ({clock})"

    def _schedule_reminder(self, now: dt.datetime) -> None:
        at = next_reminder_at(self._meetings, now, self._reminder_minutes, self._shown)
        self._scheduled_reminder = at
        if at is None:
            self._reminder_timer.stop()
            return
        ms = int((at - now).total_seconds() * 1000) + _REMINDER_SLACK_MS
        self._reminder_timer.start(max(0, min(ms, _MAX_TIMER_MS)))

    # ------------------------------------------------------------ slots

    def _on_join_next_triggered(self) -> None:
        if self._next is not None:
            self.join_requested.emit(self._next)

    def _on_tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        # On macOS any click opens the menu; toggling the window as well would fight it.
        if reason == QSystemTrayIcon.ActivationReason.Trigger and sys.platform != "darwin":
            self.toggle_window_requested.emit()

    def _on_tray_message_clicked(self) -> None:
        if self._click_meeting is not None:
            self.join_requested.emit(self._click_meeting)
        else:
            self.show_window_requested.emit()
