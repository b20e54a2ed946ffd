"""Staff operations the board calls. Each writes the case's change and a ``CaseEvent`` naming
the user (``user:<name>``), in one transaction; a refused operation writes nothing and raises
``InputError`` with the reason.

Replies that reach the critic go through the outbox (``store.outbox``): staff draft a reply
(:func:`draft_reply`); an agent sends it directly at the stages the playbook's ``sending`` allows
(:func:`send_reply`), otherwise asks for a lead's approval (:func:`submit_reply`); a lead approves
(with an edit), rejects, cancels or retries it. Approval mints the reply's idempotency key and the
sender worker (``outbound.worker``) posts it once; the playbook runner counts it as the staff
reply when it is sent (:func:`count_sent_reply`), and once only, whether the worker's record or the
listener's echo of the brand's post comes first. Every step is a ``CaseEvent`` naming the user.

:func:`record_reply` records a reply staff typed on the platform by hand as the staff reply at
once (the way to work a platform whose sending is off).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.errors import InputError
from core.names import clean_name
from playbooks.actions import Rejected
from playbooks.engine import HIGH_GROUND, PILEON
from playbooks.events import Event, StaffOverride, StaffReply
from playbooks.experiments.assign import playbook_for_case
from playbooks.incident_replies import holding_reply
from playbooks.loader import load_active_playbook
from playbooks.persist import Applied, apply_event, state_of
from playbooks.schema import Playbook
from playbooks.state import STAGES, WALK_AWAY, WALKAWAY_REASONS, CaseState
from playbooks.templates import render_reply
from store import outbox
from store.casework import open_case_id
from store.engine import session_scope
from store.incidents import incident_cases, incident_of_case, incident_open, open_incidents
from store.models import (
    Author,
    Case,
    CaseEvent,
    Mention,
    OutboxItem,
    Role,
)
from store.users import user_named

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 10_000
APPROVER_ROLES = frozenset({Role.LEAD.value, Role.ADMIN.value})

#: Checks a reply before approval with the platform's rules (``outbound.rules``, passed in by the
#: board): ``check(item, recipient_handle)`` returns the text to post or raises ``InputError``.
Checker = Callable[[OutboxItem, str | None], str]


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
    playbook: Playbook | None = None,
) -> Case:
    """Record a reply staff posted on the platform by hand as the case's staff reply."""
    actor, text = actor_of(user), _clean(text, "reply")
    with session_scope(engine) as session:
        row = _case(session, case_id)
        return _apply(
            session, row, StaffReply(actor, text), now, playbook, data={"status": "recorded"}
        )


def draft_reply(
    engine: Engine,
    case_id: int,
    user: str,
    text: str,
    now: datetime,
    *,
    private: bool = False,
    mention_id: int | None = None,
) -> OutboxItem:
    """Draft a reply to the case's latest post (or ``mention_id``), public or private."""
    actor, text = actor_of(user), _clean(text, "reply")
    with session_scope(engine) as session:
        row = _case(session, case_id)
        return _draft(session, row, actor, text, now, private=private, mention_id=mention_id)


def send_reply(
    engine: Engine,
    item_id: int,
    user: str,
    now: datetime,
    *,
    role: str | None = None,
    text: str | None = None,
    check: Checker | None = None,
    playbook: Playbook | None = None,
) -> OutboxItem:
    """Send a draft: a lead's send is their approval; an agent's only at the stages the
    playbook's ``sending.agent_may_send`` lists (elsewhere: :func:`submit_reply`)."""
    pb = playbook or _default_playbook()
    actor = actor_of(user)
    with session_scope(engine) as session:
        item = outbox.get_item(session, item_id)
        if item.case_id is None:
            raise InputError(f"outbox #{item_id} is a status update: a lead approves it")
        row = _case(session, item.case_id)
        who = _role_of(session, actor, role)
        if who not in APPROVER_ROLES and row.stage not in pb.sending.agent_may_send:
            raise InputError(
                f"case #{row.id} is at {row.stage}: an agent's reply needs a lead's approval here"
            )
        return _approve(session, item, actor, now, text=text, check=check)


def submit_reply(
    engine: Engine, item_id: int, user: str, now: datetime, *, text: str | None = None
) -> OutboxItem:
    """Ask a lead to approve a draft (``text``: the draft edited)."""
    actor = actor_of(user)
    text = _clean(text, "reply") if text is not None else None
    with session_scope(engine) as session:
        item = outbox.submit_for_approval(session, item_id, by=actor, now=now, text=text)
        _trail(session, item, "reply_pending", actor, now, body=item.text)
        return item


