"""join.me OAuth: PKCE, URLs, callback checks, token answers, and the client's silent refresh."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import urllib.parse
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from launcher.core.errors import AuthenticationRequired, ProtocolViolation, RateLimited
from launcher.core.models import Account, Credentials, Provider
from launcher.providers.http import HttpResponse
from launcher.providers.joinme import oauth
from launcher.providers.joinme.client import JoinMeClient
from launcher.providers.joinme.oauth import TokenSet

NOW = dt.datetime(2030, 5, 6, 7, 8, 9, tzinfo=dt.UTC)


def resp(status: int, body: Any = None, **headers: str) -> HttpResponse:
    raw = json.dumps(body).encode() if body is not None else b""
    return HttpResponse(status, {k.lower(): v for k, v in headers.items()}, raw)


def test_rfc7636_example_challenge() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    # RFC 7636, appendix B
    assert oauth.code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    with pytest.raises(ValueError, match="43-128"):
        oauth.code_challenge("short")


def test_new_verifiers_and_states_are_fresh_and_valid() -> None:
    verifiers = {oauth.new_verifier() for _ in range(20)}
    assert len(verifiers) == 20
    for v in verifiers:
        assert len(oauth.code_challenge(v)) == 43
    assert oauth.new_state() != oauth.new_state()


@pytest.mark.parametrize(
    ("api", "auth"),
    [
        ("https://api.join.me/v1", "https://secure.join.me/api/public/v1/auth"),
        ("https://api.join.me/v1/", "https://secure.join.me/api/public/v1/auth"),
        ("http://127.0.0.1:8765/joinme/v1", "http://127.0.0.1:8765/joinme/auth"),
        ("https://proxy.example.test/joinme", "https://proxy.example.test/joinme/auth"),
    ],
)
def test_auth_base_from_the_api_base(api: str, auth: str) -> None:
    assert oauth.auth_base(api) == auth


def test_authorize_url_carries_pkce_scopes_and_the_loopback_redirect() -> None:
    verifier = oauth.new_verifier()
    url = oauth.build_authorize_url(
        "https://secure.join.me/api/public/v1/auth",
        redirect_uri="http://127.0.0.1:50123/callback", state="s1", verifier=verifier,
    )
    parts = urllib.parse.urlsplit(url)
    assert parts.path == "/api/public/v1/auth/oauth2"
    query = dict(urllib.parse.parse_qsl(parts.query))
    assert query == {
        "response_type": "code", "client_id": oauth.CLIENT_ID,
        "scope": "user_info scheduler start_meeting",
        "redirect_uri": "http://127.0.0.1:50123/callback", "state": "s1",
        "code_challenge": oauth.code_challenge(verifier), "code_challenge_method": "S256",
    }
    assert verifier not in url
    assert "%20" in parts.query  # scopes space-delimited, encoded as %20


def test_renew_url() -> None:
    url = oauth.build_renew_authorization_url("https://a/auth", access_token="tok",
                                              redirect_uri="http://127.0.0.1:1/cb")
    assert url.startswith("https://a/auth/renewauthorization?client_id=meeting-launcher-desktop")
    assert "access_token=tok" in url


def test_callback_state_is_checked_before_anything_else() -> None:
    with pytest.raises(AuthenticationRequired) as caught:
        oauth.parse_callback({"code": "c", "state": "other"}, expected_state="mine")
    assert caught.value.code == "state_mismatch"
    with pytest.raises(AuthenticationRequired) as caught:
        oauth.parse_callback({"error": "access_denied"}, expected_state="mine")
    assert caught.value.code == "state_mismatch"
    with pytest.raises(AuthenticationRequired) as caught:
        oauth.parse_callback({"error": "access_denied", "state": "mine"}, expected_state="mine")
    assert caught.value.code == "access_denied" and "Allow" in str(caught.value)
    with pytest.raises(AuthenticationRequired, match="server_error"):
        oauth.parse_callback({"error": "server_error", "state": "mine"}, expected_state="mine")
    with pytest.raises(ProtocolViolation):
        oauth.parse_callback({"state": "mine"}, expected_state="mine")
    assert oauth.parse_callback({"code": "abc", "state": "mine"}, expected_state="mine") == "abc"


@given(st.dictionaries(st.text(max_size=20), st.text(max_size=50), max_size=6),
       st.text(max_size=30))
def test_callback_parser_never_crashes(query: dict[str, str], expected: str) -> None:
    try:
        code = oauth.parse_callback(query, expected_state=expected)
    except (AuthenticationRequired, ProtocolViolation):
        return
    assert code == query["code"] and query.get("state", "") == expected


def test_code_exchange_and_refresh_requests_are_form_posts_never_retried() -> None:
    exchange = oauth.build_code_exchange("https://a/auth", code="c", redirect_uri="r",
                                         verifier="v")
    assert exchange.method == "POST" and exchange.url == "https://a/auth/token"
    assert exchange.form == {"grant_type": "authorization_code", "client_id": oauth.CLIENT_ID,
                             "code": "c", "redirect_uri": "r", "code_verifier": "v"}
    assert not exchange.retryable and "client_secret" not in exchange.form
    refresh = oauth.build_refresh("https://a/auth", refresh_token="r1")
    assert refresh.form == {"grant_type": "refresh_token", "client_id": oauth.CLIENT_ID,
                            "refresh_token": "r1"}
    assert not refresh.retryable
    assert "r1" not in repr(refresh) and "code_verifier" not in repr(exchange)


def test_token_answers() -> None:
    tokens = oauth.parse_token(
        resp(200, {"access_token": "a1", "refresh_token": "r1", "expires_in": 3600}), now=NOW
    )
    assert tokens == TokenSet("a1", "r1", NOW + dt.timedelta(hours=1))
    assert "a1" not in repr(tokens) and "r1" not in repr(tokens)
    kept = oauth.parse_token(resp(200, {"access_token": "a2", "expires_in": "60"}), now=NOW,
                             previous_refresh="r1")
    assert kept == TokenSet("a2", "r1", NOW + dt.timedelta(seconds=60))
    unknown = oauth.parse_token(resp(200, {"access_token": "a3", "expires_in": -5}), now=NOW)
    assert unknown.expires_at is None and unknown.refresh_token is None
    for bad in ({"access_token": ""}, {"token": "x"}, ["a"], {"access_token": 5}):
        with pytest.raises(ProtocolViolation):
            oauth.parse_token(resp(200, bad), now=NOW)
    with pytest.raises(ProtocolViolation):
        oauth.parse_token(HttpResponse(200, {}, b"{oops"), now=NOW)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("invalid_authorization_code", "took too long or was already used"),
        ("invalid_grant", "expired or was revoked"),
        ("unauthorized_client", "unauthorized_client"),
        (None, "HTTP 400"),
    ],
)
def test_token_errors(error: str | None, words: str) -> None:
    body = {"error": error} if error else None
    with pytest.raises(AuthenticationRequired, match=words) as caught:
        oauth.parse_token(resp(400, body), now=NOW)
    assert caught.value.code == error


def test_token_endpoint_throttled_or_down() -> None:
    with pytest.raises(RateLimited):
        oauth.parse_token(resp(429, {}, **{"Retry-After": "2"}), now=NOW)
    with pytest.raises(ProtocolViolation):
        oauth.parse_token(resp(302), now=NOW)


# ---- the client's refresh ------------------------------------------------------------------


ACCOUNT = Account("jm", Provider.JOINME, "https://api.join.me/v1")


class FakeJoinMe:
    """join.me API + token endpoint: tokens valid until told otherwise."""

    def __init__(self) -> None:
        self.valid = {"old"}
        self.stale: set[str] = set()
        self.refreshes = 0
        self.refresh_ok = True
        self.paths: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        if request.url.path == "/api/public/v1/auth/token":
            form = dict(urllib.parse.parse_qsl(request.content.decode()))
            assert form["grant_type"] == "refresh_token" and form["refresh_token"] == "r1"
            self.refreshes += 1
            if not self.refresh_ok:
                return httpx.Response(400, json={"error": "invalid_grant"})
            new = f"new{self.refreshes}"
            self.valid.add(new)
            return httpx.Response(200, json={"access_token": new, "expires_in": 3600})
        token = request.headers["authorization"].removeprefix("Bearer ")
        if token in self.stale:
            return httpx.Response(401, json={"Message": "stale", "ErrorCode": "stale_token"})
        if token not in self.valid:
            return httpx.Response(401, json={"Message": "expired", "ErrorCode": "invalid_token"})
        return httpx.Response(200, json={"meetings": []})


def run_client(fake: FakeJoinMe, creds: Credentials, body: Any,
               saved: list[TokenSet] | None = None, now: dt.datetime = NOW) -> Any:
    async def save(tokens: TokenSet) -> None:
        if saved is not None:
            saved.append(tokens)

    async def go() -> Any:
        async with httpx.AsyncClient(transport=httpx.MockTransport(fake)) as http:
            client = JoinMeClient(http, ACCOUNT, creds, on_tokens=save, clock=lambda: now)
            return await body(client)

    return asyncio.run(go())


CREDS = Credentials(token="old", refresh_token="r1", token_expires=NOW + dt.timedelta(hours=1))


def test_an_expired_token_is_refreshed_once_and_the_request_retried() -> None:
    fake = FakeJoinMe()
    fake.valid.clear()
    saved: list[TokenSet] = []
    assert run_client(fake, CREDS, lambda c: c.list_meetings(), saved) == []
    assert fake.paths == ["/v1/meetings", "/api/public/v1/auth/token", "/v1/meetings"]
    assert saved == [TokenSet("new1", "r1", NOW + dt.timedelta(hours=1))]


def test_concurrent_requests_share_one_refresh() -> None:
    fake = FakeJoinMe()
    fake.valid.clear()

    async def body(client: JoinMeClient) -> None:
        await asyncio.gather(*(client.list_meetings() for _ in range(5)))

    run_client(fake, CREDS, body)
    assert fake.refreshes == 1


def test_a_token_at_the_end_of_its_life_is_renewed_before_use() -> None:
    fake = FakeJoinMe()
    creds = Credentials(token="old", refresh_token="r1",
                        token_expires=NOW + dt.timedelta(seconds=30))
    run_client(fake, creds, lambda c: c.list_meetings())
    assert fake.paths == ["/api/public/v1/auth/token", "/v1/meetings"]


def test_a_refused_refresh_means_sign_in_needed_and_is_not_repeated() -> None:
    fake = FakeJoinMe()
    fake.valid.clear()
    fake.refresh_ok = False

    async def body(client: JoinMeClient) -> None:
        for _ in range(2):
            with pytest.raises(AuthenticationRequired, match=r"sign in to join\.me again"):
                await client.list_meetings()

    run_client(fake, CREDS, body)
    assert fake.refreshes == 1


def test_stale_token_is_not_refreshed() -> None:
    fake = FakeJoinMe()
    fake.stale.add("old")
    with pytest.raises(AuthenticationRequired) as caught:
        run_client(fake, CREDS, lambda c: c.list_meetings())
    assert caught.value.code == "stale_token" and "renewed" in str(caught.value)
    assert fake.refreshes == 0


def test_without_a_refresh_token_a_401_is_reported() -> None:
    fake = FakeJoinMe()
    fake.valid.clear()
    with pytest.raises(AuthenticationRequired):
        run_client(fake, Credentials(token="old"), lambda c: c.list_meetings())
    assert fake.refreshes == 0


def test_bad_input_is_refused_before_a_refresh() -> None:
    fake = FakeJoinMe()
    creds = Credentials(token="old", refresh_token="r1", token_expires=NOW)
    with pytest.raises(Exception, match="meeting"):
        run_client(fake, creds, lambda c: c.get_meeting("not a number"))
    assert fake.paths == []


def test_a_failing_saver_does_not_break_the_request(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeJoinMe()
    fake.valid.clear()

    async def body(client: JoinMeClient) -> Any:
        async def broken(tokens: TokenSet) -> None:
            raise OSError("disk full")

        client._on_tokens = broken
        return await client.list_meetings()

    assert run_client(fake, CREDS, body) == []
    assert "could not be saved" in caplog.text and "new1" not in caplog.text
