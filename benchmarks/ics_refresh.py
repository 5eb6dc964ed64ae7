"""A full refresh of an ICS calendar of 5,000 events with long HTML descriptions.

The events are those of ``link_detection.py`` (Teams, Zoom and Google invitation bodies,
links wrapped in SafeLinks and Proofpoint), written by icalendar as an exporter would:
folded at 75 octets, the HTML in ``X-ALT-DESC;FMTTYPE=text/html``, a short DESCRIPTION,
LOCATION, DTSTAMP and, for most Google ones, ``X-GOOGLE-CONFERENCE``. One refresh after
a download is what an ICS account does with a new body:

1. read: icalendar parses the body (:func:`read_ics`);
2. expand: occurrences in the window become meetings (:func:`expand`);
3. links: ``detect_links`` + ``check_links`` on every meeting, as the window does;
4. merge: duplicates across sources are merged.

A refresh whose body did not change (304, or within the interval) keeps the read
calendar and runs 2-4. Prints the median of several runs per stage; goal: a full refresh
under 1 s.

    PYTHONPATH=$PWD python benchmarks/ics_refresh.py [--events 5000] [--kb 5 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

import icalendar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from link_detection import build

from launcher.core.linkscan import detect_links
from launcher.core.merge import merge_duplicates
from launcher.core.prejoin import check_links
from launcher.providers.ics.protocol import expand, read_ics


def calendar(events: int, sizes: tuple[int, int], seed: int = 1) -> bytes:
    """The ICS body of *events* invitations, written (and folded) by icalendar."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Meeting Launcher benchmark//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Bench")
    stamp = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for meeting in build(events, seed, sizes):
        event = icalendar.Event()
        event.add("uid", f"{meeting.id}@bench.example")
        event.add("dtstamp", stamp)
        event.add("summary", meeting.title)
        event.add("dtstart", meeting.start)
        event.add("dtend", meeting.end)
        if meeting.location:
            event.add("location", meeting.location)
        event.add("description", "Join the meeting with the link in the invitation.")
        html = icalendar.vText(meeting.description)
        event.add("x-alt-desc", html, parameters={"FMTTYPE": "text/html"})
        if meeting.conference_url:
            event.add("x-google-conference", meeting.conference_url)
        cal.add_component(event)
    return cal.to_ical()


def refresh(body: bytes | None, kept: object, window: tuple[dt.datetime, dt.datetime]
            ) -> tuple[dict[str, float], object, int, int]:
    """One refresh; *body* None re-uses *kept* (an unchanged body). Times per stage."""
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    data = read_ics(body) if body is not None else kept
    t1 = time.perf_counter()
    parsed = expand(data, account="bench", start=window[0], end=window[1])  # type: ignore[arg-type]
    t2 = time.perf_counter()
    links = 0
    for meeting in parsed.meetings:
        found = detect_links(meeting)
        check_links(meeting, found)
        links += len(found)
    t3 = time.perf_counter()
    merged = merge_duplicates(parsed.meetings)
    t4 = time.perf_counter()
    times.update(read=t1 - t0, expand=t2 - t1, links=t3 - t2, merge=t4 - t3, total=t4 - t0)
    return times, data, len(parsed.meetings), links + 0 * len(merged)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=5000)
    ap.add_argument("--kb", type=float, nargs=2, default=(5, 20), metavar=("MIN", "MAX"),
                    help="size range of each event's HTML in KB (default 5 20)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    sizes = (int(args.kb[0] * 1000), int(args.kb[1] * 1000))
    body = calendar(args.events, sizes)
    window = (dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 12, 31, tzinfo=dt.UTC))
    fresh: list[dict[str, float]] = []
    unchanged: list[dict[str, float]] = []
    kept: object = None
    count = links = 0
    for _ in range(args.runs):
        times, kept, count, links = refresh(body, None, window)
        fresh.append(times)
        unchanged.append(refresh(None, kept, window)[0])

    def median(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(f"{count} events, {links} links, ICS body {len(body) / 1e6:.1f} MB "
          f"(HTML {args.kb[0]:g}-{args.kb[1]:g} KB an event), median of {args.runs} runs")
    stages = ("read", "expand", "links", "merge")
    print("after a download: " + ", ".join(f"{k} {median(fresh, k):.2f} s" for k in stages)
          + f"; full refresh {median(fresh, 'total'):.2f} s "
          f"({count / median(fresh, 'total'):,.0f} events/s)")
    print("body unchanged:   " + ", ".join(f"{k} {median(unchanged, k):.2f} s"
                                           for k in stages[1:])
          + f"; refresh {median(unchanged, 'total'):.2f} s")
    print(f"link detection: {count / median(fresh, 'links'):,.0f} events/s")
    verdict = "met" if median(fresh, "total") < 1.0 else "NOT met"
    print(f"goal (full refresh < 1 s): {verdict}")


if __name__ == "__main__":
    main()
