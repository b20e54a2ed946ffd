"""Sequential statistics for template experiments: the mSPRT for a difference of two rates.

Staff look at an experiment's page whenever they like, so the test must stay honest under
continuous monitoring. A fixed-sample z-test checked every day finds a "winner" in an A/A
experiment far more often than its nominal 5 %. The mixture sequential probability ratio test
(mSPRT; Johari, Koomen, Pekelis and Walsh, "Always valid inference", 2017/2022) does not:

* Let ``theta`` be the uplift, ``rate_b - rate_a`` (an absolute difference of conversion
  rates), ``theta_hat`` its estimate from the counts so far and ``V`` the estimate's variance,
  ``rate_a (1 - rate_a) / n_a + rate_b (1 - rate_b) / n_b``.
* Mixing the likelihood ratio of ``theta`` against ``theta_0`` over a normal prior
  ``N(theta_0, tau^2)`` gives

  ``Lambda = sqrt(V / (V + tau^2)) * exp(tau^2 (theta_hat - theta_0)^2 / (2 V (V + tau^2)))``,

  a nonnegative martingale under ``theta = theta_0`` (in the normal approximation). By Ville's
  inequality it ever reaches ``1 / alpha`` with probability at most ``alpha``, however often and
  whenever one looks.
* The always-valid p-value is ``min(1, 1 / Lambda)`` at ``theta_0 = 0``; the always-valid
  confidence sequence is every ``theta_0`` whose ``Lambda`` stays below ``1 / alpha``:
  ``theta_hat +- sqrt(V (V + tau^2) / tau^2 * (2 log(1 / alpha) + log((V + tau^2) / V)))``.
  The p-value is at most ``alpha`` exactly when the interval leaves out 0.

The functions take numpy arrays as well as numbers, so the benchmark runs thousands of
monitored experiments through the same code the board uses. Nothing here reads the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

#: The default prior scale of the uplift: a reply template moves conversion by a few points.
DEFAULT_MIXTURE_SD = 0.03
#: A variance floor, so a rate of exactly 0 or 1 in a small sample does not read as certainty.
MIN_RATE_VARIANCE = 0.25 / 100

FloatArray = npt.NDArray[np.float64]


def _arr(value: Any) -> FloatArray:
    return np.asarray(value, dtype=np.float64)


def rates(successes: Any, trials: Any) -> FloatArray:
    """Conversion rates (0 where there are no trials yet)."""
    s, n = _arr(successes), _arr(trials)
    return np.divide(s, n, out=np.zeros(np.broadcast(s, n).shape), where=n > 0)


def uplift_variance(conv_a: Any, n_a: Any, conv_b: Any, n_b: Any) -> FloatArray:
    """The variance of the estimated uplift (plug-in rates, floored; inf with an empty arm)."""
    na, nb = _arr(n_a), _arr(n_b)
    pa, pb = rates(conv_a, na), rates(conv_b, nb)
    va = np.maximum(pa * (1 - pa), MIN_RATE_VARIANCE)
    vb = np.maximum(pb * (1 - pb), MIN_RATE_VARIANCE)
    with np.errstate(divide="ignore"):
        return np.where(
            (na > 0) & (nb > 0), va / np.maximum(na, 1) + vb / np.maximum(nb, 1), np.inf
        )


def log_mixture_ratio(estimate: Any, variance: Any, *, theta0: Any = 0.0, tau: float) -> FloatArray:
    """``log Lambda``: the mixture likelihood ratio of the uplift against ``theta0``."""
    d, v = _arr(estimate) - _arr(theta0), _arr(variance)
    t2 = tau * tau
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 0.5 * np.log(v / (v + t2)) + t2 * d * d / (2 * v * (v + t2))
    return np.where(np.isfinite(v), out, 0.0)


def p_value(estimate: Any, variance: Any, *, tau: float) -> FloatArray:
    """The always-valid p-value for "no uplift", ``min(1, 1 / Lambda)``."""
    return np.minimum(1.0, np.exp(-log_mixture_ratio(estimate, variance, tau=tau)))


def half_width(variance: Any, *, alpha: float, tau: float) -> FloatArray:
    """Half the width of the always-valid ``1 - alpha`` interval for the uplift."""
    v = _arr(variance)
    t2 = tau * tau
    with np.errstate(invalid="ignore"):
        r2 = v * (v + t2) / t2 * (2 * np.log(1 / alpha) + np.log((v + t2) / v))
    return np.where(np.isfinite(v), np.sqrt(r2), np.inf)


def shrunk_uplift(estimate: Any, variance: Any, *, tau: float) -> FloatArray:
    """The uplift's posterior mean under the mixture prior: the estimate pulled towards 0 by
    ``tau^2 / (tau^2 + V)``, which offsets part of the optimism of a test stopped early."""
    v = _arr(variance)
    return np.where(np.isfinite(v), _arr(estimate) * tau * tau / (tau * tau + v), 0.0)


@dataclass(frozen=True)
class Comparison:
    """A challenger against the control: the observed uplift, the point estimate (the uplift
    shrunk by the mixture prior), its always-valid interval and p-value."""

    n_control: int
    conversions_control: int
    n_variant: int
    conversions_variant: int
    uplift: float
    estimate: float
    lower: float
    upper: float
    p_value: float
    alpha: float

    @property
    def significant(self) -> bool:
        """The interval leaves out 0 (same as ``p_value <= alpha``)."""
        return self.lower > 0 or self.upper < 0


def compare(
    conv_control: int,
    n_control: int,
    conv_variant: int,
    n_variant: int,
    *,
    alpha: float,
    tau: float = DEFAULT_MIXTURE_SD,
) -> Comparison:
    """The variant against the control at ``alpha`` (already split between comparisons)."""
    rate_c, rate_v = float(rates(conv_control, n_control)), float(rates(conv_variant, n_variant))
    estimate = rate_v - rate_c
    variance = uplift_variance(conv_control, n_control, conv_variant, n_variant)
    r = float(half_width(variance, alpha=alpha, tau=tau))
    return Comparison(
        n_control=n_control,
        conversions_control=conv_control,
        n_variant=n_variant,
        conversions_variant=conv_variant,
        uplift=estimate,
        estimate=float(shrunk_uplift(estimate, variance, tau=tau)),
        lower=max(-1.0, estimate - r),
        upper=min(1.0, estimate + r),
        p_value=float(p_value(estimate, variance, tau=tau)),
        alpha=alpha,
    )


#: What the page says of an experiment.
WINNER = "winner clear"
KEEP_RUNNING = "keep running"
STOPPED = "stopped"


@dataclass(frozen=True)
class Verdict:
    """The stop rule's answer: ``winner clear`` (naming the winner), ``keep running`` or
    ``stopped``."""

    state: str
    winner: str | None = None


def verdict(
    control: str,
    comparisons: dict[str, Comparison],
    *,
    min_sample: int,
    stopped: bool = False,
) -> Verdict:
    """The stop rule. Nothing is declared before every variant has ``min_sample`` closed cases
    (the normal approximation needs them). Then a challenger wins when its interval against the
    control lies above 0 (the best such one); the control wins when every challenger's interval
    lies below 0; otherwise keep running. Each comparison already runs at ``alpha / (k - 1)``,
    so with ``k`` variants the chance of declaring any winner when none is better stays at
    most ``alpha``.
    """
    if stopped:
        return Verdict(STOPPED)
    if not comparisons:
        return Verdict(KEEP_RUNNING)
    first = next(iter(comparisons.values()))
    if first.n_control < min_sample or any(c.n_variant < min_sample for c in comparisons.values()):
        return Verdict(KEEP_RUNNING)
    better = [(c.uplift, name) for name, c in comparisons.items() if c.lower > 0]
    if better:
        return Verdict(WINNER, max(better)[1])
    if all(c.upper < 0 for c in comparisons.values()):
        return Verdict(WINNER, control)
    return Verdict(KEEP_RUNNING)
