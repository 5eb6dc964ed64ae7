"""ICS (iCalendar, RFC 5545) to meetings: pure, no I/O; shared by ICS files, URLs and CalDAV.

Parsing is icalendar's; recurrence (RRULE, RDATE, EXDATE, RECURRENCE-ID exceptions)
and the ``X-WR-TIMEZONE`` habit of some exporters (UTC or floating times meant in that
zone) are recurring-ical-events' (which applies x-wr-timezone). Here we only map each
occurrence to a :class:`Meeting`:

* ``id`` is ``UID/<occurrence>``: the UID and the occurrence's original start in UTC
  (its RECURRENCE-ID when moved), so an occurrence keeps its id when it is moved.
* Times with a TZID (or a VTIMEZONE) keep their zone; UTC stays UTC; floating times
  (no zone) use ``X-WR-TIMEZONE`` when the calendar has one, else *default_tz* (the
  computer's zone). All-day events (DATE values) start and end at midnight UTC of
  their local dates, with ``all_day=True``.
* Cancelled occurrences (``STATUS:CANCELLED`` on the event or on one RECURRENCE-ID
  instance) are kept with ``status="cancelled"``: hiding them is a filter's choice,
  and a UI may want to say "cancelled". Occurrences removed with EXDATE are gone.
* ``attendance`` is the PARTSTAT of the ATTENDEE whose address is the account's user.
* ``conference_url`` comes from CONFERENCE (RFC 7986) or vendors' X- properties;
  ``join_url`` is the conference link, else the event's URL.
* ``description`` is the HTML of ``X-ALT-DESC;FMTTYPE=text/html`` when present (it
  holds the links Outlook and Teams write), else the plain DESCRIPTION.

A body that is not a calendar raises :class:`ProtocolViolation`; one broken VEVENT
(no start, a value that does not parse, a bad RRULE) is skipped and counted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import logging
import re
import urllib.parse
from collections.abc import Iterable
from typing import Any

import icalendar
import recurring_ical_events
from icalendar.parser import Contentline, Contentlines

from launcher.core.errors import ProtocolViolation
from launcher.core.models import Meeting, Provider

log = logging.getLogger("launcher.ics")

#: How far ahead to expand recurring events when the caller gives no end.
DEFAULT_SPAN = dt.timedelta(days=366)
#: Properties that carry an online meeting's link, best first.
CONFERENCE_PROPERTIES = (
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
    "X-MS-OLK-CONFERENCEURL",
    "X-ZOOM-MEETING-URL",
    "X-WEBEX-MEETING-URL",
)
_STATUSES = {"CONFIRMED": "confirmed", "TENTATIVE": "tentative", "CANCELLED": "cancelled"}
_PARTSTATS = {
    "ACCEPTED": "accepted",
    "DECLINED": "declined",
    "TENTATIVE": "tentative",
    "NEEDS-ACTION": "needs-action",
}


@dataclasses.dataclass(frozen=True, slots=True)
class ParsedCalendar:
    """The meetings of one ICS body in a window, the calendar's name, what was skipped."""

    meetings: tuple[Meeting, ...]
    name: str | None = None
    #: VEVENTs left out because they could not be read.
    skipped: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarData:
    """An ICS body read and checked once; expand it for any window with :func:`expand`.

    Reading (icalendar's parser) is most of the cost of a large calendar: a client keeps
    this while the body does not change (a 304, or a refresh within the interval).
    Expanding does not change it, so one instance may be expanded from several threads.
    """

    calendars: tuple[icalendar.Calendar, ...] = dataclasses.field(repr=False)
    #: VEVENTs left out because they could not be read.
    skipped: int = 0
    #: Per calendar: its one-off events (see :func:`_one_off`) and the calendar without
    #: them, which holds everything recurring-ical-events needs to expand the rest.
    #: Empty: every event goes through recurring-ical-events (the same meetings, slower).
    parts: tuple[tuple[tuple[Any, ...], icalendar.Calendar], ...] = dataclasses.field(
        default=(), repr=False
    )


