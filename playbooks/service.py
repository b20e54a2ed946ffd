"""Staff operations the board calls. Each writes the case's change and a ``CaseEvent`` naming
the user (``user:<name>``), in one transaction; a refused operation writes nothing and raises
``InputError`` with the reason.

Sending replies is off by default (``Settings.send_replies``): a reply is then recorded as an
event only. With sending on, :func:`record_reply` asks for approval and :func:`approve_reply`
sends (through the caller's ``send`` function, the platform adapter) and records it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.errors import InputError
from core.names import clean_name
from playbooks.actions import Rejected
from playbooks.events import Event, GoodwillGiven, IncidentMode, StaffOverride, StaffReply
from playbooks.loader import load_active_playbook
from playbooks.persist import Applied, apply_event, state_of
from playbooks.schema import Playbook
from playbooks.state import STAGES, WALK_AWAY, WALKAWAY_REASONS
from playbooks.templates import render_reply
from store.casework import goodwill_spent, open_case_id, open_cases_to_tag
from store.engine import session_scope
from store.incidents import incident_open, open_incidents
from store.models import Author, Case, CaseEvent, GoodwillLedger, Incident, Role
from store.users import user_named

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 10_000
MAX_GOODWILL = 1_000_000.0
APPROVER_ROLES = frozenset({Role.LEAD.value, Role.ADMIN.value})

#: Sends a reply on the platform: ``send(case, text)``; raises ``SourceError`` on failure.
Sender = Callable[[Case, str], None]


@lru_cache(maxsize=1)
def _default_playbook() -> Playbook:
    return load_active_playbook()


def actor_of(user: str) -> str:
    """The audit-trail actor for a staff member: ``user:<name>``."""
    name = user.strip().removeprefix("user:")
    if not name:
        raise InputError("a staff action needs the user's name")
    return f"user:{name}"


def record_reply(
    engine: Engine,
    case_id: int,
    user: str,
    text: str,
    now: datetime,
    *,
    send_replies: bool = False,
    playbook: Playbook | None = None,
) -> Case:
    """Record a staff reply (dry run), or with sending on, ask for its approval first."""
    actor, text = actor_of(user), _clean(text, "reply")
    with session_scope(engine) as session:
        row = _case(session, case_id)
        if send_replies:
            session.add(
                CaseEvent(
                    case_id=case_id,
                    at=now,
                    kind="reply_pending",
                    actor=actor,
                    body=text,
                    data={"status": "awaiting_approval"},
                )
            )
            return row
        return _apply(
            session, row, StaffReply(actor, text), now, playbook, data={"status": "recorded"}
        )


def approve_reply(
    engine: Engine,
    event_id: int,
    approver: str,
    now: datetime,
    *,
    send: Sender,
    playbook: Playbook | None = None,
) -> Case:
    """Approve a pending reply: send it through ``send`` and record it as the staff reply."""
    actor = actor_of(approver)
    with session_scope(engine) as session:
        pending = session.get(CaseEvent, event_id)
        if pending is None or pending.kind != "reply_pending":
            raise InputError(f"no reply awaiting approval with id {event_id}")
        row = _case(session, pending.case_id)
        text = pending.body or ""
        send(row, text)
        pending.kind = "reply_approved"
        pending.data = {**pending.data, "status": "approved", "approved_by": actor}
        session.add(pending)
        event = StaffReply(pending.actor, text)
        data = {"status": "sent", "approved_by": actor}
        return _apply(session, row, event, now, playbook, data=data)


def override_stage(
    engine: Engine,
    case_id: int,
    user: str,
    stage: str,
    reason: str,
    now: datetime,
    *,
    playbook: Playbook | None = None,
) -> Case:
    """Move a case to ``stage`` against the playbook (allowed edges only)."""
    if stage not in STAGES:
        raise InputError(f"unknown stage {stage!r}; expected one of {list(STAGES)}")
    if stage == WALK_AWAY:
        return walk_away(engine, case_id, user, reason, now, playbook=playbook)
    event = StaffOverride(actor_of(user), "stage", stage=stage, reason=reason.strip() or None)
    return _run(engine, case_id, event, now, playbook)


def walk_away(
    engine: Engine,
    case_id: int,
    user: str,
    reason: str,
    now: datetime,
    *,
    playbook: Playbook | None = None,
) -> Case:
    """Close a case as walked away, with one of the recorded reasons."""
    if reason not in WALKAWAY_REASONS:
        raise InputError(f"walk-away reason must be one of {list(WALKAWAY_REASONS)}")
    event = StaffOverride(actor_of(user), "walk_away", reason=reason)
    return _run(engine, case_id, event, now, playbook)


def confirm_walk_away(
    engine: Engine, case_id: int, user: str, now: datetime, *, playbook: Playbook | None = None
) -> Case:
    """Confirm the engine's walk-away recommendation (its reason is kept)."""
    return _run(engine, case_id, StaffOverride(actor_of(user), "confirm_walk_away"), now, playbook)


