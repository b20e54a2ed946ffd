"""The priority formula: which case staff should look at first.

``priority = 100·(w_neg·negativity + w_reach·reach + w_urg·urgency)·(1 − d·troll) + 100·bonus``

- ``negativity``: the critic's latest p_negative, 0..1;
- ``reach``: log10(1 + followers) / log10(1 + reach_cap_followers), capped at 1;
- ``urgency``: how much of the stage's SLA window is used up, 0 (just opened) .. 1 (due or past);
- ``troll``: troll likelihood 0..1, discounted by ``d`` (troll_discount);
- ``bonus``: ``breach_bonus`` once the SLA was breached (escalated), else 0.

Weights come from the playbook's ``priority`` section; defaults give 0..100, breaches up to 150.

Only ``urgency`` changes with the clock, so the formula splits into a fixed part and an urgency
weight (``priority = fixed + weight·urgency``, see ``priority_parts``): the store keeps both and
the queue adds the time term when it is read, so the order follows the clock.
"""

from __future__ import annotations

import math
from datetime import datetime

from playbooks.schema import Playbook


def reach(followers: int, cap_followers: int) -> float:
    """Audience size on a log scale, 0..1."""
    if followers <= 0:
        return 0.0
    return min(1.0, math.log10(1 + followers) / math.log10(1 + cap_followers))


def urgency(sla_due: datetime | None, window_minutes: int, now: datetime) -> float:
    """Share of the SLA window used up at ``now`` (0 with no SLA running)."""
    if sla_due is None:
        return 0.0
    left = (sla_due - now).total_seconds() / 60.0
    if left <= 0:
        return 1.0
    return max(0.0, 1.0 - left / window_minutes)


def priority_parts(
    playbook: Playbook,
    *,
    negativity: float,
    followers: int,
    troll: float,
    escalated: bool,
) -> tuple[float, float]:
    """The priority without its time term, and the weight of urgency: ``fixed + weight·urgency``."""
    w = playbook.priority
    damp = 1.0 - w.troll_discount * troll
    fixed = (w.negativity * negativity + w.reach * reach(followers, w.reach_cap_followers)) * damp
    if escalated:
        fixed += w.breach_bonus
    return 100.0 * fixed, 100.0 * w.urgency * damp


def priority(
    playbook: Playbook,
    *,
    negativity: float,
    followers: int,
    troll: float,
    sla_due: datetime | None,
    stage: str,
    escalated: bool,
    now: datetime,
) -> float:
    """The case's priority at ``now`` (see the module docstring for the formula)."""
    fixed, weight = priority_parts(
        playbook, negativity=negativity, followers=followers, troll=troll, escalated=escalated
    )
    window = playbook.sla_minutes.for_stage(stage) if sla_due is not None else 1
    return round(fixed + weight * urgency(sla_due, window, now), 2)


def priority_now(
    fixed: float,
    urgency_weight: float,
    sla_due: datetime | None,
    sla_minutes: int | None,
    now: datetime,
) -> float:
    """A stored case's priority at ``now``: its fixed part plus urgency's weight times the share
    of its SLA window used up (what the queue computes in SQL, ``store.board``)."""
    if sla_due is None or not sla_minutes:
        return round(fixed, 2)
    return round(fixed + urgency_weight * urgency(sla_due, sla_minutes, now), 2)
