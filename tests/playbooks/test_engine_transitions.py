"""Each transition of the pure engine, one behaviour per test."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from playbooks.actions import (
    AlertLeads,
    Escalate,
    IncidentTag,
    OpenCase,
    RecommendWalkAway,
    Rejected,
    SetTimer,
    StageChanged,
    SuggestReply,
)
from playbooks.engine import advance
from playbooks.events import (
    GoodwillGiven,
    IncidentMode,
    SentimentChanged,
    StaffOverride,
    StaffReply,
    TimerFired,
)
from playbooks.schema import Playbook
from playbooks.state import (
    ACKNOWLEDGE,
    EMPATHIZE,
    FAN,
    GOODWILL,
    STAGES,
    TIMER_NO_ANSWER,
    TIMER_SLA,
    WALK_AWAY,
    CaseState,
)
from store.models import Stage


def _of(actions: tuple[object, ...], kind: type) -> list:
    return [a for a in actions if isinstance(a, kind)]


def _open(pb: Playbook, post, t0: datetime, **kw) -> CaseState:
    case, _ = advance(None, post(neg=0.9, **kw), t0, pb)
    assert case is not None
    return case


def _in_empathize(pb: Playbook, post, t0: datetime) -> CaseState:
    case = _open(pb, post, t0)
    case, _ = advance(case, StaffReply("user:ann"), t0 + timedelta(minutes=10), pb)
    return case


def test_stage_names__match_store_stage_values() -> None:
    assert set(STAGES) == {s.value for s in Stage}


def test_new_mention__praise_opens_no_case(pb: Playbook, post, t0: datetime) -> None:
    case, actions = advance(None, post(pos=0.9), t0, pb)
    assert case is None and actions == ()


def test_new_mention__mildly_negative_opens_no_case(pb: Playbook, post, t0: datetime) -> None:
    mild = pb.thresholds.open_negativity - 0.1
    case, actions = advance(None, post(neg=mild), t0, pb)
    assert case is None and actions == ()


def test_new_mention__negative_opens_acknowledge_with_sla(pb: Playbook, post, t0) -> None:
    case, actions = advance(None, post(neg=0.9, topic="billing"), t0, pb)
    assert case is not None and case.stage == ACKNOWLEDGE and case.is_open
    due = t0 + timedelta(minutes=pb.sla_minutes.acknowledge)
    assert case.timer_due == due and case.timer_kind == TIMER_SLA
    assert _of(actions, OpenCase)[0].topic == "billing"
    assert _of(actions, SetTimer) == [SetTimer(TIMER_SLA, due)]
    assert _of(actions, SuggestReply)[0].stage == ACKNOWLEDGE


def test_new_mention__false_claim_suggests_matching_fact(pb: Playbook, post, t0) -> None:
    _, actions = advance(None, post(neg=0.9, fact_ids=("no_cancellation_fees",)), t0, pb)
    assert _of(actions, SuggestReply)[0].fact_ids == ("no_cancellation_fees",)


def test_new_mention__likely_troll_gets_walkaway_recommendation(pb, post, t0) -> None:
    ev = post(neg=0.95, troll=0.9, troll_reasons=("insults", "new account"))
    case, actions = advance(None, ev, t0, pb)
    assert case is not None and case.is_open and case.walkaway_recommended == "troll"
    rec = _of(actions, RecommendWalkAway)
    assert rec == [RecommendWalkAway("troll", ("insults", "new account"))]
    # one calm public reply from the high ground, never the stage's empathy ladder
    assert _of(actions, SuggestReply) == [SuggestReply("high_ground", "general", (), False)]


def test_staff_reply__acknowledge_moves_to_empathize_and_waits(pb, post, t0) -> None:
    case = _open(pb, post, t0)
    at = t0 + timedelta(minutes=5)
    case2, actions = advance(case, StaffReply("user:ann", "hi"), at, pb)
    assert case2 is not None and case2.stage == EMPATHIZE
    assert case2.acknowledged_at == at and case2.timer_kind == TIMER_NO_ANSWER
    assert case2.timer_due == at + timedelta(days=pb.walk_away.no_answer_days)
    assert _of(actions, StageChanged) == [StageChanged(ACKNOWLEDGE, EMPATHIZE, "acknowledged")]


def test_critic_reply__in_empathize_starts_sla_and_suggests_private(pb, post, t0) -> None:
    case = _in_empathize(pb, post, t0)
    at = t0 + timedelta(hours=1)
    case2, actions = advance(case, post(neg=0.8, reply=True), at, pb)
    assert case2 is not None and case2.stage == EMPATHIZE and case2.waiting_on == "staff"
    assert case2.timer_due == at + timedelta(minutes=pb.sla_minutes.empathize)
    suggestion = _of(actions, SuggestReply)[0]
    assert suggestion.stage == EMPATHIZE and suggestion.private


def test_staff_reply__after_critic_answered_moves_to_goodwill(pb, post, t0) -> None:
    case = _in_empathize(pb, post, t0)
    case, _ = advance(case, post(neg=0.8, reply=True), t0 + timedelta(hours=1), pb)
    case, actions = advance(case, StaffReply("user:ann"), t0 + timedelta(hours=2), pb)
    assert case is not None and case.stage == GOODWILL
    assert _of(actions, StageChanged)[0].stage_to == GOODWILL


def test_goodwill_given__moves_to_goodwill_and_counts_spend(pb, post, t0) -> None:
    case = _open(pb, post, t0)
    case, actions = advance(case, GoodwillGiven("user:ann", "credit", 20.0), t0, pb)
    assert case is not None and case.stage == GOODWILL and case.goodwill_spent == 20.0
    assert case.timer_kind == TIMER_NO_ANSWER


def test_critic_reply__thanks_after_staff_reply_makes_fan(pb, post, t0) -> None:
    case = _in_empathize(pb, post, t0)
    case, actions = advance(case, post(neg=0.1, thanked=True, reply=True), t0, pb)
    assert case is not None and case.stage == FAN and not case.is_open
    assert case.outcome == FAN and case.timer_due is None
    assert _of(actions, StageChanged)[0].reason == "thanked"


def test_critic_reply__sarcastic_thanks_is_not_a_conversion(pb, post, t0) -> None:
    case = _in_empathize(pb, post, t0)
    case, _ = advance(case, post(neg=0.9, thanked=True, reply=True), t0, pb)
    assert case is not None and case.is_open and case.stage == EMPATHIZE


def test_new_mention__positive_before_any_staff_reply_is_no_conversion(pb, post, t0) -> None:
    case = _open(pb, post, t0)
    case, _ = advance(case, post(pos=0.9), t0 + timedelta(minutes=1), pb)
    assert case is not None and case.is_open and case.stage == ACKNOWLEDGE


def test_sentiment_changed__positive_after_reply_makes_fan(pb, post, t0) -> None:
    case = _in_empathize(pb, post, t0)
    case, _ = advance(case, SentimentChanged(0.8, 0.05), t0, pb)
    assert case is not None and case.stage == FAN


def test_timer_fired__no_answer_walks_away(pb, post, t0) -> None:
    case = _in_empathize(pb, post, t0)
    assert case.timer_due is not None
    case, actions = advance(case, TimerFired(), case.timer_due, pb)
    assert case is not None and case.stage == WALK_AWAY and case.walkaway_reason == "no_answer"
    assert not case.is_open


def test_timer_fired__sla_breach_escalates_to_the_lead_role(pb, post, t0) -> None:
    case = replace(_open(pb, post, t0), assignee="ann")
    assert case.timer_due is not None
    breached, actions = advance(case, TimerFired(), case.timer_due, pb)
    assert breached is not None and breached.escalated and breached.is_open
    assert breached.timer_due is None
    assert breached.priority > case.priority
    # The engine names the role; the edge picks the person (never the assignee, ann).
    assert _of(actions, Escalate)[0].to_role == pb.escalation.assign_to == "lead"
    assert breached.assignee == "queue:lead"


def test_timer_fired__before_due_does_nothing(pb, post, t0) -> None:
    case = _open(pb, post, t0)
    same, actions = advance(case, TimerFired(), t0 + timedelta(minutes=1), pb)
    assert same is case and actions == ()


def test_override__confirm_walkaway_closes_with_recommended_reason(pb, post, t0) -> None:
    case = _open(pb, post, t0, troll=0.9)
    case, _ = advance(case, StaffOverride("user:lee", "confirm_walk_away"), t0, pb)
    assert case is not None and case.stage == WALK_AWAY and case.walkaway_reason == "troll"


def test_override__rejected_walkaway_is_not_recommended_again(pb, post, t0) -> None:
    case = _open(pb, post, t0, troll=0.9)
    case, _ = advance(case, StaffOverride("user:lee", "reject_walk_away"), t0, pb)
    assert case is not None and case.walkaway_recommended is None
    case, actions = advance(case, post(neg=0.9, troll=0.95), t0, pb)
    assert case is not None and not _of(actions, RecommendWalkAway)


def test_override__forbidden_edge_is_rejected(pb, post, t0) -> None:
    case = _in_empathize(pb, post, t0)
    same, actions = advance(case, StaffOverride("user:lee", "stage", stage=ACKNOWLEDGE), t0, pb)
    assert same is case and _of(actions, Rejected)


def test_override__walkaway_without_known_reason_is_rejected(pb, post, t0) -> None:
    case = _open(pb, post, t0)
    same, actions = advance(case, StaffOverride("user:lee", "walk_away", reason="meh"), t0, pb)
    assert same is case and _of(actions, Rejected)


def test_override__walkaway_agreed_to_disagree_closes(pb, post, t0) -> None:
    case = _in_empathize(pb, post, t0)
    ev = StaffOverride("user:lee", "walk_away", reason="agreed_to_disagree")
    case, _ = advance(case, ev, t0, pb)
    assert case is not None and case.walkaway_reason == "agreed_to_disagree"


def test_override__reopen_walkaway_returns_to_acknowledge(pb, post, t0) -> None:
    case = _open(pb, post, t0)
    case, _ = advance(case, StaffOverride("user:lee", "walk_away", reason="bad_faith"), t0, pb)
    case, _ = advance(case, StaffOverride("user:lee", "reopen"), t0, pb)
    assert case is not None and case.is_open and case.stage == ACKNOWLEDGE
    assert case.timer_kind == TIMER_SLA and case.walkaway_reason is None


def test_override__unassign_without_timer_is_rejected(pb, post, t0) -> None:
    case = _open(pb, post, t0)
    assert case.timer_due is not None
    case, _ = advance(case, TimerFired(), case.timer_due, pb)
    same, actions = advance(case, StaffOverride("user:lee", "assign", assignee=None), t0, pb)
    assert same is case and _of(actions, Rejected)


def test_goodwill_rounds__still_negative_recommends_cannot_be_pleased(pb, post, t0) -> None:
    case = _open(pb, post, t0)
    case, _ = advance(case, GoodwillGiven("user:ann", "credit", 5.0), t0, pb)
    found: list[RecommendWalkAway] = []
    for i in range(pb.walk_away.max_goodwill_rounds):
        at = t0 + timedelta(hours=i + 1)
        case, actions = advance(case, post(neg=0.9, reply=True), at, pb)
        found += _of(actions, RecommendWalkAway)
        case, _ = advance(case, StaffReply("user:ann"), at, pb)
    assert [r.reason for r in found] == ["cannot_be_pleased"]


def test_incident__tags_open_case_and_pauses_suggestions(pb, post, t0) -> None:
    case = _open(pb, post, t0)
    case, actions = advance(case, IncidentMode(True, "user:lee", "outage"), t0, pb)
    assert case is not None and case.incident and actions == (IncidentTag(True, "outage"),)
    case, _ = advance(case, StaffReply("user:ann"), t0, pb)
    _, actions = advance(case, post(neg=0.9, reply=True), t0, pb)
    assert all(s.paused for s in _of(actions, SuggestReply))


def test_incident__new_case_is_tagged_and_alerts_leads(pb, post, t0) -> None:
    case, actions = advance(None, post(neg=0.9, incident=True), t0, pb)
    assert case is not None and case.incident
    assert _of(actions, AlertLeads) and _of(actions, SuggestReply)[0].paused


def test_priority__grows_with_reach_and_shrinks_with_troll(pb, post, t0) -> None:
    small = _open(pb, post, t0, followers=10)
    big = _open(pb, post, t0, followers=500_000)
    trollish = _open(pb, post, t0, followers=10, troll=0.6)
    assert big.priority > small.priority > trollish.priority


def test_staff_reply__on_closed_case_is_recorded_without_change(pb, post, t0) -> None:
    case = _in_empathize(pb, post, t0)
    case, _ = advance(case, post(pos=0.9, reply=True), t0, pb)
    assert case is not None and case.stage == FAN
    same, actions = advance(case, StaffReply("user:ann", "glad to help"), t0, pb)
    assert same is case and len(actions) == 1


def test_new_mention__grouped_into_open_case_counts_it(pb, post, t0) -> None:
    case = _open(pb, post, t0)
    case2, actions = advance(case, post(neg=0.7, mention_id=7), t0, pb)
    assert case2 is not None and case2.mentions == 2 and case2.latest_mention_id == 7
    assert (
        replace(
            case2,
            mentions=1,
            negativity=case.negativity,
            sentiment=case.sentiment,
            latest_mention_id=None,
            priority=case.priority,
        )
        == case
    )
    assert actions
