"""The case page's relationship panel: the history across linked accounts, the one thing,
linking by handle; the People page's linked accounts."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

from store.engine import session_scope
from store.models import Case, CaseEvent, GoodwillLedger
from store.people import account_ids, link_accounts
from tests.dashboard.board_helpers import (
    HOSTILE,
    BoardData,
    allows_html,
    markdown_strings,
    open_page,
    texts,
)

ONE_THING_LABEL = "What would fix it for them (empty to clear)"


def _case(data: BoardData, case_id: int) -> Case:
    with session_scope(data.engine) as s:
        row = s.get(Case, case_id)
        assert row is not None
        return row


def _button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def _link_cases(data: BoardData, case_id: int, other_case_id: int) -> None:
    first, other = _case(data, case_id), _case(data, other_case_id)
    with session_scope(data.engine) as s:
        link_accounts(s, first.author_id, other.author_id, actor="user:lena", now=first.opened_at)


def test_history__shows_the_other_accounts_cases_outcomes_and_goodwill(
    board_db: BoardData,
) -> None:
    case_id, walked = board_db.case_ids[0], board_db.closed_case_id
    _link_cases(board_db, case_id, walked)
    with session_scope(board_db.engine) as s:
        s.add(GoodwillLedger(case_id=walked, actor="user:bob", kind="refund", amount=20.0))

    at = open_page("case", query={"case": str(case_id)})

    assert not at.exception
    shown = texts(at)
    other = _case(board_db, walked)
    line = next(t for t in shown if t.startswith(f"#{walked} · "))
    assert f"opened {other.opened_at:%Y-%m-%d}" in line and "walk-away (troll)" in line
    assert "Goodwill received: 20.00" in shown
    assert any("refund 20.00 USD · user:bob" in t for t in shown)
    assert any(t.startswith("Linked as one person: ") for t in shown)
    assert any("1 other case on 2 accounts" in c.value for c in at.caption)


def test_one_thing__is_saved_on_the_trail_and_shown_as_plain_text(board_db: BoardData) -> None:
    case_id = board_db.case_ids[1]
    at = open_page("case", query={"case": str(case_id)})
    box = next(t for t in at.text_input if t.label == ONE_THING_LABEL)
    box.set_value(HOSTILE[2])
    _button(at, "Save the one thing").click().run()

    assert not at.exception
    assert _case(board_db, case_id).one_thing == HOSTILE[2]
    with session_scope(board_db.engine) as s:
        trail = s.exec(
            select(CaseEvent).where(
                col(CaseEvent.case_id) == case_id, col(CaseEvent.kind) == "one_thing"
            )
        ).all()
    assert [(e.actor, e.body) for e in trail] == [("user:alice", HOSTILE[2])]
    assert HOSTILE[2] in texts(at)
    assert not allows_html(at)
    assert not any(HOSTILE[2] in body for body in markdown_strings(at))


def test_link__an_account_found_by_handle_joins_the_person(board_db: BoardData) -> None:
    case_id = board_db.case_ids[0]
    at = open_page("case", query={"case": str(case_id)})
    next(t for t in at.text_input if t.label == "Find an account by handle").input("critic3").run()
    pick = next(s for s in at.selectbox if s.label == "Account to link")
    assert pick.options == ["@critic3 (mastodon)"]
    _button(at, "Link as the same person").click().run()

    assert not at.exception
    author = _case(board_db, case_id).author_id
    other = _case(board_db, board_db.case_ids[3]).author_id
    with board_db.engine.connect() as conn:
        assert set(account_ids(conn, author)) == {author, other}
    with session_scope(board_db.engine) as s:
        linked = s.exec(
            select(CaseEvent).where(
                col(CaseEvent.case_id) == case_id, col(CaseEvent.kind) == "linked"
            )
        ).one()
    assert linked.actor == "user:alice"


def test_history__an_analyst_reads_it_without_the_controls(board_db: BoardData) -> None:
    _link_cases(board_db, board_db.case_ids[0], board_db.case_ids[1])
    at = open_page("case", role="analyst", query={"case": str(board_db.case_ids[0])})

    assert not at.exception
    assert any(t.startswith(f"#{board_db.case_ids[1]} · ") for t in texts(at))
    assert not [
        t for t in at.text_input if t.label in (ONE_THING_LABEL, "Find an account by handle")
    ]


def test_people__lists_linked_accounts(board_db: BoardData) -> None:
    _link_cases(board_db, board_db.case_ids[0], board_db.case_ids[1])
    at = open_page("people", role="analyst")

    assert not at.exception
    assert f"@{HOSTILE[1]} (x), @critic1 (reddit)" in texts(at)
    assert not any(HOSTILE[1] in body for body in markdown_strings(at))
