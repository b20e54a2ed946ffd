"""The priority the case page and the digest show is the queue's: it grows as the SLA runs out."""

from __future__ import annotations

from datetime import timedelta

from playbooks.priority import priority, priority_now, priority_parts


def test_priority_now__matches_the_engine_and_grows_with_the_clock(pb, t0) -> None:
    due = t0 + timedelta(minutes=60)
    fixed, weight = priority_parts(pb, negativity=0.9, followers=1200, troll=0.1, escalated=False)
    shown = [priority_now(fixed, weight, due, 60, t0 + timedelta(minutes=m)) for m in (0, 30, 90)]
    engine = [
        priority(
            pb,
            negativity=0.9,
            followers=1200,
            troll=0.1,
            sla_due=due,
            stage="acknowledge",
            escalated=False,
            now=t0 + timedelta(minutes=m),
        )
        for m in (0, 30, 90)
    ]
    assert shown == engine
    assert shown[0] < shown[1] < shown[2] == round(fixed + weight, 2)
    # waiting on the critic (no SLA running): only the fixed part
    assert priority_now(fixed, weight, None, None, t0) == round(fixed, 2)
