"""The command line: the same services as the window, for scripts, status bars and tests.

Exit codes: 0 success; 2 bad input (nothing was sent); 3 a join needs input that was not
given; 1 a provider, network or configuration failure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import getpass
import json
import logging
import os
import sys
import tempfile
import urllib.parse
from collections.abc import Callable, Coroutine, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from launcher import __version__
from launcher.core.errors import (
    ConfigError,
    InputNeeded,
    InvalidInput,
    LauncherError,
    ProviderError,
)
from launcher.core.joinflow import AskLogin, AskPasscode, ExplainNotInvited
from launcher.core.links import check_openable, parse_target
from launcher.core.linkscan import detect_links, match_url
from launcher.core.models import (
    API_PROVIDERS,
    Account,
    Meeting,
    Provider,
    Role,
)
from launcher.core.prejoin import check_links
from launcher.core.redact import RedactingFilter
from launcher.core.timeutil import parse_user_datetime
from launcher.core.validate import is_host_name, require_http_url
from launcher.providers.base import JoinProgress
from launcher.providers.joinme.client import JoinMeClient
from launcher.providers.joinme.protocol import MeetingPatch, ScheduleDraft
from launcher.providers.whereby.client import WherebyClient
from launcher.providers.whereby.protocol import RoomDraft
from launcher.services.accounts import ALLOWED, AccountForm, build_account
from launcher.services.context import Context, new_http_client
from launcher.services.instance import send_command
from launcher.services.join import JoinService, resolve_target
from launcher.services.opener import open_detected, open_url, trusted_role_link
from launcher.services.signin import SignInInput, SignInService
from launcher.services.sync import AccountSync, SyncState, sync_once
from launcher.store.accounts import AccountStore
from launcher.store.cache import MeetingCache
from launcher.store.db import Database, open_database
from launcher.store.history import LocalMeeting, LocalMeetings
from launcher.store.logs import close_logging, setup_logging
from launcher.store.paths import Paths, instance_address, resolve_paths
from launcher.store.secrets import SecretStore
from launcher.store.settings import SettingsStore

log = logging.getLogger("launcher.cli")

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_NEEDS_INPUT = 0, 1, 2, 3


class UsageError(Exception):
    """argparse found a problem with the command line."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


