"""Qt models of the agenda: a list model over plain Meeting objects and its filter proxy.

Speed with 10,000 meetings comes from three choices: the source model keeps meetings in
agenda order (``Meeting.sort_key``), so the proxy never sorts through Python ``lessThan``
calls; everything a filter or a view needs per row (key, local day, provider, search text)
lives in plain Python lists computed once per ``set_meetings``; and the proxy decides all
rows in one pass over those lists per filter change, so ``filterAcceptsRow`` is a list
lookup.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from launcher.core import agenda
from launcher.core.filters import EventFilter
from launcher.core.models import Meeting, Provider

_Index = QModelIndex | QPersistentModelIndex


class MeetingRole(enum.IntEnum):
    """Item data roles of the meeting models (after ``Qt.UserRole``)."""

    #: The Meeting itself.
    MEETING = int(Qt.ItemDataRole.UserRole) + 1
    #: Aware UTC start (None for a timeless meeting space).
    START = enum.auto()
    #: Aware UTC end (or None).
    END = enum.auto()
    #: The provider's value ("bluejeans", "joinme", "whereby", "skype").
    PROVIDER = enum.auto()
    #: The account name.
    ACCOUNT = enum.auto()
    #: Whether the meeting has a join link.
    HAS_LINK = enum.auto()
    #: The local calendar day it starts on (None when timeless).
    DAY = enum.auto()
    #: The stable key of this occurrence (:func:`meeting_key`).
    KEY = enum.auto()
    #: Whether this is the next meeting (highlighted).
    IS_NEXT = enum.auto()
    #: "in 5 min" for the next meeting, else None.
    COUNTDOWN = enum.auto()
    #: Whether it has started (start <= now); False when timeless.
    STARTED = enum.auto()
    #: Whether it starts today (local time).
    IS_TODAY = enum.auto()
    #: The local time range, "09:00 – 10:00", "04:57 – Sat 28 Nov" for a multi-day item,
    #: or "No fixed time".
    TIME_TEXT = enum.auto()
    #: The heading of its day group, "Today — Saturday 21 November".
    DAY_TEXT = enum.auto()


#: Heading of the group of meeting spaces that have no scheduled time.
TIMELESS_HEADING = "Meeting spaces (no fixed time)"
NO_FIXED_TIME = "No fixed time"
_KEY_SEPARATOR = "\x1f"  # what core.agenda.reminder_key joins account, id and start with
#: How many meetings per day :meth:`MeetingFilterProxy.day_providers` reports.
_MARKED_PER_DAY = 3
#: Meetings at least this long are "multi-day" items (a Whereby room open for days).
LONG_MEETING = dt.timedelta(hours=12)
#: A meeting crossing midnight that ends later than this on the next day is multi-day too.
_LATE_END = dt.timedelta(hours=4)


def meeting_key(meeting: Meeting) -> str:
    """Return the stable key of one meeting occurrence (= ``core.agenda.reminder_key``)."""
    return agenda.reminder_key(meeting)


def day_heading(day: dt.date | None, today: dt.date) -> str:
    """Return the heading of a day group: "Today — Saturday 21 November", "Tomorrow — …"."""
    if day is None:
        return TIMELESS_HEADING
    name = f"{day:%A} {day.day} {day:%B}"
    if day.year != today.year:
        name += f" {day.year}"
    delta = (day - today).days
    if delta == 0:
        return f"Today — {name}"
    if delta == 1:
        return f"Tomorrow — {name}"
    if delta == -1:
        return f"Yesterday — {name}"
    return name


def is_multi_day(start: dt.datetime, end: dt.datetime | None) -> bool:
    """Tell whether a meeting from *start* to *end* (local times) spans days.

    True for anything lasting :data:`LONG_MEETING` or more, and for meetings that cross
    midnight and go on for more than a few hours into a later day; a late call ending
    shortly after midnight ("23:30 – 00:30 +1") is an ordinary meeting.
    """
    if end is None or end <= start:
        return False
    if end - start >= LONG_MEETING:
        return True
    last_day = (end - dt.timedelta(microseconds=1)).date()
    if last_day == start.date():
        return False
    into_last_day = end - end.replace(hour=0, minute=0, second=0, microsecond=0)
    return last_day > start.date() + dt.timedelta(days=1) or into_last_day > _LATE_END


def end_day_text(start: dt.datetime, end: dt.datetime) -> str:
    """Return the end day of a multi-day item, "Sat 28 Nov" (with the year if it changes)."""
    last = end - dt.timedelta(microseconds=1) if end.time() == dt.time() else end
    text = f"{last:%a} {last.day} {last:%b}"
    return text if last.year == start.year else f"{text} {last.year}"


def _start_of(meeting: Meeting) -> dt.datetime:
    assert meeting.start is not None
    return meeting.start


_LABELS = {provider: provider.label for provider in Provider}


def _search_texts(meetings: Sequence[Meeting]) -> list[str]:
    """Return the casefolded text each meeting is searched in (10,000 take ~3 ms)."""
    join, labels = "\n".join, _LABELS
    return [
        join((m.title, m.account, labels[m.provider], m.organizer or "", join(m.participants),
              m.number or "")).casefold()
        for m in meetings
    ]


class MeetingListModel(QAbstractListModel):
    """Meetings of every account, in agenda order (by start; timeless ones last).

    Args:
        parent: The owning QObject.
        tz: The time zone days and times are shown in (default: the system's).
        now: The current time (default: the clock at construction); see :meth:`set_now`.

    """

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        tz: dt.tzinfo | None = None,
        now: dt.datetime | None = None,
    ) -> None:
        super().__init__(parent)
        self._tz = tz
        self._now = now if now is not None else dt.datetime.now(dt.UTC)
        self._today = self.local(self._now).date()
        self._meetings: list[Meeting] = []
        self._dated = 0  # rows with a start time: a prefix, since timeless ones sort last
        self._days: list[dt.date | None] = []
        self._providers: list[str] = []
        self._accounts: list[str] = []
        self._link_flags: list[bool | None] = []
        self._has_link: list[bool] | None = None
        self._link_checker: Callable[[Meeting], bool] | None = None
        self._filter = EventFilter()
        self._visible: list[bool] | None = None
        self._grace = agenda.DEFAULT_GRACE
        self._search: list[str] | None = None
        self._by_ident: dict[tuple[str, str], list[int]] | None = None
        self._max_duration: dt.timedelta | None = None
        self._next_row: int | None = None
        self._replaced_hooks: list[weakref.WeakMethod[Callable[[], None]]] = []
        #: Bumped whenever the rows change, so dependent caches know they are stale.
        self.generation = 0

    # ------------------------------------------------------------------ plain Python API
    @property
    def tz(self) -> dt.tzinfo | None:
        """The display time zone (None: the system's local zone)."""
        return self._tz

    @property
    def now(self) -> dt.datetime:
        """The time the next meeting and the countdown are computed against."""
        return self._now

    @property
    def today(self) -> dt.date:
        """Today's local date."""
        return self._today

    @property
    def next_key(self) -> str | None:
        """The key of the next meeting (``core.agenda.next_meeting``), highlighted."""
        if self._next_row is None:
            return None
        return agenda.reminder_key(self._meetings[self._next_row])

    def local(self, when: dt.datetime) -> dt.datetime:
        """Return *when* in the display time zone."""
        return when.astimezone(self._tz) if self._tz is not None else when.astimezone()

    def day_start(self, day: dt.date) -> dt.datetime:
        """Return the aware UTC instant where local *day* begins (DST-safe)."""
        midnight = dt.datetime.combine(day, dt.time())
        if self._tz is not None:
            return midnight.replace(tzinfo=self._tz).astimezone(dt.UTC)
        return midnight.astimezone().astimezone(dt.UTC)

    def is_multi_day(self, meeting: Meeting) -> bool:
        """Tell whether *meeting* spans days in the display zone (see :func:`is_multi_day`)."""
        if meeting.start is None:
            return False
        return is_multi_day(self.local(meeting.start),
                            self.local(meeting.end) if meeting.end is not None else None)

    def meeting_count(self) -> int:
        """Return the number of meetings (= ``rowCount()``, without a Qt call)."""
        return len(self._meetings)

    def meetings(self) -> list[Meeting]:
        """Return all meetings, in agenda order (a copy)."""
        return list(self._meetings)

    def set_meetings(self, meetings: Sequence[Meeting], *, ordered: bool = False) -> None:
        """Replace every meeting; sorted into agenda order unless already *ordered*.

        *ordered*: the caller vouches that *meetings* are sorted by ``Meeting.sort_key``
        (the sync's merged list is), which spares sorting thousands of meetings again.
        """
        ordered_list = list(meetings) if ordered else sorted(meetings, key=Meeting.sort_key)
        self._replace(ordered_list)

    def _replace(self, ordered: list[Meeting]) -> None:
        self.beginResetModel()
        self._meetings = ordered
        dated = len(ordered)
        while dated and ordered[dated - 1].start is None:
            dated -= 1
        self._dated = dated
        self._days = self._local_days(ordered)
        self._providers = [m.provider.value for m in ordered]
        self._accounts = [m.account for m in ordered]
        self._link_flags = [None] * len(ordered)  # decided per row on first use
        self._has_link = None
        self._visible = None
        self._search = None
        self._by_ident = None
        self._max_duration = None
        self._next_row = self._find_next()
        self.generation += 1
        # Dependent caches (the proxy's filter) must be fresh before endResetModel: the
        # proxy re-filters inside its handler of modelReset, before any slot of ours runs.
        for hook in list(self._replaced_hooks):
            callback = hook()
            if callback is None:
                self._replaced_hooks.remove(hook)
            else:
                callback()
        self.endResetModel()

    def add_rows_replaced_hook(self, callback: Callable[[], None]) -> None:
        """Call the bound method *callback* after new rows are stored, before modelReset."""
        self._replaced_hooks.append(weakref.WeakMethod(callback))

    def remove_rows_replaced_hook(self, callback: Callable[[], None]) -> None:
        """Forget a hook added with :meth:`add_rows_replaced_hook`."""
        self._replaced_hooks = [h for h in self._replaced_hooks if h() != callback]

    def _local_days(self, ordered: list[Meeting]) -> list[dt.date | None]:
        tz = self._tz
        if tz is not None:
            return [m.start.astimezone(tz).date() if m.start is not None else None
                    for m in ordered]
        # The system zone: astimezone() asks the C library each time, so meetings that
        # share a start time (most do) share one conversion.
        cache: dict[dt.datetime, dt.date] = {}
        days: list[dt.date | None] = []
        for meeting in ordered:
            start = meeting.start
            if start is None:
                days.append(None)
                continue
            day = cache.get(start)
            if day is None:
                day = cache[start] = start.astimezone().date()
            days.append(day)
        return days

    def meeting_at(self, row: int) -> Meeting:
        """Return the meeting in *row*."""
        return self._meetings[row]

    def row_of(self, key: str) -> int | None:
        """Return the row of the meeting whose :func:`meeting_key` is *key*, if any."""
        parts = key.split(_KEY_SEPARATOR)
        if len(parts) != 3:  # a separator inside an account or id: look everywhere
            candidates: Sequence[int] = range(len(self._meetings))
        else:
            if self._by_ident is None:
                index: dict[tuple[str, str], list[int]] = {}
                for row, meeting in enumerate(self._meetings):
                    index.setdefault((meeting.account, meeting.id), []).append(row)
                self._by_ident = index
            candidates = self._by_ident.get((parts[0], parts[1]), ())
        for row in candidates:
            if agenda.reminder_key(self._meetings[row]) == key:
                return row
        return None

    def set_now(self, now: dt.datetime) -> None:
        """Move the clock: updates the next meeting, countdowns, "now" and day headings."""
        old_next, old_today = self._next_row, self._today
        self._now = now
        self._today = self.local(now).date()
        self._next_row = self._find_next()
        if not self._meetings:
            return
        if self._today != old_today:
            self.dataChanged.emit(self.index(0), self.index(len(self._meetings) - 1))
            return
        touched = [r for r in (old_next, self._next_row) if r is not None]
        lo, hi = self._day_span(self._today)
        if lo < hi:
            touched += [lo, hi - 1]
        if touched:
            self.dataChanged.emit(
                self.index(min(touched)),
                self.index(max(touched)),
                [MeetingRole.IS_NEXT, MeetingRole.COUNTDOWN, MeetingRole.STARTED],
            )

    # ------------------------------------------------------------------ helpers for the proxy
    @property
    def days(self) -> list[dt.date | None]:
        """The local start day of each row (None for timeless rows). Do not modify."""
        return self._days

    @property
    def providers(self) -> list[str]:
        """The provider value of each row. Do not modify."""
        return self._providers

    @property
    def accounts(self) -> list[str]:
        """The account name of each row. Do not modify."""
        return self._accounts

    @property
    def has_link(self) -> list[bool]:
        """Whether each row has a link to join (its own, or one in its text). Do not modify.

        Links in event text are looked for on first use (with the link checker).
        """
        if self._has_link is None:
            self._has_link = [self.link_at(row) for row in range(len(self._meetings))]
        return self._has_link

    def link_at(self, row: int) -> bool:
        """Whether the meeting in *row* has a link to join (looked for once, then kept)."""
        flag = self._link_flags[row]
        if flag is None:
            meeting = self._meetings[row]
            checker = self._link_checker
            flag = bool(meeting.join_url or meeting.conference_url) or (
                checker is not None and bool(checker(meeting)))
            self._link_flags[row] = flag
        return flag

    def set_link_checker(self, checker: Callable[[Meeting], bool] | None) -> None:
        """Use *checker* to tell whether a meeting without a join link has one in its text."""
        self._link_checker = checker
        self._link_flags = [None] * len(self._meetings)
        self._has_link = None
        self._visible = None
        self._update_next()

    @property
    def event_filter(self) -> EventFilter:
        """What the user's settings hide (see :class:`launcher.core.filters.EventFilter`)."""
        return self._filter

    @property
    def grace(self) -> dt.timedelta:
        """How long after its start a meeting still counts as the next one."""
        return self._grace

    def set_event_filter(self, event_filter: EventFilter) -> None:
        """Hide what *event_filter* hides, also from the next-meeting choice.

        The proxy calls this inside its filter change (:meth:`MeetingFilterProxy.set_event_filter`).
        """
        self._filter = event_filter
        self._visible = None
        self._update_next()

    def set_grace(self, grace: dt.timedelta) -> None:
        """Keep a started meeting as the next one for *grace* (the user's setting)."""
        self._grace = max(grace, dt.timedelta(0))
        self._update_next()

    def visible(self) -> list[bool]:
        """Whether each row is shown by the settings filter (cached). Do not modify."""
        if self._visible is None:
            self._visible = self._filter.visible_flags(self._meetings, lambda: self.has_link)
        return self._visible

    def _update_next(self) -> None:
        old = self._next_row
        self._next_row = self._find_next()
        touched = [r for r in (old, self._next_row) if r is not None]
        if touched and old != self._next_row:
            self.dataChanged.emit(self.index(min(touched)), self.index(max(touched)),
                                  [MeetingRole.IS_NEXT, MeetingRole.COUNTDOWN])

    @property
    def max_duration(self) -> dt.timedelta:
        """The longest meeting's duration, to find meetings overlapping a time window."""
        if self._max_duration is None:
            self._max_duration = max(
                (
                    m.end - m.start
                    for m in self._meetings[: self._dated]
                    if m.start is not None and m.end is not None
                ),
                default=dt.timedelta(0),
            )
        return self._max_duration

    def search_texts(self) -> list[str]:
        """Return the casefolded text each row is searched in (built on first use)."""
        if self._search is None:
            self._search = _search_texts(self._meetings)
        return self._search

    def _day_span(self, day: dt.date) -> tuple[int, int]:
        # The dated rows are a prefix, in day order.
        dated = self._days[: self._dated]
        return bisect.bisect_left(dated, day), bisect.bisect_right(dated, day)  # type: ignore[type-var]

    def _find_next(self) -> int | None:
        """Run ``core.agenda.next_meeting`` on growing windows of the candidates.

        Rows are in ``sort_key`` order and a meeting that started more than the grace
        period ago never qualifies, so the first window with an answer holds the answer
        for the whole list; this keeps a clock tick cheap with 10,000 meetings.
        """
        meetings = self._meetings
        earliest = self._now - self._grace
        row = bisect.bisect_left(meetings, earliest, 0, self._dated, key=_start_of)
        visible = self.visible()
        step = 32
        while row < self._dated:
            rows = [r for r in range(row, min(row + step, self._dated))
                    if visible[r] and self.link_at(r)]
            found = agenda.next_meeting([meetings[r] for r in rows], self._now,
                                        grace=self._grace, need_link=False)
            if found is not None:
                return next(r for r in rows if meetings[r] is found)
            row += step
            step *= 2
        return None

    # ------------------------------------------------------------------ Qt model API
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Return the number of meetings (the list has no children)."""
        return 0 if parent.isValid() else len(self._meetings)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        """Meetings are selectable and enabled, never editable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Return *role* of the meeting at *index* (see :class:`MeetingRole`)."""
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self._meetings) or index.column() != 0:
            return None
        meeting = self._meetings[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return meeting.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{meeting.title}, {self._time_text(meeting)}, {meeting.provider.label}"
        if role < MeetingRole.MEETING:
            return None
        return self._role_data(row, meeting, role)

    def _role_data(self, row: int, meeting: Meeting, role: int) -> Any:
        if role == MeetingRole.MEETING:
            return meeting
        if role == MeetingRole.START:
            return meeting.start
        if role == MeetingRole.END:
            return meeting.end
        if role == MeetingRole.PROVIDER:
            return self._providers[row]
        if role == MeetingRole.ACCOUNT:
            return self._accounts[row]
        if role == MeetingRole.HAS_LINK:
            return self.link_at(row)
        if role == MeetingRole.DAY:
            return self._days[row]
        if role == MeetingRole.KEY:
            return agenda.reminder_key(meeting)
        if role == MeetingRole.IS_NEXT:
            return row == self._next_row
        if role == MeetingRole.COUNTDOWN:
            if row != self._next_row or meeting.start is None:
                return None
            return agenda.countdown(meeting.start, self._now)
        if role == MeetingRole.STARTED:
            return meeting.start is not None and meeting.start <= self._now
        if role == MeetingRole.IS_TODAY:
            return self._days[row] == self._today
        if role == MeetingRole.TIME_TEXT:
            return self._time_text(meeting)
        if role == MeetingRole.DAY_TEXT:
            return day_heading(self._days[row], self._today)
        return None

    def _time_text(self, meeting: Meeting) -> str:
        if meeting.start is None:
            return NO_FIXED_TIME
        start = self.local(meeting.start)
        if meeting.end is None or meeting.end <= meeting.start:
            return f"{start:%H:%M}"
        end = self.local(meeting.end)
        if is_multi_day(start, end):
            # A room open for days: the end day says more than its time of day.
            return f"{start:%H:%M} – {end_day_text(start, end)}"
        days = (end.date() - start.date()).days
        suffix = f" +{days}" if days else ""
        return f"{start:%H:%M} – {end:%H:%M}{suffix}"

    def _tooltip(self, row: int) -> str:
        meeting = self._meetings[row]
        lines = [meeting.title, f"{day_heading(self._days[row], self._today)}"]
        lines.append(self._time_text(meeting))
        lines.append(f"{meeting.provider.label} · {meeting.account}")
        if meeting.organizer:
            lines.append(f"Organizer: {meeting.organizer}")
        return "\n".join(lines)

    def roleNames(self) -> dict[int, QByteArray]:
        """Return the role names (for debugging and QML)."""
        names = dict(super().roleNames())
        names.update({r.value: QByteArray(r.name.lower().encode()) for r in MeetingRole})
        return names


class MeetingFilterProxy(QSortFilterProxyModel):
    """The filtered agenda: search, provider, account and "with a join link only".

    Rows stay in the source's agenda order (by start, timeless meetings last): the source
    model is kept sorted, so this proxy does not sort (sorting 10,000 rows through Python
    ``lessThan`` calls would cost far more than the filter). Views share one instance, so
    the agenda, month and week views always show the same meetings.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setDynamicSortFilter(False)
        self._source: MeetingListModel | None = None
        self._search = ""
        self._terms: tuple[str, ...] = ()
        self._provider: str | None = None
        self._account: str | None = None
        self._link_only = False
        self._accepted: list[bool] = []
        self._derived = False
        self._rows: list[int] = []
        self._starts_day: list[bool] = []
        self._day_counts: dict[dt.date, int] = {}
        self._day_providers: dict[dt.date, list[str]] = {}
        self._timeless = 0

    # ------------------------------------------------------------------ source
    def setSourceModel(self, model: Any) -> None:
        """Set the source; it must be a :class:`MeetingListModel`."""
        if model is not None and not isinstance(model, MeetingListModel):
            raise TypeError("MeetingFilterProxy needs a MeetingListModel")
        if self._source is not None:
            self._source.remove_rows_replaced_hook(self._refilter)
        self._source = model
        if model is not None:
            model.add_rows_replaced_hook(self._refilter)
        self._refilter()
        super().setSourceModel(model)  # type: ignore[arg-type]  # None detaches the source

    def source_model(self) -> MeetingListModel | None:
        """Return the MeetingListModel this proxy filters."""
        return self._source

    # ------------------------------------------------------------------ filters
    @property
    def search(self) -> str:
        """The current search text."""
        return self._search

    @property
    def provider(self) -> str | None:
        """The provider shown (None: all)."""
        return self._provider

    @property
    def account(self) -> str | None:
        """The account shown (None: all)."""
        return self._account

    @property
    def link_only(self) -> bool:
        """Whether only meetings with a join link are shown."""
        return self._link_only

    def is_filtered(self) -> bool:
        """Tell whether any filter is active."""
        return bool(self._terms) or self._provider is not None or (
            self._account is not None or self._link_only
        )

    def set_search(self, text: str) -> None:
        """Show meetings matching every whitespace-separated term (case-insensitive).

        Terms are searched in the title, account, provider name, organizer, participants
        and meeting number.
        """
        terms = tuple(text.casefold().split())
        self._search = text
        if terms != self._terms:
            self._change_filter("_terms", terms)

    def set_provider(self, provider: Provider | str | None) -> None:
        """Show one provider's meetings only (None: all)."""
        value = provider.value if isinstance(provider, Provider) else provider
        if value != self._provider:
            self._change_filter("_provider", value)

    def set_account(self, account: str | None) -> None:
        """Show one account's meetings only (None: all)."""
        if account != self._account:
            self._change_filter("_account", account)

    def set_event_filter(self, event_filter: EventFilter) -> None:
        """Hide what the user's filter settings hide (all-day, declined, blocklist...)."""
        if self._source is None:
            return
        if event_filter != self._source.event_filter:
            self.beginFilterChange()
            self._source.set_event_filter(event_filter)
            self._refilter()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_link_only(self, link_only: bool) -> None:
        """Show only meetings that have a join link."""
        if link_only != self._link_only:
            self._change_filter("_link_only", link_only)

    def _change_filter(self, name: str, value: object) -> None:
        self.beginFilterChange()
        setattr(self, name, value)
        self._refilter()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    # ------------------------------------------------------------------ the filter pass
    def _refilter(self) -> None:
        """Decide every row at once, in plain Python over the source's per-row lists."""
        self._derived = False
        src = self._source
        if src is None:
            self._accepted = []
            return
        ok = list(src.visible())
        if self._provider is not None:
            provider = self._provider
            ok = [a and p == provider for a, p in zip(ok, src.providers, strict=True)]
        if self._account is not None:
            account = self._account
            ok = [a and x == account for a, x in zip(ok, src.accounts, strict=True)]
        if self._link_only:
            ok = [a and x for a, x in zip(ok, src.has_link, strict=True)]
        if self._terms:
            texts = src.search_texts()
            for term in self._terms:
                ok = [a and term in t for a, t in zip(ok, texts, strict=True)]
        self._accepted = ok

    def _ensure(self) -> None:
        """Compute what views ask about the shown rows (headings, day counts), once."""
        if self._derived:
            return
        self._derived = True
        src = self._source
        if src is None:
            self._rows, self._starts_day = [], []
            self._day_counts, self._day_providers, self._timeless = {}, {}, 0
            return
        self._rows = [i for i, a in enumerate(self._accepted) if a]
        days, providers = src.days, src.providers
        starts: list[bool] = []
        counts: dict[dt.date, int] = {}
        firsts: dict[dt.date, list[str]] = {}
        timeless = 0
        previous: object = object()
        for row in self._rows:
            day = days[row]
            starts.append(day != previous)
            previous = day
            if day is None:
                timeless += 1
                continue
            count = counts.get(day, 0)
            counts[day] = count + 1
            if count < _MARKED_PER_DAY:
                firsts.setdefault(day, []).append(providers[row])
        self._starts_day = starts
        self._day_counts = counts
        self._day_providers = firsts
        self._timeless = timeless

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        """Look the row up: all rows are decided at once per filter change or reload."""
        try:
            return self._accepted[source_row]
        except IndexError:
            return False

    def lessThan(self, source_left: _Index, source_right: _Index) -> bool:
        """Agenda order is the source order (used only if someone calls ``sort``)."""
        return source_left.row() < source_right.row()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Keep the agenda order whatever is asked (a list has no other useful order)."""
        super().sort(column, Qt.SortOrder.AscendingOrder)

    # ------------------------------------------------------------------ queries for views
    def meeting_at(self, proxy_row: int) -> Meeting:
        """Return the meeting shown in *proxy_row*."""
        assert self._source is not None
        return self._source.meeting_at(self.mapToSource(self.index(proxy_row, 0)).row())

    def index_of(self, key: str) -> QModelIndex:
        """Return the proxy index of the meeting with *key* (invalid if absent or hidden)."""
        if self._source is None:
            return QModelIndex()
        row = self._source.row_of(key)
        if row is None:
            return QModelIndex()
        return self.mapFromSource(self._source.index(row, 0))

    def starts_day(self, proxy_row: int) -> bool:
        """Tell whether *proxy_row* is the first shown row of its day (it gets a heading)."""
        if not self._derived:
            self._ensure()
        try:
            return self._starts_day[proxy_row]
        except IndexError:
            return proxy_row == 0

    def day_counts(self) -> dict[dt.date, int]:
        """Return how many shown meetings start on each local day."""
        self._ensure()
        return dict(self._day_counts)

    def day_providers(self) -> dict[dt.date, list[str]]:
        """Return the providers of each day's first few shown meetings (for day markers)."""
        self._ensure()
        return {day: list(values) for day, values in self._day_providers.items()}

    def timeless_count(self) -> int:
        """Return how many shown meetings have no fixed time."""
        self._ensure()
        return self._timeless

    def shown_meetings(self) -> list[Meeting]:
        """Return every shown meeting, in agenda order."""
        self._ensure()
        if self._source is None:
            return []
        at = self._source.meeting_at
        return [at(row) for row in self._rows]

    def first_row_on_or_after(self, day: dt.date) -> int | None:
        """Return the proxy row of the first shown meeting on or after *day*, if any."""
        self._ensure()
        if self._source is None:
            return None
        days = self._source.days
        rows = self._rows
        lo, hi = 0, len(rows)
        while hi and days[rows[hi - 1]] is None:
            hi -= 1
        # Bisect on the shown rows' days (they are in agenda order).
        while lo < hi:
            mid = (lo + hi) // 2
            mid_day = days[rows[mid]]
            assert mid_day is not None
            if mid_day < day:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(rows) and days[rows[lo]] is not None:
            return lo
        return None

    def meetings_between(self, start: dt.datetime, end: dt.datetime) -> list[Meeting]:
        """Shown meetings with a time that overlap ``[start, end)``, in agenda order."""
        self._ensure()
        src = self._source
        if src is None:
            return []
        earliest = start - src.max_duration
        out: list[Meeting] = []
        lo = self._first_row_starting_at_or_after(earliest)
        for row in self._rows[lo:]:
            meeting = src.meeting_at(row)
            if meeting.start is None or meeting.start >= end:
                break
            finish = meeting.end if meeting.end is not None and meeting.end > meeting.start else (
                meeting.start + dt.timedelta(minutes=1)
            )
            if finish > start:
                out.append(meeting)
        return out

    def _first_row_starting_at_or_after(self, when: dt.datetime) -> int:
        assert self._source is not None
        at = self._source.meeting_at
        rows = self._rows
        lo, hi = 0, len(rows)
        while lo < hi:
            mid = (lo + hi) // 2
            mid_start = at(rows[mid]).start
            if mid_start is not None and mid_start < when:
                lo = mid + 1
            else:
                hi = mid
        return lo
