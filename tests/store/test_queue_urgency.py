"""The queue's order follows the clock: urgency is added when the queue is read, by the same
formula as ``playbooks.priority``, so a case near its SLA overtakes a fresher one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from playbooks.events import NewMention
from playbooks.loader import load_playbook
from playbooks.persist import apply_event
from playbooks.priority import priority, priority_parts
from playbooks.schema import Playbook
from store.board import fetch_queue, unassigned_open
from store.models import Author, Case

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def pb() -> Playbook:
    return load_playbook()


@dataclass(frozen=True)
class Sample:
    name: str
    negativity: float
    stage: str
    sla_due: datetime | None
    troll: float = 0.0
    followers: int = 0
    escalated: bool = False

    def at(self, pb: Playbook, now: datetime) -> float:
        return priority(
            pb,
            negativity=self.negativity,
            followers=self.followers,
            troll=self.troll,
            sla_due=self.sla_due,
            stage=self.stage,
            escalated=self.escalated,
            now=now,
        )


SAMPLES = (
    # angrier, but a long window just started: its urgency barely grows in the next hour
    Sample("fresh", 0.8, "goodwill", T0 + timedelta(minutes=1440)),
    # milder, a third of its hour used: it is due in 40 minutes
    Sample("near", 0.6, "acknowledge", T0 + timedelta(minutes=40)),
    Sample("waiting on the critic", 0.9, "empathize", None, troll=0.5),
    Sample("breached", 0.3, "acknowledge", T0 - timedelta(minutes=30), escalated=True),
    Sample("loud", 0.4, "empathize", T0 + timedelta(minutes=200), followers=200_000),
)


def _store(engine: Engine, pb: Playbook) -> dict[int, Sample]:
    by_id: dict[int, Sample] = {}
    with Session(engine) as s:
        for i, sample in enumerate(SAMPLES):
            author = Author(platform="x", platform_id=str(i), handle=f"critic{i}")
            s.add(author)
            s.flush()
            fixed, weight = priority_parts(
                pb,
                negativity=sample.negativity,
                followers=sample.followers,
                troll=sample.troll,
                escalated=sample.escalated,
            )
            window = pb.sla_minutes.for_stage(sample.stage) if sample.sla_due else None
            row = Case(
                author_id=author.id or 0,
                source="x",
                stage=sample.stage,
                priority=fixed,
                urgency_weight=weight,
                sla_due=sample.sla_due,
                sla_minutes=window,
            )
            s.add(row)
            s.flush()
            by_id[row.id or 0] = sample
        s.commit()
    return by_id


def test_queue__order_and_priority_agree_with_the_formula_as_the_clock_moves(
    any_engine: Engine, pb: Playbook
) -> None:
    by_id = _store(any_engine, pb)
    orders = []
    for now in (T0, T0 + timedelta(minutes=40)):
        with any_engine.connect() as conn:
            rows = fetch_queue(conn, now=now)
        expected = sorted(by_id, key=lambda i: (-by_id[i].at(pb, now), -i))
        assert [r.case_id for r in rows] == expected
        for r in rows:
            assert r.priority == pytest.approx(by_id[r.case_id].at(pb, now), abs=0.01)
        orders.append([by_id[r.case_id].name for r in rows])

    before, after = orders
    # the case near its SLA overtakes the angrier, fresher one as the clock moves
    assert before.index("fresh") < before.index("near")
    assert after.index("near") < after.index("fresh")


def test_unassigned__come_in_the_order_of_the_queue_at_now(engine: Engine, pb: Playbook) -> None:
    by_id = _store(engine, pb)
    later = T0 + timedelta(minutes=40)
    with engine.connect() as conn:
        ids = unassigned_open(conn, limit=len(by_id), now=later)
        queue = [r.case_id for r in fetch_queue(conn, now=later)]
    assert ids == queue


def test_persisted_case__reads_back_the_engines_priority_then_grows(
    engine: Engine, pb: Playbook
) -> None:
    with Session(engine) as s:
        author = Author(platform="x", platform_id="7", handle="zed", followers=5_000)
        s.add(author)
        s.flush()
        post = NewMention(author_id=author.id or 0, p_negative=0.9, sentiment=-0.8, followers=5_000)
        applied = apply_event(s, None, post, T0, pb, source="x")
        s.commit()
    state = applied.state
    assert state is not None and state.sla_due is not None

    later = state.sla_due - timedelta(minutes=10)
    with engine.connect() as conn:
        (at_open,) = fetch_queue(conn, now=T0)
        (near_due,) = fetch_queue(conn, now=later)
    expected_later = priority(
        pb,
        negativity=state.negativity,
        followers=state.followers,
        troll=state.troll,
        sla_due=state.sla_due,
        stage=state.stage,
        escalated=state.escalated,
        now=later,
    )
    assert at_open.priority == pytest.approx(state.priority, abs=0.01)
    assert near_due.priority == pytest.approx(expected_later, abs=0.01)
    assert near_due.priority > at_open.priority