# ---------------------------------------------------------------- the parser


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of every command."""
    common = _Parser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON instead of text")

    parser = _Parser(
        prog="meeting-launcher",
        description="Every meeting from every account in one place, checked before you join.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run on the built-in sandbox with demo accounts in a throw-away profile",
    )
    parser.add_argument("--debug", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    # accounts
    accounts = sub.add_parser(
        "accounts", help="add, list, edit, sign in again and remove accounts"
    )
    acc_sub = accounts.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)
    add = acc_sub.add_parser(
        "add",
        parents=[common],
        allow_abbrev=False,  # --password must not pass for --password-stdin
        help="add an account and sign in",
        description="Add an account and sign in to it. join.me signs in in your browser; "
        "passwords are asked for on the terminal (or read with --password-stdin).",
    )
    add.add_argument(
        "provider", choices=[p.value for p in (*API_PROVIDERS, Provider.ICS, Provider.CALDAV)]
    )
    add.add_argument("--name", required=True)
    add.add_argument("--base-url", help="API base URL (defaults to the provider's)")
    add.add_argument("--url", help="ICS: the calendar's link (https or webcal); CalDAV: its URL")
    add.add_argument("--file", help="ICS: a calendar file on this computer")
    add.add_argument("--relay-url", help="BlueJeans relay base URL")
    add.add_argument("--web-url", help="where the provider's meeting pages live")
    add.add_argument("--discovery-url", help="Skype for Business autodiscover URL")
    add.add_argument(
        "--username", help="user name or e-mail (BlueJeans, Skype, CalDAV; ICS: your e-mail)"
    )
    _secret_options(add)
    add.add_argument("--client-id", help="BlueJeans app key (client-credentials sign-in)")
    add.add_argument("--relay-token", help="a BlueJeans relay access token you have; - reads stdin")
    acc_sub.add_parser("list", parents=[common], help="list accounts")
    edit = acc_sub.add_parser("edit", parents=[common], help="rename an account or change its URL")
    edit.add_argument("account", metavar="NAME")
    edit.add_argument("--name", help="the new name")
    edit.add_argument("--base-url", help="the new API base URL (Skype: the discovery URL)")
    signin = acc_sub.add_parser(
        "signin",
        parents=[common],
        allow_abbrev=False,
        help="sign in to an account again (expired or revoked)",
    )
    signin.add_argument("account", metavar="NAME")
    signin.add_argument("--username", help="BlueJeans user name, if the account has none")
    _secret_options(signin)
    remove = acc_sub.add_parser(
        "remove", parents=[common], help="remove an account, its secrets and cached meetings"
    )
    remove.add_argument("name")

    # meetings
    meetings = sub.add_parser("meetings", parents=[common], help="list meetings of all accounts")
    meetings.add_argument("--from", dest="start", help="ISO date-time (default: start of today)")
    meetings.add_argument("--to", dest="end", help="ISO date-time (default: no limit)")
    meetings.add_argument("--account", help="only this account")
    meetings.add_argument(
        "--sequential", action="store_true", help="fetch accounts one after another"
    )

    # saved links
    add_meeting = sub.add_parser(
        "add-meeting", parents=[common], help="save a meeting link with a title and a time"
    )
    add_meeting.add_argument("url", metavar="URL")
    add_meeting.add_argument("--title", required=True)
    add_meeting.add_argument("--start", required=True, help="ISO date-time (local if no zone)")
    add_meeting.add_argument("--end", help="ISO date-time (default: 30 minutes after the start)")
    saved = sub.add_parser("saved", help="the meeting links you saved")
    saved_sub = saved.add_subparsers(dest="saved_command", metavar="ACTION", required=True)
    saved_sub.add_parser("list", parents=[common], help="list the saved links")
    saved_remove = saved_sub.add_parser("remove", parents=[common], help="forget a saved link")
    saved_remove.add_argument("id", metavar="ID", help="the number `saved list` shows")

    # check / join
    check = sub.add_parser("check", parents=[common], help="pre-join check of a link or ID")
    check.add_argument("target", metavar="URL_OR_ID")
    check.add_argument("--passcode")
    check.add_argument("--cluster")
    check.add_argument("--meeting-type")
    check.add_argument("--base-url", help="BlueJeans relay base URL to ask")
    join = sub.add_parser("join", parents=[common], help="check, ask what is missing, open")
    join.add_argument("target", metavar="URL_OR_ID")
    join.add_argument("--passcode")
    join.add_argument("--role", choices=[r.value for r in Role])
    join.add_argument("--no-open", action="store_true", help="print the link instead")

    # join.me
    start = sub.add_parser("start", parents=[common], help="start a join.me meeting")
    start.add_argument("--account", required=True)
    start.add_argument("--meeting-id", help="a scheduled meeting (default: ad hoc)")
    start.add_argument("--headless", action="store_true", help="viewers without controls")
    start.add_argument("--personal-url", action="store_true")
    start.add_argument(
        "--print-presenter-link",
        action="store_true",
        help="also print the one-time presenter link (it expires in 10 minutes)",
    )
    start.add_argument("--no-open", action="store_true", help="do not open the presenter link")
    schedule = sub.add_parser("schedule", parents=[common], help="schedule a join.me meeting")
    _meeting_options(schedule, required=True)
    update = sub.add_parser("update", parents=[common], help="change a join.me meeting")
    update.add_argument("meeting_id", metavar="ID")
    _meeting_options(update, required=False)
    delete = sub.add_parser("delete", parents=[common], help="delete a join.me meeting")
    delete.add_argument("--account", required=True)
    delete.add_argument("meeting_id", metavar="ID")

    # Whereby
    rooms = sub.add_parser("rooms", help="Whereby rooms")
    rooms_sub = rooms.add_subparsers(dest="rooms_command", metavar="ACTION", required=True)
    create = rooms_sub.add_parser("create", parents=[common], help="create a room")
    create.add_argument("--account")
    create.add_argument("--end", required=True, help="ISO date-time when the room may close")
    create.add_argument("--locked", action="store_true")
    create.add_argument("--mode", choices=["normal", "group"], default="normal")
    create.add_argument("--prefix")
    create.add_argument("--pattern", choices=["uuid", "human-short"], default="uuid")
    create.add_argument("--viewer-mode", action="store_true")
    create.add_argument("--host-url", action="store_true", help="also create a host link")
    create.add_argument("--viewer-url", action="store_true", help="also create a viewer link")
    create.add_argument(
        "--print-host-link",
        action="store_true",
        help="print the host link (it gives host rights; `join ROOM_URL --role presenter` "
        "opens it without showing it)",
    )
    rlist = rooms_sub.add_parser("list", parents=[common], help="list rooms")
    rlist.add_argument("--account")
    rdel = rooms_sub.add_parser("delete", parents=[common], help="delete a room")
    rdel.add_argument("room_id", metavar="ID")
    rdel.add_argument("--account")

    desktop = sub.add_parser(
        "install-desktop-entry",
        parents=[common],
        help="add Meeting Launcher to your desktop's application menu (Linux)",
    )
    desktop.add_argument("--executable", help="the meeting-launcher command to run")

    # sandbox
    sandbox = sub.add_parser("sandbox", help="serve the provider simulator")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8765)
    _label_options(parser)
    return parser


def _secret_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (else it is asked on the terminal)",
    )
    parser.add_argument("--token", help="a join.me access token you have; - reads stdin")
    parser.add_argument("--api-key", help="Whereby API key; - reads stdin")
    parser.add_argument("--client-secret", help="BlueJeans app secret; - reads stdin")
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="join.me: print the sign-in address instead of opening the browser",
    )


#: Field names the services and protocols use that differ from an option's dest.
_FIELD_ALIASES = {"participants": "participant"}


def _leaf_parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield parser
        return
    for action in subs:
        for child in dict.fromkeys(action.choices.values()):
            yield from _leaf_parsers(child)


def _label_options(parser: argparse.ArgumentParser) -> None:
    """Record, on every command's parser, how each field is spelled on the command line."""
    for leaf in _leaf_parsers(parser):
        names: dict[str, str] = {}
        for action in leaf._actions:
            if action.option_strings:
                names[action.dest] = max(action.option_strings, key=len)
            elif action.dest != argparse.SUPPRESS:
                metavar = action.metavar if isinstance(action.metavar, str) else None
                names[action.dest] = metavar or action.dest.upper()
        leaf.set_defaults(option_names=names)


def option_name(args: argparse.Namespace, field: str) -> str:
    """Return how *field* (an InvalidInput field) is spelled in the command just run."""
    names: dict[str, str] = getattr(args, "option_names", {})
    key = field.removeprefix("--").replace("-", "_")
    return names.get(_FIELD_ALIASES.get(key, key), field)


def _meeting_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("--account", required=True)
    parser.add_argument("--title", required=required)
    parser.add_argument("--start", required=required, help="ISO date-time")
    parser.add_argument("--end", required=required, help="ISO date-time")
    parser.add_argument(
        "--participant", action="append", default=None, metavar="EMAIL", help="repeatable"
    )
    parser.add_argument("--personal-url", action="store_true", default=None)


# ---------------------------------------------------------------- output helpers


class Output:
    """Where a command writes: text or JSON on stdout, notes and warnings on stderr."""

    def __init__(self, *, as_json: bool, out: TextIO, err: TextIO) -> None:
        self.as_json = as_json
        self.out = out
        self.err = err
        #: Masks known secrets in notes and errors (a provider may echo a token back).
        self.mask: Callable[[str], str] = lambda text: text

    def json(self, value: Any) -> None:
        """Print *value* as JSON."""
        self.out.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")

    def line(self, text: str = "") -> None:
        """Print a line of text output."""
        self.out.write(text + "\n")

    def note(self, text: str) -> None:
        """Print a note for a person (stderr, so JSON on stdout stays clean)."""
        self.err.write(self.mask(text) + "\n")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _best_link(meeting: Meeting) -> str | None:
    """Return the link "join" opens: the meeting's own, else the best one in its text."""
    if meeting.join_url:
        return meeting.join_url
    found = detect_links(meeting)
    return found[0].url if found else None


