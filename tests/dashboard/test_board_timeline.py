"""Building a critic's timeline from mentions and events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard.timeline import build_timeline
from store.models import CaseEvent, Mention

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_timeline__merges_oldest_first_and_explains_events() -> None:
    mention = Mention(
        id=1, source="x", external_id="1", author_id=1, text="<b>hi</b>", created_at=T0
    )
    events = [
        CaseEvent(
            case_id=1,
            kind="timer",
            actor="engine",
            at=T0 + timedelta(minutes=2),
            data={"timer": "sla", "due": "2026-03-01T10:00:00+00:00"},
        ),
        CaseEvent(
            case_id=1,
            kind="suggestion",
            actor="engine",
            at=T0 + timedelta(minutes=1),
            data={"stage": "acknowledge", "paused": True},
        ),
        CaseEvent(
            case_id=1,
            kind="goodwill",
            actor="user:lena",
            at=T0 + timedelta(minutes=3),
            data={"amount": 20.0, "approved_by": None},
        ),
    ]
    items = build_timeline([mention], events, {})
    assert [i.kind for i in items] == ["mention", "suggestion", "timer", "goodwill"]
    assert items[0].text == "<b>hi</b>"  # kept exactly as written
    assert items[1].detail == "reply suggested for acknowledge (paused: incident)"
    assert items[2].detail == "sla timer due 2026-03-01 10:00 UTC"
    assert items[3].detail == "amount: 20.0"
