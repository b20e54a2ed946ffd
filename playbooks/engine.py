"""The pure playbook engine: ``advance(case, event, now, playbook) -> (case, actions)``.

Deterministic: no I/O, no clock (``now`` is an argument), no text reading (the edge derives
topic, facts and thanks with :mod:`playbooks.text`). ``case`` is None when the critic has no
open case on the topic; a returned None means no case was opened. Every change of state comes
with at least one action, which the edge records as a ``CaseEvent``. The hot path builds only
frozen slots dataclasses (no validation) so it handles well over 50,000 events a second.

Stage flow (staff and critic take turns; whose turn it is decides the single timer)::

    acknowledge --staff reply--> empathize --critic answers, staff reply--> goodwill
         \\________________ goodwill given ______________________________/
    any open stage --critic thanks or turns positive after a staff reply--> fan
    any open stage --critic silent N days | staff confirm/decide--> walk_away

A likely troll gets one calm public reply suggested (``high_ground``: acknowledge, point to the
facts or the help page, no argument) and a walk-away recommendation for a lead to confirm. A
pile-on gets one public statement (``pileon``) on its lead case and no reply on the others.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from playbooks.actions import (
    Action,
    AlertLeads,
    Escalate,
    IncidentTag,
    OpenCase,
    RecommendWalkAway,
    Recorded,
    Rejected,
    SetTimer,
    StageChanged,
    SuggestReply,
    role_queue,
)
from playbooks.events import (
    CriticPost,
    CriticReply,
    Event,
    GoodwillGiven,
    IncidentMode,
    NewMention,
    PileOnFound,
    SentimentChanged,
    StaffOverride,
    StaffReply,
    TimerFired,
)
from playbooks.priority import priority
from playbooks.schema import Playbook
from playbooks.state import (
    ACKNOWLEDGE,
    CRITIC,
    EMPATHIZE,
    FAN,
    GOODWILL,
    STAFF,
    TIMER_NO_ANSWER,
    TIMER_SLA,
    WALK_AWAY,
    WALKAWAY_REASONS,
    CaseState,
    edge_allowed,
    evolve,
)

Result = tuple[CaseState | None, tuple[Action, ...]]
_NOTHING: tuple[Action, ...] = ()


def advance(case: CaseState | None, event: Event, now: datetime, playbook: Playbook) -> Result:
    """Apply ``event`` at ``now``; return the new state and what the edge should do/record."""
    handler = _HANDLERS.get(type(event))
    if handler is None:
        raise TypeError(f"not a playbook event: {type(event).__name__}")
    return handler(case, event, now, playbook)


# -- helpers -------------------------------------------------------------------------------


class _Draft(dict[str, Any]):
    """Changes to a state, read through to the old state; frozen once per event by ``_done``.

    One ``evolve`` per event instead of a ``replace`` per step keeps ``advance`` cheap.
    """

    __slots__ = ("base",)

    def __init__(self, base: CaseState, **changes: Any) -> None:
        super().__init__(changes)
        self.base = base

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            return getattr(self.base, name)


def _done(d: _Draft, now: datetime, pb: Playbook, actions: list[Action]) -> Result:
    """Freeze the draft with its priority recomputed at ``now``."""
    get, base = d.get, d.base
    d["priority"] = priority(
        pb,
        negativity=get("negativity", base.negativity),
        followers=get("followers", base.followers),
        troll=get("troll", base.troll),
        sla_due=get("sla_due", base.sla_due),
        stage=get("stage", base.stage),
        escalated=get("escalated", base.escalated),
        now=now,
    )
    return evolve(d.base, d), tuple(actions)


def _staff_turn(d: _Draft, now: datetime, pb: Playbook, actions: list[Action]) -> None:
    due = now + timedelta(minutes=pb.sla_minutes.for_stage(d.stage))
    actions.append(SetTimer(TIMER_SLA, due))
    d.update(waiting_on=STAFF, sla_due=due, timer_due=due, timer_kind=TIMER_SLA)


def _critic_turn(d: _Draft, now: datetime, pb: Playbook, actions: list[Action]) -> None:
    due = now + timedelta(days=pb.walk_away.no_answer_days)
    actions.append(SetTimer(TIMER_NO_ANSWER, due))
    d.update(
        waiting_on=CRITIC, sla_due=None, timer_due=due, timer_kind=TIMER_NO_ANSWER, escalated=False
    )


def _move(d: _Draft, to: str, reason: str, now: datetime, actions: list[Action]) -> None:
    actions.append(StageChanged(d.stage, to, reason))
    d.update(stage=to, stage_since=now, updated_at=now)


def _close(
    d: _Draft,
    to: str,
    reason: str,
    now: datetime,
    actions: list[Action],
    walkaway_reason: str | None = None,
) -> Result:
    actions.append(StageChanged(d.stage, to, reason))
    if d.timer_due is not None:
        actions.append(SetTimer(None, None))
    d.update(
        stage=to,
        stage_since=now,
        updated_at=now,
        is_open=False,
        outcome=to,
        walkaway_reason=walkaway_reason,
        walkaway_recommended=None,
        sla_due=None,
        timer_due=None,
        timer_kind=None,
        priority=0.0,
        closed_at=now,
    )
    return evolve(d.base, d), tuple(actions)


#: The template sets for the moments that are not stages (see the module docstring).
HIGH_GROUND = "high_ground"
PILEON = "pileon"


def _suggest(d: _Draft, facts: tuple[str, ...], private: bool) -> SuggestReply:
    return SuggestReply(d.stage, d.topic, facts, private, d.incident)


def _high_ground(d: _Draft, facts: tuple[str, ...]) -> SuggestReply:
    """The one calm public reply a likely troll gets before staff walk away."""
    return SuggestReply(HIGH_GROUND, d.topic, facts, False, d.incident)


def _converts(d: _Draft, ev: CriticPost | SentimentChanged, pb: Playbook) -> str | None:
    """Why this post makes the critic a fan, or None."""
    th = pb.thresholds
    if d.staff_replies == 0 or d.troll >= th.troll_likely:
        return None
    if ev.sentiment >= th.fan_sentiment:
        return "sentiment turned positive"
    if isinstance(ev, CriticPost) and ev.thanked and ev.p_negative < th.open_negativity:
        return "thanked"
    return None


def _recommend(d: _Draft, reason: str, details: tuple[str, ...], actions: list[Action]) -> None:
    if d.walkaway_recommended is not None or d.walkaway_rejected:
        return
    actions.append(RecommendWalkAway(reason, details))
    d["walkaway_recommended"] = reason


# -- handlers ------------------------------------------------------------------------------


def _open(ev: CriticPost, now: datetime, pb: Playbook) -> Result:
    actions: list[Action] = [
        OpenCase(ev.topic, f"negative mention (p_negative={ev.p_negative:.2f})")
    ]
    base = CaseState(
        author_id=ev.author_id,
        topic=ev.topic,
        stage=ACKNOWLEDGE,
        opened_at=now,
        stage_since=now,
        updated_at=now,
        negativity=ev.p_negative,
        sentiment=ev.sentiment,
        troll=ev.troll,
        troll_reasons=ev.troll_reasons,
        followers=ev.followers,
        mentions=1,
        incident=ev.incident,
        facts=ev.fact_ids,
        latest_mention_id=ev.mention_id,
    )
    d = _Draft(base)
    _staff_turn(d, now, pb, actions)
    if ev.troll >= pb.thresholds.troll_likely:
        _recommend(d, "troll", ev.troll_reasons, actions)
        actions.append(_high_ground(d, ev.fact_ids))
    else:
        private = ev.followers >= pb.private.min_followers
        if private:  # a large audience: invite them to a private conversation from the start
            d["private_suggested"] = True
        actions.append(_suggest(d, ev.fact_ids, private))
    if ev.incident:
        actions.append(IncidentTag(True, "opened during an incident"))
        actions.append(AlertLeads("new critic during an incident"))
    return _done(d, now, pb, actions)


def _on_post(case: CaseState | None, ev: CriticPost, now: datetime, pb: Playbook) -> Result:
    th = pb.thresholds
    if case is None or not case.is_open:
        if ev.sentiment >= th.praise_sentiment or ev.p_negative < th.open_negativity:
            return case, _NOTHING
        return _open(ev, now, pb)
    new_facts = tuple(f for f in ev.fact_ids if f not in case.facts)
    troll_reasons = case.troll_reasons
    if ev.troll_reasons:
        troll_reasons += tuple(r for r in ev.troll_reasons if r not in troll_reasons)
    d = _Draft(
        case,
        negativity=ev.p_negative,
        sentiment=ev.sentiment,
        troll=max(case.troll, ev.troll),
        troll_reasons=troll_reasons,
        followers=max(case.followers, ev.followers),
        mentions=case.mentions + 1,
        facts=case.facts + new_facts,
        latest_mention_id=ev.mention_id if ev.mention_id is not None else case.latest_mention_id,
        updated_at=now,
    )
    actions: list[Action] = [Recorded("critic_reply" if type(ev) is CriticReply else "mention")]
    why = _converts(d, ev, pb)
    if why is not None:
        return _close(d, FAN, why, now, actions)
    if d.troll >= th.troll_likely:
        newly = d.walkaway_recommended is None and not d.walkaway_rejected
        _recommend(d, "troll", d.troll_reasons, actions)
        if newly and d.staff_replies == 0 and d.pileon_of is None:
            actions.append(_high_ground(d, d.facts))
    if case.waiting_on == CRITIC:
        d["critic_replies"] = case.critic_replies + 1
        if case.stage == GOODWILL:
            d["goodwill_rounds"] = rounds = case.goodwill_rounds + 1
            if rounds >= pb.walk_away.max_goodwill_rounds:
                detail = f"still negative after {rounds} goodwill exchanges"
                _recommend(d, "cannot_be_pleased", (detail,), actions)
        _staff_turn(d, now, pb, actions)
        private = (
            case.stage == EMPATHIZE
            and not case.private_suggested
            and (
                d.critic_replies >= pb.private.after_critic_replies
                or d.followers >= pb.private.min_followers
            )
        )
        if private:
            d["private_suggested"] = True
        actions.append(_suggest(d, new_facts, private))
    elif new_facts:
        actions.append(_suggest(d, new_facts, False))
    return _done(d, now, pb, actions)


def _on_staff_reply(case: CaseState | None, ev: StaffReply, now: datetime, pb: Playbook) -> Result:
    if case is None:
        return None, _NOTHING
    actions: list[Action] = [Recorded("reply", ev.text[:2000])]
    if not case.is_open:
        return case, tuple(actions)
    d = _Draft(
        case,
        staff_replies=case.staff_replies + 1,
        acknowledged_at=case.acknowledged_at or now,
        updated_at=now,
    )
    if case.stage == ACKNOWLEDGE:
        _move(d, EMPATHIZE, "acknowledged", now, actions)
    elif case.stage == EMPATHIZE and case.critic_replies > 0:
        _move(d, GOODWILL, "concern heard; addressing it", now, actions)
    _critic_turn(d, now, pb, actions)
    return _done(d, now, pb, actions)


def _on_sentiment(
    case: CaseState | None, ev: SentimentChanged, now: datetime, pb: Playbook
) -> Result:
    if case is None or not case.is_open:
        return case, _NOTHING
    d = _Draft(case, sentiment=ev.sentiment, negativity=ev.p_negative, updated_at=now)
    actions: list[Action] = [Recorded("sentiment", f"{case.sentiment:+.2f} -> {ev.sentiment:+.2f}")]
    why = _converts(d, ev, pb)
    if why is not None:
        return _close(d, FAN, why, now, actions)
    return _done(d, now, pb, actions)


def _on_goodwill(case: CaseState | None, ev: GoodwillGiven, now: datetime, pb: Playbook) -> Result:
    if case is None or not case.is_open:
        return case, (Rejected("goodwill needs an open case"),)
    actions: list[Action] = [Recorded("goodwill", f"{ev.kind} {ev.amount:.2f}")]
    d = _Draft(
        case,
        goodwill_spent=case.goodwill_spent + ev.amount,
        staff_replies=case.staff_replies + 1,
        acknowledged_at=case.acknowledged_at or now,
        updated_at=now,
    )
    if case.stage != GOODWILL:
        _move(d, GOODWILL, f"goodwill given: {ev.kind}", now, actions)
    _critic_turn(d, now, pb, actions)
    return _done(d, now, pb, actions)


def _on_timer(case: CaseState | None, ev: TimerFired, now: datetime, pb: Playbook) -> Result:
    if case is None or not case.is_open or case.timer_due is None or case.timer_due > now:
        return case, _NOTHING
    actions: list[Action] = []
    d = _Draft(case)
    if case.timer_kind == TIMER_NO_ANSWER:
        days = pb.walk_away.no_answer_days
        return _close(d, WALK_AWAY, f"no answer for {days:g} days", now, actions, "no_answer")
    minutes = pb.sla_minutes.for_stage(case.stage)
    reason = f"{case.stage} SLA of {minutes} minutes breached"
    role = pb.escalation.assign_to
    actions.append(Escalate(role, reason))
    actions.append(SetTimer(None, None))
    # The role's queue holds the case; the edge, which knows who is on staff, hands it to a lead.
    queue = role_queue(role)
    d.update(escalated=True, assignee=queue, timer_due=None, timer_kind=None, updated_at=now)
    return _done(d, now, pb, actions)


def _on_override(case: CaseState | None, ev: StaffOverride, now: datetime, pb: Playbook) -> Result:
    if case is None:
        return None, _NOTHING
    act = ev.action
    actions: list[Action] = []
    d = _Draft(case, updated_at=now)
    if act == "assign":
        if ev.assignee is None and case.is_open and case.timer_due is None:
            return case, (Rejected("unassigning would leave the case with no owner or timer"),)
        actions.append(Recorded("assign", ev.assignee or ""))
        d["assignee"] = ev.assignee
        return evolve(case, d), tuple(actions)
    if act == "reopen" or (act == "stage" and ev.stage == ACKNOWLEDGE and not case.is_open):
        if case.is_open or not edge_allowed(case.stage, ACKNOWLEDGE):
            return case, (Rejected(f"cannot reopen a case in {case.stage}"),)
        _move(d, ACKNOWLEDGE, ev.reason or "reopened by staff", now, actions)
        d.update(
            is_open=True,
            outcome=None,
            walkaway_reason=None,
            walkaway_rejected=True,
            closed_at=None,
            escalated=False,
        )
        _staff_turn(d, now, pb, actions)
        actions.append(_suggest(d, (), False))
        return _done(d, now, pb, actions)
    if not case.is_open:
        return case, (Rejected(f"the case is closed ({case.stage})"),)
    if act == "reject_walk_away":
        if case.walkaway_recommended is None:
            return case, (Rejected("no walk-away was recommended"),)
        actions.append(Recorded("walk_away_rejected", ev.reason or case.walkaway_recommended))
        d.update(walkaway_recommended=None, walkaway_rejected=True)
        return evolve(case, d), tuple(actions)
    if act == "confirm_walk_away":
        if case.walkaway_recommended is None:
            return case, (Rejected("no walk-away was recommended"),)
        reason = case.walkaway_recommended
        return _close(d, WALK_AWAY, f"confirmed: {reason}", now, actions, reason)
    target = WALK_AWAY if act == "walk_away" else ev.stage
    if act not in ("walk_away", "stage") or target is None:
        return case, (Rejected(f"unknown override {act!r}"),)
    if not edge_allowed(case.stage, target):
        return case, (Rejected(f"a case cannot move from {case.stage} to {target}"),)
    if target == WALK_AWAY:
        if ev.reason not in WALKAWAY_REASONS:
            return case, (Rejected(f"a walk-away needs a reason: one of {WALKAWAY_REASONS}"),)
        return _close(d, WALK_AWAY, f"staff: {ev.reason}", now, actions, ev.reason)
    if target == FAN:
        return _close(d, FAN, ev.reason or "staff marked as fan", now, actions)
    _move(d, target, ev.reason or "staff override", now, actions)
    _staff_turn(d, now, pb, actions)
    actions.append(_suggest(d, (), False))
    return _done(d, now, pb, actions)


def _on_incident(case: CaseState | None, ev: IncidentMode, now: datetime, pb: Playbook) -> Result:
    if case is None or not case.is_open or case.incident == ev.on:
        return case, _NOTHING
    changed = evolve(case, {"incident": ev.on, "updated_at": now})
    return changed, (IncidentTag(ev.on, ev.reason),)


def _on_pileon(case: CaseState | None, ev: PileOnFound, now: datetime, pb: Playbook) -> Result:
    if case is None or not case.is_open or case.pileon_of is not None:
        return case, _NOTHING
    d = _Draft(case, pileon_of=ev.first_mention_id, pileon_lead=ev.lead, updated_at=now)
    detail = f"one of {ev.accounts} accounts posting the same words within the hour"
    actions: list[Action] = [Recorded("pileon", detail)]
    _recommend(d, "troll", (detail,), actions)
    if ev.lead and case.staff_replies == 0:
        actions.append(SuggestReply(PILEON, d.topic, (), False, d.incident))
    return _done(d, now, pb, actions)


_HANDLERS: dict[type, Callable[[Any, Any, datetime, Playbook], Result]] = {
    NewMention: _on_post,
    CriticReply: _on_post,
    StaffReply: _on_staff_reply,
    SentimentChanged: _on_sentiment,
    GoodwillGiven: _on_goodwill,
    TimerFired: _on_timer,
    StaffOverride: _on_override,
    IncidentMode: _on_incident,
    PileOnFound: _on_pileon,
}