def approve_reply(
    engine: Engine,
    item_id: int,
    approver: str,
    now: datetime,
    *,
    role: str | None = None,
    text: str | None = None,
    check: Checker | None = None,
) -> OutboxItem:
    """A lead approves a reply (``text``: their edit); the sender worker posts it."""
    actor = actor_of(approver)
    with session_scope(engine) as session:
        _need_lead(session, actor, role, "approve replies")
        item = outbox.get_item(session, item_id)
        return _approve(session, item, actor, now, text=text, check=check)


def reject_reply(
    engine: Engine,
    item_id: int,
    approver: str,
    now: datetime,
    *,
    reason: str | None = None,
    role: str | None = None,
) -> OutboxItem:
    """A lead sends a reply back to its author as a draft, with the reason."""
    actor = actor_of(approver)
    with session_scope(engine) as session:
        _need_lead(session, actor, role, "reject replies")
        item = outbox.reject(session, item_id, by=actor, now=now, reason=reason)
        _trail(session, item, "reply_rejected", actor, now, reason=reason)
        return item


def cancel_reply(
    engine: Engine,
    item_id: int,
    user: str,
    now: datetime,
    *,
    reason: str | None = None,
    role: str | None = None,
) -> OutboxItem:
    """Cancel a reply not yet sent: its author or a lead."""
    actor = actor_of(user)
    with session_scope(engine) as session:
        item = outbox.get_item(session, item_id)
        if item.drafted_by != actor:
            _need_lead(session, actor, role, "cancel another's reply")
        item = outbox.cancel(session, item_id, by=actor, now=now, reason=reason)
        _trail(session, item, "reply_cancelled", actor, now, reason=reason)
        return item


def retry_reply(
    engine: Engine, item_id: int, user: str, now: datetime, *, role: str | None = None
) -> OutboxItem:
    """A lead sends a failed reply again (looked up on the platform first, never posted twice)."""
    actor = actor_of(user)
    with session_scope(engine) as session:
        _need_lead(session, actor, role, "retry replies")
        item = outbox.retry(session, item_id, by=actor, now=now)
        _trail(session, item, "reply_retried", actor, now, reason=item.error)
        return item


def count_sent_reply(
    session: Session,
    item: OutboxItem,
    at: datetime,
    playbook: Playbook,
    *,
    mention_id: int | None = None,
    source: str = "outbox",
) -> Applied | None:
    """Count a sent reply as the case's staff reply, once (the runner calls it when the worker
    has recorded it, or when the listener's echo of the post comes first)."""
    if item.counted or item.case_id is None:
        return None
    item.counted = True
    session.add(item)
    row = session.get(Case, item.case_id)
    if row is None or not row.is_open:
        return None
    event = StaffReply(item.drafted_by, item.text, mention_id or item.echo_mention_id)
    data = {"status": "sent", "outbox_id": item.id, "approved_by": item.approved_by}
    data["url"] = item.url
    return apply_event(session, row, event, at, playbook, source=source, data=data)


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


