"""Small stacked heads over MiniLM embeddings and hashed n-grams, stored as plain arrays.

A task (sentiment, toxicity) is a few *base* models whose log-odds feed a linear *stacker*:

* ``hashed_linear``: logistic regression on hashed word / character n-grams (sublinear tf,
  L2-normalised; ``scoring.ngrams``). Hashing needs no vocabulary, so only the strongest
  coefficients are kept (indices + float16 weights), which keeps the file small.
* ``emb_linear`` / ``emb_mlp``: logistic regression or a one-hidden-layer MLP on the embedding.

A stacker may also read *extra inputs* computed outside the heads (another task's
log-probabilities, the profanity filter's logit); the caller passes them by name.

Everything lives in one ``.npz`` (arrays) and one ``.json`` (structure, provenance, metrics):
no pickles, so loading a head never executes code from a file.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import ScoringError
from scoring.adapter import ADAPTER_STEM, Adapter, load_adapter, save_adapter
from scoring.ngrams import ngram_matrix

log = logging.getLogger(__name__)

HEADS_DIR = Path(__file__).resolve().parent / "heads"
#: Characters of a text the n-gram models read (the encoder reads its first 128 tokens).
MAX_CHARS = 5000


def hashed_features(texts: Sequence[str], analyzers: list[dict[str, Any]]) -> Any:
    """Sublinear-tf, L2-normalised hashed n-gram counts for ``texts`` (a CSR matrix)."""
    return ngram_matrix(texts, analyzers, max_chars=MAX_CHARS)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def link(raw: np.ndarray, kind: str) -> np.ndarray:
    """Turn raw scores into the stacker's inputs: log-probabilities or a binary logit."""
    return _log_softmax(raw) if kind == "softmax" else raw


@dataclass
class BaseModel:
    """One base model of a task; ``arrays`` are its weights."""

    name: str
    kind: str
    link: str
    arrays: dict[str, np.ndarray]
    analyzers: list[dict[str, Any]] = field(default_factory=list)
    _weights: np.ndarray | None = field(default=None, repr=False)

    def raw(self, texts: Sequence[str], emb: np.ndarray) -> np.ndarray:
        """Raw scores (pre-link) for a batch."""
        a = self.arrays
        if self.kind == "hashed_linear":
            features = hashed_features(texts, self.analyzers)
            return np.asarray(features @ self._dense()) + a["bias"]
        if self.kind == "emb_linear":
            return emb @ a["w"].astype(np.float32) + a["b"]
        if self.kind == "emb_mlp":
            hidden = np.maximum(emb @ a["w1"].astype(np.float32) + a["b1"], 0.0)
            return hidden @ a["w2"].astype(np.float32) + a["b2"]
        raise ScoringError(f"unknown head kind {self.kind!r}")

    def _dense(self) -> np.ndarray:
        """The pruned coefficients scattered into a dense (width, classes) matrix, built once."""
        if self._weights is None:
            a = self.arrays
            weights = np.zeros((int(a["width"][0]), a["coef"].shape[1]), dtype=np.float32)
            idx = np.cumsum(a["idx_delta"].astype(np.int64))
            weights[idx] = a["coef"].astype(np.float32)
            self._weights = weights
        return self._weights


