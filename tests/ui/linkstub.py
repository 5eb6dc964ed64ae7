"""STAND-IN for part A of issue 5 (core.linkscan / core.prejoin), for the UI tests only.

Minimal objects shaped like the contract in ISSUE5.md (DetectedLink, Finding,
detect_links, check_links, id_and_passcode_text): the UI tests inject them into
``LinkInfo`` so they do not depend on the real catalogue's rules. Not product code.
"""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace
from typing import Any

from launcher.core.models import Meeting

_RULES = (  # key, name, host pattern
    ("zoom", "Zoom", r"https://[\w.]*zoom\.us/j/(\d+)\S*"),
    ("teams", "Microsoft Teams", r"https://teams\.microsoft\.com/\S+"),
    ("meet", "Google Meet", r"https://meet\.google\.com/[\w-]+"),
    ("bluejeans", "BlueJeans", r"https://bluejeans\.com/(\d+)\S*"),
)


@dataclasses.dataclass(frozen=True)
class Service:
    key: str
    name: str
    icon: str | None = None


@dataclasses.dataclass(frozen=True)
class DetectedLink:
    service: Service
    name: str
    url: str
    meeting_id: str | None = None
    passcode: str | None = dataclasses.field(default=None, repr=False)
    native_url: str | None = None
    field: str = "description"


@dataclasses.dataclass(frozen=True)
class Finding:
    kind: str
    message: str
    fixed_url: str | None = None
    copy_text: str | None = None


def detect_links(meeting: Meeting, priority: tuple[str, ...] = ()) -> tuple[DetectedLink, ...]:
    text = " ".join(x for x in (meeting.conference_url, meeting.join_url, meeting.location,
                                meeting.description) if x)
    found: list[DetectedLink] = []
    for key, name, pattern in _RULES:
        for match in re.finditer(pattern, text):
            url = match.group(0)
            if any(x.url == url for x in found):
                continue
            number = match.group(1) if match.groups() else None
            pwd = re.search(r"[?&]pwd=(\w+)", url)
            found.append(DetectedLink(Service(key, name), name, url, number,
                                      pwd.group(1) if pwd else None))
    return tuple(found)


def check_links(meeting: Meeting, links: tuple[Any, ...]) -> tuple[Finding, ...]:
    out: list[Finding] = []
    code = re.search(r"[Pp]asscode:\s*(\w+)", meeting.description)
    for link in links:
        if link.service.key == "zoom" and "pwd=" not in link.url and code:
            out.append(Finding("missing_passcode",
                               "The Zoom link has no passcode, but the invitation gives one.",
                               fixed_url=f"{link.url}?pwd={code.group(1)}",
                               copy_text=code.group(1)))
        if link.service.key == "bluejeans":
            out.append(Finding("bluejeans_check", "BlueJeans runs its own check."))
    if len({x.service.key for x in links}) > 1:
        out.append(Finding("conflicting_links", "The event holds links of several services."))
    return tuple(out)


def id_and_passcode_text(link: Any) -> str | None:
    if not link.meeting_id:
        return None
    text = f"Meeting ID: {link.meeting_id}"
    return text + f"\nPasscode: {link.passcode}" if link.passcode else text


linkscan = SimpleNamespace(detect_links=detect_links)
prejoin = SimpleNamespace(check_links=check_links, id_and_passcode_text=id_and_passcode_text)