def set_incident(
    engine: Engine,
    on: bool,
    user: str,
    reason: str | None,
    now: datetime,
    *,
    kind: str = "manual",
    playbook: Playbook | None = None,
    topic: str | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """Open an incident when none is open, or close every open one; returns how many open
    cases changed. The spike check and scripted staff use it; the board works incidents one
    by one (``playbooks.incidents``).

    With a ``topic`` (a spike's) only open cases of that topic are tagged; without one, every
    open case. Opening alerts the leads: the ``Incident`` row records it and a warning is
    logged, which the digest and the board read.
    """
    from playbooks import incidents

    pb = playbook or _default_playbook()
    actor = actor_of(user) if kind != "spike" else user
    with session_scope(engine) as session:
        if not on:
            return incidents.close_all(session, actor, now, reason, pb)
        if open_incidents(session):
            return 0
        incident = incidents.open_in(
            session,
            actor,
            now,
            kind=kind,
            topic=topic,
            region=None,
            platform=None,
            reason=reason,
            commander=None,
            playbook=pb,
            data=data,
        )
        assert incident.id is not None
        return len(incident_cases(session, incident.id))


def incident_active(engine: Engine) -> bool:
    """True while an incident is open."""
    with Session(engine) as session:
        return incident_open(session)


def suggested_reply(
    engine: Engine,
    case_id: int,
    playbook: Playbook | None = None,
    *,
    now: datetime | None = None,
) -> str:
    """The playbook's reply for the case now, for staff to edit. While an open case is part of
    an incident it is the incident's holding reply (never blank), except where the playbook
    chose one calm statement or silence (a troll's, a pile-on's). ``now`` stamps a template
    experiment's assignment when this is the case's first suggestion from it."""
    pb = playbook or _default_playbook()
    with Session(engine) as session:
        row = _case(session, case_id)
        state = state_of(row)
        author = session.get(Author, row.author_id)
        incident = incident_of_case(session, case_id) if row.incident else None
    name = ""
    if author is not None:
        name = clean_name(author.display_name) or f"@{clean_name(author.handle)}"
    stage = reply_stage(state) if state is not None else ""
    if state is None or not stage:
        return ""  # deliberate silence (a pile-on's other posts, a troll answered once)
    if state.incident and state.is_open and stage not in (HIGH_GROUND, PILEON):
        own = incident.holding_reply if incident is not None else None
        return holding_reply(pb, own, topic=state.topic, name=name)
    pb = playbook_for_case(engine, pb, case_id, stage, state.topic, now=now)  # an experiment's
    return render_reply(
        pb,
        stage,
        state.topic,
        name=name,
        fact_ids=state.facts,
        private=state.private_suggested,
    )


#: Walk-away reasons after which staff stop answering (the one calm reply was the last word).
SILENT_WALKAWAYS = frozenset({"troll", "bad_faith"})


def reply_stage(state: CaseState) -> str:
    """Whose template the suggested reply uses ("" for none).

    ``fan`` (a thank-you) once the critic became a fan; ``walk_away`` (a courteous last word)
    when a walk-away is confirmed, or recommended after staff have answered, except for trolls
    and bad faith, who get one calm ``high_ground`` reply and then nothing; a pile-on's lead
    case gets its one ``pileon`` statement and the pile-on's other cases nothing; else the
    case's stage.
    """
    if state.stage == WALK_AWAY:
        return WALK_AWAY if state.walkaway_reason not in SILENT_WALKAWAYS else ""
    if not state.is_open:
        return state.stage
    if state.pileon_of is not None:
        return PILEON if state.pileon_lead and state.staff_replies == 0 else ""
    recommended = state.walkaway_recommended
    if recommended in SILENT_WALKAWAYS:
        return HIGH_GROUND if state.staff_replies == 0 else ""
    if recommended is not None and state.staff_replies > 0:
        return WALK_AWAY
    return state.stage


def offers_reply(state: CaseState) -> bool:
    """True when the board offers a reply form: open cases, fans and courteous walk-aways."""
    return state.is_open or bool(reply_stage(state))


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


def _draft(
    session: Session,
    row: Case,
    actor: str,
    text: str,
    now: datetime,
    *,
    private: bool,
    mention_id: int | None,
) -> OutboxItem:
    mention_id = mention_id or row.latest_mention_id
    mention = session.get(Mention, mention_id) if mention_id is not None else None
    if mention is None:
        raise InputError(f"case #{row.id} has no post to reply to")
    assert row.id is not None
    item = outbox.create_draft(
        session,
        case_id=row.id,
        mention_id=mention.id,
        platform=mention.source,
        text=text,
        private=private,
        drafted_by=actor,
        now=now,
    )
    _trail(session, item, "reply_drafted", actor, now, body=text)
    return item


def _approve(
    session: Session,
    item: OutboxItem,
    actor: str,
    now: datetime,
    *,
    text: str | None,
    check: Checker | None,
) -> OutboxItem:
    assert item.id is not None
    edited = text is not None and _clean(text, "reply") != item.text
    if text is not None:
        item.text = _clean(text, "reply")
    if check is not None:
        item.text = check(item, _handle_of(session, item))
    item = outbox.approve(session, item.id, approved_by=actor, now=now, text=item.text)
    _trail(session, item, "reply_approved", actor, now, body=item.text, edited=edited)
    return item


def _trail(
    session: Session,
    item: OutboxItem,
    kind: str,
    actor: str,
    now: datetime,
    *,
    body: str | None = None,
    reason: str | None = None,
    **extra: Any,
) -> None:
    if item.case_id is None:
        return  # a standalone post: no case's trail
    data = {"outbox_id": item.id, "platform": item.platform, "private": item.private, **extra}
    session.add(
        CaseEvent(
            case_id=item.case_id,
            at=now,
            kind=kind,
            actor=actor,
            mention_id=item.mention_id,
            body=body,
            reason=reason,
            data=data,
        )
    )


def _handle_of(session: Session, item: OutboxItem) -> str | None:
    row = session.get(Case, item.case_id) if item.case_id is not None else None
    author = session.get(Author, row.author_id) if row is not None else None
    return author.handle if author is not None else None


def _role_of(session: Session, actor: str, role: str | None) -> str:
    if role is not None:
        return role
    user = user_named(session, actor.removeprefix("user:"))
    return user.role if user is not None and user.active else Role.AGENT.value


def _need_lead(session: Session, actor: str, role: str | None, what: str) -> None:
    if _role_of(session, actor, role) not in APPROVER_ROLES:
        raise InputError(f"{actor.removeprefix('user:')!r} is not a lead and cannot {what}")