def meeting_json(meeting: Meeting) -> dict[str, Any]:
    """Return the JSON form of a meeting (no passcode, no host link: those are kept back)."""
    found = detect_links(meeting)
    return {
        "id": meeting.id,
        "account": meeting.account,
        "provider": meeting.provider.value,
        "title": meeting.title,
        "start": _iso(meeting.start),
        "end": _iso(meeting.end),
        "join_url": meeting.join_url,
        "viewer_url": meeting.viewer_url,
        "number": meeting.number,
        "has_passcode": meeting.passcode is not None,
        "has_host_url": meeting.host_url is not None,
        "role": meeting.role.value if meeting.role else None,
        "organizer": meeting.organizer,
        "participants": list(meeting.participants),
        "online_meeting_uri": meeting.online_meeting_uri,
        "expires": _iso(meeting.expires),
        "uid": meeting.uid,
        "location": meeting.location or None,
        "all_day": meeting.all_day,
        "status": meeting.status,
        "attendance": meeting.attendance,
        "calendar": meeting.calendar,
        "conference_url": meeting.conference_url,
        "sources": list(meeting.sources) or [meeting.account],
        "links": [{"service": link.service, "name": link.name, "url": link.url,
                   "meeting_id": link.meeting_id} for link in found],
    }


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone()


def print_meetings(output: Output, meetings: Sequence[Meeting]) -> None:
    """Print meetings grouped by local day, timeless meeting spaces last."""
    if not meetings:
        output.line("No meetings.")
        return
    day: dt.date | None = None
    spaces = [m for m in meetings if m.start is None]
    for m in meetings:
        if m.start is None:
            continue
        start = m.start if m.all_day else _local(m.start)  # all-day: a date, not a time
        if start.date() != day:
            if day is not None:
                output.line("")
            day = start.date()
            output.line(start.strftime("%A %d %B %Y"))
        if m.end is None:
            end = "     "
        elif _local(m.end).date() == start.date():
            end = _local(m.end).strftime("%H:%M")
        else:  # a span over several days (a Whereby room): say which day it ends
            end = _local(m.end).strftime("%a %d %b %H:%M")
        link = _best_link(m) or "(no link)"
        span = "all day" if m.all_day else f"{start:%H:%M}-{end}"
        title = f"Cancelled: {m.title}" if m.status == "cancelled" else m.title
        where = ", ".join(m.sources) if m.sources else m.account
        output.line(f"  {span:<22}  {title[:40]:<40}  {m.provider.label:<18} {where}")
        output.line(f"  {'':<22}  {link}")
    if spaces:
        output.line("")
        output.line("Meeting spaces (no fixed time)")
        for m in spaces:
            until = f" (until {_local(m.expires):%d %b %Y})" if m.expires else ""
            output.line(f"  {m.title[:64]:<64}  {m.provider.label:<18} {m.account}{until}")
            output.line(f"  {'':<22}  {_best_link(m) or '(no link)'}")


# ---------------------------------------------------------------- terminal prompter


class TerminalPrompter:
    """Answers join-flow questions on a terminal, or says what is missing (exit 3)."""

    def __init__(self, output: Output, *, interactive: bool) -> None:
        self._out = output
        self._interactive = interactive

    async def ask_passcode(self, step: AskPasscode) -> str | None:
        """Ask for a (moderator) passcode without echoing it."""
        need = "moderator_passcode" if step.moderator else "passcode"
        if not self._interactive:
            raise InputNeeded(need, f"{step.message} Give it with --passcode.")
        self._out.note(step.message)
        label = "Moderator passcode" if step.moderator else "Passcode"
        value = await asyncio.to_thread(getpass.getpass, f"{label} (empty to cancel): ")
        return value.strip() or None

    async def ask_login(self, step: AskLogin) -> str | None:
        """Offer to open the meeting page anyway (sign-in happens in the browser)."""
        if not self._interactive:
            raise InputNeeded("login", step.message)
        self._out.note(step.message)
        answer = await asyncio.to_thread(input, "Open the meeting page in the browser? [y/N] ")
        return "browser" if answer.strip().lower() in {"y", "yes"} else None

    async def explain_not_invited(self, step: ExplainNotInvited) -> str | None:
        """Explain and offer the browser's prompt anyway."""
        if not self._interactive:
            raise InputNeeded("invitation", step.message)
        self._out.note(step.message)
        answer = await asyncio.to_thread(input, "Open it in the browser anyway? [y/N] ")
        return "browser" if answer.strip().lower() in {"y", "yes"} else None

    async def note(self, message: str) -> None:
        """Show a note (waiting room)."""
        self._out.note(message)

    async def progress(self, progress: JoinProgress) -> None:
        """Show join progress."""
        self._out.note(f"[{progress.state}] {progress.message}")


# ---------------------------------------------------------------- profile / context


@contextlib.contextmanager
def _demo_profile() -> Iterator[Paths]:
    with tempfile.TemporaryDirectory(prefix="meeting-launcher-demo-") as home:
        yield Paths.under(Path(home)).ensure()


# ---------------------------------------------------------------- commands


Command = Callable[[argparse.Namespace, Context, Output], Coroutine[Any, Any, int]]


#: Which command-line option each account field comes from (for one-line errors).
_ACCOUNT_OPTIONS = {
    "name": "--name",
    "base_url": "--base-url",
    "relay_url": "--relay-url",
    "web_url": "--web-url",
    "discovery_url": "--discovery-url",
    "username": "--username",
    "password": "--password-stdin",
    "token": "--token",
    "api_key": "--api-key",
    "client_id": "--client-id",
    "client_secret": "--client-secret",
    "relay_token": "--relay-token",
}


def _option_error(
    exc: InvalidInput, *, edit: bool = False, base_option: str | None = None
) -> InvalidInput:
    field = "base_url" if edit and exc.field == "discovery_url" else exc.field
    if field == "base_url" and base_option is not None:
        return InvalidInput(base_option, exc.reason)
    return InvalidInput(_ACCOUNT_OPTIONS.get(field, field), exc.reason)


