"""``critic2fan train`` machinery on a small subset: reproducible heads that load and score."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scoring.default import DefaultScorer
from scoring.heads import load_heads, save_heads
from scoring.train import TrainConfig, _stacker_cv, train_heads


@pytest.mark.slow
def test_train__small_subset_gives_loadable_reproducible_heads(
    tmp_path: Path, default_scorer: DefaultScorer
) -> None:
    cfg = TrainConfig(
        limit=300,
        folds=2,
        sent_keep=500,
        tox_word_keep=300,
        tox_char_keep=300,
        mlp_hidden=16,
        progress=False,
    )
    heads, metrics = train_heads(cfg, encoder=default_scorer.encoder)
    again, _ = train_heads(cfg, encoder=default_scorer.encoder)
    save_heads(heads, tmp_path)
    loaded = load_heads(tmp_path)
    assert loaded.version == heads.version
    assert 0.0 <= metrics["sentiment"]["macro_f1"] <= 1.0
    assert 0.0 <= metrics["toxicity"]["roc_auc"] <= 1.0
    for task, key in (("sentiment", "cv_macro_f1"), ("toxicity", "cv_roc_auc")):
        assert 0 < metrics[task]["cv_rows"] < metrics[task]["train_rows"]  # adapter rows left out
        assert 0.0 <= metrics[task][key] <= 1.0
    texts = ["@brightloop this is awful", "thanks, great help"]
    emb = default_scorer.encoder.encode(texts)
    p1 = loaded.tasks["sentiment"].predict(texts, emb)
    p2 = again.tasks["sentiment"].predict(texts, emb)
    assert np.allclose(p1, p2, atol=1e-3)
    assert np.allclose(p1.sum(axis=1), 1.0, atol=1e-4)
    assert loaded.adapter is not None  # the encoder's adapter travels with its heads
    assert loaded.adapter.digest() == default_scorer.encoder.adapter.digest()  # type: ignore[union-attr]
    heads_size = sum(p.stat().st_size for p in tmp_path.glob("minilm-heads.*"))
    adapter_size = sum(p.stat().st_size for p in tmp_path.glob("minilm-adapter.*"))
    assert heads_size < 400_000
    assert adapter_size < 1_500_000  # three rank-8 adapters, averaged


def test_stacker_cv__scores_each_row_with_a_stacker_that_never_saw_it() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(7)
    noise, labels = rng.normal(size=(120, 40)), rng.integers(0, 2, size=120)
    in_sample = LogisticRegression(max_iter=2000).fit(noise, labels).decision_function(noise)
    held_out = _stacker_cv(noise, labels, seed=1, folds=5)[:, 0]
    assert roc_auc_score(labels, in_sample) > 0.75  # fitting its own rows looks good
    assert roc_auc_score(labels, held_out) < 0.7  # held out, noise reads as noise

    signal = labels[:, None] + 0.3 * rng.normal(size=(120, 2))
    assert roc_auc_score(labels, _stacker_cv(signal, labels, seed=1, folds=5)[:, 0]) > 0.95
    three = rng.integers(0, 3, size=90)
    assert _stacker_cv(rng.normal(size=(90, 3)), three, seed=1, folds=3).shape == (90, 3)
