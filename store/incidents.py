"""Incidents: which are open, which overlapped a day, what the spike check reads (recent
mentions with their text) and its proposal to close one; an incident's scope, the cases tagged
to it (its affected critics) and its status updates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from store.models import (
    Author,
    Case,
    Incident,
    IncidentCase,
    IncidentUpdate,
    Mention,
    OutboxItem,
    Score,
)


def open_incidents(session: Session) -> list[Incident]:
    """Incidents that have not ended, attached to the caller's session (to end them)."""
    return list(session.exec(select(Incident).where(col(Incident.ended_at).is_(None))).all())


def recently_closed_incidents(session: Session, limit: int) -> list[Incident]:
    """The ``limit`` incidents that ended last, newest first."""
    query = (
        select(Incident)
        .where(col(Incident.ended_at).is_not(None))
        .order_by(col(Incident.ended_at).desc(), col(Incident.id).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


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


# -- scope and affected critics --------------------------------------------------------------


def in_scope(incident: Incident, *, topic: str, platform: str) -> bool:
    """Whether a case on ``topic`` from ``platform`` falls in the incident's scope (a region is
    descriptive: posts carry no region to match)."""
    return incident.topic in (None, topic) and incident.platform in (None, platform)


def covering_incidents(
    session: Session, *, at: datetime, topic: str, platform: str
) -> list[Incident]:
    """Incidents live at ``at`` whose scope covers a case on ``topic`` from ``platform``."""
    live = and_(
        col(Incident.started_at) <= at,
        or_(col(Incident.ended_at).is_(None), col(Incident.ended_at) > at),
    )
    rows = session.exec(select(Incident).where(live).order_by(col(Incident.id))).all()
    return [i for i in rows if in_scope(i, topic=topic, platform=platform)]


def open_cases_in_scope(session: Session, incident: Incident) -> list[Case]:
    """The open cases the incident's scope covers, oldest first."""
    query = select(Case).where(col(Case.is_open).is_(True))
    if incident.topic is not None:
        query = query.where(col(Case.topic) == incident.topic)
    if incident.platform is not None:
        query = query.where(col(Case.source) == incident.platform)
    return list(session.exec(query.order_by(col(Case.id))).all())


def link_case(session: Session, incident_id: int, case_id: int, at: datetime) -> bool:
    """Tag a case to an incident (once); True when this call tagged it."""
    if session.get(IncidentCase, (incident_id, case_id)) is not None:
        return False
    session.add(IncidentCase(incident_id=incident_id, case_id=case_id, tagged_at=at))
    session.flush()
    return True


def link_covering(session: Session, row: Case, at: datetime) -> int:
    """Tag a case the engine put in an incident to every live incident whose scope covers it;
    returns how many links this call made."""
    assert row.id is not None
    made = 0
    for incident in covering_incidents(session, at=at, topic=row.topic, platform=row.source):
        assert incident.id is not None
        made += link_case(session, incident.id, row.id, at)
    return made


def incident_cases(session: Session, incident_id: int) -> list[IncidentCase]:
    """The links of the cases tagged to an incident, in tagging order."""
    query = (
        select(IncidentCase)
        .where(col(IncidentCase.incident_id) == incident_id)
        .order_by(col(IncidentCase.tagged_at), col(IncidentCase.case_id))
    )
    return list(session.exec(query).all())


def other_open_incident_of(session: Session, case_id: int, *, besides: int) -> bool:
    """Whether the case is tagged to an open incident other than ``besides``."""
    query = (
        select(IncidentCase.incident_id)
        .join(Incident, col(Incident.id) == col(IncidentCase.incident_id))
        .where(col(IncidentCase.case_id) == case_id, col(IncidentCase.incident_id) != besides)
        .where(col(Incident.ended_at).is_(None))
    )
    return session.exec(query).first() is not None


def incident_of_case(session: Session, case_id: int) -> Incident | None:
    """The newest open incident the case is tagged to (its holding reply is the case's)."""
    query = (
        select(Incident)
        .join(IncidentCase, col(IncidentCase.incident_id) == col(Incident.id))
        .where(col(IncidentCase.case_id) == case_id, col(Incident.ended_at).is_(None))
        .order_by(col(Incident.started_at).desc(), col(Incident.id).desc())
        .limit(1)
    )
    return session.exec(query).first()


def scope_taken(
    session: Session, *, topic: str | None, region: str | None, platform: str | None
) -> int | None:
    """The open incident with exactly this scope, if any (one incident per scope)."""
    query = select(Incident.id).where(col(Incident.ended_at).is_(None))
    for column, value in (
        (Incident.topic, topic),
        (Incident.region, region),
        (Incident.platform, platform),
    ):
        query = query.where(col(column).is_(None) if value is None else col(column) == value)
    return session.exec(query).first()


# -- the board's reads -------------------------------------------------------------------------


@dataclass(frozen=True)
class AffectedCritic:
    """A case tagged to an incident, with its critic, as the Incidents page lists it."""

    case_id: int
    handle: str
    display_name: str | None
    platform: str
    stage: str
    is_open: bool
    tagged_at: datetime
    followup_id: int | None
    followup_state: str | None


@dataclass(frozen=True)
class UpdatePost:
    """One platform's post of a status update: where it stands in the outbox."""

    outbox_id: int
    platform: str
    state: str
    url: str | None
    error: str | None
    text: str


def affected_critics(conn: Connection, incident_id: int) -> list[AffectedCritic]:
    """The cases tagged to an incident with their critics and "it's fixed" drafts."""
    stmt = (
        sa_select(
            col(IncidentCase.case_id),
            col(Author.handle),
            col(Author.display_name),
            col(Case.source),
            col(Case.stage),
            col(Case.is_open),
            col(IncidentCase.tagged_at),
            col(IncidentCase.followup_id),
            col(OutboxItem.state),
        )
        .join(Case, col(Case.id) == col(IncidentCase.case_id))
        .join(Author, col(Author.id) == col(Case.author_id))
        .outerjoin(OutboxItem, col(OutboxItem.id) == col(IncidentCase.followup_id))
        .where(col(IncidentCase.incident_id) == incident_id)
        .order_by(col(IncidentCase.tagged_at), col(IncidentCase.case_id))
    )
    return [AffectedCritic(*row) for row in conn.execute(stmt)]


def affected_counts(conn: Connection, incident_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(tagged, still open) cases per incident."""
    if not incident_ids:
        return {}
    stmt = (
        select(
            col(IncidentCase.incident_id),
            func.count(),
            func.sum(case((col(Case.is_open), 1), else_=0)),
        )
        .join(Case, col(Case.id) == col(IncidentCase.case_id))
        .where(col(IncidentCase.incident_id).in_(incident_ids))
        .group_by(col(IncidentCase.incident_id))
    )
    return {i: (int(n), int(o or 0)) for i, n, o in conn.execute(stmt)}


def updates_of(session: Session, incident_id: int) -> list[IncidentUpdate]:
    """An incident's status updates, oldest first."""
    query = (
        select(IncidentUpdate)
        .where(col(IncidentUpdate.incident_id) == incident_id)
        .order_by(col(IncidentUpdate.at), col(IncidentUpdate.id))
    )
    return list(session.exec(query).all())


def update_with_text(session: Session, incident_id: int, text: str) -> IncidentUpdate | None:
    """The incident's status update with exactly this text (posting it again is a no-op)."""
    query = select(IncidentUpdate).where(
        col(IncidentUpdate.incident_id) == incident_id, col(IncidentUpdate.text) == text
    )
    return session.exec(query.limit(1)).first()


def update_posts(conn: Connection, update_ids: list[int]) -> dict[int, list[UpdatePost]]:
    """Each status update's outbox rows, one per platform."""
    if not update_ids:
        return {}
    stmt = (
        sa_select(
            col(OutboxItem.incident_update_id),
            col(OutboxItem.id),
            col(OutboxItem.platform),
            col(OutboxItem.state),
            col(OutboxItem.url),
            col(OutboxItem.error),
            col(OutboxItem.text),
        )
        .where(col(OutboxItem.incident_update_id).in_(update_ids))
        .order_by(col(OutboxItem.platform))
    )
    out: dict[int, list[UpdatePost]] = {}
    for update_id, item_id, platform, state, url, error, text in conn.execute(stmt):
        assert update_id is not None and item_id is not None
        post = UpdatePost(item_id, platform, state, url, error, text)
        out.setdefault(update_id, []).append(post)
    return out
