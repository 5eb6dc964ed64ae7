"""Pre-join checks and joins: drives ``core.joinflow`` with provider calls and a Prompter."""

from __future__ import annotations

import dataclasses
import logging
import urllib.parse
from typing import Protocol

from launcher.core.errors import ConfigError, InvalidInput, NotFound
from launcher.core.joinflow import (
    AskLogin,
    AskPasscode,
    Cancelled,
    ExplainNotInvited,
    NoteWaitingRoom,
    OpenUrl,
    RunPrecheck,
    Verdict,
    bluejeans_join_flow,
    verdict,
)
from launcher.core.links import LinkTarget, bluejeans_join_url, parse_target, skype_meeting_uri
from launcher.core.models import (
    DEFAULT_RELAY_URL,
    DEFAULT_WEB_URLS,
    Account,
    Credentials,
    Provider,
    Role,
)
from launcher.providers.base import JoinProgress
from launcher.providers.bluejeans.client import BlueJeansClient
from launcher.providers.joinme.client import JoinMeClient
from launcher.providers.skype.client import SkypeClient
from launcher.providers.whereby.client import WherebyClient
from launcher.services.context import Context
from launcher.services.opener import trusted_role_link

log = logging.getLogger("launcher.join")


@dataclasses.dataclass(frozen=True, slots=True)
class CheckResult:
    """The answer of a pre-join check, as the CLI and the window show it."""

    provider: Provider
    action: str
    needs: str | None
    message: str
    account: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class JoinOutcome:
    """Where to send the user. ``secret`` marks one-time presenter links: never print."""

    url: str = dataclasses.field(repr=False)
    role: Role
    provider: Provider
    secret: bool = False
    note: str = ""


class Prompter(Protocol):
    """Answers the join flow's questions: a terminal, a dialog, or a test script."""

    async def ask_passcode(self, step: AskPasscode) -> str | None:
        """Return a passcode, or None to cancel."""
        ...

    async def ask_login(self, step: AskLogin) -> str | None:
        """Return "signed-in" to re-check, "browser" to open anyway, None to cancel."""
        ...

    async def explain_not_invited(self, step: ExplainNotInvited) -> str | None:
        """Return "browser" to open anyway, None to cancel."""
        ...

    async def note(self, message: str) -> None:
        """Tell the user something that needs no answer (waiting room)."""
        ...

    async def progress(self, progress: JoinProgress) -> None:
        """Show the progress of an asynchronous join (Skype for Business)."""
        ...


def resolve_target(ctx: Context, url_or_id: str) -> LinkTarget:
    """Recognise a pasted link or ID, or raise InvalidInput naming the argument."""
    target = parse_target(url_or_id, ctx.web_bases())
    if target is None:
        raise InvalidInput(
            "URL_OR_ID",
            "is not a meeting link or ID this version recognises (BlueJeans, join.me, "
            "Whereby or Skype for Business)",
        )
    return target


