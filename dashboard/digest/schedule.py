"""``--daily-at HH:MM``: keep running and send the digest every day.

The job runs at the given local time in the digest's time zone (daylight-saving aware; the
next time is APScheduler's cron arithmetic). It runs in the workers' one loop,
:func:`store.polling.run_until_stopped`: a run that meets a transient failure (the database
away) is tried again by backoff until :data:`GRACE` after its time; any other failure is logged
and the next day still runs. A run missed by less than :data:`GRACE` (the machine was asleep)
still happens once; older misses are skipped.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.backoff import Backoff
from core.clock import SYSTEM_CLOCK, Clock
from core.errors import Critic2fanError, InputError
from store.polling import TRANSIENT, Sleep, run_until_stopped

log = logging.getLogger(__name__)

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
#: How late a day's run may still start (after a sleep, or while the database was away).
GRACE = timedelta(hours=1)
#: The longest idle wait: the clock is looked at again at least this often.
MAX_IDLE_S = 60.0


def parse_hhmm(value: str) -> tuple[int, int]:
    """``08:00`` -> (8, 0), or an ``InputError``."""
    match = _HHMM.match(value.strip())
    if not match:
        raise InputError(f"--daily-at: expected HH:MM (24-hour), got {value!r}")
    return int(match.group(1)), int(match.group(2))


def guarded(job: Callable[[], Any]) -> Callable[[], None]:
    """Wrap ``job`` so a product error is logged and the schedule carries on.

    Transient errors (:data:`store.polling.TRANSIENT`) pass through, to be tried again.
    """

    def run() -> None:
        try:
            job()
        except TRANSIENT:
            raise
        except Critic2fanError as exc:
            log.error("daily digest failed: %s", exc)
        except Exception:
            log.exception("daily digest failed unexpectedly")

    return run


def next_run(at: str, zone: ZoneInfo, now: datetime) -> datetime:
    """When the schedule fires next after ``now`` (for the start-up message)."""
    from apscheduler.triggers.cron import CronTrigger

    hour, minute = parse_hhmm(at)
    fire = CronTrigger(hour=hour, minute=minute, timezone=zone).get_next_fire_time(None, now)
    assert fire is not None
    return fire


def run_daily(
    job: Callable[[], Any],
    at: str,
    zone: ZoneInfo,
    *,
    stop: threading.Event | None = None,
    clock: Clock = SYSTEM_CLOCK,
    sleep: Sleep | None = None,
    backoff: Backoff | None = None,
) -> int:
    """Block, running ``job`` every day at ``at`` until ``stop`` (or Ctrl-C); return the runs.

    ``sleep`` replaces the idle and backoff waits (tests move a fixed ``clock`` with it).
    """
    stop = stop or threading.Event()
    run = guarded(job)
    due = next_run(at, zone, clock.now())

    def step() -> int:
        nonlocal due
        now = clock.now()
        if now < due:
            return 0
        ran = now - due <= GRACE
        if ran:
            run()
        else:
            log.warning("the digest of %s was missed by more than %s; skipped", due, GRACE)
        due = next_run(at, zone, max(now, due) + timedelta(seconds=1))  # strictly later
        return int(ran)

    def idle() -> float:
        return min(MAX_IDLE_S, (due - clock.now()).total_seconds())

    try:
        return run_until_stopped(
            step,
            stop=stop,
            idle_s=idle,
            backoff=backoff or Backoff(base=30.0, cap=600.0, clock=clock),
            sleep=sleep,
            name="daily digest",
        )
    except KeyboardInterrupt:
        log.info("digest scheduler stopped")
        return 0
