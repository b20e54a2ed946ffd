"""Cases and their audit trails by time window or by id: what reports and the digest read.

Window reads are served by the ``opened_at`` / ``closed_at`` and ``CaseEvent.at`` indexes, and
id lists are read 500 at a time, so a report costs the same on a year-old database. Rows are
returned attached to the caller's session.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from store.models import Case, CaseEvent

#: Ids per ``IN (…)`` list, well under every database's bound-parameter limit.
IDS_PER_QUERY = 500


def cases_opened_between(session: Session, since: datetime, until: datetime) -> list[Case]:
    """Cases opened in ``[since, until)``."""
    query = select(Case).where(col(Case.opened_at) >= since, col(Case.opened_at) < until)
    return list(session.exec(query).all())


def cases_closed_between(session: Session, since: datetime, until: datetime) -> list[Case]:
    """Cases closed in ``[since, until)``."""
    query = select(Case).where(col(Case.closed_at) >= since, col(Case.closed_at) < until)
    return list(session.exec(query).all())


def cases_by_id(session: Session, case_ids: Iterable[int]) -> dict[int, Case]:
    """The cases with these ids, by id (unknown ids are left out)."""
    ids = sorted(set(case_ids))
    out: dict[int, Case] = {}
    for i in range(0, len(ids), IDS_PER_QUERY):
        query = select(Case).where(col(Case.id).in_(ids[i : i + IDS_PER_QUERY]))
        out.update({c.id: c for c in session.exec(query).all() if c.id is not None})
    return out


def events_between(session: Session, since: datetime, until: datetime) -> list[CaseEvent]:
    """Every case event in ``[since, until)``, oldest first."""
    query = select(CaseEvent).where(col(CaseEvent.at) >= since, col(CaseEvent.at) < until)
    return list(session.exec(query.order_by(col(CaseEvent.at), col(CaseEvent.id))).all())


def events_for_cases(session: Session, case_ids: Sequence[int]) -> list[CaseEvent]:
    """The audit trail of the given cases, oldest first within each batch of ids."""
    out: list[CaseEvent] = []
    for i in range(0, len(case_ids), IDS_PER_QUERY):
        chunk = list(case_ids[i : i + IDS_PER_QUERY])
        query = select(CaseEvent).where(col(CaseEvent.case_id).in_(chunk))
        out.extend(session.exec(query.order_by(col(CaseEvent.at), col(CaseEvent.id))).all())
    return out
