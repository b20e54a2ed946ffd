"""The board shows names and handles without bidirectional controls or zero-width characters;
mention text keeps them, shown inert as plain text."""

from __future__ import annotations

from sqlmodel import select

from core.names import BIDI_CONTROLS, ZERO_WIDTH
from store.engine import session_scope
from store.models import Author, Case, Mention
from tests.dashboard.board_helpers import BoardData, frame, open_page, texts

INVISIBLE = BIDI_CONTROLS | ZERO_WIDTH
HANDLE = "pay\u202egnp.exe"  # a right-to-left override: would read "payexe.png"
NAME = "Bright\u200dloop\u200b Support\u2066"  # looks like the brand, is not
TEXT = "my refund \u202eno way\u202c please"


def _make_hostile(board_db: BoardData) -> int:
    case_id = board_db.case_ids[0]
    with session_scope(board_db.engine) as s:
        case = s.get(Case, case_id)
        assert case is not None
        author = s.get(Author, case.author_id)
        assert author is not None
        author.handle, author.display_name = HANDLE, NAME
        s.add(author)
        for mention in s.exec(select(Mention).where(Mention.author_id == author.id)).all():
            mention.text = TEXT
            s.add(mention)
    return case_id


def test_queue__critic_handle_is_shown_clean(board_db: BoardData) -> None:
    case_id = _make_hostile(board_db)
    at = open_page("queue")
    assert not at.exception
    df = frame(at)
    row = df[df["Case"] == case_id].iloc[0]
    assert row["Critic"] == "@paygnp.exe"
    assert row["Latest mention"] == TEXT  # evidence kept as posted, in a plain cell
    assert not INVISIBLE & set("".join(str(v) for v in df["Critic"]))


def test_case__header_and_suggested_reply_carry_no_invisible_characters(
    board_db: BoardData,
) -> None:
    case_id = _make_hostile(board_db)
    at = open_page("case", query={"case": str(case_id)})
    assert not at.exception
    shown = texts(at)
    header = next(t for t in shown if t.startswith("@paygnp.exe"))
    assert "Brightloop Support" in header and not INVISIBLE & set(header)
    assert any(TEXT in t for t in shown)  # the mention itself, through st.text
    reply = at.text_area[0].value
    assert reply and "Brightloop Support" in reply and not INVISIBLE & set(reply)
