"""join.me OAuth 2: authorization code with PKCE, token exchange and refresh. Pure.

PROVIDERS.md 2.1. Facts: the authorize page is ``{auth}/oauth2`` (``response_type``,
``client_id``, ``scope`` space-delimited, ``redirect_uri``, ``state``), the token
endpoint ``{auth}/token`` takes ``grant_type=authorization_code`` (``code``,
``redirect_uri``) or ``grant_type=refresh_token`` (``refresh_token``), the answer holds
``access_token`` and ``refresh_token``, a used or expired code is answered
``{"error": "invalid_authorization_code"}``, and a stale authorization is renewed in
the browser at ``{auth}/renewauthorization?client_id=&access_token=``.

Inferences, documented as such:

* Meeting Launcher is a *public* client (a desktop app cannot keep a secret), so it
  sends no ``client_secret`` and proves the code is its own with PKCE (RFC 7636, S256):
  ``code_challenge``/``code_challenge_method`` on the authorize URL and
  ``code_verifier`` at the token endpoint. join.me's public docs show only the
  confidential flow; :data:`CLIENT_ID` stands for the app's registered key.
* The redirect is a loopback address on a random port (RFC 8252 section 7.3).
* The auth base is derived from the API base: the real ``https://api.join.me/v1``
  maps to ``https://secure.join.me/api/public/v1/auth``; any other base (a proxy,
  the sandbox) has its trailing ``/v1`` replaced by ``/auth``.
* The token answer's ``expires_in`` (seconds) is standard OAuth; without it the
  token's lifetime is unknown and only a 401 tells it ran out.
* Errors on the redirect come in the query (RFC 6749 4.1.2.1); the docs say "in the
  fragment", which the loopback listener also accepts (its page hands a fragment over).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import urllib.parse
from collections.abc import Mapping
from typing import Any

from launcher.core.errors import AuthenticationRequired, ProtocolViolation
from launcher.providers.http import HttpRequest, HttpResponse, raise_for_common

PROVIDER = "joinme"

#: The API key Meeting Launcher is registered under (a public client: no secret).
CLIENT_ID = "meeting-launcher-desktop"
#: Everything the app does: read the profile, schedule, start meetings.
SCOPES = ("user_info", "scheduler", "start_meeting")
REAL_API_BASE = "https://api.join.me/v1"
REAL_AUTH_BASE = "https://secure.join.me/api/public/v1/auth"
#: Seconds before the stated expiry at which a token is renewed anyway.
EXPIRY_SKEW = 60.0
#: Longest lifetime believed from a token answer (a year).
_MAX_LIFETIME = 366 * 86400

_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_MAX_ERROR = 200


@dataclasses.dataclass(frozen=True, slots=True)
class TokenSet:
    """What a token answer gave: the access token, what renews it, when it runs out."""

    access_token: str = dataclasses.field(repr=False)
    refresh_token: str | None = dataclasses.field(default=None, repr=False)
    expires_at: dt.datetime | None = None


def auth_base(api_base: str) -> str:
    """Return the OAuth base for an account's API base (see the module docstring)."""
    base = api_base.strip().rstrip("/")
    if base.lower() == REAL_API_BASE:
        return REAL_AUTH_BASE
    if base.lower().endswith("/v1"):
        return base[: -len("/v1")] + "/auth"
    return base + "/auth"


def new_verifier() -> str:
    """Return a fresh PKCE code verifier (86 URL-safe characters)."""
    return secrets.token_urlsafe(64)


def new_state() -> str:
    """Return a fresh, unguessable ``state`` value."""
    return secrets.token_urlsafe(24)


