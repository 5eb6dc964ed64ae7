"""ICS parsing: recurrence, exceptions, time zones, DST edges, all-day, conference fields."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest

from launcher.core.errors import ProtocolViolation
from launcher.core.models import Meeting, Provider
from launcher.providers.ics.protocol import parse_ics

DATA = Path(__file__).resolve().parents[2] / "data" / "ics"
UTC = dt.UTC
YEAR = (dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2026, 1, 1, tzinfo=UTC))


def parse(name: str, **kwargs: object) -> list[Meeting]:
    options: dict[str, object] = {"start": YEAR[0], "end": YEAR[1], "username": "me@example.test"}
    options.update(kwargs)
    return list(parse_ics((DATA / name).read_bytes(), account="cal", **options).meetings)  # type: ignore[arg-type]


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def by_uid(meetings: list[Meeting], uid: str) -> list[Meeting]:
    return [m for m in meetings if m.uid == uid]


# ---------------------------------------------------------------- recurrence


def test_weekly_rule_with_exdate_moved_and_cancelled_occurrences() -> None:
    standup = by_uid(parse("recurrence.ics"), "weekly-standup@example.test")
    starts = [m.start for m in standup]
    # COUNT=6 from 6 Jan: 6, 13 (moved to 14:00), 20 (EXDATE), 27 (cancelled), 3 Feb, 10 Feb.
    assert starts == [at(2025, 1, 6, 9), at(2025, 1, 13, 13), at(2025, 1, 27, 9),
                      at(2025, 2, 3, 9), at(2025, 2, 10, 9)]
    moved = standup[1]
    assert moved.title == "Weekly stand-up (moved)"
    assert moved.id == "weekly-standup@example.test/20250113T090000Z"  # the original slot
    assert moved.attendance == "tentative"
    cancelled = standup[2]
    assert cancelled.status == "cancelled"
    assert all(m.status is None for m in standup if m is not cancelled)
    assert len({m.id for m in standup}) == len(standup)


def test_recurring_event_fields() -> None:
    first = parse("recurrence.ics")[0]
    assert first.provider is Provider.ICS
    assert first.account == "cal"
    assert first.calendar == "Team"
    assert first.location == "Room 4"
    assert first.organizer == "Olga Organiser"
    assert first.participants == ("me@example.test", "bob@example.test")
    assert first.attendance == "accepted"
    assert first.join_url == "https://example.zoom.us/j/1234567890?pwd=abc"
    assert first.conference_url is None
    assert first.end == at(2025, 1, 6, 9, 30)
    assert first.passcode is None


def test_window_limits_the_expansion() -> None:
    found = parse("recurrence.ics", start=at(2025, 2, 1), end=at(2025, 2, 5))
    assert [m.start for m in found] == [at(2025, 2, 3, 9)]


def test_an_event_running_across_the_window_start_is_kept() -> None:
    found = parse("recurrence.ics", start=at(2025, 1, 6, 9, 15), end=at(2025, 1, 7))
    assert [m.start for m in found] == [at(2025, 1, 6, 9)]


def test_ids_are_stable_between_parses() -> None:
    assert [m.id for m in parse("recurrence.ics")] == [m.id for m in parse("recurrence.ics")]


# ---------------------------------------------------------------- time zones


def test_tzid_vtimezone_utc_and_floating() -> None:
    found = {m.uid: m for m in parse("timezones.ics", default_tz=zoneinfo.ZoneInfo("Asia/Tokyo"))}
    assert found["tzid-ny@example.test"].start == at(2025, 1, 15, 14)
    # A VTIMEZONE with a made-up name: its rules give EDT (-4) in July.
    assert found["vtimezone@example.test"].start == at(2025, 7, 15, 13)
    assert found["vtimezone@example.test"].end == at(2025, 7, 15, 13, 45)
    assert found["utc@example.test"].start == at(2025, 1, 16, 12)
    # Floating, no X-WR-TIMEZONE: the default zone (Tokyo, +9).
    assert found["floating@example.test"].start == at(2025, 1, 17, 0)


def test_floating_defaults_to_utc_without_a_zone() -> None:
    found = {m.uid: m for m in parse("timezones.ics")}
    assert found["floating@example.test"].start == at(2025, 1, 17, 9)


def test_x_wr_timezone_applies_to_floating_and_utc_times() -> None:
    found = parse("xwr_timezone.ics", default_tz=zoneinfo.ZoneInfo("Asia/Tokyo"))
    floating = by_uid(found, "google-floating@example.test")[0]
    assert floating.start == at(2025, 1, 15, 8)  # 09:00 Berlin (CET)
    assert floating.calendar == "Work (Google)"
    weekly = by_uid(found, "google-weekly@example.test")
    # 09:00 Berlin every week, also after the DST change on 30 March.
    assert [m.start for m in weekly] == [at(2025, 3, 20, 8), at(2025, 3, 27, 8), at(2025, 4, 3, 7)]
    assert weekly[0].conference_url == "https://meet.google.com/abc-defg-hij"
    assert weekly[0].join_url == weekly[0].conference_url


# ---------------------------------------------------------------- DST edges


def test_a_time_in_the_spring_forward_gap_uses_the_offset_before_it() -> None:
    found = {m.uid: m for m in parse("dst.ics")}
    berlin = found["gap-berlin@example.test"]
    # RFC 5545 3.3.5: 02:30 does not exist on 30 March in Berlin; read with +01:00.
    assert berlin.start == at(2025, 3, 30, 1, 30)
    assert berlin.end == at(2025, 3, 30, 2, 0)
    new_york = found["gap-newyork@example.test"]
    assert new_york.start == at(2025, 3, 9, 7, 30)
    assert new_york.end == at(2025, 3, 9, 8, 0)


def test_weekly_event_keeps_its_local_time_across_dst() -> None:
    found = parse("dst.ics")
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    weekly = by_uid(found, "weekly-across-dst@example.test")
    assert [m.start for m in weekly] == [at(2025, 3, 17, 8), at(2025, 3, 24, 8),
                                         at(2025, 3, 31, 7), at(2025, 4, 7, 7)]
    assert {m.start.astimezone(berlin).time() for m in weekly if m.start} == {dt.time(9)}
    new_york = zoneinfo.ZoneInfo("America/New_York")
    fall = by_uid(found, "weekly-ny-fall@example.test")
    assert [m.start for m in fall] == [at(2025, 10, 27, 13), at(2025, 11, 3, 14),
                                       at(2025, 11, 10, 14)]
    assert {m.start.astimezone(new_york).time() for m in fall if m.start} == {dt.time(9)}


# ---------------------------------------------------------------- all-day, status, links


def test_all_day_events() -> None:
    found = {m.uid: m for m in parse("allday_conference.ics")}
    holiday = found["holiday@example.test"]
    assert holiday.all_day
    assert (holiday.start, holiday.end) == (at(2025, 2, 3), at(2025, 2, 4))
    offsite = found["offsite@example.test"]
    assert offsite.all_day
    assert (offsite.start, offsite.end) == (at(2025, 2, 5), at(2025, 2, 8))
    assert offsite.status == "tentative"
    assert not found["teams@example.test"].all_day


def test_teams_html_description_and_declined_attendance() -> None:
    teams = next(m for m in parse("allday_conference.ics") if m.uid == "teams@example.test")
    assert teams.description.startswith("<html>")
    assert "teams.microsoft.com/l/meetup-join" in teams.description
    assert teams.conference_url == (
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0"
    )
    assert teams.attendance == "declined"  # the address matches case-insensitively
    assert teams.status == "confirmed"


def test_conference_property_prefers_video_over_phone() -> None:
    conf = next(m for m in parse("allday_conference.ics") if m.uid == "conference@example.test")
    assert conf.conference_url == "https://example.webex.com/meet/room1"
    assert conf.join_url == conf.conference_url  # over the URL property


def test_no_attendance_without_a_username() -> None:
    assert all(m.attendance is None for m in parse("recurrence.ics", username=None))


def test_provider_and_calendar_name_can_be_given() -> None:
    found = parse_ics((DATA / "timezones.ics").read_bytes(), account="dav",
                      provider=Provider.CALDAV, start=YEAR[0], end=YEAR[1], calendar="Home")
    assert {m.provider for m in found.meetings} == {Provider.CALDAV}
    assert {m.calendar for m in found.meetings} == {"Home"}


# ---------------------------------------------------------------- broken input


def test_a_broken_event_is_skipped_not_fatal() -> None:
    result = parse_ics((DATA / "broken_event.ics").read_bytes(), account="a",
                       start=YEAR[0], end=YEAR[1])
    assert [m.title for m in result.meetings] == ["Good event"]
    assert result.skipped == 2


@pytest.mark.parametrize(
    "body",
    [b"", b"<html><body>Sign in</body></html>", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n",
     b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nEND:VCALENDAR\n"],
)
def test_what_is_not_a_calendar_is_a_protocol_violation(body: bytes) -> None:
    with pytest.raises(ProtocolViolation) as caught:
        parse_ics(body, account="a", start=YEAR[0], end=YEAR[1])
    assert "calendar" in str(caught.value).lower()


def test_an_event_without_uid_gets_a_stable_id() -> None:
    body = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\n"
            b"DTSTART:20250110T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    one = parse_ics(body, account="a", start=YEAR[0], end=YEAR[1]).meetings
    two = parse_ics(body, account="a", start=YEAR[0], end=YEAR[1]).meetings
    assert len(one) == 1
    assert one[0].id == two[0].id
    assert one[0].uid is None
