from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from launcher.core.joinflow import (
    AskLogin,
    AskPasscode,
    Cancelled,
    ExplainNotInvited,
    JoinFlowAction,
    Need,
    NoteWaitingRoom,
    OpenUrl,
    RunPrecheck,
    Step,
    bluejeans_join_flow,
    verdict,
)
from launcher.core.models import Role

URL = "https://bluejeans.com/9036439807"


def drive(flow, answers: dict[type, list]) -> list[Step]:
    """Run a flow, answering each step type from its queue."""
    steps: list[Step] = []
    step = next(flow)
    while True:
        steps.append(step)
        queue = answers.get(type(step), [])
        answer = queue.pop(0) if queue else None
        try:
            step = flow.send(answer)
        except StopIteration:
            return steps


EXPECTED_NEEDS = {
    JoinFlowAction.JOIN_NOW: (None, False),
    JoinFlowAction.GET_PASSCODE: (Need.PASSCODE, True),
    JoinFlowAction.GET_GOOD_PASSCODE: (Need.PASSCODE, True),
    JoinFlowAction.GET_OTHER_PASSCODE: (Need.MODERATOR_PASSCODE, True),
    JoinFlowAction.LOGIN_REQUIRED_FOR_INVITEE_ONLY_SECURE_MEETING: (Need.LOGIN, True),
    JoinFlowAction.LOGIN_REQUIRED_FOR_ENTERPRISE_ONLY_SECURE_MEETING: (Need.LOGIN, True),
    JoinFlowAction.USER_NOT_IN_LIST_FOR_INVITEE_ONLY_SECURE_MEETING: (Need.INVITATION, True),
    JoinFlowAction.USER_NOT_IN_LIST_FOR_ENTERPRISE_ONLY_SECURE_MEETING: (Need.INVITATION, True),
    JoinFlowAction.INVALID_PASSCODE_FOR_INVITEE_ONLY_SECURE_MEETING: (Need.LOGIN, True),
    JoinFlowAction.INVALID_PASSCODE_FOR_ENTERPRISE_ONLY_SECURE_MEETING: (Need.LOGIN, True),
    JoinFlowAction.WAITING_ROOM_ENABLED: (Need.WAITING_ROOM, False),
}


def test_every_seed_value_is_mapped() -> None:
    assert set(EXPECTED_NEEDS) == set(JoinFlowAction)
    assert len(JoinFlowAction) == 11


@pytest.mark.parametrize("action", list(JoinFlowAction))
def test_verdict_per_action(action: JoinFlowAction) -> None:
    v = verdict(action.value)
    assert (v.need, v.blocking) == EXPECTED_NEEDS[action]
    assert v.known and v.action == action.value
    assert v.message


@given(st.text(max_size=80))
def test_unknown_answers_fall_back_to_the_browser(text: str) -> None:
    v = verdict(text)
    if text in {a.value for a in JoinFlowAction}:
        assert v.known
    else:
        assert not v.known and v.need is None and not v.blocking
        assert "browser" in v.message


def test_seed_example_wrong_then_right_passcode() -> None:
    flow = bluejeans_join_flow(join_url=URL)
    steps = drive(
        flow,
        {
            RunPrecheck: ["GET_PASSCODE", "GET_GOOD_PASSCODE", "JOIN_NOW"],
            AskPasscode: ["0000", " 1629 "],
        },
    )
    assert [type(s) for s in steps] == [
        RunPrecheck, AskPasscode, RunPrecheck, AskPasscode, RunPrecheck, OpenUrl,
    ]
    assert steps[2] == RunPrecheck("0000")
    assert isinstance(steps[3], AskPasscode) and steps[3].retry
    assert isinstance(steps[1], AskPasscode) and not steps[1].retry
    assert steps[4] == RunPrecheck("1629")
    last = steps[-1]
    assert isinstance(last, OpenUrl) and last.passcode == "1629" and last.url == URL


def test_cancel_passcode() -> None:
    steps = drive(bluejeans_join_flow(join_url=URL), {RunPrecheck: ["GET_PASSCODE"]})
    assert isinstance(steps[-1], Cancelled)


def test_moderator_passcode_for_presenter() -> None:
    steps = drive(
        bluejeans_join_flow(join_url=URL, passcode="1111", role=Role.PRESENTER),
        {RunPrecheck: ["GET_OTHER_PASSCODE", "JOIN_NOW"], AskPasscode: ["9999"]},
    )
    ask = steps[1]
    assert isinstance(ask, AskPasscode) and ask.moderator
    assert isinstance(steps[-1], OpenUrl) and steps[-1].passcode == "9999"
    assert steps[-1].role is Role.PRESENTER


