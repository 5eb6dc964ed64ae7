"""Pre-join checks: what will go wrong with a meeting link, and the fix. Pure.

``check_links(meeting, links)`` looks at the link about to be opened (``links[0]``; pass
the chosen link first when the user picks "join with ...") and at all of them together:

- ``missing_passcode``: a Zoom link without ``pwd`` while the invitation text holds a
  passcode; ``fixed_url`` adds it, ``copy_text`` holds the meeting ID and passcode;
- ``teams_missing_passcode``: a Teams ``/meet/<id>`` link without ``?p=``; fixed from
  the invitation text when it holds the passcode, else a warning that Teams may ask;
- ``conflicting_links``: the event holds links to different meetings;
- ``needs_sign_in``: the service lets only signed-in users join;
- ``bluejeans_check``: a BlueJeans link; the join service runs the joinflow pre-check.

Messages never contain a passcode: it is only in ``fixed_url`` and ``copy_text``.
"""

from __future__ import annotations

import dataclasses
import html
import re
import urllib.parse
from collections.abc import Iterator, Sequence

from launcher.core.catalogue import GENERIC, format_id, service_by_key
from launcher.core.linkscan import DetectedLink
from launcher.core.models import Meeting

MISSING_PASSCODE = "missing_passcode"
TEAMS_MISSING_PASSCODE = "teams_missing_passcode"
CONFLICTING_LINKS = "conflicting_links"
NEEDS_SIGN_IN = "needs_sign_in"
BLUEJEANS_CHECK = "bluejeans_check"


@dataclasses.dataclass(frozen=True, slots=True)
class Finding:
    """One thing the user should know before a link is opened.

    ``fixed_url`` is a corrected link to open instead, ``copy_text`` what "Copy" puts
    on the clipboard (both may hold a passcode: never logged). ``service`` is the
    catalogue key of the link the finding is about.
    """

    kind: str
    message: str
    fixed_url: str | None = dataclasses.field(default=None, repr=False)
    copy_text: str | None = dataclasses.field(default=None, repr=False)
    service: str | None = None


_ZOOMLIKE = frozenset({"zoom", "zoomgov"})
# "Passcode: 123456", "Password: abc", "Meeting password: x", "Meeting passcode = x".
_PASSCODE = re.compile(
    r"(?:meeting\s+)?(?:pass\s?code|password|kenncode|code\s+secret)\s*[:=：]\s*"
    r"(?P<code>[A-Za-z0-9@*_.\-]{1,32})",
    re.IGNORECASE,
)
_MEETING_ID = re.compile(
    r"meeting\s+id\s*[:：]?\s*(?P<id>\d[\d ]{7,24}\d)", re.IGNORECASE
)


