"""The controller: carries out what the window and the tray ask for, with the services.

Widgets emit ``*_requested`` signals; the slots here start coroutines through the one
TaskRunner, answer join-flow questions with non-blocking dialogs (DialogPrompter) and
report every failure as a message in the window, never as a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import gc
import logging
import subprocess
import sys
from collections.abc import Callable, Coroutine, Iterator, Mapping
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtNetwork import QNetworkInformation
from PySide6.QtWidgets import QMessageBox, QWidget

from launcher.core.errors import InvalidInput, LauncherError, ProviderError
from launcher.core.filters import calendar_of
from launcher.core.links import LinkTarget, check_openable, parse_target
from launcher.core.models import API_PROVIDERS, Account, Meeting, Provider, Role
from launcher.providers.bluejeans.client import BlueJeansClient
from launcher.providers.joinme.client import JoinMeClient
from launcher.providers.whereby.client import WherebyClient
from launcher.services.backoff import Backoff
from launcher.services.context import Context, new_http_client
from launcher.services.join import JoinOutcome, JoinService
from launcher.services.local import as_meeting, local_row_id
from launcher.services.opener import open_url, trusted_role_link
from launcher.services.signin import SignInInput, SignInService
from launcher.services.sync import AccountSync, SyncService, SyncState
from launcher.services.tasks import TaskRunner
from launcher.store.accounts import AccountStore
from launcher.store.cache import MeetingCache
from launcher.store.db import Database
from launcher.store.history import LocalMeetings
from launcher.store.logs import setup_logging
from launcher.store.paths import Paths
from launcher.store.secrets import SecretStore
from launcher.store.settings import Settings, SettingsStore
from launcher.ui import dialogs
from launcher.ui.account_dialog import (
    AccountSignInDialog,
    AddAccountDialog,
    EditAccountDialog,
    FlowDialog,
    RelaySignInDialog,
    busy_text,
)
from launcher.ui.accounts_page import AccountRow, AccountsModel
from launcher.ui.asyncqt import accepted, run_dialog
from launcher.ui.dialogs.links import AddMeetingDialog, PreJoinDialog, shown_findings
from launcher.ui.icons import app_icon
from launcher.ui.linkinfo import PlainLink
from launcher.ui.main_window import MainWindow
from launcher.ui.models import meeting_key
from launcher.ui.prompter import DialogPrompter, JoinCancelled
from launcher.ui.settings_dialog import SettingsDialog
from launcher.ui.tray import TrayController

log = logging.getLogger("launcher.controller")
T = TypeVar("T")

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
        self._meetings_changed = False  # the sync has news the window has not shown
        self._merging = False  # a task is merging them beside the loop (during a sync)
        self._sync_problem: str | None = None
        self._notices_shown = 0
        self._update_timer = QTimer(self)
        self._update_timer.setSingleShot(True)
        # During a sync, accounts that answer within this many ms are shown together;
        # the rest is shown the moment the sync ends.
        self._update_timer.setInterval(250)
        self._syncing = False
        self._update_timer.timeout.connect(self._on_update_timer_timeout)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MINUTES * 60_000)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)
        self._refresh_timer.start()
        #: While accounts are offline, re-syncs come from this timer, with backoff.
        self.backoff = Backoff()
        self._retry_timer = QTimer(self)
        self._retry_timer.setSingleShot(True)
        self._retry_timer.timeout.connect(self.refresh)
        self._retry_delay = 0.0
        self._network: QNetworkInformation | None = None
        self._demo_sandbox = demo_sandbox
        self.accounts_model = AccountsModel(self)
        self.signin = SignInService(ctx, browser=self._open_sign_in_page)
        self._flow_dialog: FlowDialog | None = None
        self._settings_dialog: SettingsDialog | None = None
        self.tray = TrayController(app_icon(), self)
        self.tray.set_reminder_minutes(self.settings.reminder_minutes)
        self.tray.set_grace_minutes(self.settings.next_meeting_grace_minutes)
        window.keep_running_in_tray = self.tray.available
        self.tray.set_link_checker(window.links.has_link)
        self._last_meetings: tuple[Meeting, ...] = ()
        self._apply_link_preferences()
        self._apply_filters()
        sync.subscribe(self._on_sync_changed)
        self._connect()
        self._watch_network()

    # ------------------------------------------------------------------ life cycle

    @classmethod
    async def create(
        cls,
        window: MainWindow,
        paths: Paths,
        db: Database,
        *,
        demo: bool = False,
        debug: bool = False,
    ) -> AppController:
        """Build the services (inside the running loop) and start the first refresh.

        *db* is the profile's open database; the composition root owns and closes it.
        """
        redactor = setup_logging(paths, debug=debug, stream=sys.stderr)
        sandbox = None
        secrets_backend = "auto"
        if demo:
            from launcher.services.demo import start_demo

            sandbox = await asyncio.to_thread(start_demo, paths, db)
            secrets_backend = "file"
        secrets = SecretStore(paths.secrets_file, backend=secrets_backend)  # type: ignore[arg-type]
        ctx = Context(paths, AccountStore(db), secrets, new_http_client())
        ctx.secret_listener = redactor.add_secret
        settings = SettingsStore(paths.config / "settings.json")
        # An ICS subscription is downloaded at most this often; refreshes between re-read it.
        ctx.ics_min_interval = dt.timedelta(minutes=settings.load().ics_refresh_minutes)
        # Reading secrets may block (a keyring over D-Bus, an unlock prompt): build the
        # accounts' clients, which read them, beside the event loop, not on it.
        for value in await asyncio.to_thread(ctx.preload_clients):
            redactor.add_secret(value)
        sync = SyncService(ctx, MeetingCache(db))
        controller = cls(window, ctx, sync, settings, demo_sandbox=sandbox)
        for problem in controller.settings_store.problems:
            window.show_message(problem, error=True)
        controller.start()
        controller.show_store_notices()
        return controller

    def start(self) -> None:
        """Show cached data with its status, then refresh every account."""
        self.accounts_changed()
        if self._demo_sandbox is not None:
            self.window.show_message(
                "Demo: sample accounts and a calendar on the built-in sandbox.")
        if self.ctx.secrets.warning and not self._demo_sandbox:
            self.window.show_message(self.ctx.secrets.warning)

    def accounts_changed(self) -> None:
        """Show the accounts as they are now (cached meetings first), then refresh them."""
        accounts = self._accounts()
        self.window.set_accounts([a.name for a in accounts])
        self.sync.load_cache(accounts)
        self._update_accounts_model()
        self.refresh()

    def show_store_notices(self) -> None:
        """Show what the database had to report (moved aside, not imported) and not shown yet.

        Shown last at start-up, so no other message hides it; checked again after each
        refresh, as damage can also be found while the app runs.
        """
        notices = self.sync.cache.database.notices
        if len(notices) > self._notices_shown:
            self._notices_shown = len(notices)
            self.window.show_message(" ".join(notices), error=True)

    def _update_accounts_model(self) -> None:
        statuses = self.sync.statuses
        rows = []
        for account in self._accounts():
            status = statuses.get(account.name)
            rows.append(AccountRow(
                name=account.name,
                provider=account.provider,
                username=account.username,
                state=status.state.value if status else "",
                status=status.describe() if status else "",
                message=status.message if status else "",
            ))
        if rows != self.accounts_model.rows():
            self.accounts_model.set_rows(rows)

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
        self._retry_timer.stop()
        self._update_timer.stop()
        if self._network is not None:
            self._network.reachabilityChanged.disconnect(self._on_reachability_changed)
            self._network = None
        self.tray.shutdown()
        await self.runner.aclose()
        await self.ctx.aclose()
        if self._demo_sandbox is not None:
            await asyncio.to_thread(self._demo_sandbox.stop)

    # ------------------------------------------------------------------ wiring

    def _connect(self) -> None:
        w = self.window
        w.refresh_requested.connect(self._on_refresh_requested)
        w.join_requested.connect(self._on_join_requested)
        w.join_with_requested.connect(self._on_join_with_requested)
        w.add_meeting_requested.connect(self._on_add_meeting_requested)
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
        t.add_meeting_requested.connect(self._on_tray_add_meeting_requested)
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

    def _on_refresh_requested(self) -> None:
        """Refresh now, as the user asked, and start the backoff over."""
        self.backoff.reset()
        self._retry_timer.stop()
        self.refresh()

    def _on_refresh_timer_timeout(self) -> None:
        if self._retry_timer.isActive():
            return  # accounts are offline: the backoff decides when to ask again
        self.refresh()

    @property
    def retry_pending(self) -> float | None:
        """The delay (seconds) chosen for the pending automatic re-sync, if one is due."""
        return self._retry_delay if self._retry_timer.isActive() else None

    def _schedule_retry(self) -> None:
        """After a sync: if accounts are offline, try again later, backing off; else reset."""
        offline = [s for s in self.sync.statuses.values() if s.state is SyncState.OFFLINE]
        if not offline:
            self.backoff.reset()
            self._retry_timer.stop()
            return
        asked = [s.retry_after for s in offline if s.retry_after is not None]
        delay = self.backoff.next_delay(at_least=max(asked) if asked else None)
        log.info("%d account(s) offline; syncing again in %.0f s", len(offline), delay)
        self._retry_delay = delay
        self._retry_timer.start(max(1, round(delay * 1000)))

    def _watch_network(self) -> None:
        """Re-sync at once when the network comes back (where Qt can tell)."""
        try:
            if QNetworkInformation.instance() is None:
                QNetworkInformation.loadBackendByFeatures(
                    QNetworkInformation.Feature.Reachability
                )
            info = QNetworkInformation.instance()
        except RuntimeError as exc:  # no backend on this system: the backoff still runs
            log.info("network changes cannot be watched here: %s", exc)
            return
        if info is not None:
            info.reachabilityChanged.connect(self._on_reachability_changed)
            self._network = info

    def _on_reachability_changed(self, reachability: QNetworkInformation.Reachability) -> None:
        if reachability is not QNetworkInformation.Reachability.Online or self._closed:
            return
        if any(s.state is SyncState.OFFLINE for s in self.sync.statuses.values()):
            log.info("the network is back; syncing the offline accounts now")
            self.backoff.reset()
            self._retry_timer.stop()
            self.refresh()

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
        self.show_store_notices()
        if not self._closed:
            self._schedule_retry()

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
        if any(s.state is SyncState.OFFLINE for s in failed):
            lines.append("It tries again by itself (or press Refresh).")
        if any(s.state is SyncState.SIGN_IN_NEEDED for s in failed):
            lines.append("Click the account under Accounts to sign in again.")
        self._sync_problem = " ".join(lines)
        self.window.show_message(self._sync_problem, error=True)

    def _on_sync_changed(self, statuses: Mapping[str, AccountSync]) -> None:
        self.window.set_statuses(
            {name: (s.state.value, s.describe()) for name, s in statuses.items()}
        )
        if self._settings_dialog is not None:
            self._update_accounts_model()
        # Accounts often answer within a few milliseconds of each other: show their
        # meetings together, so thousands of rows are merged and laid out once, not once
        # each (the sync merges them when they are read).
        self._meetings_changed = True
        if not self._syncing:
            self._show_meetings_now()
        elif not self._update_timer.isActive():
            self._update_timer.start()

    def _on_update_timer_timeout(self) -> None:
        """Show what a sync brought so far, merged beside the event loop."""
        if self._meetings_changed and not self._merging and not self._closed:
            self._merging = True
            self.spawn(self._show_merged())

    async def _show_merged(self) -> None:
        try:
            while self._meetings_changed and not self._closed:
                self._meetings_changed = False
                self._show_meetings(await self.sync.merged_meetings())
        finally:
            self._merging = False

    def _show_meetings_now(self) -> None:
        """Show the sync's meetings at once (after a change the user made, say)."""
        if self._meetings_changed:
            self._meetings_changed = False
            self._show_meetings(self.sync.meetings)

    def _show_meetings(self, meetings: tuple[Meeting, ...]) -> None:
        if meetings is self._last_meetings:  # e.g. every account answered as before
            return
        self._last_meetings = meetings
        self.window.set_meetings(meetings, ordered=True)  # the sync sorts its merged list
        # The tray a few ms later, in its own turn of the event loop: two short pauses
        # with frames painted between them, not one long one.
        QTimer.singleShot(5, lambda: self._update_tray(meetings))

    def _update_tray(self, meetings: tuple[Meeting, ...]) -> None:
        if not self._closed:  # a late update must not wake a tray that was shut down
            # The tray's "Join next" and reminders skip what the filters hide.
            event_filter = self.settings.event_filter()
            links = self.window.links.has_link
            self.tray.set_meetings([
                m for m in meetings
                if not event_filter.hidden(m, links(m) if event_filter.hides_by_link else None)
            ])

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

    def _on_join_with_requested(self, meeting: object, link: object) -> None:
        if isinstance(meeting, Meeting):
            self.spawn(self.join_meeting(meeting, link=link), key="join")

    async def join_meeting(
        self, meeting: Meeting, *, role: Role | None = None, link: Any = None
    ) -> None:
        """Join *meeting* as the user's role (or the one asked for).

        Meetings of the four API providers join through their provider (the join flow
        checks them). Calendar events, saved links, and any meeting joined through one
        of its other links (*link*) get the pre-join check first.
        """
        if link is not None or meeting.provider not in API_PROVIDERS:
            await self.join_checked(meeting, link)
            return
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
        """Join a pasted link: through its provider when recognised, else checked and opened."""
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
            pasted = Meeting(id="pasted", account="", provider=Provider.LOCAL, title="",
                             start=None, end=None, join_url=url)
            await self.join_checked(pasted, None, pasted=True)
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

    async def join_checked(self, meeting: Meeting, link: Any = None, *,
                           pasted: bool = False) -> None:
        """Run the pre-join check on *meeting*'s links, then open the one chosen.

        *link* is one of its links ("Join with …"); by default the first, ranked one.
        When the check finds something, a dialog says what and offers the fixes
        (add the passcode, copy it, pick one of conflicting links) or "Join anyway".
        A BlueJeans link goes through the BlueJeans join flow, as a pasted link does.
        """
        links = self.window.links.links(meeting)
        if link is not None:
            links = (link, *(x for x in links if x is not link))
        if not links:
            self.window.show_message("This meeting has no join link.", error=True)
            return
        title = meeting.title or None
        findings = shown_findings(self.window.links.check(meeting, links if link is None
                                                          else (link,)))
        chosen, url = links[0], links[0].url
        if findings:
            dialog = PreJoinDialog(self.window, findings, links, subject=title)
            try:
                if not accepted(await run_dialog(dialog)) or dialog.chosen_url() is None:
                    self.window.show_message("Join cancelled.")
                    return
                chosen, url = dialog.chosen_link(), dialog.chosen_url()
            finally:
                dialog.deleteLater()
        assert url is not None
        target = parse_target(url, self.ctx.web_bases())
        if not pasted and target is not None and target.provider is Provider.BLUEJEANS:
            # The BlueJeans join flow checks the meeting (passcode, sign-in) as today.
            await self._join_target(target, role=None, passcode=target.passcode,
                                    title=title, remember_key=None)
            return
        label = title or "the meeting"
        if url == chosen.url:
            opener = self.window.links.opener(lambda u: open_url(u))
            await opener(chosen)
        else:
            await open_url(url)
        if pasted and isinstance(chosen, PlainLink):
            self.window.show_message("Opened the link in the browser.")
        else:
            self.window.show_message(f"Opened {label}.")

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
        await self.ctx.keep_secrets(account.name, {"relay_token": token})
        self.window.show_message(f"Signed in to BlueJeans as {username}.")
        return True

    def _on_sign_in_requested(self, account_name: str) -> None:
        self.spawn(self.sign_in_again(account_name, self.window), key=f"signin:{account_name}")

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
        bases = self.ctx.web_bases()
        known = bool(clip) and parse_target(clip, bases) is not None
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
        if meeting.provider is Provider.LOCAL:
            await self.delete_saved_link(meeting)
            return
        if meeting.provider is Provider.JOINME:
            await self._joinme(meeting.account).delete_meeting(meeting.id)
        elif meeting.provider is Provider.WHEREBY:
            await self._whereby(meeting.account).delete_room(meeting.id)
        else:
            return
        self.window.show_message(f"Deleted “{meeting.title}”.")
        self.refresh()

    # ------------------------------------------------------------------ saved links

    def _local_store(self) -> LocalMeetings:
        return LocalMeetings(self.ctx.accounts.database)

    def _on_add_meeting_requested(self) -> None:
        self.spawn(self.add_meeting(), key="add-meeting")

    def _on_tray_add_meeting_requested(self) -> None:
        self.spawn(self.add_meeting(reveal=True), key="add-meeting")

    async def add_meeting(self, *, reveal: bool = False) -> None:
        """Ask for a link, a title and a time; save it and show it in the agenda at once.

        *reveal* (from the tray) shows the window with the new meeting once it is saved.
        """
        clipboard = QGuiApplication.clipboard().text()
        dialog = AddMeetingDialog(self.window, clipboard=clipboard, tz=self.window.model.tz)
        try:
            if not accepted(await run_dialog(dialog)):
                return
            new = dialog.value()
        finally:
            dialog.deleteLater()
        try:
            saved = await asyncio.to_thread(self._local_store().add, new.title, new.url,
                                            new.start, new.end)
        except LauncherError as exc:
            self.window.show_message(f"The meeting could not be saved: {exc}", error=True)
            return
        # The sync holds the saved links (services.local): read them again, then show it.
        await self.sync.reload_local()
        self._show_meetings_now()
        if reveal:
            self.show_window()
        self.window.select_meeting(as_meeting(saved))
        self.window.show_message(f"Added “{saved.title}”.")

    async def delete_saved_link(self, meeting: Meeting) -> None:
        """Forget a saved link and take it out of the agenda."""
        try:
            await asyncio.to_thread(self._local_store().remove, local_row_id(meeting.id))
        except (LauncherError, ValueError) as exc:
            self.window.show_message(f"The saved link could not be deleted: {exc}", error=True)
            return
        await self.sync.reload_local()
        self._show_meetings_now()
        self.window.show_message(f"Deleted “{meeting.title}”.")

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
        self.spawn(self.edit_settings(), key="settings")

    async def edit_settings(self, *, accounts: bool = False) -> None:
        """Let the user change the settings (applied and saved at once) and the accounts."""
        self._update_accounts_model()
        calendars = sorted({calendar_of(m) for m in self._last_meetings}, key=str.casefold)
        dialog = SettingsDialog(self.window, self.settings, self.accounts_model,
                                calendars=calendars)
        page = dialog.accounts
        assert page is not None
        page.add_requested.connect(lambda: self.spawn(self.add_account(dialog)))
        page.edit_requested.connect(lambda name: self.spawn(self.edit_account(name, dialog)))
        page.remove_requested.connect(lambda name: self.spawn(self.remove_account(name, dialog)))
        page.sign_in_requested.connect(
            lambda name: self.spawn(self.sign_in_again(name, dialog), key=f"signin:{name}")
        )
        if accounts:
            dialog.show_accounts()
        self._settings_dialog = dialog
        try:
            if not accepted(await run_dialog(dialog)):
                return
            self.apply_settings(dialog.result_value())
        finally:
            self._settings_dialog = None
            dialog.deleteLater()

    def _apply_filters(self) -> None:
        self.window.set_filter_settings(
            self.settings.event_filter(),
            dt.timedelta(minutes=self.settings.next_meeting_grace_minutes),
        )

    def _apply_link_preferences(self) -> None:
        self.window.links.set_preferences(self.settings.service_priority,
                                          self.settings.browser_only_services)

    def apply_settings(self, settings: Settings) -> None:
        """Use *settings* from now on and write them to the settings file."""
        ranked_before = self.window.links.priority
        self.settings = settings
        self._apply_link_preferences()
        self._apply_filters()
        if self.window.links.priority != ranked_before:
            self.window.refresh_links()
        if self._last_meetings:
            self._update_tray(self._last_meetings)
        self.tray.set_reminder_minutes(settings.reminder_minutes)
        self.tray.set_grace_minutes(settings.next_meeting_grace_minutes)
        try:
            self.settings_store.save(settings)
        except OSError as exc:
            self.window.show_message(f"The settings could not be saved: {exc}", error=True)
            return
        self.window.show_message("Settings saved.")

    # ------------------------------------------------------------------ accounts

    async def _open_sign_in_page(self, url: str) -> None:
        """Open a sign-in page for the sign-in service, and show its address in the dialog."""
        if self._flow_dialog is not None:
            self._flow_dialog.set_link(url)
        try:
            await open_url(url)
        except LauncherError as exc:  # the address is in the dialog: it can be copied
            log.warning("could not open the sign-in page: %s", exc)

    async def _run_flow(
        self, dialog: FlowDialog, work: Callable[[], Coroutine[Any, Any, T]],
        busy: Callable[[], str],
        *, start_at_once: bool = False,
    ) -> T | None:
        """Open *dialog*; on each OK run *work* with progress; return its result.

        The dialog stays open while *work* runs; Cancel (or closing it) cancels the
        work. A refusal goes back into the form, on the field concerned, and the user
        may correct it and try again. None when the user gave up.
        """
        self._flow_dialog = dialog
        try:
            return await run_flow(dialog, work, busy, start_at_once=start_at_once)
        finally:
            self._flow_dialog = None
            dialog.deleteLater()  # it holds what was typed

    def _on_add_account_requested(self) -> None:
        self.spawn(self.add_account(self.window))

    async def add_account(self, parent: QWidget) -> None:
        """Ask for a new account and sign in to it; it is saved only when that works."""
        dialog = AddAccountDialog(parent, taken=[a.name for a in self._accounts()])
        account = await self._run_flow(
            dialog,
            lambda: self.signin.add(dialog.form_value()),
            lambda: busy_text(dialog.chosen_provider()),
        )
        if account is None:
            return
        who = f" as {account.username}" if account.username else ""
        self.window.show_message(
            f"Added {account.provider.label} account “{account.name}”, signed in{who}."
        )
        self.accounts_changed()

    async def sign_in_again(self, name: str, parent: QWidget) -> None:
        """Sign in to account *name* again (a token expired or was revoked)."""
        try:
            account = self.ctx.account(name)
            needs = self.signin.needs(account)
        except LauncherError as exc:
            self.window.show_message(str(exc), error=True)
            return
        status = self.sync.statuses.get(name)
        message = status.message if status and status.message else ""
        dialog = AccountSignInDialog(parent, account, needs, message)

        def given() -> SignInInput:
            return SignInInput(**{key: dialog.value(key) for key in needs})

        signed = await self._run_flow(
            dialog,
            lambda: self.signin.sign_in_again(name, given()),
            lambda: busy_text(account.provider),
            start_at_once=not needs,
        )
        if signed is None:
            return
        self.window.show_message(f"Signed in to “{name}” again.")
        self.accounts_changed()

    async def edit_account(self, name: str, parent: QWidget) -> None:
        """Rename an account or change its address."""
        try:
            account = self.ctx.account(name)
        except LauncherError as exc:
            self.window.show_message(str(exc), error=True)
            return
        dialog = EditAccountDialog(parent, account, taken=[a.name for a in self._accounts()])
        try:
            if not accepted(await run_dialog(dialog)):
                return
            changes = dialog.changes()
        finally:
            dialog.deleteLater()
        try:
            updated = self.signin.edit(name, **changes)
        except LauncherError as exc:
            self.window.show_message(str(exc), error=True)
            return
        self.window.show_message(f"Saved the account “{updated.name}”.")
        self.accounts_changed()

    async def remove_account(self, name: str, parent: QWidget) -> None:
        """Remove an account, its secrets and cached meetings, after asking."""
        try:
            account = self.ctx.account(name)
        except LauncherError as exc:
            self.window.show_message(str(exc), error=True)
            return
        box = QMessageBox(parent)
        box.setObjectName("confirm-remove")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Remove account")
        box.setText(f"Remove the {account.provider.label} account “{name}”?")
        box.setInformativeText(
            "Its saved sign-in (tokens, keys, password), the passcodes remembered for its "
            "meetings and its cached meetings are removed from this computer too. Your "
            f"{account.provider.label} account itself is not changed."
        )
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        remove.setObjectName("remove")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        cancel.setObjectName("cancel")
        box.setDefaultButton(cancel)
        try:
            await run_dialog(box)
            confirmed = box.clickedButton() is remove
        finally:
            box.deleteLater()
        if not confirmed:
            return
        try:
            await asyncio.to_thread(self.signin.remove, name)
        except LauncherError as exc:
            self.window.show_message(str(exc), error=True)
            return
        self.window.show_message(
            f"Removed “{name}”, its saved sign-in, remembered passcodes and cached meetings."
        )
        self.accounts_changed()

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


