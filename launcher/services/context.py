"""The services a command or the window works with, built by a composition root."""

from __future__ import annotations

import httpx

from launcher import __version__
from launcher.core.errors import ConfigError
from launcher.core.links import WebBase
from launcher.core.models import DEFAULT_WEB_URLS, Account, Provider
from launcher.providers.bluejeans.client import BlueJeansClient
from launcher.providers.http import (
    DEFAULT_RETRY,
    DEFAULT_TIMEOUTS,
    HttpClient,
    RetryPolicy,
    Timeouts,
)
from launcher.providers.joinme.client import JoinMeClient
from launcher.providers.skype.client import SkypeClient
from launcher.providers.whereby.client import WherebyClient
from launcher.store.accounts import AccountStore
from launcher.store.paths import Paths
from launcher.store.secrets import SecretStore

Client = BlueJeansClient | JoinMeClient | WherebyClient | SkypeClient

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
        self._clients: dict[str, Client] = {}

    def client_for(self, account: Account) -> Client:
        """Return the (cached) provider client of *account*."""
        client = self._clients.get(account.name)
        if client is None:
            creds = self.secrets.credentials(account.name, account.username)
            if account.provider is Provider.BLUEJEANS:
                client = BlueJeansClient(self.http, account, creds)
            elif account.provider is Provider.JOINME:
                client = JoinMeClient(self.http, account, creds)
            elif account.provider is Provider.WHEREBY:
                client = WherebyClient(self.http, account, creds)
            else:
                client = SkypeClient(self.http, account, creds)
            self._clients[account.name] = client
        return client

    def preload_clients(self) -> list[str]:
        """Build every account's client now; return the secret values read, for redaction.

        Meant to run in a worker thread at start-up: reading secrets can block.
        """
        values: list[str] = []
        for account in self.accounts.load():
            self.client_for(account)
            creds = self.secrets.credentials(account.name, account.username)
            values += [v for v in (creds.token, creds.api_key, creds.password,
                                   creds.client_secret) if v]
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