def _sign_in_service(ctx: Context, out: Output, args: argparse.Namespace) -> SignInService:
    """Build the sign-in service, with a "browser" that also prints the address."""
    no_browser = bool(getattr(args, "no_browser", False))

    async def browser(url: str) -> None:
        out.note("Sign in to join.me in your browser and choose Allow.")
        if no_browser:
            out.note(f"Open this address in a browser on this computer:\n{url}")
        else:
            out.note(f"If the browser does not open, visit:\n{url}")
            try:
                await open_url(url)
            except LauncherError as exc:
                out.note(str(exc))
        out.note("Waiting for the browser (5 minutes at most; Ctrl+C cancels)...")

    return SignInService(ctx, browser=browser)


def _account_json(account: Account) -> dict[str, Any]:
    return {
        "name": account.name,
        "provider": account.provider.value,
        "base_url": account.base_url,
        "relay_url": account.relay_url,
        "web_url": account.web_url,
        "username": account.username,
    }


async def cmd_accounts(args: argparse.Namespace, ctx: Context, out: Output) -> int:
    """Add, list, edit, sign in again or remove accounts."""
    if args.accounts_command == "list":
        rows = [_account_json(a) for a in ctx.accounts.load()]
        if out.as_json:
            out.json(rows)
        elif not rows:
            out.line("No accounts yet. Add one with `meeting-launcher accounts add ...`.")
        else:
            for row in rows:
                user = f"  ({row['username']})" if row["username"] else ""
                label = Provider(str(row["provider"])).label
                out.line(f"{row['name']:<24} {label:<18} {row['base_url']}{user}")
        return EXIT_OK
    service = _sign_in_service(ctx, out, args)
    if args.accounts_command == "remove":
        account = service.remove(account_option(ctx, args.name, option="NAME").name)
        if out.as_json:
            out.json({"removed": account.name})
        else:
            out.line(f"Removed {account.name!r}, its saved sign-in, remembered passcodes and "
                     "cached meetings.")
        return EXIT_OK
    if args.accounts_command == "edit":
        if args.name is None and args.base_url is None:
            raise InvalidInput("--name", "give --name and/or --base-url to change")
        try:
            account = service.edit(
                account_option(ctx, args.account, option="NAME").name,
                name=args.name, base_url=args.base_url,
            )
        except InvalidInput as exc:
            raise _option_error(exc, edit=True) from None
        if out.as_json:
            out.json(_account_json(account))
        else:
            out.line(f"Changed the account {account.name!r}.")
        return EXIT_OK
    if args.accounts_command == "signin":
        return await _accounts_signin(args, ctx, service, out)
    return await _accounts_add(args, ctx, service, out)


def _stdin_secrets(args: argparse.Namespace, allowed: frozenset[str] | set[str]) -> dict[str, str]:
    """Read the secrets given as ``-`` (and the password with --password-stdin), in order."""
    stdin = sys.stdin
    found: dict[str, str] = {}
    wanted = [("password", "--password-stdin" if args.password_stdin else None)]
    wanted += [(key, getattr(args, key, None)) for key in
               ("token", "api_key", "client_secret", "relay_token")]
    for key, value in wanted:
        if value is None:
            continue
        if key not in allowed:
            raise InvalidInput(_ACCOUNT_OPTIONS[key], "does not apply to this kind of account")
        if key == "password" or value == "-":
            line = stdin.readline().rstrip("\r\n")
            if not line:
                raise InvalidInput(_ACCOUNT_OPTIONS[key], "nothing was given on standard input")
            found[key] = line
        else:
            found[key] = value
    return found


def _ask_password(prompt: str) -> str:
    """Ask for a password on the terminal (exit 2 with the option to use if there is none)."""
    if not sys.stdin.isatty():
        raise InvalidInput(
            "--password-stdin",
            "a password is needed: give it on standard input with --password-stdin "
            "(there is no terminal to ask on)",
        )
    value = getpass.getpass(prompt)
    if not value:
        raise InvalidInput("--password-stdin", "no password was given")
    return value


async def _accounts_add(
    args: argparse.Namespace, ctx: Context, service: SignInService, out: Output
) -> int:
    provider = Provider(args.provider)
    if args.no_browser and provider is not Provider.JOINME:
        raise InvalidInput("--no-browser", "only join.me signs in in the browser")
    base_url, base_option = _calendar_address(args, provider)
    form = AccountForm(
        provider=provider,
        name=args.name,
        base_url=base_url,
        relay_url=args.relay_url,
        web_url=args.web_url,
        discovery_url=args.discovery_url,
        username=args.username,
        client_id=args.client_id,
    )
    try:
        secrets: dict[str, Any] = _stdin_secrets(args, ALLOWED[provider])
        form = dataclasses.replace(form, **secrets)
        try:
            build_account(form)
        except InvalidInput as exc:
            if exc.field != "password" or form.password is not None:
                raise
            # Everything else must be right before the password is asked for.
            build_account(dataclasses.replace(form, password="?"))
            user = form.username or provider.label
            password = await asyncio.to_thread(_ask_password, f"Password for {user}: ")
            form = dataclasses.replace(form, password=password)
        account = await service.add(form)
    except InvalidInput as exc:
        raise _option_error(exc, base_option=base_option) from None
    if ctx.secrets.warning:
        out.note(ctx.secrets.warning)
    if out.as_json:
        out.json({"added": account.name, "provider": account.provider.value,
                  "base_url": account.base_url, "username": account.username})
    else:
        who = f" (signed in as {account.username})" if account.username else ""
        out.line(f"Added {account.provider.label} account {account.name!r}{who}.")
    return EXIT_OK


def _calendar_address(
    args: argparse.Namespace, provider: Provider
) -> tuple[str | None, str | None]:
    """Return the base URL from --url/--file/--base-url and the option it came from."""
    if not provider.is_calendar:
        for option, value in (("--url", args.url), ("--file", args.file)):
            if value is not None:
                raise InvalidInput(option, "applies to ICS and CalDAV accounts only")
        return args.base_url, None
    if args.base_url is not None:
        raise InvalidInput("--base-url", "give the calendar's address with --url")
    if args.file is not None:
        if provider is not Provider.ICS:
            raise InvalidInput("--file", "only an ICS calendar can be a file")
        if args.url is not None:
            raise InvalidInput("--file", "give --url or --file, not both")
        path = Path(args.file).expanduser()
        if not path.is_file():
            raise InvalidInput("--file", f"{args.file!r} is not a file")
        return path.resolve().as_uri(), "--file"
    if not args.url:
        what = "--url or --file" if provider is Provider.ICS else "--url"
        raise InvalidInput("--url", f"give the calendar's address with {what}")
    return args.url, "--url"


