"""How long to wait after a failure: exponential, jittered, capped; platform resets win.

Jitter keeps many collectors from reconnecting in step after an outage. A rate-limit error
that carries the platform's reset time waits until then (plus a little), never less.
"""

from __future__ import annotations

import random
from datetime import datetime

from core.clock import utcnow
from core.errors import SourceRateLimited

#: Never wait longer than this for a rate-limit reset, whatever the header says.
MAX_RESET_WAIT_S = 16 * 60.0


class Backoff:
    """Delays of ``base * factor**n`` (at most ``cap``), each drawn from its upper half."""

    def __init__(
        self,
        *,
        base: float = 1.0,
        factor: float = 2.0,
        cap: float = 300.0,
        rng: random.Random | None = None,
    ) -> None:
        self.base, self.factor, self.cap = base, factor, cap
        self.attempts = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        """The next wait, growing with each consecutive failure."""
        ceiling = min(self.cap, self.base * self.factor ** min(self.attempts, 64))
        self.attempts += 1
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def reset(self) -> None:
        """Forget past failures (after a success)."""
        self.attempts = 0

    def delay_for(self, error: BaseException, *, now: datetime | None = None) -> float:
        """The wait after ``error``: until the rate-limit reset if one is known, else backoff."""
        delay = self.next_delay()
        if isinstance(error, SourceRateLimited) and error.reset_at is not None:
            until_reset = (error.reset_at - (now or utcnow())).total_seconds()
            delay = max(min(until_reset, MAX_RESET_WAIT_S) + self._rng.uniform(0, 1), 0.0)
        return delay
