"""Writing the engine's results: the ``Case`` row from the state, a ``CaseEvent`` per action.

Shared by the runner (mentions, timers) and the service (staff operations), always inside the
caller's session so the state, its audit trail and any cursor commit together. A suggested
reply from a template experiment records the case's variant here too
(:mod:`playbooks.experiments.assign`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from playbooks.actions import (
    Action,
    AlertLeads,
    Escalate,
    IncidentTag,
    OpenCase,
    RecommendWalkAway,
    Recorded,
    Rejected,
    SetTimer,
    StageChanged,
    SuggestReply,
    role_queue,
)
from playbooks.engine import advance
from playbooks.events import Event
from playbooks.experiments.assign import note_suggestions
from playbooks.priority import priority_parts
from playbooks.schema import Playbook
from playbooks.state import CaseState, evolve, state_from_json, state_to_json
from store.board import open_load
from store.models import Case, CaseEvent
from store.users import active_staff

#: Keys in ``Case.state`` kept by the edge next to the engine's own fields.
EDGE_KEY = "_edge"


def pick_lead(session: Session, role: str, *, never: str | None) -> str:
    """Who takes an escalation: the active user with ``role`` holding the fewest open cases
    (ties by name), never ``never`` (the current assignee); else the role's queue."""
    conn = session.connection()
    leads = [u for u in active_staff(conn, roles=(role,)) if u != never]
    if not leads:
        return role_queue(role)
    load = open_load(conn, leads)
    return min(leads, key=lambda u: (load[u], u))


@dataclass
class Applied:
    """What one event did: the row (None when no case exists), the state and the actions."""

    row: Case | None
    state: CaseState | None
    actions: tuple[Action, ...]


def state_of(row: Case | None) -> CaseState | None:
    """The engine state stored on a case row (None for no row)."""
    if row is None:
        return None
    return state_from_json(row.state)


def edge_data(row: Case) -> dict[str, Any]:
    """The edge's own extras kept in ``Case.state`` (a copy; write back with ``set_edge_data``)."""
    return dict(row.state.get(EDGE_KEY) or {})


def set_edge_data(row: Case, data: dict[str, Any]) -> None:
    """Store the edge's extras next to the engine state."""
    row.state = {**row.state, EDGE_KEY: data}


def apply_event(
    session: Session,
    row: Case | None,
    event: Event,
    now: datetime,
    playbook: Playbook,
    *,
    source: str = "unknown",
    actor: str | None = None,
    data: dict[str, Any] | None = None,
) -> Applied:
    """Advance the case with ``event`` and persist the result and its audit trail.

    ``data`` is added to the events recording what the event itself was (a reply's status,
    a goodwill spend's approver).
    """
    old = state_of(row)
    new, actions = advance(old, event, now, playbook)
    if new is None or not actions:
        return Applied(row, new, actions)
    if old is not None and new.opened_at != old.opened_at:
        row = None  # a post after a closed case opened a new one
    escalation = next((a for a in actions if isinstance(a, Escalate)), None)
    lead: str | None = None
    if escalation is not None:
        lead = pick_lead(
            session, escalation.to_role, never=old.assignee if old is not None else None
        )
        new = evolve(new, {"assignee": lead})
    if row is None:
        row = Case(author_id=new.author_id, topic=new.topic, source=source, opened_at=now)
    _copy_state(row, new, playbook)
    session.add(row)
    session.flush()
    assert row.id is not None
    who = actor or getattr(event, "actor", None) or "engine"
    mention_id = getattr(event, "mention_id", None)
    for action in actions:
        ev = _case_event(row.id, action, who, now, mention_id)
        if isinstance(action, Escalate):
            ev.data = {"to": lead, "role": action.to_role}
        if data and isinstance(action, Recorded):
            ev.data = {**ev.data, **data}
        session.add(ev)
    note_suggestions(session, playbook, row.id, actions, now=now)
    return Applied(row, new, actions)


def _copy_state(row: Case, s: CaseState, playbook: Playbook) -> None:
    row.stage = s.stage
    row.is_open = s.is_open
    # the queue adds urgency when it is read (store.board): keep the parts that do not age
    row.priority, row.urgency_weight = (
        priority_parts(
            playbook,
            negativity=s.negativity,
            followers=s.followers,
            troll=s.troll,
            escalated=s.escalated,
        )
        if s.is_open
        else (0.0, 0.0)
    )
    row.sla_due = s.sla_due
    row.sla_minutes = playbook.sla_minutes.for_stage(s.stage) if s.sla_due is not None else None
    row.timer_due = s.timer_due
    row.assignee = s.assignee
    row.updated_at = s.updated_at
    row.closed_at = s.closed_at
    row.outcome = s.outcome
    row.walkaway_reason = s.walkaway_reason
    row.goodwill_spent = s.goodwill_spent
    row.incident = s.incident
    row.latest_mention_id = s.latest_mention_id
    edge = (row.state or {}).get(EDGE_KEY)
    data = state_to_json(s)
    if edge:
        data[EDGE_KEY] = edge
    row.state = data


def _case_event(
    case_id: int, action: Action, actor: str, at: datetime, mention_id: int | None
) -> CaseEvent:
    ev = CaseEvent(case_id=case_id, at=at, actor=actor, kind="recorded", mention_id=mention_id)
    if isinstance(action, OpenCase):
        ev.kind, ev.stage_to, ev.reason = "opened", "acknowledge", action.reason
        ev.data = {"topic": action.topic}
    elif isinstance(action, StageChanged):
        ev.kind, ev.stage_from, ev.stage_to = "stage", action.stage_from, action.stage_to
        ev.reason = action.reason
    elif isinstance(action, SuggestReply):
        ev.kind = "suggestion"
        ev.data = {
            "stage": action.stage,
            "topic": action.topic,
            "fact_ids": list(action.fact_ids),
            "private": action.private,
            "paused": action.paused,
        }
    elif isinstance(action, SetTimer):
        ev.kind = "timer"
        ev.data = {"timer": action.kind, "due": action.due.isoformat() if action.due else None}
    elif isinstance(action, Escalate):
        ev.kind, ev.reason, ev.data = "escalated", action.reason, {"role": action.to_role}
    elif isinstance(action, RecommendWalkAway):
        ev.kind, ev.reason = "walkaway_recommended", action.reason
        ev.data = {"details": list(action.details)}
    elif isinstance(action, AlertLeads):
        ev.kind, ev.reason = "lead_alert", action.reason
    elif isinstance(action, IncidentTag):
        ev.kind, ev.reason, ev.data = "incident", action.reason, {"on": action.on}
    elif isinstance(action, Recorded):
        ev.kind, ev.body = action.kind, action.note or None
        if action.kind == "assign":
            ev.body, ev.data = None, {"assignee": action.note or None}
    elif isinstance(action, Rejected):
        ev.kind, ev.reason = "rejected", action.reason
    return ev
