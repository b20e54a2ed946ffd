"""Escalation reaches a lead: the least-loaded active lead, never the assignee; else the queue."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from playbooks.runner import fire_due_timers, process_pending
from store.board import QueueFilters, fetch_queue
from store.models import Case, CaseEvent, User


def _staff(engine: Engine, *people: tuple[str, str, bool]) -> None:
    with Session(engine) as s:
        for name, role, active in people:
            s.add(
                User(username=name, display_name=name, role=role, password_hash="x", active=active)
            )
        s.commit()


def _assign(engine: Engine, case_id: int, who: str | None) -> None:
    with Session(engine) as s:
        row = s.get(Case, case_id)
        assert row is not None
        row.assignee = who
        row.state = {**row.state, "assignee": who}
        s.add(row)
        s.commit()


def _cases(engine: Engine) -> list[Case]:
    with Session(engine) as s:
        return list(s.exec(select(Case).order_by(col(Case.id))).all())


def _breach(engine, feed, pb, t0, *critics: str) -> list[Case]:
    for i, handle in enumerate(critics):
        feed.say(handle, "Brightloop billed me twice", t0 + timedelta(seconds=i), neg=0.9)
    process_pending(engine, pb, now=t0 + timedelta(minutes=1))
    return _cases(engine)


def test_escalation__goes_to_least_loaded_lead_never_the_assignee(engine, feed, pb, t0) -> None:
    _staff(engine, ("ann", "agent", True), ("lee", "lead", True), ("lou", "lead", True))
    _staff(engine, ("old", "lead", False))
    first, second, third = _breach(engine, feed, pb, t0, "ana", "bo", "cy")
    _assign(engine, first.id or 0, "ann")
    _assign(engine, second.id or 0, "lee")  # a lead who let the SLA run out himself
    _assign(engine, third.id or 0, "lee")
    fire_due_timers(engine, pb, t0 + timedelta(hours=3))
    after = {c.id: c.assignee for c in _cases(engine)}
    # ann's case goes to a lead; lee's own cases go to lou, never back to lee.
    assert after[second.id] == "lou" and after[third.id] == "lou"
    assert after[first.id] in {"lee", "lou"} and after[first.id] != "ann"
    with Session(engine) as s:
        events = s.exec(select(CaseEvent).where(CaseEvent.kind == "escalated")).all()
    assert sorted(e.data["to"] for e in events) == sorted(after.values())
    assert {e.data["role"] for e in events} == {"lead"}


def test_escalation__spreads_by_load(engine, feed, pb, t0) -> None:
    _staff(engine, ("lee", "lead", True), ("lou", "lead", True))
    _breach(engine, feed, pb, t0, "ana", "bo", "cy", "di")
    fire_due_timers(engine, pb, t0 + timedelta(hours=3))
    held = [c.assignee for c in _cases(engine)]
    assert held.count("lee") == 2 and held.count("lou") == 2


def test_escalation__without_a_lead_waits_in_the_lead_queue(engine, feed, pb, t0) -> None:
    _staff(engine, ("ann", "agent", True))
    (case,) = _breach(engine, feed, pb, t0, "ana")
    _assign(engine, case.id or 0, "ann")
    fire_due_timers(engine, pb, t0 + timedelta(hours=3))
    (after,) = _cases(engine)
    assert after.assignee == "queue:lead" and after.state["escalated"] is True
    with engine.connect() as conn:
        rows = fetch_queue(conn, QueueFilters(assignees=("queue:lead",)))
    assert [r.case_id for r in rows] == [case.id]
