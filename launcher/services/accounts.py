"""Adding and removing accounts: one set of rules for the CLI and the window."""

from __future__ import annotations

import dataclasses
import unicodedata

from launcher.core.errors import InvalidInput
from launcher.core.links import has_unsafe_character
from launcher.core.models import (
    DEFAULT_BASE_URLS,
    DEFAULT_RELAY_URL,
    DEFAULT_WEB_URLS,
    Account,
    Provider,
)
from launcher.core.validate import is_email, require_http_url, require_text
from launcher.store.accounts import AccountStore, validate_name
from launcher.store.secrets import SecretStore


@dataclasses.dataclass(frozen=True, slots=True)
class AccountForm:
    """What a user typed to add an account; field names match the CLI options."""

    provider: Provider
    name: str
    base_url: str | None = None
    relay_url: str | None = None
    web_url: str | None = None
    discovery_url: str | None = None
    username: str | None = None
    token: str | None = dataclasses.field(default=None, repr=False)
    api_key: str | None = dataclasses.field(default=None, repr=False)
    password: str | None = dataclasses.field(default=None, repr=False)


#: Which optional fields each provider takes.
ALLOWED: dict[Provider, frozenset[str]] = {
    Provider.JOINME: frozenset({"token"}),
    Provider.WHEREBY: frozenset({"api_key"}),
    Provider.BLUEJEANS: frozenset({"token", "username", "password", "relay_url"}),
    Provider.SKYPE: frozenset({"username", "password", "discovery_url"}),
}


#: Longest token or API key accepted (real ones are a few hundred characters at most).
MAX_SECRET = 4096
#: Longest password accepted.
MAX_PASSWORD = 1024


def validate_secret(field: str, value: str | None, *, spaces: bool = False) -> str | None:
    """Return a token, API key or password as typed, or raise InvalidInput(field).

    Tokens and keys have no spaces; passwords may, but nothing may hold a control or
    invisible character (a pasted line break would end up in an HTTP header). The
    message never repeats the value.
    """
    if value is None or value == "":
        return None
    limit = MAX_PASSWORD if spaces else MAX_SECRET
    if len(value) > limit:
        raise InvalidInput(field, f"is too long ({len(value)} characters; at most {limit})")
    if spaces:
        if any(unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} for c in value):
            raise InvalidInput(field, "must not contain control or invisible characters")
    elif has_unsafe_character(value):
        raise InvalidInput(field, "must not contain spaces, line breaks or invisible characters")
    return value


def build_account(form: AccountForm) -> tuple[Account, dict[str, str]]:
    """Validate *form*; return the account and its secrets, or raise InvalidInput(field)."""
    provider = form.provider
    name = validate_name(form.name)
    validate_secret("token", form.token)
    validate_secret("api_key", form.api_key)
    validate_secret("password", form.password, spaces=True)
    given = {
        "token": form.token,
        "api_key": form.api_key,
        "username": form.username,
        "password": form.password,
        "discovery_url": form.discovery_url,
        "relay_url": form.relay_url,
    }
    for key, value in given.items():
        if value and key not in ALLOWED[provider]:
            raise InvalidInput(key, f"does not apply to {provider.label} accounts")
    if provider is Provider.JOINME and not form.token:
        raise InvalidInput("token", "a join.me account needs an access token")
    if provider is Provider.WHEREBY and not form.api_key:
        raise InvalidInput("api_key", "a Whereby account needs an API key")
    if provider is Provider.BLUEJEANS:
        if bool(form.username) != bool(form.password):
            raise InvalidInput(
                "password" if form.username else "username",
                "the BlueJeans Meetings API needs both a user name and a password",
            )
        if not form.token and not form.username:
            raise InvalidInput(
                "token", "give a relay access token, or a user name and password (or both)"
            )
    if provider is Provider.SKYPE:
        if not form.discovery_url:
            raise InvalidInput("discovery_url", "a Skype for Business account needs it")
        if not form.username or not is_email(form.username.strip()):
            raise InvalidInput("username", "give the sign-in address, e.g. user@contoso.com")
        if not form.password:
            raise InvalidInput("password", "a Skype for Business account needs a password")
        if form.base_url:
            raise InvalidInput("base_url", "Skype for Business uses the discovery URL")
        base_url = require_http_url("discovery_url", form.discovery_url)
    else:
        base_url = require_http_url("base_url", form.base_url or DEFAULT_BASE_URLS[provider])
    relay_url = None
    if provider is Provider.BLUEJEANS:
        relay_url = require_http_url("relay_url", form.relay_url or DEFAULT_RELAY_URL)
    web_url = require_http_url("web_url", form.web_url) if form.web_url else None
    if web_url is None and provider is Provider.SKYPE:
        assert form.username is not None
        web_url = f"https://meet.{form.username.rsplit('@', 1)[1].lower()}"
    if web_url is None:
        web_url = DEFAULT_WEB_URLS[provider]
    if form.username is not None:
        require_text("username", form.username, max_len=254)
    account = Account(
        name=name,
        provider=provider,
        base_url=base_url,
        relay_url=relay_url,
        web_url=web_url,
        username=form.username or None,
    )
    secrets = {
        kind: value
        for kind, value in (
            ("token", form.token),
            ("api_key", form.api_key),
            ("password", form.password),
        )
        if value
    }
    return account, secrets


def save_account(
    accounts: AccountStore, secrets: SecretStore, account: Account, values: dict[str, str]
) -> None:
    """Store *account* and its secrets; a failure leaves no half-added account."""
    accounts.add(account)
    try:
        for kind, value in values.items():
            secrets.set(account.name, kind, value)
    except Exception:
        accounts.remove(account.name)
        secrets.delete_account(account.name)
        raise


def remove_account(accounts: AccountStore, secrets: SecretStore, name: str) -> Account:
    """Remove an account together with its secrets."""
    account = accounts.remove(name)
    secrets.delete_account(account.name)
    return account
