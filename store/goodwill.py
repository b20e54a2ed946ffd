"""Goodwill against its budgets: what was spent on a case, by an agent and by the team in a
day, and the requests over budget that wait for a lead. A request is decided once: the
decision is a conditional ``UPDATE`` on a pending row, so two leads deciding at the same moment
cannot both win."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy import select as select_columns
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from core.errors import InputError
from store.casework import goodwill_spent
from store.models import Author, Case, GoodwillRequest, GoodwillRequestState

PENDING = GoodwillRequestState.PENDING.value


@dataclass(frozen=True)
class GoodwillSpent:
    """Goodwill already spent against each budget: on the case, by the agent and by the team
    in the day's window."""

    case: float
    agent: float
    team: float


@dataclass(frozen=True)
class PendingRequest:
    """A request waiting for a lead, with what the lead needs to decide it."""

    id: int
    case_id: int
    requested_by: str
    kind: str
    amount: float
    currency: str
    note: str | None
    over: list[str]
    requested_at: datetime
    case_spent: float
    case_open: bool
    author_handle: str | None


def spent_against_budgets(
    session: Session, *, case_id: int, actor: str, since: datetime, until: datetime
) -> GoodwillSpent:
    """What the case, ``actor`` and everyone have spent (the day is ``[since, until)``)."""
    on_case = session.exec(select(Case.goodwill_spent).where(col(Case.id) == case_id)).first()
    return GoodwillSpent(
        case=float(on_case or 0.0),
        agent=goodwill_spent(session, since, until, actor=actor),
        team=goodwill_spent(session, since, until),
    )


def add_request(session: Session, request: GoodwillRequest) -> GoodwillRequest:
    """Store a new pending request (flushed, so it has its id)."""
    request.state = PENDING
    session.add(request)
    session.flush()
    return request


def get_request(session: Session, request_id: int) -> GoodwillRequest:
    """The request ``request_id`` (``InputError`` when there is none)."""
    row = session.get(GoodwillRequest, request_id)
    if row is None:
        raise InputError(f"no goodwill request #{request_id}")
    return row


def decide(
    session: Session,
    request_id: int,
    *,
    state: GoodwillRequestState,
    by: str,
    at: datetime,
    reason: str | None = None,
) -> GoodwillRequest:
    """Approve or decline a pending request, once: refused (``InputError``) when it was
    decided already, by this call's rival too."""
    stmt = (
        update(GoodwillRequest)
        .where(col(GoodwillRequest.id) == request_id, col(GoodwillRequest.state) == PENDING)
        .values(state=state.value, decided_by=by, decided_at=at, reason=reason)
    )
    done = session.connection().execute(stmt).rowcount == 1
    row = get_request(session, request_id)
    session.refresh(row)
    if not done:
        raise InputError(f"goodwill request #{request_id} was {row.state} already")
    return row


def pending_requests(
    conn: Connection, *, case_id: int | None = None, limit: int = 200
) -> list[PendingRequest]:
    """Requests waiting for a lead, oldest first (one case's with ``case_id``)."""
    g = GoodwillRequest
    where = [col(g.state) == PENDING]
    if case_id is not None:
        where.append(col(g.case_id) == case_id)
    stmt: Any = (
        select_columns(
            col(g.id),
            col(g.case_id),
            col(g.requested_by),
            col(g.kind),
            col(g.amount),
            col(g.currency),
            col(g.note),
            col(g.over),
            col(g.requested_at),
            col(Case.goodwill_spent).label("case_spent"),
            col(Case.is_open).label("case_open"),
            col(Author.handle).label("author_handle"),
        )
        .join(Case, col(Case.id) == col(g.case_id))
        .outerjoin(Author, col(Author.id) == col(Case.author_id))
        .where(*where)
        .order_by(col(g.requested_at), col(g.id))
        .limit(limit)
    )
    return [PendingRequest(**row._mapping) for row in conn.execute(stmt).all()]


def pending_count(conn: Connection) -> int:
    """How many requests wait for a lead."""
    stmt = (
        select(func.count())
        .select_from(GoodwillRequest)
        .where(col(GoodwillRequest.state) == PENDING)
    )
    return int(conn.execute(stmt).scalar_one())
