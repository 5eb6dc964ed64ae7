"""The services a command or the window works with, built by a composition root."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable

import httpx

from launcher import __version__
from launcher.core.errors import ConfigError
from launcher.core.links import WebBase
from launcher.core.models import DEFAULT_WEB_URLS, Account, Provider
from launcher.providers.bluejeans.client import BlueJeansClient, RestSignIn
from launcher.providers.caldav.client import CalDavClient
from launcher.providers.http import (
    DEFAULT_RETRY,
    DEFAULT_TIMEOUTS,
    HttpClient,
    RetryPolicy,
    Timeouts,
)
from launcher.providers.ics.client import IcsClient
from launcher.providers.joinme.client import JoinMeClient
from launcher.providers.joinme.oauth import TokenSet
from launcher.providers.skype.client import SkypeClient
from launcher.providers.whereby.client import WherebyClient
from launcher.store.accounts import AccountStore
from launcher.store.calendar_fetch import CalendarFetchStore
from launcher.store.paths import Paths
from launcher.store.secrets import SecretStore, format_expiry

Client = BlueJeansClient | JoinMeClient | WherebyClient | SkypeClient | IcsClient | CalDavClient

def new_http_client(
    *, timeouts: Timeouts = DEFAULT_TIMEOUTS, retry: RetryPolicy = DEFAULT_RETRY
) -> HttpClient:
    """Create the one shared HTTP client (the composition root owns and closes it).

    Every request gets connect, read, write and pool timeouts (*timeouts*; connect
    quickly or report the network, answers may take longer); idempotent requests are
    retried per *retry* (see :func:`launcher.providers.http.send`).
    """
    return HttpClient(
        timeouts=timeouts,
        retry=retry,
        follow_redirects=False,
        headers={"User-Agent": f"MeetingLauncher/{__version__}"},
        limits=httpx.Limits(max_connections=40, max_keepalive_connections=20),
    )


class Context:
    """Stores, secrets, the shared HTTP client and one provider client per account."""

    def __init__(
        self,
        paths: Paths,
        accounts: AccountStore,
        secrets: SecretStore,
        http: httpx.AsyncClient,
    ) -> None:
        self.paths = paths
        self.accounts = accounts
        self.secrets = secrets
        self.http = http
        #: Where a running window listens (set by the composition root), if any.
        self.instance_address: str | None = None
        #: Told every secret value that comes in while running (tokens renewed, a new
        #: sign-in), so the log redaction filter can mask it.
        self.secret_listener: Callable[[str], None] | None = None
        #: How long an ICS subscription's download is reused before asking again. Zero
        #: (the CLI: every run asks, conditionally); the window's composition root sets
        #: it from the ``ics_refresh_minutes`` setting.
        self.ics_min_interval = dt.timedelta(0)
        self._clients: dict[str, Client] = {}

    def client_for(self, account: Account) -> Client:
        """Return the (cached) provider client of *account*."""
        client = self._clients.get(account.name)
        if client is None:
            creds = self.secrets.credentials(account.name, account.username)
            for value in creds.secret_values():
                self.note_secret(value)
            if account.provider is Provider.BLUEJEANS:
                client = BlueJeansClient(
                    self.http, account, creds, on_tokens=self._bluejeans_saver(account.name)
                )
            elif account.provider is Provider.JOINME:
                client = JoinMeClient(
                    self.http, account, creds, on_tokens=self._joinme_saver(account.name)
                )
            elif account.provider is Provider.WHEREBY:
                client = WherebyClient(self.http, account, creds)
            elif account.provider is Provider.ICS:
                client = IcsClient(
                    self.http,
                    account,
                    store=CalendarFetchStore(self.accounts.database),
                    min_interval=self.ics_min_interval,
                )
            elif account.provider is Provider.CALDAV:
                client = CalDavClient(account, creds)
            elif account.provider is Provider.SKYPE:
                client = SkypeClient(self.http, account, creds)
            else:
                raise ConfigError(f"{account.provider.label} is not an account with a client.")
            self._clients[account.name] = client
        return client

    def forget_client(self, name: str) -> None:
        """Drop the cached client of account *name* (its secrets or settings changed)."""
        self._clients.pop(name, None)

    def note_secret(self, value: str | None) -> None:
        """Pass a secret value to :attr:`secret_listener` (for redaction)."""
        if value and self.secret_listener is not None:
            self.secret_listener(value)

    async def keep_secrets(self, name: str, values: dict[str, str]) -> None:
        """Add or replace some secrets of account *name*, beside the event loop."""
        for value in values.values():
            self.note_secret(value)
        await asyncio.to_thread(self._merge_secrets, name, values)

    def _merge_secrets(self, name: str, values: dict[str, str]) -> None:
        if not any(a.name == name for a in self.accounts.load()):
            return  # removed meanwhile: keep nothing for it
        current = self.secrets.all_secrets(name)
        current.update(values)
        self.secrets.replace_account(name, current)

    def _joinme_saver(self, name: str) -> Callable[[TokenSet], Awaitable[None]]:
        async def save(tokens: TokenSet) -> None:
            values = {"token": tokens.access_token}
            if tokens.refresh_token:
                values["refresh_token"] = tokens.refresh_token
            if tokens.expires_at is not None:
                values["token_expires"] = format_expiry(tokens.expires_at)
            await self.keep_secrets(name, values)

        return save

    def _bluejeans_saver(self, name: str) -> Callable[[RestSignIn], Awaitable[None]]:
        async def save(signed_in: RestSignIn) -> None:
            await self.keep_secrets(
                name,
                {"token": signed_in.token, "token_expires": format_expiry(signed_in.expires_at)},
            )

        return save

    def preload_clients(self) -> list[str]:
        """Build every account's client now; return the secret values read, for redaction.

        Meant to run in a worker thread at start-up: reading secrets can block.
        """
        values: list[str] = []
        for account in self.accounts.load():
            self.client_for(account)
            creds = self.secrets.credentials(account.name, account.username)
            values += creds.secret_values()
        return values

    def account(self, name: str) -> Account:
        """Return the account called *name* (ConfigError if none)."""
        return self.accounts.get(name)

    def account_of(self, provider: Provider, name: str | None = None) -> Account:
        """Return the named account, or the only account of *provider*."""
        if name is not None:
            account = self.accounts.get(name)
            if account.provider is not provider:
                raise ConfigError(
                    f"The account {name!r} is a {account.provider.label} account, "
                    f"not {provider.label}."
                )
            return account
        matching = [a for a in self.accounts.load() if a.provider is provider]
        if not matching:
            raise ConfigError(
                f"No {provider.label} account is set up. Add one with "
                f"`meeting-launcher accounts add {provider.value} --name NAME ...`."
            )
        if len(matching) > 1:
            names = ", ".join(a.name for a in matching)
            raise ConfigError(
                f"Several {provider.label} accounts exist ({names}); pick one with --account."
            )
        return matching[0]

    def web_bases(self) -> list[WebBase]:
        """Where each account's meeting pages live, for recognising pasted links."""
        bases = []
        for account in self.accounts.load():
            url = account.web_url or DEFAULT_WEB_URLS.get(account.provider)
            if url:
                bases.append(WebBase(url, account.provider, account.name))
        return bases

    async def aclose(self) -> None:
        """Close the shared HTTP client."""
        await self.http.aclose()
