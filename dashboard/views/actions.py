"""The board's staff actions, each naming the signed-in user as the actor of its ``CaseEvent``.

The case logic (what a reply or an override does to the stage, goodwill budgets, incidents)
belongs to ``playbooks.service``; these functions only pass the board's user along and turn the
outcome into a sentence for the page. Until that service is installed, replies, notes and
assignments are recorded in the audit trail directly and the stage-changing actions are
unavailable.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType

from sqlalchemy import select

from critic2fan.errors import InputError
from dashboard.views.common import Board
from listener.records import utcnow
from store.engine import session_scope
from store.models import Case, CaseEvent

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 10_000


class ActionUnavailable(InputError):
    """The action needs the playbook service, which is not installed."""


def service() -> ModuleType | None:
    """``playbooks.service`` when it is installed, else None."""
    try:
        return importlib.import_module("playbooks.service")
    except ModuleNotFoundError as exc:
        if exc.name in {"playbooks.service", "playbooks"}:
            return None
        raise


def _clean(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise InputError(f"the {what} is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"the {what} is longer than {MAX_TEXT_CHARS} characters")
    return text


def _record(b: Board, case_id: int, kind: str, **fields: object) -> None:
    with session_scope(b.engine) as session:
        case = session.get(Case, case_id)
        if case is None:
            raise InputError(f"no case #{case_id}")
        case.updated_at = utcnow()
        session.add(CaseEvent(case_id=case_id, kind=kind, actor=b.actor, **fields))  # type: ignore[arg-type]


def record_reply(b: Board, case_id: int, text: str, *, send: bool = False) -> str:
    """Record (or, where the product is set to send, send) a staff reply."""
    text = _clean(text, "reply")
    svc = service()
    if svc is None:
        if send:
            raise ActionUnavailable("sending replies needs the playbook service")
        _record(b, case_id, "reply", body=text, data={"status": "recorded"})
        return "Reply recorded."
    raise NotImplementedError


def add_note(b: Board, case_id: int, text: str) -> str:
    """Add a staff note to the audit trail."""
    text = _clean(text, "note")
    svc = service()
    if svc is None:
        _record(b, case_id, "note", body=text)
        return "Note added."
    raise NotImplementedError


def assign_case(b: Board, case_id: int, assignee: str | None, *, reason: str = "") -> str:
    """Give the case to ``assignee`` (None: nobody)."""
    svc = service()
    if svc is None:
        with session_scope(b.engine) as session:
            case = session.get(Case, case_id)
            if case is None:
                raise InputError(f"no case #{case_id}")
            case.assignee = assignee
            case.updated_at = utcnow()
            session.add(
                CaseEvent(
                    case_id=case_id,
                    kind="assign",
                    actor=b.actor,
                    reason=reason or None,
                    data={"assignee": assignee},
                )
            )
        return f"Assigned to {assignee}." if assignee else "Unassigned."
    raise NotImplementedError


def override_stage(b: Board, case_id: int, stage: str, *, reason: str) -> str:
    """Move the case to ``stage`` against the playbook's suggestion."""
    _require_service("stage overrides")
    raise NotImplementedError


def give_goodwill(
    b: Board, case_id: int, *, kind: str, amount: float, note: str, approved_by: str | None
) -> str:
    """Spend goodwill on the case within budget (or with a lead's approval)."""
    _require_service("goodwill")
    raise NotImplementedError


def walk_away(b: Board, case_id: int, *, reason: str, note: str = "") -> str:
    """Close the case as walked away, with a reason."""
    _require_service("walking away")
    raise NotImplementedError


def suggested_reply(b: Board, case_id: int) -> str | None:
    """The playbook's suggested reply for the case's stage, if any."""
    svc = service()
    if svc is None:
        with session_scope(b.engine) as session:
            state = session.scalar(select(Case.state).where(Case.id == case_id)) or {}
        text = state.get("suggested_reply") if isinstance(state, dict) else None
        return str(text) if text else None
    raise NotImplementedError


def set_incident(b: Board, *, on: bool, reason: str) -> str:
    """Switch incident mode (templated replies pause while it is on)."""
    _require_service("incident mode")
    raise NotImplementedError


def _require_service(what: str) -> ModuleType:
    svc = service()
    if svc is None:
        raise ActionUnavailable(f"{what} needs the playbook service, which is not installed yet")
    return svc
