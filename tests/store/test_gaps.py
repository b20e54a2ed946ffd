"""Coverage gaps: recorded, listed while recent, marked backfilled, found for a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from store.gaps import gaps_overlapping, mark_backfilled, recent_gaps, record_gap

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_record_gap__is_listed_until_it_ends_before_since(any_engine: Engine) -> None:
    with any_engine.begin() as conn:
        old = record_gap(
            conn, source="x:mentions", start=T0 - timedelta(days=9), end=T0 - timedelta(days=7),
            reason="since_id older than the search window", now=T0,
        )  # fmt: skip
        new = record_gap(
            conn, source="reddit:comments", start=T0, end=T0 + timedelta(minutes=5),
            reason="listing moved past the cursor", now=T0,
        )  # fmt: skip
    with any_engine.connect() as conn:
        recent = recent_gaps(conn, since=T0 - timedelta(days=1))
        every = recent_gaps(conn, since=T0 - timedelta(days=30))

    assert [g.id for g in recent] == [new]
    assert [g.id for g in every] == [new, old]
    assert recent[0].source == "reddit:comments"
    assert recent[0].start == T0 and recent[0].end == T0 + timedelta(minutes=5)
    assert recent[0].start.tzinfo is not None
    assert not recent[0].backfilled


def test_mark_backfilled__once(any_engine: Engine) -> None:
    with any_engine.begin() as conn:
        gap = record_gap(
            conn, source="x:mentions", start=T0, end=T0 + timedelta(hours=1),
            reason="stream down", now=T0,
        )  # fmt: skip
        first = mark_backfilled(conn, gap_id=gap, now=T0 + timedelta(hours=2))
        again = mark_backfilled(conn, gap_id=gap, now=T0 + timedelta(hours=3))
    with any_engine.connect() as conn:
        open_only = recent_gaps(conn, since=T0, unbackfilled_only=True)
        (row,) = recent_gaps(conn, since=T0)

    assert (first, again) == (True, False)
    assert open_only == []
    assert row.backfilled_at == T0 + timedelta(hours=2)


def test_gaps_overlapping__a_day(engine: Engine) -> None:
    day = T0.replace(hour=0)
    with engine.begin() as conn:
        before = record_gap(
            conn, source="x:mentions", start=day - timedelta(hours=3), end=day,
            reason="ends as the day starts", now=T0,
        )  # fmt: skip
        across = record_gap(
            conn, source="x:mentions", start=day - timedelta(hours=1), end=day + timedelta(hours=1),
            reason="across midnight", now=T0,
        )  # fmt: skip
    with engine.connect() as conn:
        found = gaps_overlapping(conn, day, day + timedelta(days=1))

    assert before != across
    assert [g.id for g in found] == [across]


def test_record_gap__refuses_an_empty_range(engine: Engine) -> None:
    with engine.begin() as conn, pytest.raises(ValueError, match="end after"):
        record_gap(conn, source="x:mentions", start=T0, end=T0, reason="none", now=T0)
