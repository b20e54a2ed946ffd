"""Template experiments in the store: each case's variant, the experiment's outcome counts by
variant, and leads' stops.

A case's variant is written once, the first time the experiment suggests a reply for it, with
``INSERT … ON CONFLICT DO NOTHING``, so two workers suggesting at once write one row. The
counts are one grouped join of the assignments with their cases (served by the primary key,
which starts with the experiment), cheap enough to run on every view of the results page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from core.stages import Stage
from store.models import Case, ExperimentAssignment, ExperimentStop
from store.upsert import insert_ignoring_duplicates

log = logging.getLogger(__name__)

_A = ExperimentAssignment.__table__  # type: ignore[attr-defined]
_C = Case.__table__  # type: ignore[attr-defined]
_S = ExperimentStop.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class VariantCounts:
    """One variant's cases: assigned, closed (with an outcome) and closed as fans."""

    variant: str
    assigned: int
    closed: int
    fans: int


@dataclass(frozen=True)
class StopRecord:
    """Who stopped an experiment, when and why."""

    experiment: str
    stopped_at: datetime
    stopped_by: str
    reason: str


def assigned_variant(session: Session, experiment: str, case_id: int) -> str | None:
    """The variant the case was given (None: not assigned)."""
    row = session.get(ExperimentAssignment, (experiment, case_id))
    return row.variant if row is not None else None


def record_assignment(
    session: Session, experiment: str, case_id: int, variant: str, *, now: datetime
) -> bool:
    """Record the case's variant unless it has one; True when this call wrote it."""
    row = {"experiment": experiment, "case_id": case_id, "variant": variant, "assigned_at": now}
    return insert_ignoring_duplicates(session, ExperimentAssignment, [row]) == 1


def variant_counts(conn: Connection | Session, experiment: str) -> list[VariantCounts]:
    """Per variant: cases assigned, closed, and closed as fans (an open case counts as neither
    a success nor a failure yet; a reopened walk-away is open again)."""
    closed = _C.c.is_open.is_(False)
    fan = and_(closed, _C.c.outcome == Stage.FAN.value)
    stmt = (
        select(
            _A.c.variant,
            func.count(),
            func.coalesce(func.sum(case((closed, 1), else_=0)), 0),
            func.coalesce(func.sum(case((fan, 1), else_=0)), 0),
        )
        .select_from(_A.join(_C, _C.c.id == _A.c.case_id))
        .where(_A.c.experiment == experiment)
        .group_by(_A.c.variant)
        .order_by(_A.c.variant)
    )
    rows = conn.execute(stmt).all()
    return [VariantCounts(str(v), int(n), int(c), int(f)) for v, n, c, f in rows]


def experiments_with_assignments(conn: Connection | Session) -> list[str]:
    """Every experiment that has assigned a case, by name."""
    stmt = select(_A.c.experiment).distinct().order_by(_A.c.experiment)
    return [str(name) for name in conn.execute(stmt).scalars()]


def stop_of(conn: Connection | Session, experiment: str) -> StopRecord | None:
    """The experiment's stop (None while it runs)."""
    row = conn.execute(select(_S).where(_S.c.experiment == experiment)).first()
    if row is None:
        return None
    return StopRecord(row.experiment, row.stopped_at, row.stopped_by, row.reason)


def record_stop(
    session: Session, experiment: str, *, actor: str, reason: str, now: datetime
) -> bool:
    """Record the stop; False (writing nothing) when the experiment was already stopped."""
    row = {"experiment": experiment, "stopped_at": now, "stopped_by": actor, "reason": reason}
    written = insert_ignoring_duplicates(session, ExperimentStop, [row]) == 1
    if written:
        log.info("experiment %s stopped by %s", experiment, actor)
    return written
