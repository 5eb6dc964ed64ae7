"""The main window: month calendar and account status, agenda or week, details.

It holds no domain data of its own: the meetings live in a MeetingListModel behind one
filter proxy shared by every view. Every action is a ``*_requested`` signal that the
controller carries out; the window imports no network code, so it can paint from the
cache before the network stack is even loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from launcher import APP_NAME
from launcher.core.filters import EventFilter
from launcher.core.models import Meeting, Provider
from launcher.ui.agenda_view import AgendaView
from launcher.ui.details import DetailsPane
from launcher.ui.icons import app_icon
from launcher.ui.linkinfo import LinkInfo
from launcher.ui.models import MeetingFilterProxy, MeetingListModel, meeting_key

if TYPE_CHECKING:  # imported when first built: neither is needed for the first paint
    from launcher.ui.calendar_views import MonthView, WeekView

#: What a per-account status carries: (state, text shown).
StatusRow = tuple[str, str]

_STATE_COLOURS = {
    "syncing": "#8a8f98",
    "up to date": "#2e9d5b",
    "offline": "#d08a1c",
    "sign-in needed": "#c0392b",
    "failed": "#c0392b",
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _summary(states: Sequence[str]) -> str:
    """Sum up the accounts' states for the status bar."""
    if not states:
        return ""

    def count(n: int, what: str) -> str:
        return f"{n} account{'s' if n != 1 else ''} {what}"

    syncing = states.count("syncing")
    if syncing:
        return f"Syncing {count(syncing, '')}…".replace(" …", "…")
    problems = [
        count(states.count(state), label)
        for state, label in (
            ("sign-in needed", "need sign-in" if states.count("sign-in needed") != 1
             else "needs sign-in"),
            ("offline", "offline"),
            ("failed", "failed"),
        )
        if states.count(state)
    ]
    return ", ".join(problems) if problems else "All accounts up to date"


