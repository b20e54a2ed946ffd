"""How much the store holds: mentions stored and scored, authors and critics, cases by stage.

For the terminal (``critic2fan demo``'s summary, ``critic2fan run``'s status line); each count
is one aggregate query.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlmodel import col

from core.clock import as_utc
from store.models import Author, Case, Incident, Mention, Score


class MentionCounts(NamedTuple):
    """Mentions stored, and how many of them have at least one score."""

    mentions: int
    scored: int


class PeopleCounts(NamedTuple):
    """Authors stored, and how many of them have a case (critics)."""

    authors: int
    critics: int


def mention_counts(conn: Connection) -> MentionCounts:
    """Mentions stored and scored (by any model)."""
    mentions = conn.execute(select(func.count()).select_from(Mention)).scalar_one()
    scored = conn.execute(select(func.count(func.distinct(col(Score.mention_id))))).scalar_one()
    return MentionCounts(int(mentions), int(scored))


def people_counts(conn: Connection) -> PeopleCounts:
    """Authors stored and authors with a case."""
    authors = conn.execute(select(func.count()).select_from(Author)).scalar_one()
    critics = conn.execute(select(func.count(func.distinct(col(Case.author_id))))).scalar_one()
    return PeopleCounts(int(authors), int(critics))


def open_cases_by_stage(conn: Connection) -> dict[str, int]:
    """Open cases per stage (stages with none are left out)."""
    rows = conn.execute(
        select(col(Case.stage), func.count())
        .where(col(Case.is_open).is_(True))
        .group_by(col(Case.stage))
    ).all()
    return {stage: int(n) for stage, n in rows}


def closed_cases_by_outcome(conn: Connection) -> dict[tuple[str | None, str | None], int]:
    """Closed cases per ``(outcome, walk-away reason)``."""
    rows = conn.execute(
        select(col(Case.outcome), col(Case.walkaway_reason), func.count())
        .where(col(Case.is_open).is_(False))
        .group_by(col(Case.outcome), col(Case.walkaway_reason))
    ).all()
    return {(outcome, reason): int(n) for outcome, reason, n in rows}


def first_mention_at(conn: Connection) -> datetime | None:
    """When the oldest stored mention was posted (None: no mentions)."""
    first = conn.execute(select(func.min(col(Mention.created_at)))).scalar_one_or_none()
    return as_utc(first) if first is not None else None


def open_cases_past_sla(conn: Connection, now: datetime) -> int:
    """Open cases whose staff reply is overdue at ``now``."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(Case)
            .where(col(Case.is_open).is_(True), col(Case.sla_due) < now)
        ).scalar_one()
    )


def incident_counts(conn: Connection) -> tuple[int, int]:
    """Incidents ``(opened, closed)``."""
    opened = conn.execute(select(func.count()).select_from(Incident)).scalar_one()
    closed = conn.execute(
        select(func.count()).select_from(Incident).where(col(Incident.ended_at).is_not(None))
    ).scalar_one()
    return int(opened), int(closed)
