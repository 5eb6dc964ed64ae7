"""Link detection + pre-join checks over a 5,000-event calendar with long HTML bodies.

Builds events whose descriptions are Teams-, Zoom- and Google-style invitation bodies of
5-20 KB (styled HTML, agenda text, footers full of other links), with links of mixed
catalogue services, a third of them wrapped in Outlook SafeLinks, one in ten wrapped
twice (SafeLinks around Proofpoint), and one in eight events without any meeting link.
As in real invitations, each body also holds other links of the service's own host
(Zoom "find your local number", Teams "meeting options") that are not meeting links.
Then prints the time of a full pass (``detect_links`` + ``check_links`` on every
event; goal: under 1 s) and events per second, best and median of several runs.

    python benchmarks/link_detection.py [--count 5000] [--runs 5] [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import random
import statistics
import time
import urllib.parse

from launcher.core.linkscan import detect_links
from launcher.core.models import Meeting, Provider
from launcher.core.prejoin import check_links

WORDS = ("agenda", "review", "quarterly", "roadmap", "budget", "customer", "design",
         "release", "hiring", "metrics", "incident", "planning", "retro", "demo", "launch",
         "security", "onboarding", "partner", "migration", "training")
FOOTER_LINKS = (
    "https://aka.ms/JoinTeamsMeeting", "https://www.microsoft.com/microsoft-teams/join-a-meeting",
    "https://support.google.com/a/users/answer/9282720", "https://status.example.com/",
    "https://www.example.com/privacy", "https://intranet.example.com/wiki/Meetings",
    "https://docs.google.com/document/d/1AbCdEfGhIjKlMnOpQrStUvWxYz/edit",
    "https://calendar.google.com/calendar/event?action=VIEW&eid=abc123&tok=xyz",
)
OTHER_SERVICES = (
    "https://acme.webex.com/meet/jdoe", "https://whereby.com/team-standup",
    "https://meet.jit.si/WeeklyTeamSync", "https://bluejeans.com/123456789/4321",
    "https://chime.aws/1234567890", "https://app.slack.com/huddle/T01ABCDEF/C02GHIJKL",
    "https://meet.goto.com/123456789", "https://v.ringcentral.com/join/123456789?pw=x",
    "https://vc.larksuite.com/j/123456789", "https://app.livestorm.co/p/"
    "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b/live",
)


def safelink(url: str) -> str:
    q = urllib.parse.urlencode({"url": url, "data": "05|02|user@example.com|a1b2c3d4e5f6|"
                                "72f988bf86f141af91ab2d7cd011db47|0|0|638000000000000000",
                                "sdata": "QWxhZGRpbjpvcGVuIHNlc2FtZQ%3D", "reserved": "0"})
    return f"https://nam12.safelinks.protection.outlook.com/?{q}"


def proofpoint(url: str) -> str:
    quoted = urllib.parse.quote(url, safe="/").replace("%", "-").replace("/", "_")
    return f"https://urldefense.proofpoint.com/v2/url?u={quoted}&d=DwMFaQ&c=abc&r=x&m=y&s=z&e="


def filler(rng: random.Random, size: int) -> str:
    parts: list[str] = []
    total = 0
    while total < size:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
        link = html.escape(rng.choice(FOOTER_LINKS))
        piece = (f'<p style="margin:0;font-family:Segoe UI,sans-serif;font-size:10.5pt;'
                 f'color:#242424">{sentence.capitalize()}. See <a href="{link}" '
                 f'target="_blank" rel="noreferrer noopener">{link}</a>.</p>\n')
        parts.append(piece)
        total += len(piece)
    return "".join(parts)


def teams_body(rng: random.Random, i: int, wrap: int) -> tuple[str, str]:
    meet = rng.random() < 0.3
    if meet:
        url = f"https://teams.microsoft.com/meet/{2345678900000 + i}"
        if rng.random() < 0.5:
            url += "?p=aB3cD4"
    else:
        url = (f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{i:08d}NjA2ZjQ"
               "%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf%22%2c%22Oid%22%3a%22a1b2%22%7d")
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        "<style>p{margin:0}</style></head><body><div>"
        '<span style="font-size:24px;font-weight:600">Microsoft Teams meeting</span></div>'
        "<div><b>Join on your computer, mobile app or room device</b></div>"
        f'<a href="{html.escape(wrapped(url, wrap))}" target="_blank">Click here to join the '
        f"meeting</a><div>Meeting ID: {2345678900000 + i}<br>Passcode: aB3cD4</div>"
        f'<a href="https://teams.microsoft.com/meetingOptions/?organizerId=o{i}&amp;'
        f'tenantId=72f988bf&amp;threadId=19_meeting_{i:08d}@thread.v2&amp;language=en-US">'
        "Meeting options</a>"
    ), url


def zoom_body(rng: random.Random, i: int, wrap: int) -> tuple[str, str]:
    mid = 84500000000 + i
    url = f"https://us02web.zoom.us/j/{mid}"
    if rng.random() < 0.6:
        url += "?pwd=QWxhZGRpbjpvcGVuIHNlc2FtZQ.1"
    return (
        "<div>Hi there,<br><br>Jane Doe is inviting you to a scheduled Zoom meeting.<br><br>"
        f'Join Zoom Meeting<br><a href="{html.escape(wrapped(url, wrap))}">{html.escape(url)}'
        f"</a><br><br>Meeting ID: {mid}<br>Passcode: 613937<br>---<br>One tap mobile<br>"
        f"+16465588656,,{mid}#,,,,*613937# US (New York)<br>Find your local number: "
        f'<a href="https://us02web.zoom.us/u/kd{i:06d}x">https://us02web.zoom.us/u/kd{i:06d}x'
        "</a></div>"
    ), url


def google_body(rng: random.Random, i: int, wrap: int) -> tuple[str, str]:
    code = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(10))
    url = f"https://meet.google.com/{code[:3]}-{code[3:7]}-{code[7:]}"
    return (
        "-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-<br>"
        f'Join with Google Meet: <a href="{html.escape(wrapped(url, wrap))}">{url}</a><br>'
        f"Or dial: (US) +1 234-567-8901 PIN: 123456789#<br>"
        f"More phone numbers: https://tel.meet/{code[:3]}-{code[3:7]}-{code[7:]}?pin=1<br>"
    ), url


def wrapped(url: str, wrap: int) -> str:
    if wrap == 2:
        return safelink(proofpoint(url))
    if wrap == 1:
        return safelink(url)
    return url


def build(count: int, seed: int, sizes: tuple[int, int] = (5_000, 20_000)) -> list[Meeting]:
    """*count* events with invitation bodies of *sizes* (min, max) characters of HTML."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC)
    makers = (teams_body, zoom_body, google_body)
    meetings = []
    for i in range(count):
        size = rng.randint(*sizes)
        wrap = 2 if rng.random() < 0.1 else (1 if rng.random() < 0.33 else 0)
        conference = None
        if rng.random() < 0.125:
            head = "<p>Lunch and learn in the big room. No video link.</p>"
        else:
            head, url = rng.choice(makers)(rng, i, wrap)
            if rng.random() < 0.2:
                head += f'<p>Backup: <a href="{rng.choice(OTHER_SERVICES)}">link</a></p>'
            if "google" in url and rng.random() < 0.8:
                conference = url
        description = head + filler(rng, size - len(head)) + "</body></html>"
        begin = start + dt.timedelta(minutes=30 * i)
        meetings.append(Meeting(
            id=f"ev{i}", account="work", provider=Provider.ICS, title=f"Event {i}",
            start=begin, end=begin + dt.timedelta(minutes=30),
            description=description, location="Conference room 4" if i % 3 else "",
            conference_url=conference,
        ))
    return meetings


