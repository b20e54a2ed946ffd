"""The case page: timeline, plain-text rendering and staff actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from playbooks import service
from store.engine import session_scope
from store.models import Case, CaseEvent
from tests.dashboard.board_helpers import (
    HOSTILE,
    BoardData,
    allows_html,
    markdown_strings,
    open_page,
    texts,
)


def _events(data: BoardData, case_id: int, kind: str) -> list[CaseEvent]:
    with session_scope(data.engine) as s:
        return list(
            s.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == kind))
        )


def _button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def test_case__timeline_shows_mentions_and_events(board_db: BoardData) -> None:
    case_id = board_db.case_ids[1]
    at = open_page("case", query={"case": str(case_id)})
    assert not at.exception
    shown = texts(at)
    assert any("complaint 0" in t for t in shown) and any("complaint 1" in t for t in shown)
    assert any("opened · engine" in t for t in shown)
    assert any("reply · user:alice" in t for t in shown)


def test_case__hostile_texts_are_shown_as_plain_text(board_db: BoardData) -> None:
    at = open_page("case", query={"case": str(board_db.hostile_case_id)})
    assert not at.exception
    shown = "\n".join(texts(at))
    for payload in HOSTILE:
        assert payload in shown
    assert not allows_html(at)
    for body in markdown_strings(at):
        assert not any(h in body for h in HOSTILE), body


def test_case__suggested_reply_is_prefilled_and_recorded_with_the_user(
    board_db: BoardData,
) -> None:
    case_id = board_db.case_ids[0]
    at = open_page("case", query={"case": str(case_id)})
    box = at.text_area[0]
    assert box.value and box.value == service.suggested_reply(board_db.engine, case_id)
    box.set_value("Edited: we fixed the sync bug, thanks for your patience.")
    _button(at, "Record reply").click().run()
    assert not at.exception
    replies = _events(board_db, case_id, "reply")
    assert [e.body for e in replies][-1].startswith("Edited: we fixed")
    assert replies[-1].actor == "user:alice"
    assert any("Edited: we fixed" in t for t in texts(at))


def test_case__empty_reply_is_refused_and_nothing_recorded(board_db: BoardData) -> None:
    case_id = board_db.case_ids[0]
    at = open_page("case", query={"case": str(case_id)})
    before = len(_events(board_db, case_id, "reply"))
    at.text_area[0].set_value("   ")
    _button(at, "Record reply").click().run()
    assert any("empty" in e.value for e in at.error)
    assert len(_events(board_db, case_id, "reply")) == before


def test_case__note_is_added_with_the_user_as_actor(board_db: BoardData) -> None:
    case_id = board_db.case_ids[2]
    at = open_page("case", role="lead", query={"case": str(case_id)})
    note_box = [t for t in at.text_area if t.label.startswith("Note")][0]
    note_box.set_value(HOSTILE[2])
    _button(at, "Add note").click().run()
    notes = _events(board_db, case_id, "note")
    assert notes and notes[-1].actor == "user:lena" and notes[-1].body == HOSTILE[2]
    for body in markdown_strings(at):
        assert HOSTILE[2] not in body


def test_case__assign_changes_the_assignee_and_is_audited(board_db: BoardData) -> None:
    case_id = board_db.case_ids[3]
    at = open_page("case", query={"case": str(case_id)})
    box = [s for s in at.selectbox if s.label == "Assignee"][0]
    box.set_value("bob")
    _button(at, "Assign").click().run()
    with session_scope(board_db.engine) as s:
        assert s.get(Case, case_id).assignee == "bob"  # type: ignore[union-attr]
    assert _events(board_db, case_id, "assign")[-1].actor == "user:alice"


def test_case__analyst_reads_but_cannot_act(board_db: BoardData) -> None:
    at = open_page("case", role="analyst", query={"case": str(board_db.case_ids[0])})
    assert not at.exception
    assert not at.text_area and [b.key for b in at.button] == ["sign_out"]
    assert any("cannot" in i.value or "not work" in i.value for i in at.info)


def test_case__unknown_or_bad_case_number_says_so(board_db: BoardData) -> None:
    at = open_page("case", query={"case": "999999"})
    assert any("no case #999999" in e.value for e in at.error)
    at = open_page("case", query={"case": "<b>x</b>"})
    assert not at.exception
    assert any("Open a case" in i.value for i in at.info)


def test_case__closed_case_shows_its_outcome_without_actions(board_db: BoardData) -> None:
    at = open_page("case", query={"case": str(board_db.closed_case_id)})
    assert any("walked_away" in t for t in texts(at))
    assert not at.text_area


def test_case__a_reply_template_over_its_limits_leaves_the_box_empty_with_a_warning(
    board_db: BoardData, monkeypatch: Any
) -> None:
    from core.errors import PlaybookError
    from dashboard.views import actions

    def over_limit(*_: Any, **__: Any) -> str:
        raise PlaybookError("templates.acknowledge.default: longer than 10,000 characters")

    monkeypatch.setattr(actions, "suggested_reply", over_limit)
    at = open_page("case", query={"case": str(board_db.case_ids[0])})
    assert not at.exception
    assert at.text_area[0].value == ""
    assert any("No suggested reply" in w.value and "10,000" in w.value for w in at.warning)
