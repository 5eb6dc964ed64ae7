"""Which meetings the agenda hides, as pure data and functions (no Qt, no I/O).

The user's filter settings become one :class:`EventFilter`; the agenda proxy, the
"next meeting" highlight, the tray's "Join next" and the reminders all ask it, so a
hidden meeting is hidden everywhere. Cancelled events are always hidden: a cancelled
occurrence is not a meeting one can join, and showing it struck through would only
crowd the agenda (the source still keeps it, so a "declined" filter does not apply).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence

from launcher.core.models import Meeting

#: How long one blocklist line may be (a safety bound, not a practical limit).
MAX_PATTERN = 500


@dataclasses.dataclass(frozen=True, slots=True)
class PatternError:
    """A blocklist line that is not a valid regular expression."""

    line: int  # 1-based
    pattern: str
    message: str

    def __str__(self) -> str:
        """Say which line is wrong and why, for the settings dialog."""
        return f"Line {self.line}: {self.message}"


def compile_blocklist(
    lines: Iterable[str],
) -> tuple[tuple[re.Pattern[str], ...], tuple[PatternError, ...]]:
    """Compile blocklist lines (case-insensitive); blank lines are skipped.

    Returns the compiled patterns and the errors, one per invalid line.
    """
    patterns: list[re.Pattern[str]] = []
    errors: list[PatternError] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text:
            continue
        if len(text) > MAX_PATTERN:
            errors.append(PatternError(number, text, f"longer than {MAX_PATTERN} characters"))
            continue
        try:
            patterns.append(re.compile(text, re.IGNORECASE))
        except re.error as exc:
            errors.append(PatternError(number, text, str(exc)))
    return tuple(patterns), tuple(errors)


def calendar_of(meeting: Meeting) -> str:
    """Return the calendar a meeting belongs to: its calendar name, else its account."""
    return meeting.calendar or meeting.account


@dataclasses.dataclass(frozen=True, slots=True)
class EventFilter:
    """What to hide. The default hides nothing but cancelled events.

    ``has_link`` decides "has a link" for the without-link filter; the UI passes one
    that also looks at the links found in the event's text.
    """

    hide_all_day: bool = False
    hide_declined: bool = False
    hide_tentative: bool = False
    hide_without_link: bool = False
    blocklist: tuple[re.Pattern[str], ...] = ()
    #: Calendars (see :func:`calendar_of`) whose meetings are hidden.
    excluded_calendars: frozenset[str] = frozenset()

    @property
    def hides_by_link(self) -> bool:
        """Whether the has-link answer matters (it may cost a scan of the event text)."""
        return self.hide_without_link

    def hidden(self, meeting: Meeting, has_link: bool | None = None) -> bool:
        """Tell whether *meeting* is hidden; *has_link* defaults to a join or conference link."""
        if meeting.status == "cancelled":
            return True
        if self.hide_all_day and meeting.all_day:
            return True
        if self.hide_declined and meeting.attendance == "declined":
            return True
        if self.hide_tentative and (
            meeting.attendance == "tentative" or meeting.status == "tentative"
        ):
            return True
        if self.excluded_calendars and calendar_of(meeting) in self.excluded_calendars:
            return True
        if self.blocklist:
            title = meeting.title
            if any(p.search(title) for p in self.blocklist):
                return True
        if self.hide_without_link:
            if has_link is None:
                has_link = bool(meeting.join_url or meeting.conference_url)
            if not has_link:
                return True
        return False

    def visible_flags(
        self, meetings: Sequence[Meeting], has_link: Callable[[], Sequence[bool]] | None = None
    ) -> list[bool]:
        """Return, per meeting, whether it is shown (one pass; *has_link* asked only if needed)."""
        if self == _SHOW_ALL:
            return [m.status != "cancelled" for m in meetings]
        links: Sequence[bool | None] = (
            has_link() if has_link is not None and self.hide_without_link
            else [None] * len(meetings)
        )
        hidden = self.hidden
        return [not hidden(m, h) for m, h in zip(meetings, links, strict=True)]

    def visible(self, meetings: Iterable[Meeting]) -> list[Meeting]:
        """Return the meetings that are shown, in their order."""
        return [m for m in meetings if not self.hidden(m)]


_SHOW_ALL = EventFilter()