def read_ics(
    data: bytes | str, *, provider: Provider = Provider.ICS, default_tz: dt.tzinfo = dt.UTC
) -> CalendarData:
    """Parse *data*, drop VEVENTs that cannot be read, give floating times their zone.

    Floating times get ``X-WR-TIMEZONE`` when the calendar has one, else *default_tz*.
    Raises ProtocolViolation when *data* is not an iCalendar object.
    """
    calendars = _read(data, provider)
    skipped = 0
    for cal in calendars:
        skipped += _drop_broken(cal)
        _float_to(cal, default_tz)
    return CalendarData(tuple(calendars), skipped, tuple(_split_one_offs(c) for c in calendars))


def _split_one_offs(cal: icalendar.Calendar) -> tuple[tuple[Any, ...], icalendar.Calendar]:
    """Return *cal*'s one-off events, and a copy of *cal* (same components) without them."""
    events = [c for c in cal.subcomponents if c.name == "VEVENT"]
    uids: dict[str, int] = {}
    for event in events:
        uid = _text(event.get("UID"))
        uids[uid] = uids.get(uid, 0) + 1
    floating_is_zoned = bool(cal.get("X-WR-TIMEZONE"))
    one_offs = [e for e in events if _one_off(e, uids, floating_is_zoned=floating_is_zoned)]
    if not one_offs:
        return (), cal
    chosen = {id(e) for e in one_offs}
    rest = cal.copy()
    rest.subcomponents = [c for c in cal.subcomponents if id(c) not in chosen]
    return tuple(one_offs), rest


def _one_off(event: Any, uids: dict[str, int], *, floating_is_zoned: bool) -> bool:
    """Whether *event* has exactly one occurrence, itself, with nothing to expand.

    No RRULE, RDATE, EXDATE, RECURRENCE-ID or DURATION, an end (if any) of the start's
    type and not before it, and a UID no other VEVENT shares (so no moved occurrence
    refers to it). recurring-ical-events would return it as it is, with
    the same start and end instants, at about 90 µs an event; :func:`expand` maps these
    directly. Its X-WR-TIMEZONE handling moves UTC times into the zone (the same instant)
    and gives floating times the zone: an event with floating times in such a calendar
    (*floating_is_zoned*) is left to it.
    """
    uid = _text(event.get("UID"))
    if not uid or uids[uid] != 1:
        return False
    if any(key in event for key in ("RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")):
        return False
    start = getattr(event.get("DTSTART"), "dt", None)
    end = getattr(event.get("DTEND"), "dt", None)
    if floating_is_zoned and any(
        isinstance(value, dt.datetime) and value.tzinfo is None for value in (start, end)
    ):
        return False
    if not isinstance(start, dt.date):
        return False
    if end is not None:
        # An end before the start (the library swaps them) or of another value type.
        return type(end) is type(start) and _aware(end)[0] >= _aware(start)[0]
    # A DURATION is the library's to read: days in it are days on the wall clock.
    return "DURATION" not in event


def expand(
    data: CalendarData,
    *,
    account: str,
    provider: Provider = Provider.ICS,
    start: dt.datetime | None,
    end: dt.datetime | None,
    username: str | None = None,
    calendar: str | None = None,
) -> ParsedCalendar:
    """Return the occurrences of every VEVENT in *data* that overlap [start, end).

    *username* (an e-mail address) picks the user's ATTENDEE for ``attendance``;
    *calendar* names the calendar when the body has no ``X-WR-CALNAME``.
    """
    lo = start or dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    hi = end or lo + DEFAULT_SPAN
    meetings: list[Meeting] = []
    skipped = data.skipped
    name: str | None = None
    parts = data.parts or tuple(((), cal) for cal in data.calendars)
    for cal, (one_offs, rest) in zip(data.calendars, parts, strict=True):
        cal_name = _text(cal.get("X-WR-CALNAME")) or calendar
        name = name or cal_name
        try:
            occurrences = recurring_ical_events.of(rest, skip_bad_series=True).between(lo, hi)
        except Exception as exc:  # the library's errors have no common base class
            raise ProtocolViolation(
                provider.value, f"the calendar's events could not be read ({type(exc).__name__})"
            ) from exc
        for event in itertools.chain(one_offs, occurrences):
            try:
                meeting = _meeting(event, account, provider, username, cal_name)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                log.info("skipped an event that could not be read: %s", type(exc).__name__)
                skipped += 1
                continue
            if meeting is not None and _overlaps(meeting, lo, hi):
                meetings.append(meeting)
    if skipped:
        log.info("%s: %d event(s) could not be read and were skipped", account, skipped)
    meetings.sort(key=Meeting.sort_key)
    return ParsedCalendar(tuple(meetings), name, skipped)


