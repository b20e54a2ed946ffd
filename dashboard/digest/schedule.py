"""``--daily-at HH:MM``: keep running and send the digest every day (APScheduler 3).

The job runs at the given local time in the digest's time zone (daylight-saving aware); a
failed run is logged and the next day still runs. A run missed by less than an hour (the
machine was asleep) still happens once; older misses are skipped (coalesced).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.errors import Critic2fanError, InputError

log = logging.getLogger(__name__)

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(value: str) -> tuple[int, int]:
    """``08:00`` -> (8, 0), or an ``InputError``."""
    match = _HHMM.match(value.strip())
    if not match:
        raise InputError(f"--daily-at: expected HH:MM (24-hour), got {value!r}")
    return int(match.group(1)), int(match.group(2))


def guarded(job: Callable[[], Any]) -> Callable[[], None]:
    """Wrap ``job`` so a product error is logged and the schedule carries on."""

    def run() -> None:
        try:
            job()
        except Critic2fanError as exc:
            log.error("daily digest failed: %s", exc)
        except Exception:
            log.exception("daily digest failed unexpectedly")

    return run


def make_scheduler(
    job: Callable[[], Any], at: str, zone: ZoneInfo, *, blocking: bool = True
) -> Any:
    """A scheduler with ``job`` at ``at`` every day in ``zone`` (not started)."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    hour, minute = parse_hhmm(at)
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=zone)
    scheduler.add_job(
        guarded(job),
        CronTrigger(hour=hour, minute=minute, timezone=zone),
        id="daily-digest",
        name="daily digest",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
    return scheduler


def next_run(at: str, zone: ZoneInfo, now: datetime) -> datetime:
    """When the schedule fires next after ``now`` (for the start-up message)."""
    from apscheduler.triggers.cron import CronTrigger

    hour, minute = parse_hhmm(at)
    fire = CronTrigger(hour=hour, minute=minute, timezone=zone).get_next_fire_time(None, now)
    assert fire is not None
    return fire


def run_daily(job: Callable[[], Any], at: str, zone: ZoneInfo) -> None:
    """Block, running ``job`` every day at ``at``; Ctrl-C stops cleanly."""
    scheduler = make_scheduler(job, at, zone)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("digest scheduler stopped")