def code_challenge(verifier: str) -> str:
    """Return the S256 challenge of *verifier*: base64url(sha256(verifier)), unpadded."""
    if not _VERIFIER.match(verifier):
        raise ValueError("a PKCE verifier is 43-128 unreserved characters")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def build_authorize_url(
    auth: str,
    *,
    redirect_uri: str,
    state: str,
    verifier: str,
    client_id: str = CLIENT_ID,
    scopes: tuple[str, ...] = SCOPES,
) -> str:
    """Return the page to open in the browser, where join.me asks to allow the app."""
    query = {
        "response_type": "code",
        "client_id": client_id,
        "scope": " ".join(scopes),
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    encoded = urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
    return f"{auth.rstrip('/')}/oauth2?{encoded}"


def build_renew_authorization_url(
    auth: str, *, access_token: str, redirect_uri: str, client_id: str = CLIENT_ID
) -> str:
    """Return the page that asks the user to approve a stale authorization again (2.1)."""
    query = {"client_id": client_id, "access_token": access_token, "redirect_uri": redirect_uri}
    return f"{auth.rstrip('/')}/renewauthorization?{urllib.parse.urlencode(query)}"


def parse_callback(query: Mapping[str, str], *, expected_state: str) -> str:
    """Check the redirect's parameters and return the authorization code.

    The ``state`` must be exactly the one sent (else someone else's answer reached
    the listener: nothing is exchanged). An ``error`` says why access was not granted.
    """
    state = query.get("state", "")
    if not hmac.compare_digest(state.encode("utf-8"), expected_state.encode("utf-8")):
        raise AuthenticationRequired(
            PROVIDER,
            "the browser's answer did not belong to this sign-in (state mismatch), so it "
            "was ignored and nothing was saved; start the sign-in again",
            code="state_mismatch",
        )
    error = query.get("error")
    if error:
        if error == "access_denied":
            raise AuthenticationRequired(
                PROVIDER,
                "access was not allowed in the browser; sign in again and choose Allow",
                code=error,
            )
        detail = _clean(query.get("error_description") or error)
        raise AuthenticationRequired(
            PROVIDER, f"the sign-in failed in the browser ({detail}); try again", code=error[:64]
        )
    code = query.get("code", "")
    if not code or len(code) > 2048:
        raise ProtocolViolation(PROVIDER, "the browser's answer carried no authorization code")
    return code


def build_code_exchange(
    auth: str, *, code: str, redirect_uri: str, verifier: str, client_id: str = CLIENT_ID
) -> HttpRequest:
    """``POST {auth}/token`` (form): trade the code and the PKCE verifier for tokens.

    Not repeated on a throttle: a code works once.
    """
    form = {
        "grant_type": "authorization_code",
        "client_id": client_id,
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    return HttpRequest(
        "POST", f"{auth.rstrip('/')}/token", headers=_HEADERS, form=form, idempotent=False
    )


def build_refresh(auth: str, *, refresh_token: str, client_id: str = CLIENT_ID) -> HttpRequest:
    """``POST {auth}/token`` (form) with ``grant_type=refresh_token``."""
    form = {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": refresh_token}
    return HttpRequest(
        "POST", f"{auth.rstrip('/')}/token", headers=_HEADERS, form=form, idempotent=False
    )


_HEADERS = {"Accept": "application/json"}


def parse_token(
    resp: HttpResponse, *, now: dt.datetime, previous_refresh: str | None = None
) -> TokenSet:
    """Parse a token answer; a refresh answer without a new refresh token keeps the old one."""
    if resp.status in (400, 401, 403):
        raise _token_error(resp)
    raise_for_common(PROVIDER, resp)
    if resp.status != 200:
        raise ProtocolViolation(
            PROVIDER, f"unexpected answer from the sign-in service (HTTP {resp.status})",
            status=resp.status,
        )
    body = _json(resp)
    if not isinstance(body, dict):
        raise ProtocolViolation(PROVIDER, "the sign-in answer is not an object", status=200)
    access = body.get("access_token")
    if not isinstance(access, str) or not access.strip() or len(access) > 4096:
        raise ProtocolViolation(PROVIDER, "the sign-in answer has no access token", status=200)
    refresh = body.get("refresh_token")
    if not isinstance(refresh, str) or not refresh.strip() or len(refresh) > 4096:
        refresh = previous_refresh
    expires_at = None
    lifetime = body.get("expires_in")
    if isinstance(lifetime, str) and lifetime.strip().isdigit() and len(lifetime) < 12:
        lifetime = int(lifetime)
    if isinstance(lifetime, int | float) and not isinstance(lifetime, bool) and lifetime > 0:
        expires_at = now + dt.timedelta(seconds=min(float(lifetime), _MAX_LIFETIME))
    return TokenSet(access.strip(), refresh.strip() if refresh else None, expires_at)


def needs_refresh(expires_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a token with this expiry should be renewed before it is used at *now*."""
    return expires_at is not None and now >= expires_at - dt.timedelta(seconds=EXPIRY_SKEW)


def _token_error(resp: HttpResponse) -> AuthenticationRequired:
    body: Any = None
    try:
        body = json.loads(resp.body.decode("utf-8")) if resp.body else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    error = error[:64] if isinstance(error, str) and error else None
    if error == "invalid_authorization_code":
        message = ("the sign-in took too long or was already used; sign in to join.me again")
    elif error in ("invalid_grant", "invalid_refresh_token", "invalid_token"):
        message = "the join.me sign-in has expired or was revoked; sign in to join.me again"
    else:
        message = (
            f"join.me refused the sign-in ({error or f'HTTP {resp.status}'}); "
            "sign in to join.me again"
        )
    return AuthenticationRequired(PROVIDER, message, status=resp.status, code=error)


def _json(resp: HttpResponse) -> Any:
    try:
        return json.loads(resp.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolViolation(
            PROVIDER, "the sign-in answer is not valid JSON", status=resp.status
        ) from exc


def _clean(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= _MAX_ERROR else text[: _MAX_ERROR - 1] + "…"
