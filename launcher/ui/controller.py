"""The controller: carries out what the window and the tray ask for, with the services.

Widgets emit ``*_requested`` signals; the slots here start coroutines through the one
TaskRunner, answer join-flow questions with non-blocking dialogs (DialogPrompter) and
report every failure as a message in the window, never as a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import logging
import subprocess
import sys
from collections.abc import Coroutine, Iterator, Mapping
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication

from launcher.core.errors import InvalidInput, LauncherError
from launcher.core.links import LinkTarget, check_openable, parse_target
from launcher.core.models import Account, Meeting, Provider, Role
from launcher.providers.bluejeans.client import BlueJeansClient
from launcher.providers.joinme.client import JoinMeClient
from launcher.providers.whereby.client import WherebyClient
from launcher.services.context import Context, new_http_client
from launcher.services.join import JoinOutcome, JoinService
from launcher.services.opener import open_url, trusted_role_link
from launcher.services.sync import AccountSync, SyncService, SyncState
from launcher.services.tasks import TaskRunner
from launcher.store.accounts import AccountStore
from launcher.store.cache import MeetingCache
from launcher.store.logs import setup_logging
from launcher.store.paths import Paths
from launcher.store.secrets import SecretStore
from launcher.store.settings import Settings, SettingsStore
from launcher.ui import dialogs
from launcher.ui.account_dialog import AddAccountDialog, RelaySignInDialog
from launcher.ui.asyncqt import accepted, run_dialog
from launcher.ui.icons import app_icon
from launcher.ui.main_window import MainWindow
from launcher.ui.models import meeting_key
from launcher.ui.prompter import DialogPrompter, JoinCancelled
from launcher.ui.settings_dialog import SettingsDialog
from launcher.ui.tray import TrayController

log = logging.getLogger("launcher.controller")

#: How often every account is refreshed while the app runs.
REFRESH_MINUTES = 5
#: Account states that a refresh reports in the message banner.
_PROBLEMS = (SyncState.OFFLINE, SyncState.SIGN_IN_NEEDED, SyncState.FAILED)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Hold automatic cyclic garbage collection during a burst; collect once after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            QTimer.singleShot(60, gc.collect)  # after the window's and tray's updates


class AppController(QObject):
    """Owns the services for the window's lifetime and runs every async action."""

    def __init__(
        self,
        window: MainWindow,
        ctx: Context,
        sync: SyncService,
        settings: SettingsStore,
        *,
        demo_sandbox: Any = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.sync = sync
        self.join_service = JoinService(ctx)
        self.settings_store = settings
        self.settings: Settings = settings.load()
        self.runner = TaskRunner(self._on_task_error)
        self._quit = asyncio.Event()
        self._closed = False
        self._pending_meetings: tuple[Meeting, ...] | None = None
        self._sync_problem: str | None = None
        self._update_timer = QTimer(self)
        self._update_timer.setSingleShot(True)
        # During a sync, accounts that answer within this many ms are shown together;
        # the rest is shown the moment the sync ends.
        self._update_timer.setInterval(250)
        self._syncing = False
        self._update_timer.timeout.connect(self._on_update_timer_timeout)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MINUTES * 60_000)
        self._refresh_timer.timeout.connect(self.refresh)
        self._refresh_timer.start()
        self._demo_sandbox = demo_sandbox
        self.tray = TrayController(app_icon(), self)
        self.tray.set_reminder_minutes(self.settings.reminder_minutes)
        self.tray.set_grace_minutes(self.settings.next_meeting_grace_minutes)
        window.keep_running_in_tray = self.tray.available
        sync.subscribe(self._on_sync_changed)
        self._connect()

    # ------------------------------------------------------------------ life cycle

    @classmethod
    async def create(
        cls, window: MainWindow, paths: Paths, *, demo: bool = False, debug: bool = False
    ) -> AppController:
        """Build the services (inside the running loop) and start the first refresh."""
        redactor = setup_logging(paths, debug=debug, stream=sys.stderr)
        sandbox = None
        secrets_backend = "auto"
        if demo:
            from launcher.services.demo import start_demo

            sandbox = await asyncio.to_thread(start_demo, paths)
            secrets_backend = "file"
        secrets = SecretStore(paths.secrets_file, backend=secrets_backend)  # type: ignore[arg-type]
        ctx = Context(paths, AccountStore(paths.accounts_file), secrets, new_http_client())
        # Reading secrets may block (a keyring over D-Bus, an unlock prompt): build the
        # accounts' clients, which read them, beside the event loop, not on it.
        for value in await asyncio.to_thread(ctx.preload_clients):
            redactor.add_secret(value)
        sync = SyncService(ctx, MeetingCache(paths.cache / "meetings.json"))
        controller = cls(window, ctx, sync, SettingsStore(paths.config / "settings.json"),
                         demo_sandbox=sandbox)
        for problem in controller.settings_store.problems:
            window.show_message(problem, error=True)
        controller.start()
        return controller

    def start(self) -> None:
        """Show cached data with its status, then refresh every account."""
        accounts = self._accounts()
        self.window.set_accounts([a.name for a in accounts])
        self.sync.load_cache(accounts)
        if self._demo_sandbox is not None:
            self.window.show_message("Demo: four sample accounts on the built-in sandbox.")
        if self.ctx.secrets.warning and not self._demo_sandbox:
            self.window.show_message(self.ctx.secrets.warning)
        self.refresh()

    async def run_until_quit(self) -> None:
        """Phase 1: live until quit is requested."""
        await self._quit.wait()

    def request_quit(self) -> None:
        """Ask the app to end (tray Quit, a signal, a second launch, the OS)."""
        self._quit.set()

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` has run."""
        return self._closed

    async def aclose(self) -> None:
        """Cancel tasks, close HTTP, stop the demo sandbox (once)."""
        if self._closed:
            return
        self._closed = True
        self._refresh_timer.stop()
        self._update_timer.stop()
        self.tray.shutdown()
        await self.runner.aclose()
        await self.ctx.aclose()
        if self._demo_sandbox is not None:
            await asyncio.to_thread(self._demo_sandbox.stop)

    # ------------------------------------------------------------------ wiring

    def _connect(self) -> None:
        w = self.window
        w.refresh_requested.connect(self.refresh)
        w.join_requested.connect(self._on_join_requested)
        w.start_requested.connect(self._on_start_requested)
        w.edit_requested.connect(self._on_edit_requested)
        w.delete_requested.connect(self._on_delete_requested)
        w.join_link_requested.connect(self._on_join_link_requested)
        w.schedule_requested.connect(self._on_schedule_requested)
        w.adhoc_requested.connect(self._on_adhoc_requested)
        w.create_room_requested.connect(self._on_create_room_requested)
        w.add_account_requested.connect(self._on_add_account_requested)
        w.demo_requested.connect(self._on_demo_requested)
        w.sign_in_requested.connect(self._on_sign_in_requested)
        w.settings_requested.connect(self._on_settings_requested)
        w.close_requested.connect(self._on_window_close_requested)
        t = self.tray
        t.join_requested.connect(self._on_join_requested)
        t.join_clipboard_requested.connect(self._on_join_clipboard_requested)
        t.adhoc_requested.connect(self._on_adhoc_requested)
        t.show_window_requested.connect(self.show_window)
        t.toggle_window_requested.connect(self._on_tray_toggle_window_requested)
        t.quit_requested.connect(self.request_quit)

    def spawn(self, coro: Coroutine[Any, Any, Any], *, key: str | None = None) -> None:
        """Run *coro* on the loop, owned by the TaskRunner."""
        self.runner.spawn(coro, key=key)

    def _on_task_error(self, exc: BaseException) -> None:
        if isinstance(exc, LauncherError):
            self.window.show_message(str(exc), error=True)
            return
        log.error("unexpected error in a background task", exc_info=exc)
        self.window.show_message(
            f"Something went wrong ({type(exc).__name__}). Details are in the log file.",
            error=True,
        )

    def _accounts(self) -> list[Any]:
        try:
            return self.ctx.accounts.load()
        except LauncherError as exc:
            self.window.show_message(str(exc), error=True)
            return []

    def _account_or_none(self, name: str) -> Account | None:
        try:
            return self.ctx.account(name)
        except LauncherError:
            return None

    # ------------------------------------------------------------------ sync

    def refresh(self) -> None:
        """Refresh every account; a refresh while one runs replaces it."""
        self.spawn(self.refresh_now(), key="refresh")

    async def refresh_now(self) -> None:
        """Refresh every account and wait until all have answered."""
        # A sync builds thousands of short-lived objects; an automatic full collection
        # in the middle of it paused the event loop for 20-30 ms (measured). The cyclic
        # collector waits until the sync is over and then runs once, between frames.
        # Nothing is leaked meanwhile: our objects are freed by reference counting.
        self._syncing = True
        try:
            with paused_gc():
                await self.sync.refresh(self._accounts())
        finally:
            self._syncing = False
            self._update_timer.stop()
            self._on_update_timer_timeout()
        self._report_sync_problems()

    def _report_sync_problems(self) -> None:
        """Say which accounts could not be refreshed, and why (cleared once all work)."""
        failed = [s for s in self.sync.statuses.values() if s.state in _PROBLEMS]
        if not failed:
            if self._sync_problem is not None:
                self.window.clear_message(self._sync_problem)
                self._sync_problem = None
            return
        lines = [f"Could not refresh {s.account} ({s.message or s.describe()})." for s in failed]
        if any(s.since is not None for s in failed):
            lines.append("The meetings fetched before are still shown.")
        if any(s.state is SyncState.SIGN_IN_NEEDED for s in failed):
            lines.append("Click the account under Accounts to sign in again.")
        self._sync_problem = " ".join(lines)
        self.window.show_message(self._sync_problem, error=True)

    def _on_sync_changed(
        self, meetings: tuple[Meeting, ...], statuses: Mapping[str, AccountSync]
    ) -> None:
        self.window.set_statuses(
            {name: (s.state.value, s.describe()) for name, s in statuses.items()}
        )
        # Accounts often answer within a few milliseconds of each other: show their
        # meetings together, so thousands of rows are laid out once, not once each.
        self._pending_meetings = meetings
        if not self._syncing:
            self._on_update_timer_timeout()
        elif not self._update_timer.isActive():
            self._update_timer.start()

    def _on_update_timer_timeout(self) -> None:
        meetings = self._pending_meetings
        if meetings is None:
            return
        self._pending_meetings = None
        self.window.set_meetings(meetings)
        # The tray a few ms later, in its own turn of the event loop: two short pauses
        # with frames painted between them, not one long one.
        QTimer.singleShot(5, lambda: self._update_tray(meetings))

    def _update_tray(self, meetings: tuple[Meeting, ...]) -> None:
        if not self._closed:  # a late update must not wake a tray that was shut down
            self.tray.set_meetings(meetings)

    # ------------------------------------------------------------------ window / tray

    def show_window(self) -> None:
        """Show, raise and focus the window."""
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def _on_tray_toggle_window_requested(self) -> None:
        if self.window.isVisible() and not self.window.isMinimized():
            self.window.hide()
        else:
            self.show_window()

    def _on_window_close_requested(self) -> None:
        if not self.tray.available:
            self.request_quit()
            return
        if not self.settings.tray_notice_shown:
            self.tray.show_closed_to_tray_notice()
            self.settings = dataclasses.replace(self.settings, tray_notice_shown=True)
            try:
                self.settings_store.save(self.settings)
            except OSError as exc:
                log.warning("could not save settings: %s", exc)

    def handle_instance_command(self, message: dict[str, Any]) -> dict[str, Any]:
        """Answer a second launch: raise, join a link, report status, or quit."""
        cmd = message.get("cmd")
        if cmd == "raise":
            self.show_window()
            return {"ok": True}
        if cmd == "join":
            url = message.get("url")
            if not isinstance(url, str) or not url.strip():
                return {"ok": False, "error": "no link given"}
            self.show_window()
            self.spawn(self.join_link(url.strip()), key="join")
            return {"ok": True}
        if cmd == "status":
            statuses = self.sync.statuses
            return {
                "ok": True,
                "meetings": len(self.sync.meetings),
                "accounts": {n: s.state.value for n, s in statuses.items()},
                "visible": self.window.isVisible(),
            }
        if cmd == "quit":
            self.request_quit()
            return {"ok": True}
        return {"ok": False, "error": f"unknown command {cmd!r}"}

    # ------------------------------------------------------------------ joining

    def _on_join_requested(self, meeting: object) -> None:
        if isinstance(meeting, Meeting):
            self.spawn(self.join_meeting(meeting), key="join")

    def _on_start_requested(self, meeting: object) -> None:
        if isinstance(meeting, Meeting):
            self.spawn(self.join_meeting(meeting, role=Role.PRESENTER), key="join")

    def _target_of(self, meeting: Meeting) -> LinkTarget | None:
        if meeting.provider is Provider.BLUEJEANS and meeting.number:
            return LinkTarget(Provider.BLUEJEANS, meeting.number, url=meeting.join_url,
                              account=meeting.account)
        if meeting.join_url:
            target = parse_target(meeting.join_url, self.ctx.web_bases())
            if target is not None:
                return dataclasses.replace(target, account=meeting.account)
        return None

    async def join_meeting(self, meeting: Meeting, *, role: Role | None = None) -> None:
        """Join *meeting* as the user's role (or the one asked for)."""
        role = role or (Role.VIEWER if meeting.provider is Provider.BLUEJEANS else meeting.role)
        if meeting.provider is Provider.JOINME and role is Role.PRESENTER:
            await self._start_joinme(meeting.account, meeting.id)
            return
        if meeting.provider is Provider.WHEREBY:
            if role is Role.PRESENTER and meeting.host_url:
                # A host link is opened only if it comes from Whereby or the account's server.
                host = trusted_role_link(meeting.host_url, Provider.WHEREBY,
                                         self._account_or_none(meeting.account))
                await self._open(host, f"Opened {meeting.title}.")
                return
            await self._open(meeting.join_url or "", f"Opened {meeting.title}.")
            return
        target = self._target_of(meeting)
        if target is None:
            if meeting.join_url:
                await self._open(meeting.join_url, f"Opened {meeting.title} in the browser.")
            else:
                self.window.show_message("This meeting has no join link.", error=True)
            return
        remembered = self._remembered_passcode(meeting)
        await self._join_target(target, role=role, passcode=remembered or meeting.passcode,
                                title=meeting.title, remember_key=meeting_key(meeting),
                                remembered=remembered)

    async def join_link(self, url: str) -> None:
        """Join a pasted link: through its provider when recognised, else the browser."""
        target = parse_target(url, self.ctx.web_bases())
        if target is None:
            try:
                check_openable(url)
            except InvalidInput:
                self.window.show_message(
                    "That is not a meeting link Meeting Launcher can open: paste a web link "
                    "(https://…), a meeting app link or a BlueJeans meeting ID.",
                    error=True,
                )
                return
            await self._open(url, "Opened the link in the browser.")
            return
        await self._join_target(target, role=None, passcode=target.passcode, title=None,
                                remember_key=None)

    async def _join_target(
        self,
        target: LinkTarget,
        *,
        role: Role | None,
        passcode: str | None,
        title: str | None,
        remember_key: str | None,
        remembered: str | None = None,
    ) -> None:
        # Only a passcode the user chose to remember pre-ticks "remember"; one that came
        # with the meeting (from the provider's API) is used, but not stored unasked.
        prompter = DialogPrompter(
            self.window,
            sign_in=self._sign_in_for(target),
            remembered=remembered if remember_key else None,
            subject=title,
        )
        try:
            outcome = await prompter.run(
                self.join_service.join(
                    target,
                    prompter,
                    passcode=passcode if target.provider is Provider.BLUEJEANS else None,
                    role=role,
                )
            )
        except JoinCancelled as exc:
            if exc.open_in_browser and target.url:
                await self._open(target.url, "Opened the join link in the browser.")
            else:
                self.window.show_message("Join cancelled.")
            return
        finally:
            prompter.close()
        if outcome is None:
            self.window.show_message("Join cancelled.")
            return
        if remember_key is not None and prompter.last_passcode:
            # The user answered a passcode prompt: keep the code only if they asked to;
            # unticking "remember" forgets one kept earlier.
            if prompter.remember_requested:
                self._remember_passcode(remember_key, prompter.last_passcode)
            else:
                self._forget_passcode(remember_key)
        await self._open_outcome(outcome, title)

    async def _open_outcome(self, outcome: JoinOutcome, title: str | None) -> None:
        label = title or f"the {outcome.provider.label} meeting"
        note = f" {outcome.note}" if outcome.note else ""
        await self._open(outcome.url, f"Opened {label} as {outcome.role.value}.{note}")

    async def _open(self, url: str, message: str) -> None:
        await open_url(url)
        self.window.show_message(message)

    def _sign_in_for(self, target: LinkTarget) -> Any:
        if target.provider is not Provider.BLUEJEANS:
            return None

        async def sign_in() -> bool:
            return await self._relay_sign_in(target.account)

        return sign_in

    async def _relay_sign_in(self, account_name: str | None) -> bool:
        """Sign in to the BlueJeans relay: the password is used once, the token kept."""
        try:
            account = self.ctx.account_of(Provider.BLUEJEANS, account_name)
        except LauncherError as exc:
            self.window.show_message(str(exc), error=True)
            return False
        dialog = RelaySignInDialog(self.window, account.username or "")
        try:
            if not accepted(await run_dialog(dialog)):
                return False
            username, password = dialog.username(), dialog.password()
        finally:
            dialog.deleteLater()  # the dialog, and the password typed in it, are not kept
        client = self.ctx.client_for(account)
        assert isinstance(client, BlueJeansClient)
        try:
            token = await client.create_relay_token(username, password)
        except LauncherError as exc:
            self.window.show_message(str(exc), error=True)
            return False
        self.ctx.secrets.set(account.name, "token", token)
        self.window.show_message(f"Signed in to BlueJeans as {username}.")
        return True

    def _on_sign_in_requested(self, account_name: str) -> None:
        async def go() -> None:
            account = self.ctx.account(account_name)
            if account.provider is Provider.BLUEJEANS:
                if await self._relay_sign_in(account_name):
                    self.refresh()
                return
            self.window.show_message(
                f"{account_name}: the saved credentials were refused. Remove the account and "
                "add it again with new credentials (New ▸ Add account…).",
                error=True,
            )

        self.spawn(go())

    def _remembered_passcode(self, meeting: Meeting) -> str | None:
        try:
            return self.ctx.secrets.get_passcode(meeting_key(meeting))
        except LauncherError:
            return None

    def _remember_passcode(self, key: str, passcode: str) -> None:
        try:
            self.ctx.secrets.set_passcode(key, passcode)
        except (LauncherError, OSError) as exc:
            log.warning("could not remember the passcode: %s", exc)

    def _forget_passcode(self, key: str) -> None:
        try:
            self.ctx.secrets.delete_passcode(key)
        except (LauncherError, OSError) as exc:
            log.warning("could not forget the passcode: %s", exc)

    def _on_join_link_requested(self) -> None:
        self.spawn(self._ask_and_join_link(), key="join")

    def _on_join_clipboard_requested(self) -> None:
        text = QGuiApplication.clipboard().text().strip()
        if not text:
            self.window.show_message("The clipboard holds no link.", error=True)
            self.show_window()
            return
        self.spawn(self.join_link(text), key="join")

    async def _ask_and_join_link(self) -> None:
        clip = QGuiApplication.clipboard().text().strip()
        known = bool(clip) and parse_target(clip, self.ctx.web_bases()) is not None
        bases = self.ctx.web_bases()
        text = await dialogs.JoinLinkDialog.ask(
            self.window, lambda t: dialogs.link_problem(t, bases), text=clip if known else ""
        )
        if text:
            await self.join_link(text)

    # ------------------------------------------------------------------ creating

    def _accounts_of(self, provider: Provider) -> list[str]:
        return [a.name for a in self._accounts() if a.provider is provider]

    def _need_accounts(self, provider: Provider) -> list[str] | None:
        names = self._accounts_of(provider)
        if not names:
            self.window.show_message(
                f"Add a {provider.label} account first (New ▸ Add account…).", error=True
            )
            return None
        return names

    def _joinme(self, name: str) -> JoinMeClient:
        client = self.ctx.client_for(self.ctx.account(name))
        assert isinstance(client, JoinMeClient)
        return client

    def _whereby(self, name: str) -> WherebyClient:
        client = self.ctx.client_for(self.ctx.account(name))
        assert isinstance(client, WherebyClient)
        return client

    async def _start_joinme(self, account: str, meeting_id: str | None, *,
                            headless: bool = False, personal_url: bool = False) -> None:
        started = await self._joinme(account).start_meeting(
            meeting_id, headless=headless, personal_url=personal_url
        )
        # The one-time presenter link goes straight to the opener: never shown or stored,
        # and never opened unless it comes from join.me or the account's own server.
        await open_url(trusted_role_link(started.presenter_link, Provider.JOINME,
                                         self.ctx.account(account)))
        self.window.show_message("Started the join.me meeting as presenter.")
        await dialogs.StartedMeetingDialog.ask(self.window, started)
        if meeting_id is None:
            self.refresh()

    def _on_schedule_requested(self) -> None:
        names = self._need_accounts(Provider.JOINME)
        if names:
            self.spawn(self._schedule(names, None))

    def _on_edit_requested(self, meeting: object) -> None:
        if isinstance(meeting, Meeting) and meeting.provider is Provider.JOINME:
            self.spawn(self._schedule([meeting.account], meeting))

    async def _schedule(self, names: list[str], existing: Meeting | None) -> None:
        result = await dialogs.ScheduleMeetingDialog.ask(self.window, names, existing=existing)
        if result is None:
            return
        account, draft = result
        client = self._joinme(account)
        if existing is None:
            meeting = await client.schedule_meeting(draft)  # type: ignore[arg-type]
            self.window.show_message(f"Scheduled “{meeting.title}”.")
        else:
            meeting = await client.update_meeting(existing.id, draft)  # type: ignore[arg-type]
            self.window.show_message(f"Updated “{meeting.title}”.")
        self.refresh()

    def _on_delete_requested(self, meeting: object) -> None:
        if isinstance(meeting, Meeting):
            self.spawn(self._delete(meeting))

    async def _delete(self, meeting: Meeting) -> None:
        if not await dialogs.ConfirmDeleteDialog.ask(self.window, meeting):
            return
        if meeting.provider is Provider.JOINME:
            await self._joinme(meeting.account).delete_meeting(meeting.id)
        elif meeting.provider is Provider.WHEREBY:
            await self._whereby(meeting.account).delete_room(meeting.id)
        else:
            return
        self.window.show_message(f"Deleted “{meeting.title}”.")
        self.refresh()

    def _on_adhoc_requested(self) -> None:
        names = self._need_accounts(Provider.JOINME)
        if names:
            self.spawn(self._adhoc(names))

    async def _adhoc(self, names: list[str]) -> None:
        choice = await dialogs.StartAdHocDialog.ask(self.window, names)
        if choice is None:
            return
        account, headless, personal = choice
        await self._start_joinme(account, None, headless=headless, personal_url=personal)

    def _on_create_room_requested(self) -> None:
        names = self._need_accounts(Provider.WHEREBY)
        if names:
            self.spawn(self._create_room(names))

    async def _create_room(self, names: list[str]) -> None:
        result = await dialogs.CreateRoomDialog.ask(self.window, names)
        if result is None:
            return
        account, draft = result
        room = await self._whereby(account).create_room(draft)
        self.window.show_message(f"Created the Whereby room {room.room_name}.")
        await dialogs.RoomCreatedDialog.ask(self.window, room)
        self.refresh()

    # ------------------------------------------------------------------ settings

    def _on_settings_requested(self) -> None:
        self.spawn(self.edit_settings())

    async def edit_settings(self) -> None:
        """Let the user change the settings; apply and save them at once."""
        dialog = SettingsDialog(self.window, self.settings)
        try:
            if not accepted(await run_dialog(dialog)):
                return
            self.apply_settings(dialog.result_value())
        finally:
            dialog.deleteLater()

    def apply_settings(self, settings: Settings) -> None:
        """Use *settings* from now on and write them to the settings file."""
        self.settings = settings
        self.tray.set_reminder_minutes(settings.reminder_minutes)
        self.tray.set_grace_minutes(settings.next_meeting_grace_minutes)
        try:
            self.settings_store.save(settings)
        except OSError as exc:
            self.window.show_message(f"The settings could not be saved: {exc}", error=True)
            return
        self.window.show_message("Settings saved.")

    # ------------------------------------------------------------------ accounts

    def _on_add_account_requested(self) -> None:
        self.spawn(self._add_account())

    async def _add_account(self) -> None:
        dialog = AddAccountDialog(self.window)
        try:
            if not accepted(await run_dialog(dialog)):
                return
            account, secrets = dialog.result_value()
        finally:
            dialog.deleteLater()  # it holds the secrets typed
        from launcher.services.accounts import save_account

        save_account(self.ctx.accounts, self.ctx.secrets, account, secrets)
        self.window.show_message(f"Added {account.provider.label} account “{account.name}”.")
        self.start()

    def _on_demo_requested(self) -> None:
        try:
            subprocess.Popen(  # a separate demo window; this one stays as it is
                [sys.executable, "-m", "launcher", "--demo"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            self.window.show_message(f"Could not start the demo: {exc}", error=True)
            return
        self.window.show_message("Opening the demo in a new window…")


__all__ = ["AppController"]
