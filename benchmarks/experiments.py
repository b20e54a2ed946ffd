"""Template experiments: is the always-valid test honest under continuous monitoring?

Simulates monitored experiments with the statistics the board uses
(:mod:`playbooks.experiments.stats`): each run sends 20,000 critics (``--quick``: 5,000), one at
a time, to a control and a variant at random, and each critic becomes a fan with the arm's
rate (control 20 %; the variant 3 points more in the runs with an uplift, the same in the A/A
runs). After every critic the test is checked; a run stops at the first "winner clear" (both
arms past ``min_sample``), else at the end. 200 runs of each (``--quick``: 100), seeded.

Prints one JSON object as its last line: ``true_uplift``; ``estimated_uplift`` (the mean over
the uplift runs of the point estimate the board shows at the stop, the observed uplift shrunk
by the mixture prior; ``estimated_uplift_raw``: the observed difference of rates, which a test
stopped early overstates); ``ci_coverage`` (the share of uplift runs whose always-valid
interval at the stop holds the true uplift); ``detected`` (the share of uplift runs that found
the winner); ``aa_false_positive_rate`` (the share of A/A runs that ever declared a winner);
``median_stop_n`` (critics seen at the stop over the uplift runs, 20,000 for a run that never
stopped).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playbooks.experiments import stats  # noqa: E402

BASE_RATE = 0.20
TRUE_UPLIFT = 0.03
ALPHA = 0.05
MIN_SAMPLE = 100
#: Runs simulated at once (memory: a few arrays of CHUNK x critics floats).
CHUNK = 50


def simulate(
    rng: np.random.Generator, *, runs: int, critics: int, uplift: float, tau: float
) -> dict[str, np.ndarray]:
    """Monitor ``runs`` experiments critic by critic; what each showed when it stopped."""
    stop_n, estimate, lower, upper, shrunk, fired = [], [], [], [], [], []
    for start in range(0, runs, CHUNK):
        r = min(CHUNK, runs - start)
        to_b = rng.random((r, critics)) < 0.5
        fan = rng.random((r, critics)) < np.where(to_b, BASE_RATE + uplift, BASE_RATE)
        n_b = np.cumsum(to_b, axis=1)
        n_a = np.arange(1, critics + 1) - n_b
        conv_b = np.cumsum(fan & to_b, axis=1)
        conv_a = np.cumsum(fan & ~to_b, axis=1)
        est = stats.rates(conv_b, n_b) - stats.rates(conv_a, n_a)
        var = stats.uplift_variance(conv_a, n_a, conv_b, n_b)
        p = stats.p_value(est, var, tau=tau)
        ready = (n_a >= MIN_SAMPLE) & (n_b >= MIN_SAMPLE)
        hit = ready & (p <= ALPHA)
        any_hit = hit.any(axis=1)
        at = np.where(any_hit, hit.argmax(axis=1), critics - 1)
        rows = np.arange(r)
        e, v = est[rows, at], var[rows, at]
        half = stats.half_width(v, alpha=ALPHA, tau=tau)
        stop_n.append(at + 1)
        estimate.append(e)
        lower.append(e - half)
        upper.append(e + half)
        shrunk.append(stats.shrunk_uplift(e, v, tau=tau))
        fired.append(any_hit)
    return {
        "stop_n": np.concatenate(stop_n),
        "estimate": np.concatenate(estimate),
        "lower": np.concatenate(lower),
        "upper": np.concatenate(upper),
        "shrunk": np.concatenate(shrunk),
        "fired": np.concatenate(fired),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer and shorter runs")
    parser.add_argument("--runs", type=int, default=None, help="runs of each kind (default 200)")
    parser.add_argument("--critics", type=int, default=None, help="critics per run")
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--tau", type=float, default=stats.DEFAULT_MIXTURE_SD)
    args = parser.parse_args()
    runs = args.runs or (100 if args.quick else 200)
    critics = args.critics or (5_000 if args.quick else 20_000)
    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    lift = simulate(rng, runs=runs, critics=critics, uplift=TRUE_UPLIFT, tau=args.tau)
    aa = simulate(rng, runs=runs, critics=critics, uplift=0.0, tau=args.tau)
    covered = (lift["lower"] <= TRUE_UPLIFT) & (lift["upper"] >= TRUE_UPLIFT)
    result = {
        "runs": runs,
        "critics": critics,
        "base_rate": BASE_RATE,
        "alpha": ALPHA,
        "tau": args.tau,
        "min_sample": MIN_SAMPLE,
        "true_uplift": TRUE_UPLIFT,
        "estimated_uplift": round(float(lift["shrunk"].mean()), 4),
        "estimated_uplift_raw": round(float(lift["estimate"].mean()), 4),
        "ci_coverage": round(float(covered.mean()), 4),
        "detected": round(float(lift["fired"].mean()), 4),
        "aa_false_positive_rate": round(float(aa["fired"].mean()), 4),
        "aa_ci_coverage": round(float(((aa["lower"] <= 0) & (aa["upper"] >= 0)).mean()), 4),
        "median_stop_n": int(np.median(lift["stop_n"])),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
