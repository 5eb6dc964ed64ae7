"""The account form's rules, and the parsers sign-in relies on, under arbitrary input."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from launcher.core.errors import InvalidInput, LauncherError
from launcher.core.models import API_PROVIDERS, Provider
from launcher.providers.http import HttpResponse
from launcher.providers.joinme import oauth
from launcher.services.accounts import AccountForm, build_account

TEXT = st.one_of(st.none(), st.text(max_size=80))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                 max_size=4),
    max_leaves=12,
)


@given(
    provider=st.sampled_from(API_PROVIDERS),
    name=st.text(max_size=70),
    values=st.fixed_dictionaries({
        key: TEXT for key in ("base_url", "relay_url", "web_url", "discovery_url", "username",
                              "client_id", "token", "api_key", "password", "client_secret",
                              "relay_token")
    }),
)
def test_build_account_raises_only_invalid_input(
    provider: Provider, name: str, values: dict[str, str | None]
) -> None:
    form = AccountForm(provider, name, **values)
    error: InvalidInput | None = None
    try:
        account, given = build_account(form)
    except InvalidInput as exc:
        error = exc
    if error is not None:
        assert error.field in {"name", *values}
        for secret in ("token", "api_key", "password", "client_secret", "relay_token"):
            value = values[secret]
            if value and len(value) >= 4:
                assert value not in str(error)
        return
    assert account.provider is provider and account.name == name.strip()
    assert account.base_url.startswith(("http://", "https://"))
    assert "password" not in repr(account)
    for kind, value in given.items():
        assert value and "\n" not in value and kind in values


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (AccountForm(Provider.JOINME, "J", api_key="k"), "api_key"),
        (AccountForm(Provider.WHEREBY, "W", api_key="k", password="p"), "password"),
        (AccountForm(Provider.BLUEJEANS, "B", username="u", password="p",
                     client_id="c", client_secret="s"), "password"),
        (AccountForm(Provider.BLUEJEANS, "B", password="p"), "username"),
        (AccountForm(Provider.BLUEJEANS, "B"), "username"),
        (AccountForm(Provider.SKYPE, "S", discovery_url="https://x", username="a@b.c",
                     password="p", base_url="https://y"), "base_url"),
        (AccountForm(Provider.WHEREBY, "W", api_key="k" * 5000), "api_key"),
    ],
)
def test_form_rules(form: AccountForm, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        build_account(form)
    assert caught.value.field == field


def test_what_each_provider_passes_on() -> None:
    _, given = build_account(AccountForm(Provider.BLUEJEANS, "B", relay_token=" r1 "))
    assert given == {"relay_token": "r1"}
    _, given = build_account(AccountForm(Provider.BLUEJEANS, "B", username="a@b.test",
                                         client_id="c", client_secret="s"))
    assert given == {"client_id": "c", "client_secret": "s"}
    _, given = build_account(AccountForm(Provider.SKYPE, "S", discovery_url="https://x",
                                         username="a@b.test", password=" pw "))
    assert given == {"password": " pw "}  # passwords are taken as typed


@given(body=JSON, status=st.sampled_from([200, 400, 401, 403, 429, 500, 502]))
def test_token_parser_never_crashes(body: object, status: int) -> None:
    resp = HttpResponse(status, {}, json.dumps(body).encode())
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    try:
        tokens = oauth.parse_token(resp, now=now)
    except LauncherError:
        return
    assert status == 200 and tokens.access_token
    assert tokens.expires_at is None or tokens.expires_at > now
