"""join.me OAuth 2 in the sandbox: consent page, token endpoint, renew authorization.

``{base}/joinme/auth`` stands for ``https://secure.join.me/api/public/v1/auth``
(PROVIDERS.md 2.1):

* ``GET /oauth2?response_type=code&client_id=&scope=&redirect_uri=&state=&code_challenge=
  &code_challenge_method=S256`` — bad or missing parameters get an error page (400),
  before any sign-in, as the docs describe; otherwise a consent page for the demo user
  with Allow and Deny. Allow redirects (302) to ``redirect_uri?code=&state=``; Deny to
  ``redirect_uri?error=access_denied&state=``. The sandbox serves public clients: the
  PKCE S256 challenge is required, and the redirect must be a loopback address
  (``http://127.0.0.1:<any port>/…`` or ``http://localhost…``) [INFERENCE].
* ``POST /token`` (form or JSON): ``grant_type=authorization_code`` with ``client_id``,
  ``code``, ``redirect_uri``, ``code_verifier``; ``grant_type=refresh_token`` with
  ``client_id``, ``refresh_token``. Answers ``{"access_token", "refresh_token",
  "token_type": "Bearer", "expires_in", "scope"}``. A used, unknown or expired code is
  ``400 {"error": "invalid_authorization_code"}``; a wrong verifier, redirect or client,
  or a stale or unknown refresh token, ``400 {"error": "invalid_grant"}``.
* ``GET /renewauthorization?client_id=&access_token=&redirect_uri=`` — consent again;
  Allow clears the "stale" mark of that token's authorization and redirects to
  ``redirect_uri?isAuthorizationRenewed=true``.

The knobs (``JoinMeStore.token_ttl_seconds``, ``expire_tokens``, ``stale_tokens``) are
also reachable at ``POST /_sandbox/auth/joinme``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import html
import re
import urllib.parse
from typing import Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from launcher.sandbox.faults import BadBody, read_json_or_form
from launcher.sandbox.pages import page
from launcher.sandbox.state import (
    JoinMeAuthRequest,
    JoinMeCode,
    JoinMeGrant,
    SandboxState,
    new_secret,
)

SCOPES: Final = ("user_info", "scheduler", "start_meeting", "provisioning")
_CHALLENGE: Final = re.compile(r"^[A-Za-z0-9_-]{43}$")
_VERIFIER: Final = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_LABEL: Final = "join.me"
_SCOPE_TEXT: Final = {
    "user_info": "See your name and e-mail address",
    "scheduler": "Schedule, change and cancel your meetings",
    "start_meeting": "Start meetings for you",
    "provisioning": "Manage your organisation's presenters",
}


def s256(verifier: str) -> str:
    """Return the PKCE S256 challenge of *verifier*."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def loopback_redirect(uri: str) -> bool:
    """Whether *uri* is an http loopback address a native app may listen on."""
    try:
        parts = urllib.parse.urlsplit(uri)
    except ValueError:
        return False
    return (
        parts.scheme == "http"
        and parts.hostname in ("127.0.0.1", "localhost", "::1")
        and not parts.username
        and not parts.password
        and not parts.fragment
    )


def with_query(uri: str, params: dict[str, str]) -> str:
    """Add *params* to the query of *uri*."""
    parts = urllib.parse.urlsplit(uri)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


