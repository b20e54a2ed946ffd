"""The runner: scored mentions in order, brand replies as staff replies, timers, the cursor."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from playbooks import persist, runner
from playbooks.runner import CURSOR_NAME, fire_due_timers, process_pending
from playbooks.schema import Playbook
from store.models import Case, CaseEvent, SourceCursor


def _cases(engine: Engine) -> list[Case]:
    with Session(engine) as s:
        return list(s.exec(select(Case).order_by(col(Case.id))).all())


def _event_count(engine: Engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(CaseEvent)).one()


def test_process_pending__negative_opens_case_and_praise_does_not(engine, feed, pb, t0) -> None:
    feed.say("ana", "Brightloop billed me twice, awful", t0, neg=0.9)
    feed.say("bo", "Brightloop is great", t0 + timedelta(minutes=1), pos=0.9)
    summary = process_pending(engine, pb)
    cases = _cases(engine)
    assert summary.mentions == 2 and summary.cases_opened == 1
    assert [(c.stage, c.topic) for c in cases] == [("acknowledge", "billing")]
    assert cases[0].sla_due == t0 + timedelta(minutes=pb.sla_minutes.acknowledge)


def test_process_pending__second_run_repeats_nothing(engine, feed, pb, t0) -> None:
    feed.say("ana", "Brightloop billed me twice", t0, neg=0.9)
    process_pending(engine, pb)
    before = _event_count(engine)
    again = process_pending(engine, pb)
    assert again.mentions == 0 and _event_count(engine) == before
    with Session(engine) as s:
        assert s.get(SourceCursor, CURSOR_NAME) is not None


def test_process_pending__brand_thread_reply_is_staff_reply(engine, feed, pb, t0) -> None:
    first = feed.say("ana", "Brightloop internet is down again", t0, neg=0.9)
    feed.say(
        "brightloop",
        "So sorry Ana, checking now",
        t0 + timedelta(minutes=20),
        reply_to=first,
        brand=True,
    )
    process_pending(engine, pb)
    (case,) = _cases(engine)
    assert case.stage == "empathize" and case.state["acknowledged_at"] is not None
    with Session(engine) as s:
        reply = s.exec(select(CaseEvent).where(CaseEvent.kind == "reply")).one()
    assert reply.actor == "user:brightloop"


def test_process_pending__critic_thanks_brand_reply_becomes_fan(engine, feed, pb, t0) -> None:
    first = feed.say("ana", "Brightloop charged me a cancellation fee!", t0, neg=0.9)
    staff = feed.say(
        "brightloop",
        "Hi Ana, there are no cancellation fees; DM us",
        t0 + timedelta(minutes=20),
        reply_to=first,
        brand=True,
    )
    feed.say("ana", "oh ok, thanks, sorted", t0 + timedelta(hours=2), pos=0.7, reply_to=staff)
    process_pending(engine, pb)
    (case,) = _cases(engine)
    assert case.stage == "fan" and not case.is_open and case.outcome == "fan"
    assert case.state["facts"] == ["no_cancellation_fees"]


def test_process_pending__replay_clock_fires_no_answer_walkaway(engine, feed, pb, t0) -> None:
    first = feed.say("ana", "Brightloop speed is terrible", t0, neg=0.9)
    feed.say(
        "brightloop",
        "Sorry! What speeds do you see?",
        t0 + timedelta(minutes=5),
        reply_to=first,
        brand=True,
    )
    later = t0 + timedelta(days=pb.walk_away.no_answer_days + 1)
    feed.say("zed", "unrelated Brightloop post", later, pos=0.2)
    process_pending(engine, pb)
    (case,) = _cases(engine)
    assert case.stage == "walk_away" and case.walkaway_reason == "no_answer"
    due = t0 + timedelta(minutes=5) + timedelta(days=pb.walk_away.no_answer_days)
    assert case.closed_at == due


def test_process_pending__unscored_mention_waits_then_resumes(engine, feed, pb, t0) -> None:
    waiting = feed.say("ana", "Brightloop is down", t0, neg=0.9, scored=False)
    feed.say("bo", "Brightloop overcharged me", t0 + timedelta(minutes=1), neg=0.9)
    summary = process_pending(engine, pb)
    assert summary.waiting_for_scores and _cases(engine) == []
    feed.score(waiting, neg=0.9, pos=0.0)
    process_pending(engine, pb)
    assert len(_cases(engine)) == 2


def test_process_pending__late_fetched_older_mention_is_processed(engine, feed, pb, t0) -> None:
    feed.say("ana", "Brightloop is down", t0 + timedelta(hours=1), neg=0.9)
    process_pending(engine, pb)
    feed.say("bo", "Brightloop overcharged me", t0, neg=0.9)
    summary = process_pending(engine, pb)
    assert summary.mentions == 1 and len(_cases(engine)) == 2


def test_process_pending__crash_mid_batch_loses_and_repeats_nothing(
    engine, feed, pb: Playbook, t0: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(5):
        feed.say(f"critic{i}", "Brightloop overcharged me", t0 + timedelta(minutes=i), neg=0.9)
    real = persist.apply_event
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "apply_event", flaky)
    with pytest.raises(RuntimeError):
        process_pending(engine, pb)
    assert _cases(engine) == [] and _event_count(engine) == 0
    monkeypatch.setattr(runner, "apply_event", real)
    process_pending(engine, pb)
    assert len(_cases(engine)) == 5


def test_fire_due_timers__sla_breach_escalates_with_live_clock(engine, feed, pb, t0) -> None:
    feed.say("ana", "Brightloop billed me twice", t0, neg=0.9)
    process_pending(engine, pb, now=t0 + timedelta(minutes=1))
    fired = fire_due_timers(engine, pb, t0 + timedelta(hours=3))
    (case,) = _cases(engine)
    # No lead on staff: the case waits in the lead queue.
    assert fired == 1 and case.assignee == "queue:lead" and case.timer_due is None


def test_cli_playbook_run__works_pending_mentions(db_url, engine, feed, t0) -> None:
    from tests.cli_helpers import run_cli

    feed.say("ana", "Brightloop billed me twice", t0, neg=0.9)
    result = run_cli("--db", db_url, "playbook", "run")
    assert result.code == 0, result.err
    assert '"cases_opened": 1' in result.out and len(_cases(engine)) == 1
