"""The sandbox's join.me OAuth over real loopback: consent, PKCE code grant, refresh, renew."""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from collections.abc import Iterator

import httpx
import pytest

from launcher.sandbox.joinme_auth import s256
from launcher.sandbox.server import RunningSandbox, start_in_thread

CLIENT = "meeting-launcher-desktop"
REDIRECT = "http://127.0.0.1:45678/callback"
VERIFIER = "v" * 43 + "-._~" + "x" * 20


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_in_thread() as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(sandbox: RunningSandbox) -> Iterator[None]:
    yield
    state = sandbox.state
    state.clear_faults()
    state.set_clock(None)
    state.joinme.token_ttl_seconds = 3600


@pytest.fixture
def web(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{sandbox.base_url}/joinme", timeout=5) as client:
        yield client


def authorize_params(**over: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": CLIENT,
        "scope": "user_info scheduler start_meeting",
        "redirect_uri": REDIRECT,
        "state": "st-123",
        "code_challenge": s256(VERIFIER),
        "code_challenge_method": "S256",
    }
    params.update(over)
    return {k: v for k, v in params.items() if v != "<drop>"}


def consent(web: httpx.Client, **over: str) -> str:
    page = web.get("/auth/oauth2", params=authorize_params(**over))
    assert page.status_code == 200, page.text
    found = re.search(r"name='request' value='([^']+)'", page.text)
    assert found is not None
    return found.group(1)


def decide(web: httpx.Client, request_id: str, decision: str = "allow") -> dict[str, str]:
    answer = web.post("/auth/oauth2/decision", data={"request": request_id, "decision": decision})
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def code_for(web: httpx.Client) -> str:
    back = decide(web, consent(web))
    assert back["state"] == "st-123"
    return back["code"]


def exchange(web: httpx.Client, code: str, **over: str) -> httpx.Response:
    form = {"grant_type": "authorization_code", "client_id": CLIENT, "code": code,
            "redirect_uri": REDIRECT, "code_verifier": VERIFIER}
    form.update(over)
    return web.post("/auth/token", data=form)


def user(sandbox: RunningSandbox, token: str) -> httpx.Response:
    return httpx.get(f"{sandbox.base_url}/joinme/v1/user",
                     headers={"Authorization": f"Bearer {token}"}, timeout=5)


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"response_type": "token"}, "response_type"),
        ({"client_id": "someone-else"}, "client_id"),
        ({"redirect_uri": "https://evil.example/callback"}, "redirect_uri"),
        ({"redirect_uri": "<drop>"}, "redirect_uri"),
        ({"scope": "everything"}, "scope"),
        ({"code_challenge_method": "plain"}, "code_challenge_method"),
        ({"code_challenge": "<drop>"}, "code_challenge"),
        ({"code_challenge": "short"}, "code_challenge"),
    ],
)
def test_bad_authorize_parameters_get_an_error_page_before_sign_in(
    sandbox: RunningSandbox, web: httpx.Client, override: dict[str, str], complaint: str
) -> None:
    before = len(sandbox.state.joinme.auth_requests)
    page = web.get("/auth/oauth2", params=authorize_params(**override))
    assert page.status_code == 400
    assert "text/html" in page.headers["content-type"]
    assert complaint in page.text and "Allow" not in page.text
    assert len(sandbox.state.joinme.auth_requests) == before


def test_code_grant_with_pkce_gives_tokens_that_work(
    sandbox: RunningSandbox, web: httpx.Client
) -> None:
    page = web.get("/auth/oauth2", params=authorize_params())
    assert "Allow" in page.text and "Deny" in page.text and "demo@joinme.test" in page.text
    tokens = exchange(web, code_for(web))
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["scope"] == "user_info scheduler start_meeting"
    assert user(sandbox, body["access_token"]).json()["email"] == "demo@joinme.test"


