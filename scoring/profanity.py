"""A cheap second opinion on offensive language: the ``alt-profanity-check`` package.

Its linear model was trained by its authors on far more labelled comments than our insult data
holds (hate-speech and toxic-comment sets), so its score adds vocabulary our heads never saw.
Alone it reads insults poorly (validation ROC AUC 0.81: it flags swearing, not attacks); as
one input of the toxicity stacker it adds about half a point. It costs ~0.02 ms per text.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from core.errors import ScoringError


@cache
def _predictor() -> Any:
    """The package's predict function, imported once (its model loads on import)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from profanity_check import predict_prob
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ScoringError("the package alt-profanity-check is not installed") from exc
    return predict_prob


def profanity_logit(texts: Sequence[str]) -> np.ndarray:
    """The package's offensive-language probability as a clipped logit, shape ``(n, 1)``."""
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    p = np.clip(np.asarray(_predictor()(list(texts)), dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p)).astype(np.float32)[:, None]
