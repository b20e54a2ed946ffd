"""Handles in the digest, HTML and text, lose bidirectional controls and zero-width characters."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import select

from core.names import BIDI_CONTROLS, ZERO_WIDTH
from dashboard.digest import build_digest, day_window, render_digest
from store.engine import session_scope
from store.models import Author, CaseEvent

from .conftest import DAY, ZONE

INVISIBLE = BIDI_CONTROLS | ZERO_WIDTH
HOSTILE = {
    "fan_to_be": "fan\u202egnp.exe",  # right-to-left override: would read "fanexe.png"
    "troll_42": "Bright\u200dloop\ufeff",  # zero-width joiner: looks like the brand
    "quiet_one": "\u2067quiet\u2069\u200b_one\u200f",
}


def test_digest__hostile_handles_reach_neither_part_with_invisible_characters(
    day: Engine,
) -> None:
    with session_scope(day) as s:
        for author in s.exec(select(Author)).all():
            author.handle = HOSTILE.get(author.handle, author.handle)
            s.add(author)
        escalation = s.exec(select(CaseEvent).where(CaseEvent.kind == "escalated")).one()
        escalation.data = {"to": "le\u202ead\u200d"}
        s.add(escalation)

    digest = build_digest(
        day, day_window(DAY, ZONE), brand="Brightloop", now=datetime(2024, 5, 3, 6, tzinfo=UTC)
    )
    assert any(INVISIBLE & set(c.handle) for c in digest.conversions)  # the data keeps them
    rendered = render_digest(digest)

    for part in (rendered.html, rendered.text):
        assert not INVISIBLE & set(part)
        assert "@fangnp.exe" in part and "@Brightloop" in part
    assert "&rarr; lead" in rendered.html and "-> lead" in rendered.text
