"""Accounts and sign-in, the same for the CLI and the window: add, edit, remove, sign in again.

Every change follows one order: validate what was typed (InvalidInput naming the
field, nothing sent), run the provider's sign-in (nothing stored yet), then store the
account and what the sign-in gave in one step that is undone if any part fails. So a
failed or cancelled sign-in leaves nothing half-added, and a failed "sign in again"
leaves the old secrets as they were.

What each provider's sign-in keeps (secret kinds of :mod:`launcher.store.secrets`):

* join.me: OAuth 2 authorization code with PKCE in the system browser, redirected to a
  loopback listener; keeps ``token``, ``refresh_token``, ``token_expires``. An access
  token given by hand (``token``) is checked with ``GET /user`` and kept alone.
* Whereby: the API key, checked with a one-room list first; keeps ``api_key``.
* BlueJeans: with a user name and password, the Meetings REST password grant and a
  relay access token; keeps ``token``, ``token_expires``, ``relay_token`` (never the
  password). With an app key and secret, the client-credentials grant; keeps
  ``client_id``, ``client_secret`` (they renew the token), ``token``,
  ``token_expires``. A relay token given by hand is kept as ``relay_token``.
* Skype for Business: discovery, the password grant and an application; keeps
  ``password`` (UCWA has no refresh token: the password renews the 8-hour ticket).
* ICS subscription or file: the calendar is read once (it must be a calendar); keeps
  nothing secret.
* CalDAV: signs in and lists the calendars (the caldav library); keeps ``password``
  (CalDAV has no tokens). Nothing is saved when the server refuses.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from launcher.core.errors import (
    AuthenticationRequired,
    InvalidInput,
    LauncherError,
    NotFound,
    ProtocolViolation,
    ProviderError,
    ProviderUnavailable,
)
from launcher.core.models import Account, Credentials, Provider
from launcher.core.validate import require_http_url, require_text
from launcher.providers.bluejeans.client import BlueJeansClient
from launcher.providers.caldav.client import CalDavClient
from launcher.providers.http import send
from launcher.providers.ics.client import IcsClient
from launcher.providers.joinme import oauth
from launcher.providers.joinme.client import JoinMeClient
from launcher.providers.skype.client import SkypeClient
from launcher.providers.whereby.client import WherebyClient
from launcher.services.accounts import (
    MAX_SECRET,
    AccountForm,
    build_account,
    require_calendar_url,
    validate_secret,
)
from launcher.services.context import Context
from launcher.services.loopback import LoopbackListener
from launcher.services.opener import open_url
from launcher.store.accounts import validate_name
from launcher.store.secrets import format_expiry

log = logging.getLogger("launcher.signin")

#: Opens the provider's sign-in page (the system browser; the CLI also prints it).
Browser = Callable[[str], Awaitable[None]]
#: How long the browser sign-in waits for the user, in seconds.
OAUTH_TIMEOUT = 300.0


@dataclasses.dataclass(frozen=True, slots=True)
class SignInInput:
    """What a person types to sign in again (only what the provider needs)."""

    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    api_key: str | None = dataclasses.field(default=None, repr=False)
    client_secret: str | None = dataclasses.field(default=None, repr=False)
    token: str | None = dataclasses.field(default=None, repr=False)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SignInService:
    """Adds, edits, removes and signs in accounts; the one place both front ends use."""

    def __init__(
        self,
        ctx: Context,
        *,
        browser: Browser = open_url,
        oauth_timeout: float = OAUTH_TIMEOUT,
        now: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self._ctx = ctx
        self._browser = browser
        self._oauth_timeout = oauth_timeout
        self._now = now

    # ------------------------------------------------------------------ questions

    def needs(self, account: Account) -> tuple[str, ...]:
        """Return what "sign in again" asks the user for (empty: nothing, e.g. the browser).

        ``password`` (BlueJeans, Skype), ``username`` too when a BlueJeans account has
        none, ``api_key`` (Whereby). An app-key BlueJeans account renews with its kept
        secret and asks for nothing; join.me signs in in the browser.
        """
        if account.provider is Provider.WHEREBY:
            return ("api_key",)
        if account.provider in (Provider.JOINME, Provider.ICS, Provider.LOCAL):
            return ()
        if account.provider is Provider.CALDAV:
            return ("password",)
        if account.provider is Provider.SKYPE:
            return ("password",)
        creds = self._ctx.secrets.credentials(account.name, account.username)
        if creds.client_id and creds.client_secret:
            return ()
        return ("password",) if account.username else ("username", "password")

    # ------------------------------------------------------------------ add

    async def add(self, form: AccountForm) -> Account:
        """Validate, sign in with the provider, then store the account and its secrets."""
        account, given = build_account(form)
        if any(a.name == account.name for a in self._ctx.accounts.load()):
            raise InvalidInput("name", f"an account called {account.name!r} already exists")
        account, values = await self._sign_in(account, given, previous=Credentials())
        await asyncio.to_thread(self._store_new, account, values)
        for value in values.values():
            self._ctx.note_secret(value)
        log.info("added the %s account %s", account.provider.label, account.name)
        return account

    def _store_new(self, account: Account, values: dict[str, str]) -> None:
        accounts, secrets = self._ctx.accounts, self._ctx.secrets
        accounts.add(account)
        try:
            secrets.replace_account(account.name, values)
        except BaseException:
            with contextlib.suppress(Exception):
                secrets.delete_account(account.name)
            accounts.remove(account.name)
            raise
        self._ctx.forget_client(account.name)

    # ------------------------------------------------------------------ sign in again

    async def sign_in_again(self, name: str, given: SignInInput | None = None) -> Account:
        """Run the account's sign-in again and replace its secrets with the new ones.

        A failure (refused, cancelled, timed out) leaves the old secrets untouched.
        """
        given = given or SignInInput()
        account = self._ctx.accounts.get(name)
        previous = await asyncio.to_thread(
            self._ctx.secrets.credentials, account.name, account.username
        )
        typed = _check_input(account, given, previous)
        if given.username is not None and account.provider is Provider.BLUEJEANS:
            account = dataclasses.replace(
                account, username=require_text("username", given.username, max_len=254)
            )
        signed, values = await self._sign_in(account, typed, previous=previous)
        await asyncio.to_thread(self._store_again, name, signed, values)
        for value in values.values():
            self._ctx.note_secret(value)
        log.info("signed in again to %s", name)
        return signed

    def _store_again(self, name: str, account: Account, values: dict[str, str]) -> None:
        accounts, secrets = self._ctx.accounts, self._ctx.secrets
        old = accounts.get(name)
        if old != account:
            accounts.update(name, account)
        try:
            secrets.replace_account(name, values)
        except BaseException:
            if old != account:
                accounts.update(name, old)
            raise
        self._ctx.forget_client(name)

    # ------------------------------------------------------------------ edit

    def edit(
        self, old_name: str, *, name: str | None = None, base_url: str | None = None
    ) -> Account:
        """Rename an account and/or change its base URL; secrets and cached meetings follow."""
        account = self._ctx.accounts.get(old_name)
        new_name = validate_name(name) if name is not None else account.name
        field = "discovery_url" if account.provider is Provider.SKYPE else "base_url"
        check = require_calendar_url if account.provider is Provider.ICS else require_http_url
        new_base = check(field, base_url) if base_url is not None else account.base_url
        updated = dataclasses.replace(account, name=new_name, base_url=new_base)
        if updated == account:
            return account
        self._ctx.accounts.update(old_name, updated)
        if new_name != old_name:
            try:
                self._ctx.secrets.rename_account(old_name, new_name)
            except BaseException:
                self._ctx.accounts.update(new_name, account)
                raise
        self._ctx.forget_client(old_name)
        self._ctx.forget_client(new_name)
        log.info("changed the account %s", new_name)
        return updated

    # ------------------------------------------------------------------ remove

    def remove(self, name: str) -> Account:
        """Remove an account, its secrets and its cached meetings."""
        self._ctx.accounts.get(name)  # ConfigError for an unknown name, before any change
        self._ctx.secrets.delete_account(name)
        account = self._ctx.accounts.remove(name)
        self._ctx.forget_client(name)
        log.info("removed the account %s", name)
        return account

    # ------------------------------------------------------------------ provider flows

    async def _sign_in(
        self, account: Account, given: dict[str, str], *, previous: Credentials
    ) -> tuple[Account, dict[str, str]]:
        """Run the provider's sign-in; return the account (maybe completed) and its secrets."""
        if account.provider is Provider.JOINME:
            return await self._joinme(account, given)
        if account.provider is Provider.WHEREBY:
            return account, await self._whereby(account, given["api_key"])
        if account.provider is Provider.BLUEJEANS:
            return account, await self._bluejeans(account, given, previous)
        if account.provider is Provider.ICS:
            await self._ics(account)
            return account, {}
        if account.provider is Provider.CALDAV:
            return account, await self._caldav(account, given["password"])
        return account, await self._skype(account, given["password"])

    async def _ics(self, account: Account) -> None:
        """Read the calendar once: the address must give a calendar (nothing is kept)."""
        client = IcsClient(self._ctx.http, account)
        now = self._now()
        try:
            await client.read(now - dt.timedelta(days=1), now + dt.timedelta(days=31))
        except ProtocolViolation as exc:
            raise InvalidInput("base_url", exc.reason) from exc
        except (NotFound, AuthenticationRequired) as exc:
            raise InvalidInput("base_url", exc.reason) from exc
        except ProviderUnavailable as exc:
            raise _unreachable(exc, "read the calendar") from exc

    async def _caldav(self, account: Account, password: str) -> dict[str, str]:
        client = CalDavClient(account, Credentials(username=account.username, password=password))
        try:
            names = await client.check_login()
        except AuthenticationRequired as exc:
            raise InvalidInput(
                "password", "the CalDAV server did not accept this user name and password"
            ) from exc
        except (NotFound, ProtocolViolation) as exc:
            raise InvalidInput("base_url", exc.reason) from exc
        except ProviderUnavailable as exc:
            raise _unreachable(exc, "sign in") from exc
        if not names:
            raise InvalidInput("base_url", "the CalDAV account has no calendars")
        return {"password": password}

    async def _joinme(
        self, account: Account, given: dict[str, str]
    ) -> tuple[Account, dict[str, str]]:
        token = given.get("token")
        if token:
            values = {"token": token}
        else:
            tokens = await self.joinme_browser_sign_in(account)
            values = {"token": tokens.access_token}
            if tokens.refresh_token:
                values["refresh_token"] = tokens.refresh_token
            if tokens.expires_at is not None:
                values["token_expires"] = format_expiry(tokens.expires_at)
        client = JoinMeClient(self._ctx.http, account, Credentials(token=values["token"]))
        try:
            email = await client.user_email()
        except AuthenticationRequired as exc:
            if token:
                raise InvalidInput("token", "join.me did not accept this access token") from exc
            raise
        except ProviderUnavailable as exc:
            if token:
                raise _unreachable(exc, "check the access token") from exc
            email = None  # signed in all the same; the address is only for display
            log.info("join.me profile not read after sign-in: %s", exc)
        if email and not account.username:
            account = dataclasses.replace(account, username=email)
        return account, values

    async def joinme_browser_sign_in(self, account: Account) -> oauth.TokenSet:
        """Sign in in the browser: consent page, loopback redirect, code exchange (PKCE).

        The ``state`` of the redirect must match (else nothing is exchanged). Waits at
        most the OAuth timeout; cancel the task to stop waiting. The browser tab is
        told how it ended.
        """
        auth = oauth.auth_base(account.base_url)
        verifier, state = oauth.new_verifier(), oauth.new_state()
        async with LoopbackListener() as listener:
            url = oauth.build_authorize_url(
                auth, redirect_uri=listener.redirect_uri, state=state, verifier=verifier
            )
            await self._browser(url)
            try:
                callback = await listener.wait(self._oauth_timeout)
            except TimeoutError:
                minutes = max(1, round(self._oauth_timeout / 60))
                raise AuthenticationRequired(
                    oauth.PROVIDER,
                    f"no answer came from the browser within {minutes} minute"
                    f"{'s' if minutes != 1 else ''}; nothing was saved. Sign in again.",
                    code="timeout",
                ) from None
            try:
                code = oauth.parse_callback(callback.query, expected_state=state)
                request = oauth.build_code_exchange(
                    auth, code=code, redirect_uri=listener.redirect_uri, verifier=verifier
                )
                tokens = oauth.parse_token(
                    await send(self._ctx.http, request, provider=oauth.PROVIDER), now=self._now()
                )
            except LauncherError as exc:
                reason = exc.reason if isinstance(exc, ProviderError) else str(exc)
                await callback.finish(False, "Sign-in failed",
                                      f"{reason[:1].upper()}{reason[1:]}.")
                raise
            await callback.finish(
                True, "Signed in to join.me",
                "You can close this tab and go back to Meeting Launcher.",
            )
        return tokens

    async def _whereby(self, account: Account, key: str) -> dict[str, str]:
        client = WherebyClient(self._ctx.http, account, Credentials(api_key=key))
        try:
            await client.check_key()
        except AuthenticationRequired as exc:
            raise InvalidInput(
                "api_key",
                "Whereby did not accept this API key; copy it again from the Whereby "
                "Embedded dashboard (Configure)",
            ) from exc
        except ProviderUnavailable as exc:
            raise _unreachable(exc, "check the API key") from exc
        return {"api_key": key}

    async def _bluejeans(
        self, account: Account, given: dict[str, str], previous: Credentials
    ) -> dict[str, str]:
        values: dict[str, str] = {}
        client_id = given.get("client_id") or previous.client_id
        client_secret = given.get("client_secret") or previous.client_secret
        password = given.get("password")
        relay_token = given.get("relay_token")
        if password is None and client_id and client_secret:
            creds = Credentials(client_id=client_id, client_secret=client_secret)
            client = BlueJeansClient(self._ctx.http, account, creds)
            try:
                signed = await client.sign_in()
            except AuthenticationRequired as exc:
                raise InvalidInput(
                    "client_secret", "BlueJeans did not accept this app key and secret"
                ) from exc
            values.update(client_id=client_id, client_secret=client_secret)
        elif password is not None:
            username = account.username or ""
            creds = Credentials(username=username, password=password)
            client = BlueJeansClient(self._ctx.http, account, creds)
            try:
                signed = await client.sign_in()
            except AuthenticationRequired as exc:
                raise InvalidInput(
                    "password", "BlueJeans did not accept this user name and password"
                ) from exc
            if relay_token is None:
                try:
                    relay_token = await client.create_relay_token(username, password)
                except AuthenticationRequired as exc:
                    raise InvalidInput(
                        "password",
                        "the BlueJeans relay (pre-join checks) did not accept this user name "
                        "and password",
                    ) from exc
        else:
            signed = None
        if signed is not None:
            values.update(token=signed.token, token_expires=format_expiry(signed.expires_at))
        if relay_token:
            values["relay_token"] = relay_token
        elif previous.relay_token and password is None:
            values["relay_token"] = previous.relay_token
        if not values:
            raise InvalidInput("password", "BlueJeans needs your password to sign in")
        return values

    async def _skype(self, account: Account, password: str) -> dict[str, str]:
        creds = Credentials(username=account.username, password=password)
        client = SkypeClient(self._ctx.http, account, creds)
        try:
            await client.sign_in()
        except AuthenticationRequired as exc:
            raise InvalidInput(
                "password",
                "Skype for Business did not accept this sign-in address and password",
            ) from exc
        except ProviderUnavailable as exc:
            raise _unreachable(exc, "sign in") from exc
        return {"password": password}


