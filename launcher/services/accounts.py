"""What an account form must hold: one set of rules for the CLI and the window."""

from __future__ import annotations

import dataclasses
import unicodedata
import urllib.parse

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
from launcher.store.accounts import validate_name


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
    client_id: str | None = None
    token: str | None = dataclasses.field(default=None, repr=False)
    api_key: str | None = dataclasses.field(default=None, repr=False)
    password: str | None = dataclasses.field(default=None, repr=False)
    client_secret: str | None = dataclasses.field(default=None, repr=False)
    relay_token: str | None = dataclasses.field(default=None, repr=False)


#: Which optional fields each provider takes.
ALLOWED: dict[Provider, frozenset[str]] = {
    Provider.JOINME: frozenset({"token"}),
    Provider.WHEREBY: frozenset({"api_key"}),
    Provider.BLUEJEANS: frozenset(
        {"username", "password", "relay_url", "client_id", "client_secret", "relay_token"}
    ),
    Provider.SKYPE: frozenset({"username", "password", "discovery_url"}),
    # The user's e-mail address, to read their answer (PARTSTAT) from the events.
    Provider.ICS: frozenset({"username"}),
    Provider.CALDAV: frozenset({"username", "password"}),
    Provider.LOCAL: frozenset(),
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
    """Validate *form* without sending anything; return the account and what was typed.

    The second value holds the credentials given (``token``, ``api_key``, ``password``,
    ``client_id``, ``client_secret``, ``relay_token``) for the provider's sign-in;
    what is finally kept is decided by the sign-in (a password, for one, is not kept
    where the provider issues tokens). Raises InvalidInput naming the field.
    """
    provider = form.provider
    if provider is Provider.LOCAL:
        raise InvalidInput("provider", "saved links need no account: add a meeting link instead")
    name = validate_name(form.name)
    validate_secret("token", form.token)
    validate_secret("api_key", form.api_key)
    validate_secret("password", form.password, spaces=True)
    # Kept stripped (below), so checked stripped: no space or invisible character inside.
    for key in ("client_id", "client_secret", "relay_token"):
        value = getattr(form, key)
        validate_secret(key, value.strip() if value else value)
    given = {
        "token": form.token,
        "api_key": form.api_key,
        "username": form.username,
        "password": form.password,
        "discovery_url": form.discovery_url,
        "relay_url": form.relay_url,
        "client_id": form.client_id,
        "client_secret": form.client_secret,
        "relay_token": form.relay_token,
    }
    for key, value in given.items():
        if value and key not in ALLOWED[provider]:
            raise InvalidInput(key, f"does not apply to {provider.label} accounts")
    for key in ("token", "api_key", "password", "client_secret", "relay_token", "client_id"):
        value = given[key]
        if value is not None and value != "" and (
            len(value) > MAX_SECRET or any(ch in value for ch in "\r\n\x00")
        ):
            raise InvalidInput(key, "is not a valid value (too long, or a line break in it)")
    if provider is Provider.WHEREBY and not (form.api_key or "").strip():
        raise InvalidInput("api_key", "a Whereby account needs an API key")
    if provider is Provider.JOINME and form.token is not None and not form.token.strip():
        raise InvalidInput("token", "must not be empty (or leave it out to sign in in the browser)")
    if provider is Provider.BLUEJEANS:
        _check_bluejeans(form)
    if provider.is_calendar:
        return _calendar_account(form, name), {
            k: v for k, v in (("password", form.password),) if v
        }
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
    username = None
    if form.username:
        username = require_text("username", form.username, max_len=254)
    account = Account(
        name=name,
        provider=provider,
        base_url=base_url,
        relay_url=relay_url,
        web_url=web_url,
        username=username,
    )
    secrets = {
        kind: value.strip() if kind != "password" else value
        for kind in ("token", "api_key", "password", "client_id", "client_secret", "relay_token")
        if (value := given[kind])
    }
    return account, secrets


def require_calendar_url(field: str, value: str | None) -> str:
    """Return an ICS address: http(s), webcal(s) or an absolute ``file://`` path."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput(field, "give the calendar's ICS link or file")
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        raise InvalidInput(field, f"{text!r} is not a URL") from None
    scheme = parts.scheme.lower()
    if scheme == "file":
        if not parts.path.startswith("/"):
            raise InvalidInput(field, "a file:// address needs an absolute path")
        return text
    if scheme in {"webcal", "webcals"}:
        if not parts.hostname:
            raise InvalidInput(field, f"{text!r} has no host name")
        if parts.username or parts.password:
            raise InvalidInput(field, "must not contain a user name or password")
        return text
    if scheme not in {"http", "https"}:
        raise InvalidInput(field, f"{text!r} is not an http(s), webcal or file address")
    require_http_url(field, text)
    return text


def _calendar_account(form: AccountForm, name: str) -> Account:
    """Build an ICS subscription (URL or file) or a CalDAV account (URL, user name, password)."""
    if form.web_url:
        raise InvalidInput("web_url", f"does not apply to {form.provider.label} accounts")
    username = None
    if form.provider is Provider.CALDAV:
        if not (form.base_url or "").strip():
            raise InvalidInput("base_url", "give the CalDAV server's address")
        base_url = require_http_url("base_url", form.base_url or "")
        username = require_text("username", form.username, max_len=254)
        if not form.password:
            raise InvalidInput("password", "a CalDAV account needs its password")
    else:
        base_url = require_calendar_url("base_url", form.base_url)
        if form.username:
            username = require_text("username", form.username, max_len=254)
            if not is_email(username):
                raise InvalidInput(
                    "username", "give your e-mail address (it finds your answer in invitations)"
                )
    return Account(name=name, provider=form.provider, base_url=base_url, username=username)


def _check_bluejeans(form: AccountForm) -> None:
    """Require one of: a password sign-in, an app key and secret, or only a relay token."""
    app = bool(form.client_id) or bool(form.client_secret)
    if app:
        if not form.client_id:
            raise InvalidInput("client_id", "give the app key that goes with the secret")
        if not form.client_secret:
            raise InvalidInput("client_secret", "give the secret of the app key")
        if form.password:
            raise InvalidInput("password", "sign in with a password or an app key, not both")
        if not form.username or not is_email(form.username.strip()):
            raise InvalidInput(
                "username", "give the user's e-mail address: it finds their meetings"
            )
        return
    if form.password and not form.username:
        raise InvalidInput("username", "give the user name that goes with the password")
    if form.username and not form.password and not form.relay_token:
        raise InvalidInput(
            "password", "BlueJeans needs the password to sign in (it is used once, not kept)"
        )
    if not form.username and not form.relay_token:
        raise InvalidInput(
            "username", "give your user name and password (or an app key and secret)"
        )
