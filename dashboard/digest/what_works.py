"""The digest's "What works" section: the best-converting value of each dimension over the last
four weeks, with its sample size and Wilson interval, and the loudness flag when raised.

Small on purpose: the board's What works page has every value, the adjusted rates and the
caveats (docs/learning.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from playbooks.learning.attribution import LearningPolicy
from playbooks.learning.cost import loud_flag
from playbooks.learning.load import attributions
from playbooks.learning.stats import DIMENSIONS, conversion_table, decided
from playbooks.loader import load_active_playbook
from playbooks.schema import Playbook

#: The section looks back this far (cases opened in the window, decided by its end).
DAYS = 28


@dataclass(frozen=True)
class BestValue:
    """The best-converting ranked value of one dimension, with its evidence."""

    dimension: str
    value: str
    n: int
    fans: int
    rate: float
    low: float
    high: float
    #: How many values of the dimension had enough cases to be ranked.
    ranked: int


@dataclass(frozen=True)
class WhatWorks:
    """What the digest shows of what works."""

    days: int
    decided: int
    fans: int
    min_n: int
    best: list[BestValue] = field(default_factory=list)
    #: The loudness flag's finding when raised (None: goodwill does not follow volume).
    loud: str | None = None


def what_works(
    engine: Engine,
    *,
    now: datetime,
    days: int = DAYS,
    playbook: Playbook | None = None,
    policy: LearningPolicy | None = None,
) -> WhatWorks:
    """The section for the ``days`` before ``now``: for each dimension with at least two ranked
    values, the best one (a single ranked value compares with nothing)."""
    playbook = playbook or load_active_playbook()
    policy = policy or LearningPolicy.from_rules(playbook.learning)
    rows = attributions(
        engine, now - timedelta(days=days), now, now=now, playbook=playbook, policy=policy
    )
    done = decided(rows)
    best = []
    for dimension in DIMENSIONS:
        ranked = [r for r in conversion_table(done, dimension, policy, adjust=False) if r.rank]
        top = ranked[0] if len(ranked) >= 2 else None
        if top is not None and top.rate is not None:
            best.append(
                BestValue(
                    dimension, top.value, top.n, top.fans, top.rate, top.low, top.high, len(ranked)
                )
            )
    flag = loud_flag(done, policy)
    return WhatWorks(
        days=days,
        decided=len(done),
        fans=sum(a.converted for a in done),
        min_n=policy.min_n,
        best=best,
        loud=flag.detail if flag.raised else None,
    )
