"""Low-rank adapters (LoRA) for the encoder: stored as plain arrays, merged before it runs.

The bundled encoder is MiniLM's first four layers *plus* a small adapter fitted on our two
tasks (``scoring.finetune``): for each adapted Linear layer ``W``, two thin matrices ``A``
(rank x in) and ``B`` (out x rank) with ``W' = W + scale * B @ A``. The shipped adapter is
three fitted ones averaged (``average_adapters``), 1.2 MB, so it ships in the repo beside the
heads; the merged network is what ``scoring.onnx_build`` exports and quantizes, so running it
costs nothing extra.

Stored as ``<stem>.npz`` (arrays, no pickles) + ``<stem>.json`` (rank, scale, provenance).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import ScoringError

ADAPTER_DIR = Path(__file__).resolve().parent / "heads"
ADAPTER_STEM = "minilm-adapter"


@dataclass
class Adapter:
    """``layers`` maps a Linear module's dotted name to its ``(A, B)`` pair."""

    rank: int
    scale: float
    layers: dict[str, tuple[np.ndarray, np.ndarray]]
    meta: dict[str, Any] = field(default_factory=dict)

    def digest(self) -> str:
        """A short fingerprint of the weights (it names the built ONNX file)."""
        h = hashlib.sha256(f"{self.rank}:{self.scale}".encode())
        for name in sorted(self.layers):
            a, b = self.layers[name]
            h.update(name.encode())
            h.update(np.ascontiguousarray(a, dtype=np.float16).tobytes())
            h.update(np.ascontiguousarray(b, dtype=np.float16).tobytes())
        return h.hexdigest()[:16]


def to_float16(adapter: Adapter) -> Adapter:
    """The adapter rounded to float16, exactly as ``save_adapter`` stores it (so what was
    trained on and what is loaded later build the same encoder)."""
    layers = {
        name: (a.astype(np.float16).astype(np.float32), b.astype(np.float16).astype(np.float32))
        for name, (a, b) in adapter.layers.items()
    }
    return Adapter(adapter.rank, adapter.scale, layers, dict(adapter.meta))


def average_adapters(adapters: list[Adapter], meta: dict[str, Any] | None = None) -> Adapter:
    """One adapter whose update is the mean of the others' (a "model soup" of the deltas).

    ``mean_i(scale * B_i @ A_i)`` is itself low-rank: stack the ``A`` rows and the ``B``
    columns (the ranks add up) and divide ``B`` by the count. Merged, it costs nothing extra.
    """
    if not adapters:
        raise ScoringError("averaging needs at least one adapter")
    first = adapters[0]
    if any(a.scale != first.scale or set(a.layers) != set(first.layers) for a in adapters):
        raise ScoringError("only adapters with the same layers and scale can be averaged")
    k = len(adapters)
    layers = {
        name: (
            np.vstack([a.layers[name][0] for a in adapters]),
            np.hstack([a.layers[name][1] for a in adapters]) / np.float32(k),
        )
        for name in first.layers
    }
    rank = sum(a.rank for a in adapters)
    return Adapter(rank, first.scale, layers, dict(meta if meta is not None else first.meta))


def save_adapter(adapter: Adapter, folder: Path = ADAPTER_DIR, stem: str = ADAPTER_STEM) -> Path:
    """Write ``<stem>.npz`` + ``<stem>.json``; returns the ``.npz`` path."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    for name, (a, b) in adapter.layers.items():  # float16 halves the file; see ``to_float16``
        arrays[f"{name}/A"] = a.astype(np.float16)
        arrays[f"{name}/B"] = b.astype(np.float16)
    npz = folder / f"{stem}.npz"
    # numpy's stub reads ** as its keyword-only allow_pickle flag; every value here is an array
    np.savez_compressed(npz, **arrays)  # type: ignore[arg-type]
    spec = {
        "rank": adapter.rank,
        "scale": adapter.scale,
        "layers": sorted(adapter.layers),
        "meta": adapter.meta,
    }
    (folder / f"{stem}.json").write_text(json.dumps(spec, indent=2, sort_keys=True) + "\n")
    return npz


def load_adapter(folder: Path = ADAPTER_DIR, stem: str = ADAPTER_STEM) -> Adapter | None:
    """The adapter in ``folder``, or None when there is none (the plain encoder then runs)."""
    npz, js = folder / f"{stem}.npz", folder / f"{stem}.json"
    if not npz.is_file() and not js.is_file():
        return None
    try:
        spec = json.loads(js.read_text(encoding="utf-8"))
        with np.load(npz, allow_pickle=False) as data:
            layers = {
                name: (
                    data[f"{name}/A"].astype(np.float32),
                    data[f"{name}/B"].astype(np.float32),
                )
                for name in spec["layers"]
            }
        return Adapter(int(spec["rank"]), float(spec["scale"]), layers, spec.get("meta", {}))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ScoringError(f"cannot read the encoder adapter in {folder}: {exc}") from exc


def merge_adapter(model: Any, adapter: Adapter) -> Any:
    """Add ``scale * B @ A`` to each adapted Linear layer's weight, in place."""
    import torch

    modules = dict(model.named_modules())
    with torch.no_grad():
        for name, (a, b) in adapter.layers.items():
            linear = modules.get(name)
            weight = getattr(linear, "weight", None)
            delta = torch.from_numpy(b.astype(np.float32) @ a.astype(np.float32)) * adapter.scale
            if weight is None or tuple(weight.shape) != tuple(delta.shape):
                raise ScoringError(f"the encoder adapter does not fit layer {name!r}")
            weight += delta.to(weight.dtype)
    return model