def parse_ics(
    data: bytes | str,
    *,
    account: str,
    provider: Provider = Provider.ICS,
    start: dt.datetime | None,
    end: dt.datetime | None,
    username: str | None = None,
    default_tz: dt.tzinfo = dt.UTC,
    calendar: str | None = None,
) -> ParsedCalendar:
    """:func:`read_ics` then :func:`expand`: the occurrences in *data* overlapping [start, end).

    Raises ProtocolViolation when *data* is not an iCalendar object.
    """
    return expand(
        read_ics(data, provider=provider, default_tz=default_tz),
        account=account, provider=provider, start=start, end=end, username=username,
        calendar=calendar,
    )


#: The characters that decide where icalendar splits a content line's value off.
_SPLIT_CHARS = re.compile(r'["\\:]')


def _value_colon(line: str) -> int:
    """Return the index of the colon icalendar's ``raw_parts`` splits *line*'s value at.

    That is the first colon outside double quotes and not after a backslash (icalendar's
    reading: a backslash outside quotes escapes the next character, an escaped quote does
    not open or close a quoted section). Returns -1 when there is none.
    """
    in_quotes = False
    escaped_at = -1
    for match in _SPLIT_CHARS.finditer(line):
        i = match.start()
        char = line[i]
        if char == '"':
            if i != escaped_at:
                in_quotes = not in_quotes
        elif char == "\\":
            if not in_quotes:
                escaped_at = i + 1
        elif not in_quotes and i != escaped_at:
            return i
    return -1


class _ContentLine(Contentline):
    """A content line whose name and parameters icalendar reads from the line's head.

    icalendar's ``raw_parts`` walks every character of a line in Python, on past the
    colon that ends the parameters (about 0.2 µs a character: two thirds of the time to
    read a calendar whose events carry HTML descriptions). What it returns depends only
    on the characters up to that colon, so this hands it the head of the line and takes
    the value, unchanged, from the rest. Anything unusual (no colon, a head icalendar
    refuses) goes to icalendar's own reading of the whole line, so errors are its own.
    """

    __slots__ = ()

    def raw_parts(self) -> tuple[str, Any, str]:
        colon = _value_colon(self)
        if colon > 0:
            try:
                head = _new_line(self[: colon + 1], strict=getattr(self, "strict", False))
                name, params, _ = head.raw_parts()
            except ValueError:
                pass
            else:
                return name, params, self[colon + 1 :]
        return super().raw_parts()


#: Where icalendar's unfolding reads more than "a line break then a space or tab": a
#: blank line (it drops the breaks before a fold) or a CR before a line break.
_UNUSUAL_BREAKS = ("\n\n", "\n\r\n", "\r\r")


def _unfolded(text: str) -> list[str] | None:
    """Return icalendar's content lines of *text* as plain strings, or None if unusual.

    icalendar unfolds with a regular expression that looks behind every line break
    (about 40 MB/s, two fifths of reading a calendar of HTML invitations) and splits
    with another. Where no line is blank and no CR comes before a line break (the
    exceptions, :data:`_UNUSUAL_BREAKS`, go to icalendar), its expression removes just
    each CRLF or LF followed by a space or tab, and its split is on CRLF or LF; plain
    string replacement does both.
    """
    if any(unusual in text for unusual in _UNUSUAL_BREAKS):
        return None
    if "\r" in text:  # without CR CR, every CR LF is one line break
        text = text.replace("\r\n", "\n")
    text = text.replace("\n ", "")
    if "\n\t" in text:
        text = text.replace("\n\t", "")
    return text.split("\n")


