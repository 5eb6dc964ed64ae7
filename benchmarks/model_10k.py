"""Model load + search filter with 10,000 meetings, one agenda paint, and resident memory.

Builds 10,000 meetings (four providers, eight accounts, spread over 30 days, a few
timeless meeting spaces), then prints:

- the median time to load them into a fresh MeetingListModel + MeetingFilterProxy and
  apply a search filter (goal: under 50 ms), with the load and the search separately;
- the time of the first paint of an AgendaView over all 10,000 rows (``grab()``, which
  includes laying out the rows), of a repaint, and of a search typed while the agenda is
  shown (filter, relayout and paint) and of clearing it;
- resident memory (VmRSS) before and after the meetings are loaded.

    python benchmarks/model_10k.py [--count 10000] [--runs 9]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtWidgets import QApplication

from launcher.core.models import API_PROVIDERS, Meeting, Role
from launcher.ui.agenda_view import AgendaView
from launcher.ui.models import MeetingFilterProxy, MeetingListModel

WORDS = ("Weekly", "sync", "planning", "review", "design", "customer", "onboarding", "retro",
         "budget", "hiring", "interview", "demo", "roadmap", "support", "incident", "1:1")
PEOPLE = ("ana", "bo", "chen", "dara", "emil", "fatou", "gus", "hana", "ivo", "jun")


def rss_kib() -> int:
    """Current resident set size in KiB (VmRSS), or the peak from getrusage elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def make_meetings(count: int, now: dt.datetime, seed: int = 1) -> list[Meeting]:
    rng = random.Random(seed)
    providers = list(API_PROVIDERS)
    out = []
    for i in range(count):
        provider = providers[i % len(providers)]
        title = " ".join(rng.sample(WORDS, 3)).capitalize()
        if i % 250 == 0:  # a few standing meeting spaces without a time
            start = end = None
        else:
            start = now + dt.timedelta(minutes=rng.randrange(-2 * 24 * 60, 30 * 24 * 60, 15))
            end = start + dt.timedelta(minutes=rng.choice((15, 30, 45, 60, 90)))
        out.append(Meeting(
            id=f"m{i}",
            account=f"{provider.value}-{i % 2}@example.test",
            provider=provider,
            title=f"{title} #{i}",
            start=start,
            end=end,
            join_url=f"https://meet.example.test/{i}" if i % 7 else None,
            number=str(1_000_000_000 + i),
            participants=tuple(f"{p}@example.test" for p in rng.sample(PEOPLE, 3)),
            organizer=f"{rng.choice(PEOPLE)}@example.test",
            role=Role.PRESENTER if i % 3 == 0 else Role.VIEWER,
        ))
    return out


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    app = QApplication.instance() or QApplication(sys.argv[:1])
    now = dt.datetime.now(dt.UTC)
    gc.collect()
    rss_before = rss_kib()
    meetings = make_meetings(args.count, now)
    rss_data = rss_kib()

    loads, searches, totals = [], [], []
    shown = 0
    for _ in range(args.runs):
        source = MeetingListModel(now=now)
        proxy = MeetingFilterProxy()
        proxy.setSourceModel(source)

        def load(source: MeetingListModel = source, proxy: MeetingFilterProxy = proxy) -> None:
            source.set_meetings(meetings)
            proxy.rowCount()  # the proxy builds its mapping here

        def search(proxy: MeetingFilterProxy = proxy) -> None:
            proxy.set_search("review customer")
            proxy.rowCount()

        load_s = timed(load)
        search_s = timed(search)
        loads.append(load_s)
        searches.append(search_s)
        totals.append(load_s + search_s)
        shown = proxy.rowCount()
        del source, proxy
        gc.collect()

    source = MeetingListModel(now=now)
    proxy = MeetingFilterProxy()
    proxy.setSourceModel(source)
    source.set_meetings(meetings)
    proxy.rowCount()
    gc.collect()
    rss_loaded = rss_kib()

    view = AgendaView()
    view.setModel(proxy)
    view.resize(560, 900)
    first_paint = timed(view.grab)
    repaint = timed(view.grab)
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)
    scrolled_paint = timed(view.grab)
    rss_view = rss_kib()

    def search_shown() -> None:
        proxy.set_search("review customer")
        view.grab()

    def clear_shown() -> None:
        proxy.set_search("")
        view.grab()

    searches_shown, clears_shown = [], []
    for _ in range(args.runs):
        searches_shown.append(timed(search_shown))
        clears_shown.append(timed(clear_shown))

    ms = 1000.0
    print(f"meetings: {args.count:,}; runs: {args.runs} (median shown)")
    print(f"load into model + proxy:          {statistics.median(loads) * ms:7.1f} ms")
    print(f"search filter 'review customer':  {statistics.median(searches) * ms:7.1f} ms"
          f"  ({shown:,} rows shown)")
    print(f"load + search:                    {statistics.median(totals) * ms:7.1f} ms"
          f"  (goal < 50 ms; min {min(totals) * ms:.1f}, max {max(totals) * ms:.1f})")
    print(f"agenda first paint (layout + grab): {first_paint * ms:5.1f} ms")
    print(f"agenda repaint (grab):            {repaint * ms:7.1f} ms")
    print(f"agenda paint mid-list (grab):     {scrolled_paint * ms:7.1f} ms")
    print(f"search with the agenda shown (filter + layout + paint): "
          f"{statistics.median(searches_shown) * ms:.1f} ms; clearing it: "
          f"{statistics.median(clears_shown) * ms:.1f} ms")
    print(f"RSS before meetings:              {rss_before / 1024:7.1f} MiB")
    print(f"RSS with the Meeting objects:     {rss_data / 1024:7.1f} MiB")
    print(f"RSS with model + proxy loaded:    {rss_loaded / 1024:7.1f} MiB"
          f"  (+{(rss_loaded - rss_data) / 1024:.1f} MiB for the models)")
    print(f"RSS with the agenda view painted: {rss_view / 1024:7.1f} MiB")
    view.deleteLater()
    del app


if __name__ == "__main__":
    main()
