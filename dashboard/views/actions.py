"""The board's staff actions: thin calls into ``playbooks.service`` naming the signed-in user.

The case logic (what a reply or an override does to the stage, goodwill budgets, incidents)
lives in the service; these functions pass the board's user, the clock and the active playbook
along, and turn the outcome into a sentence for the page. A refused action raises ``InputError``
with the service's reason and writes nothing.
"""

from __future__ import annotations

import logging

from dashboard.views.common import Board, context, playbook
from playbooks import service

log = logging.getLogger(__name__)


def record_reply(b: Board, case_id: int, text: str) -> str:
    """Record a staff reply (or, where sending is on, queue it for approval)."""
    send = context().send_replies
    service.record_reply(
        b.engine, case_id, b.actor, text, b.now(), send_replies=send, playbook=playbook()
    )
    return "Reply queued for approval." if send else "Reply recorded."


def add_note(b: Board, case_id: int, text: str) -> str:
    """Add a staff note to the audit trail."""
    service.add_note(b.engine, case_id, b.actor, text, b.now())
    return "Note added."


def assign_case(b: Board, case_id: int, assignee: str | None, *, reason: str = "") -> str:
    """Give the case to ``assignee`` (None: nobody)."""
    service.assign(b.engine, case_id, b.actor, assignee, b.now(), playbook=playbook())
    if reason:
        log.info("case %d assigned to %s (%s)", case_id, assignee, reason)
    return f"Assigned to {assignee}." if assignee else "Unassigned."


def override_stage(b: Board, case_id: int, stage: str, *, reason: str) -> str:
    """Move the case to ``stage`` against the playbook's suggestion."""
    row = service.override_stage(
        b.engine, case_id, b.actor, stage, reason, b.now(), playbook=playbook()
    )
    return f"Stage is now {row.stage}."


def give_goodwill(
    b: Board, case_id: int, *, kind: str, amount: float, note: str, approve: bool
) -> str:
    """Spend goodwill on the case within budget (or over it, approved by this lead)."""
    row = service.give_goodwill(
        b.engine,
        case_id,
        b.actor,
        kind,
        amount,
        note,
        b.now(),
        approved_by=b.actor if approve else None,
        playbook=playbook(),
    )
    return f"Goodwill given: {row.goodwill_spent:g} spent on this case so far."


def walk_away(b: Board, case_id: int, *, reason: str) -> str:
    """Close the case as walked away, with a reason."""
    service.walk_away(b.engine, case_id, b.actor, reason, b.now(), playbook=playbook())
    return f"Walked away ({reason})."


def confirm_walk_away(b: Board, case_id: int) -> str:
    """Agree with the playbook's walk-away recommendation."""
    row = service.confirm_walk_away(b.engine, case_id, b.actor, b.now(), playbook=playbook())
    return f"Walked away ({row.walkaway_reason})."


def reject_walk_away(b: Board, case_id: int) -> str:
    """Keep working a case the playbook recommended walking away from."""
    service.reject_walk_away(b.engine, case_id, b.actor, b.now(), playbook=playbook())
    return "Recommendation rejected: keep working this case."


def reopen(b: Board, case_id: int) -> str:
    """Reopen a walked-away case."""
    row = service.reopen(b.engine, case_id, b.actor, b.now(), playbook=playbook())
    return f"Reopened: stage {row.stage}."


def suggested_reply(b: Board, case_id: int) -> str:
    """The playbook's suggested reply for the case now (empty during an incident)."""
    return service.suggested_reply(b.engine, case_id, playbook())


def set_incident(b: Board, *, on: bool, reason: str) -> str:
    """Switch incident mode (templated replies pause while it is on)."""
    changed = service.set_incident(
        b.engine, on, b.actor, reason.strip() or None, b.now(), playbook=playbook()
    )
    state = "on" if on else "off"
    return f"Incident mode {state}; {changed} open cases updated."
