"""The digest's day: local midnight to local midnight in an explicit time zone, as UTC bounds.

A day is not always 24 hours (daylight-saving changes make 23- and 25-hour days), so the
bounds come from the local calendar, never from adding ``timedelta(days=1)`` to UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import ConfigError, InputError


@dataclass(frozen=True)
class DayWindow:
    """One local calendar day: ``start <= t < end`` in UTC."""

    day: date
    zone: ZoneInfo
    start: datetime
    end: datetime

    @property
    def previous(self) -> DayWindow:
        """The day before, for the headline comparisons."""
        return day_window(self.day - timedelta(days=1), self.zone)

    @property
    def hours(self) -> float:
        """Length in hours (23, 24 or 25)."""
        return (self.end - self.start).total_seconds() / 3600


def parse_zone(name: str) -> ZoneInfo:
    """An IANA time zone, or a ``ConfigError`` that says what was wrong."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {name!r} (use an IANA name like Europe/Paris)"
        ) from None


def parse_day(value: str) -> date:
    """``YYYY-MM-DD`` or an ``InputError``."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"--date: expected YYYY-MM-DD, got {value!r}") from None


def day_window(day: date, zone: ZoneInfo) -> DayWindow:
    """The UTC bounds of ``day`` as lived in ``zone``."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return DayWindow(day=day, zone=zone, start=start, end=end)


def yesterday(now: datetime, zone: ZoneInfo) -> date:
    """The local date before ``now``'s local date: the default digest day."""
    return now.astimezone(zone).date() - timedelta(days=1)
