"""Demo accounts, seed data relative to "now", and bulk data."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from launcher.sandbox.demo import DemoAccount, bulk, demo_accounts, provider_urls
from launcher.sandbox.state import SandboxState, from_ms
from launcher.store.secrets import KINDS

NOW = dt.datetime(2031, 3, 4, 10, 7, 30, tzinfo=dt.UTC)


@pytest.fixture
def state() -> SandboxState:
    return SandboxState(clock=lambda: NOW, rng_seed=7)


def test_demo_accounts() -> None:
    accounts = demo_accounts("http://127.0.0.1:9999/")
    assert [a.provider for a in accounts] == ["bluejeans", "joinme", "whereby", "skype", "ics"]
    bluejeans, joinme, whereby, skype, calendar = accounts
    assert calendar.base_url == "http://127.0.0.1:9999/ics/demo.ics"
    assert calendar.secrets == {}
    assert bluejeans.base_url == "http://127.0.0.1:9999/bluejeans/rest"
    assert bluejeans.relay_url == "http://127.0.0.1:9999/bluejeans/relay/api"
    assert bluejeans.web_url == "http://127.0.0.1:9999/bluejeans/web"
    assert bluejeans.username == "demo@bluejeans.test"
    assert bluejeans.secrets == {"token": "demo-bluejeans-rest-token",
                                 "relay_token": "demo-relay-token"}  # no password kept
    assert joinme.secrets == {"token": "demo-joinme-token"}
    assert whereby.secrets == {"api_key": "demo-whereby-key"}
    assert skype.base_url == "http://127.0.0.1:9999/skype/autodiscover/root"
    assert skype.username == "demo@contoso.test"
    assert skype.secrets == {"password": "demo-skype-password"}
    assert joinme.relay_url is None
    for account in accounts:  # the secret-store kinds
        assert set(account.secrets) <= set(KINDS)


def test_demo_account_is_frozen_and_hides_secrets() -> None:
    account = demo_accounts("http://x")[0]
    assert "demo-bluejeans-password" not in repr(account)
    assert "secrets" not in repr(account)
    with pytest.raises(dataclasses.FrozenInstanceError):
        account.name = "other"  # type: ignore[misc]
    assert isinstance(hash(account), int)
    assert isinstance(account, DemoAccount)


def test_provider_urls() -> None:
    assert provider_urls("http://h:1")["whereby"] == "http://h:1/whereby/v1"


def test_seed_is_relative_to_now(state: SandboxState) -> None:
    starts = sorted(from_ms(m.start_ms) for m in state.bluejeans.meetings.values())
    assert starts[0] <= NOW + dt.timedelta(hours=1)  # something today
    assert any(dt.timedelta(days=1) <= s - NOW < dt.timedelta(days=2) for s in starts)
    assert any(dt.timedelta(days=7) <= s - NOW < dt.timedelta(days=9) for s in starts)
    joinme = sorted(m.start for m in state.joinme.meetings.values())
    assert len(joinme) >= 3
    assert joinme[0] - NOW < dt.timedelta(hours=2)
    assert joinme[-1] - NOW >= dt.timedelta(days=7)
    assert all(r.end > NOW for r in state.whereby.rooms.values())
    assert any(r.template_type == "viewerMode" for r in state.whereby.rooms.values())


def test_seed_has_every_skype_scenario(state: SandboxState) -> None:
    meetings = state.skype.meetings
    assert meetings["SUCCESS1"].behaviour == "success"
    assert meetings["LOBBY001"].behaviour == "lobby_admit"
    assert meetings["DENIED01"].behaviour == "lobby_deny"
    errors = {
        key: (m.error.status, m.error.code, m.error.subcode)
        for key, m in meetings.items()
        if m.error is not None
    }
    assert errors == {
        "NOTFOUND": (404, "NotFound", "DestinationNotFound"),
        "FORBID01": (403, "Forbidden", None),
        "CALLBACK": (500, "ServiceFailure", "CallbackChannelError"),
        "EXISTS01": (409, "Conflict", "AlreadyExists"),
        "GROUPS01": (409, "Conflict", "TooManyGroups"),
        "CONFLICT": (409, "Conflict", None),
        "REDIRECT": (410, "Gone", "CannotRedirect"),
    }
    assert (
        meetings["SUCCESS1"].uri == "sip:demo@contoso.test;gruu;opaque=app:conf:focus:id:SUCCESS1"
    )


def test_seed_bluejeans_passcode_meeting(state: SandboxState) -> None:
    meeting = state.bluejeans.meeting_by_numeric_id("9036439807")
    assert meeting is not None
    assert meeting.attendee_passcode == "1629"


@pytest.mark.parametrize("provider", ["bluejeans", "joinme", "whereby", "skype"])
def test_bulk_spreads_over_thirty_days(state: SandboxState, provider: str) -> None:
    sizes = {
        "bluejeans": lambda: len(state.bluejeans.meetings),
        "joinme": lambda: len(state.joinme.meetings),
        "whereby": lambda: len(state.whereby.rooms),
        "skype": lambda: len(state.skype.meetings),
    }
    before = sizes[provider]()
    assert state.bulk(provider, 300) == 300
    assert sizes[provider]() == before + 300
    if provider == "joinme":
        added = sorted(m.start for m in state.joinme.meetings.values())[-300:]
        assert added[0] >= NOW
        assert added[-1] - NOW > dt.timedelta(days=29)
        assert added[-1] - NOW <= dt.timedelta(days=30, hours=1)
    if provider == "bluejeans":
        numbers = [m.numeric_id for m in state.bluejeans.meetings.values()]
        assert len(numbers) == len(set(numbers))


def test_bulk_validation(state: SandboxState) -> None:
    with pytest.raises(ValueError, match="count"):
        bulk(state, "joinme", 0)
    with pytest.raises(ValueError, match="provider"):
        state.bulk("zoom", 1)
