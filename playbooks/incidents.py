"""Incident command: the staff operations on an incident, each one transaction.

An incident is opened by a lead (from the board, or from an emerging topic's alert) or by the
spike check (no commander until a lead takes it). Its scope is a topic, and a region or a
platform when given; the open cases in scope are tagged to it (its affected critics) and get
its holding reply as their suggested reply. A lead names the commander; the commander or a lead
writes the holding reply (never blank), posts status updates (one outbox row per platform the
brand has an account on, approved at once when a lead posts, else waiting for a lead), records
the root cause and the fix. Recording the fix drafts one "it's fixed" follow-up per affected
critic, awaiting a lead's approval in the outbox: once per case, however often the fix is
recorded. A lead closes it; its cases are untagged unless another open incident holds them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.errors import InputError
from core.names import clean_name
from playbooks.events import IncidentMode
from playbooks.incident_replies import check_holding, fixed_reply
from playbooks.persist import apply_event
from playbooks.schema import Playbook
from playbooks.service import (
    APPROVER_ROLES,
    _default_playbook,
    _role_of,
    actor_of,
)
from playbooks.templates import MAX_INCIDENT_TEXT_CHARS
from store import outbox
from store.casework import open_cases_to_tag
from store.engine import session_scope
from store.incidents import (
    incident_cases,
    link_case,
    open_cases_in_scope,
    open_incidents,
    other_open_incident_of,
    scope_taken,
    update_with_text,
)
from store.models import Author, Case, CaseEvent, Incident, IncidentUpdate, Mention, OutboxState
from store.users import user_named

log = logging.getLogger(__name__)

KINDS = ("manual", "spike", "emerging")
MAX_UPDATE_CHARS = 5_000


@dataclass(frozen=True)
class FixRecorded:
    """What recording a fix did: the incident, and the follow-ups drafted by this call."""

    incident_id: int
    drafted: int
    #: Affected cases with no post to answer (no follow-up drafted for them).
    skipped: int


def open_incident(
    engine: Engine,
    user: str,
    now: datetime,
    *,
    topic: str | None,
    region: str | None = None,
    platform: str | None = None,
    reason: str | None = None,
    kind: str = "manual",
    role: str | None = None,
    commander: str | None = None,
    playbook: Playbook | None = None,
    data: dict[str, Any] | None = None,
) -> Incident:
    """Open an incident on a scope (``topic`` None: every topic) and tag the open cases in it.

    A lead opens ``manual`` and ``emerging`` ones; the spike check opens ``spike`` ones as
    ``engine``. One open incident per scope.
    """
    if kind not in KINDS:
        raise InputError(f"unknown incident kind {kind!r}; expected one of {list(KINDS)}")
    pb = playbook or _default_playbook()
    with session_scope(engine) as session:
        actor = user if kind == "spike" else actor_of(user)
        if kind != "spike":
            _need_lead(session, actor, role, "open an incident")
        return open_in(
            session,
            actor,
            now,
            kind=kind,
            topic=topic,
            region=region,
            platform=platform,
            reason=reason,
            commander=commander,
            playbook=pb,
            data=data,
        )


def open_in(
    session: Session,
    actor: str,
    now: datetime,
    *,
    kind: str,
    topic: str | None,
    region: str | None,
    platform: str | None,
    reason: str | None,
    commander: str | None,
    playbook: Playbook,
    data: dict[str, Any] | None,
) -> Incident:
    """Open an incident in the caller's session (no role check: :func:`open_incident`'s)."""
    topic, region, platform = _opt(topic, 64), _opt(region, 64), _opt(platform, 32)
    taken = scope_taken(session, topic=topic, region=region, platform=platform)
    if taken is not None:
        raise InputError(f"incident #{taken} is already open on this scope")
    boss = _commander(session, commander) if commander else None
    incident = Incident(
        kind=kind,
        started_at=now,
        started_by=actor,
        reason=(reason or "").strip() or None,
        topic=topic,
        region=region,
        platform=platform,
        commander=boss,
        data={**(data or {}), "alerted": [playbook.escalation.assign_to]},
    )
    session.add(incident)
    session.flush()
    tagged = _tag_scope(session, incident, actor, now, playbook)
    log.warning(
        "incident #%s opened (%s, %s): %d open cases tagged; leads alerted",
        incident.id,
        kind,
        topic or "every topic",
        tagged,
    )
    return incident


def assign_commander(
    engine: Engine,
    incident_id: int,
    user: str,
    commander: str,
    now: datetime,
    *,
    role: str | None = None,
) -> Incident:
    """A lead names who runs the incident (an active staff member; themselves to take it)."""
    actor = actor_of(user)
    with session_scope(engine) as session:
        _need_lead(session, actor, role, "name an incident's commander")
        incident = _open(session, incident_id)
        incident.commander = _commander(session, commander)
        _note(incident, "commander", actor, now, commander=incident.commander)
        session.add(incident)
        return incident


def set_holding_reply(
    engine: Engine,
    incident_id: int,
    user: str,
    text: str,
    now: datetime,
    *,
    role: str | None = None,
) -> Incident:
    """The commander or a lead sets what affected critics are told; a blank one is refused."""
    text = check_holding(text)
    if len(text) > MAX_UPDATE_CHARS:
        raise InputError(f"the holding reply is longer than {MAX_UPDATE_CHARS} characters")
    return _write(
        engine, incident_id, user, role, now, "holding_reply", text, "set the holding reply"
    )


def post_status_update(
    engine: Engine,
    incident_id: int,
    user: str,
    text: str,
    now: datetime,
    *,
    platforms: Iterable[str],
    role: str | None = None,
) -> IncidentUpdate:
    """Post a status update on the brand's public channel: one outbox row per platform in
    ``platforms`` (only the incident's own platform when it is scoped to one). A lead's update
    is approved at once; the commander's waits for a lead. The same text posted again is the
    same update (nothing new is queued)."""
    actor = actor_of(user)
    text = _text(text, "status update", MAX_UPDATE_CHARS)
    with session_scope(engine) as session:
        incident = _open(session, incident_id)
        _need_commander_or_lead(session, incident, actor, role, "post a status update")
        wanted = sorted({p for p in platforms if p})
        if incident.platform is not None:
            wanted = [p for p in wanted if p == incident.platform]
        if not wanted:
            raise InputError("the brand has no account on a platform in this incident's scope")
        assert incident.id is not None
        update = update_with_text(session, incident.id, text)
        if update is None:
            update = IncidentUpdate(incident_id=incident.id, at=now, author=actor, text=text)
            session.add(update)
            session.flush()
        assert update.id is not None
        lead = _role_of(session, actor, role) in APPROVER_ROLES
        ids = dict(update.outbox_ids)
        for platform in wanted:
            item = outbox.create_post(
                session,
                incident_update_id=update.id,
                platform=platform,
                text=text,
                drafted_by=actor,
                now=now,
            )
            assert item.id is not None
            if item.state == OutboxState.DRAFT.value:
                if lead:
                    outbox.approve(session, item.id, approved_by=actor, now=now)
                else:
                    outbox.submit_for_approval(session, item.id, by=actor, now=now)
            ids[platform] = item.id
        update.outbox_ids = ids
        session.add(update)
        return update


def approve_status_update(
    engine: Engine, update_id: int, user: str, now: datetime, *, role: str | None = None
) -> int:
    """A lead approves a status update's posts waiting for approval; returns how many."""
    actor = actor_of(user)
    with session_scope(engine) as session:
        _need_lead(session, actor, role, "approve status updates")
        update = session.get(IncidentUpdate, update_id)
        if update is None:
            raise InputError(f"no status update #{update_id}")
        approved = 0
        for item_id in update.outbox_ids.values():
            item = outbox.get_item(session, item_id)
            if item.state == OutboxState.AWAITING_APPROVAL.value:
                outbox.approve(session, item_id, approved_by=actor, now=now)
                approved += 1
        return approved


def record_root_cause(
    engine: Engine,
    incident_id: int,
    user: str,
    text: str,
    now: datetime,
    *,
    role: str | None = None,
) -> Incident:
    """The commander or a lead writes down what went wrong."""
    text = _text(text, "root cause", MAX_INCIDENT_TEXT_CHARS)
    return _write(engine, incident_id, user, role, now, "root_cause", text, "record the root cause")


def record_fix(
    engine: Engine,
    incident_id: int,
    user: str,
    text: str,
    now: datetime,
    *,
    role: str | None = None,
    playbook: Playbook | None = None,
) -> FixRecorded:
    """Record the fix, and draft the "it's fixed" follow-up for every affected critic who has
    none yet (awaiting a lead's approval in the outbox). Needs the root cause first."""
    pb = playbook or _default_playbook()
    actor = actor_of(user)
    text = _text(text, "fix", MAX_INCIDENT_TEXT_CHARS)
    with session_scope(engine) as session:
        incident = _open(session, incident_id)
        _need_commander_or_lead(session, incident, actor, role, "record the fix")
        if not incident.root_cause:
            raise InputError("record the root cause first: the follow-up says what was wrong")
        incident.fix, incident.fixed_at, incident.fixed_by = text, now, actor
        _note(incident, "fix", actor, now)
        session.add(incident)
        assert incident.id is not None
        drafted = skipped = 0
        for link in incident_cases(session, incident.id):
            if link.followup_id is not None:
                continue
            item_id = _draft_followup(session, incident, link.case_id, actor, now, pb)
            if item_id is None:
                skipped += 1
                continue
            link.followup_id = item_id
            session.add(link)
            drafted += 1
        log.info("incident #%s fixed: %d follow-ups drafted", incident.id, drafted)
        return FixRecorded(incident.id, drafted, skipped)


def close_incident(
    engine: Engine,
    incident_id: int,
    user: str,
    now: datetime,
    *,
    reason: str | None = None,
    role: str | None = None,
    playbook: Playbook | None = None,
) -> int:
    """A lead closes the incident; its open cases are untagged (unless another open incident
    holds them). Returns how many cases changed."""
    pb = playbook or _default_playbook()
    actor = actor_of(user)
    with session_scope(engine) as session:
        _need_lead(session, actor, role, "close an incident")
        incident = _open(session, incident_id)
        return _close(session, incident, actor, now, reason, pb)


def close_all(
    session: Session, actor: str, now: datetime, reason: str | None, playbook: Playbook
) -> int:
    """Close every open incident in the caller's session, and untag every open case still
    tagged (cases tagged before incidents kept their affected critics included); returns how
    many cases changed."""
    changed = sum(_close(session, i, actor, now, reason, playbook) for i in open_incidents(session))
    for row in open_cases_to_tag(session, incident=False):
        applied = apply_event(session, row, IncidentMode(False, actor, reason), now, playbook)
        changed += bool(applied.actions)
    return changed


# -- helpers ---------------------------------------------------------------------------------


def _close(
    session: Session,
    incident: Incident,
    actor: str,
    now: datetime,
    reason: str | None,
    pb: Playbook,
) -> int:
    assert incident.id is not None
    incident.ended_at, incident.ended_by = now, actor
    if reason and reason.strip():
        incident.data = {**incident.data, "close_reason": reason.strip()}
    session.add(incident)
    session.flush()
    changed = 0
    for link in incident_cases(session, incident.id):
        if other_open_incident_of(session, link.case_id, besides=incident.id):
            continue
        row = session.get(Case, link.case_id)
        if row is None or not row.is_open or not row.incident:
            continue
        applied = apply_event(session, row, IncidentMode(False, actor, reason), now, pb)
        changed += bool(applied.actions)
    log.warning("incident #%s closed by %s: %d cases untagged", incident.id, actor, changed)
    return changed


def _tag_scope(
    session: Session, incident: Incident, actor: str, now: datetime, pb: Playbook
) -> int:
    """Tag the open cases in the incident's scope to it; returns how many were tagged."""
    assert incident.id is not None
    tagged = 0
    for row in open_cases_in_scope(session, incident):
        assert row.id is not None
        if not row.incident:
            apply_event(session, row, IncidentMode(True, actor, incident.reason), now, pb)
        tagged += link_case(session, incident.id, row.id, now)
    return tagged


def _draft_followup(
    session: Session,
    incident: Incident,
    case_id: int,
    actor: str,
    now: datetime,
    pb: Playbook,
) -> int | None:
    row = session.get(Case, case_id)
    mention = session.get(Mention, row.latest_mention_id) if row and row.latest_mention_id else None
    if row is None or mention is None:
        return None
    author = session.get(Author, row.author_id)
    name = ""
    if author is not None:
        name = clean_name(author.display_name) or f"@{clean_name(author.handle)}"
    text = fixed_reply(
        pb, topic=row.topic, name=name, cause=incident.root_cause or "", fix=incident.fix or ""
    )
    item = outbox.create_draft(
        session,
        case_id=case_id,
        mention_id=mention.id,
        platform=mention.source,
        text=text,
        private=False,
        drafted_by=actor,
        now=now,
    )
    assert item.id is not None
    item = outbox.submit_for_approval(session, item.id, by=actor, now=now)
    data = {"outbox_id": item.id, "platform": item.platform, "incident_id": incident.id}
    session.add(
        CaseEvent(
            case_id=case_id,
            at=now,
            kind="fixed_followup",
            actor=actor,
            mention_id=mention.id,
            body=text,
            data=data,
        )
    )
    return item.id


def _write(
    engine: Engine,
    incident_id: int,
    user: str,
    role: str | None,
    now: datetime,
    field: str,
    text: str,
    what: str,
) -> Incident:
    """Set one text ``field`` of an open incident, as its commander or a lead, noted."""
    actor = actor_of(user)
    with session_scope(engine) as session:
        incident = _open(session, incident_id)
        _need_commander_or_lead(session, incident, actor, role, what)
        setattr(incident, field, text)
        _note(incident, field, actor, now)
        session.add(incident)
        return incident


def _open(session: Session, incident_id: int) -> Incident:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise InputError(f"no incident #{incident_id}")
    if incident.ended_at is not None:
        raise InputError(f"incident #{incident_id} is closed")
    return incident


def _commander(session: Session, name: str) -> str:
    username = name.strip().removeprefix("user:").lower()
    user = user_named(session, username) if username else None
    if user is None or not user.active:
        raise InputError(f"no active staff member {name.strip()!r} to command the incident")
    return f"user:{user.username}"


def _need_lead(session: Session, actor: str, role: str | None, what: str) -> None:
    if _role_of(session, actor, role) not in APPROVER_ROLES:
        raise InputError(f"{actor.removeprefix('user:')!r} is not a lead and cannot {what}")


def _need_commander_or_lead(
    session: Session, incident: Incident, actor: str, role: str | None, what: str
) -> None:
    if incident.commander == actor:
        return
    if _role_of(session, actor, role) not in APPROVER_ROLES:
        raise InputError(
            f"{actor.removeprefix('user:')!r} is neither the incident's commander nor a lead "
            f"and cannot {what}"
        )


def _note(incident: Incident, what: str, actor: str, now: datetime, **extra: Any) -> None:
    """Keep the incident's own log of who changed what (shown on the board)."""
    log_entries = list(incident.data.get("log", []))
    log_entries.append({"at": now.isoformat(), "what": what, "by": actor, **extra})
    incident.data = {**incident.data, "log": log_entries[-50:]}


def _text(text: str, what: str, limit: int) -> str:
    text = text.replace("\x00", "").strip()
    if not text:
        raise InputError(f"the {what} is empty")
    if len(text) > limit:
        raise InputError(f"the {what} is longer than {limit} characters")
    return text


def _opt(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    return value[:limit] or None