async def run_flow(
    dialog: FlowDialog,
    work: Callable[[], Coroutine[Any, Any, T]],
    busy: Callable[[], str],
    *,
    start_at_once: bool = False,
) -> T | None:
    """Open *dialog*, run *work* on each OK (or at once), until it works or the user quits.

    While *work* runs the dialog shows progress; Cancel cancels the work (nothing
    blocks the event loop). InvalidInput goes back to its field, other LauncherErrors
    show in the dialog; anything else is a bug and propagates.
    """
    loop = asyncio.get_running_loop()
    closed: asyncio.Future[int] = loop.create_future()

    def on_finished(result: int) -> None:
        if not closed.done():
            closed.set_result(result)

    dialog.finished.connect(on_finished)
    dialog.open()
    first = start_at_once
    while True:
        if not first:
            submitted: asyncio.Future[None] = loop.create_future()

            def on_submitted(fut: asyncio.Future[None] = submitted) -> None:
                if not fut.done():
                    fut.set_result(None)

            dialog.submitted.connect(on_submitted)
            try:
                either: list[asyncio.Future[Any]] = [submitted, closed]
                await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
            finally:
                dialog.submitted.disconnect(on_submitted)
                submitted.cancel()
            if closed.done():
                return None
        first = False
        dialog.set_busy(busy())
        task: asyncio.Task[T] = loop.create_task(work())
        try:
            racing: list[asyncio.Future[Any]] = [task, closed]
            await asyncio.wait(racing, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if closed.done() or task.cancelled():
            return None
        try:
            result = task.result()
        except InvalidInput as exc:
            dialog.show_error(exc.field, exc.reason)
            continue
        except ProviderError as exc:
            dialog.show_error(None, str(exc))
            continue
        except LauncherError as exc:
            dialog.show_error(None, str(exc))
            continue
        dialog.accept()
        return result


__all__ = ["AppController", "run_flow"]
