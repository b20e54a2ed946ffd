"""How long to wait after a failure: exponential, jittered, capped; a platform's reset wins.

One :class:`Backoff` serves every stage that waits after a failure: a collector whose platform
dropped the connection, a worker whose database went away, the digest whose mail server said
"try later". Jitter keeps many workers from retrying in step after an outage. A rate-limit
error that carries the platform's reset time waits until then (plus up to a second), never
less, and never more than :data:`MAX_RESET_WAIT_S`.

The delays are pure arithmetic over an injectable random source and :class:`~core.clock.Clock`;
the only waiting is :meth:`Backoff.retry`'s, through an injectable ``sleep``.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from core.clock import SYSTEM_CLOCK, Clock
from core.errors import SourceRateLimited

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Never wait longer than this for a rate-limit reset, whatever the header says.
MAX_RESET_WAIT_S = 16 * 60.0


class Backoff:
    """Delays of ``base * factor**n`` (at most ``cap``), each drawn from its upper half.

    ``n`` counts consecutive failures; :meth:`reset` after a success starts again at ``base``.
    """

    def __init__(
        self,
        *,
        base: float = 1.0,
        factor: float = 2.0,
        cap: float = 300.0,
        rng: random.Random | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.base, self.factor, self.cap = base, factor, cap
        self.attempts = 0
        self.clock = clock
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
            until_reset = (error.reset_at - (now or self.clock.now())).total_seconds()
            delay = max(min(until_reset, MAX_RESET_WAIT_S) + self._rng.uniform(0, 1), 0.0)
        return delay

    def retry(
        self,
        call: Callable[[], T],
        *,
        attempts: int,
        transient: Callable[[BaseException], bool],
        sleep: Callable[[float], object] = time.sleep,
        on_retry: Callable[[int, BaseException, float], None] | None = None,
    ) -> T:
        """``call()`` until it succeeds, at most ``attempts`` times, waiting between tries.

        Only errors ``transient`` accepts are tried again; any other, and the last transient
        one, propagate unchanged. ``on_retry(attempt, error, delay)`` runs before each wait.
        """
        self.reset()
        attempt = 1
        while True:
            try:
                return call()
            except Exception as exc:
                if attempt >= max(1, attempts) or not transient(exc):
                    raise
                delay = self.delay_for(exc)
                if on_retry is not None:
                    on_retry(attempt, exc, delay)
                else:
                    log.warning("attempt %d failed (%s); retrying in %.1fs", attempt, exc, delay)
                sleep(delay)
                attempt += 1


def reset_in(seconds_left: str | float | None, *, clock: Clock = SYSTEM_CLOCK) -> datetime | None:
    """When a rate-limit window resets, from a header that gives the seconds left in it
    (Reddit's ``x-ratelimit-reset``); None when it is absent or not a number."""
    if seconds_left is None or seconds_left == "":
        return None
    try:
        seconds = float(seconds_left)
    except ValueError:
        return None
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return clock.now() + timedelta(seconds=seconds)
