"""ICS refresh cost: parse + expand a 5,000-event calendar with long HTML descriptions,
then merge duplicates, as one refresh of an ICS account does.

    PYTHONPATH=$PWD python benchmarks/ics_refresh.py [events]
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from launcher.core.merge import merge_duplicates
from launcher.providers.ics.protocol import expand, read_ics

LINKS = [
    "https://example.zoom.us/j/8551234{:04d}?pwd=abc",
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_{:04d}%40thread.v2/0",
    "https://meet.google.com/abc-{:04d}-xyz",
    "https://example.webex.com/meet/room{:04d}",
]


def calendar(events: int, start: dt.datetime) -> str:
    filler = "<p>" + "Agenda item with some words in it. " * 60 + "</p>"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN", "X-WR-CALNAME:Bench"]
    for i in range(events):
        begin = start + dt.timedelta(minutes=37 * i)
        link = LINKS[i % 4].format(i)
        html = f'<html><body>{filler}<a href="{link}">Join</a></body></html>'.replace(",", "\\,")
        lines += [
            "BEGIN:VEVENT", f"UID:bench-{i}@example.test", "DTSTAMP:20250101T000000Z",
            f"SUMMARY:Meeting {i}", f"DTSTART:{begin:%Y%m%dT%H%M%SZ}",
            f"DTEND:{begin + dt.timedelta(minutes=30):%Y%m%dT%H%M%SZ}",
            f"DESCRIPTION:Join: {link}", f"X-ALT-DESC;FMTTYPE=text/html:{html}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    body = calendar(events, start).encode()
    window = (start - dt.timedelta(days=1), start + dt.timedelta(days=200))
    t0 = time.perf_counter()
    data = read_ics(body)
    t1 = time.perf_counter()
    parsed = expand(data, account="bench", start=window[0], end=window[1])
    t2 = time.perf_counter()
    merged = merge_duplicates(parsed.meetings)
    t3 = time.perf_counter()
    print(f"{events} events, {len(body) / 1e6:.1f} MB: read (icalendar) {t1 - t0:.2f} s, "
          f"expand {t2 - t1:.2f} s, full refresh {t2 - t0:.2f} s "
          f"({len(parsed.meetings) / (t2 - t0):,.0f} events/s); unchanged body (304) "
          f"{t2 - t1:.2f} s; merge {1000 * (t3 - t2):.0f} ms ({len(merged)} entries)")


if __name__ == "__main__":
    main()