def _check_input(account: Account, given: SignInInput, previous: Credentials) -> dict[str, str]:
    """Validate what was typed for "sign in again"; return it as sign-in input."""
    provider = account.provider
    allowed = {
        Provider.JOINME: {"token"},
        Provider.WHEREBY: {"api_key"},
        Provider.BLUEJEANS: {"username", "password", "client_secret"},
        Provider.SKYPE: {"password"},
        Provider.CALDAV: {"password"},
    }.get(provider, set())
    typed = {
        key: value
        for key, value in dataclasses.asdict(given).items()
        if value is not None
    }
    for key, value in typed.items():
        if key not in allowed:
            raise InvalidInput(key, f"does not apply to {provider.label} accounts")
        empty = not value if key == "password" else not value.strip()
        if empty:
            raise InvalidInput(key, "must not be empty")
        if len(value) > MAX_SECRET or any(ch in value for ch in "\r\n\x00"):
            raise InvalidInput(key, "is not a valid value (too long, or a line break in it)")
        if key != "username":
            # Same rule as when the account was added: no spaces or invisible
            # characters in a token or key (checked before anything is sent).
            validate_secret(key, value.strip() if key != "password" else value,
                            spaces=key == "password")
    if provider is Provider.WHEREBY and "api_key" not in typed:
        raise InvalidInput("api_key", "give the API key (a new one if the old was revoked)")
    if provider is Provider.SKYPE and "password" not in typed:
        raise InvalidInput("password", "give your Skype for Business password")
    if provider is Provider.CALDAV and "password" not in typed:
        raise InvalidInput("password", "give your CalDAV password")
    if provider is Provider.BLUEJEANS:
        uses_app = bool(previous.client_id and previous.client_secret) or "client_secret" in typed
        if "client_secret" in typed and not previous.client_id:
            raise InvalidInput("client_secret", "this account does not sign in with an app key")
        if not uses_app and "password" not in typed:
            raise InvalidInput("password", "give your BlueJeans password (it is not kept)")
        if not account.username and "username" not in typed and not uses_app:
            raise InvalidInput("username", "give your BlueJeans user name")
    return {k: (v if k == "password" else v.strip()) for k, v in typed.items()
            if k != "username"}


def _unreachable(exc: ProviderUnavailable, what: str) -> ProviderUnavailable:
    return ProviderUnavailable(
        exc.provider,
        f"could not reach the service to {what} ({exc.reason}); nothing was saved",
        status=exc.status,
    )


__all__ = ["OAUTH_TIMEOUT", "Browser", "SignInInput", "SignInService"]