def _content_lines(text: str) -> list[Contentline]:
    """Unfold *text* into content lines (icalendar's unfolding) read by :class:`_ContentLine`."""
    pieces = _unfolded(text)
    if pieces is None:
        pieces = list(Contentlines.from_ical(text))  # type: ignore[no-untyped-call]
    lines: list[Contentline] = Contentlines(
        _new_line(line, fast=True) for line in pieces if line
    )
    lines.append(_new_line(""))  # as icalendar's own list ends: with an empty line
    return lines


def _new_line(text: str, *, strict: bool = False, fast: bool = False) -> Contentline:
    kind = _ContentLine if fast else Contentline
    line: Contentline = kind(text, strict=strict)  # type: ignore[no-untyped-call]
    return line


def _read(data: bytes | str, provider: Provider) -> list[icalendar.Calendar]:
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    text = text.lstrip("\ufeff")
    if "BEGIN:VCALENDAR" not in text[:4096].upper():
        raise ProtocolViolation(
            provider.value,
            "this is not a calendar (no BEGIN:VCALENDAR); give the calendar's ICS link (not "
            "its web page) or an .ics file exported from the calendar",
        )
    try:
        # icalendar's parser takes a list of content lines as well as text.
        lines: Any = _content_lines(text)
        found = icalendar.Calendar.from_ical(lines, multiple=True)
    except (ValueError, KeyError, IndexError) as exc:
        raise ProtocolViolation(
            provider.value, f"the calendar is not valid iCalendar ({_short(exc)})"
        ) from exc
    calendars = [c for c in found if isinstance(c, icalendar.Calendar)]
    if not calendars:
        raise ProtocolViolation(provider.value, "the calendar file holds no calendar")
    return calendars


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def _drop_broken(cal: icalendar.Calendar) -> int:
    """Remove VEVENTs that cannot be expanded (no start, unreadable values); count them."""
    kept: list[Any] = []
    dropped = 0
    for component in cal.subcomponents:
        if component.name == "VEVENT" and not _readable(component):
            dropped += 1
            continue
        kept.append(component)
    cal.subcomponents = kept
    return dropped


def _readable(event: Any) -> bool:
    if "DTSTART" not in event:
        return False
    try:
        start = event.decoded("DTSTART")
        if "DTEND" in event:
            event.decoded("DTEND")
        if "RRULE" in event:
            rules = event.get("RRULE")
            for rule in rules if isinstance(rules, list) else [rules]:
                if not isinstance(rule, icalendar.vRecur):
                    return False
    except (ValueError, TypeError, KeyError):
        return False
    return isinstance(start, dt.date)


def _float_to(cal: icalendar.Calendar, tz: dt.tzinfo) -> None:
    """Give floating times *tz* when the calendar has no X-WR-TIMEZONE to say otherwise."""
    if cal.get("X-WR-TIMEZONE"):
        return  # recurring-ical-events applies it (x-wr-timezone) to floating times
    for event in cal.walk("VEVENT"):
        for key in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            prop = event.get(key)
            value = getattr(prop, "dt", None)
            if isinstance(value, dt.datetime) and value.tzinfo is None:
                prop.dt = value.replace(tzinfo=tz)
        for key in ("EXDATE", "RDATE"):
            props = event.get(key)
            for prop in props if isinstance(props, list) else [props]:
                for item in getattr(prop, "dts", ()):
                    value = getattr(item, "dt", None)
                    if isinstance(value, dt.datetime) and value.tzinfo is None:
                        item.dt = value.replace(tzinfo=tz)


