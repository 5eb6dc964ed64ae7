"""join.me dialogs: schedule or edit, confirm delete, start ad hoc, and the started meeting."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from launcher.core.errors import InvalidInput
from launcher.core.models import Meeting, Provider, StartedMeeting
from launcher.providers.joinme.protocol import (
    MAX_TITLE,
    MeetingPatch,
    ScheduleDraft,
    validate_patch,
    validate_schedule,
)
from launcher.ui.asyncqt import accepted, run_dialog
from launcher.ui.dialogs._widgets import (
    CopyField,
    DateTimeEditor,
    FieldErrors,
    FieldMessage,
    HiddenValue,
    Now,
    Outline,
    accept_row,
    add_button,
    body,
    clock_of,
    field_box,
    format_duration,
    header_layout,
    headline,
    local,
    prepare,
    set_primary,
    zone_label,
)

#: What the schedule dialog answers: the account and a new draft or a patch.
ScheduleResult = tuple[str, ScheduleDraft | MeetingPatch]

_SPLIT = re.compile(r"[\n,;]+")
_KEEP, _CODE, _PERSONAL = "keep", "code", "personal"


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setContentsMargins(0, 0, 0, 0)
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(10)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(form.labelAlignment())
    return form


def _outer(dialog: QDialog) -> QVBoxLayout:
    outer = QVBoxLayout(dialog)
    outer.setContentsMargins(18, 18, 18, 14)
    outer.setSpacing(14)
    return outer


def account_combo(accounts: Sequence[str], name: str = "account") -> QComboBox:
    """Make a combo box of account names."""
    combo = QComboBox()
    combo.setObjectName(name)
    combo.addItems(list(accounts))
    combo.setMinimumContentsLength(16)
    return combo


def participants_of(text: str) -> tuple[str, ...]:
    """Split the participants box: one address per line (commas and semicolons work too)."""
    return tuple(part.strip() for part in _SPLIT.split(text) if part.strip())


def _first_error(check: Callable[[], object]) -> tuple[str, str] | None:
    try:
        check()
    except InvalidInput as exc:
        return exc.field, exc.reason
    return None


# ---- schedule / edit ------------------------------------------------------------------------


class ScheduleMeetingDialog(QDialog):
    """Schedule a join.me meeting, or edit one (*existing*), with inline validation.

    The rules are the provider's own (``validate_schedule`` / ``validate_patch``, as
    in the CLI): each field is checked on its own so every problem shows at once, then
    the whole draft once more. ``result_value()`` is ``(account, ScheduleDraft)`` for a new
    meeting and ``(account, MeetingPatch)`` holding only the changed fields for an edit.
    """

    def __init__(
        self,
        parent: QWidget | None,
        accounts: Sequence[str],
        *,
        existing: Meeting | None = None,
        now: Now = None,
        tz: dt.tzinfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("schedule_dialog")
        self._existing = existing
        self._clock = clock_of(now)
        self._tz = tz
        editing = existing is not None
        title = "Edit join.me meeting" if editing else "Schedule a join.me meeting"
        prepare(self, title, min_width=500)
        outer = _outer(self)
        top = QVBoxLayout()
        top.setSpacing(4)
        top.addWidget(headline(f"Edit “{existing.title}”" if existing else title))
        self._zone = body("", role="note")
        self._zone.setObjectName("zone_note")
        top.addWidget(self._zone)
        outer.addLayout(top)
        errors = self._errors = FieldErrors()

        self._account = account_combo([existing.account] if existing else accounts)
        self._account.setEnabled(not editing)
        account_msg = FieldMessage()
        self._title = QLineEdit()
        self._title.setObjectName("title")
        self._title.setPlaceholderText("What is the meeting about?")
        self._title.setMaxLength(MAX_TITLE + 50)  # longer than allowed, so the rule can speak
        title_msg = FieldMessage()
        self._start = DateTimeEditor(tz, name="start")
        start_msg = FieldMessage()
        self._end = DateTimeEditor(tz, name="end")
        end_msg = FieldMessage()
        self._participants = QPlainTextEdit()
        self._participants.setObjectName("participants")
        self._participants.setPlaceholderText("One e-mail address per line")
        self._participants.setTabChangesFocus(True)
        line = self._participants.fontMetrics().lineSpacing()
        self._participants.setFixedHeight(line * 4 + 14)
        participants_msg = FieldMessage()
        self._personal: QCheckBox | None = None
        self._link: QComboBox | None = None
        if editing:
            self._link = QComboBox()
            self._link.setObjectName("link")
            self._link.addItem("Keep as it is", _KEEP)
            self._link.addItem("A new 9-digit meeting code", _CODE)
            self._link.addItem("My personal link", _PERSONAL)
        else:
            self._personal = QCheckBox("Start on my personal link instead of a meeting code")
            self._personal.setObjectName("personal_url")

        outlines = {
            name: Outline(widget)
            for name, widget in (
                ("account", self._account),
                ("title", self._title),
                ("start", self._start),
                ("end", self._end),
                ("participants", self._participants),
            )
        }
        errors.add("account", "Account", [outlines["account"]], account_msg)
        if self._account.count() == 0:
            errors.touch("account")  # nothing to pick: say so in red at once
        errors.add("title", "Title", [outlines["title"]], title_msg)
        errors.add("start", "Start", [outlines["start"]], start_msg)
        errors.add("end", "End", [outlines["end"]], end_msg)
        errors.add(
            "participants",
            "Participant",
            [outlines["participants"]],
            participants_msg,
            aliases=("participant",),
        )

        form = _form()
        form.addRow("Account:", field_box(outlines["account"], message=account_msg))
        form.addRow("Title:", field_box(outlines["title"], message=title_msg))
        form.addRow("Start:", field_box(outlines["start"], message=start_msg))
        form.addRow("End:", field_box(outlines["end"], message=end_msg))
        form.addRow("Participants:", field_box(outlines["participants"], message=participants_msg))
        if self._link is not None:
            form.addRow("Meeting link:", Outline(self._link))
        if self._personal is not None:
            form.addRow("", self._personal)
        outer.addLayout(form)
        self._status = FieldMessage()
        self._status.setObjectName("status")
        outer.addWidget(self._status)

        self._ok = accept_row(self, outer, "Save changes" if editing else "Schedule")

        self._fill(existing)
        self._initial = self._snapshot()
        self._duration = self._end.value() - self._start.value()
        self._title.textChanged.connect(self._on_title_text_changed)
        self._start.changed.connect(self._on_start_changed)
        self._end.changed.connect(self._on_end_changed)
        self._participants.textChanged.connect(self._on_participants_text_changed)
        self._account.currentIndexChanged.connect(self._on_any_changed)
        if self._link is not None:
            self._link.currentIndexChanged.connect(self._on_any_changed)
        self._validate()
        self._title.setFocus()

    # -- public ---------------------------------------------------------------------------

    def errors(self) -> dict[str, str]:
        """Return every problem now, by field (account, title, start, end, participants)."""
        return self._check()[0]

    def is_valid(self) -> bool:
        """Return whether OK may be pressed (valid, and when editing, changed)."""
        problems, result = self._check()
        return not problems and result is not None

    def result_value(self) -> ScheduleResult:
        """Return ``(account, ScheduleDraft)``, or ``(account, MeetingPatch)`` when editing.

        Raises:
            InvalidInput: while a field is wrong (naming it), or nothing was changed.

        """
        problems, result = self._check()
        for field, reason in problems.items():
            raise InvalidInput(field, reason)
        if result is None:
            raise InvalidInput("meeting", "nothing was changed")
        return result

    def accept(self) -> None:
        """Close with OK only when valid (Enter cannot bypass the rules)."""
        if self.is_valid():
            super().accept()

    @classmethod
    async def ask(
        cls,
        parent: QWidget | None,
        accounts: Sequence[str],
        *,
        existing: Meeting | None = None,
        now: Now = None,
        tz: dt.tzinfo | None = None,
    ) -> ScheduleResult | None:
        """Ask without blocking the loop; None when cancelled."""
        dialog = cls(parent, accounts, existing=existing, now=now, tz=tz)
        try:
            return dialog.result_value() if accepted(await run_dialog(dialog)) else None
        finally:
            dialog.deleteLater()

    # -- filling and reading ----------------------------------------------------------------

    def _fill(self, existing: Meeting | None) -> None:
        if existing is not None and existing.start is not None and existing.end is not None:
            self._title.setText(existing.title)
            self._start.set_value(existing.start)
            self._end.set_value(existing.end)
            self._participants.setPlainText("\n".join(existing.participants))
            return
        if existing is not None:
            self._title.setText(existing.title)
            self._participants.setPlainText("\n".join(existing.participants))
        # Next half hour in local time, one hour long.
        start = local(self._clock(), self._tz).replace(second=0, microsecond=0)
        start += dt.timedelta(minutes=30 - start.minute % 30)
        self._start.set_value(start)
        self._end.set_value(start + dt.timedelta(hours=1))

    def _snapshot(self) -> tuple[object, ...]:
        return (
            self._title.text().strip(),
            self._start.shown(),
            self._end.shown(),
            participants_of(self._participants.toPlainText()),
        )

    def _personal_choice(self) -> bool | None:
        if self._personal is not None:
            return self._personal.isChecked()
        if self._link is None:
            return None
        choice = self._link.currentData()
        return None if choice == _KEEP else choice == _PERSONAL

    def _check(self) -> tuple[dict[str, str], ScheduleResult | None]:
        problems: dict[str, str] = {}

        def note(found: tuple[str, str] | None) -> None:
            if found is not None:
                field, reason = found
                if self._errors.knows(field):
                    field = self._errors.field_of(field)
                problems.setdefault(field, reason)

        account = self._account.currentText().strip()
        if not account:
            problems["account"] = "is missing: add a join.me account first"
        title = self._title.text()
        start, end = self._start.value(), self._end.value()
        people = participants_of(self._participants.toPlainText())
        personal = self._personal_choice()
        if self._existing is None:
            anchor = self._clock()
            base = ScheduleDraft(title="-", start=anchor, end=anchor + dt.timedelta(hours=1))
            note(_first_error(lambda: validate_schedule(dataclasses.replace(base, title=title))))
            note(
                _first_error(
                    lambda: validate_schedule(dataclasses.replace(base, start=start, end=end))
                )
            )
            note(
                _first_error(
                    lambda: validate_schedule(dataclasses.replace(base, participants=people))
                )
            )
            draft = ScheduleDraft(title, start, end, people, bool(personal))
            note(_first_error(lambda: validate_schedule(draft)))
            if problems:
                return problems, None
            return problems, (account, validate_schedule(draft))
        current = self._existing
        initial = self._initial
        changed_title = title if title.strip() != initial[0] else None
        changed_start = start if self._start.shown() != initial[1] else None
        changed_end = end if self._end.shown() != initial[2] else None
        changed_people = people if people != initial[3] else None
        note(_first_error(lambda: validate_patch(current, MeetingPatch(title=changed_title))))
        note(
            _first_error(
                lambda: validate_patch(current, MeetingPatch(start=changed_start, end=changed_end))
            )
        )
        note(
            _first_error(lambda: validate_patch(current, MeetingPatch(participants=changed_people)))
        )
        patch = MeetingPatch(
            title=changed_title,
            start=changed_start,
            end=changed_end,
            participants=changed_people,
            personal_url=personal,
        )
        note(_first_error(lambda: validate_patch(current, patch)))
        if problems:
            return problems, None
        checked = validate_patch(current, patch)
        if checked.empty:
            return {}, None
        return problems, (account, checked)

    # -- reacting ----------------------------------------------------------------------------

    def _validate(self) -> None:
        problems, result = self._check()
        self._errors.set_hint("end", self._duration_hint())
        self._errors.apply(problems)
        unknown = [f"{k}: {v}" for k, v in problems.items() if not self._errors.knows(k)]
        if unknown:
            self._status.show_error("; ".join(unknown))
        elif self._existing is not None and not problems and result is None:
            self._status.show_hint("Nothing changed yet.")
        else:
            self._status.show_hint("")
        zone = zone_label(self._start.value(), self._tz)
        lead = "Only what you change is sent." if self._existing else "Up to 14 days long."
        self._zone.setText(f"{lead} Times are in your time zone ({zone}).")
        self._ok.setEnabled(result is not None and not problems)

    def _duration_hint(self) -> str:
        delta = self._end.value() - self._start.value()
        return f"Lasts {format_duration(delta)}" if delta > dt.timedelta(0) else ""

    def _on_title_text_changed(self, _text: str) -> None:
        self._errors.touch("title")
        self._validate()

    def _on_start_changed(self) -> None:
        # Moving the start moves the end with it, keeping the length (as calendars do).
        if self._duration > dt.timedelta(0):
            self._end.blockSignals(True)
            self._end.set_value(self._start.value() + self._duration)
            self._end.blockSignals(False)
        self._errors.touch("start")
        self._errors.touch("end")
        self._validate()

    def _on_end_changed(self) -> None:
        self._duration = self._end.value() - self._start.value()
        self._errors.touch("start")
        self._errors.touch("end")
        self._validate()

    def _on_participants_text_changed(self) -> None:
        self._errors.touch("participants")
        self._validate()

    def _on_any_changed(self, _index: int) -> None:
        self._validate()


# ---- delete -------------------------------------------------------------------------------------


class ConfirmDeleteDialog(QDialog):
    """Asks before deleting a meeting or room: names it and says it cannot be undone.

    Cancel is the default button: Enter never deletes.
    """

    def __init__(
        self,
        parent: QWidget | None,
        target: Meeting | str,
        *,
        kind: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("confirm_delete_dialog")
        if isinstance(target, Meeting):
            title = target.title
            kind = kind or ("room" if target.provider is Provider.WHEREBY else "meeting")
        else:
            title = target
            kind = kind or "meeting"
        prepare(self, f"Delete {kind}", min_width=420)
        outer = _outer(self)
        shown = title.strip() or f"this {kind}"
        text = detail or (
            "It is removed for everyone invited."
            if kind == "meeting"
            else f"The {kind}'s links stop working."
        )
        header, _column = header_layout(
            self,
            f"Delete “{shown}”?",
            f"{text} This cannot be undone.",
            pixmap=QStyle.StandardPixmap.SP_MessageBoxWarning,
        )
        outer.addLayout(header)
        buttons = QDialogButtonBox()
        delete = add_button(
            buttons, "Delete", QDialogButtonBox.ButtonRole.DestructiveRole, "delete"
        )
        cancel = add_button(buttons, "Cancel", QDialogButtonBox.ButtonRole.RejectRole, "cancel")
        set_primary(cancel)
        outer.addWidget(buttons)
        delete.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)

    @classmethod
    async def ask(
        cls,
        parent: QWidget | None,
        target: Meeting | str,
        *,
        kind: str | None = None,
        detail: str | None = None,
    ) -> bool:
        """Ask; True to delete. *target* is the meeting (or room), or just its title."""
        dialog = cls(parent, target, kind=kind, detail=detail)
        try:
            return accepted(await run_dialog(dialog))
        finally:
            dialog.deleteLater()


# ---- start ad hoc ----------------------------------------------------------------------------

#: What the ad hoc dialog answers: account, headless viewer, personal link.
AdHocChoice = tuple[str, bool, bool]


class StartAdHocDialog(QDialog):
    """Start a join.me meeting now: account, headless viewer, personal link."""

    def __init__(self, parent: QWidget | None, accounts: Sequence[str]) -> None:
        super().__init__(parent)
        self.setObjectName("start_ad_hoc_dialog")
        prepare(self, "Start a join.me meeting", min_width=460)
        outer = _outer(self)
        header, _column = header_layout(
            self,
            "Start a join.me meeting now",
            "Your presenter link opens in the browser at once; you get a viewer link to share.",
        )
        outer.addLayout(header)
        self._errors = FieldErrors()
        self._account = account_combo(accounts)
        account_msg = FieldMessage()
        account_box = Outline(self._account)
        self._errors.add("account", "Account", [account_box], account_msg)
        self._errors.touch_all()
        self._headless = QCheckBox("Headless viewer (no controls for viewers)")
        self._headless.setObjectName("headless")
        self._personal = QCheckBox("Use my personal link")
        self._personal.setObjectName("personal_url")
        form = _form()
        form.addRow("Account:", field_box(account_box, message=account_msg))
        form.addRow("Viewers:", self._headless)
        form.addRow("Link:", self._personal)
        outer.addLayout(form)
        self._ok = accept_row(self, outer, "Start meeting")
        self._validate()

    def errors(self) -> dict[str, str]:
        """Return every problem now, by field."""
        if not self._account.currentText().strip():
            return {"account": "is missing: add a join.me account first"}
        return {}

    def result_value(self) -> AdHocChoice:
        """Return ``(account, headless, personal_url)``; InvalidInput while invalid."""
        for field, reason in self.errors().items():
            raise InvalidInput(field, reason)
        return (
            self._account.currentText().strip(),
            self._headless.isChecked(),
            self._personal.isChecked(),
        )

    def accept(self) -> None:
        """Close with OK only when valid."""
        if not self.errors():
            super().accept()

    def _validate(self) -> None:
        problems = self.errors()
        self._errors.apply(problems)
        self._ok.setEnabled(not problems)

    @classmethod
    async def ask(cls, parent: QWidget | None, accounts: Sequence[str]) -> AdHocChoice | None:
        """Ask; None when cancelled."""
        dialog = cls(parent, accounts)
        try:
            return dialog.result_value() if accepted(await run_dialog(dialog)) else None
        finally:
            dialog.deleteLater()


# ---- started ----------------------------------------------------------------------------------


class StartedMeetingDialog(QDialog):
    """After a join.me start: the presenter link was opened (never shown); viewer details.

    The one-time presenter link is not kept by this dialog and appears in no widget;
    the organizer code stays hidden until "Show" is pressed.
    """

    def __init__(self, parent: QWidget | None, started: StartedMeeting) -> None:
        super().__init__(parent)
        self.setObjectName("started_meeting_dialog")
        prepare(self, "Meeting started", min_width=580)
        outer = _outer(self)
        header, column = header_layout(
            self,
            "Your join.me meeting has started",
            "The presenter link was opened in your browser. It works once and expires in "
            "10 minutes; if the browser did not open, start the meeting again.",
            pixmap=QStyle.StandardPixmap.SP_MessageBoxInformation,
        )
        outer.addLayout(header)
        form = _form()
        self.viewer_link = CopyField(started.viewer_link, name="viewer_link")
        form.addRow("Viewer link:", self.viewer_link)
        conference = started.conference
        self.conference_id: CopyField | None = None
        self.dial_in: CopyField | None = None
        self.organizer_code: HiddenValue | None = None
        if conference is not None and conference.conference_id:
            self.conference_id = CopyField(conference.conference_id, name="conference_id")
            form.addRow("Conference ID:", self.conference_id)
        if conference is not None and conference.numbers_url:
            self.dial_in = CopyField(conference.numbers_url, name="dial_in")
            form.addRow("Dial-in numbers:", self.dial_in)
        if conference is not None and conference.organizer_code:
            self.organizer_code = HiddenValue(conference.organizer_code, name="organizer_code")
            form.addRow("Organizer code:", self.organizer_code)
        column.addSpacing(4)
        column.addLayout(form)
        column.addWidget(body("Share the viewer link with the people you invite.", role="note"))
        buttons = QDialogButtonBox()
        close = add_button(buttons, "Close", QDialogButtonBox.ButtonRole.AcceptRole, "close")
        set_primary(close)
        close.setFocus()
        outer.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

    @classmethod
    async def ask(cls, parent: QWidget | None, started: StartedMeeting) -> None:
        """Show until the user closes it (not blocking the loop)."""
        dialog = cls(parent, started)
        try:
            await run_dialog(dialog)
        finally:
            dialog.deleteLater()
