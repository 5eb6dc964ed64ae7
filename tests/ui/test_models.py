"""MeetingListModel and MeetingFilterProxy: model contracts, order, filters, roles."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt

from launcher.core import agenda
from launcher.core.models import Meeting, Provider, Role
from launcher.ui.models import (
    TIMELESS_HEADING,
    MeetingFilterProxy,
    MeetingListModel,
    MeetingRole,
    is_multi_day,
    meeting_key,
)

pytestmark = pytest.mark.gui

TZ = dt.timezone(dt.timedelta(hours=2))
NOW = dt.datetime(2025, 11, 21, 10, 42, tzinfo=TZ)  # a Friday


def at(days: int, hour: int, minute: int = 0, minutes: int = 30) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(NOW.date() + dt.timedelta(days=days), dt.time(hour, minute),
                                tzinfo=TZ)
    return start, start + dt.timedelta(minutes=minutes)


def meeting(ident: str, title: str, when: tuple[dt.datetime, dt.datetime] | None, *,
            provider: Provider = Provider.BLUEJEANS, account: str = "work",
            link: bool = True, **extra: Any) -> Meeting:
    start, end = when if when is not None else (None, None)
    return Meeting(id=ident, account=account, provider=provider, title=title, start=start,
                   end=end, join_url=f"https://meet.example.test/{ident}" if link else None,
                   **extra)


def sample() -> list[Meeting]:
    return [
        meeting("1", "Daily stand-up", at(0, 9, 0, 15), role=Role.VIEWER),
        meeting("2", "Design review", at(0, 10, 0, 60), provider=Provider.JOINME,
                account="me@join.me", organizer="Lea Organiser"),
        meeting("3", "Customer call", at(0, 11), number="9036439807"),
        meeting("4", "Interview", at(0, 13), provider=Provider.JOINME, account="me@join.me",
                link=False),
        meeting("5", "Sprint kick-off", at(1, 9, 30, 60), provider=Provider.WHEREBY,
                account="rooms", participants=("ana@example.test", "Bo Zhang")),
        meeting("6", "Board meeting", at(7, 14, 0, 120), provider=Provider.SKYPE,
                account="sip", role=Role.PRESENTER),
        meeting("7", "Architecture sync", at(-1, 14)),
        meeting("8", "Skype meeting space", None, provider=Provider.SKYPE, account="sip"),
        meeting("9", "Always-open room", None, provider=Provider.WHEREBY, account="rooms"),
    ]


@pytest.fixture
def source() -> MeetingListModel:
    model = MeetingListModel(tz=TZ, now=NOW)
    items = sample()
    random.Random(7).shuffle(items)
    model.set_meetings(items)
    return model


@pytest.fixture
def proxy(source: MeetingListModel) -> MeetingFilterProxy:
    proxy = MeetingFilterProxy()
    proxy.setSourceModel(source)
    return proxy


def titles(model: Any) -> list[str]:
    return [model.index(row, 0).data(MeetingRole.MEETING).title
            for row in range(model.rowCount())]


# ---------------------------------------------------------------- model contracts
def test_source_model_passes_the_model_tester(qtmodeltester: Any,
                                              source: MeetingListModel) -> None:
    qtmodeltester.check(source, force_py=True)


def test_proxy_passes_the_model_tester_while_filters_change(
    qtmodeltester: Any, proxy: MeetingFilterProxy
) -> None:
    qtmodeltester.check(proxy, force_py=True)
    proxy.set_search("call")
    proxy.set_provider(Provider.JOINME)
    proxy.set_provider(None)
    proxy.set_link_only(True)
    proxy.set_search("")
    assert proxy.rowCount() == 8


def test_empty_model_and_reset(qtmodeltester: Any) -> None:
    model = MeetingListModel(tz=TZ, now=NOW)
    proxy = MeetingFilterProxy()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy, force_py=True)
    assert proxy.rowCount() == 0
    assert model.next_key is None
    model.set_meetings(sample())
    assert proxy.rowCount() == 9
    model.set_meetings([])
    assert proxy.rowCount() == 0 and proxy.day_counts() == {}


def test_proxy_rejects_other_source_models() -> None:
    from PySide6.QtCore import QStringListModel

    with pytest.raises(TypeError):
        MeetingFilterProxy().setSourceModel(QStringListModel(["x"]))


# ---------------------------------------------------------------- order
def test_rows_are_sorted_by_start_with_timeless_last(
    source: MeetingListModel, proxy: MeetingFilterProxy
) -> None:
    expected = ["Architecture sync", "Daily stand-up", "Design review", "Customer call",
                "Interview", "Sprint kick-off", "Board meeting", "Always-open room",
                "Skype meeting space"]
    assert titles(source) == expected
    assert titles(proxy) == expected
    starts = [proxy.meeting_at(r).start for r in range(proxy.rowCount())]
    dated = [s for s in starts if s is not None]
    assert dated == sorted(dated) and starts[-2:] == [None, None]


def test_an_ordered_list_is_not_sorted_again(
    source: MeetingListModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    meetings = source.meetings()
    keys: list[Meeting] = []
    real = Meeting.sort_key

    def counting(meeting: Meeting) -> tuple[bool, dt.datetime, str, str]:
        keys.append(meeting)
        return real(meeting)

    monkeypatch.setattr(Meeting, "sort_key", counting)
    source.set_meetings(list(reversed(meetings)))
    assert source.meetings() == meetings  # sorted into agenda order
    sorting = len(keys)
    keys.clear()
    source.set_meetings(meetings, ordered=True)  # the caller vouches for the order
    assert source.meetings() == meetings
    assert sorting - len(keys) == len(meetings)  # one key per meeting fewer: no sort


def test_sort_call_keeps_agenda_order(proxy: MeetingFilterProxy) -> None:
    before = titles(proxy)
    proxy.sort(0)
    assert titles(proxy) == before
    proxy.sort(0, Qt.SortOrder.DescendingOrder)
    assert titles(proxy) == before
    assert [proxy.starts_day(r) for r in range(3)] == [True, True, False]


# ---------------------------------------------------------------- search and filters
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stand", ["Daily stand-up"]),
        ("DESIGN", ["Design review"]),
        ("lea organiser", ["Design review"]),  # organizer, two terms
        ("join.me", ["Design review", "Interview"]),  # provider label + account
        ("skype business", ["Board meeting", "Skype meeting space"]),  # provider label
        ("bo zhang", ["Sprint kick-off"]),  # participants
        ("9036439807", ["Customer call"]),  # number
        ("rooms", ["Sprint kick-off", "Always-open room"]),  # account
        ("  call   customer ", ["Customer call"]),  # order and spacing of terms
        ("call sprint", []),  # every term must match the same meeting
    ],
)
def test_search_matches_every_term_case_insensitively(
    proxy: MeetingFilterProxy, text: str, expected: list[str]
) -> None:
    proxy.set_search(text)
    assert titles(proxy) == expected
    assert proxy.search == text
    proxy.set_search("")
    assert proxy.rowCount() == 9


def test_provider_account_and_link_filters_combine(proxy: MeetingFilterProxy) -> None:
    proxy.set_provider("joinme")
    assert titles(proxy) == ["Design review", "Interview"]
    proxy.set_link_only(True)
    assert titles(proxy) == ["Design review"]
    proxy.set_provider(None)
    proxy.set_account("rooms")
    assert titles(proxy) == ["Sprint kick-off", "Always-open room"]
    proxy.set_search("kick")
    assert titles(proxy) == ["Sprint kick-off"]
    assert proxy.is_filtered()
    proxy.set_search("")
    proxy.set_account(None)
    proxy.set_link_only(False)
    assert not proxy.is_filtered()
    assert proxy.rowCount() == 9


def test_filter_change_uses_begin_end_filter_change(
    proxy: MeetingFilterProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original_begin = QSortFilterProxyModel.beginFilterChange
    original_end = QSortFilterProxyModel.endFilterChange

    def begin(self: QSortFilterProxyModel) -> None:
        calls.append("begin")
        original_begin(self)

    def end(self: QSortFilterProxyModel, *args: Any) -> None:
        calls.append("end")
        original_end(self, *args)

    monkeypatch.setattr(MeetingFilterProxy, "beginFilterChange", begin)
    monkeypatch.setattr(MeetingFilterProxy, "endFilterChange", end)
    proxy.set_provider("whereby")
    assert calls == ["begin", "end"]
    proxy.set_provider("whereby")  # unchanged: no refilter
    assert calls == ["begin", "end"]


def test_filters_survive_a_reload(source: MeetingListModel, proxy: MeetingFilterProxy) -> None:
    proxy.set_provider(Provider.SKYPE)
    assert proxy.rowCount() == 2
    source.set_meetings([*sample(), meeting("10", "New Skype call", at(2, 8),
                                            provider=Provider.SKYPE, account="sip")])
    assert titles(proxy) == ["New Skype call", "Board meeting", "Skype meeting space"]


# ---------------------------------------------------------------- lookups
def test_keys_rows_and_indexes(source: MeetingListModel, proxy: MeetingFilterProxy) -> None:
    target = next(m for m in sample() if m.title == "Interview")
    key = meeting_key(target)
    assert key == agenda.reminder_key(target)
    row = source.row_of(key)
    assert row is not None and source.meeting_at(row) == target
    index = proxy.index_of(key)
    assert index.isValid() and proxy.meeting_at(index.row()) == target
    assert index.data(MeetingRole.KEY) == key
    proxy.set_link_only(True)
    assert not proxy.index_of(key).isValid()
    assert source.row_of("no such key") is None
    assert not proxy.index_of("no such key").isValid()


def test_day_helpers(proxy: MeetingFilterProxy) -> None:
    today = NOW.date()
    counts = proxy.day_counts()
    assert counts[today] == 4
    assert counts[today + dt.timedelta(days=1)] == 1
    assert counts[today - dt.timedelta(days=1)] == 1
    assert sum(counts.values()) == 7
    assert proxy.timeless_count() == 2
    assert proxy.day_providers()[today] == ["bluejeans", "joinme", "bluejeans"]
    starts = [proxy.starts_day(r) for r in range(proxy.rowCount())]
    assert starts == [True, True, False, False, False, True, True, True, False]
    row = proxy.first_row_on_or_after(today + dt.timedelta(days=2))
    assert row is not None and proxy.meeting_at(row).title == "Board meeting"
    assert proxy.first_row_on_or_after(today + dt.timedelta(days=30)) is None
    proxy.set_provider(Provider.JOINME)
    assert proxy.day_counts() == {today: 2}
    assert proxy.timeless_count() == 0


def test_meetings_between_finds_overlaps(proxy: MeetingFilterProxy) -> None:
    start, _ = at(0, 10, 30)
    found = proxy.meetings_between(start, start + dt.timedelta(hours=1))
    # Design review (10:00–11:00) overlaps; Customer call starts at 11:00.
    assert [m.title for m in found] == ["Design review", "Customer call"]
    found = proxy.meetings_between(start, start + dt.timedelta(minutes=30))
    assert [m.title for m in found] == ["Design review"]


# ---------------------------------------------------------------- roles and "next"
def test_role_data(source: MeetingListModel, proxy: MeetingFilterProxy) -> None:
    index = proxy.index_of(meeting_key(next(m for m in sample() if m.id == "2")))
    m = index.data(MeetingRole.MEETING)
    assert isinstance(m, Meeting) and m.title == "Design review"
    assert index.data(Qt.ItemDataRole.DisplayRole) == "Design review"
    assert index.data(MeetingRole.START) == m.start
    assert index.data(MeetingRole.END) == m.end
    assert index.data(MeetingRole.PROVIDER) == "joinme"
    assert index.data(MeetingRole.ACCOUNT) == "me@join.me"
    assert index.data(MeetingRole.HAS_LINK) is True
    assert index.data(MeetingRole.DAY) == NOW.date()
    assert index.data(MeetingRole.TIME_TEXT) == "10:00 – 11:00"
    assert index.data(MeetingRole.DAY_TEXT) == "Today — Friday 21 November"
    assert index.data(MeetingRole.IS_TODAY) is True
    assert index.data(MeetingRole.STARTED) is True
    assert "Lea Organiser" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert index.data(MeetingRole.COUNTDOWN) is None

    tomorrow = proxy.index_of(meeting_key(next(m for m in sample() if m.id == "5")))
    assert tomorrow.data(MeetingRole.DAY_TEXT) == "Tomorrow — Saturday 22 November"
    assert tomorrow.data(MeetingRole.IS_TODAY) is False
    later = proxy.index_of(meeting_key(next(m for m in sample() if m.id == "6")))
    assert later.data(MeetingRole.DAY_TEXT) == "Friday 28 November"
    yesterday = proxy.index_of(meeting_key(next(m for m in sample() if m.id == "7")))
    assert yesterday.data(MeetingRole.DAY_TEXT) == "Yesterday — Thursday 20 November"

    timeless = proxy.index(proxy.rowCount() - 1, 0)
    assert timeless.data(MeetingRole.START) is None
    assert timeless.data(MeetingRole.DAY) is None
    assert timeless.data(MeetingRole.TIME_TEXT) == "No fixed time"
    assert timeless.data(MeetingRole.DAY_TEXT) == TIMELESS_HEADING
    assert timeless.data(MeetingRole.STARTED) is False

    no_link = proxy.index_of(meeting_key(next(m for m in sample() if m.id == "4")))
    assert no_link.data(MeetingRole.HAS_LINK) is False
    assert not source.index(0, 0).parent().isValid()
    assert source.data(QModelIndex(), MeetingRole.MEETING) is None
    assert set(source.roleNames()) >= {int(r) for r in MeetingRole}


def test_times_follow_the_display_time_zone() -> None:
    utc_model = MeetingListModel(tz=dt.UTC, now=NOW)
    utc_model.set_meetings([meeting("1", "Late call", at(0, 23, 30, 60))])  # 21:30 UTC
    index = utc_model.index(0, 0)
    assert index.data(MeetingRole.TIME_TEXT) == "21:30 – 22:30"
    local = MeetingListModel(tz=TZ, now=NOW)
    local.set_meetings([meeting("1", "Late call", at(0, 23, 30, 60))])
    assert local.index(0, 0).data(MeetingRole.TIME_TEXT) == "23:30 – 00:30 +1"


def test_multi_day_items_show_their_end_day() -> None:
    model = MeetingListModel(tz=TZ, now=NOW)
    start = at(0, 4, 57)[0]  # Friday 21 November 2025, 04:57

    def until(**length: float) -> Meeting:
        return meeting("r", "Room", (start, start + dt.timedelta(**length)),
                       provider=Provider.WHEREBY)

    model.set_meetings([until(hours=170, minutes=33)])
    assert model.index(0, 0).data(MeetingRole.TIME_TEXT) == "04:57 – Fri 28 Nov"
    model.set_meetings([until(hours=26, minutes=31)])
    assert model.index(0, 0).data(MeetingRole.TIME_TEXT) == "04:57 – Sat 22 Nov"
    # Ending at midnight: the last day is the one before.
    model.set_meetings([until(hours=43, minutes=3)])  # to Sunday 00:00
    assert model.index(0, 0).data(MeetingRole.TIME_TEXT) == "04:57 – Sat 22 Nov"
    # A short late call stays a plain range with "+1"; a night far into the next day
    # counts as multi-day.
    model.set_meetings([meeting("late", "Late call", at(0, 23, 30, 60))])
    assert model.index(0, 0).data(MeetingRole.TIME_TEXT) == "23:30 – 00:30 +1"
    night = meeting("night", "Night shift", at(0, 22, 0, 7 * 60))
    model.set_meetings([night])
    assert model.index(0, 0).data(MeetingRole.TIME_TEXT) == "22:00 – Sat 22 Nov"
    assert model.is_multi_day(night)
    assert not model.is_multi_day(meeting("x", "Plain", at(0, 9)))
    assert not model.is_multi_day(meeting("t", "Timeless", None))
    # The year is added when it changes.
    new_year = dt.datetime(2025, 12, 30, 9, 0, tzinfo=TZ)
    model.set_meetings([meeting("y", "Year end", (new_year, new_year + dt.timedelta(days=3)))])
    assert model.index(0, 0).data(MeetingRole.TIME_TEXT) == "09:00 – Fri 2 Jan 2026"


@pytest.mark.parametrize(("start", "end", "expected"), [
    ((9, 0), (10, 0), False),
    ((8, 0), (19, 59), False),  # a long day, under 12 hours
    ((8, 0), (20, 0), True),  # 12 hours
    ((23, 0), (25, 0), False),  # 23:00 – 01:00
    ((23, 30), (28, 0), False),  # 23:30 – 04:00: just a few hours into the next day
    ((22, 0), (29, 0), True),  # 22:00 – 05:00
    ((9, 0), (48, 0), True),  # to midnight two days on
])
def test_is_multi_day(start: tuple[int, int], end: tuple[int, int], expected: bool) -> None:
    day = dt.datetime(2025, 11, 21, tzinfo=TZ)
    begin = day + dt.timedelta(hours=start[0], minutes=start[1])
    finish = day + dt.timedelta(hours=end[0], minutes=end[1])
    assert is_multi_day(begin, finish) is expected
    assert not is_multi_day(begin, None)
    assert not is_multi_day(begin, begin)


def test_next_meeting_is_highlighted_with_a_countdown(
    source: MeetingListModel, proxy: MeetingFilterProxy
) -> None:
    # 10:42: stand-up and design review have started; the customer call at 11:00 is next.
    customer = next(m for m in sample() if m.id == "3")
    assert source.next_key == meeting_key(customer)
    flagged = [proxy.index(r, 0).data(MeetingRole.MEETING).title
               for r in range(proxy.rowCount()) if proxy.index(r, 0).data(MeetingRole.IS_NEXT)]
    assert flagged == ["Customer call"]
    index = proxy.index_of(source.next_key or "")
    assert index.data(MeetingRole.COUNTDOWN) == "in 18 min"


def test_set_now_moves_next_and_signals(qtbot: Any, source: MeetingListModel,
                                        proxy: MeetingFilterProxy) -> None:
    changed: list[tuple[int, int]] = []
    proxy.dataChanged.connect(lambda a, b, roles=(): changed.append((a.row(), b.row())))
    with qtbot.waitSignal(source.dataChanged, timeout=1000):
        source.set_now(NOW.replace(hour=11, minute=20))
    # The customer call started 20 min ago (past the grace), the interview (no link) is
    # skipped, so tomorrow's kick-off is next.
    assert source.next_key is not None
    next_index = proxy.index_of(source.next_key)
    assert next_index.data(MeetingRole.MEETING).title == "Sprint kick-off"
    assert next_index.data(MeetingRole.COUNTDOWN) == "in 22 h 10 min"
    customer = proxy.index_of(meeting_key(next(m for m in sample() if m.id == "3")))
    assert customer.data(MeetingRole.IS_NEXT) is False
    assert customer.data(MeetingRole.STARTED) is True
    rows = {r for a, b in changed for r in range(a, b + 1)}
    assert customer.row() in rows and next_index.row() in rows


def test_set_now_past_midnight_renames_days(source: MeetingListModel,
                                             proxy: MeetingFilterProxy) -> None:
    source.set_now(NOW + dt.timedelta(days=1))
    kickoff = proxy.index_of(meeting_key(next(m for m in sample() if m.id == "5")))
    assert kickoff.data(MeetingRole.DAY_TEXT) == "Today — Saturday 22 November"
    assert source.today == NOW.date() + dt.timedelta(days=1)


def test_repeated_occurrences_have_their_own_keys(source: MeetingListModel) -> None:
    weekly = [meeting("w", "Weekly", at(d, 9)) for d in (0, 7, 14)]
    source.set_meetings(weekly)
    rows = [source.row_of(meeting_key(m)) for m in weekly]
    assert rows == [0, 1, 2]
    assert source.row_of(meeting_key(meeting("w", "Weekly", at(21, 9)))) is None


def test_next_key_matches_core_policy_on_large_lists() -> None:
    rng = random.Random(3)
    base = NOW.replace(hour=0, minute=0)
    items = []
    for i in range(600):
        start = base + dt.timedelta(minutes=15 * rng.randrange(-200, 400))
        items.append(Meeting(id=str(i), account="a", provider=Provider.JOINME,
                             title=rng.choice("ABC"), start=start,
                             end=start + dt.timedelta(minutes=rng.choice((0, 15, 60, 180))),
                             join_url=None if i % 5 == 0 else f"https://x.test/{i}"))
    model = MeetingListModel(tz=TZ, now=NOW)
    model.set_meetings(items)
    for step in range(0, 400, 7):
        now = base + dt.timedelta(minutes=15 * step + 4)
        model.set_now(now)
        expected = agenda.next_meeting(items, now)
        assert model.next_key == (meeting_key(expected) if expected else None), now
