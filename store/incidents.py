"""Incidents (a crisis that pauses templated replies): which are open, which overlapped a day,
what the spike check reads (recent mentions with their text) and its proposal to close one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from store.models import Incident, Mention, Score


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


def scored_mentions_between(
    session: Session, start: datetime, end: datetime
) -> list[tuple[datetime, float, str]]:
    """(created_at, highest p_negative, text) of each scored mention in ``[start, end)``: the
    spike check counts them and finds the topic most of them have."""
    rows = session.exec(
        select(Mention.created_at, func.max(Score.p_negative), Mention.text)
        .join(Score, col(Score.mention_id) == col(Mention.id))
        .where(col(Mention.created_at) >= start, col(Mention.created_at) < end)
        .group_by(col(Mention.id), col(Mention.created_at), col(Mention.text))
    ).all()
    return [(at, float(p), text) for at, p, text in rows]


def propose_close(session: Session, incident_id: int, at: datetime) -> bool:
    """Mark an open incident as proposed for closing (once); True when this call marked it."""
    incident = session.get(Incident, incident_id)
    if incident is None or incident.ended_at is not None or incident.close_proposed_at:
        return False
    incident.close_proposed_at = at
    session.add(incident)
    return True
