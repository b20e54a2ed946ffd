"""Property-based invariants of the engine over random event sequences."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from playbooks.actions import StageChanged
from playbooks.engine import advance
from playbooks.events import (
    OVERRIDE_ACTIONS,
    CriticReply,
    GoodwillGiven,
    IncidentMode,
    NewMention,
    SentimentChanged,
    StaffOverride,
    StaffReply,
    TimerFired,
)
from playbooks.loader import load_playbook
from playbooks.state import (
    STAGES,
    WALKAWAY_REASONS,
    CaseState,
    edge_allowed,
    state_from_json,
    state_to_json,
)

PB = load_playbook(None)
T0 = datetime(2026, 3, 2, tzinfo=UTC)
unit = st.floats(0, 1, allow_nan=False)


@st.composite
def posts(draw: st.DrawFn) -> NewMention | CriticReply:
    neg = draw(unit)
    pos = draw(st.floats(0, 1 - neg, allow_nan=False))
    cls = draw(st.sampled_from([NewMention, CriticReply]))
    return cls(
        author_id=1,
        p_negative=neg,
        sentiment=pos - neg,
        troll=draw(unit),
        troll_reasons=tuple(
            draw(st.lists(st.sampled_from(["insults", "new_account"]), max_size=2))
        ),
        followers=draw(st.integers(0, 2_000_000)),
        topic="billing",
        fact_ids=tuple(
            draw(st.lists(st.sampled_from(["unthrottled", "price_rise_5_percent"]), max_size=2))
        ),
        thanked=draw(st.booleans()),
        incident=draw(st.booleans()),
    )


events = st.one_of(
    posts(),
    posts(),
    st.builds(StaffReply, actor=st.just("user:ann"), text=st.text(max_size=20)),
    st.builds(SentimentChanged, sentiment=st.floats(-1, 1), p_negative=unit),
    st.builds(
        GoodwillGiven,
        actor=st.just("user:ann"),
        kind=st.sampled_from(["credit", "refund"]),
        amount=st.floats(0.01, 200),
    ),
    st.just(TimerFired()),
    st.builds(
        StaffOverride,
        actor=st.just("user:lee"),
        action=st.sampled_from(OVERRIDE_ACTIONS),
        stage=st.none() | st.sampled_from(STAGES),
        reason=st.none() | st.sampled_from([*WALKAWAY_REASONS, "other"]),
        assignee=st.none() | st.just("ann"),
    ),
    st.builds(IncidentMode, on=st.booleans()),
)
steps = st.lists(st.tuples(events, st.integers(0, 60 * 24 * 8), st.booleans()), max_size=40)


def _run(seq):  # noqa: ANN001, ANN202
    """Apply a sequence; timers are jumped to when the flag says so. Yields each step."""
    case: CaseState | None = None
    now = T0
    for event, minutes, jump in seq:
        now = now + timedelta(minutes=minutes)
        if isinstance(event, TimerFired) and jump and case is not None and case.timer_due:
            now = max(now, case.timer_due)
        before = case
        case, actions = advance(case, event, now, PB)
        yield before, event, case, actions


@settings(max_examples=300, deadline=None)
@given(steps)
def test_invariant__stages_move_only_along_allowed_edges(seq) -> None:
    for before, _event, after, actions in _run(seq):
        stage = before.stage if before is not None else None
        for action in actions:
            if isinstance(action, StageChanged):
                if stage is not None and before is not None and before.is_open:
                    assert action.stage_from == stage
                assert edge_allowed(action.stage_from, action.stage_to)
                stage = action.stage_to
        if after is not None and before is not None and after.opened_at == before.opened_at:
            assert after.stage == before.stage or edge_allowed(before.stage, after.stage)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_invariant__open_case_has_a_timer_or_an_owner(seq) -> None:
    for _before, _event, after, _actions in _run(seq):
        if after is not None and after.is_open:
            assert after.timer_due is not None or after.assignee is not None
        if after is not None and not after.is_open:
            assert after.timer_due is None and after.stage in ("fan", "walk_away")


@settings(max_examples=300, deadline=None)
@given(steps)
def test_invariant__every_change_leaves_an_event(seq) -> None:
    for before, _event, after, actions in _run(seq):
        if after != before:
            assert actions, "a state change without an action would leave no CaseEvent"


@settings(max_examples=200, deadline=None)
@given(steps)
def test_invariant__replaying_the_same_events_gives_the_same_state(seq) -> None:
    first = list(_run(seq))
    second = list(_run(seq))
    assert [(c, a) for _, _, c, a in first] == [(c, a) for _, _, c, a in second]
    for _, _, case, _ in first:
        if case is not None:
            assert state_from_json(state_to_json(case)) == case


def test_state_json__covers_every_field() -> None:
    case = CaseState(
        author_id=1,
        topic="t",
        stage="acknowledge",
        opened_at=T0,
        stage_since=T0,
        updated_at=T0,
        troll_reasons=("a",),
        facts=("f",),
        timer_due=T0,
    )
    data = state_to_json(case)
    assert set(data) == {f.name for f in fields(CaseState)}
    assert state_from_json(data) == case