async def _accounts_signin(
    args: argparse.Namespace, ctx: Context, service: SignInService, out: Output
) -> int:
    account = account_option(ctx, args.account, option="NAME")
    if args.no_browser and account.provider is not Provider.JOINME:
        raise InvalidInput("--no-browser", "only join.me signs in in the browser")
    needs = service.needs(account)
    allowed = {"password"} if "password" in needs else set()
    allowed |= {
        Provider.JOINME: {"token"},
        Provider.WHEREBY: {"api_key"},
        Provider.BLUEJEANS: {"client_secret"} if not needs else set(),
    }.get(account.provider, set())
    try:
        given = _stdin_secrets(args, allowed)
        if args.username is not None and account.provider is not Provider.BLUEJEANS:
            raise InvalidInput("--username", "only a BlueJeans account takes it here")
        username = args.username
        if "username" in needs and username is None:
            raise InvalidInput("--username", "this BlueJeans account has no user name: give it")
        if "api_key" in needs and "api_key" not in given:
            raise InvalidInput("--api-key", "give the API key (- reads it from stdin)")
        if "password" in needs and "password" not in given:
            who = username or account.username or account.name
            given["password"] = await asyncio.to_thread(_ask_password, f"Password for {who}: ")
        signed = await service.sign_in_again(
            account.name, SignInInput(username=username, **given)
        )
    except InvalidInput as exc:
        raise _option_error(exc) from None
    if out.as_json:
        out.json({"signed_in": signed.name, "provider": signed.provider.value})
    else:
        out.line(f"Signed in to {signed.name!r} again.")
    return EXIT_OK


