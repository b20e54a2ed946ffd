"""The sentence encoder: the int8 ONNX build, its fidelity to the checkpoint, and its fallback."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

import scoring.encoder as encoder_module
from core.errors import ScoringError
from scoring.base import TextInput
from scoring.default import DefaultScorer
from scoring.encoder import Encoder, default_model_path
from scoring.onnx_build import onnx_encoder_path, prune_cache, weights_fingerprint

TEXTS = [
    "@brightloop my internet has been down for three days, fix it",
    "thanks so much, the technician was great 🙌",
    "you are a pathetic moron",
    "lol ok",
]


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


def test_encoder__tokenizer_matches_the_checkpoints_own(default_scorer: DefaultScorer) -> None:
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(str(default_model_path()), local_files_only=True)
    texts = [*TEXTS, "x" * 3000, "خدمة العملاء سيئة", ""]
    expected = hf(texts, truncation=True, max_length=128)["input_ids"]
    assert default_scorer.encoder.token_ids(texts) == expected


def test_encoder__default_runs_the_int8_onnx_build(default_scorer: DefaultScorer) -> None:
    enc = default_scorer.encoder
    assert enc.backend == "onnx-int8"
    vectors = enc.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), Encoder.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


@pytest.mark.slow
def test_encoder__onnx_int8_stays_close_to_the_same_layers_in_fp32(
    default_scorer: DefaultScorer,
) -> None:
    ours = default_scorer.encoder
    reference = Encoder(backend="torch", quantize=False, threads=2, adapter=ours.adapter)
    assert reference.backend == "torch-fp32"
    ours.clear_cache()
    a, b = ours.encode(TEXTS), reference.encode(TEXTS)
    assert _cosines(a, b).min() > 0.98
    # ... and far from unrelated texts, so the check above could fail.
    assert _cosines(a[:1], b[2:3]).max() < 0.9


def test_encoder__runs_the_first_four_layers_of_the_checkpoint() -> None:
    import torch
    from transformers import AutoModel

    full = AutoModel.from_pretrained(str(default_model_path()), local_files_only=True).eval()
    enc = Encoder(backend="torch", quantize=False, threads=1)
    ids = enc.token_ids(TEXTS[:1])
    with torch.inference_mode():
        states = full(torch.tensor(ids), output_hidden_states=True).hidden_states
    fourth = torch.nn.functional.normalize(states[4].mean(1), dim=1).numpy()
    sixth = torch.nn.functional.normalize(states[6].mean(1), dim=1).numpy()
    ours = enc.encode(TEXTS[:1])
    assert np.allclose(ours, fourth, atol=1e-4)
    assert not np.allclose(ours, sixth, atol=1e-2)


def test_encoder__a_texts_embedding_does_not_depend_on_its_batch(
    default_scorer: DefaultScorer,
) -> None:
    enc = default_scorer.encoder
    enc.clear_cache()
    alone = enc.encode(TEXTS[:1])
    enc.clear_cache()
    together = enc.encode([TEXTS[2], "x " * 200, TEXTS[0]])
    assert np.array_equal(alone[0], together[2])


def test_encoder__odd_texts_embed_without_error(default_scorer: DefaultScorer) -> None:
    odd = ["", "   ", "😡😡😡", "x" * 10_000, "\ud800 lone surrogate", "\x00\x07 control"]
    vectors = default_scorer.encoder.encode(odd)
    assert vectors.shape == (len(odd), Encoder.dim)
    assert np.isfinite(vectors).all()


@pytest.mark.slow
def test_onnx_build__builds_once_into_the_cache_and_reuses_it(tmp_path: Path) -> None:
    model = default_model_path()
    folder = tmp_path / "onnx"
    folder.mkdir()
    month_ago = time.time() - 31 * 86400
    stale, recent = folder / "0123456789abcdef.onnx", folder / "fedcba9876543210.onnx"
    crashed = folder / ".build-crashed"
    for path in (stale, recent):
        path.write_bytes(b"an older build")
    crashed.mkdir()
    (crashed / "fp32.onnx").write_bytes(b"half a file")
    os.utime(stale, (month_ago, month_ago))
    os.utime(crashed, (month_ago, month_ago))

    first = onnx_encoder_path(model, tmp_path)
    assert first.is_file() and first.stat().st_size > 10_000_000
    assert first.name == f"{weights_fingerprint(model)}.onnx"
    assert not stale.exists() and not crashed.exists()  # pruned after the build
    assert recent.exists()  # used within the month: kept
    assert not [p for p in folder.iterdir() if p.name.startswith(".build-")]

    os.utime(first, (month_ago, month_ago))
    inode = first.stat().st_ino
    again = onnx_encoder_path(model, tmp_path)
    assert again == first and again.stat().st_ino == inode  # reused, not rebuilt
    assert again.stat().st_mtime > month_ago + 86400  # and marked as used


def test_onnx_build__pruning_keeps_the_current_build_and_skips_what_it_cannot_read(
    tmp_path: Path,
) -> None:
    current, other = tmp_path / "current.onnx", tmp_path / "other.onnx"
    for path in (current, other):
        path.write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not ours")
    later = time.time() + 365 * 86400
    assert prune_cache(tmp_path, keep=current, now=later) == [other]
    assert current.exists() and (tmp_path / "notes.txt").exists()
    assert prune_cache(tmp_path / "missing", keep=current) == []


def test_encoder__auto_falls_back_to_torch_when_onnx_cannot_be_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: object, **_kwargs: object) -> Path:
        raise ScoringError("exporting the encoder to ONNX failed: test")

    monkeypatch.setattr(encoder_module, "onnx_encoder_path", broken)
    enc = Encoder(threads=1)
    assert enc.backend == "torch-int8"
    assert enc.encode(TEXTS[:2]).shape == (2, Encoder.dim)
    with pytest.raises(ScoringError, match="ONNX encoder is not available"):
        Encoder(backend="onnx", threads=1)


def test_encoder__a_corrupt_onnx_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(ScoringError, match="cannot load the ONNX encoder"):
        encoder_module.OnnxBackend(bad, threads=1)


def test_onnx_build__an_unwritable_cache_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should go")
    with pytest.raises(ScoringError, match="set CRITIC2FAN_CACHE_DIR"):
        onnx_encoder_path(default_model_path(), blocker / "cache")


def test_load_scorer__builds_the_encoder_in_the_configured_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.config import ModelSettings
    from scoring.factory import load_scorer

    asked: list[Path | None] = []
    real = encoder_module.onnx_encoder_path

    def spy(model: Path, cache_dir: Path | None = None, adapter: object = None) -> Path:
        asked.append(cache_dir)
        return real(model, None, adapter)  # type: ignore[arg-type]

    monkeypatch.setattr(encoder_module, "onnx_encoder_path", spy)
    scorer = load_scorer(ModelSettings(threads=1, cache_dir=tmp_path / "models"))
    assert asked == [tmp_path / "models"]
    assert scorer.score([TextInput("ok")])[0].model_name == "minilm-stack"


def test_default_scorer__limits_numpys_blas_threads_but_not_torchs() -> None:
    import torch
    from threadpoolctl import threadpool_info

    from scoring.default import _single_threaded_blas

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        _single_threaded_blas()
        blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
        assert blas and all(pool["num_threads"] == 1 for pool in blas)
        assert torch.get_num_threads() == 2  # a hub model's matrix products keep their threads
    finally:
        torch.set_num_threads(before)