def _aware(value: dt.date) -> tuple[dt.datetime, bool]:
    """Return an aware datetime and whether *value* was a date (all-day)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # floating left by the library: read as UTC
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC), False
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC), True


def _meeting(
    event: Any, account: str, provider: Provider, username: str | None, cal_name: str | None
) -> Meeting | None:
    uid = _text(event.get("UID")) or None
    raw_start = event.decoded("DTSTART")
    start, all_day = _aware(raw_start)
    end: dt.datetime | None
    if "DTEND" in event:
        raw_end = event.decoded("DTEND")
        end, _ = _aware(raw_end)
        if end < start and isinstance(raw_end, dt.datetime) and isinstance(
            raw_start, dt.datetime
        ):
            # A start in a DST gap (02:30 on a spring-forward day) read with the offset
            # before the gap, and an end computed on the wall clock: keep the length.
            end = start + (raw_end.replace(tzinfo=None) - raw_start.replace(tzinfo=None))
    elif "DURATION" in event:
        end = start + event.decoded("DURATION")
    else:
        end = start + dt.timedelta(days=1) if all_day else start
    if end < start:
        end = start
    original = event.get("RECURRENCE-ID")
    occurrence = _aware(original.dt)[0] if original is not None else start
    ident = f"{uid or _fallback_uid(event)}/{occurrence:%Y%m%dT%H%M%SZ}"
    status = _STATUSES.get(_text(event.get("STATUS")).upper())
    conference = _conference(event)
    url = _http(_text(event.get("URL")))
    description = _html_description(event) or _text(event.get("DESCRIPTION"))
    attendees = _list(event.get("ATTENDEE"))
    organizer = event.get("ORGANIZER")
    return Meeting(
        id=ident,
        account=account,
        provider=provider,
        title=_text(event.get("SUMMARY")).strip() or "(no title)",
        start=start,
        end=end,
        join_url=conference or url,
        participants=tuple(a for a in (_address(x) for x in attendees) if a),
        organizer=(_cn(organizer) or _address(organizer) or None) if organizer else None,
        description=description,
        uid=uid,
        location=_text(event.get("LOCATION")).strip(),
        all_day=all_day,
        status=status,
        attendance=_attendance(attendees, username),
        calendar=cal_name,
        conference_url=conference,
    )


def _fallback_uid(event: Any) -> str:
    """Return a stable stand-in for an event without a UID (some exporters omit it)."""
    import hashlib

    basis = f"{_text(event.get('SUMMARY'))}|{_text(event.get('LOCATION'))}"
    return "nouid-" + hashlib.sha1(basis.encode(), usedforsecurity=False).hexdigest()[:16]


def _overlaps(meeting: Meeting, lo: dt.datetime, hi: dt.datetime) -> bool:
    assert meeting.start is not None
    end = meeting.end or meeting.start
    return meeting.start < hi and (end > lo or meeting.start >= lo)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value)


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _http(value: str) -> str | None:
    text = value.strip()
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() in {"http", "https"} and parts.hostname:
        return text
    return None


def _conference(event: Any) -> str | None:
    """Return the meeting link from CONFERENCE (video first) or a vendor's X- property."""
    conferences = _list(event.get("CONFERENCE"))
    ranked = sorted(
        conferences,
        key=lambda c: "VIDEO" not in str(getattr(c, "params", {}).get("FEATURE", "")).upper(),
    )
    for conf in ranked:
        url = _http(_text(conf))
        if url:
            return url
    for key in CONFERENCE_PROPERTIES:
        for value in _list(event.get(key)):
            url = _http(_text(value))
            if url:
                return url
    return None


def _html_description(event: Any) -> str:
    for value in _list(event.get("X-ALT-DESC")):
        fmt = str(getattr(value, "params", {}).get("FMTTYPE", "")).lower()
        if fmt == "text/html" and str(value).strip():
            return str(value)
    return ""


def _address(value: Any) -> str:
    text = _text(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text


def _cn(value: Any) -> str:
    return str(getattr(value, "params", {}).get("CN", "")).strip()


def _attendance(attendees: Iterable[Any], username: str | None) -> str | None:
    if not username:
        return None
    me = username.strip().casefold()
    for attendee in attendees:
        if _address(attendee).casefold() == me:
            state = str(getattr(attendee, "params", {}).get("PARTSTAT", "NEEDS-ACTION"))
            return _PARTSTATS.get(state.upper())
    return None


__all__ = [
    "CONFERENCE_PROPERTIES", "DEFAULT_SPAN", "CalendarData", "ParsedCalendar", "expand",
    "parse_ics", "read_ics",
]
