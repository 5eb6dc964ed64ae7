"""SandboxState: faults, counters, clock, knobs and the time helpers."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from launcher.sandbox.state import (
    PROVIDERS,
    Fault,
    SandboxState,
    format_z,
    from_ms,
    is_email,
    ms_date,
    parse_iso,
    to_ms,
)

FIXED = dt.datetime(2030, 5, 6, 7, 8, 9, tzinfo=dt.UTC)


@pytest.fixture
def state() -> SandboxState:
    return SandboxState(clock=lambda: FIXED, seed_demo=False)


def test_fault_defaults() -> None:
    fault = Fault("status")
    assert (fault.delay, fault.status, fault.retry_after, fault.remaining) == (0.0, 503, 1.0, None)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "explode"},
        {"kind": "latency", "delay": -0.1},
        {"kind": "latency", "delay": float("nan")},
        {"kind": "latency", "delay": True},
        {"kind": "status", "status": 600},
        {"kind": "status", "status": 50},
        {"kind": "status", "status": 503.0},
        {"kind": "rate_limit", "retry_after": -1},
        {"kind": "drop", "remaining": 0},
        {"kind": "drop", "remaining": True},
    ],
)
def test_fault_rejects_nonsense(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each knob has its own message
        Fault(**kwargs)  # type: ignore[arg-type]


def test_fault_from_json() -> None:
    fault = Fault.from_json({"kind": "rate_limit", "retry_after": 2, "remaining": 3})
    assert fault == Fault("rate_limit", retry_after=2, remaining=3)
    assert Fault.from_json({"kind": "latency", "delay": None}).delay == 0.0
    assert fault.to_json()["kind"] == "rate_limit"
    with pytest.raises(ValueError, match="unknown field"):
        Fault.from_json({"kind": "drop", "extra": 1})
    with pytest.raises(ValueError, match="object"):
        Fault.from_json(["drop"])


def test_take_fault_counts_remaining_down(state: SandboxState) -> None:
    state.set_fault("joinme", Fault("status", remaining=2))
    taken = [state.take_fault("joinme") for _ in range(3)]
    assert [f.kind if f else None for f in taken] == ["status", "status", None]
    assert "joinme" not in state.faults


def test_fault_without_remaining_stays(state: SandboxState) -> None:
    state.set_fault("skype", Fault("drop"))
    for _ in range(5):
        assert state.take_fault("skype") == Fault("drop")
    assert state.take_fault("whereby") is None


def test_clear_faults(state: SandboxState) -> None:
    for provider in PROVIDERS:
        state.set_fault(provider, Fault("malformed"))
    state.clear_faults("joinme")
    assert set(state.faults) == {"bluejeans", "whereby", "skype", "ics"}
    state.clear_faults()
    assert state.faults == {}
    with pytest.raises(ValueError, match="provider"):
        state.set_fault("zoom", Fault("drop"))


def test_counters(state: SandboxState) -> None:
    state.count_request("joinme")
    state.count_request("joinme")
    state.count_request("skype")
    assert state.stats() == {
        "requests": {"bluejeans": 0, "joinme": 2, "whereby": 0, "skype": 1, "ics": 0}
    }
    state.reset_stats()
    assert set(state.stats()["requests"].values()) == {0}


def test_counting_is_thread_safe(state: SandboxState) -> None:
    def work() -> None:
        for _ in range(2000):
            state.count_request("whereby")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert state.stats()["requests"]["whereby"] == 8000


def test_clock_is_injectable(state: SandboxState) -> None:
    assert state.now() == FIXED
    later = FIXED + dt.timedelta(days=1)
    state.set_clock(lambda: later)
    assert state.now() == later
    state.set_clock(lambda: dt.datetime(2030, 1, 1))  # naive
    with pytest.raises(ValueError, match="aware"):
        state.now()
    state.set_clock(None)
    assert abs(state.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)


def test_relay_rate_limit_window(state: SandboxState) -> None:
    store = state.bluejeans
    assert store.relay_admit(100.0) is None
    assert store.relay_admit(100.1) is None
    wait = store.relay_admit(100.2)
    assert wait is not None
    assert 0.7 < wait <= 0.8
    assert store.relay_admit(101.05) is None  # the first request left the window
    store.relay_rate_limit = False
    assert all(store.relay_admit(101.06) is None for _ in range(10))


def test_skype_knobs(state: SandboxState) -> None:
    assert state.skype.max_poll_seconds == 20.0
    assert state.skype.lobby_seconds == 3.0
    assert state.bluejeans.relay_rate_limit is True


def test_time_helpers() -> None:
    assert to_ms(FIXED) == 1_904_281_689_000
    assert from_ms(1_904_281_689_000) == FIXED
    assert format_z(FIXED) == "2030-05-06T07:08:09Z"
    assert format_z(FIXED.replace(microsecond=123_456)) == "2030-05-06T07:08:09.123Z"
    assert ms_date(FIXED) == "/Date(1904281689000)/"
    assert parse_iso("2030-05-06T09:08:09+02:00") == FIXED
    assert parse_iso("2030-05-06T07:08:09") == FIXED  # no offset: UTC
    assert parse_iso("2030-05-06T07:08:09.5Z") == FIXED.replace(microsecond=500_000)
    for bad in ("tomorrow", "", None, 5, "2030-13-01T00:00:00Z"):
        with pytest.raises(ValueError):  # noqa: PT011
            parse_iso(bad)


@pytest.mark.parametrize(
    ("value", "ok"),
    [("a@example.com", True), ("first.last+tag@sub.example.org", True), ("bob@", False),
     ("@example.com", False), ("a b@example.com", False), ("a@example", False), (3, False)],
)  # fmt: skip
def test_is_email(value: object, ok: bool) -> None:
    assert is_email(value) is ok


def test_secrets_are_not_in_reprs() -> None:
    state = SandboxState()
    for user in [*state.bluejeans.users.values(), *state.skype.users.values()]:
        assert user.password not in repr(user)
    for token in state.bluejeans.relay_tokens.values():
        assert token.value not in repr(token)
    room = next(iter(state.whereby.rooms.values()))
    assert room.host_key not in repr(room)