_KEYWORDS = ("passcode", "pass code", "password", "kenncode", "code secret", "meeting id")
_KEYWORD = re.compile("|".join(k.replace(" ", r"\s+") for k in _KEYWORDS), re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_WINDOW = 600  # characters after a keyword read as text


def _windows(meeting: Meeting) -> Iterator[str]:
    """Yield the readable text around each passcode / meeting ID keyword of the invitation.

    Only short windows after the keywords are turned into text (tags dropped, entities
    decoded), so a 20 KB HTML body costs a few substring searches, not an HTML parse.
    """
    for text in (meeting.description, meeting.location):
        if not text:
            continue
        for start in _keyword_positions(text):
            # "Meeting password": the word before the keyword is read too.
            chunk = text[max(0, start - 8) : start + _WINDOW]
            yield html.unescape(_TAG.sub(" ", chunk)).replace("\xa0", " ")


def _keyword_positions(text: str) -> list[int]:
    lowered = text.lower()
    if len(lowered) != len(text):  # rare letters whose lower case is longer
        return [m.start() for m in _KEYWORD.finditer(text)]
    found = []
    for keyword in _KEYWORDS:
        pos = lowered.find(keyword)
        while pos != -1:
            found.append(pos)
            pos = lowered.find(keyword, pos + 1)
    return sorted(found)


def invitation_passcode(meeting: Meeting) -> str | None:
    """Return the passcode the invitation text (description, location) states, if any."""
    for window in _windows(meeting):
        m = _PASSCODE.search(window)
        if m:
            return m["code"].rstrip(".")
    return None


def invitation_meeting_id(meeting: Meeting) -> str | None:
    """Return the digits of a "Meeting ID: 123 456 789" line of the invitation, if any."""
    for window in _windows(meeting):
        m = _MEETING_ID.search(window)
        if m:
            return m["id"].replace(" ", "")
    return None


def check_links(meeting: Meeting, links: Sequence[DetectedLink]) -> tuple[Finding, ...]:
    """Return the findings for opening ``links[0]`` of *meeting*, given all its links."""
    if not links:
        return ()
    link = links[0]
    findings: list[Finding] = []
    svc = service_by_key(link.service) or GENERIC
    if link.service in _ZOOMLIKE and not link.passcode and not _is_app_link(link):
        code = invitation_passcode(meeting)
        if code:
            findings.append(Finding(
                MISSING_PASSCODE,
                f"The {svc.name} link has no passcode, but the invitation gives one. "
                "Add it to the link, or copy the meeting ID and passcode.",
                fixed_url=_add_param(link.url, "pwd", code),
                copy_text=_copy_text(link, code),
                service=link.service,
            ))
    if link.service == "teams" and _teams_short(link) and not link.passcode:
        code = invitation_passcode(meeting)
        if code:
            findings.append(Finding(
                TEAMS_MISSING_PASSCODE,
                "The Teams link has no passcode, but the invitation gives one. "
                "Add it to the link, or copy the meeting ID and passcode.",
                fixed_url=_add_param(link.url, "p", code),
                copy_text=_copy_text(link, code),
                service=link.service,
            ))
        else:
            findings.append(Finding(
                TEAMS_MISSING_PASSCODE,
                "The Teams link has no passcode (?p=...), and the invitation does not give "
                "one: Teams may ask for it. Ask the organiser if it does.",
                service=link.service,
            ))
    if svc.needs_sign_in:
        needs = svc.sign_in_note or f"a {svc.name} account"
        findings.append(Finding(
            NEEDS_SIGN_IN,
            f"Joining a {svc.name} meeting needs {needs}; you may be asked to sign in.",
            service=link.service,
        ))
    if link.service == "bluejeans":
        findings.append(Finding(
            BLUEJEANS_CHECK,
            "BlueJeans: checking with BlueJeans whether this meeting can be joined.",
            service=link.service,
        ))
    conflict = _conflict(links)
    if conflict is not None:
        findings.append(conflict)
    return tuple(findings)


def _is_app_link(link: DetectedLink) -> bool:
    return not link.url.lower().startswith(("http://", "https://"))


def _teams_short(link: DetectedLink) -> bool:
    try:
        path = urllib.parse.urlsplit(link.url).path
    except ValueError:
        return False
    return path.startswith("/meet/")


def _conflict(links: Sequence[DetectedLink]) -> Finding | None:
    meetings: list[DetectedLink] = []
    seen: set[tuple[str, str]] = set()
    for link in links:
        if link.service == GENERIC.key or link.meeting_id is None:
            continue
        key = (link.service, link.meeting_id)
        if key not in seen:
            seen.add(key)
            meetings.append(link)
    if len(meetings) < 2:
        return None
    names = []
    for link in meetings:
        svc = service_by_key(link.service) or GENERIC
        names.append(f"{svc.name} {format_id(svc, link.meeting_id or '')}".strip())
    return Finding(
        CONFLICTING_LINKS,
        f"This event links to {len(meetings)} different meetings ({', '.join(names)}). "
        f"Opening the first; use \"Join with ...\" for another, or check with the organiser.",
        service=links[0].service,
    )


def _add_param(url: str, name: str, value: str) -> str:
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return url
    pairs = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
             if k != name]
    pairs.append((name, value))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(pairs)))


def _copy_text(link: DetectedLink, passcode: str | None) -> str | None:
    svc = service_by_key(link.service) or GENERIC
    if link.meeting_id is None or svc is GENERIC:
        return None
    lines = [f"{svc.id_label}: {format_id(svc, link.meeting_id)}"]
    if passcode:
        lines.append(f"Passcode: {passcode}")
    return "\n".join(lines)


def id_and_passcode_text(link: DetectedLink, meeting: Meeting | None = None) -> str | None:
    """Return "Meeting ID: ... / Passcode: ..." for "Copy meeting ID + passcode".

    The ID is written as people read it (Zoom ``123 4567 8901``). A passcode is included
    when people can type it: a short one from the link, else the invitation's (when
    *meeting* is given). Zoom's long encoded ``pwd`` only works inside the link and is
    left out. Teams organisation links carry a thread ID, not the meeting ID people type:
    the invitation's "Meeting ID" line is used then. ``None`` for a link with no ID.
    """
    svc = service_by_key(link.service)
    if svc is None or svc is GENERIC or link.meeting_id is None:
        return None
    passcode = link.passcode
    if passcode and svc.typed_passcode_re is not None and not (
        svc.typed_passcode_re.fullmatch(passcode)
    ):
        passcode = None
    if svc.typed_passcode_re is None:
        passcode = None  # the service's link secrets are not typed by people
    if passcode is None and meeting is not None and svc.pwd_params:
        passcode = invitation_passcode(meeting)
    shown = link
    if link.service == "teams" and not link.meeting_id.isdigit():
        typed = invitation_meeting_id(meeting) if meeting is not None else None
        if typed is None:
            return None
        shown = dataclasses.replace(link, meeting_id=typed)
    return _copy_text(shown, passcode)


__all__ = [
    "BLUEJEANS_CHECK",
    "CONFLICTING_LINKS",
    "MISSING_PASSCODE",
    "NEEDS_SIGN_IN",
    "TEAMS_MISSING_PASSCODE",
    "Finding",
    "check_links",
    "id_and_passcode_text",
    "invitation_meeting_id",
    "invitation_passcode",
]
