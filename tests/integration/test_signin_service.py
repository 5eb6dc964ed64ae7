"""The sign-in service end to end: every provider's real flow against the sandbox over loopback.

The join.me "browser" (tests/browser.py) fetches the consent page, presses Allow and
follows the redirect to the service's loopback listener, all over real sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from launcher.core.errors import (
    AuthenticationRequired,
    ConfigError,
    InvalidInput,
    ProviderUnavailable,
)
from launcher.core.models import Meeting, Provider
from launcher.providers.bluejeans.client import BlueJeansClient
from launcher.providers.joinme.client import JoinMeClient
from launcher.providers.skype.client import SkypeClient
from launcher.sandbox.server import RunningSandbox, start_in_thread
from launcher.services.accounts import AccountForm
from launcher.services.context import Context
from launcher.services.signin import SignInInput, SignInService
from launcher.services.sync import SyncService, SyncState
from launcher.store.accounts import AccountStore
from launcher.store.cache import CachedAccount, MeetingCache
from launcher.store.db import open_database
from launcher.store.paths import Paths
from launcher.store.secrets import SecretStore
from tests.browser import FakeBrowser

pytestmark = pytest.mark.end2end


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_in_thread() as running:
        yield running


@pytest.fixture(autouse=True)
def _restore(sandbox: RunningSandbox) -> Iterator[None]:
    # The relay's 2 requests/s limit and the client's pacing are tested on their own
    # (test_fault_matrix.py); here the sign-ins of one module must not meet each other's.
    sandbox.state.bluejeans.relay_rate_limit = False
    yield
    state = sandbox.state
    state.clear_faults()
    state.set_clock(None)
    state.joinme.token_ttl_seconds = 3600
    state.bluejeans.token_ttl_seconds = 1_209_600
    state.skype.token_ttl_seconds = 28_800
    state.whereby.api_keys.add("demo-whereby-key")
    state.joinme.add_token("demo-joinme-token")  # un-expired, not stale
    state.skype.users["demo@contoso.test"].password = "demo-skype-password"


@dataclasses.dataclass
class Env:
    ctx: Context
    service: SignInService
    browser: FakeBrowser
    cache: MeetingCache
    base: str
    secrets_file: Path

    def secrets(self, name: str) -> dict[str, str]:
        return self.ctx.secrets.all_secrets(name)

    def names(self) -> list[str]:
        return [a.name for a in self.ctx.accounts.load()]

    def stored_text(self) -> str:
        return self.secrets_file.read_text() if self.secrets_file.exists() else ""


@contextlib.asynccontextmanager
async def env(
    tmp_path: Path, sandbox: RunningSandbox, browser: FakeBrowser | None = None,
    *, oauth_timeout: float = 20.0,
) -> AsyncIterator[Env]:
    paths = Paths.under(tmp_path / "home").ensure()
    secrets = SecretStore(paths.secrets_file, backend="file")
    http = httpx.AsyncClient(timeout=10)
    db = open_database(paths)
    ctx = Context(paths, AccountStore(db), secrets, http)
    cache = MeetingCache(db)
    browser = browser or FakeBrowser()
    service = SignInService(ctx, browser=browser, oauth_timeout=oauth_timeout)
    try:
        yield Env(ctx, service, browser, cache, sandbox.base_url, paths.secrets_file)
    finally:
        await browser.aclose()
        await ctx.aclose()
        db.close()


def joinme_form(base: str, name: str = "JM", **kw: str) -> AccountForm:
    return AccountForm(Provider.JOINME, name, base_url=f"{base}/joinme/v1",
                       web_url=f"{base}/joinme/web", **kw)


def bluejeans_form(base: str, name: str = "BJ", **kw: str) -> AccountForm:
    return AccountForm(Provider.BLUEJEANS, name, base_url=f"{base}/bluejeans/rest",
                       relay_url=f"{base}/bluejeans/relay/api", web_url=f"{base}/bluejeans/web",
                       **kw)


def skype_form(base: str, password: str = "demo-skype-password") -> AccountForm:
    return AccountForm(Provider.SKYPE, "SfB", discovery_url=f"{base}/skype/autodiscover/root",
                       web_url=f"{base}/skype/meet", username="demo@contoso.test",
                       password=password)


def port_of(redirect: str) -> int:
    return int(redirect.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


def port_closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


async def listed(e: Env, name: str) -> list[Meeting]:
    client = e.ctx.client_for(e.ctx.accounts.get(name))
    assert isinstance(client, JoinMeClient | BlueJeansClient | SkypeClient)
    return await client.list_meetings()


# ---- join.me -----------------------------------------------------------------------------


async def test_joinme_browser_sign_in_keeps_tokens_and_expiry(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    async with env(tmp_path, sandbox) as e:
        account = await e.service.add(joinme_form(e.base))
        assert account.username == "demo@joinme.test"  # read from the profile
        stored = e.secrets("JM")
        assert set(stored) == {"token", "refresh_token", "token_expires"}
        expires = dt.datetime.fromisoformat(stored["token_expires"])
        assert 3500 < (expires - dt.datetime.now(dt.UTC)).total_seconds() <= 3600
        # The browser went to the consent page with PKCE and a loopback redirect ...
        (url,) = e.browser.opened
        assert url.startswith(f"{e.base}/joinme/auth/oauth2?")
        assert "code_challenge_method=S256" in url
        assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in url
        # ... and its tab was told the sign-in worked.
        await asyncio.wait_for(e.browser.finished.wait(), 5)
        (visit,) = e.browser.visits
        assert visit.status == 200 and "Signed in to join.me" in visit.text
        assert port_closed(port_of(e.browser.redirects[0]))
        assert await listed(e, "JM")
        db_path = e.ctx.accounts.database.path
        stored = b"".join(q.read_bytes() for q in db_path.parent.glob(db_path.name + "*"))
        tokens = {v for k, v in e.ctx.secrets.all_secrets("JM").items() if "token" in k}
        assert tokens and not any(t.encode() in stored for t in tokens)


async def test_state_mismatch_exchanges_nothing_and_saves_nothing(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    async with env(tmp_path, sandbox, FakeBrowser(tamper_state=True)) as e:
        with pytest.raises(AuthenticationRequired) as caught:
            await e.service.add(joinme_form(e.base))
        assert caught.value.code == "state_mismatch"
        assert "state" in str(caught.value) and "nothing was saved" in str(caught.value)
        await asyncio.wait_for(e.browser.finished.wait(), 5)
        assert e.browser.visits[0].status == 400
        assert "Sign-in failed" in e.browser.visits[0].text
        code = e.browser.redirects[0].split("code=")[1].split("&")[0]
        assert sandbox.state.joinme.codes[code].used is False  # never exchanged
        assert e.names() == [] and e.stored_text() in ("", "{}")


async def test_deny_in_the_browser_saves_nothing(tmp_path: Path, sandbox: RunningSandbox) -> None:
    async with env(tmp_path, sandbox, FakeBrowser(decision="deny")) as e:
        with pytest.raises(AuthenticationRequired, match="Allow") as caught:
            await e.service.add(joinme_form(e.base))
        assert caught.value.code == "access_denied"
        assert e.names() == []


async def test_no_answer_times_out_and_closes_the_port(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    async with env(tmp_path, sandbox, FakeBrowser(decision=None), oauth_timeout=0.5) as e:
        with pytest.raises(AuthenticationRequired, match="no answer came from the browser") as c:
            await e.service.add(joinme_form(e.base))
        assert c.value.code == "timeout"
        assert e.names() == []
        url = e.browser.opened[0]
        redirect = httpx.URL(url).params["redirect_uri"]
        assert port_closed(port_of(redirect))


async def test_cancelling_the_sign_in_saves_nothing_and_closes_the_port(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    async with env(tmp_path, sandbox, FakeBrowser(decision=None)) as e:
        task = asyncio.get_running_loop().create_task(e.service.add(joinme_form(e.base)))
        await asyncio.wait_for(e.browser.consent_shown.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        redirect = httpx.URL(e.browser.opened[0]).params["redirect_uri"]
        assert port_closed(port_of(redirect))
        assert e.names() == []


async def test_an_expired_token_is_refreshed_silently_and_kept(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    async with env(tmp_path, sandbox) as e:
        await e.service.add(joinme_form(e.base))
        before = e.secrets("JM")
        sandbox.state.auth_knobs("joinme", {"expire_tokens": True})
        assert await listed(e, "JM")  # a 401 invalid_token, one refresh, the retry
        after = e.secrets("JM")
        assert after["token"] != before["token"]
        assert after["refresh_token"] == before["refresh_token"]
        assert after["token_expires"] >= before["token_expires"]


async def test_a_token_past_its_expiry_is_renewed_before_use(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    async with env(tmp_path, sandbox) as e:
        await e.service.add(joinme_form(e.base))
        stored = e.secrets("JM")
        stored["token_expires"] = "2001-01-01T00:00:00+00:00"
        e.ctx.secrets.replace_account("JM", stored)
        sandbox.state.reset_stats()
        assert await listed(e, "JM")
        assert sandbox.state.stats()["requests"]["joinme"] == 2  # refresh, then the list
        assert e.secrets("JM")["token"] != stored["token"]


async def test_stale_token_needs_sign_in_and_sign_in_again_fixes_it(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    async with env(tmp_path, sandbox) as e:
        await e.service.add(joinme_form(e.base))
        old = e.secrets("JM")
        sandbox.state.auth_knobs("joinme", {"stale_tokens": True})
        sync = SyncService(e.ctx, e.cache)
        await sync.refresh(e.ctx.accounts.load())
        status = sync.statuses["JM"]
        assert status.state is SyncState.SIGN_IN_NEEDED
        assert "renewed" in status.message and "sign in to join.me again" in status.message
        with pytest.raises(AuthenticationRequired) as caught:
            await listed(e, "JM")
        assert caught.value.code == "stale_token"
        assert e.secrets("JM") == old  # a stale authorization is not "refreshed"

        await e.service.sign_in_again("JM")
        assert e.secrets("JM")["token"] != old["token"]
        await sync.refresh(e.ctx.accounts.load())
        assert sync.statuses["JM"].state is SyncState.UP_TO_DATE


async def test_a_token_given_by_hand_is_checked(tmp_path: Path, sandbox: RunningSandbox) -> None:
    async with env(tmp_path, sandbox) as e:
        with pytest.raises(InvalidInput) as caught:
            await e.service.add(joinme_form(e.base, token="not-a-token"))
        assert caught.value.field == "token" and e.names() == []
        await e.service.add(joinme_form(e.base, token="demo-joinme-token"))
        assert e.secrets("JM") == {"token": "demo-joinme-token"}
        assert e.browser.opened == []


# ---- Whereby ------------------------------------------------------------------------------


async def test_whereby_key_is_checked_before_it_is_saved(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    async with env(tmp_path, sandbox) as e:
        def form(key: str, base: str = f"{e.base}/whereby/v1") -> AccountForm:
            return AccountForm(Provider.WHEREBY, "WB", base_url=base, api_key=key)

        sandbox.state.reset_stats()
        with pytest.raises(InvalidInput) as caught:
            await e.service.add(form("wrong-key"))
        assert caught.value.field == "api_key" and "Configure" in caught.value.reason
        assert sandbox.state.stats()["requests"]["whereby"] == 1  # one cheap request
        with pytest.raises(ProviderUnavailable, match="nothing was saved"):
            await e.service.add(form("demo-whereby-key", base="http://127.0.0.1:9/v1"))
        sandbox.state.set_fault("whereby", _fault(503))
        with pytest.raises(ProviderUnavailable, match="nothing was saved"):
            await e.service.add(form("demo-whereby-key"))
        sandbox.state.clear_faults()
        assert e.names() == [] and "demo-whereby-key" not in e.stored_text()
        await e.service.add(form("demo-whereby-key"))
        assert e.secrets("WB") == {"api_key": "demo-whereby-key"}


def _fault(status: int) -> object:
    from launcher.sandbox.state import Fault

    return Fault("status", status=status)


# ---- BlueJeans ----------------------------------------------------------------------------


async def test_bluejeans_password_sign_in_keeps_tokens_not_the_password(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    async with env(tmp_path, sandbox) as e:
        with pytest.raises(InvalidInput) as caught:
            await e.service.add(bluejeans_form(e.base, username="demo@bluejeans.test",
                                               password="wrong"))
        assert caught.value.field == "password" and e.names() == []
        await e.service.add(bluejeans_form(e.base, username="demo@bluejeans.test",
                                           password="demo-bluejeans-password"))
        stored = e.secrets("BJ")
        assert set(stored) == {"token", "token_expires", "relay_token"}
        assert "demo-bluejeans-password" not in e.stored_text()
        assert stored["relay_token"] in sandbox.state.bluejeans.relay_tokens
        meetings = await listed(e, "BJ")  # a new client: the kept token, its owner by tokenInfo
        assert any(m.number == "9036439807" for m in meetings)
        client = e.ctx.client_for(e.ctx.accounts.get("BJ"))
        assert isinstance(client, BlueJeansClient)
        assert await client.precheck("184405040") == "JOIN_NOW"  # the relay knows the user


async def test_bluejeans_expired_token_needs_sign_in_then_the_password_again(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    async with env(tmp_path, sandbox) as e:
        await e.service.add(bluejeans_form(e.base, username="demo@bluejeans.test",
                                           password="demo-bluejeans-password"))
        sandbox.state.auth_knobs("bluejeans", {"expire_tokens": True})
        sync = SyncService(e.ctx, e.cache)
        await sync.refresh(e.ctx.accounts.load())
        assert sync.statuses["BJ"].state is SyncState.SIGN_IN_NEEDED
        assert e.service.needs(e.ctx.accounts.get("BJ")) == ("password",)
        with pytest.raises(InvalidInput) as caught:
            await e.service.sign_in_again("BJ")
        assert caught.value.field == "password"
        with pytest.raises(InvalidInput):
            await e.service.sign_in_again("BJ", SignInInput(password="wrong"))
        await e.service.sign_in_again("BJ", SignInInput(password="demo-bluejeans-password"))
        await sync.refresh(e.ctx.accounts.load())
        assert sync.statuses["BJ"].state is SyncState.UP_TO_DATE
        assert "password" not in e.secrets("BJ")


async def test_bluejeans_token_past_its_expiry_is_not_sent(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    async with env(tmp_path, sandbox) as e:
        await e.service.add(bluejeans_form(e.base, username="demo@bluejeans.test",
                                           password="demo-bluejeans-password"))
        stored = e.secrets("BJ")
        e.ctx.secrets.replace_account("BJ", {**stored, "token_expires": "2001-01-01T00:00:00Z"})
        sandbox.state.reset_stats()
        with pytest.raises(AuthenticationRequired, match="sign-in needed"):
            await listed(e, "BJ")
        assert sandbox.state.stats()["requests"]["bluejeans"] == 0


async def test_bluejeans_client_credentials_renew_by_themselves(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    async with env(tmp_path, sandbox) as e:
        with pytest.raises(InvalidInput) as caught:
            await e.service.add(bluejeans_form(e.base, username="demo@bluejeans.test",
                                               client_id="demo-client", client_secret="nope"))
        assert caught.value.field == "client_secret"
        await e.service.add(bluejeans_form(e.base, username="demo@bluejeans.test",
                                           client_id="demo-client",
                                           client_secret="demo-client-secret"))
        stored = e.secrets("BJ")
        assert set(stored) == {"client_id", "client_secret", "token", "token_expires"}
        sandbox.state.auth_knobs("bluejeans", {"expire_tokens": True})
        assert await listed(e, "BJ")  # the kept token is dead: a new grant, no sign-in
        assert e.secrets("BJ")["token"] != stored["token"]
        assert e.service.needs(e.ctx.accounts.get("BJ")) == ()
        await e.service.sign_in_again("BJ")  # re-runs the grant with the kept secret


# ---- Skype for Business -------------------------------------------------------------------


async def test_skype_sign_in_keeps_the_password(tmp_path: Path, sandbox: RunningSandbox) -> None:
    async with env(tmp_path, sandbox) as e:
        with pytest.raises(InvalidInput) as caught:
            await e.service.add(skype_form(e.base, password="wrong"))
        assert caught.value.field == "password" and e.names() == []
        with pytest.raises(ProviderUnavailable, match="nothing was saved"):
            await e.service.add(dataclasses.replace(
                skype_form(e.base), discovery_url="http://127.0.0.1:9/autodiscover"))
        await e.service.add(skype_form(e.base))
        assert e.secrets("SfB") == {"password": "demo-skype-password"}
        sandbox.state.skype.users["demo@contoso.test"].password = "changed-password"
        sandbox.state.auth_knobs("skype", {"expire_tokens": True})
        sync = SyncService(e.ctx, e.cache)
        await sync.refresh(e.ctx.accounts.load())
        assert sync.statuses["SfB"].state is SyncState.SIGN_IN_NEEDED
        await e.service.sign_in_again("SfB", SignInInput(password="changed-password"))
        await sync.refresh(e.ctx.accounts.load())
        assert sync.statuses["SfB"].state is SyncState.UP_TO_DATE


class Clocks:
    """The sandbox's wall clock and the client's monotonic clock, moved together."""

    def __init__(self) -> None:
        self.start = dt.datetime.now(dt.UTC)
        self.elapsed = 0.0

    def wall(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return 1000.0 + self.elapsed


async def test_skype_ticket_is_renewed_before_its_8_hours_run_out(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    clocks = Clocks()
    sandbox.state.set_clock(clocks.wall)
    store = sandbox.state.skype
    account_form = skype_form(sandbox.base_url)
    async with env(tmp_path, sandbox) as e:
        account = await e.service.add(account_form)
        grants = len(store.tokens)
        creds = e.ctx.secrets.credentials("SfB", "demo@contoso.test")
        client = SkypeClient(e.ctx.http, account, creds, clock=clocks.monotonic)
        assert await client.list_meetings()
        assert len(store.tokens) == grants + 1
        clocks.elapsed = 7 * 3600  # an hour left: nothing to do
        assert await client.list_meetings()
        assert len(store.tokens) == grants + 1
        clocks.elapsed = 8 * 3600 - 240  # four minutes left: renewed before use
        assert await client.list_meetings()
        assert len(store.tokens) == grants + 2
        clocks.elapsed = 8 * 3600 + 60  # the first ticket is dead now; the new one works
        assert await client.list_meetings()
        assert len(store.tokens) == grants + 2


async def test_skype_application_dropped_by_the_server_is_recreated_silently(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    async with env(tmp_path, sandbox) as e:
        await e.service.add(skype_form(e.base))
        first = await listed(e, "SfB")
        created = sandbox.state.skype.next_application_id
        answer = await e.ctx.http.post(f"{e.base}/_sandbox/auth/skype",
                                       json={"drop_applications": True})
        assert answer.status_code == 200
        assert sandbox.state.skype.applications == {}
        again = await listed(e, "SfB")
        assert [m.id for m in again] == [m.id for m in first]
        assert sandbox.state.skype.next_application_id == created + 1


# ---- edit, remove, bad input ---------------------------------------------------------------


async def test_rename_moves_secrets_and_cached_meetings(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    async with env(tmp_path, sandbox) as e:
        await e.service.add(joinme_form(e.base, token="demo-joinme-token"))
        await e.service.add(joinme_form(e.base, name="Other", token="demo-joinme-token"))
        meetings = await listed(e, "JM")
        e.cache.save({"JM": CachedAccount(tuple(meetings), dt.datetime.now(dt.UTC))})
        with pytest.raises(InvalidInput) as taken:
            e.service.edit("JM", name="Other")
        assert taken.value.field == "name"
        with pytest.raises(InvalidInput) as bad:
            e.service.edit("JM", base_url="ftp://x")
        assert bad.value.field == "base_url"
        with pytest.raises(ConfigError):
            e.service.edit("Nobody", name="X")
        renamed = e.service.edit("JM", name="Work join.me", base_url=f"{e.base}/joinme/v1/")
        assert renamed.base_url == f"{e.base}/joinme/v1"
        assert e.names() == ["Work join.me", "Other"]
        assert e.secrets("Work join.me") == {"token": "demo-joinme-token"}
        assert e.secrets("JM") == {}
        cached = e.cache.load()
        assert set(cached) == {"Work join.me"}
        assert {m.account for m in cached["Work join.me"].meetings} == {"Work join.me"}
        assert await listed(e, "Work join.me")


async def test_remove_takes_secrets_and_cached_meetings(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    async with env(tmp_path, sandbox) as e:
        await e.service.add(joinme_form(e.base, token="demo-joinme-token"))
        e.cache.save({"JM": CachedAccount((), dt.datetime.now(dt.UTC))})
        e.ctx.secrets.set_passcode("JM\x1fm-1\x1f2030-03-04T09:00:00+00:00", "162953")
        assert "162953" in e.stored_text()
        removed = e.service.remove("JM")
        assert removed.name == "JM" and e.names() == []
        assert "demo-joinme-token" not in e.stored_text()
        assert "162953" not in e.stored_text()  # the passcode remembered for its meeting
        assert e.cache.load() == {}
        with pytest.raises(ConfigError):
            e.service.remove("JM")


async def test_bad_input_and_taken_names_send_nothing(
    tmp_path: Path, sandbox: RunningSandbox
) -> None:
    async with env(tmp_path, sandbox) as e:
        await e.service.add(joinme_form(e.base, token="demo-joinme-token"))
        sandbox.state.reset_stats()
        cases = [
            (joinme_form(e.base), "name"),
            (joinme_form(e.base, name="New", token=" "), "token"),
            (AccountForm(Provider.WHEREBY, "W"), "api_key"),
            (bluejeans_form(e.base, name="B", username="demo@bluejeans.test"), "password"),
            (bluejeans_form(e.base, name="B", client_id="x", client_secret="y"), "username"),
            (bluejeans_form(e.base, name="B", client_secret="y", username="a@b.test"),
             "client_id"),
            (dataclasses.replace(skype_form(e.base), password=None), "password"),
            (joinme_form(e.base, name="New", token="a\nb"), "token"),
        ]
        for form, field in cases:
            with pytest.raises(InvalidInput) as caught:
                await e.service.add(form)
            assert caught.value.field == field, (form, caught.value)
        assert sandbox.state.stats()["requests"] == dict.fromkeys(
            ("bluejeans", "joinme", "whereby", "skype", "ics"), 0)
        assert e.browser.opened == []
        assert [a.name for a in e.ctx.accounts.load()] == ["JM"]