class MainWindow(QMainWindow):
    """Agenda, calendar and details of every account's meetings."""

    refresh_requested = Signal()
    join_requested = Signal(object)
    #: (meeting, link): join through a link other than the first.
    join_with_requested = Signal(object, object)
    add_meeting_requested = Signal()
    start_requested = Signal(object)
    edit_requested = Signal(object)
    delete_requested = Signal(object)
    join_link_requested = Signal()
    schedule_requested = Signal()
    adhoc_requested = Signal()
    create_room_requested = Signal()
    add_account_requested = Signal()
    demo_requested = Signal()
    sign_in_requested = Signal(str)
    settings_requested = Signal()
    close_requested = Signal()

    #: How long an information message stays above the agenda (errors stay).
    message_ms = 6000

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], dt.datetime] = _now,
        tz: dt.tzinfo | None = None,
        defer_month: bool = False,
    ) -> None:
        """Build the window; *defer_month*: leave some of it to :meth:`complete`.

        The app defers the month calendar (the costliest widget to build) and the details
        of the agenda's current meeting (their link scan loads the link catalogue), so
        that the first paint, the agenda from the cache, waits for neither; it calls
        :meth:`complete` right after that paint.
        """
        super().__init__(parent)
        self._clock = clock
        self._tz = tz
        self.keep_running_in_tray = False
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self.resize(1280, 800)

        self.model = MeetingListModel(self, tz=tz, now=clock())
        self.proxy = MeetingFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.agenda = AgendaView(self)
        self.agenda.setModel(self.proxy)
        self._month: MonthView | None = None
        #: Until complete(): the details pane is left empty (see __init__).
        self._holding_details = defer_month
        # The week view is built when first shown: it is not on screen at start-up and
        # building it would only delay the first paint.
        self._week: WeekView | None = None
        self._week_day: dt.date | None = None
        self._week_key: str | None = None
        #: Link detection and pre-join checks, shared by the details pane and the controller.
        self.links = LinkInfo()
        self.model.set_link_checker(self.links.has_link)
        self.details = DetailsPane(self, clock=clock, tz=tz, links=self.links)

        self._build_toolbar()
        self._build_body()
        self._build_status_bar()
        self._connect()

        self._tick = QTimer(self)
        self._tick.setInterval(30_000)
        self._tick.timeout.connect(self._on_tick_timeout)
        self._tick.start()
        self._accounts_known = False
        self.set_accounts([])
        if not defer_month:
            self.complete()

    def complete(self) -> None:
        """Build what the first paint went without: the month calendar and the details."""
        _ = self.month
        if self._holding_details:
            self._holding_details = False
            self._on_agenda_current_meeting_changed(self.agenda.current_meeting())

    # ------------------------------------------------------------------ building

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main", self)
        bar.setObjectName("main-toolbar")
        bar.setMovable(False)
        bar.setIconSize(QSize(18, 18))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(bar)

        self.refresh_action = QAction("Refresh", self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.triggered.connect(self.refresh_requested)
        bar.addAction(self.refresh_action)

        self.today_action = QAction("Today", self)
        self.today_action.setShortcut(QKeySequence("Ctrl+T"))
        self.today_action.triggered.connect(self._on_today_triggered)
        bar.addAction(self.today_action)
        bar.addSeparator()

        group = QActionGroup(self)
        self.agenda_action = QAction("Agenda", self, checkable=True)
        self.agenda_action.setShortcut(QKeySequence("Ctrl+1"))
        self.week_action = QAction("Week", self, checkable=True)
        self.week_action.setShortcut(QKeySequence("Ctrl+2"))
        for action in (self.agenda_action, self.week_action):
            group.addAction(action)
            bar.addAction(action)
        self.agenda_action.setChecked(True)
        self.agenda_action.triggered.connect(lambda: self.set_view("agenda"))
        self.week_action.triggered.connect(lambda: self.set_view("week"))
        bar.addSeparator()

        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search meetings, people, IDs…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(240)
        self.search.textChanged.connect(self.proxy.set_search)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self.search.setFocus)
        self.addAction(find)
        bar.addWidget(self.search)

        self.provider_filter = QComboBox(self)
        self.provider_filter.addItem("All providers", None)
        for provider in Provider:
            self.provider_filter.addItem(provider.label, provider.value)
        self.provider_filter.currentIndexChanged.connect(self._on_provider_filter_changed)
        bar.addWidget(self.provider_filter)

        self.account_filter = QComboBox(self)
        self.account_filter.addItem("All accounts", None)
        self.account_filter.currentIndexChanged.connect(self._on_account_filter_changed)
        bar.addWidget(self.account_filter)

        self.link_only = QCheckBox("With a join link only", self)
        self.link_only.toggled.connect(self.proxy.set_link_only)
        bar.addWidget(self.link_only)

        spacer = QWidget(self)
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding,
                             spacer.sizePolicy().verticalPolicy())
        bar.addWidget(spacer)

        self.new_menu = QMenu("New", self)
        self.join_link_action = self.new_menu.addAction("Join a meeting link…")
        self.join_link_action.setShortcut(QKeySequence("Ctrl+L"))
        self.join_link_action.triggered.connect(self.join_link_requested)
        self.add_meeting_action = self.new_menu.addAction("Add meeting…")
        self.add_meeting_action.setObjectName("add_meeting")
        self.add_meeting_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.add_meeting_action.triggered.connect(self.add_meeting_requested)
        self.addAction(self.add_meeting_action)
        self.new_menu.addSeparator()
        self.schedule_action = self.new_menu.addAction("Schedule a join.me meeting…")
        self.schedule_action.triggered.connect(self.schedule_requested)
        self.adhoc_action = self.new_menu.addAction("Start an ad hoc join.me meeting…")
        self.adhoc_action.triggered.connect(self.adhoc_requested)
        self.room_action = self.new_menu.addAction("Create a Whereby room…")
        self.room_action.triggered.connect(self.create_room_requested)
        self.new_menu.addSeparator()
        self.add_account_action = self.new_menu.addAction("Add account…")
        self.add_account_action.triggered.connect(self.add_account_requested)
        self.settings_action = self.new_menu.addAction("Settings…")
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.triggered.connect(self.settings_requested)
        self.addAction(self.settings_action)
        self.addAction(self.join_link_action)
        new_button = QToolButton(self)
        new_button.setText("New")
        new_button.setMenu(self.new_menu)
        new_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        bar.addWidget(new_button)

    def _build_body(self) -> None:
        self.banner = QLabel(self)
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        self._banner_timer = QTimer(self)
        self._banner_timer.setSingleShot(True)
        self._banner_timer.timeout.connect(lambda: self.banner.setVisible(False))

        sidebar = QWidget(self)
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(8, 8, 8, 8)
        self._side = side  # the month calendar goes first, when built
        self.accounts_box = QVBoxLayout()
        heading = QLabel("Accounts")
        heading.setObjectName("heading")
        side.addSpacing(8)
        side.addWidget(heading)
        side.addLayout(self.accounts_box)
        side.addStretch(1)
        sidebar.setMinimumWidth(260)
        sidebar.setMaximumWidth(340)

        self.center = QStackedWidget(self)
        self.center.addWidget(self.agenda)

        splitter = QSplitter(self)
        splitter.addWidget(sidebar)
        splitter.addWidget(self.center)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        splitter.setSizes([280, 640, 360])
        splitter.setChildrenCollapsible(False)

        main = QWidget(self)
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.setSpacing(0)
        main_layout.addWidget(self.banner)
        main_layout.addWidget(splitter, 1)

        self.empty_page = self._build_empty_state()
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.empty_page)
        self.pages.addWidget(main)
        self.setCentralWidget(self.pages)

    def _build_empty_state(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addStretch(2)
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(96, 96))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel("Welcome to Meeting Launcher")
        title.setObjectName("welcome")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        text = QLabel(
            "All your meetings from BlueJeans, join.me, Whereby and Skype for Business in "
            "one agenda, checked before you join."
        )
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setMinimumWidth(420)
        text.setMaximumWidth(520)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.empty_add = QPushButton("Add account…")
        self.empty_add.setObjectName("primary")
        self.empty_demo = QPushButton("Try the demo")
        self.empty_join = QPushButton("Join a meeting link…")
        for button in (self.empty_add, self.empty_demo, self.empty_join):
            button.setMinimumHeight(36)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.empty_add.clicked.connect(self.add_account_requested)
        self.empty_demo.clicked.connect(self.demo_requested)
        self.empty_join.clicked.connect(self.join_link_requested)
        layout.addWidget(icon)
        layout.addWidget(title)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(text)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addSpacing(16)
        layout.addLayout(buttons)
        layout.addStretch(3)
        return page

    def _build_status_bar(self) -> None:
        self.sync_label = QLabel("")
        self.statusBar().addPermanentWidget(self.sync_label)

    def _connect(self) -> None:
        self.agenda.current_meeting_changed.connect(self._on_agenda_current_meeting_changed)
        self.agenda.meeting_activated.connect(self.join_requested)
        self.details.join_requested.connect(self.join_requested)
        self.details.join_with_requested.connect(self.join_with_requested)
        self.details.start_requested.connect(self.start_requested)
        self.details.edit_requested.connect(self.edit_requested)
        self.details.delete_requested.connect(self.delete_requested)
        self.details.copied.connect(lambda text: self.show_message(text))

    @property
    def month(self) -> MonthView:
        """The month calendar in the sidebar (built on first use, or by :meth:`complete`)."""
        if self._month is None:
            from launcher.ui.calendar_views import MonthView

            month = MonthView(self.proxy, self)
            month.day_selected.connect(self._on_month_day_selected)
            self._side.insertWidget(0, month)
            self._month = month
        return self._month

    @property
    def week(self) -> WeekView:
        """The week view (built on first use)."""
        if self._week is None:
            from launcher.ui.calendar_views import WeekView

            week = WeekView(self.proxy, self)
            week.day_selected.connect(self._on_week_day_selected)
            week.meeting_selected.connect(self._on_week_meeting_selected)
            week.meeting_activated.connect(self.join_requested)
            self.center.addWidget(week)
            self._week = week
            if self._week_day is not None:
                week.set_day(self._week_day)
            if self._week_key is not None:
                week.select_meeting(self._week_key)
        return self._week

    def _show_in_week(self, day: dt.date, key: str | None = None) -> None:
        self._week_day, self._week_key = day, key
        if self._week is not None:
            self._week.set_day(day)
            if key is not None:
                self._week.select_meeting(key)

    # ------------------------------------------------------------------ updates

    def set_accounts(self, names: Sequence[str]) -> None:
        """Show the main page when there are accounts, the welcome page otherwise."""
        self._accounts_known = bool(names)
        self.pages.setCurrentIndex(1 if names else 0)
        current = self.account_filter.currentData()
        self.account_filter.blockSignals(True)
        self.account_filter.clear()
        self.account_filter.addItem("All accounts", None)
        for name in names:
            self.account_filter.addItem(name, name)
        index = self.account_filter.findData(current)
        self.account_filter.setCurrentIndex(max(index, 0))
        self.account_filter.blockSignals(False)

    def set_meetings(self, meetings: Sequence[Meeting], *, ordered: bool = False) -> None:
        """Replace the meetings shown, keeping the selection when it still exists.

        *ordered*: already sorted by ``Meeting.sort_key`` (see ``MeetingListModel``).
        """
        selected = self.details.meeting
        key = meeting_key(selected) if selected is not None else None
        self.model.set_now(self._clock())
        self.model.set_meetings(meetings, ordered=ordered)
        if key is not None and self.model.row_of(key) is not None:
            row = self.model.row_of(key)
            assert row is not None
            self.agenda.select_meeting(key)
            self.details.set_meeting(self.model.meeting_at(row))
        elif selected is not None:
            self.details.set_meeting(None)

    def refresh_links(self) -> None:
        """Show the selected meeting's links again (after the service priority changed)."""
        selected = self.details.meeting
        if selected is not None:
            self.details.set_meeting(selected)

    def set_filter_settings(self, event_filter: EventFilter, grace: dt.timedelta) -> None:
        """Hide what the user's filters hide; keep a started meeting "next" for *grace*."""
        self.model.set_grace(grace)
        self.proxy.set_event_filter(event_filter)
        selected = self.details.meeting
        if selected is not None and not self.proxy.index_of(meeting_key(selected)).isValid():
            self.details.set_meeting(None)

    def set_statuses(self, statuses: Mapping[str, StatusRow]) -> None:
        """Show each account's sync state (state, text) in the sidebar and status bar."""
        while self.accounts_box.count():
            item = self.accounts_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for name, (state, text) in statuses.items():
            colour = _STATE_COLOURS.get(state, "#8a8f98")
            if state == "sign-in needed":
                button = QPushButton(f"●  {name} — sign-in needed")
                button.setToolTip("Click to sign in again")
                button.setFlat(True)
                button.setStyleSheet(f"color: {colour}; text-align: left;")
                button.clicked.connect(lambda _=False, n=name: self.sign_in_requested.emit(n))
                button.setObjectName(f"status:{name}")
                self.accounts_box.addWidget(button)
            else:
                label = QLabel(f"<span style='color:{colour}'>●</span>&nbsp; {name} — {text}")
                label.setObjectName(f"status:{name}")
                label.setToolTip(text)
                self.accounts_box.addWidget(label)
        self.sync_label.setText(_summary([state for state, _ in statuses.values()]))

    def show_message(self, text: str, *, error: bool = False) -> None:
        """Show a message above the agenda (errors stay until the next message)."""
        self.banner.setText(text)
        self.banner.setProperty("error", error)
        self.banner.setStyleSheet(
            "QLabel#banner { padding: 8px 12px; background: %s; color: %s; }"
            % (("#fdecea", "#8a1c14") if error else ("#e8f4ec", "#1d5e36"))
        )
        self.banner.setVisible(True)
        self._banner_timer.stop()
        if not error:
            self._banner_timer.start(self.message_ms)

    def clear_message(self, text: str | None = None) -> None:
        """Hide the message (only if it still says *text*, when given)."""
        if text is None or self.banner.text() == text:
            self._banner_timer.stop()
            self.banner.setVisible(False)

    def set_view(self, view: str) -> None:
        """Switch the centre between the agenda and the week."""
        week = view == "week"
        self.center.setCurrentWidget(self.week if week else self.agenda)
        (self.week_action if week else self.agenda_action).setChecked(True)
        (self.week if week else self.agenda).setFocus()

    def select_meeting(self, meeting: Meeting) -> None:
        """Select *meeting* everywhere and show its details."""
        self.agenda.select_meeting(meeting_key(meeting))
        self.details.set_meeting(meeting)

    # ------------------------------------------------------------------ slots

    def _on_tick_timeout(self) -> None:
        self.model.set_now(self._clock())
        self.details.refresh_countdown()

    def _on_today_triggered(self) -> None:
        # The views take "today" from the model: bring its clock up to date first (the
        # window may have stayed open past midnight since the last tick).
        self._on_tick_timeout()
        today = self._clock().astimezone(self._tz).date()
        self.month.today()
        if self._week is not None:
            self._week.today()
        else:
            self._week_day, self._week_key = today, None
        self.agenda.select_day(today)

    def _on_provider_filter_changed(self, _index: int) -> None:
        self.proxy.set_provider(self.provider_filter.currentData())

    def _on_account_filter_changed(self, _index: int) -> None:
        self.proxy.set_account(self.account_filter.currentData())

    def _on_agenda_current_meeting_changed(self, meeting: object) -> None:
        if self._holding_details:  # complete() shows the then current meeting
            return
        self.details.set_meeting(meeting if isinstance(meeting, Meeting) else None)
        if isinstance(meeting, Meeting) and meeting.start is not None:
            self._show_in_week(meeting.start.astimezone(self._tz).date(), meeting_key(meeting))

    def _on_month_day_selected(self, day: object) -> None:
        if isinstance(day, dt.date):
            self.agenda.select_day(day)
            self._show_in_week(day)

    def _on_week_day_selected(self, day: object) -> None:
        if isinstance(day, dt.date):
            self.month.set_day(day)

    def _on_week_meeting_selected(self, meeting: object) -> None:
        if isinstance(meeting, Meeting):
            self.select_meeting(meeting)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Hide to the tray when one exists; otherwise ask the app to quit."""
        if self.keep_running_in_tray:
            event.ignore()
            self.hide()
        else:
            event.accept()
        self.close_requested.emit()