class JoinMeAuth:
    """The join.me OAuth endpoints over one :class:`SandboxState`."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        """Return the ``/joinme/auth`` mount."""
        return [
            Mount(
                "/joinme/auth",
                routes=[
                    Route("/oauth2", self.authorize, methods=["GET"]),
                    Route("/oauth2/decision", self.decision, methods=["POST"]),
                    Route("/token", self.token, methods=["POST"]),
                    Route("/renewauthorization", self.renew, methods=["GET"]),
                ],
            )
        ]

    # ------------------------------------------------------------------ authorize

    async def authorize(self, request: Request) -> Response:
        """Show the consent page (or an error page for bad parameters, before sign-in)."""
        q = request.query_params
        problem = None
        scopes = tuple(q.get("scope", "").split())
        if q.get("response_type") != "code":
            problem = "response_type must be code (the sandbox has no implicit grant)"
        elif q.get("client_id", "") not in self.state.joinme.clients:
            problem = "client_id is not a registered API key"
        elif not loopback_redirect(q.get("redirect_uri", "")):
            problem = "redirect_uri must be a loopback address (http://127.0.0.1:PORT/...)"
        elif not scopes or any(s not in SCOPES for s in scopes):
            problem = f"scope must be one or more of: {', '.join(SCOPES)}"
        elif q.get("code_challenge_method") != "S256":
            problem = "code_challenge_method must be S256"
        elif not _CHALLENGE.match(q.get("code_challenge", "")):
            problem = "code_challenge must be an unpadded base64url SHA-256 (43 characters)"
        elif len(q.get("state", "")) > 512:
            problem = "state is too long"
        if problem is not None:
            return page(_LABEL, "This sign-in link is not valid", problem, status=400)
        auth = JoinMeAuthRequest(
            id=new_secret(12),
            client_id=q["client_id"],
            redirect_uri=q["redirect_uri"],
            state=q.get("state"),
            scopes=scopes,
            challenge=q["code_challenge"],
        )
        with self.state.lock:
            self.state.joinme.auth_requests[auth.id] = auth
        return self._consent(auth, "wants to use your join.me account")

    async def renew(self, request: Request) -> Response:
        """``/renewauthorization``: approve a stale authorization again."""
        q = request.query_params
        token = q.get("access_token", "")
        with self.state.lock:
            known = self.state.joinme.tokens.get(token)
        if q.get("client_id", "") not in self.state.joinme.clients:
            return page(_LABEL, "This sign-in link is not valid",
                        "client_id is not a registered API key", status=400)
        if known is None:
            return page(_LABEL, "This sign-in link is not valid",
                        "access_token is not a token join.me issued", status=400)
        if not loopback_redirect(q.get("redirect_uri", "")):
            return page(_LABEL, "This sign-in link is not valid",
                        "redirect_uri must be a loopback address", status=400)
        auth = JoinMeAuthRequest(
            id=new_secret(12),
            client_id=q["client_id"],
            redirect_uri=q["redirect_uri"],
            state=q.get("state"),
            scopes=(),
            challenge=None,
            renew_token=token,
        )
        with self.state.lock:
            self.state.joinme.auth_requests[auth.id] = auth
        return self._consent(auth, "asks you to approve its access again")

    def _consent(self, auth: JoinMeAuthRequest, what: str) -> HTMLResponse:
        email = str(self.state.joinme.profile.get("email", "demo@joinme.test"))
        items = "".join(
            f"<li>{html.escape(_SCOPE_TEXT.get(s, s))}</li>" for s in auth.scopes
        )
        body = (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<title>Allow access – join.me</title>"
            "<style>body{font-family:system-ui,sans-serif;margin:3rem auto;max-width:34rem}"
            "button{font-size:1rem;padding:.4rem 1.2rem;margin-right:.5rem}</style></head>"
            "<body><main><p>join.me · sandbox</p>"
            f"<h1>{html.escape(auth.client_id)} {html.escape(what)}</h1>"
            f"<p>Signed in as {html.escape(email)}.</p>"
            f"<ul>{items}</ul>"
            "<form method='post' action='/joinme/auth/oauth2/decision'>"
            f"<input type='hidden' name='request' value='{html.escape(auth.id)}'>"
            "<button type='submit' name='decision' value='allow' id='allow'>Allow</button>"
            "<button type='submit' name='decision' value='deny' id='deny'>Deny</button>"
            "</form></main></body></html>"
        )
        return HTMLResponse(body)

    async def decision(self, request: Request) -> Response:
        """Take the consent form's answer: redirect back to the app with a code or an error."""
        try:
            form = await read_json_or_form(request)
        except BadBody as exc:
            return page(_LABEL, "Something went wrong", str(exc), status=400)
        store = self.state.joinme
        with self.state.lock:
            auth = store.auth_requests.pop(str(form.get("request", "")), None)
            if auth is None:
                return page(_LABEL, "This sign-in has expired",
                            "Start the sign-in again from the app.", status=400)
            extra = {"state": auth.state} if auth.state is not None else {}
            if form.get("decision") != "allow":
                return RedirectResponse(
                    with_query(auth.redirect_uri, {"error": "access_denied", **extra}), 302
                )
            if auth.renew_token is not None:
                token = store.tokens.get(auth.renew_token)
                if token is not None:
                    token.stale = False
                    grant = store.grants.get(token.grant or "")
                    if grant is not None:
                        grant.stale = False
                return RedirectResponse(
                    with_query(auth.redirect_uri, {"isAuthorizationRenewed": "true", **extra}),
                    302,
                )
            code = JoinMeCode(
                value=new_secret(24),
                client_id=auth.client_id,
                redirect_uri=auth.redirect_uri,
                scopes=auth.scopes,
                challenge=auth.challenge,
                expires=self.state.now() + dt.timedelta(seconds=store.code_ttl_seconds),
            )
            store.codes[code.value] = code
        return RedirectResponse(with_query(auth.redirect_uri, {"code": code.value, **extra}), 302)

    # ------------------------------------------------------------------ token

    async def token(self, request: Request) -> Response:
        """``POST /token``: authorization_code (with PKCE) and refresh_token grants."""
        try:
            body = await read_json_or_form(request)
        except BadBody as exc:
            return _oauth_error("invalid_request", str(exc))
        grant_type = body.get("grant_type")
        if grant_type == "authorization_code":
            return self._code_grant(body)
        if grant_type == "refresh_token":
            return self._refresh_grant(body)
        return _oauth_error("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")

    def _code_grant(self, body: dict[str, object]) -> Response:
        store = self.state.joinme
        with self.state.lock:
            now = self.state.now()
            code = store.codes.get(str(body.get("code", "")))
            if code is None or code.used or code.expires <= now:
                return _oauth_error("invalid_authorization_code",
                                    "The authorization code is invalid, used or expired")
            code.used = True  # one use, whatever happens next
            if body.get("client_id") != code.client_id:
                return _oauth_error("invalid_grant", "client_id does not match the code")
            if body.get("redirect_uri") != code.redirect_uri:
                return _oauth_error("invalid_grant", "redirect_uri does not match the code")
            verifier = str(body.get("code_verifier", ""))
            if code.challenge is not None and not (
                _VERIFIER.match(verifier)
                and hmac.compare_digest(s256(verifier), code.challenge)
            ):
                return _oauth_error("invalid_grant", "code_verifier does not match the challenge")
            grant = JoinMeGrant(new_secret(32), code.client_id, code.scopes)
            store.grants[grant.refresh_token] = grant
            return self._issue(grant, now)

    def _refresh_grant(self, body: dict[str, object]) -> Response:
        store = self.state.joinme
        with self.state.lock:
            grant = store.grants.get(str(body.get("refresh_token", "")))
            if grant is None or grant.stale or body.get("client_id") != grant.client_id:
                return _oauth_error("invalid_grant", "The refresh token is invalid or revoked")
            return self._issue(grant, self.state.now())

    def _issue(self, grant: JoinMeGrant, now: dt.datetime) -> Response:
        store = self.state.joinme
        ttl = store.token_ttl_seconds
        token = store.add_token(new_secret(24), now + dt.timedelta(seconds=ttl),
                                grant=grant.refresh_token)
        return JSONResponse(
            {
                "access_token": token.value,
                "refresh_token": grant.refresh_token,
                "token_type": "Bearer",
                "expires_in": ttl,
                "scope": " ".join(grant.scopes),
            },
            headers={"Cache-Control": "no-store"},
        )


def _oauth_error(error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=400)


__all__ = ["JoinMeAuth", "loopback_redirect", "s256", "with_query"]