class JoinService:
    """Checks and joins meetings for the CLI and the window."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    # ---- BlueJeans ---------------------------------------------------------------

    def _bluejeans_client(self, target: LinkTarget, relay_url: str | None) -> BlueJeansClient:
        account = self._account_for(target)
        if account is not None and relay_url is None:
            client = self._ctx.client_for(account)
            assert isinstance(client, BlueJeansClient)
            return client
        base = account or Account(
            name="(no account)",
            provider=Provider.BLUEJEANS,
            base_url="https://api.bluejeans.com",
            relay_url=DEFAULT_RELAY_URL,
        )
        if relay_url is not None:
            base = dataclasses.replace(base, relay_url=relay_url.rstrip("/"))
        creds = (
            self._ctx.secrets.credentials(account.name, account.username)
            if account is not None
            else Credentials()
        )
        return BlueJeansClient(self._ctx.http, base, creds)

    def _account_for(self, target: LinkTarget) -> Account | None:
        if target.account is not None:
            return self._ctx.accounts.get(target.account)
        for account in self._ctx.accounts.load():
            if account.provider is target.provider:
                return account
        return None

    async def check(
        self,
        target: LinkTarget,
        *,
        passcode: str | None = None,
        cluster: str | None = None,
        meeting_type: str | None = None,
        relay_url: str | None = None,
    ) -> CheckResult:
        """Run the pre-join check for *target* and say what the user must supply."""
        if target.provider is Provider.BLUEJEANS:
            client = self._bluejeans_client(target, relay_url)
            answer = await client.precheck(
                target.meeting_id,
                passcode=passcode if passcode is not None else target.passcode,
                cluster=cluster,
                meeting_type=meeting_type,
            )
            v: Verdict = verdict(answer)
            return CheckResult(
                Provider.BLUEJEANS,
                v.action,
                v.need.value if v.need else None,
                v.message,
                target.account,
            )
        for name, value in (("--cluster", cluster), ("--meeting-type", meeting_type)):
            if value is not None:
                raise InvalidInput(name, "applies only to BlueJeans meetings")
        if target.provider is Provider.SKYPE:
            account = self._account_for(target) if target.account else None
            if account is not None:
                return CheckResult(
                    Provider.SKYPE,
                    "JOIN_VIA_UCWA",
                    None,
                    f"Joins through your Skype for Business account {account.name!r}; you may "
                    "wait in the lobby until someone lets you in.",
                    account.name,
                )
            return CheckResult(
                Provider.SKYPE,
                "OPEN_IN_BROWSER",
                None,
                "No Skype for Business account matches this link's server: it opens in the "
                "browser (Skype Web App), which may ask you to sign in or join as a guest.",
            )
        if target.provider is Provider.JOINME:
            return CheckResult(
                Provider.JOINME,
                "OPEN_VIEWER_LINK",
                None,
                "join.me viewer links need no passcode; the meeting shows once the presenter "
                "has started it.",
                target.account,
            )
        if target.url and "roomKey=" in (target.url or ""):
            return CheckResult(
                Provider.WHEREBY,
                "OPEN_ROLE_LINK",
                None,
                "This Whereby link carries a room key (host or viewer); host rights apply "
                "while the meeting is on.",
                target.account,
            )
        return CheckResult(
            Provider.WHEREBY,
            "OPEN_ROOM_LINK",
            None,
            "Whereby room link: no passcode; if the room is locked you knock and the host "
            "lets you in.",
            target.account,
        )

    async def join(
        self,
        target: LinkTarget,
        prompter: Prompter,
        *,
        passcode: str | None = None,
        role: Role | None = None,
    ) -> JoinOutcome | None:
        """Work out where to send the user for *target*; None when the user cancelled."""
        if target.provider is Provider.BLUEJEANS:
            return await self._join_bluejeans(target, prompter, passcode, role or Role.VIEWER)
        if passcode is not None:
            raise InvalidInput("--passcode", f"{target.provider.label} links take no passcode")
        if target.provider is Provider.SKYPE:
            return await self._join_skype(target, prompter, role or Role.VIEWER)
        if target.provider is Provider.JOINME:
            return await self._join_joinme(target, role or Role.VIEWER)
        return await self._join_whereby(target, role or Role.VIEWER)

    async def _join_bluejeans(
        self, target: LinkTarget, prompter: Prompter, passcode: str | None, role: Role
    ) -> JoinOutcome | None:
        client = self._bluejeans_client(target, None)
        account = self._account_for(target)
        web = (account.web_url if account else None) or DEFAULT_WEB_URLS[Provider.BLUEJEANS]
        if target.url is not None and target.account is None:
            web = _origin_of(target.url, web)
        flow = bluejeans_join_flow(
            join_url=bluejeans_join_url(web, target.meeting_id),
            passcode=passcode if passcode is not None else target.passcode,
            role=role,
        )
        answer: str | None = None
        step = next(flow)
        while True:
            if isinstance(step, RunPrecheck):
                answer = await client.precheck(target.meeting_id, passcode=step.passcode)
            elif isinstance(step, AskPasscode):
                answer = await prompter.ask_passcode(step)
            elif isinstance(step, AskLogin):
                answer = await prompter.ask_login(step)
            elif isinstance(step, ExplainNotInvited):
                answer = await prompter.explain_not_invited(step)
            elif isinstance(step, NoteWaitingRoom):
                await prompter.note(step.message)
                answer = None
            elif isinstance(step, OpenUrl):
                url = step.url if not step.passcode else f"{step.url}/{step.passcode}"
                if step.role is Role.PRESENTER:
                    url = trusted_role_link(url, Provider.BLUEJEANS, account)
                return JoinOutcome(url, step.role, Provider.BLUEJEANS, note=step.note)
            elif isinstance(step, Cancelled):
                return None
            try:
                step = flow.send(answer)
            except StopIteration:  # pragma: no cover - every flow ends on OpenUrl/Cancelled
                return None

    async def _join_skype(
        self, target: LinkTarget, prompter: Prompter, role: Role
    ) -> JoinOutcome | None:
        url = target.url or ""
        account = self._ctx.accounts.get(target.account) if target.account else None
        if account is None:
            return JoinOutcome(url, role, Provider.SKYPE, note="Opened in the browser.")
        client = self._ctx.client_for(account)
        assert isinstance(client, SkypeClient)
        uri = None
        for meeting in await client.list_meetings():
            if meeting.join_url and _same_link(meeting.join_url, url):
                uri = meeting.online_meeting_uri
                break
        if uri is None:
            domain = _sip_domain(account, target)
            uri = skype_meeting_uri(target.user or "", domain, target.meeting_id)
        async for progress in client.join(uri):
            await prompter.progress(progress)
        return JoinOutcome(url, role, Provider.SKYPE)

    async def _join_joinme(self, target: LinkTarget, role: Role) -> JoinOutcome:
        url = target.url or ""
        if role is Role.PRESENTER:
            account = self._account_for(target)
            if account is None:
                raise ConfigError(
                    "Starting a join.me meeting as presenter needs your join.me account: "
                    "add it with `meeting-launcher accounts add joinme ...`."
                )
            client = self._ctx.client_for(account)
            assert isinstance(client, JoinMeClient)
            for meeting in await client.list_meetings():
                if meeting.join_url and _same_link(meeting.join_url, url):
                    started = await client.start_meeting(meeting.id)
                    return JoinOutcome(
                        trusted_role_link(started.presenter_link, Provider.JOINME, account),
                        Role.PRESENTER,
                        Provider.JOINME,
                        secret=True,
                        note="The presenter link works once and expires in 10 minutes.",
                    )
            raise NotFound("joinme", "none of your scheduled join.me meetings has this link")
        return JoinOutcome(url, Role.VIEWER, Provider.JOINME)

    async def _join_whereby(self, target: LinkTarget, role: Role) -> JoinOutcome:
        url = target.url or ""
        if role is Role.PRESENTER and "roomKey=" not in url:
            account = self._account_for(target)
            if account is not None:
                client = self._ctx.client_for(account)
                assert isinstance(client, WherebyClient)
                for room in await client.list_rooms(host_url=True):
                    if _same_link(room.room_url, url) and room.host_url:
                        host = trusted_role_link(room.host_url, Provider.WHEREBY, account)
                        return JoinOutcome(host, Role.PRESENTER, Provider.WHEREBY)
        if "roomKey=" in url:
            # A pasted host or viewer link: it carries its role, so the same rule applies.
            checked = trusted_role_link(url, Provider.WHEREBY, self._account_for(target))
            return JoinOutcome(checked, role, Provider.WHEREBY)
        return JoinOutcome(url, Role.VIEWER, Provider.WHEREBY)


def _same_link(a: str, b: str) -> bool:
    pa, pb = urllib.parse.urlsplit(a), urllib.parse.urlsplit(b)
    return (
        (pa.hostname or "").lower() == (pb.hostname or "").lower()
        and pa.port == pb.port
        and pa.path.rstrip("/") == pb.path.rstrip("/")
    )


def _origin_of(url: str, default: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return default
    return f"{parts.scheme}://{parts.netloc}"


def _sip_domain(account: Account, target: LinkTarget) -> str:
    if account.username and "@" in account.username:
        return account.username.rsplit("@", 1)[1]
    host = target.host or ""
    if host.startswith("meet."):
        return host[len("meet.") :]
    raise ConfigError(
        f"Cannot tell the SIP domain of {account.name!r}: set its username as user@domain."
    )
