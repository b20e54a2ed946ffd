"""Case timers: when the next one falls due, and which are due now.

A timer lives on its open case (``Case.timer_due``), so it fires on time after a restart: the
playbook stage asks here after each pass instead of keeping timers in memory.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from store.models import Case


def next_timer_due(session: Session) -> datetime | None:
    """The earliest timer of any open case (None: no timer set)."""
    return session.exec(
        select(Case.timer_due)
        .where(col(Case.is_open).is_(True), col(Case.timer_due).is_not(None))
        .order_by(col(Case.timer_due))
        .limit(1)
    ).first()


def next_timer_due_in(engine: Engine) -> datetime | None:
    """:func:`next_timer_due` in a short session of its own."""
    with Session(engine) as session:
        return next_timer_due(session)


def cases_due(session: Session, until: datetime, *, limit: int) -> list[Case]:
    """Up to ``limit`` open cases whose timer is due by ``until``, earliest first."""
    return list(
        session.exec(
            select(Case)
            .where(col(Case.is_open).is_(True), col(Case.timer_due) <= until)
            .order_by(col(Case.timer_due), col(Case.id))
            .limit(limit)
        ).all()
    )
