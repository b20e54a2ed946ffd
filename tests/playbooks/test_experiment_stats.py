"""The always-valid test: honest under continuous monitoring, and it finds a real uplift."""

from __future__ import annotations

import numpy as np
import pytest

from playbooks.experiments import stats

ALPHA = 0.05


def _monitor(seed: int, *, runs: int, critics: int, rate_a: float, rate_b: float) -> np.ndarray:
    """Whether each simulated experiment ever showed a winner, checked after every critic."""
    rng = np.random.default_rng(seed)
    to_b = rng.random((runs, critics)) < 0.5
    fan = rng.random((runs, critics)) < np.where(to_b, rate_b, rate_a)
    n_b = np.cumsum(to_b, axis=1)
    n_a = np.arange(1, critics + 1) - n_b
    conv_b, conv_a = np.cumsum(fan & to_b, axis=1), np.cumsum(fan & ~to_b, axis=1)
    est = stats.rates(conv_b, n_b) - stats.rates(conv_a, n_a)
    var = stats.uplift_variance(conv_a, n_a, conv_b, n_b)
    ready = (n_a >= 100) & (n_b >= 100)
    return (ready & (stats.p_value(est, var, tau=0.03) <= ALPHA)).any(axis=1)


def test_aa__false_positives_under_continuous_monitoring_stay_at_alpha() -> None:
    fired = _monitor(11, runs=600, critics=4_000, rate_a=0.2, rate_b=0.2)
    # at most alpha in truth; 600 runs leave about 0.01 of sampling error
    assert fired.mean() <= ALPHA + 0.02


def test_aa__a_naive_z_test_checked_as_often_would_not_be_honest() -> None:
    """The reason for the mixture: a fixed-sample test looked at every critic cries wolf."""
    rng = np.random.default_rng(5)
    runs, critics = 300, 4_000
    to_b = rng.random((runs, critics)) < 0.5
    fan = rng.random((runs, critics)) < 0.2
    n_b = np.cumsum(to_b, axis=1)
    n_a = np.arange(1, critics + 1) - n_b
    est = stats.rates(np.cumsum(fan & to_b, 1), n_b) - stats.rates(np.cumsum(fan & ~to_b, 1), n_a)
    var = stats.uplift_variance(np.cumsum(fan & ~to_b, 1), n_a, np.cumsum(fan & to_b, 1), n_b)
    ready = (n_a >= 100) & (n_b >= 100)
    naive = (ready & (np.abs(est) / np.sqrt(var) >= 1.96)).any(axis=1)
    assert naive.mean() > 2 * ALPHA


def test_strong_uplift__is_detected_early() -> None:
    fired = _monitor(12, runs=100, critics=4_000, rate_a=0.2, rate_b=0.35)
    assert fired.mean() >= 0.95


def test_compare__the_interval_leaves_out_zero_exactly_when_p_is_at_most_alpha() -> None:
    for fans_b in range(30, 90, 3):
        c = stats.compare(40, 200, fans_b, 200, alpha=ALPHA)
        assert c.lower <= c.uplift <= c.upper
        assert c.significant == (c.p_value <= ALPHA), (fans_b, c)


def test_compare__the_estimate_is_shrunk_towards_zero_and_the_interval_narrows_with_n() -> None:
    small = stats.compare(20, 100, 35, 100, alpha=ALPHA)
    large = stats.compare(200, 1000, 350, 1000, alpha=ALPHA)
    assert small.uplift == pytest.approx(0.15)
    assert 0 < small.estimate < small.uplift
    assert large.upper - large.lower < small.upper - small.lower
    assert large.significant and large.p_value < 1e-6


def test_compare__an_empty_arm_says_nothing() -> None:
    c = stats.compare(0, 0, 5, 10, alpha=ALPHA)
    assert c.p_value == 1.0 and (c.lower, c.upper) == (-1.0, 1.0)


def _c(uplift: float, lower: float, upper: float, n: int = 500) -> stats.Comparison:
    return stats.Comparison(n, 100, n, 100, uplift, uplift, lower, upper, 0.5, ALPHA)


def test_verdict__waits_for_min_sample_then_names_the_winner() -> None:
    better = {"brief": _c(0.1, 0.02, 0.18, n=50)}
    assert stats.verdict("warm", better, min_sample=100).state == stats.KEEP_RUNNING
    assert stats.verdict("warm", {"brief": _c(0.1, 0.02, 0.18)}, min_sample=100) == (
        stats.Verdict(stats.WINNER, "brief")
    )
    worse = {"brief": _c(-0.1, -0.18, -0.02), "short": _c(-0.08, -0.15, -0.01)}
    assert stats.verdict("warm", worse, min_sample=100) == stats.Verdict(stats.WINNER, "warm")
    unclear = {"brief": _c(-0.1, -0.18, -0.02), "short": _c(0.01, -0.05, 0.07)}
    assert stats.verdict("warm", unclear, min_sample=100).state == stats.KEEP_RUNNING
    stopped = stats.verdict("warm", better, min_sample=100, stopped=True)
    assert stopped.state == stats.STOPPED
