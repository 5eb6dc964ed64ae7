"""The join flow as a generator of steps, and what each BlueJeans pre-join answer means.

The flow never does I/O. It yields steps (run the pre-check, ask for a passcode, open
a URL, ...) and receives the answers: the provider's verdict for :class:`RunPrecheck`,
the user's input (or ``None`` for "cancel") for the ``Ask*`` steps. The CLI answers on
a terminal, the window with dialogs, the tests with lists.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Generator

from launcher.core.models import Role


class JoinFlowAction(enum.StrEnum):
    """Every answer of the BlueJeans relay joinflow check (seed 000)."""

    JOIN_NOW = "JOIN_NOW"
    GET_PASSCODE = "GET_PASSCODE"
    GET_GOOD_PASSCODE = "GET_GOOD_PASSCODE"
    GET_OTHER_PASSCODE = "GET_OTHER_PASSCODE"
    LOGIN_REQUIRED_FOR_INVITEE_ONLY_SECURE_MEETING = (
        "LOGIN_REQUIRED_FOR_INVITEE_ONLY_SECURE_MEETING"
    )
    LOGIN_REQUIRED_FOR_ENTERPRISE_ONLY_SECURE_MEETING = (
        "LOGIN_REQUIRED_FOR_ENTERPRISE_ONLY_SECURE_MEETING"
    )
    USER_NOT_IN_LIST_FOR_INVITEE_ONLY_SECURE_MEETING = (
        "USER_NOT_IN_LIST_FOR_INVITEE_ONLY_SECURE_MEETING"
    )
    USER_NOT_IN_LIST_FOR_ENTERPRISE_ONLY_SECURE_MEETING = (
        "USER_NOT_IN_LIST_FOR_ENTERPRISE_ONLY_SECURE_MEETING"
    )
    INVALID_PASSCODE_FOR_INVITEE_ONLY_SECURE_MEETING = (
        "INVALID_PASSCODE_FOR_INVITEE_ONLY_SECURE_MEETING"
    )
    INVALID_PASSCODE_FOR_ENTERPRISE_ONLY_SECURE_MEETING = (
        "INVALID_PASSCODE_FOR_ENTERPRISE_ONLY_SECURE_MEETING"
    )
    WAITING_ROOM_ENABLED = "WAITING_ROOM_ENABLED"


class Need(enum.StrEnum):
    """What the user must supply (or be told) before joining."""

    PASSCODE = "passcode"
    MODERATOR_PASSCODE = "moderator_passcode"
    LOGIN = "login"
    INVITATION = "invitation"
    WAITING_ROOM = "waiting_room"


@dataclasses.dataclass(frozen=True, slots=True)
class Verdict:
    """What a pre-check answer means for the user.

    ``blocking`` is False when the join can go ahead (JOIN_NOW, waiting room) and True
    when it would land on the IVR without more input. ``action`` keeps the provider's
    raw answer, so an answer we do not know is reported as it came.
    """

    action: str
    need: Need | None
    message: str
    blocking: bool
    known: bool = True


_VERDICTS: dict[JoinFlowAction, tuple[Need | None, bool, str]] = {
    JoinFlowAction.JOIN_NOW: (None, False, "Ready: the link will go straight into the meeting."),
    JoinFlowAction.GET_PASSCODE: (
        Need.PASSCODE,
        True,
        "This meeting needs a passcode. Enter the passcode from the invitation.",
    ),
    JoinFlowAction.GET_GOOD_PASSCODE: (
        Need.PASSCODE,
        True,
        "That passcode was not accepted. Check the invitation and enter it again.",
    ),
    JoinFlowAction.GET_OTHER_PASSCODE: (
        Need.MODERATOR_PASSCODE,
        True,
        "The moderator passcode is needed to start this meeting; with the participant "
        "passcode you will wait until the moderator joins.",
    ),
    JoinFlowAction.LOGIN_REQUIRED_FOR_INVITEE_ONLY_SECURE_MEETING: (
        Need.LOGIN,
        True,
        "Only invited people may join this meeting: sign in to BlueJeans (or use a "
        "one-time passcode) first.",
    ),
    JoinFlowAction.LOGIN_REQUIRED_FOR_ENTERPRISE_ONLY_SECURE_MEETING: (
        Need.LOGIN,
        True,
        "Only members of the organiser's company may join: sign in to BlueJeans with "
        "your company account (or use a one-time passcode) first.",
    ),
    JoinFlowAction.USER_NOT_IN_LIST_FOR_INVITEE_ONLY_SECURE_MEETING: (
        Need.INVITATION,
        True,
        "You are not on the invitation list of this meeting. Ask the organiser to invite "
        "you, or open it in the browser to try the phone-style prompt anyway.",
    ),
    JoinFlowAction.USER_NOT_IN_LIST_FOR_ENTERPRISE_ONLY_SECURE_MEETING: (
        Need.INVITATION,
        True,
        "This meeting is only for members of the organiser's company, and your account "
        "is not one of them. Ask the organiser, or open it in the browser anyway.",
    ),
    JoinFlowAction.INVALID_PASSCODE_FOR_INVITEE_ONLY_SECURE_MEETING: (
        Need.LOGIN,
        True,
        "The one-time passcode is invalid or has expired for this invitee-only meeting: "
        "sign in, or request a new one-time passcode.",
    ),
    JoinFlowAction.INVALID_PASSCODE_FOR_ENTERPRISE_ONLY_SECURE_MEETING: (
        Need.LOGIN,
        True,
        "The one-time passcode is invalid or has expired for this company-only meeting: "
        "sign in, or request a new one-time passcode.",
    ),
    JoinFlowAction.WAITING_ROOM_ENABLED: (
        Need.WAITING_ROOM,
        False,
        "This meeting has a waiting room: you will wait there until a moderator lets "
        "you in.",
    ),
}


def verdict(answer: JoinFlowAction | str) -> Verdict:
    """Map a joinflow answer (known or not) to what the user must do next.

    An answer we do not know never raises: the safe fallback is to open the meeting in
    the browser, where the provider's own prompt (the IVR) asks for what it needs.
    """
    try:
        action = JoinFlowAction(answer)
    except ValueError:
        return Verdict(
            action=str(answer),
            need=None,
            message=(
                f"BlueJeans gave an answer this version does not know ({str(answer)[:60]!r}); "
                "the meeting will open in the browser, which asks for anything missing."
            ),
            blocking=False,
            known=False,
        )
    need, blocking, message = _VERDICTS[action]
    return Verdict(action=action.value, need=need, message=message, blocking=blocking)


# ---- steps ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class RunPrecheck:
    """Ask the provider; answer with the raw joinflow answer."""

    passcode: str | None = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class AskPasscode:
    """Ask the user for a passcode; answer with it, or ``None`` to cancel.

    ``moderator`` asks for the moderator passcode; ``retry`` says the last one failed.
    """

    message: str
    moderator: bool = False
    retry: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class AskLogin:
    """Offer to sign in; answer ``"signed-in"`` to re-check, ``"browser"`` or ``None``."""

    message: str


@dataclasses.dataclass(frozen=True, slots=True)
class ExplainNotInvited:
    """Explain the user is not on the list; answer ``"browser"`` to open anyway, or None."""

    message: str


@dataclasses.dataclass(frozen=True, slots=True)
class NoteWaitingRoom:
    """Tell the user they will wait in the waiting room; any answer continues."""

    message: str


@dataclasses.dataclass(frozen=True, slots=True)
class OpenUrl:
    """Open *url*; the flow ends after this step."""

    url: str = dataclasses.field(repr=False)
    role: Role
    passcode: str | None = dataclasses.field(default=None, repr=False)
    note: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Cancelled:
    """The user stopped the join; the flow ends after this step."""

    reason: str


Step = (
    RunPrecheck | AskPasscode | AskLogin | ExplainNotInvited | NoteWaitingRoom | OpenUrl | Cancelled
)
JoinFlow = Generator[Step, "str | None", None]

#: How many pre-checks one join may make before we give up asking and open the browser.
MAX_CHECKS = 6


def bluejeans_join_flow(
    *,
    join_url: str,
    passcode: str | None = None,
    role: Role = Role.VIEWER,
) -> JoinFlow:
    """Drive a BlueJeans join: pre-check, ask for what is missing, re-check, open.

    ``join_url`` is the meeting's web link without a passcode; the passcode that the
    pre-check accepted is handed to the opener with :class:`OpenUrl`.
    """
    retry = False
    for _ in range(MAX_CHECKS):
        answer = yield RunPrecheck(passcode)
        v = verdict(answer or "")
        if not v.known:
            yield OpenUrl(join_url, role, passcode, note=v.message)
            return
        action = JoinFlowAction(v.action)
        if action is JoinFlowAction.JOIN_NOW:
            yield OpenUrl(join_url, role, passcode)
            return
        if action is JoinFlowAction.WAITING_ROOM_ENABLED:
            yield NoteWaitingRoom(v.message)
            yield OpenUrl(join_url, role, passcode, note=v.message)
            return
        if v.need is Need.MODERATOR_PASSCODE and role is Role.VIEWER:
            # A viewer does not start the meeting: with the participant passcode they
            # wait until the moderator joins, which is what the seed says happens.
            note = (
                "The meeting has not been started by its moderator yet: you will wait "
                "until the moderator joins."
            )
            yield NoteWaitingRoom(note)
            yield OpenUrl(join_url, role, passcode, note=note)
            return
        if v.need is Need.PASSCODE or v.need is Need.MODERATOR_PASSCODE:
            wrong = action is JoinFlowAction.GET_GOOD_PASSCODE or (retry and bool(passcode))
            given = yield AskPasscode(
                v.message, moderator=v.need is Need.MODERATOR_PASSCODE, retry=wrong
            )
            if given is None:
                if v.need is Need.MODERATOR_PASSCODE:
                    # Joining without the moderator passcode still works: the user
                    # waits for the moderator. Declining to give it is a valid choice.
                    yield OpenUrl(join_url, role, passcode, note=v.message)
                    return
                yield Cancelled("No passcode given.")
                return
            passcode = given.strip()
            retry = True
            continue
        if v.need is Need.LOGIN:
            choice = yield AskLogin(v.message)
            if choice == "signed-in":
                continue
            if choice == "browser":
                yield OpenUrl(join_url, role, passcode, note=v.message)
                return
            yield Cancelled("Sign-in needed.")
            return
        # Need.INVITATION
        choice = yield ExplainNotInvited(v.message)
        if choice == "browser":
            yield OpenUrl(join_url, role, passcode, note=v.message)
            return
        yield Cancelled("Not on the invitation list.")
        return
    yield OpenUrl(
        join_url,
        role,
        passcode,
        note="The pre-check kept asking; opening the meeting page, which asks for the rest.",
    )