def test_a_code_works_once(web: httpx.Client) -> None:
    code = code_for(web)
    assert exchange(web, code).status_code == 200
    again = exchange(web, code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_authorization_code"


def test_a_wrong_verifier_is_refused_and_spends_the_code(web: httpx.Client) -> None:
    code = code_for(web)
    wrong = exchange(web, code, code_verifier="w" * 60)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert exchange(web, code).json()["error"] == "invalid_authorization_code"


@pytest.mark.parametrize("field", ["redirect_uri", "client_id"])
def test_the_code_is_bound_to_client_and_redirect(web: httpx.Client, field: str) -> None:
    other = {"redirect_uri": "http://127.0.0.1:1/other", "client_id": "meeting-launcher-x"}
    answer = exchange(web, code_for(web), **{field: other[field]})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_an_expired_code_is_refused(sandbox: RunningSandbox, web: httpx.Client) -> None:
    code = code_for(web)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=61)
    sandbox.state.set_clock(lambda: later)
    assert exchange(web, code).json()["error"] == "invalid_authorization_code"


def test_deny_redirects_with_access_denied_and_the_state(web: httpx.Client) -> None:
    back = decide(web, consent(web), "deny")
    assert back == {"error": "access_denied", "state": "st-123"}


def test_a_consent_answers_once(web: httpx.Client) -> None:
    request_id = consent(web)
    decide(web, request_id)
    again = web.post("/auth/oauth2/decision", data={"request": request_id, "decision": "allow"})
    assert again.status_code == 400 and "expired" in again.text


def test_refresh_token_grant_and_the_expire_knob(
    sandbox: RunningSandbox, web: httpx.Client
) -> None:
    first = exchange(web, code_for(web)).json()
    control = httpx.post(f"{sandbox.base_url}/_sandbox/auth/joinme",
                         json={"expire_tokens": True, "token_ttl": 120}, timeout=5)
    assert control.status_code == 200, control.text
    expired = user(sandbox, first["access_token"])
    assert expired.status_code == 401
    assert expired.json()["ErrorCode"] == "invalid_token" and "expired" in expired.text
    renewed = web.post("/auth/token", data={"grant_type": "refresh_token", "client_id": CLIENT,
                                            "refresh_token": first["refresh_token"]})
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["expires_in"] == 120
    assert renewed.json()["refresh_token"] == first["refresh_token"]
    assert user(sandbox, renewed.json()["access_token"]).status_code == 200
    unknown = web.post("/auth/token", json={"grant_type": "refresh_token", "client_id": CLIENT,
                                            "refresh_token": "nope"})
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_grant"
    assert web.post("/auth/token", data={"grant_type": "password"}).json()["error"] == (
        "unsupported_grant_type")


def test_stale_authorization_and_renewal(sandbox: RunningSandbox, web: httpx.Client) -> None:
    tokens = exchange(web, code_for(web)).json()
    answer = httpx.post(f"{sandbox.base_url}/_sandbox/auth/joinme", json={"stale_tokens": True},
                        timeout=5)
    assert answer.status_code == 200
    stale = user(sandbox, tokens["access_token"])
    assert stale.status_code == 401 and stale.json()["ErrorCode"] == "stale_token"
    refresh = web.post("/auth/token", data={"grant_type": "refresh_token", "client_id": CLIENT,
                                            "refresh_token": tokens["refresh_token"]})
    assert refresh.json()["error"] == "invalid_grant"
    bad = web.get("/auth/renewauthorization",
                  params={"client_id": CLIENT, "access_token": "unknown", "redirect_uri": REDIRECT})
    assert bad.status_code == 400
    page = web.get("/auth/renewauthorization", params={
        "client_id": CLIENT, "access_token": tokens["access_token"], "redirect_uri": REDIRECT})
    assert page.status_code == 200 and "approve its access again" in page.text
    request_id = re.search(r"name='request' value='([^']+)'", page.text)
    assert request_id is not None
    assert decide(web, request_id.group(1)) == {"isAuthorizationRenewed": "true"}
    assert user(sandbox, tokens["access_token"]).status_code == 200


@pytest.mark.parametrize(
    ("provider", "body"),
    [
        ("joinme", {"drop_applications": True}),
        ("whereby", {"token_ttl": 5}),
        ("joinme", {"token_ttl": 0}),
        ("joinme", {"token_ttl": True}),
        ("nobody", {"expire_tokens": True}),
    ],
)
def test_the_control_api_refuses_knobs_a_provider_lacks(
    sandbox: RunningSandbox, provider: str, body: dict[str, object]
) -> None:
    answer = httpx.post(f"{sandbox.base_url}/_sandbox/auth/{provider}", json=body, timeout=5)
    assert answer.status_code in (400, 404), answer.text
    assert sandbox.state.joinme.token_ttl_seconds == 3600
