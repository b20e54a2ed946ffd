"""Goodwill on the board: the budgets left on the case page, and the leads' Goodwill page where
requests over budget are approved or declined."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.clock import utcnow
from playbooks import goodwill
from playbooks.loader import load_active_playbook
from store.engine import session_scope
from store.models import Case, CaseEvent, GoodwillLedger
from tests.dashboard.board_helpers import BoardData, open_page, texts


def _button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def _spent(data: BoardData, case_id: int) -> float:
    with session_scope(data.engine) as s:
        row = s.get(Case, case_id)
        assert row is not None
        return row.goodwill_spent


def _request(data: BoardData, case_id: int, amount: float = 5000.0) -> int:
    outcome = goodwill.give_goodwill(
        data.engine, case_id, "alice", "refund", amount, "charged twice <b>", utcnow()
    )
    assert outcome.request is not None and outcome.request.id is not None
    return outcome.request.id


def test_case__the_goodwill_tab_shows_the_budgets_left(board_db: BoardData) -> None:
    budget = load_active_playbook().goodwill
    case_id = board_db.case_ids[2]
    goodwill.give_goodwill(board_db.engine, case_id, "bob", "credit", 10, "", utcnow())
    _request(board_db, case_id)

    at = open_page("case", query={"case": str(case_id)})

    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    cur = budget.currency
    assert shown["Left for this case"] == f"{budget.per_case - 10:,.2f} {cur}"
    assert shown["Left for you today"] == f"{budget.per_agent_per_day:,.2f} {cur}"
    assert shown["Left for the team today"] == f"{budget.per_day - 10:,.2f} {cur}"
    assert any("waiting for a lead" in t for t in texts(at))


def test_goodwill_page__only_leads_see_it(board_db: BoardData) -> None:
    with pytest.raises(ValueError):  # not among an agent's pages
        open_page("goodwill")
    lead = open_page("goodwill", role="lead")
    assert not lead.exception
    assert [t.value for t in lead.title] == ["Goodwill requests"]


def test_goodwill_page__a_lead_approves_and_it_is_given_once(board_db: BoardData) -> None:
    case_id = board_db.case_ids[2]
    request_id = _request(board_db, case_id)

    at = open_page("goodwill", role="lead")
    assert any("charged twice <b>" in c.value for c in at.code)
    _button(at, "Approve").click().run()

    assert not at.exception and not at.error
    assert _spent(board_db, case_id) == 5000.0
    with session_scope(board_db.engine) as s:
        ledger = s.scalars(select(GoodwillLedger)).all()
        assert [(g.actor, g.approved_by) for g in ledger] == [("user:alice", "user:lena")]
    assert not [b for b in at.button if b.label == "Approve"]  # nothing waits any more
    assert any(f"#{request_id} approved" in s.value for s in at.success)


def test_goodwill_page__a_lead_declines_with_a_reason(board_db: BoardData) -> None:
    case_id = board_db.case_ids[2]
    request_id = _request(board_db, case_id)

    at = open_page("goodwill", role="lead")
    _button(at, "Decline").click().run()
    assert any("why" in e.value for e in at.error)  # a reason is needed
    at.text_input(key=f"goodwill_reason_{request_id}").input("refunded by phone")
    _button(at, "Decline").click().run()

    assert not at.exception and not at.error
    assert _spent(board_db, case_id) == 0.0
    with session_scope(board_db.engine) as s:
        declined = s.scalars(select(CaseEvent).where(CaseEvent.kind == "goodwill_declined")).all()
        assert [(e.actor, e.reason) for e in declined] == [("user:lena", "refunded by phone")]
