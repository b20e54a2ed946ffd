"""The queue page and its queries."""

from __future__ import annotations

from sqlalchemy import select

from store.board import QueueFilters, count_open, explain_queue, fetch_queue, full_scans
from store.engine import session_scope
from store.models import Case, CaseEvent
from tests.dashboard.board_helpers import (
    HOSTILE,
    BoardData,
    allows_html,
    frame,
    markdown_strings,
    open_page,
)


def test_queue__lists_open_cases_by_priority(board_db: BoardData) -> None:
    at = open_page("queue")
    assert not at.exception
    df = frame(at)
    assert sorted(df["Case"]) == sorted(board_db.case_ids)
    assert board_db.closed_case_id not in set(df["Case"])
    assert list(df["Priority"]) == sorted(df["Priority"], reverse=True)
    assert df.iloc[0]["Case"] == board_db.hostile_case_id  # highest priority
    assert {"SLA", "Stage", "Sentiment", "Troll", "Troll reasons", "Reach", "Assignee"} <= set(
        df.columns
    )


def test_queue__filter_by_stage_narrows_rows(board_db: BoardData) -> None:
    at = open_page("queue")
    at.multiselect(key="q_stage").set_value(["goodwill"]).run()
    df = frame(at)
    with board_db.engine.connect() as conn:
        expected = count_open(conn, QueueFilters(stages=("goodwill",)))
    assert 0 < len(df) == expected < len(board_db.case_ids)
    assert set(df["Stage"]) == {"goodwill"}


def test_queue__hostile_texts_stay_plain_text(board_db: BoardData) -> None:
    at = open_page("queue")
    df = frame(at)
    cells = " ".join(str(v) for v in df.to_numpy().ravel())
    assert HOSTILE[1] in cells  # shown, as text
    assert not allows_html(at)
    for body in markdown_strings(at):
        assert not any(h in body for h in HOSTILE), body


def test_queue__open_case_button_goes_to_case_page(board_db: BoardData) -> None:
    at = open_page("queue")
    at.selectbox(key="q_pick").set_value(board_db.case_ids[2])
    at.button(key="q_open").click().run()
    assert at.query_params.get("case") in (str(board_db.case_ids[2]), [str(board_db.case_ids[2])])
    assert [t.value for t in at.title] == [f"Case #{board_db.case_ids[2]}"]


def test_queue__auto_assign_least_loaded_shares_cases(board_db: BoardData) -> None:
    at = open_page("queue", role="lead")
    at.number_input(key="q_assign_n").set_value(4)
    at.button(key="q_assign_go").click().run()
    assert not at.exception
    with session_scope(board_db.engine) as s:
        assigned = s.scalars(select(Case.assignee).where(Case.assignee.is_not(None))).all()
        events = s.scalars(select(CaseEvent).where(CaseEvent.kind == "assign")).all()
    assert sorted(assigned) == ["alice", "bob", "lena", "lena"] or len(set(assigned)) == 3
    assert len(events) == 4 and all(e.actor == "user:lena" for e in events)


def test_queue__analyst_sees_no_assign_controls(board_db: BoardData) -> None:
    at = open_page("queue", role="analyst")
    assert not at.exception
    assert not [b for b in at.button if b.key == "q_assign_go"]
    assert len(frame(at)) == len(board_db.case_ids)


def test_queue_query__uses_indexes_not_full_scans(board_db: BoardData) -> None:
    for filters in (QueueFilters(), QueueFilters(sources=("x",), assignees=("(unassigned)",))):
        plan = explain_queue(board_db.engine, filters)
        assert any("ix_case_queue" in p for p in plan), plan
        assert not full_scans(plan), plan


def test_queue_query__paging_returns_disjoint_pages(board_db: BoardData) -> None:
    with board_db.engine.connect() as conn:
        first = fetch_queue(conn, limit=3)
        second = fetch_queue(conn, limit=3, offset=3)
    assert len(first) == len(second) == 3
    assert not {r.case_id for r in first} & {r.case_id for r in second}
    assert first[-1].priority >= second[0].priority
