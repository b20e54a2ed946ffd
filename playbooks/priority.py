"""The priority formula: which case staff should look at first.

``priority = 100·(w_neg·negativity + w_reach·reach + w_urg·urgency)·(1 − d·troll) + 100·bonus``

- ``negativity``: the critic's latest p_negative, 0..1;
- ``reach``: log10(1 + followers) / log10(1 + reach_cap_followers), capped at 1;
- ``urgency``: how much of the stage's SLA window is used up, 0 (just opened) .. 1 (due or past);
- ``troll``: troll likelihood 0..1, discounted by ``d`` (troll_discount);
- ``bonus``: ``breach_bonus`` once the SLA was breached (escalated), else 0.

Weights come from the playbook's ``priority`` section; defaults give 0..100, breaches up to 150.
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
    w = playbook.priority
    window = playbook.sla_minutes.for_stage(stage) if sla_due is not None else 1
    base = (
        w.negativity * negativity
        + w.reach * reach(followers, w.reach_cap_followers)
        + w.urgency * urgency(sla_due, window, now)
    )
    score = base * (1.0 - w.troll_discount * troll)
    if escalated:
        score += w.breach_bonus
    return round(100.0 * score, 2)
