"""Coverage gaps in the digest: listed when one overlaps the day, absent otherwise."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from dashboard.digest import build_digest, day_window, render_digest
from store.gaps import record_gap

from .conftest import DAY, SCRIPT, ZONE, at

NOW = datetime(2024, 5, 3, 6, tzinfo=UTC)


def _digest(engine: Engine):  # type: ignore[no-untyped-def]
    return build_digest(engine, day_window(DAY, ZONE), brand="Brightloop", now=NOW)


def test_digest__lists_gaps_that_overlap_the_day(day: Engine) -> None:
    with day.begin() as conn:
        record_gap(
            conn, source="x:mentions", start=at(-3), end=at(2),
            reason="the saved position is older than recent search's 7 days " + SCRIPT, now=NOW,
        )  # fmt: skip
        record_gap(
            conn, source="reddit:comments", start=at(-10), end=at(-5),
            reason="the day before", now=NOW,
        )  # fmt: skip
    d = _digest(day)
    rendered = render_digest(d)

    assert [(g.source, g.start, g.end) for g in d.gaps] == [
        ("x:mentions", at(0).astimezone(ZONE), at(2).astimezone(ZONE))
    ]
    assert "COVERAGE GAPS (1)" in rendered.text
    assert "x:mentions from" in rendered.text and "reddit:comments" not in rendered.text
    assert "Coverage gaps (1)" in rendered.html
    assert SCRIPT not in rendered.html  # the reason is escaped


def test_digest__no_gap_no_section(day: Engine) -> None:
    rendered = render_digest(_digest(day))

    assert "COVERAGE GAPS" not in rendered.text
    assert "Coverage gaps" not in rendered.html
