"""A suggested reply never carries the invisible characters of the author's name."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.names import BIDI_CONTROLS, ZERO_WIDTH
from playbooks import service
from playbooks.runner import process_pending
from playbooks.templates import render_reply
from store.models import Author, Case

INVISIBLE = BIDI_CONTROLS | ZERO_WIDTH


def _case_for(engine: Engine, feed, pb, t0, *, display_name: str | None, handle: str) -> int:
    feed.say(handle, "Brightloop charged me a cancellation fee, scam", t0, neg=0.9)
    with Session(engine) as s:
        author = s.exec(select(Author).where(Author.handle == handle)).one()
        author.display_name = display_name
        s.add(author)
        s.commit()
    process_pending(engine, pb)
    with Session(engine) as s:
        row = s.exec(select(Case)).one()
        assert row.id is not None
        return row.id


@pytest.mark.parametrize(
    ("display_name", "shown"),
    [
        ("Ana\u202egnp.exe", "Hi Anagnp.exe,"),  # a right-to-left override in the name
        ("Bright\u200dloop\u200b Care\ufeff", "Hi Brightloop Care,"),  # zero-width joiner
        ("\u2067\u200f\u2069", "Hi @ana,"),  # nothing visible: the cleaned handle instead
    ],
)
def test_suggested_reply__author_name_has_no_bidi_or_zero_width_characters(
    engine: Engine, feed, pb, t0, display_name: str, shown: str
) -> None:
    case_id = _case_for(engine, feed, pb, t0, display_name=display_name, handle="ana\u200d\u202e")

    text = service.suggested_reply(engine, case_id, pb)

    assert text.startswith(shown), text
    assert not INVISIBLE & set(text)


def test_render_reply__cleans_the_name_it_is_given(pb) -> None:
    text = render_reply(pb, "acknowledge", "billing", name="\u202eEve\u2066\u200d")
    assert text.startswith("Hi Eve,") and not INVISIBLE & set(text)
