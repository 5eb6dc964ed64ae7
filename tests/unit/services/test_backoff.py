from __future__ import annotations

import pytest

from launcher.services.backoff import Backoff


def test_doubles_from_30_seconds_to_15_minutes() -> None:
    backoff = Backoff(jitter=lambda: 0.5)
    assert [backoff.next_delay() for _ in range(8)] == [30, 60, 120, 240, 480, 900, 900, 900]
    assert backoff.failures == 8


def test_jitter_spreads_each_delay_by_a_fifth_either_way() -> None:
    low = Backoff(jitter=lambda: 0.0)
    high = Backoff(jitter=lambda: 0.999999)
    assert low.next_delay() == pytest.approx(24.0)
    assert high.next_delay() == pytest.approx(36.0, abs=1e-3)
    assert Backoff(jitter=lambda: 5.0).next_delay() == pytest.approx(36.0)  # clamped


def test_default_jitter_differs_between_clients() -> None:
    delays = {Backoff().next_delay() for _ in range(20)}
    assert len(delays) > 1 and all(24.0 <= d <= 36.0 for d in delays)


def test_a_longer_retry_after_wins() -> None:
    backoff = Backoff(jitter=lambda: 0.5)
    assert backoff.next_delay(at_least=120.0) == 120.0
    assert backoff.next_delay(at_least=5.0) == 60.0


def test_reset_starts_over() -> None:
    backoff = Backoff(jitter=lambda: 0.5)
    backoff.next_delay()
    backoff.next_delay()
    backoff.reset()
    assert backoff.failures == 0 and backoff.next_delay() == 30.0


@pytest.mark.parametrize(("first", "cap", "spread"), [(0, 10, 0.2), (20, 10, 0.2), (1, 2, 1.0)])
def test_rejects_nonsense(first: float, cap: float, spread: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        Backoff(first, cap, spread=spread)
