"""A fan story in the digest shows the critic's one thing: escaped in HTML, one line in text."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from dashboard.digest import build_digest, day_window, render_digest
from dashboard.digest.model import Digest
from store.engine import session_scope
from store.models import Case

from .conftest import DAY, SCRIPT, ZONE

HOSTILE_ONE_THING = f"a refund\nfor order <b>42</b> {SCRIPT}"


def _digest(engine: Engine) -> Digest:
    return build_digest(
        engine, day_window(DAY, ZONE), brand="Brightloop", now=datetime(2024, 5, 3, 6, tzinfo=UTC)
    )


def _set_fan_one_thing(engine: Engine, text: str) -> None:
    with session_scope(engine) as s:
        fan = s.exec(select(Case).where(col(Case.stage) == "fan")).one()
        fan.one_thing = text
        s.add(fan)


def test_fan_story__shows_the_one_thing_escaped(day: Engine) -> None:
    _set_fan_one_thing(day, HOSTILE_ONE_THING)

    (story,) = _digest(day).conversions
    rendered = render_digest(_digest(day))

    assert story.one_thing == HOSTILE_ONE_THING
    assert (
        "<b>The one thing:</b> a refund for order &lt;b&gt;42&lt;/b&gt; "
        "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    )
    assert "<b>42</b>" not in rendered.html and "<script>" not in rendered.html
    assert f"  the one thing: a refund for order <b>42</b> {SCRIPT}\n  first:" in rendered.text


def test_fan_story__without_a_one_thing_says_nothing_of_it(day: Engine) -> None:
    rendered = render_digest(_digest(day))

    assert "one thing" not in rendered.html.lower() and "one thing" not in rendered.text
    assert "days: acknowledge -> empathize -> goodwill -> fan\n  first:" in rendered.text