def test_moderator_passcode_declined_still_joins_waiting_for_moderator() -> None:
    steps = drive(
        bluejeans_join_flow(join_url=URL, passcode="1111", role=Role.PRESENTER),
        {RunPrecheck: ["GET_OTHER_PASSCODE"], AskPasscode: [None]},
    )
    assert isinstance(steps[-1], OpenUrl) and steps[-1].passcode == "1111"
    assert "moderator" in steps[-1].note


def test_viewer_is_not_asked_for_the_moderator_passcode() -> None:
    steps = drive(
        bluejeans_join_flow(join_url=URL, passcode="1111", role=Role.VIEWER),
        {RunPrecheck: ["GET_OTHER_PASSCODE"]},
    )
    assert [type(s) for s in steps] == [RunPrecheck, NoteWaitingRoom, OpenUrl]
    assert "moderator" in steps[1].message


@pytest.mark.parametrize(
    "action",
    [
        "LOGIN_REQUIRED_FOR_INVITEE_ONLY_SECURE_MEETING",
        "LOGIN_REQUIRED_FOR_ENTERPRISE_ONLY_SECURE_MEETING",
        "INVALID_PASSCODE_FOR_INVITEE_ONLY_SECURE_MEETING",
        "INVALID_PASSCODE_FOR_ENTERPRISE_ONLY_SECURE_MEETING",
    ],
)
def test_login_then_recheck(action: str) -> None:
    steps = drive(
        bluejeans_join_flow(join_url=URL),
        {RunPrecheck: [action, "JOIN_NOW"], AskLogin: ["signed-in"]},
    )
    assert [type(s) for s in steps] == [RunPrecheck, AskLogin, RunPrecheck, OpenUrl]


def test_login_declined_and_browser() -> None:
    cancelled = drive(
        bluejeans_join_flow(join_url=URL),
        {RunPrecheck: ["LOGIN_REQUIRED_FOR_INVITEE_ONLY_SECURE_MEETING"]},
    )
    assert isinstance(cancelled[-1], Cancelled)
    browser = drive(
        bluejeans_join_flow(join_url=URL),
        {RunPrecheck: ["LOGIN_REQUIRED_FOR_INVITEE_ONLY_SECURE_MEETING"], AskLogin: ["browser"]},
    )
    assert isinstance(browser[-1], OpenUrl)


@pytest.mark.parametrize(
    "action",
    [
        "USER_NOT_IN_LIST_FOR_INVITEE_ONLY_SECURE_MEETING",
        "USER_NOT_IN_LIST_FOR_ENTERPRISE_ONLY_SECURE_MEETING",
    ],
)
def test_not_invited(action: str) -> None:
    no = drive(bluejeans_join_flow(join_url=URL), {RunPrecheck: [action]})
    assert isinstance(no[1], ExplainNotInvited) and isinstance(no[-1], Cancelled)
    yes = drive(
        bluejeans_join_flow(join_url=URL),
        {RunPrecheck: [action], ExplainNotInvited: ["browser"]},
    )
    assert isinstance(yes[-1], OpenUrl)


def test_waiting_room_notes_then_opens() -> None:
    steps = drive(bluejeans_join_flow(join_url=URL), {RunPrecheck: ["WAITING_ROOM_ENABLED"]})
    assert [type(s) for s in steps] == [RunPrecheck, NoteWaitingRoom, OpenUrl]


def test_unknown_answer_opens_browser() -> None:
    steps = drive(bluejeans_join_flow(join_url=URL), {RunPrecheck: ["GET_FACE_SCAN"]})
    assert isinstance(steps[-1], OpenUrl) and "does not know" in steps[-1].note


def test_endless_prompting_is_bounded() -> None:
    steps = drive(
        bluejeans_join_flow(join_url=URL),
        {RunPrecheck: ["GET_GOOD_PASSCODE"] * 10, AskPasscode: ["1"] * 10},
    )
    assert isinstance(steps[-1], OpenUrl)
    assert sum(isinstance(s, RunPrecheck) for s in steps) == 6


def test_secrets_not_in_repr() -> None:
    assert "1629" not in repr(RunPrecheck("1629"))
    assert "1629" not in repr(OpenUrl(URL + "/1629", Role.VIEWER, "1629"))