def one_pass(meetings: list[Meeting]) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    links = findings = 0
    for m in meetings:
        found = detect_links(m)
        links += len(found)
        findings += len(check_links(m, found))
    return time.perf_counter() - t0, links, findings


def main() -> None:
    """Build the calendar, time full passes, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    meetings = build(args.count, args.seed)
    total = sum(len(m.description) for m in meetings)
    sizes = sorted(len(m.description) for m in meetings)
    print(f"events: {len(meetings)}, description HTML: {total / 1e6:.1f} MB "
          f"(min {sizes[0] / 1e3:.1f} KB, median {sizes[len(sizes) // 2] / 1e3:.1f} KB, "
          f"max {sizes[-1] / 1e3:.1f} KB)")
    times = []
    for _ in range(args.runs):
        elapsed, links, findings = one_pass(meetings)
        times.append(elapsed)
    best, median = min(times), statistics.median(times)
    print(f"links found: {links}, pre-join findings: {findings}")
    print(f"full pass (detect_links + check_links): best {best * 1e3:.0f} ms, "
          f"median {median * 1e3:.0f} ms over {args.runs} runs")
    print(f"events/s: {len(meetings) / median:,.0f} (median), {len(meetings) / best:,.0f} (best)")
    print(f"goal (< 1 s for the full calendar): {'met' if median < 1.0 else 'NOT met'}")


if __name__ == "__main__":
    main()
