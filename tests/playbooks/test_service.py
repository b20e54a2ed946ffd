"""Staff operations: each writes a CaseEvent naming the user; refusals write nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.errors import InputError
from playbooks import service
from playbooks.runner import process_pending
from store.engine import session_scope
from store.models import Case, CaseEvent, Incident, User


@pytest.fixture
def case_id(engine: Engine, feed, pb, t0) -> int:
    """One open acknowledge case from a critic claiming a cancellation fee."""
    feed.say("ana", "Brightloop charged me a cancellation fee, scam", t0, neg=0.9)
    process_pending(engine, pb)
    with Session(engine) as s:
        row = s.exec(select(Case)).one()
        assert row.id is not None
        return row.id


def _events(engine: Engine, case_id: int) -> list[CaseEvent]:
    with Session(engine) as s:
        query = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.id))
        return list(s.exec(query).all())


def _lead(engine: Engine, name: str = "lee") -> None:
    with Session(engine) as s:
        s.add(User(username=name, display_name=name, role="lead", password_hash="x"))
        s.commit()


def test_record_reply__dry_run_records_reply_and_moves_stage(engine, case_id, pb, t0) -> None:
    row = service.record_reply(engine, case_id, "ann", "Hi Ana, sorry!", t0, playbook=pb)
    assert row.stage == "empathize"
    reply = [e for e in _events(engine, case_id) if e.kind == "reply"][0]
    assert reply.actor == "user:ann" and reply.data["status"] == "recorded"


def test_submitted_reply__needs_approval_and_counts_only_once_sent(engine, case_id, pb, t0) -> None:
    draft = service.draft_reply(engine, case_id, "ann", "Hi", t0)
    assert draft.id is not None
    service.submit_reply(engine, draft.id, "ann", t0)
    with session_scope(engine) as session:
        assert session.get(Case, case_id).stage == "acknowledge"  # type: ignore[union-attr]
    pending = [e for e in _events(engine, case_id) if e.kind == "reply_pending"][0]
    _lead(engine)
    item = service.approve_reply(engine, pending.data["outbox_id"], "lee", t0)
    assert item.state == "approved" and item.text == "Hi" and item.approved_by == "user:lee"
    kinds = [e.kind for e in _events(engine, case_id)]
    assert "reply_approved" in kinds and "reply" not in kinds  # counted once it is sent


def test_record_reply__empty_text_is_refused(engine, case_id, pb, t0) -> None:
    with pytest.raises(InputError, match="empty"):
        service.record_reply(engine, case_id, "ann", "   ", t0, playbook=pb)


def test_walk_away__unknown_reason_is_refused(engine, case_id, pb, t0) -> None:
    with pytest.raises(InputError, match="reason"):
        service.walk_away(engine, case_id, "ann", "annoying", t0, playbook=pb)


def test_walk_away__records_reason_and_user(engine, case_id, pb, t0) -> None:
    row = service.walk_away(engine, case_id, "ann", "bad_faith", t0, playbook=pb)
    assert row.stage == "walk_away" and row.walkaway_reason == "bad_faith" and not row.is_open
    stage = [e for e in _events(engine, case_id) if e.kind == "stage"][-1]
    assert stage.actor == "user:ann" and stage.stage_to == "walk_away"


def test_confirm_walk_away__without_recommendation_is_refused(engine, case_id, pb, t0) -> None:
    before = len(_events(engine, case_id))
    with pytest.raises(InputError, match="recommended"):
        service.confirm_walk_away(engine, case_id, "ann", t0, playbook=pb)
    assert len(_events(engine, case_id)) == before


def test_override_stage__forbidden_edge_is_refused(engine, case_id, pb, t0) -> None:
    service.record_reply(engine, case_id, "ann", "hi", t0, playbook=pb)
    with pytest.raises(InputError, match="cannot move"):
        service.override_stage(engine, case_id, "lee", "acknowledge", "oops", t0, playbook=pb)


def test_assign_and_note__name_the_user(engine, case_id, pb, t0) -> None:
    service.assign(engine, case_id, "lee", "ann", t0, playbook=pb)
    service.add_note(engine, case_id, "lee", "VIP customer", t0)
    events = _events(engine, case_id)
    assign = [e for e in events if e.kind == "assign"][0]
    assert assign.data["assignee"] == "ann" and assign.actor == "user:lee"
    assert [e.body for e in events if e.kind == "note"] == ["VIP customer"]


def test_set_incident__tags_cases_and_suggests_the_holding_reply(engine, case_id, pb, t0) -> None:
    usual = service.suggested_reply(engine, case_id, pb)
    changed = service.set_incident(engine, True, "lee", "regional outage", t0, playbook=pb)
    assert changed == 1 and service.incident_active(engine)
    with Session(engine) as s:
        assert s.get(Case, case_id).incident  # type: ignore[union-attr]
        assert s.exec(select(Incident)).one().started_by == "user:lee"
    holding = service.suggested_reply(engine, case_id, pb)
    assert holding != usual and "Ana" in holding and "working on it" in holding
    service.set_incident(engine, False, "lee", None, t0 + timedelta(hours=1), playbook=pb)
    assert not service.incident_active(engine)
    assert service.suggested_reply(engine, case_id, pb) == usual


def test_suggested_reply__offers_the_matching_fact(engine, case_id, pb) -> None:
    text = service.suggested_reply(engine, case_id, pb)
    assert "no cancellation fees" in text and "Ana" in text


def test_reopen__walked_away_case_returns_to_acknowledge(engine, case_id, pb, t0) -> None:
    service.walk_away(engine, case_id, "ann", "cannot_be_pleased", t0, playbook=pb)
    row = service.reopen(engine, case_id, "lee", t0, playbook=pb)
    assert row.is_open and row.stage == "acknowledge" and row.timer_due is not None
