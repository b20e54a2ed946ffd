"""Goodwill against its budgets: the budgets left, a spend over them becoming a request, and a
lead deciding that request once (approved: given and ledgered; declined: nothing spent)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.errors import InputError
from playbooks import goodwill
from playbooks.budget import budget_day, budget_left
from playbooks.runner import process_pending
from playbooks.schema import GoodwillBudget
from store.goodwill import GoodwillSpent, pending_requests
from store.models import Case, CaseEvent, GoodwillLedger, GoodwillRequest, User

BUDGET = GoodwillBudget(currency="EUR", per_case=100, per_agent_per_day=50, per_day=500)


# -- the budget math -------------------------------------------------------------------------


def test_budget_left__is_each_limit_less_what_was_spent() -> None:
    left = budget_left(BUDGET, GoodwillSpent(case=30, agent=45, team=120))

    assert (left.case.left, left.agent.left, left.team.left) == (70, 5, 380)
    assert left.left == 5 and left.currency == "EUR"


def test_budget_left__never_below_zero_once_a_lead_went_over() -> None:
    left = budget_left(BUDGET, GoodwillSpent(case=250, agent=0, team=0))

    assert left.case.left == 0 and left.left == 0
    assert left.over(1) == ["per case 100"]


def test_over__names_every_budget_the_amount_goes_over() -> None:
    left = budget_left(BUDGET, GoodwillSpent(case=60, agent=40, team=495))

    assert left.over(10) == ["per team per day 500"]
    assert left.over(10.01) == ["per agent per day 50", "per team per day 500"]
    assert left.over(41) == ["per case 100", "per agent per day 50", "per team per day 500"]
    assert left.over(5) == []


def test_budget_day__is_the_utc_day_of_the_clock() -> None:
    late_in_tokyo = datetime(2026, 3, 3, 8, 30, tzinfo=timezone(timedelta(hours=9)))

    since, until = budget_day(late_in_tokyo)

    assert since == datetime(2026, 3, 2, tzinfo=UTC) and until == datetime(2026, 3, 3, tzinfo=UTC)


# -- the service on a database ---------------------------------------------------------------


@pytest.fixture
def case_id(engine: Engine, feed, pb, t0) -> int:
    """One open acknowledge case from a critic claiming a cancellation fee."""
    feed.say("ana", "Brightloop charged me a cancellation fee, scam", t0, neg=0.9)
    process_pending(engine, pb)
    return _case_ids(engine)[0]


def _case_ids(engine: Engine) -> list[int]:
    with Session(engine) as s:
        return sorted(i for i in s.exec(select(Case.id)).all() if i is not None)


def _staff(engine: Engine, name: str, role: str) -> None:
    with Session(engine) as s:
        s.add(User(username=name, display_name=name, role=role, password_hash="x"))
        s.commit()


def _ledger(engine: Engine) -> list[GoodwillLedger]:
    with Session(engine) as s:
        return list(s.exec(select(GoodwillLedger).order_by(col(GoodwillLedger.id))).all())


def _spent(engine: Engine, case_id: int) -> float:
    with Session(engine) as s:
        row = s.get(Case, case_id)
        assert row is not None
        return row.goodwill_spent


def _events(engine: Engine, case_id: int, kind: str) -> list[CaseEvent]:
    with Session(engine) as s:
        query = select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == kind)
        return list(s.exec(query.order_by(col(CaseEvent.id))).all())


def _request(engine: Engine, case_id: int, pb, t0, amount: float | None = None) -> int:
    """An agent's spend over the per-agent budget; returns the request's id."""
    too_much = amount or pb.goodwill.per_agent_per_day + 1
    outcome = goodwill.give_goodwill(
        engine, case_id, "ann", "refund", too_much, "charged twice", t0, playbook=pb
    )
    assert outcome.request is not None and outcome.request.id is not None
    return outcome.request.id


def test_give__within_budget_writes_ledger_and_event(engine, case_id, pb, t0) -> None:
    outcome = goodwill.give_goodwill(engine, case_id, "ann", "credit", 20, "sorry", t0, playbook=pb)

    assert outcome.given and outcome.case.stage == "goodwill" and outcome.case.goodwill_spent == 20
    ledger = _ledger(engine)
    assert [(g.actor, g.amount, g.approved_by) for g in ledger] == [("user:ann", 20, None)]
    assert _events(engine, case_id, "goodwill")[0].actor == "user:ann"


def test_budgets_left__count_the_case_the_agent_and_the_team_today(
    engine, feed, case_id, pb, t0
) -> None:
    budget = pb.goodwill
    goodwill.give_goodwill(engine, case_id, "ann", "credit", 20, "", t0, playbook=pb)
    feed.say("bo", "Brightloop outage again", t0 + timedelta(minutes=1), neg=0.9)
    process_pending(engine, pb)
    other = _case_ids(engine)[-1]
    goodwill.give_goodwill(engine, other, "bob", "credit", 10, "", t0, playbook=pb)

    ann = goodwill.goodwill_left(engine, case_id, "ann", t0, playbook=pb)
    bob = goodwill.goodwill_left(engine, case_id, "bob", t0, playbook=pb)
    tomorrow = goodwill.goodwill_left(engine, case_id, "ann", t0 + timedelta(days=1), playbook=pb)

    assert (ann.case.left, ann.agent.left, ann.team.left) == (
        budget.per_case - 20,
        budget.per_agent_per_day - 20,
        budget.per_day - 30,
    )
    assert bob.agent.left == budget.per_agent_per_day - 10 and bob.case.left == ann.case.left
    assert tomorrow.agent.left == budget.per_agent_per_day
    assert tomorrow.team.left == budget.per_day and tomorrow.case.left == ann.case.left


def test_give__over_budget_becomes_a_request_on_the_trail(engine, case_id, pb, t0) -> None:
    too_much = pb.goodwill.per_agent_per_day + 1

    outcome = goodwill.give_goodwill(
        engine, case_id, "ann", "refund", too_much, "charged twice", t0, playbook=pb
    )

    request = outcome.request
    assert request is not None and not outcome.given
    assert request.state == "pending" and request.requested_by == "user:ann"
    assert request.over == [f"per agent per day {pb.goodwill.per_agent_per_day:g}"]
    assert _ledger(engine) == [] and _spent(engine, case_id) == 0
    asked = _events(engine, case_id, "goodwill_requested")
    assert [(e.actor, e.body, e.data["request_id"]) for e in asked] == [
        ("user:ann", "charged twice", request.id)
    ]
    assert _events(engine, case_id, "goodwill") == []
    with engine.connect() as conn:
        assert [r.id for r in pending_requests(conn)] == [request.id]


def test_give__a_leads_own_approval_gives_over_budget_at_once(engine, case_id, pb, t0) -> None:
    too_much = pb.goodwill.per_agent_per_day + 1
    with pytest.raises(InputError, match="not an active lead"):
        goodwill.give_goodwill(
            engine, case_id, "ann", "refund", too_much, "", t0, approved_by="bob", playbook=pb
        )
    _staff(engine, "lee", "lead")

    outcome = goodwill.give_goodwill(
        engine, case_id, "ann", "refund", too_much, "", t0, approved_by="lee", playbook=pb
    )

    assert outcome.given and [g.approved_by for g in _ledger(engine)] == ["user:lee"]


def test_give__the_agents_daily_budget_adds_up_across_cases(engine, feed, case_id, pb, t0) -> None:
    half = pb.goodwill.per_agent_per_day / 2 + 1
    goodwill.give_goodwill(engine, case_id, "ann", "credit", half, "", t0, playbook=pb)
    feed.say("bo", "Brightloop outage again", t0 + timedelta(minutes=1), neg=0.9)
    process_pending(engine, pb)
    other = _case_ids(engine)[-1]

    today = goodwill.give_goodwill(engine, other, "ann", "credit", half, "", t0, playbook=pb)
    tomorrow = t0 + timedelta(days=1)
    later = goodwill.give_goodwill(engine, other, "ann", "credit", half, "", tomorrow, playbook=pb)

    assert today.request is not None and "per agent per day" in today.request.over[0]
    assert later.given


def test_approve__gives_once_with_the_lead_as_approver(engine, case_id, pb, t0) -> None:
    request_id = _request(engine, case_id, pb, t0)
    amount = pb.goodwill.per_agent_per_day + 1
    _staff(engine, "lee", "lead")

    row = goodwill.approve_goodwill(
        engine, request_id, "lee", t0 + timedelta(minutes=5), playbook=pb
    )
    with pytest.raises(InputError, match="approved already"):
        goodwill.approve_goodwill(engine, request_id, "lee", t0, playbook=pb)

    assert row.goodwill_spent == amount and row.stage == "goodwill"
    ledger = _ledger(engine)
    assert [(g.actor, g.amount, g.approved_by) for g in ledger] == [
        ("user:ann", amount, "user:lee")
    ]
    given = _events(engine, case_id, "goodwill")
    assert len(given) == 1 and given[0].data["approved_by"] == "user:lee"
    assert given[0].data["request_id"] == request_id
    approved = _events(engine, case_id, "goodwill_approved")
    assert [e.actor for e in approved] == ["user:lee"]
    request = goodwill.goodwill_request(engine, request_id)
    assert (request.state, request.decided_by) == ("approved", "user:lee")
    with engine.connect() as conn:
        assert pending_requests(conn) == []


def test_decline__spends_nothing_and_puts_the_reason_on_the_trail(engine, case_id, pb, t0) -> None:
    request_id = _request(engine, case_id, pb, t0)
    _staff(engine, "lee", "lead")
    with pytest.raises(InputError, match="why"):
        goodwill.decline_goodwill(engine, request_id, "lee", "  ", t0)

    request = goodwill.decline_goodwill(engine, request_id, "lee", "refunded by phone", t0)

    assert (request.state, request.decided_by, request.reason) == (
        "declined",
        "user:lee",
        "refunded by phone",
    )
    assert _ledger(engine) == [] and _spent(engine, case_id) == 0
    declined = _events(engine, case_id, "goodwill_declined")
    assert [(e.actor, e.reason) for e in declined] == [("user:lee", "refunded by phone")]
    with pytest.raises(InputError, match="declined already"):
        goodwill.approve_goodwill(engine, request_id, "lee", t0, playbook=pb)
    assert _ledger(engine) == []


def test_decide__an_agent_cannot_even_their_own_request(engine, case_id, pb, t0) -> None:
    request_id = _request(engine, case_id, pb, t0)
    _staff(engine, "ann", "agent")

    with pytest.raises(InputError, match="not a lead"):
        goodwill.approve_goodwill(engine, request_id, "ann", t0, playbook=pb)
    with pytest.raises(InputError, match="not a lead"):
        goodwill.decline_goodwill(engine, request_id, "ann", "never mind", t0)

    assert goodwill.goodwill_request(engine, request_id).state == "pending"
    assert _ledger(engine) == []


def test_approve__on_a_closed_case_is_refused_and_the_request_stays(
    engine, case_id, pb, t0
) -> None:
    request_id = _request(engine, case_id, pb, t0)
    _staff(engine, "lee", "lead")
    from playbooks import service

    service.walk_away(engine, case_id, "lee", "bad_faith", t0, playbook=pb)

    with pytest.raises(InputError, match="open case"):
        goodwill.approve_goodwill(engine, request_id, "lee", t0, playbook=pb)

    assert goodwill.goodwill_request(engine, request_id).state == "pending"
    assert _ledger(engine) == [] and _events(engine, case_id, "goodwill_approved") == []


def test_give__over_budget_on_a_closed_case_is_refused(engine, case_id, pb, t0) -> None:
    from playbooks import service

    service.walk_away(engine, case_id, "ann", "bad_faith", t0, playbook=pb)

    with pytest.raises(InputError, match="open case"):
        _request(engine, case_id, pb, t0)
    with Session(engine) as s:
        assert s.exec(select(GoodwillRequest)).first() is None
