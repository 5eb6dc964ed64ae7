"""When to try a sync again while accounts are offline: jittered exponential backoff."""

from __future__ import annotations

import random
from collections.abc import Callable

#: The first retry comes after about this many seconds ...
FIRST_RETRY = 30.0
#: ... doubling each time up to about this many (15 minutes).
MAX_RETRY = 15 * 60.0
#: Each delay is spread this much either way, so many clients never come back together.
SPREAD = 0.2


class Backoff:
    """Delays between automatic re-syncs: about 30 s, 1 min, 2 min, ... up to 15 min.

    Each delay is the ceiling (``first`` doubled per failure, at most ``cap``) times a
    factor between ``1 - spread`` and ``1 + spread`` drawn from ``jitter`` (a number in
    [0, 1); injectable so tests are deterministic). :meth:`reset` after a sync that
    worked, a change of network or a refresh the user asked for.
    """

    def __init__(
        self,
        first: float = FIRST_RETRY,
        cap: float = MAX_RETRY,
        *,
        spread: float = SPREAD,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if not 0 < first <= cap:
            raise ValueError("first must be positive and at most cap")
        if not 0 <= spread < 1:
            raise ValueError("spread must be in [0, 1)")
        self._first = first
        self._cap = cap
        self._spread = spread
        self._jitter = jitter
        self._failures = 0

    @property
    def failures(self) -> int:
        """How many delays were handed out since the last reset."""
        return self._failures

    def next_delay(self, at_least: float | None = None) -> float:
        """Return the seconds to wait before the next try, and count one more failure.

        *at_least* (a provider's ``Retry-After``) is honoured when it is longer.
        """
        ceiling = min(self._cap, self._first * 2.0 ** self._failures)
        self._failures += 1
        share = min(1.0, max(0.0, float(self._jitter())))
        delay = ceiling * (1 - self._spread + 2 * self._spread * share)
        if at_least is not None and at_least > delay:
            return float(at_least)
        return delay

    def reset(self) -> None:
        """Start again from the first delay."""
        self._failures = 0
