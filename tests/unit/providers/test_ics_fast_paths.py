"""The ICS reader's shortcuts give exactly what the libraries give without them.

* ``_unfolded`` unfolds and splits a calendar with string replacement where icalendar's
  regular expressions would do the same: its lines must equal icalendar's for any text.
* ``_ContentLine`` hands icalendar only the head of a content line: its ``raw_parts``
  must equal icalendar's own for any line, errors included.
* One-off events skip recurring-ical-events: :func:`expand` must give the same meetings
  as expanding every event with the library.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import icalendar
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from icalendar.parser import Contentline, Contentlines

from launcher.providers.ics.protocol import (
    _content_lines,
    _ContentLine,
    _unfolded,
    _value_colon,
    expand,
    read_ics,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "ics"
UTC = dt.UTC
WINDOW = (dt.datetime(2024, 6, 1, tzinfo=UTC), dt.datetime(2026, 6, 1, tzinfo=UTC))


def _parts_or_error(line: Contentline) -> object:
    try:
        return line.raw_parts()
    except ValueError as exc:
        return ("ValueError", str(exc))


# Texts built from line breaks, folds and blank lines in every combination.
_BREAKS = st.lists(
    st.sampled_from(["\r", "\n", "\r\n", " ", "\t", "a", "X:", "é", "\r\n ", "\n\t"]),
    max_size=40,
).map("".join)


@given(_BREAKS)
@example("BEGIN:VCALENDAR\r\nX:a\r\n b\r\n\tc\r\nEND:VCALENDAR\r\n")
@example("A:1\r\r\n b\n\n c\n\r\n\td")
@example("A:1\r\n \r\n b")
@example("\n \n x\r\n\t\r\n\ty")
def test_unfolding_gives_icalendars_lines(text: str) -> None:
    reference = [str(line) for line in Contentlines.from_ical(text)]
    pieces = _unfolded(text)
    if pieces is not None:  # None: the text goes to icalendar itself
        assert [p for p in pieces if p] + [""] == reference
    lines = _content_lines(text)
    assert [str(line) for line in lines] == reference
    assert all(isinstance(line, _ContentLine) for line in lines[:-1])


def test_plain_folded_text_takes_the_shortcut() -> None:
    text = "BEGIN:VCALENDAR\r\nDESCRIPTION:a long\r\n  line\r\nEND:VCALENDAR\r\n"
    assert _unfolded(text) == ["BEGIN:VCALENDAR", "DESCRIPTION:a long line",
                               "END:VCALENDAR", ""]
    assert _unfolded(text.replace("\r\n", "\n")) is not None
    assert _unfolded("A:1\r\n\r\nB:2") is None  # a blank line: icalendar's own reading


# Lines built from the characters that matter to the split, and from real-looking pieces.
_PIECES = st.sampled_from([
    '"', "\\", ":", ";", "=", ",", "a", "X", "-", " ", "\t", "é", "DESCRIPTION", "ALTREP=",
    '"http://x:1/y"', "FMTTYPE=text/html", "<a href=\"https://z.example/j/1?pwd=a:b\">",
])
_LINES = st.lists(_PIECES, max_size=30).map("".join).filter(lambda s: "\n" not in s)


@given(_LINES)
@example('DESCRIPTION;ALTREP="cid:part1.0001@example.org":The Fall\'98 Wild')
@example('X-ALT-DESC;FMTTYPE=text/html:<a href="https://x.example/?a=1;b=2">join</a>')
@example('NAME\\:x;P=1:value')
@example('NAME;P="a\\":b":v:w')
@example(':value only')
@example('NO-COLON-AT-ALL')
def test_content_line_split_equals_icalendars(line: str) -> None:
    assert _parts_or_error(_ContentLine(line)) == _parts_or_error(Contentline(line))


def test_value_colon_skips_quoted_and_escaped_colons() -> None:
    assert _value_colon('A;B="x:y":z') == 9
    assert _value_colon("A\\:B:z") == 4
    assert _value_colon("NONE") == -1


def test_a_long_line_is_split_the_same_and_quickly() -> None:
    value = '<p class="x">' + "words: more words; \\, and \"quotes\" " * 20_000 + "</p>"
    line = f"X-ALT-DESC;FMTTYPE=text/html:{value}"
    name, params, raw = _ContentLine(line).raw_parts()
    assert (name, dict(params), raw) == ("X-ALT-DESC", {"FMTTYPE": "text/html"}, value)
    assert _parts_or_error(_ContentLine(line)) == _parts_or_error(Contentline(line))


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.ics")))
def test_fixtures_read_to_the_same_calendar_as_icalendar_alone(name: str) -> None:
    body = (DATA / name).read_bytes()
    ours = read_ics(body).calendars
    theirs = [c for c in icalendar.Calendar.from_ical(body, multiple=True)
              if isinstance(c, icalendar.Calendar)]
    assert ours and len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs, strict=True):
        # Same events (read_ics only drops unreadable ones and zones floating times).
        assert [e.get("UID") for e in mine.walk("VEVENT")] == [
            e.get("UID") for e in reference.walk("VEVENT") if "DTSTART" in e
        ][: len(list(mine.walk("VEVENT")))]
        for a, b in zip(mine.walk("VEVENT"), reference.walk("VEVENT"), strict=False):
            assert a.get("DESCRIPTION") == b.get("DESCRIPTION")
            assert a.get("SUMMARY") == b.get("SUMMARY")


def _through_library_only(body: bytes | str, **kwargs: object) -> object:
    data = read_ics(body)
    return expand(dataclasses.replace(data, parts=()), account="a", start=WINDOW[0],
                  end=WINDOW[1], **kwargs)  # type: ignore[arg-type]


def _with_shortcut(body: bytes | str, **kwargs: object) -> object:
    return expand(read_ics(body), account="a", start=WINDOW[0], end=WINDOW[1],
                  **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.ics")))
def test_fixtures_expand_the_same_with_and_without_the_one_off_shortcut(name: str) -> None:
    body = (DATA / name).read_bytes()
    assert _with_shortcut(body, username="me@example.test") == _through_library_only(
        body, username="me@example.test")


_STARTS = ["DTSTART:20250310T090000Z", "DTSTART:20250310T090000",
           "DTSTART;TZID=Europe/Berlin:20250330T023000", "DTSTART;VALUE=DATE:20250310",
           "DTSTART:20240531T233000Z", "DTSTART:20260531T235959Z"]
_ENDS = ["", "DTEND:20250310T100000Z", "DTEND:20250310T100000", "DURATION:PT45M",
         "DTEND;TZID=Europe/Berlin:20250330T033000", "DTEND;VALUE=DATE:20250312",
         "DTEND:20250310T080000Z", "DURATION:-PT1H", "DURATION:P1D"]
_EXTRAS = ["", "RRULE:FREQ=DAILY;COUNT=3", "EXDATE:20250310T090000Z",
           "RDATE:20250401T090000Z", "STATUS:CANCELLED", "RECURRENCE-ID:20250311T090000Z"]


@st.composite
def _calendars(draw: st.DrawFn) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN"]
    if draw(st.booleans()):
        lines.append("X-WR-TIMEZONE:America/New_York")
    for i in range(draw(st.integers(1, 8))):
        uid = draw(st.sampled_from(["u1", "u2", f"own{i}", ""]))
        lines += ["BEGIN:VEVENT", f"SUMMARY:e{i}"] + ([f"UID:{uid}"] if uid else [])
        lines += [draw(st.sampled_from(_STARTS)), draw(st.sampled_from(_ENDS)),
                  draw(st.sampled_from(_EXTRAS)), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(line for line in lines if line) + "\r\n"


@given(_calendars())
@example("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u1\r\nDTSTART;VALUE=DATE:20250310\r\n"
         "DURATION:PT45M\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
@example("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u1\r\nDTSTART:20250310T090000Z\r\n"
         "DTEND:20250310T080000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
@example("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u1\r\n"
         "DTSTART;TZID=Europe/Berlin:20250330T023000\r\nDURATION:P1D\r\nEND:VEVENT\r\n"
         "END:VCALENDAR\r\n")
def test_generated_calendars_expand_the_same_with_and_without_the_shortcut(body: str) -> None:
    try:
        expected = _through_library_only(body)
    except Exception as exc:  # the same error must come either way
        with pytest.raises(type(exc)):
            _with_shortcut(body)
        return
    assert _with_shortcut(body) == expected
