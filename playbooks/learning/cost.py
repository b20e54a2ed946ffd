"""Cost per fan, and who the goodwill goes to: by follower tier and by loudness.

Pure functions over attribution rows, decided cases only (an open case's cost has not bought
an outcome yet).

- **cost per fan**: staff minutes (a fixed estimate per staff action, ``LearningPolicy.minutes``)
  and goodwill spent over every decided case of a group, divided by the fans it won: the
  walk-aways' cost is part of what a fan costs;
- **loudness**: a critic's posts in the window and their followers (reach), each turned into a
  percentile rank among the window's critics and averaged; cases are split into fifths by it;
- **the loud flag**: raised when the loudest fifth's goodwill per case is at least
  ``LearningPolicy.loud_flag_ratio`` times the other four fifths' (goodwill follows volume).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from playbooks.learning.attribution import Attribution, LearningPolicy
from playbooks.learning.stats import decided

QUINTILES = ("quietest", "quiet", "middle", "loud", "loudest")


@dataclass(frozen=True)
class CostRow:
    """What one group's decided cases cost, per fan won."""

    group: str
    value: str
    cases: int
    fans: int
    staff_minutes: float
    goodwill: float

    @property
    def minutes_per_fan(self) -> float | None:
        """Staff minutes per fan (None without a fan)."""
        return self.staff_minutes / self.fans if self.fans else None

    @property
    def goodwill_per_fan(self) -> float | None:
        """Goodwill per fan (None without a fan)."""
        return self.goodwill / self.fans if self.fans else None


def cost_per_fan(rows: Sequence[Attribution], group: str) -> list[CostRow]:
    """Cost per fan by ``group`` (``topic`` or ``tier``), most cases first."""
    key: Callable[[Attribution], str] = (
        (lambda a: a.topic) if group == "topic" else lambda a: a.tier
    )
    sums: dict[str, list[float]] = {}
    for a in decided(rows):
        s = sums.setdefault(key(a), [0, 0, 0.0, 0.0])
        s[0] += 1
        s[1] += a.converted
        s[2] += a.staff_minutes
        s[3] += a.goodwill_amount
    out = [
        CostRow(group, v, int(s[0]), int(s[1]), round(s[2], 1), round(s[3], 2))
        for v, s in sums.items()
    ]
    return sorted(out, key=lambda r: (-r.cases, r.value))


@dataclass(frozen=True)
class ShareRow:
    """A group's share of the decided cases, of the goodwill and of the fans."""

    group: str
    value: str
    cases: int
    fans: int
    goodwill: float
    case_share: float
    goodwill_share: float | None
    fan_share: float | None

    @property
    def conversion(self) -> float | None:
        """Fans among the group's decided cases."""
        return self.fans / self.cases if self.cases else None

    @property
    def goodwill_per_case(self) -> float:
        """Goodwill per decided case."""
        return self.goodwill / self.cases if self.cases else 0.0


def _ranks(values: Sequence[float], *, ties: str = "mean") -> np.ndarray:
    """Percentile ranks in (0, 1]; tied values share their mean rank (``ties="max"``: the
    highest, so a tied group at the top stays at the top)."""
    arr = np.asarray(values, dtype=float)
    order = arr.argsort(kind="stable")
    ranks = np.empty(len(arr))
    ranks[order] = np.arange(1, len(arr) + 1)
    for v in np.unique(arr):
        same = arr == v
        ranks[same] = ranks[same].max() if ties == "max" else ranks[same].mean()
    return ranks / len(arr) if len(arr) else ranks


def loudness_fifths(rows: Sequence[Attribution]) -> dict[int, str]:
    """Each decided case's loudness fifth (``QUINTILES``), by case id; equally loud cases share
    the louder fifth."""
    cases = decided(rows)
    if not cases:
        return {}
    score = (_ranks([a.posts for a in cases]) + _ranks([a.followers for a in cases])) / 2
    fifth = np.clip(np.ceil(_ranks(list(score), ties="max") * 5 - 1e-9).astype(int) - 1, 0, 4)
    return {a.case_id: QUINTILES[int(f)] for a, f in zip(cases, fifth, strict=True)}


def shares(rows: Sequence[Attribution], group: str) -> list[ShareRow]:
    """Cases, goodwill and fans by ``group``: ``tier`` or ``loudness`` (fifths, quietest first)."""
    cases = decided(rows)
    if group == "loudness":
        fifths = loudness_fifths(cases)
        key: Callable[[Attribution], str] = lambda a: fifths[a.case_id]  # noqa: E731
        order: Sequence[str] = QUINTILES
    else:
        key = lambda a: a.tier  # noqa: E731
        order = sorted(
            {a.tier for a in cases},
            key=lambda t: min((a.followers for a in cases if a.tier == t), default=0),
        )
    total_cases = len(cases)
    total_goodwill = sum(a.goodwill_amount for a in cases)
    total_fans = sum(a.converted for a in cases)
    out = []
    for value in order:
        mine = [a for a in cases if key(a) == value]
        if not mine:
            continue
        goodwill = round(sum(a.goodwill_amount for a in mine), 2)
        fans = sum(a.converted for a in mine)
        out.append(
            ShareRow(
                group,
                value,
                len(mine),
                fans,
                goodwill,
                len(mine) / total_cases,
                goodwill / total_goodwill if total_goodwill else None,
                fans / total_fans if total_fans else None,
            )
        )
    return out


@dataclass(frozen=True)
class LoudFlag:
    """Whether the loudest fifth gets the most goodwill per case, and by how much."""

    raised: bool
    loudest_per_case: float
    rest_per_case: float
    ratio: float | None
    detail: str


def loud_flag(rows: Sequence[Attribution], policy: LearningPolicy) -> LoudFlag:
    """The loudest fifth's goodwill per case against the rest's (see the module docstring)."""
    fifths = loudness_fifths(rows)
    cases = decided(rows)
    loud = [a for a in cases if fifths.get(a.case_id) == QUINTILES[-1]]
    rest = [a for a in cases if fifths.get(a.case_id) != QUINTILES[-1]]
    loud_pc = sum(a.goodwill_amount for a in loud) / len(loud) if loud else 0.0
    rest_pc = sum(a.goodwill_amount for a in rest) / len(rest) if rest else 0.0
    if not loud or loud_pc == 0.0:
        return LoudFlag(False, loud_pc, rest_pc, None, "the loudest fifth got no goodwill")
    if not rest:
        return LoudFlag(False, loud_pc, rest_pc, None, "every case was equally loud")
    ratio = loud_pc / rest_pc if rest_pc else None
    raised = ratio is None or ratio >= policy.loud_flag_ratio
    times = "all of it" if ratio is None else f"{ratio:.1f}× the rest's"
    detail = f"the loudest fifth got {loud_pc:.2f} goodwill per case, {times}"
    return LoudFlag(raised, loud_pc, rest_pc, ratio, detail)