def stack_extras(
    names: Sequence[str], texts: Sequence[str], sentiment: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """The extra stacker inputs ``names`` for ``texts``: ``sentiment`` (log-probabilities from
    the sentiment head's output ``sentiment``) and ``profanity`` (the filter's logit)."""
    extras: dict[str, np.ndarray] = {}
    for name in names:
        if name == "sentiment":
            if sentiment is None:
                raise ScoringError("the sentiment extra input needs the sentiment head's output")
            extras[name] = np.log(np.clip(sentiment, 1e-6, 1.0))
        elif name == "profanity":
            from scoring.profanity import profanity_logit

            extras[name] = profanity_logit(texts)
        else:
            raise ScoringError(f"unknown extra stacker input {name!r}")
    return extras


@dataclass
class TaskHead:
    """Base models plus a linear stacker for one task."""

    name: str
    classes: list[str]
    bases: list[BaseModel]
    stack_w: np.ndarray
    stack_b: np.ndarray
    stack_link: str
    extra_inputs: list[str] = field(default_factory=list)

    def stack_inputs(
        self, texts: Sequence[str], emb: np.ndarray, extras: dict[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """The stacker's input matrix: each base's linked scores, then any extra features."""
        parts = [link(b.raw(texts, emb), b.link) for b in self.bases]
        given = extras or {}
        missing = [name for name in self.extra_inputs if name not in given]
        if missing:
            raise ScoringError(f"the {self.name} head needs the extra inputs {missing}")
        parts += [given[name] for name in self.extra_inputs]
        return np.hstack(parts).astype(np.float32)

    def predict(
        self, texts: Sequence[str], emb: np.ndarray, extras: dict[str, np.ndarray] | None = None
    ) -> np.ndarray:
        """Class probabilities (softmax) or the positive-class probability (sigmoid)."""
        z = self.stack_inputs(texts, emb, extras) @ self.stack_w + self.stack_b
        if self.stack_link == "softmax":
            return np.exp(_log_softmax(z))
        return 1.0 / (1.0 + np.exp(-z[:, 0]))


@dataclass
class Heads:
    """All task heads plus their provenance, and the encoder adapter they were trained with."""

    version: str
    tasks: dict[str, TaskHead]
    meta: dict[str, Any]
    adapter: Adapter | None = None


def save_heads(heads: Heads, folder: Path, stem: str = "minilm-heads") -> tuple[Path, Path]:
    """Write ``<stem>.npz`` (compressed arrays) and ``<stem>.json`` (structure and provenance)."""
    folder.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    spec: dict[str, Any] = {"version": heads.version, "meta": heads.meta, "tasks": {}}
    for tname, task in heads.tasks.items():
        arrays[f"{tname}/stack_w"] = task.stack_w.astype(np.float32)
        arrays[f"{tname}/stack_b"] = task.stack_b.astype(np.float32)
        bases = []
        for base in task.bases:
            for key, value in base.arrays.items():
                arrays[f"{tname}/{base.name}/{key}"] = value
            bases.append(
                {
                    "name": base.name,
                    "kind": base.kind,
                    "link": base.link,
                    "analyzers": base.analyzers,
                    "arrays": sorted(base.arrays),
                }
            )
        spec["tasks"][tname] = {
            "classes": task.classes,
            "bases": bases,
            "stack_link": task.stack_link,
            "extra_inputs": task.extra_inputs,
        }
    spec["meta"] = {**heads.meta, "adapter": heads.adapter.digest() if heads.adapter else None}
    npz, js = folder / f"{stem}.npz", folder / f"{stem}.json"
    # numpy's stub reads ** as its keyword-only allow_pickle flag; every value here is an array
    np.savez_compressed(npz, **arrays)  # type: ignore[arg-type]
    js.write_text(json.dumps(spec, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if heads.adapter is not None:
        save_adapter(heads.adapter, folder)
    else:  # never leave another training run's adapter beside these heads
        for stale in folder.glob(f"{ADAPTER_STEM}.*"):
            stale.unlink()
    return npz, js


def load_heads(folder: Path = HEADS_DIR, stem: str = "minilm-heads") -> Heads:
    """Read heads written by ``save_heads`` (arrays only; ``allow_pickle`` stays off)."""
    npz, js = folder / f"{stem}.npz", folder / f"{stem}.json"
    try:
        spec = json.loads(js.read_text(encoding="utf-8"))
        with np.load(npz, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError, KeyError) as exc:
        raise ScoringError(f"cannot read the model heads in {folder}: {exc}") from exc
    tasks: dict[str, TaskHead] = {}
    for tname, t in spec["tasks"].items():
        bases = [
            BaseModel(
                name=b["name"],
                kind=b["kind"],
                link=b["link"],
                analyzers=b["analyzers"],
                arrays={k: arrays[f"{tname}/{b['name']}/{k}"] for k in b["arrays"]},
            )
            for b in t["bases"]
        ]
        tasks[tname] = TaskHead(
            name=tname,
            classes=t["classes"],
            bases=bases,
            stack_w=arrays[f"{tname}/stack_w"],
            stack_b=arrays[f"{tname}/stack_b"],
            stack_link=t["stack_link"],
            extra_inputs=t.get("extra_inputs", []),
        )
    meta = spec.get("meta", {})
    adapter = load_adapter(folder)
    expected = meta.get("adapter")
    if (adapter.digest() if adapter else None) != expected:
        raise ScoringError(
            f"the model heads in {folder} were trained with "
            + (f"encoder adapter {expected}" if expected else "no encoder adapter")
            + (
                f", but adapter {adapter.digest()} is beside them"
                if adapter
                else ", which is missing"
            )
        )
    return Heads(version=spec["version"], tasks=tasks, meta=meta, adapter=adapter)
