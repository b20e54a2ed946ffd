"""What staff operations on a case read inside their own transaction: a clashing open case,
the open cases incident mode must tag, and the goodwill already spent against the budgets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from store.models import Case, GoodwillLedger


def open_case_id(session: Session, *, author_id: int, topic: str) -> int | None:
    """The id of the critic's open case on ``topic``, if they have one."""
    query = select(Case.id).where(
        col(Case.author_id) == author_id,
        col(Case.topic) == topic,
        col(Case.is_open).is_(True),
    )
    return session.exec(query).first()


def open_cases_to_tag(session: Session, *, incident: bool) -> list[Case]:
    """Open cases whose incident flag is not yet ``incident`` (to be switched)."""
    query = select(Case).where(col(Case.is_open).is_(True), col(Case.incident).is_not(incident))
    return list(session.exec(query).all())


def goodwill_spent(
    session: Session, since: datetime, until: datetime, *, actor: str | None = None
) -> float:
    """Goodwill spent in ``[since, until)``, by everyone or by ``actor`` alone."""
    query = select(func.coalesce(func.sum(GoodwillLedger.amount), 0.0)).where(
        col(GoodwillLedger.at) >= since, col(GoodwillLedger.at) < until
    )
    if actor is not None:
        query = query.where(col(GoodwillLedger.actor) == actor)
    return float(session.exec(query).one())
