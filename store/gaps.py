"""Coverage gaps: time ranges a collector could not read, kept so nobody mistakes silence
for calm.

A collector records a gap when it knows posts may be missing (a cursor too old for the
platform's search window, a stream that was down, a listing that moved on faster than it was
polled) and marks it backfilled once a search covered the range. The board's Overview and the
digest list the gaps. Functions take a connection or a session (anything with ``execute``),
so a gap can be recorded in the caller's transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from core.clock import SYSTEM_CLOCK, Clock, as_utc
from store.models import SourceGap

__all__ = [
    "GapLog",
    "GapRow",
    "extend_gap",
    "gaps_overlapping",
    "mark_backfilled",
    "recent_gaps",
    "record_gap",
]

log = logging.getLogger(__name__)

#: The longest reason kept (the column's size).
MAX_REASON = 255


class _Executes(Protocol):
    def execute(self, statement: Any, /, *args: Any, **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class GapRow:
    """One recorded gap: ``source`` could not read ``[start, end)``."""

    id: int
    source: str
    start: datetime
    end: datetime
    reason: str
    recorded_at: datetime
    backfilled_at: datetime | None

    @property
    def backfilled(self) -> bool:
        """True once a search covered the range."""
        return self.backfilled_at is not None


_T = SourceGap.__table__  # type: ignore[attr-defined]


def record_gap(
    conn: _Executes, *, source: str, start: datetime, end: datetime, reason: str, now: datetime
) -> int:
    """Keep that ``source`` could not read ``[start, end)``; return the gap's id.

    An empty or reversed range is refused: it says nothing could be missing.
    """
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        raise ValueError(f"a gap must end after it starts ({start.isoformat()}..{end.isoformat()})")
    result = conn.execute(
        insert(_T)
        .values(
            source=source,
            gap_start=start,
            gap_end=end,
            reason=reason[:MAX_REASON],
            recorded_at=as_utc(now),
            backfilled_at=None,
        )
        .returning(_T.c.id)
    )
    return int(result.scalar_one())


def mark_backfilled(conn: _Executes, *, gap_id: int, now: datetime) -> bool:
    """Say a search covered gap ``gap_id``; False when it was unknown or already backfilled."""
    result = conn.execute(
        update(_T)
        .where(and_(_T.c.id == gap_id, _T.c.backfilled_at.is_(None)))
        .values(backfilled_at=as_utc(now))
    )
    return bool(result.rowcount)


def recent_gaps(
    conn: _Executes, *, since: datetime, unbackfilled_only: bool = False
) -> list[GapRow]:
    """Gaps that end at or after ``since``, newest first (optionally only those not backfilled)."""
    query = select(_T).where(_T.c.gap_end >= as_utc(since))
    if unbackfilled_only:
        query = query.where(_T.c.backfilled_at.is_(None))
    rows = conn.execute(query.order_by(_T.c.gap_start.desc(), _T.c.id.desc())).mappings()
    return [_row(r) for r in rows]


def gaps_overlapping(conn: _Executes, start: datetime, end: datetime) -> list[GapRow]:
    """Gaps that cover any moment of ``[start, end)``, earliest first (a day's digest)."""
    overlap = and_(_T.c.gap_start < as_utc(end), _T.c.gap_end > as_utc(start))
    rows = conn.execute(select(_T).where(overlap).order_by(_T.c.gap_start, _T.c.id)).mappings()
    return [_row(r) for r in rows]


def _row(r: Any) -> GapRow:
    return GapRow(
        id=r["id"],
        source=r["source"],
        start=r["gap_start"],
        end=r["gap_end"],
        reason=r["reason"],
        recorded_at=r["recorded_at"],
        backfilled_at=r["backfilled_at"],
    )


def extend_gap(conn: _Executes, *, gap_id: int, end: datetime) -> None:
    """Move a still-open gap's end later (a stream that stays down); an earlier end is ignored."""
    conn.execute(
        update(_T)
        .where(and_(_T.c.id == gap_id, _T.c.gap_end < as_utc(end)))
        .values(gap_end=as_utc(end))
    )


class GapLog:
    """What a collector is handed to record its gaps, each in a transaction of its own.

    A gap is bookkeeping beside the posts: losing one to a database hiccup must not stop
    the collector, so failures are logged, not raised.
    """

    def __init__(self, engine: Engine, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self.engine, self.clock = engine, clock

    def record(
        self, source: str, start: datetime, end: datetime, reason: str, *, backfilled: bool = False
    ) -> int | None:
        """Record ``[start, end)`` (already covered when ``backfilled``); its id, or None."""
        try:
            with self.engine.begin() as conn:
                now = self.clock.now()
                gap_id = record_gap(
                    conn, source=source, start=start, end=end, reason=reason, now=now
                )
                if backfilled:
                    mark_backfilled(conn, gap_id=gap_id, now=now)
        except (SQLAlchemyError, ValueError):
            log.exception("%s: could not record the gap %s..%s", source, start, end)
            return None
        log.warning("%s: gap %s..%s recorded: %s", source, start, end, reason)
        return gap_id

    def extend(self, gap_id: int, end: datetime) -> None:
        """Move gap ``gap_id``'s end to ``end``."""
        try:
            with self.engine.begin() as conn:
                extend_gap(conn, gap_id=gap_id, end=end)
        except SQLAlchemyError:
            log.exception("could not extend gap %d", gap_id)

    def backfilled(self, gap_id: int) -> None:
        """Say a search covered gap ``gap_id``."""
        try:
            with self.engine.begin() as conn:
                mark_backfilled(conn, gap_id=gap_id, now=self.clock.now())
        except SQLAlchemyError:
            log.exception("could not mark gap %d backfilled", gap_id)
