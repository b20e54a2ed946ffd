"""Goodwill staff give a critic (a refund, a credit, a gift), against the playbook's budgets.

Within every budget (per case, per agent per day, per team per day: ``playbooks.budget``) a
spend is given at once: a ``GoodwillLedger`` row and the engine's goodwill event. Over any of
them it is not refused: it becomes a pending ``GoodwillRequest`` on the case's trail, and a lead
approves it (it is given then, with the lead as approver) or declines it with a reason (nothing
is spent). A lead may also give over budget at once, as their own approval. A request is decided
once, by a lead only; every step is a ``CaseEvent`` naming the user.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.errors import InputError
from playbooks.budget import BudgetLeft, budget_day, budget_left
from playbooks.events import GoodwillGiven
from playbooks.schema import Playbook
from playbooks.service import APPROVER_ROLES, _apply, _case, _default_playbook, _need_lead, actor_of
from store.engine import session_scope
from store.goodwill import add_request, decide, get_request, spent_against_budgets
from store.models import Case, CaseEvent, GoodwillLedger, GoodwillRequest, GoodwillRequestState
from store.users import user_named

log = logging.getLogger(__name__)

MAX_GOODWILL = 1_000_000.0
MAX_NOTE_CHARS = 2000


@dataclass(frozen=True)
class GoodwillOutcome:
    """What a spend did: given (``request`` None) or waiting for a lead (``request``)."""

    case: Case
    request: GoodwillRequest | None = None

    @property
    def given(self) -> bool:
        """True when the goodwill was given now."""
        return self.request is None


def goodwill_left(
    engine: Engine, case_id: int, user: str, now: datetime, *, playbook: Playbook | None = None
) -> BudgetLeft:
    """The budgets left for this case, for ``user`` today and for the team today."""
    pb = playbook or _default_playbook()
    with Session(engine) as session:
        return _left(session, pb, case_id, actor_of(user), now)


def give_goodwill(
    engine: Engine,
    case_id: int,
    user: str,
    kind: str,
    amount: float,
    note: str,
    now: datetime,
    *,
    approved_by: str | None = None,
    playbook: Playbook | None = None,
) -> GoodwillOutcome:
    """Spend goodwill on a case: within the budgets it is given; over them it is given with a
    lead's approval (``approved_by``), else it becomes a request a lead decides."""
    pb = playbook or _default_playbook()
    actor = actor_of(user)
    if kind not in pb.goodwill.kinds:
        raise InputError(f"goodwill kind must be one of {pb.goodwill.kinds}")
    if not math.isfinite(amount) or amount <= 0 or amount > MAX_GOODWILL:
        raise InputError("goodwill amount must be a positive number")
    note = note.replace("\x00", "").strip()[:MAX_NOTE_CHARS]
    with session_scope(engine) as session:
        row = _case(session, case_id)
        over = _left(session, pb, case_id, actor, now).over(amount)
        if over and approved_by is None:
            if not row.is_open:
                raise InputError("goodwill needs an open case")
            request = _request(session, row, actor, kind, float(amount), note, over, now, pb)
            return GoodwillOutcome(row, request)
        approver = _approver(session, approved_by) if over and approved_by else None
        given = _give(
            session, row, actor, kind, float(amount), note, now, pb, approver=approver, over=over
        )
        return GoodwillOutcome(given)


def approve_goodwill(
    engine: Engine,
    request_id: int,
    approver: str,
    now: datetime,
    *,
    role: str | None = None,
    playbook: Playbook | None = None,
) -> Case:
    """A lead approves a request: the goodwill is given once, with the lead as approver."""
    pb = playbook or _default_playbook()
    actor = actor_of(approver)
    with session_scope(engine) as session:
        _need_lead(session, actor, role, "approve goodwill")
        request = decide(session, request_id, state=GoodwillRequestState.APPROVED, by=actor, at=now)
        row = _case(session, request.case_id)
        over = _left(session, pb, request.case_id, request.requested_by, now).over(request.amount)
        given = _give(
            session,
            row,
            request.requested_by,
            request.kind,
            request.amount,
            request.note or "",
            now,
            pb,
            approver=actor,
            over=over,
            request_id=request_id,
        )
        _trail(session, request, "goodwill_approved", actor, now)
        log.info("goodwill request #%d approved by %s", request_id, actor)
        return given


