"""Where time comes from: one ``Clock`` that is passed in wherever time is read.

Production code takes a ``clock`` argument (defaulting to :data:`SYSTEM_CLOCK`); tests pass a
:class:`FixedClock` and move it by hand, so nothing depends on when the suite runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


def as_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime (naive values are taken to be UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current wall-clock time, aware, in UTC (what :data:`SYSTEM_CLOCK` reads)."""
    return datetime.now(UTC)


class Clock(Protocol):
    """Something that says what time it is, always aware and in UTC."""

    def now(self) -> datetime:
        """The current time."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current wall-clock time in UTC."""
        return utcnow()


class FixedClock:
    """A clock that stands still until it is moved: for tests and replays."""

    def __init__(self, at: datetime) -> None:
        self._at = as_utc(at)

    def now(self) -> datetime:
        """The time it was set to."""
        return self._at

    def set(self, at: datetime) -> None:
        """Move the clock to ``at``."""
        self._at = as_utc(at)

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by ``delta`` and return the new time."""
        self._at += delta
        return self._at


#: The clock every component uses unless it is handed another.
SYSTEM_CLOCK: Clock = SystemClock()
