"""The stacked heads' plumbing: extra stacker inputs and the profanity filter."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import ScoringError
from scoring.heads import stack_extras
from scoring.profanity import profanity_logit


def test_stack_extras__names_what_it_cannot_compute() -> None:
    with pytest.raises(ScoringError, match="unknown extra stacker input 'weather'"):
        stack_extras(["weather"], ["x"])
    with pytest.raises(ScoringError, match="needs the sentiment head"):
        stack_extras(["sentiment"], ["x"])


def test_profanity_logit__swearing_scores_above_plain_text() -> None:
    texts = ["you stupid fucking idiot", "the router arrived on tuesday", "", "😡"]
    logits = profanity_logit(texts)
    assert logits.shape == (4, 1)
    assert np.isfinite(logits).all()
    assert logits[0, 0] > 2.0 > logits[1, 0]
    assert profanity_logit([]).shape == (0, 1)