def decline_goodwill(
    engine: Engine,
    request_id: int,
    approver: str,
    reason: str,
    now: datetime,
    *,
    role: str | None = None,
) -> GoodwillRequest:
    """A lead declines a request with a reason (on the case's trail); nothing is spent."""
    actor = actor_of(approver)
    reason = reason.replace("\x00", "").strip()[:MAX_NOTE_CHARS]
    if not reason:
        raise InputError("say why the goodwill is declined")
    with session_scope(engine) as session:
        _need_lead(session, actor, role, "decline goodwill")
        request = decide(
            session,
            request_id,
            state=GoodwillRequestState.DECLINED,
            by=actor,
            at=now,
            reason=reason,
        )
        _trail(session, request, "goodwill_declined", actor, now, reason=reason)
        log.info("goodwill request #%d declined by %s", request_id, actor)
        return request


def goodwill_request(engine: Engine, request_id: int) -> GoodwillRequest:
    """One request as it stands (``InputError`` when there is none)."""
    with Session(engine) as session:
        request = get_request(session, request_id)
        session.expunge(request)
        return request


# -- helpers ---------------------------------------------------------------------------------


def _left(session: Session, pb: Playbook, case_id: int, actor: str, now: datetime) -> BudgetLeft:
    since, until = budget_day(now)
    spent = spent_against_budgets(session, case_id=case_id, actor=actor, since=since, until=until)
    return budget_left(pb.goodwill, spent)


def _give(
    session: Session,
    row: Case,
    actor: str,
    kind: str,
    amount: float,
    note: str,
    now: datetime,
    pb: Playbook,
    *,
    approver: str | None,
    over: list[str],
    request_id: int | None = None,
) -> Case:
    event = GoodwillGiven(actor, kind, amount, approver, note)
    data: dict[str, Any] = {"amount": amount, "currency": pb.goodwill.currency}
    data.update(approved_by=approver, over_budget=over)
    if request_id is not None:
        data["request_id"] = request_id
    given = _apply(session, row, event, now, pb, data=data)
    assert given.id is not None
    session.add(
        GoodwillLedger(
            case_id=given.id,
            actor=actor,
            kind=kind,
            amount=amount,
            currency=pb.goodwill.currency,
            at=now,
            note=note or None,
            approved_by=approver,
        )
    )
    return given


def _request(
    session: Session,
    row: Case,
    actor: str,
    kind: str,
    amount: float,
    note: str,
    over: list[str],
    now: datetime,
    pb: Playbook,
) -> GoodwillRequest:
    assert row.id is not None
    request = add_request(
        session,
        GoodwillRequest(
            case_id=row.id,
            requested_by=actor,
            kind=kind,
            amount=amount,
            currency=pb.goodwill.currency,
            note=note or None,
            over=over,
            requested_at=now,
        ),
    )
    _trail(session, request, "goodwill_requested", actor, now, body=note or None)
    log.info("goodwill request #%s on case #%d: over %s", request.id, row.id, ", ".join(over))
    return request


def _trail(
    session: Session,
    request: GoodwillRequest,
    kind: str,
    actor: str,
    now: datetime,
    *,
    body: str | None = None,
    reason: str | None = None,
) -> None:
    data = {
        "request_id": request.id,
        "kind": request.kind,
        "amount": request.amount,
        "currency": request.currency,
        "over_budget": list(request.over),
        "requested_by": request.requested_by,
    }
    session.add(
        CaseEvent(
            case_id=request.case_id,
            at=now,
            kind=kind,
            actor=actor,
            body=body,
            reason=reason,
            data=data,
        )
    )


def _approver(session: Session, approved_by: str) -> str:
    name = approved_by.strip().removeprefix("user:")
    user = user_named(session, name)
    if user is None or not user.active or user.role not in APPROVER_ROLES:
        raise InputError(f"{name!r} is not an active lead and cannot approve goodwill")
    return f"user:{name}"
