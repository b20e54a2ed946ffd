"""Case actions through the playbook service: each is audited with the signed-in user."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from store.engine import session_scope
from store.models import Case, CaseEvent, GoodwillLedger, GoodwillRequest, Incident
from tests.dashboard.board_helpers import BoardData, open_page


def _button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def _case(data: BoardData, case_id: int) -> Case:
    with session_scope(data.engine) as s:
        row = s.get(Case, case_id)
        assert row is not None
        return row


def _events(data: BoardData, case_id: int) -> list[CaseEvent]:
    with session_scope(data.engine) as s:
        return list(s.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)))


def test_goodwill__within_budget_is_spent_and_ledgered(board_db: BoardData) -> None:
    case_id = board_db.case_ids[2]
    at = open_page("case", query={"case": str(case_id)})
    at.number_input[0].set_value(20.0)
    _button(at, "Give goodwill").click().run()
    assert not at.exception and not at.error
    assert _case(board_db, case_id).goodwill_spent == 20.0
    with session_scope(board_db.engine) as s:
        ledger = s.scalars(select(GoodwillLedger)).all()
    assert [(g.actor, g.amount) for g in ledger] == [("user:alice", 20.0)]


def test_goodwill__over_budget_waits_for_a_lead(board_db: BoardData) -> None:
    case_id = board_db.case_ids[2]
    at = open_page("case", query={"case": str(case_id)})
    at.number_input[0].set_value(5000.0)
    _button(at, "Give goodwill").click().run()
    assert not at.error and any("waits for a lead" in s.value for s in at.success)
    assert _case(board_db, case_id).goodwill_spent == 0.0
    with session_scope(board_db.engine) as s:
        assert s.scalars(select(GoodwillRequest.requested_by)).one() == "user:alice"
    lead = open_page("case", role="lead", query={"case": str(case_id)})
    lead.number_input[0].set_value(5000.0)
    next(c for c in lead.checkbox if "approve" in c.label).check()
    _button(lead, "Give goodwill").click().run()
    assert not lead.error
    assert _case(board_db, case_id).goodwill_spent == 5000.0
    with session_scope(board_db.engine) as s:
        assert s.scalars(select(GoodwillLedger.approved_by)).one() == "user:lena"


def test_walk_away__closes_the_case_with_the_reason(board_db: BoardData) -> None:
    case_id = board_db.case_ids[4]
    at = open_page("case", query={"case": str(case_id)})
    next(s for s in at.selectbox if s.label == "Reason").set_value("bad_faith")
    _button(at, "Walk away").click().run()
    assert not at.exception
    row = _case(board_db, case_id)
    assert row.stage == "walk_away" and not row.is_open and row.walkaway_reason == "bad_faith"
    assert any(
        e.actor == "user:alice" and e.stage_to == "walk_away" for e in _events(board_db, case_id)
    )
    assert not [b for b in at.button if b.label == "Walk away"]  # closed: no more actions


def test_override_stage__moves_forward_and_refuses_backward(board_db: BoardData) -> None:
    case_id = board_db.case_ids[0]  # acknowledge
    at = open_page("case", query={"case": str(case_id)})
    next(s for s in at.selectbox if s.label == "Move to stage").set_value("goodwill")
    at.text_input(key=f"stage_reason_{case_id}").input("promised a refund by phone")
    _button(at, "Override stage").click().run()
    assert _case(board_db, case_id).stage == "goodwill"
    moved = [e for e in _events(board_db, case_id) if e.stage_to == "goodwill"]
    assert moved and moved[-1].actor == "user:alice"
    next(s for s in at.selectbox if s.label == "Move to stage").set_value("acknowledge")
    _button(at, "Override stage").click().run()
    assert at.error and _case(board_db, case_id).stage == "goodwill"


def test_incident__lead_switches_it_on_and_every_page_says_so(board_db: BoardData) -> None:
    at = open_page("overview", role="lead")
    at.text_input(key="incident_reason").input("app outage in EU")
    at.button(key="incident_on").click().run()
    assert not at.exception
    with session_scope(board_db.engine) as s:
        inc = s.scalars(select(Incident).where(Incident.ended_at.is_(None))).one()  # type: ignore[union-attr]
    assert inc.started_by == "user:lena"
    queue = open_page("queue")
    assert any("An incident is open" in e.value for e in queue.error)
    case_page = open_page("case", query={"case": str(board_db.case_ids[0])})
    assert "working on it" in case_page.text_area[0].value  # the holding reply, never blank


def test_incident__agents_cannot_switch_it(board_db: BoardData) -> None:
    at = open_page("overview", role="agent")
    assert not [b for b in at.button if b.key in {"incident_on", "incident_off"}]


def test_walk_away_recommendation__staff_confirm_it(board_db: BoardData) -> None:
    case_id = board_db.case_ids[5]
    with session_scope(board_db.engine) as s:
        row = s.get(Case, case_id)
        assert row is not None
        row.state = {**row.state, "walkaway_recommended": "troll"}
    at = open_page("case", query={"case": str(case_id)})
    assert any("recommends walking away" in w.value for w in at.warning)
    at.button(key="walk_confirm").click().run()
    row = _case(board_db, case_id)
    assert row.stage == "walk_away" and row.walkaway_reason == "troll"


def test_reopen__a_walked_away_case_comes_back(board_db: BoardData) -> None:
    at = open_page("case", query={"case": str(board_db.closed_case_id)})
    at.button(key="case_reopen").click().run()
    assert not at.exception and not at.error
    row = _case(board_db, board_db.closed_case_id)
    assert row.is_open and row.stage == "acknowledge"
    assert any(e.actor == "user:alice" for e in _events(board_db, board_db.closed_case_id))
