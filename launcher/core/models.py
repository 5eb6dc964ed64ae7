"""Domain models shared by every layer: frozen dataclasses, aware UTC datetimes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum


class Provider(enum.StrEnum):
    """Where meetings come from: a meeting service's API, or a calendar source.

    The first four are meeting services with API clients. ``ICS`` (a calendar file or
    subscription URL), ``CALDAV`` (a CalDAV account) and ``LOCAL`` (links the user saved)
    are calendar sources: their events may hold links of any service in the catalogue.
    """

    BLUEJEANS = "bluejeans"
    JOINME = "joinme"
    WHEREBY = "whereby"
    SKYPE = "skype"
    ICS = "ics"
    CALDAV = "caldav"
    LOCAL = "local"

    @property
    def label(self) -> str:
        """The name users know the provider by."""
        return _PROVIDER_LABELS[self]

    @property
    def is_calendar(self) -> bool:
        """True for calendar sources (ICS, CalDAV, saved links), False for meeting APIs."""
        return self not in API_PROVIDERS


_PROVIDER_LABELS = {
    Provider.BLUEJEANS: "BlueJeans",
    Provider.JOINME: "join.me",
    Provider.WHEREBY: "Whereby",
    Provider.SKYPE: "Skype for Business",
    Provider.ICS: "Calendar (ICS)",
    Provider.CALDAV: "CalDAV",
    Provider.LOCAL: "Saved links",
}

#: The meeting services with API clients (accounts that sign in to a provider).
API_PROVIDERS: tuple[Provider, ...] = (
    Provider.BLUEJEANS, Provider.JOINME, Provider.WHEREBY, Provider.SKYPE,
)


class Role(enum.StrEnum):
    """How the user takes part in a meeting."""

    PRESENTER = "presenter"
    VIEWER = "viewer"


#: The default API base URL of each provider (UCWA is always self-hosted: no default).
DEFAULT_BASE_URLS: dict[Provider, str] = {
    Provider.BLUEJEANS: "https://api.bluejeans.com",
    Provider.JOINME: "https://api.join.me/v1",
    Provider.WHEREBY: "https://api.whereby.dev/v1",
}
DEFAULT_RELAY_URL = "https://relay.bluejeans.com/api"
#: Where users open meetings in a browser, when the provider's API does not say.
DEFAULT_WEB_URLS: dict[Provider, str] = {
    Provider.BLUEJEANS: "https://bluejeans.com",
    Provider.JOINME: "https://join.me",
    Provider.WHEREBY: "https://whereby.com",
}


def utc(value: dt.datetime) -> dt.datetime:
    """Return *value* as an aware UTC datetime; naive values are rejected."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return value.astimezone(dt.UTC)


@dataclasses.dataclass(frozen=True, slots=True)
class Account:
    """A configured provider account. Holds no secret; secrets live in the secret store.

    ``base_url`` is the API base (for UCWA: the discovery URL). ``relay_url`` is the
    BlueJeans relay base. ``web_url`` is where the provider's join pages live, used to
    recognise this account's links (``https://meet.contoso.com`` for UCWA).
    """

    name: str
    provider: Provider
    base_url: str
    relay_url: str | None = None
    web_url: str | None = None
    username: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Credentials:
    """Secrets for one account, as read from the secret store. Never logged.

    ``token`` is the provider's API access token (join.me OAuth, BlueJeans Meetings
    REST), ``token_expires`` when it runs out (aware UTC, if known) and
    ``refresh_token`` what renews it (join.me). ``relay_token`` is the BlueJeans relay's
    access token. ``password`` is kept only where the provider has no other way to
    renew a sign-in (Skype for Business UCWA).
    """

    token: str | None = dataclasses.field(default=None, repr=False)
    api_key: str | None = dataclasses.field(default=None, repr=False)
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = dataclasses.field(default=None, repr=False)
    refresh_token: str | None = dataclasses.field(default=None, repr=False)
    token_expires: dt.datetime | None = None
    relay_token: str | None = dataclasses.field(default=None, repr=False)

    def secret_values(self) -> tuple[str, ...]:
        """Every secret value held, for a log redaction filter to mask."""
        values = (self.token, self.api_key, self.password, self.client_secret,
                  self.refresh_token, self.relay_token)
        return tuple(v for v in values if v)


@dataclasses.dataclass(frozen=True, slots=True)
class AudioConference:
    """Dial-in details. ``organizer_code`` is presenter-only and never shown by default."""

    conference_id: str | None = None
    numbers_url: str | None = None
    organizer_code: str | None = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class Meeting:
    """One scheduled meeting or room, from any source.

    ``id`` is the provider's identifier used in API paths (join.me meetingId, Whereby
    meetingId, BlueJeans internal id, UCWA onlineMeetingId). ``number`` is what a person
    dials or types (BlueJeans numericMeetingId, join.me conference ID), if different.
    ``start``/``end`` are ``None`` for standing meeting spaces that have no scheduled
    time (UCWA online meetings, BlueJeans timeless meetings).
    """

    id: str
    account: str
    provider: Provider
    title: str
    start: dt.datetime | None
    end: dt.datetime | None
    join_url: str | None = None
    host_url: str | None = dataclasses.field(default=None, repr=False)
    viewer_url: str | None = None
    number: str | None = None
    passcode: str | None = dataclasses.field(default=None, repr=False)
    participants: tuple[str, ...] = ()
    organizer: str | None = None
    role: Role | None = None
    online_meeting_uri: str | None = None
    conference: AudioConference | None = None
    description: str = ""
    #: When a standing meeting space stops working (UCWA expirationTime), if known.
    expires: dt.datetime | None = None
    # Calendar events (ICS, CalDAV, saved links) also carry these:
    #: The iCalendar UID, which identifies one event across calendars.
    uid: str | None = None
    location: str = ""
    #: An all-day event: start and end are midnights UTC of the local dates.
    all_day: bool = False
    #: "confirmed", "tentative" or "cancelled" (iCalendar STATUS), if known.
    status: str | None = None
    #: The user's answer: "accepted", "declined", "tentative" or "needs-action".
    attendance: str | None = None
    #: The calendar inside the source (a CalDAV collection, an ICS X-WR-CALNAME).
    calendar: str | None = None
    #: The link from the event's conference fields (CONFERENCE, X-GOOGLE-CONFERENCE...).
    conference_url: str | None = None
    #: The accounts this entry was merged from, when several sources held it.
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Reject naive datetimes so every comparison is well-defined."""
        for name in ("start", "end", "expires"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, utc(value))

    @property
    def timeless(self) -> bool:
        """True for a standing meeting space with no scheduled time (UCWA, BlueJeans)."""
        return self.start is None

    def sort_key(self) -> tuple[bool, dt.datetime, str, str]:
        """Order by start; meetings with no time come last, then by title."""
        return (self.start is None, self.start or _FAR_FUTURE, self.title.casefold(), self.id)


_FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclasses.dataclass(frozen=True, slots=True)
class StartedMeeting:
    """The answer to a join.me start call.

    ``presenter_link`` is a one-time login that expires after ten minutes: hand it
    straight to the opener; never store, log or print it unless the user asks.
    """

    viewer_link: str
    presenter_link: str = dataclasses.field(repr=False)
    conference: AudioConference | None = None
    webhooks_status: dict[str, object] | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Room:
    """A Whereby transient room."""

    id: str
    room_name: str
    room_url: str
    start: dt.datetime | None
    end: dt.datetime
    host_url: str | None = dataclasses.field(default=None, repr=False)
    viewer_url: str | None = None
