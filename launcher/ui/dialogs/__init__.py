"""The window's dialogs: join prompts and create/edit dialogs, each with an async ``ask``."""

from __future__ import annotations

from launcher.ui.dialogs.join import (
    BROWSER,
    SIGNED_IN,
    JoinLinkDialog,
    NotInvitedDialog,
    PasscodeAnswer,
    PasscodeDialog,
    SignInDialog,
    SkypeJoinDialog,
    WaitingRoomNotice,
    action_for,
    link_problem,
)
from launcher.ui.dialogs.joinme import (
    AdHocChoice,
    ConfirmDeleteDialog,
    ScheduleMeetingDialog,
    ScheduleResult,
    StartAdHocDialog,
    StartedMeetingDialog,
    participants_of,
)
from launcher.ui.dialogs.whereby import CreateRoomDialog, RoomCreatedDialog, RoomResult

__all__ = [
    "BROWSER",
    "SIGNED_IN",
    "AdHocChoice",
    "ConfirmDeleteDialog",
    "CreateRoomDialog",
    "JoinLinkDialog",
    "NotInvitedDialog",
    "PasscodeAnswer",
    "PasscodeDialog",
    "RoomCreatedDialog",
    "RoomResult",
    "ScheduleMeetingDialog",
    "ScheduleResult",
    "SignInDialog",
    "SkypeJoinDialog",
    "StartAdHocDialog",
    "StartedMeetingDialog",
    "WaitingRoomNotice",
    "action_for",
    "link_problem",
    "participants_of",
]
