"""Incidents (a crisis that pauses templated replies): which are open, which overlapped a day."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from store.models import Incident


def open_incidents(session: Session) -> list[Incident]:
    """Incidents that have not ended, attached to the caller's session (to end them)."""
    return list(session.exec(select(Incident).where(col(Incident.ended_at).is_(None))).all())


def incident_open(session: Session) -> bool:
    """True while any incident is open."""
    query = select(Incident.id).where(col(Incident.ended_at).is_(None))
    return session.exec(query).first() is not None


def newest_open_incident(session: Session) -> Incident | None:
    """The most recently started incident still in progress, if any."""
    query = (
        select(Incident)
        .where(col(Incident.ended_at).is_(None))
        .order_by(col(Incident.started_at).desc())
        .limit(1)
    )
    return session.exec(query).first()


def incidents_overlapping(session: Session, start: datetime, end: datetime) -> list[Incident]:
    """Incidents live at any moment of ``[start, end)``, earliest first."""
    live = and_(
        col(Incident.started_at) < end,
        or_(col(Incident.ended_at).is_(None), col(Incident.ended_at) >= start),
    )
    query = select(Incident).where(live).order_by(col(Incident.started_at))
    return list(session.exec(query).all())
