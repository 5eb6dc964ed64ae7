"""The one exception tree of Meeting Launcher.

::

    LauncherError                      anything the app reports to a user
    ├── InvalidInput                   bad user input; names the field; nothing was sent
    ├── InputNeeded                    a join needs something the user did not give
    ├── ConfigError                    unknown account, unreadable settings, ...
    └── ProviderError                  a provider could not do what was asked
        ├── ProviderUnavailable        network, timeout, 5xx: worth retrying later
        │   └── RateLimited            429 (or a throttling 403); carries retry_after
        ├── AuthenticationRequired     401/403: sign in again
        ├── NotFound                   404 for the thing asked about
        ├── Rejected                   the provider refused the request (4xx, conflicts)
        ├── ProtocolViolation          an answer we cannot parse
        └── JoinFailed                 an asynchronous join ended in failure (UCWA)

Third-party exceptions are wrapped with ``raise ... from`` and never subclassed.
Messages are written for users: they say what happened and, where we can, what to do.
They never contain a secret (token, password, presenter link, organizer code).
"""

from __future__ import annotations


class LauncherError(Exception):
    """Base class for every error Meeting Launcher raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(LauncherError):
    """A value given by the user is not acceptable; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class InputNeeded(LauncherError):
    """A join cannot go on without something the user did not supply."""

    def __init__(self, needs: str, message: str) -> None:
        super().__init__(message)
        self.needs = needs


class ConfigError(LauncherError):
    """Local configuration is missing or wrong (unknown account, bad file)."""


class ProviderError(LauncherError):
    """A provider could not complete a request."""

    def __init__(self, provider: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{provider_label(provider)}: {message}")
        self.provider = provider
        self.status = status
        self.reason = message


class ProviderUnavailable(ProviderError):
    """Transport failure, timeout or server error; retrying later may work."""


class RateLimited(ProviderUnavailable):
    """The provider asked us to slow down; ``retry_after`` is in seconds if known."""

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = 429,
    ) -> None:
        super().__init__(provider, message, status=status)
        self.retry_after = retry_after


class AuthenticationRequired(ProviderError):
    """Credentials are missing, wrong, expired or revoked; ``code`` keeps the provider's."""

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(provider, message, status=status)
        self.code = code


class NotFound(ProviderError):
    """The meeting, room or resource does not exist (any more)."""


class Rejected(ProviderError):
    """The provider refused the request as asked (validation, conflict, policy)."""

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(provider, message, status=status)
        self.code = code


class ProtocolViolation(ProviderError):
    """The provider answered with something we could not understand."""


class JoinFailed(ProviderError):
    """A join was attempted and the provider reported that it failed."""

    def __init__(self, provider: str, message: str, *, code: str | None = None) -> None:
        super().__init__(provider, message)
        self.code = code


_LABELS = {
    "bluejeans": "BlueJeans",
    "joinme": "join.me",
    "whereby": "Whereby",
    "skype": "Skype for Business",
    "ics": "Calendar (ICS)",
    "caldav": "CalDAV",
    "local": "Saved links",
}


def provider_label(provider: str) -> str:
    """Return the name users know a provider by."""
    return _LABELS.get(provider, provider)
