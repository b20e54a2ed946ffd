"""`critic2fan train` end to end on a small subset: adapter, heads, a scorer that loads them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scoring.base import TextInput
from scoring.default import DefaultScorer
from tests.cli_helpers import run_cli


@pytest.mark.slow
def test_train_command__writes_an_adapter_and_heads_a_scorer_can_load(tmp_path: Path) -> None:
    result = run_cli("train", "--limit", "40", "--out", str(tmp_path))
    assert result.code == 0, result.err
    report = json.loads(result.out.strip().splitlines()[-1])
    assert report["out"] == str(tmp_path)
    assert 0.0 <= report["validation"]["toxicity"]["roc_auc"] <= 1.0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "minilm-adapter.json",
        "minilm-adapter.npz",
        "minilm-heads.json",
        "minilm-heads.npz",
    ]
    scorer = DefaultScorer(heads_dir=tmp_path, threads=1)
    assert scorer.model_version.endswith("-limit40")
    assert scorer.encoder.adapter is not None
    (score,) = scorer.score([TextInput("thanks, the engineer fixed it")])
    assert 0.0 <= score.toxicity <= 1.0