def _parse_when(field: str, value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return parse_user_datetime(value)
    except ValueError as exc:
        raise InvalidInput(field, str(exc)) from None


async def cmd_meetings(args: argparse.Namespace, ctx: Context, out: Output) -> int:
    """List meetings of all accounts, merged and sorted by start.

    An account that cannot be reached shows the meetings it had when last fetched,
    with one line on stderr saying so ("offline since HH:MM"); ``--json`` prints
    ``{"meetings": [...], "accounts": [...]}`` with each account's state. Exits 0 when
    anything was shown (fresh or cached), 1 when every account failed with nothing
    cached.
    """
    start = _parse_when("--from", args.start)
    end = _parse_when("--to", args.end)
    if start is None:
        today = dt.datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
        start = today.astimezone(dt.UTC)
    if end is not None and end <= start:
        raise InvalidInput("--to", "must be after --from")
    accounts = (
        [account_option(ctx, args.account)] if args.account is not None else ctx.accounts.load()
    )
    cache = MeetingCache(ctx.accounts.database)
    result = await sync_once(ctx, cache, accounts, start, end, concurrent=not args.sequential)
    for status in result.statuses:
        if status.state is not SyncState.UP_TO_DATE:
            out.note(f"warning: {status.account}: {_status_line(status, result.cached)}")
    if out.as_json:
        out.json({
            "meetings": [meeting_json(m) for m in result.meetings],
            "accounts": [_status_json(s, result.cached) for s in result.statuses],
        })
    elif not accounts:
        out.line("No accounts yet. Try `meeting-launcher --demo meetings`, or add one.")
    else:
        print_meetings(out, result.meetings)
    if accounts and not result.showed_data:
        return EXIT_FAILURE
    return EXIT_OK


def _when(value: dt.datetime) -> str:
    """Local HH:MM, with the date when it is not today."""
    local = value.astimezone()
    if local.date() == dt.datetime.now().astimezone().date():
        return f"{local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def _status_line(status: AccountSync, cached: frozenset[str]) -> str:
    """One line about an account that is not up to date, for stderr."""
    if status.account in cached and status.since is not None:
        when = _when(status.since)
        if status.state is SyncState.OFFLINE:
            head = f"offline since {when}; showing the meetings fetched then"
        else:
            head = f"{status.state.value}; showing the meetings fetched at {when}"
    else:
        head = f"{status.state.value}; no saved meetings to show"
    return f"{head}. {status.message}" if status.message else head


def _status_json(status: AccountSync, cached: frozenset[str]) -> dict[str, Any]:
    return {
        "account": status.account,
        "provider": status.provider,
        "state": status.state.value,
        "fresh": status.state is SyncState.UP_TO_DATE,
        "cached": status.account in cached,
        "since": _iso(status.since),
        "message": status.message or None,
        "retry_after": status.retry_after,
    }


def _saved_json(saved: LocalMeeting) -> dict[str, Any]:
    return {
        "id": saved.id,
        "title": saved.title,
        "url": saved.url,
        "start": _iso(saved.start),
        "end": _iso(saved.end),
    }


async def cmd_add_meeting(args: argparse.Namespace, ctx: Context, out: Output) -> int:
    """Save a meeting link with a title and a time; it shows in the agenda."""
    options = {"title": "--title", "url": "URL", "start": "--start", "end": "--end"}
    start = _parse_when("--start", args.start)
    assert start is not None
    end = _parse_when("--end", args.end)
    if end is not None and end <= start:
        raise InvalidInput("--end", "must be after --start")
    try:
        check_openable(args.url)
        if urllib.parse.urlsplit(args.url.strip()).scheme.lower() not in {"http", "https"}:
            raise InvalidInput("url", "give an http(s) link")
        saved = await asyncio.to_thread(
            LocalMeetings(ctx.accounts.database).add, args.title, args.url, start, end
        )
    except InvalidInput as exc:
        raise InvalidInput(options.get(exc.field, exc.field), exc.reason) from None
    if out.as_json:
        out.json(_saved_json(saved))
    else:
        out.line(f"Saved {saved.title!r} on {_when(saved.start)} (id {saved.id}).")
    return EXIT_OK


async def cmd_saved(args: argparse.Namespace, ctx: Context, out: Output) -> int:
    """List or remove saved meeting links."""
    store = LocalMeetings(ctx.accounts.database)
    if args.saved_command == "remove":
        try:
            number = int(args.id)
        except ValueError:
            raise InvalidInput("ID", "give the number `saved list` shows") from None
        gone = await asyncio.to_thread(store.remove, number)
        if out.as_json:
            out.json({"removed": gone.id})
        else:
            out.line(f"Removed the saved link {gone.title!r}.")
        return EXIT_OK
    rows = await asyncio.to_thread(store.list)
    if out.as_json:
        out.json([_saved_json(r) for r in rows])
    elif not rows:
        out.line("No saved links. Add one with `meeting-launcher add-meeting URL --title ...`.")
    else:
        for row in rows:
            out.line(f"{row.id:>4}  {_when(row.start):<16}  {row.title[:40]:<40}  {row.url}")
    return EXIT_OK


async def cmd_check(args: argparse.Namespace, ctx: Context, out: Output) -> int:
    """Run the pre-join check."""
    target = resolve_target(ctx, args.target)
    relay = require_http_url("--base-url", args.base_url) if args.base_url else None
    result = await JoinService(ctx).check(
        target,
        passcode=args.passcode,
        cluster=args.cluster,
        meeting_type=args.meeting_type,
        relay_url=relay,
    )
    if out.as_json:
        out.json(
            {
                "provider": result.provider.value,
                "action": result.action,
                "needs": result.needs,
                "message": result.message,
            }
        )
    else:
        needs = f" (needs: {result.needs})" if result.needs else ""
        out.line(f"{result.provider.label}: {result.action}{needs}")
        out.line(result.message)
    return EXIT_OK


async def cmd_join(args: argparse.Namespace, ctx: Context, out: Output) -> int:
    """Check, ask for what is missing, then open the link (or print it).

    When the window is running (and the link is to be opened), it gets the link.
    """
    # Bad input is refused here, with exit 2, before anything is handed over.
    target = parse_target(args.target, ctx.web_bases())
    if target is None:
        return await _join_other_link(args, ctx, out)
    if _handed_to_window(args, ctx, out):
        return EXIT_OK
    interactive = sys.stdin.isatty() and not out.as_json
    outcome = await JoinService(ctx).join(
        target,
        TerminalPrompter(out, interactive=interactive),
        passcode=args.passcode,
        role=Role(args.role) if args.role else None,
    )
    if outcome is None:
        out.note("Join cancelled.")
        return EXIT_NEEDS_INPUT
    if outcome.note:
        out.note(outcome.note)
    shown = "(one-time presenter link, not shown)" if outcome.secret else outcome.url
    if not args.no_open:
        await open_url(outcome.url)
    if out.as_json:
        out.json({"url": shown, "role": outcome.role.value})
    elif args.no_open:
        out.line(shown)
    else:
        out.line(f"Opened {outcome.provider.label} meeting as {outcome.role.value}.")
    return EXIT_OK


def _handed_to_window(args: argparse.Namespace, ctx: Context, out: Output) -> bool:
    """Give the link to the running window, if one runs and the link is to be opened."""
    if args.no_open or not ctx.instance_address:
        return False
    reply = send_command(ctx.instance_address, {"cmd": "join", "url": args.target})
    if reply is None or not reply.get("ok"):
        return False
    if out.as_json:
        out.json({"handed_to_window": True})
    else:
        out.line("Handed the link to the running Meeting Launcher window.")
    return True


async def _join_other_link(args: argparse.Namespace, ctx: Context, out: Output) -> int:
    """Join a link of a service without an account here (Zoom, Teams, any web link).

    As the window does: checked (a Zoom link without its passcode, a Teams link
    without ``?p=``, a service that needs a sign-in: said on stderr), then opened in
    the service's app when installed and allowed in Settings, else in the browser.
    """
    try:
        url = check_openable(args.target)
    except InvalidInput as exc:
        raise InvalidInput(
            "URL_OR_ID",
            f"is not a meeting link, a web link (https://…) or a BlueJeans meeting ID: it "
            f"{exc.reason}",
        ) from None
    for option, value in (("--passcode", args.passcode), ("--role", args.role)):
        if value is not None:
            raise InvalidInput(option, "applies to BlueJeans, join.me, Whereby and Skype for "
                                       "Business links only")
    if _handed_to_window(args, ctx, out):
        return EXIT_OK
    link = match_url(url, "url")
    if link is not None:
        pasted = Meeting("pasted", "", Provider.LOCAL, "", None, None, join_url=url)
        for finding in check_links(pasted, [link]):
            out.note(finding.message)
    name = link.name if link is not None else "web"
    how = "printed"
    if not args.no_open:
        if link is None:
            await open_url(url)
            how = "browser"
        else:
            settings = SettingsStore(ctx.paths.config / "settings.json").load()
            how = await open_detected(
                link, prefer_native=link.service not in settings.browser_only_services
            )
    if out.as_json:
        out.json({"url": url, "service": link.service if link else None, "opened_in": how})
    elif args.no_open:
        out.line(url)
    else:
        place = "its app" if how == "native" else "the browser"
        out.line(f"Opened the {name} link in {place}.")
    return EXIT_OK


def account_option(
    ctx: Context, name: str | None, provider: Provider | None = None, *, option: str = "--account"
) -> Account:
    """Return the account an option names (InvalidInput naming the option if it is not one).

    Without a name: the only account of *provider* (ConfigError if there is none or
    several: that is about the setup, not about what was typed).
    """
    if name is None:
        if provider is None:
            raise InvalidInput(option, "must name an account")
        return ctx.account_of(provider)
    text = name.strip()
    if not text:
        raise InvalidInput(option, "must not be empty")
    accounts = {a.name: a for a in ctx.accounts.load()}
    account = accounts.get(text)
    if account is None:
        known = ", ".join(repr(n) for n in accounts) or "none yet"
        raise InvalidInput(option, f"there is no account called {text!r} (accounts: {known})")
    if provider is not None and account.provider is not provider:
        raise InvalidInput(
            option, f"{text!r} is a {account.provider.label} account, not {provider.label}"
        )
    return account


def _joinme_account(ctx: Context, name: str | None) -> tuple[Account, JoinMeClient]:
    account = account_option(ctx, name, Provider.JOINME)
    client = ctx.client_for(account)
    assert isinstance(client, JoinMeClient)
    return account, client


def _whereby_account(ctx: Context, name: str | None) -> tuple[Account, WherebyClient]:
    account = account_option(ctx, name, Provider.WHEREBY)
    client = ctx.client_for(account)
    assert isinstance(client, WherebyClient)
    return account, client


def _joinme(ctx: Context, name: str) -> JoinMeClient:
    return _joinme_account(ctx, name)[1]


def _whereby(ctx: Context, name: str | None) -> WherebyClient:
    return _whereby_account(ctx, name)[1]


async def cmd_start(args: argparse.Namespace, ctx: Context, out: Output) -> int:
    """Start a join.me meeting and open its presenter link at once."""
    account, client = _joinme_account(ctx, args.account)
    started = await client.start_meeting(
        args.meeting_id, personal_url=args.personal_url, headless=args.headless
    )
    conf = started.conference
    # A presenter link from anywhere but join.me or the account's server is refused.
    presenter_link = trusted_role_link(started.presenter_link, Provider.JOINME, account)
    if not args.no_open:
        await open_url(presenter_link)
    data: dict[str, Any] = {
        "viewer_url": started.viewer_link,
        "conference_id": conf.conference_id if conf else None,
        "conference_numbers_url": conf.numbers_url if conf else None,
    }
    if args.print_presenter_link:
        data["presenter_url"] = presenter_link
    if out.as_json:
        out.json(data)
    else:
        if not args.no_open:
            out.line("Opened the presenter link (it works once and expires in 10 minutes).")
        out.line(f"Viewer link:   {started.viewer_link}")
        if data["conference_id"]:
            out.line(f"Conference ID: {data['conference_id']}")
        if data["conference_numbers_url"]:
            out.line(f"Dial-in:       {data['conference_numbers_url']}")
        if args.print_presenter_link:
            out.line(f"Presenter link (one-time): {presenter_link}")
    return EXIT_OK


def _participants(values: list[str] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    return tuple(v.strip() for v in values)


async def cmd_schedule(args: argparse.Namespace, ctx: Context, out: Output) -> int:
    """Schedule a join.me meeting."""
    draft = ScheduleDraft(
        title=args.title,
        start=_parse_when("--start", args.start) or dt.datetime.now(dt.UTC),
        end=_parse_when("--end", args.end) or dt.datetime.now(dt.UTC),
        participants=_participants(args.participant) or (),
        personal_url=bool(args.personal_url),
    )
    client = _joinme(ctx, args.account)
    meeting = await client.schedule_meeting(draft)
    _print_meeting(out, meeting, "Scheduled")
    return EXIT_OK


async def cmd_update(args: argparse.Namespace, ctx: Context, out: Output) -> int:
    """Change a join.me meeting."""
    patch = MeetingPatch(
        title=args.title,
        start=_parse_when("--start", args.start),
        end=_parse_when("--end", args.end),
        participants=_participants(args.participant),
        personal_url=args.personal_url,
    )
    client = _joinme(ctx, args.account)
    meeting = await client.update_meeting(args.meeting_id, patch)
    _print_meeting(out, meeting, "Updated")
    return EXIT_OK


async def cmd_delete(args: argparse.Namespace, ctx: Context, out: Output) -> int:
    """Delete a join.me meeting."""
    client = _joinme(ctx, args.account)
    await client.delete_meeting(args.meeting_id)
    if out.as_json:
        out.json({"deleted": args.meeting_id})
    else:
        out.line(f"Deleted meeting {args.meeting_id}.")
    return EXIT_OK


def _print_meeting(out: Output, meeting: Meeting, verb: str) -> None:
    if out.as_json:
        out.json(meeting_json(meeting))
        return
    when = f"{_local(meeting.start):%a %d %b %Y %H:%M}" if meeting.start else "no fixed time"
    out.line(f"{verb} {meeting.title!r} (ID {meeting.id}) on {when}.")
    if meeting.join_url:
        out.line(f"Viewer link: {meeting.join_url}")


async def cmd_rooms(args: argparse.Namespace, ctx: Context, out: Output) -> int:
    """Create, list or delete Whereby rooms."""
    if args.rooms_command == "create":
        end = _parse_when("--end", args.end)
        assert end is not None
        if args.print_host_link and not (args.host_url or args.viewer_mode):
            raise InvalidInput("--print-host-link", "needs --host-url (or --viewer-mode)")
        draft = RoomDraft(
            end=end,
            is_locked=args.locked,
            room_mode=args.mode,
            prefix=args.prefix,
            pattern=args.pattern,
            viewer_mode=args.viewer_mode,
            host_url=args.host_url,
            viewer_url=args.viewer_url,
        )
        account, client = _whereby_account(ctx, args.account)
        room = await client.create_room(draft)
        # The host link is a role link: shown only when asked for, and only from Whereby.
        host_url = None
        if room.host_url and args.print_host_link:
            host_url = trusted_role_link(room.host_url, Provider.WHEREBY, account)
        data: dict[str, Any] = {
            "id": room.id,
            "room_url": room.room_url,
            "has_host_url": room.host_url is not None,
            "viewer_url": room.viewer_url,
            "end": _iso(room.end),
        }
        if args.print_host_link:
            data["host_url"] = host_url
        if out.as_json:
            out.json(data)
        else:
            out.line(f"Created room {room.room_name} (ID {room.id}), open until {_iso(room.end)}.")
            out.line(f"Room link:   {room.room_url}")
            if host_url:
                out.line(f"Host link:   {host_url}   (gives host rights: share carefully)")
            elif room.host_url:
                out.line(
                    "Host link:   created, not shown (it gives host rights). Open it with "
                    f"`meeting-launcher join {room.room_url} --role presenter`, or show it "
                    "with --print-host-link."
                )
            if room.viewer_url:
                out.line(f"Viewer link: {room.viewer_url}")
        return EXIT_OK
    client = _whereby(ctx, args.account)
    if args.rooms_command == "list":
        rooms = await client.list_rooms()
        if out.as_json:
            out.json(
                [
                    {"id": r.id, "room_url": r.room_url, "start": _iso(r.start), "end": _iso(r.end)}
                    for r in rooms
                ]
            )
        elif not rooms:
            out.line("No rooms.")
        else:
            for r in rooms:
                out.line(f"{r.id:<38} until {_local(r.end):%Y-%m-%d %H:%M}  {r.room_url}")
        return EXIT_OK
    if not args.room_id.strip():
        raise InvalidInput("ID", "must not be empty")
    await client.delete_room(args.room_id.strip())
    if out.as_json:
        out.json({"deleted": args.room_id})
    else:
        out.line(f"Deleted room {args.room_id} (or it was already gone).")
    return EXIT_OK


def _executable_option(value: str) -> str:
    exe = value.strip()
    if not exe:
        raise InvalidInput("--executable", "must not be empty")
    if any(ord(c) < 0x20 or c == "\x7f" for c in exe):
        raise InvalidInput("--executable", "must be a path without line breaks")
    path = Path(exe).expanduser()
    if not (path.is_absolute() and path.is_file() and os.access(path, os.X_OK)):
        raise InvalidInput("--executable", "must be the absolute path of a program")
    return str(path)


async def cmd_install_desktop_entry(args: argparse.Namespace, ctx: Context, out: Output) -> int:
    """Install the .desktop file, icon and metainfo for the current user."""
    from launcher.services.desktop import (
        default_data_home,
        find_executable,
        install_desktop_entry,
    )

    if args.executable is not None:
        exe = _executable_option(args.executable)
    else:
        exe = find_executable(sys.argv[0])
    written = install_desktop_entry(executable=exe, data_home=default_data_home())
    if out.as_json:
        out.json({"installed": [str(p) for p in written]})
    else:
        for path in written:
            out.line(f"Installed {path}")
    return EXIT_OK


COMMANDS: dict[str, Command] = {
    "install-desktop-entry": cmd_install_desktop_entry,
    "accounts": cmd_accounts,
    "meetings": cmd_meetings,
    "add-meeting": cmd_add_meeting,
    "saved": cmd_saved,
    "check": cmd_check,
    "join": cmd_join,
    "start": cmd_start,
    "schedule": cmd_schedule,
    "update": cmd_update,
    "delete": cmd_delete,
    "rooms": cmd_rooms,
}


# ---------------------------------------------------------------- entry point


def _run(
    args: argparse.Namespace,
    paths: Paths,
    out: Output,
    *,
    demo: bool,
    redactor: RedactingFilter | None = None,
) -> int:
    """Open the profile's database (and the demo sandbox), run the command, close all."""
    db = open_database(paths)
    try:
        for notice in db.notices:
            out.note(f"meeting-launcher: {notice}")
        if not demo:
            return asyncio.run(_run_command(args, paths, db, out, demo=False, redactor=redactor))
        from launcher.services.demo import start_demo

        running = start_demo(paths, db)
        try:
            return asyncio.run(_run_command(args, paths, db, out, demo=True, redactor=redactor))
        finally:
            running.stop()
    finally:
        db.close()


async def _run_command(
    args: argparse.Namespace,
    paths: Paths,
    db: Database,
    out: Output,
    *,
    demo: bool,
    redactor: RedactingFilter | None = None,
) -> int:
    secrets = SecretStore(paths.secrets_file, backend="file" if demo else "auto")
    ctx = Context(paths, AccountStore(db), secrets, new_http_client())
    ctx.instance_address = instance_address(paths, demo=demo)
    if redactor is not None:
        ctx.secret_listener = redactor.add_secret
    if redactor is not None and args.command != "accounts":
        # The log masks the accounts' secrets by value too, not only by their patterns.
        with contextlib.suppress(LauncherError):
            for value in ctx.preload_clients():
                redactor.add_secret(value)
    try:
        return await COMMANDS[args.command](args, ctx, out)
    finally:
        await ctx.aclose()


def _one_line(text: str) -> str:
    """Keep an error message on one line (a value shown in it may hold a line break)."""
    return " ".join(text.split())


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line; return the exit code."""
    out_stream = stdout or sys.stdout
    err_stream = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except UsageError as exc:
        err_stream.write(f"meeting-launcher: error: {_one_line(str(exc))}\n")
        return EXIT_BAD_INPUT
    if args.command is None:
        parser.print_help(out_stream)
        out_stream.write("\nTry it without an account: meeting-launcher --demo meetings\n")
        return EXIT_OK
    if args.command == "sandbox":
        from launcher.sandbox.server import serve

        if not 0 <= args.port <= 65535:
            err_stream.write("meeting-launcher: error: --port: must be 0 to 65535\n")
            return EXIT_BAD_INPUT
        if not is_host_name(args.host):
            err_stream.write(
                "meeting-launcher: error: --host: must be a host name or an IP address\n"
            )
            return EXIT_BAD_INPUT
        serve(args.host, args.port)
        return EXIT_OK
    output = Output(as_json=getattr(args, "json", False), out=out_stream, err=err_stream)
    try:
        if args.demo:
            with _demo_profile() as paths:
                redactor = setup_logging(paths, debug=args.debug, stream=err_stream)
                output.mask = redactor.mask
                return _run(args, paths, output, demo=True, redactor=redactor)
        paths = resolve_paths().ensure()
        redactor = setup_logging(paths, debug=args.debug, stream=err_stream)
        output.mask = redactor.mask
        return _run(args, paths, output, demo=False, redactor=redactor)
    except InvalidInput as exc:
        reason = output.mask(_one_line(exc.reason))
        err_stream.write(f"meeting-launcher: error: {option_name(args, exc.field)}: {reason}\n")
        return EXIT_BAD_INPUT
    except InputNeeded as exc:
        err_stream.write(f"meeting-launcher: needs {exc.needs}: {output.mask(str(exc))}\n")
        return EXIT_NEEDS_INPUT
    except (ProviderError, ConfigError, LauncherError) as exc:
        err_stream.write(f"meeting-launcher: {output.mask(str(exc))}\n")
        return EXIT_FAILURE
    except KeyboardInterrupt:
        err_stream.write("meeting-launcher: interrupted\n")
        return 130
    except Exception as exc:  # never a traceback for a user; the log file has it
        log.exception("internal error")
        err_stream.write(
            f"meeting-launcher: internal error ({type(exc).__name__}); details are in the log "
            f"file. Please report it.\n"
        )
        return EXIT_FAILURE
    finally:
        close_logging()


__all__ = ["build_parser", "main"]
