"""Conversion by what a case received: counts, Wilson intervals and a case-mix adjusted rate.

Pure functions over :class:`~playbooks.learning.attribution.Attribution` rows. Only decided
cases (fan, walk-away, no answer) count: an open case has no outcome yet.

- :func:`wilson`: the Wilson score interval of a proportion (good at small n and near 0 or 1);
- :func:`conversion_table`: per value of a dimension, n, fans, the rate and its interval, and a
  rank only for values with at least ``min_n`` decided cases;
- :func:`adjusted_rates`: a regularised logistic regression of conversion on the dimension and
  the case mix (topic, follower tier, first sentiment), read back as the rate the value would
  have had over *all* decided cases (standardisation). It removes the confounding the case mix
  explains, not any other; see docs/learning.md.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from playbooks.learning.attribution import Attribution, LearningPolicy

log = logging.getLogger(__name__)

#: z for a two-sided 95% interval.
Z95 = 1.959963984540054
#: The logistic regression's inverse regularisation strength (sklearn's C, an L2 penalty).
REGULARISATION_C = 1.0

Values = Callable[[Attribution], tuple[str, ...]]


def _one(get: Callable[[Attribution], str]) -> Values:
    return lambda a: (get(a),)


#: The dimensions "what works" compares, each giving the values a case counts under. A case
#: counts once under every template it used (so the template rows do not add up to the total).
DIMENSIONS: dict[str, Values] = {
    "template": lambda a: a.templates or ("(no template)",),
    "goodwill kind": lambda a: a.goodwill_kinds or ("none",),
    "reply time": _one(lambda a: a.reply_bucket),
    "channel": _one(lambda a: a.channel),
    "topic": _one(lambda a: a.topic),
    "tier": _one(lambda a: a.tier),
}
#: The case-mix covariates; a dimension that is one of them is not adjusted for itself.
COVARIATES = ("topic", "tier", "first sentiment")


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for ``successes`` out of ``n`` ((0, 1) when n is 0)."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= n:
        raise ValueError(f"successes must lie in [0, {n}], got {successes}")
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class ConversionRow:
    """Conversion of the decided cases that received one value of a dimension."""

    dimension: str
    value: str
    n: int
    fans: int
    rate: float | None
    low: float
    high: float
    #: 1 for the best rate among values with enough cases; None below the minimum.
    rank: int | None
    #: The case-mix adjusted rate (None when not estimated: too few cases, or one outcome only).
    adjusted: float | None = None

    @property
    def enough(self) -> bool:
        """True when the value has enough cases to be ranked."""
        return self.rank is not None


def decided(rows: Sequence[Attribution]) -> list[Attribution]:
    """The cases that have an outcome."""
    return [a for a in rows if a.decided]


def conversion_table(
    rows: Sequence[Attribution],
    dimension: str,
    policy: LearningPolicy,
    *,
    adjust: bool = True,
) -> list[ConversionRow]:
    """Per value of ``dimension``: n, fans, rate, Wilson 95%, rank (n ≥ ``policy.min_n`` only)
    and the adjusted rate; ranked values first (best first), then the rest by n."""
    values_of = DIMENSIONS[dimension]
    cases = decided(rows)
    counts: dict[str, list[int]] = {}
    for a in cases:
        for v in values_of(a):
            c = counts.setdefault(v, [0, 0])
            c[0] += 1
            c[1] += a.converted
    adjusted = adjusted_rates(cases, dimension, policy) if adjust else {}
    out = []
    for value, (n, fans) in counts.items():
        low, high = wilson(fans, n)
        out.append(
            ConversionRow(
                dimension,
                value,
                n,
                fans,
                fans / n if n else None,
                low,
                high,
                None,
                adjusted.get(value),
            )
        )
    ranked = sorted((r for r in out if r.n >= policy.min_n), key=lambda r: (-(r.rate or 0), -r.n))
    rest = sorted((r for r in out if r.n < policy.min_n), key=lambda r: (-r.n, r.value))
    return [_ranked(r, i + 1) for i, r in enumerate(ranked)] + rest


def _ranked(row: ConversionRow, rank: int) -> ConversionRow:
    return ConversionRow(
        row.dimension,
        row.value,
        row.n,
        row.fans,
        row.rate,
        row.low,
        row.high,
        rank,
        row.adjusted,
    )


def _onehot(labels: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    names = sorted(set(labels))
    index = {n: i for i, n in enumerate(names)}
    m = np.zeros((len(labels), len(names)))
    for row, label in enumerate(labels):
        m[row, index[label]] = 1.0
    return m, names


def covariate_matrix(cases: Sequence[Attribution], dimension: str) -> np.ndarray:
    """The case-mix columns: topic and tier one-hot, first sentiment (0 when unscored), each
    left out when it is the dimension studied."""
    parts: list[np.ndarray] = []
    if dimension != "topic":
        parts.append(_onehot([a.topic for a in cases])[0])
    if dimension != "tier":
        parts.append(_onehot([a.tier for a in cases])[0])
    parts.append(np.array([[a.first_sentiment or 0.0] for a in cases]))
    return np.hstack(parts)


def adjusted_rates(
    cases: Sequence[Attribution], dimension: str, policy: LearningPolicy
) -> dict[str, float]:
    """Each value's conversion rate adjusted for case mix, for values with n ≥ ``min_n``.

    A logistic regression (L2, C = :data:`REGULARISATION_C`) of conversion on the value
    indicators and the case mix is fitted to the decided cases; a value's adjusted rate is the
    mean predicted conversion over all those cases had each received that value alone. Empty
    when the cases are all fans or all walk-aways (nothing to fit).
    """
    from sklearn.linear_model import LogisticRegression

    cases = decided(cases)
    y = np.array([a.converted for a in cases], dtype=int)
    if len(cases) < policy.min_n or y.min() == y.max():
        return {}
    values_of = DIMENSIONS[dimension]
    memberships = [values_of(a) for a in cases]
    names = sorted({v for vs in memberships for v in vs})
    index = {n: i for i, n in enumerate(names)}
    treat = np.zeros((len(cases), len(names)))
    for row, vs in enumerate(memberships):
        for v in vs:
            treat[row, index[v]] = 1.0
    mix = covariate_matrix(cases, dimension)
    model = LogisticRegression(C=REGULARISATION_C, max_iter=2000)
    model.fit(np.hstack([treat, mix]), y)
    counts = treat.sum(axis=0)
    out: dict[str, float] = {}
    for value, i in index.items():
        if counts[i] < policy.min_n:
            continue
        only = np.zeros_like(treat)
        only[:, i] = 1.0
        out[value] = float(model.predict_proba(np.hstack([only, mix]))[:, 1].mean())
    return out
