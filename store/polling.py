"""The one loop every worker runs: do a step of work, wait when idle, back off on failure.

::

    while not stop:
        done = step()                      # how much work this pass did
        done > 0  -> go again at once
        done == 0 -> wait for a wake-up (LISTEN/NOTIFY, or a short poll on SQLite) or idle_s
        transient error (database, source unavailable) -> wait by Backoff, carry on

A stage keeps its place in the store, so a step that fails part-way leaves nothing to undo: the
next step starts where the store says. Setting ``stop`` ends the loop within the wake-up's
stop check (a quarter second), never after a whole idle or backoff wait. It lives in ``store``
because its wake-up listens to the database (:mod:`store.wakeup`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from core.backoff import Backoff
from core.errors import SourceRateLimited, SourceUnavailable, StorageError
from store.wakeup import Wakeup

log = logging.getLogger(__name__)

#: Errors a worker waits out instead of stopping: the database or a platform is away a while.
TRANSIENT: tuple[type[BaseException], ...] = (
    StorageError,
    OperationalError,
    InterfaceError,
    SourceUnavailable,
    SourceRateLimited,
)

Step = Callable[[], int]
Sleep = Callable[[float], object]


def database_backoff() -> Backoff:
    """The waits of a worker whose database is away: 0.1-0.2 s at first, at most 10 s."""
    return Backoff(base=0.2, cap=10.0)


def run_until_stopped(
    step: Step,
    *,
    stop: threading.Event,
    wake: Wakeup | None = None,
    idle_s: float | Callable[[], float] = 1.0,
    backoff: Backoff | None = None,
    transient: tuple[type[BaseException], ...] = TRANSIENT,
    sleep: Sleep | None = None,
    name: str = "worker",
) -> int:
    """Call ``step()`` until ``stop`` is set; return the total work the steps reported.

    ``idle_s`` (seconds, or a function giving them, e.g. until the next timer) bounds the wait
    after a step that found nothing; ``wake`` ends that wait early when new work is announced.
    ``sleep`` waits without a wake-up (default: ``stop.wait``, so a stop cuts it short); tests
    pass one that moves a fixed clock instead. Errors outside ``transient`` propagate.
    """
    backoff = backoff or database_backoff()
    sleep = sleep or stop.wait
    total = 0
    while not stop.is_set():
        try:
            done = step()
            backoff.reset()
            total += done
            if done or stop.is_set():
                continue
            timeout = idle_s() if callable(idle_s) else idle_s
            if wake is not None:
                wake.wait(max(0.0, timeout), stop)
            else:
                sleep(max(0.0, timeout))
        except transient as exc:
            delay = backoff.delay_for(exc)
            log.warning("%s: %s (%s); retrying in %.1fs", name, _what(exc), reason(exc), delay)
            sleep(delay)
    return total


def _what(exc: BaseException) -> str:
    if isinstance(exc, StorageError | SQLAlchemyError):
        return "database unavailable"
    return "source unavailable"


def reason(exc: BaseException) -> str:
    """The first line of the driver's message (no URL, no password)."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