def reject_walk_away(
    engine: Engine,
    case_id: int,
    user: str,
    now: datetime,
    *,
    reason: str | None = None,
    playbook: Playbook | None = None,
) -> Case:
    """Keep working a case the engine recommended walking away from."""
    event = StaffOverride(actor_of(user), "reject_walk_away", reason=reason)
    return _run(engine, case_id, event, now, playbook)


def reopen(
    engine: Engine, case_id: int, user: str, now: datetime, *, playbook: Playbook | None = None
) -> Case:
    """Reopen a walked-away case (refused while the critic has another open case on it)."""
    with session_scope(engine) as session:
        row = _case(session, case_id)
        other = open_case_id(session, author_id=row.author_id, topic=row.topic)
        if other is not None:
            raise InputError(f"case #{other} is already open for this critic and topic")
        return _apply(session, row, StaffOverride(actor_of(user), "reopen"), now, playbook)


def assign(
    engine: Engine,
    case_id: int,
    user: str,
    assignee: str | None,
    now: datetime,
    *,
    playbook: Playbook | None = None,
) -> Case:
    """Give the case to ``assignee`` (None: nobody, refused when no timer would remain)."""
    name = assignee.strip() if assignee else None
    event = StaffOverride(actor_of(user), "assign", assignee=name or None)
    return _run(engine, case_id, event, now, playbook)


def add_note(engine: Engine, case_id: int, user: str, text: str, now: datetime) -> CaseEvent:
    """Add a staff note to the case's audit trail (changes nothing else)."""
    actor, text = actor_of(user), _clean(text, "note")
    with session_scope(engine) as session:
        _case(session, case_id)
        event = CaseEvent(case_id=case_id, at=now, kind="note", actor=actor, body=text)
        session.add(event)
        return event


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
) -> Case:
    """Spend goodwill on a case: within the playbook's budgets freely, beyond them with a
    lead's approval. Every spend is a ``GoodwillLedger`` row and a ``CaseEvent``."""
    pb = playbook or _default_playbook()
    actor = actor_of(user)
    budget = pb.goodwill
    if kind not in budget.kinds:
        raise InputError(f"goodwill kind must be one of {budget.kinds}")
    if not math.isfinite(amount) or amount <= 0 or amount > MAX_GOODWILL:
        raise InputError("goodwill amount must be a positive number")
    with session_scope(engine) as session:
        row = _case(session, case_id)
        over = _over_budget(session, pb, row, actor, amount, now)
        approver = None
        if over:
            if approved_by is None:
                raise InputError(
                    f"over the goodwill budget ({', '.join(over)}): needs a lead's approval"
                )
            approver = _approver(session, approved_by)
        event = GoodwillGiven(actor, kind, float(amount), approver, note.strip()[:2000])
        data = {"amount": amount, "currency": budget.currency, "approved_by": approver}
        data["over_budget"] = over
        result = _apply(session, row, event, now, pb, data=data)
        session.add(
            GoodwillLedger(
                case_id=case_id,
                actor=actor,
                kind=kind,
                amount=float(amount),
                currency=budget.currency,
                at=now,
                note=note.strip()[:2000] or None,
                approved_by=approver,
            )
        )
        return result


