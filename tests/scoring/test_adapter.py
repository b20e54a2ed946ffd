"""The encoder adapter: stored as arrays, merged exactly, fitted reproducibly, paired with heads."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from core.errors import ScoringError
from scoring.adapter import Adapter, load_adapter, merge_adapter, save_adapter
from scoring.data import Split
from scoring.finetune import TARGETS, FinetuneConfig, finetune_adapter
from scoring.heads import HEADS_DIR, load_heads, save_heads


def _toy_adapter(seed: int = 0) -> Adapter:
    rng = np.random.default_rng(seed)
    layers = {
        "encoder.layer.0.attention.self.query": (
            rng.normal(size=(2, 384)).astype(np.float32),
            rng.normal(size=(384, 2)).astype(np.float32),
        )
    }
    return Adapter(rank=2, scale=2.0, layers=layers, meta={"seed": seed})


def test_adapter__round_trips_through_npz_and_json(tmp_path: Path) -> None:
    adapter = _toy_adapter()
    save_adapter(adapter, tmp_path)
    loaded = load_adapter(tmp_path)
    assert loaded is not None
    assert loaded.digest() == adapter.digest() != _toy_adapter(1).digest()
    assert loaded.meta == {"seed": 0}
    assert load_adapter(tmp_path / "empty") is None


def test_adapter__a_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    save_adapter(_toy_adapter(), tmp_path)
    (tmp_path / "minilm-adapter.npz").write_bytes(b"garbage")
    with pytest.raises(ScoringError, match="cannot read the encoder adapter"):
        load_adapter(tmp_path)


def test_merge_adapter__adds_scale_times_b_a_to_the_named_layer() -> None:
    import torch

    from scoring.encoder import default_model_path
    from scoring.onnx_build import load_encoder_model

    plain = load_encoder_model(default_model_path())
    adapter = _toy_adapter()
    name = next(iter(adapter.layers))
    before = dict(plain.named_modules())[name].weight.detach().clone()
    merged = merge_adapter(plain, adapter)
    after = dict(merged.named_modules())[name].weight.detach()
    a, b = adapter.layers[name]
    assert torch.allclose(after - before, torch.from_numpy(b @ a) * 2.0, atol=1e-4)
    wrong = Adapter(2, 1.0, {"encoder.layer.0.intermediate.dense": adapter.layers[name]})
    with pytest.raises(ScoringError, match="does not fit layer"):
        merge_adapter(merged, wrong)


def test_heads__refuse_an_adapter_they_were_not_trained_with(tmp_path: Path) -> None:
    heads = load_heads(HEADS_DIR)
    save_heads(heads, tmp_path)
    assert load_heads(tmp_path).meta.get("adapter") == (
        heads.adapter.digest() if heads.adapter else None
    )
    save_adapter(_toy_adapter(7), tmp_path)
    with pytest.raises(ScoringError, match="were trained with"):
        load_heads(tmp_path)


@pytest.mark.slow
def test_finetune__a_tiny_run_is_reproducible_and_covers_every_target() -> None:
    texts = ["you are an idiot", "thanks for the help", "worst service ever", "ok fine"] * 6
    labels = [1, 0, 0, 0] * 6
    split = Split(texts, labels, [], [])
    sentiment = Split(texts, [0, 2, 0, 1] * 6, [], [])
    cfg = FinetuneConfig(rank=2, epochs=1, batch_size=8, sentiment_per_epoch=16, progress=False)
    first = finetune_adapter(sentiment, split, cfg)
    second = finetune_adapter(sentiment, split, cfg)
    assert first.digest() == second.digest()
    assert len(first.layers) == 4 * len(TARGETS)
    a, b = first.layers["encoder.layer.3.output.dense"]
    assert first.rank == 6 and first.meta["seeds"] == [cfg.seed, cfg.seed + 1, cfg.seed + 2]
    assert a.shape == (6, 1536) and b.shape == (384, 6)  # three rank-2 members, averaged
    assert np.abs(b).max() > 0  # B starts at zero: training moved it
    single = finetune_adapter(sentiment, split, replace(cfg, members=1))
    assert single.rank == 2 and single.layers[next(iter(single.layers))][0].shape[0] == 2


def test_average_adapters__the_merged_update_is_the_mean_of_the_members() -> None:
    from scoring.adapter import average_adapters

    members = [_toy_adapter(seed) for seed in (1, 2, 3)]
    soup = average_adapters(members)
    assert soup.rank == sum(m.rank for m in members)
    for name in soup.layers:
        a, b = soup.layers[name]
        want = np.mean([mb @ ma for ma, mb in (m.layers[name] for m in members)], axis=0)
        assert np.allclose(b @ a, want, atol=1e-5)
    other_scale = replace(members[0], scale=members[0].scale * 2)
    with pytest.raises(ScoringError, match="same layers and scale"):
        average_adapters([members[0], other_scale])
    with pytest.raises(ScoringError, match="at least one"):
        average_adapters([])


def test_training_rows__adapter_and_stackers_never_share_a_row() -> None:
    from scoring.data import in_adapter_part, subset
    from scoring.train import _stacker_rows

    texts = [f"mention number {i}" for i in range(2000)]
    part = [in_adapter_part(t) for t in texts]
    assert 0.55 < sum(part) / len(texts) < 0.65  # about 60% go to the adapter
    assert part == [in_adapter_part(t) for t in texts]  # a stable hash, not a random draw
    keep = _stacker_rows(texts, adapted=True)
    assert not np.any(keep & np.array(part))
    assert _stacker_rows(texts, adapted=False).all()  # no adapter: the stacker sees every row
    split = Split(texts, [0] * len(texts), ["v"], [1])
    adapter_rows = subset(split, part)
    assert len(adapter_rows.train_texts) == sum(part) and adapter_rows.val_texts == ["v"]
