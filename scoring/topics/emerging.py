"""Emerging topics: each topic's last day against its own baseline. Pure; ``now`` is given.

A day is the 24 hours ending at ``now`` (then the 24 before it, and so on), so the answer
does not depend on a time zone. A topic's normal range is its baseline days' mean plus
``z`` deviations, the deviation never taken below the Poisson one (``sqrt(mean)``) or one
mention, so a topic quiet so far needs a real burst to alert. An alert also fires when the
day's negative share rises by ``negative_rise`` over the baseline's, on enough volume.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

DAY = timedelta(days=1)


@dataclass(frozen=True)
class EmergingRules:
    """What counts as a topic growing beyond its normal range."""

    baseline_days: int = 14
    z: float = 3.0
    min_volume: int = 5
    negative_rise: float = 0.25


@dataclass(frozen=True)
class DayCount:
    """One day's mentions of a topic and how many read negative."""

    volume: int = 0
    negative: int = 0


@dataclass(frozen=True)
class TopicTrend:
    """A topic's last day against its baseline, and the alert's evidence if any."""

    topic_id: int
    volume: int
    negative_share: float | None
    baseline_mean: float
    normal_high: float
    baseline_negative_share: float | None
    trend: str
    alert: bool
    reasons: tuple[str, ...] = field(default=())


def daily_counts(
    rows: Iterable[tuple[int, datetime, bool]], *, now: datetime, days: int
) -> dict[int, list[DayCount]]:
    """Per topic, ``days + 1`` day counts, oldest first; the last is the 24 h ending at
    ``now``. Rows are ``(topic id, posted at, negative)``; rows outside the window are left out.
    """
    volume: dict[int, list[int]] = {}
    negative: dict[int, list[int]] = {}
    for topic_id, at, is_negative in rows:
        age = now - at
        if age < timedelta(0) or age >= DAY * (days + 1):
            continue
        slot = days - int(age // DAY)
        volume.setdefault(topic_id, [0] * (days + 1))[slot] += 1
        negative.setdefault(topic_id, [0] * (days + 1))[slot] += int(is_negative)
    return {
        t: [DayCount(v, n) for v, n in zip(volume[t], negative[t], strict=True)] for t in volume
    }


def assess(topic_id: int, days: list[DayCount], rules: EmergingRules) -> TopicTrend:
    """The last day of ``days`` against the ones before it (see the module)."""
    *base, last = days or [DayCount()]
    base = base or [DayCount()]
    mean = sum(d.volume for d in base) / len(base)
    var = sum((d.volume - mean) ** 2 for d in base) / len(base)
    spread = max(math.sqrt(var), math.sqrt(mean), 1.0)
    high = mean + rules.z * spread
    base_volume = sum(d.volume for d in base)
    base_share = sum(d.negative for d in base) / base_volume if base_volume else None
    share = last.negative / last.volume if last.volume else None
    reasons = []
    if last.volume >= rules.min_volume and last.volume > high:
        reasons.append(
            f"{last.volume} mentions in the last 24 h against a normal range up to "
            f"{high:.0f} (mean {mean:.1f} a day over {len(base)} days)"
        )
    if (
        last.volume >= rules.min_volume
        and share is not None
        and base_share is not None
        and share - base_share >= rules.negative_rise
    ):
        reasons.append(f"negative share {share:.0%} against {base_share:.0%} in the baseline")
    return TopicTrend(
        topic_id=topic_id,
        volume=last.volume,
        negative_share=share,
        baseline_mean=mean,
        normal_high=high,
        baseline_negative_share=base_share,
        trend=_trend(last.volume, mean, high),
        alert=bool(reasons),
        reasons=tuple(reasons),
    )


def _trend(volume: int, mean: float, high: float) -> str:
    if volume == 0 and mean == 0:
        return "quiet"
    if mean == 0:
        return "new"
    if volume > high:
        return "surging"
    if volume >= 1.5 * mean and volume - mean >= 2:
        return "rising"
    if volume <= 0.5 * mean:
        return "falling"
    return "steady"


def emerging(
    rows: Iterable[tuple[int, datetime, bool]],
    topic_ids: Iterable[int],
    *,
    now: datetime,
    rules: EmergingRules = EmergingRules(),
) -> dict[int, TopicTrend]:
    """Every listed topic's trend (a topic with no rows is quiet), by topic id."""
    counts = daily_counts(rows, now=now, days=rules.baseline_days)
    return {
        t: assess(t, counts.get(t, [DayCount()] * (rules.baseline_days + 1)), rules)
        for t in topic_ids
    }