def set_incident(
    engine: Engine,
    on: bool,
    user: str,
    reason: str | None,
    now: datetime,
    *,
    kind: str = "manual",
    playbook: Playbook | None = None,
) -> int:
    """Switch incident mode; tags (or untags) every open case; returns how many changed.

    Switching on alerts the leads: the ``Incident`` row records it and a warning is logged,
    which the digest and the board read.
    """
    pb = playbook or _default_playbook()
    actor = actor_of(user) if kind == "manual" else user
    with session_scope(engine) as session:
        current = open_incidents(session)
        if on and not current:
            session.add(
                Incident(
                    kind=kind,
                    started_at=now,
                    started_by=actor,
                    reason=reason,
                    data={"alerted": [pb.escalation.assign_to]},
                )
            )
            log.warning("incident mode on (%s): leads alerted", kind)
        if not on:
            for incident in current:
                incident.ended_at = now
                session.add(incident)
            if current:
                log.warning("incident mode off")
        changed = 0
        for row in open_cases_to_tag(session, incident=on):
            applied = apply_event(session, row, IncidentMode(on, actor, reason), now, pb)
            changed += bool(applied.actions)
        return changed


def incident_active(engine: Engine) -> bool:
    """True while an incident is open (templated replies are paused)."""
    with Session(engine) as session:
        return incident_open(session)


def suggested_reply(engine: Engine, case_id: int, playbook: Playbook | None = None) -> str:
    """The playbook's reply for the case now, for staff to edit; empty while incident mode is on."""
    pb = playbook or _default_playbook()
    with Session(engine) as session:
        row = _case(session, case_id)
        state = state_of(row)
        author = session.get(Author, row.author_id)
    if state is None or state.incident:
        return ""
    name = ""
    if author is not None:
        name = clean_name(author.display_name) or f"@{clean_name(author.handle)}"
    return render_reply(
        pb,
        state.stage,
        state.topic,
        name=name,
        fact_ids=state.facts,
        private=state.private_suggested,
    )


# -- helpers ---------------------------------------------------------------------------------


def _clean(text: str, what: str) -> str:
    text = text.replace("\x00", "").strip()
    if not text:
        raise InputError(f"the {what} is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"the {what} is longer than {MAX_TEXT_CHARS} characters")
    return text


def _case(session: Session, case_id: int) -> Case:
    row = session.get(Case, case_id)
    if row is None:
        raise InputError(f"no case #{case_id}")
    return row


def _run(
    engine: Engine, case_id: int, event: Event, now: datetime, playbook: Playbook | None
) -> Case:
    with session_scope(engine) as session:
        return _apply(session, _case(session, case_id), event, now, playbook)


def _apply(
    session: Session,
    row: Case,
    event: Event,
    now: datetime,
    playbook: Playbook | None,
    *,
    data: dict[str, Any] | None = None,
) -> Case:
    applied: Applied = apply_event(
        session, row, event, now, playbook or _default_playbook(), data=data
    )
    rejected = [a for a in applied.actions if isinstance(a, Rejected)]
    if rejected:
        raise InputError(rejected[0].reason)
    if not applied.actions:
        raise InputError(f"case #{row.id} is {row.stage}; nothing to do")
    assert applied.row is not None
    return applied.row


def _over_budget(
    session: Session, pb: Playbook, row: Case, actor: str, amount: float, now: datetime
) -> list[str]:
    budget = pb.goodwill
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    spent_by_agent = goodwill_spent(session, day, day + timedelta(days=1), actor=actor)
    spent_today = goodwill_spent(session, day, day + timedelta(days=1))
    over = []
    if row.goodwill_spent + amount > budget.per_case:
        over.append(f"per case {budget.per_case:g}")
    if spent_by_agent + amount > budget.per_agent_per_day:
        over.append(f"per agent per day {budget.per_agent_per_day:g}")
    if spent_today + amount > budget.per_day:
        over.append(f"per day {budget.per_day:g}")
    return over


def _approver(session: Session, approved_by: str) -> str:
    name = approved_by.strip().removeprefix("user:")
    user = user_named(session, name)
    if user is None or not user.active or user.role not in APPROVER_ROLES:
        raise InputError(f"{name!r} is not an active lead and cannot approve goodwill")
    return f"user:{name}"
