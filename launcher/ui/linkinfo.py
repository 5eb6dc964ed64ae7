"""The window's one door to the link catalogue, link detection and pre-join checks.

Every widget reads links through the few functions here: ``core.linkscan`` (detect and
rank), ``core.prejoin`` (what will go wrong) and ``services.opener.open_detected``
(native app or browser). Tests may hand in stand-ins for the first two; without them
the window still joins by the meeting's own link. The link objects are used through
the :class:`LinkLike` and :class:`FindingLike` shapes.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Collection, Sequence
from typing import Any, Protocol

from launcher.core.models import Meeting

log = logging.getLogger("launcher.ui.links")


class LinkLike(Protocol):
    """A detected link (``core.linkscan.DetectedLink``)."""

    @property
    def service(self) -> Any:
        """The catalogue entry (or its key)."""

    @property
    def name(self) -> str:
        """The service's name, "Zoom"."""

    @property
    def url(self) -> str:
        """The link as found (redirectors unwrapped)."""


class FindingLike(Protocol):
    """A pre-join finding (``core.prejoin.Finding``)."""

    @property
    def kind(self) -> str:
        """"missing_passcode", "conflicting_links", "needs_sign_in"…."""

    @property
    def message(self) -> str:
        """The finding in words."""

    @property
    def fixed_url(self) -> str | None:
        """A link that fixes the problem, if there is one."""

    @property
    def copy_text(self) -> str | None:
        """Text worth copying (a passcode), if any."""


@dataclasses.dataclass(frozen=True, slots=True)
class PlainLink:
    """A meeting's own join link, when no catalogue entry recognises it."""

    url: str
    name: str = "Link"
    service: Any = None
    meeting_id: str | None = None
    passcode: str | None = dataclasses.field(default=None, repr=False)
    native_url: str | None = None
    field: str = "join_url"


class LinkInfo:
    """Detect, check and open links; falls back to the meeting's join link alone."""

    def __init__(
        self,
        *,
        linkscan: Any = True,
        prejoin: Any = True,
        priority: Sequence[str] = (),
        browser_only: Collection[str] = (),
    ) -> None:
        # The catalogue (45+ compiled patterns) is loaded on first use, not at start-up:
        # the window paints before it is needed.
        self._given_scan = linkscan
        self._given_prejoin = prejoin
        self.priority: tuple[str, ...] = tuple(priority)
        #: Services (catalogue keys) whose links always open in the browser.
        self.browser_only: frozenset[str] = frozenset(browser_only)
        self._cache: dict[int, tuple[Meeting, tuple[Any, ...]]] = {}

    def set_preferences(self, priority: Sequence[str], browser_only: Collection[str]) -> None:
        """Rank links by the user's *priority* and open *browser_only* services in the browser.

        Links found before are ranked again on their next use.
        """
        priority = tuple(priority)
        if priority != self.priority:
            self.priority = priority
            self._cache.clear()
        self.browser_only = frozenset(browser_only)

    def prefers_app(self, link: Any) -> bool:
        """Whether *link* opens in its service's app when one is installed."""
        return service_key(link) not in self.browser_only

    @property
    def _scan(self) -> Any:
        if self._given_scan is True:
            from launcher.core import linkscan

            self._given_scan = linkscan
        return self._given_scan or None

    @property
    def _prejoin(self) -> Any:
        if self._given_prejoin is True:
            from launcher.core import prejoin

            self._given_prejoin = prejoin
        return self._given_prejoin or None

    @property
    def available(self) -> bool:
        """Whether the catalogue is installed (links in event text are recognised)."""
        return self._scan is not None

    def links(self, meeting: Meeting) -> tuple[Any, ...]:
        """Return the meeting's links, ranked; the first is the one "Join" opens.

        Without the catalogue, the meeting's own join link (or conference link).
        """
        cached = self._cache.get(id(meeting))
        if cached is not None and cached[0] is meeting:
            return cached[1]
        found: tuple[Any, ...] = ()
        if self._scan is not None:
            try:
                found = tuple(self._scan.detect_links(meeting, priority=self.priority))
            except Exception:  # a catalogue bug must not stop joining by the plain link
                log.exception("link detection failed")
                found = ()
        if not found:
            url = meeting.conference_url or meeting.join_url
            found = (PlainLink(url),) if url else ()
        if len(self._cache) > 256:
            self._cache.clear()
        self._cache[id(meeting)] = (meeting, found)
        return found

    def has_link(self, meeting: Meeting) -> bool:
        """Whether *meeting* has anything to join (its own link, or one found in its text)."""
        if meeting.join_url or meeting.conference_url:
            return True
        if self._scan is None or not (meeting.description or meeting.location):
            return False
        try:
            return bool(self._scan.detect_links(meeting, priority=self.priority))
        except Exception:
            log.exception("link detection failed")
            return False

    def check(self, meeting: Meeting, links: Sequence[Any]) -> tuple[Any, ...]:
        """Return the pre-join findings for *links* of *meeting* (none without the checks)."""
        if self._prejoin is None or not links or all(isinstance(x, PlainLink) for x in links):
            return ()
        return tuple(self._prejoin.check_links(meeting, tuple(links)))

    def id_and_passcode(self, link: Any) -> str | None:
        """Return "Meeting ID: … / Passcode: …" for a recognised link, if it has an ID."""
        if self._prejoin is None or isinstance(link, PlainLink):
            return None
        text = self._prejoin.id_and_passcode_text(link)
        return str(text) if text else None

    def opener(self, fallback: Callable[[str], Any]) -> Callable[[Any], Any]:
        """Return an async callable opening a link (native app when installed, else browser)."""
        async def open_link(link: Any) -> None:
            from launcher.core.linkscan import DetectedLink
            from launcher.services.opener import open_detected

            if isinstance(link, DetectedLink):
                await open_detected(link, prefer_native=self.prefers_app(link))
            else:
                await fallback(link.url)

        return open_link


def is_plain(link: Any) -> bool:
    """Whether *link* belongs to no known service (the meeting's own link, or "link")."""
    return isinstance(link, PlainLink) or service_key(link) in (None, "link")


def service_key(link: Any) -> str | None:
    """Return the catalogue key of a link's service ("zoom"), if known."""
    service = getattr(link, "service", None)
    if service is None:
        return None
    return str(getattr(service, "key", service))


def service_icon_name(link: Any) -> str | None:
    """Return the icon name the catalogue gives a link's service, if any."""
    service = getattr(link, "service", None)
    return getattr(service, "icon", None) or service_key(link)


def service_name(link: Any) -> str:
    """Return the name of a link's service ("Zoom"; "Link" when unknown)."""
    name = getattr(link, "name", None)
    if name:
        return str(name)
    service = getattr(link, "service", None)
    return str(getattr(service, "name", None) or "Link")
