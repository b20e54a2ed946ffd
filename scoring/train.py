"""Reproduce the bundled heads from the public data, from scratch, with a fixed seed.

Sentiment: a hashed word+char n-gram logistic regression and an MLP on the MiniLM embedding,
stacked by a logistic regression trained on their out-of-fold predictions. Toxicity: three
base models (logistic regressions on the embedding, on word n-grams and on char n-grams)
stacked together with the sentiment head's log-probabilities and the profanity filter's logit.
Model choices were made on our own validation split only (``scoring.data``); the reserved
evaluation rows are dropped before anything here sees data.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from scoring.data import (
    SENTIMENT_LABELS,
    Split,
    in_adapter_part,
    load_insults,
    load_sentiment,
    subset,
)
from scoring.finetune import FinetuneConfig, finetune_adapter
from scoring.heads import (
    HEADS_DIR,
    BaseModel,
    Heads,
    TaskHead,
    hashed_features,
    save_heads,
    stack_extras,
)
from scoring.onnx_build import ENCODER_LAYERS

log = logging.getLogger(__name__)

SEED = 20240611
FOLDS = 5
SENT_NGRAMS = [
    {"analyzer": "word", "ngram": [1, 2], "n_features": 2**17},
    {"analyzer": "char", "ngram": [2, 5], "n_features": 2**17},
]
TOX_WORD = [{"analyzer": "word", "ngram": [1, 3], "n_features": 2**17}]
TOX_CHAR = [{"analyzer": "char", "ngram": [1, 6], "n_features": 2**17}]
#: Inputs the toxicity stacker reads beside its base models (``scoring.heads.stack_extras``).
TOX_EXTRAS = ("sentiment", "profanity")


@dataclass
class TrainConfig:
    """Knobs for a training run; defaults reproduce the shipped heads."""

    seed: int = SEED
    folds: int = FOLDS
    sent_keep: int = 40_000
    tox_word_keep: int = 12_000
    tox_char_keep: int = 12_000
    mlp_hidden: int = 128
    limit: int | None = None  # rows per task (smoke tests)
    progress: bool = True
    embed_cache: Path | None = None
    #: Fit the encoder adapter first (``scoring.finetune``); None keeps the plain encoder.
    finetune: FinetuneConfig | None = field(default_factory=FinetuneConfig)
    meta: dict[str, Any] = field(default_factory=dict)


def _seed_all(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _limit(split: Split, n: int | None) -> Split:
    """An evenly strided subset (the corpora are sorted by label, so never just the head)."""
    if n is None:
        return split
    nv = max(50, n // 5)
    ts = max(1, len(split.train_texts) // n)
    vs = max(1, len(split.val_texts) // nv)
    return Split(
        split.train_texts[::ts][:n],
        split.train_labels[::ts][:n],
        split.val_texts[::vs][:nv],
        split.val_labels[::vs][:nv],
    )


def _embed(encoder: Any, texts: list[str], cfg: TrainConfig, tag: str) -> np.ndarray:
    adapter = getattr(encoder, "adapter", None)
    recipe = f"{_encoder_description(encoder)}:{adapter.digest() if adapter else ''}\n"
    key = hashlib.sha256((recipe + "\n".join(texts)).encode()).hexdigest()[:16]
    cached = cfg.embed_cache / f"{tag}-{key}.npy" if cfg.embed_cache else None
    if cached is not None and cached.is_file():
        return np.load(cached)
    from tqdm import tqdm

    chunks = [texts[i : i + 512] for i in range(0, len(texts), 512)]
    parts = [encoder.encode(c) for c in tqdm(chunks, desc=f"embed {tag}", disable=not cfg.progress)]
    emb = np.vstack(parts) if parts else np.zeros((0, encoder.dim), np.float32)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        np.save(cached, emb)
    return emb


# --- base model fitting: each returns (BaseModel, fit function used for out-of-fold) ------------


def _fit_hashed(
    texts: Sequence[str],
    y: np.ndarray,
    analyzers: list[dict[str, Any]],
    c: float,
    keep: int,
    name: str,
    binary: bool,
) -> BaseModel:
    from sklearn.linear_model import LogisticRegression

    x = hashed_features(texts, analyzers)
    model = LogisticRegression(C=c, max_iter=3000).fit(x, y)
    coef = model.coef_.T  # (width, classes or 1)
    top = np.sort(np.argsort(-np.abs(coef).max(axis=1))[:keep])
    arrays = {
        "idx_delta": np.diff(top, prepend=0).astype(np.uint32),  # sorted: deltas zip well
        "coef": coef[top].astype(np.float16),
        "bias": model.intercept_.astype(np.float32),
        "width": np.array([x.shape[1]], dtype=np.int64),
    }
    return BaseModel(name, "hashed_linear", "logit" if binary else "softmax", arrays, analyzers)


def _fit_emb_linear(emb: np.ndarray, y: np.ndarray, c: float, name: str, binary: bool) -> BaseModel:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=3000).fit(emb, y)
    arrays = {"w": model.coef_.T.astype(np.float16), "b": model.intercept_.astype(np.float32)}
    return BaseModel(name, "emb_linear", "logit" if binary else "softmax", arrays)


def _fit_emb_mlp(emb: np.ndarray, y: np.ndarray, hidden: int, seed: int, name: str) -> BaseModel:
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        hidden_layer_sizes=(hidden,),
        alpha=1e-3,
        early_stopping=True,
        random_state=seed,
        max_iter=200,
    ).fit(emb, y)
    (w1, w2), (b1, b2) = model.coefs_, model.intercepts_
    arrays = {
        "w1": w1.astype(np.float16),
        "b1": b1.astype(np.float32),
        "w2": w2.astype(np.float16),
        "b2": b2.astype(np.float32),
    }
    return BaseModel(name, "emb_mlp", "softmax", arrays)


Fitter = Callable[[list[str], np.ndarray, np.ndarray], BaseModel]


def _stack(
    fitters: list[Fitter],
    texts: list[str],
    emb: np.ndarray,
    y: np.ndarray,
    cfg: TrainConfig,
    desc: str,
) -> tuple[list[BaseModel], np.ndarray]:
    """Fit each base on all data, and collect its out-of-fold linked scores for the stacker."""
    from sklearn.model_selection import StratifiedKFold
    from tqdm import tqdm

    from scoring.heads import link

    folds = list(StratifiedKFold(cfg.folds, shuffle=True, random_state=cfg.seed).split(emb, y))
    bases: list[BaseModel] = []
    oof_parts: list[np.ndarray] = []
    steps = tqdm(total=len(fitters) * (cfg.folds + 1), desc=desc, disable=not cfg.progress)
    for fit in fitters:
        oof: np.ndarray | None = None
        for tr, te in folds:
            model = fit([texts[i] for i in tr], emb[tr], y[tr])
            sub = [texts[i] for i in te]
            scores = link(model.raw(sub, emb[te]), model.link)
            if oof is None:
                oof = np.zeros((len(y), scores.shape[1]), dtype=np.float32)
            oof[te] = scores
            steps.update()
        bases.append(fit(texts, emb, y))
        steps.update()
        assert oof is not None
        oof_parts.append(oof)
    steps.close()
    return bases, np.hstack(oof_parts)


def _adapter_part(split: Split) -> Split:
    return subset(split, [in_adapter_part(t) for t in split.train_texts])


def _stacker_rows(texts: list[str], adapted: bool) -> np.ndarray:
    """Rows the stacker may learn from: with an adapter, only those it did not learn from."""
    keep = np.array([not (adapted and in_adapter_part(t)) for t in texts], dtype=bool)
    return keep if keep.any() else np.ones(len(texts), dtype=bool)


def _stacker_model() -> Any:
    """The stacker's estimator (one definition for the shipped fit and its cross-validation)."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, max_iter=2000)


def _fit_stacker(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    model = _stacker_model().fit(x, y)
    return model.coef_.T.astype(np.float32), model.intercept_.astype(np.float32)


def _stacker_cv(x: np.ndarray, y: np.ndarray, seed: int, folds: int) -> np.ndarray:
    """Cross-validated stacker scores on the stacker's rows: a second honest estimate beside
    the validation split. Every score comes from a stacker, base models and an embedding that
    never saw that row (its base inputs are out-of-fold, and the adapter skipped it)."""
    from sklearn.model_selection import StratifiedKFold

    counts = np.bincount(y)
    folds = min(folds, int(counts[counts > 0].min()))
    scores = np.zeros((len(y), len(counts) if len(counts) > 2 else 1), dtype=np.float64)
    if folds < 2:
        return scores
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
        raw = _stacker_model().fit(x[tr], y[tr]).decision_function(x[te])
        scores[te] = raw.reshape(len(te), -1)
    return scores


def train_heads(cfg: TrainConfig | None = None, *, encoder: Any = None) -> tuple[Heads, dict]:
    """Train both task heads; returns them and the validation metrics on our own split."""
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

    from scoring.encoder import Encoder

    cfg = cfg or TrainConfig()
    _seed_all(cfg.seed)
    sent = _limit(load_sentiment(), cfg.limit)
    ins = _limit(load_insults(), cfg.limit)
    if encoder is None:
        adapter = None
        if cfg.finetune is not None:
            tune = replace(cfg.finetune, seed=cfg.seed, progress=cfg.progress)
            adapter = finetune_adapter(_adapter_part(sent), _adapter_part(ins), tune)
        encoder = Encoder(threads=2, adapter=adapter)
    adapted = getattr(encoder, "adapter", None) is not None
    metrics: dict[str, Any] = {}

    # Sentiment ---------------------------------------------------------------------------------
    s_emb = _embed(encoder, sent.train_texts, cfg, "sent-train")
    s_y = np.array(sent.train_labels)
    sent_fitters: list[Fitter] = [
        lambda t, e, y: _fit_hashed(t, y, SENT_NGRAMS, 5.0, cfg.sent_keep, "ngram", False),
        lambda t, e, y: _fit_emb_mlp(e, y, cfg.mlp_hidden, cfg.seed, "mlp"),
    ]
    bases, oof = _stack(sent_fitters, sent.train_texts, s_emb, s_y, cfg, "sentiment")
    keep = _stacker_rows(sent.train_texts, adapted)
    w, b = _fit_stacker(oof[keep], s_y[keep])
    s_cv = _stacker_cv(oof[keep], s_y[keep], cfg.seed, cfg.folds).argmax(1)
    sentiment = TaskHead("sentiment", list(SENTIMENT_LABELS), bases, w, b, "softmax")
    sv_emb = _embed(encoder, sent.val_texts, cfg, "sent-val")
    sv_pred = sentiment.predict(sent.val_texts, sv_emb).argmax(1)
    metrics["sentiment"] = {
        "val_rows": len(sent.val_texts),
        "train_rows": len(sent.train_texts),
        "macro_f1": float(f1_score(sent.val_labels, sv_pred, average="macro")),
        "accuracy": float(accuracy_score(sent.val_labels, sv_pred)),
        "cv_rows": int(keep.sum()),
        "cv_macro_f1": float(f1_score(s_y[keep], s_cv, average="macro")),
    }

    # Toxicity ----------------------------------------------------------------------------------
    t_emb = _embed(encoder, ins.train_texts, cfg, "ins-train")
    t_y = np.array(ins.train_labels)
    tox_fitters: list[Fitter] = [
        lambda t, e, y: _fit_emb_linear(e, y, 2.0, "emb", True),
        lambda t, e, y: _fit_hashed(t, y, TOX_WORD, 3.0, cfg.tox_word_keep, "word", True),
        lambda t, e, y: _fit_hashed(t, y, TOX_CHAR, 10.0, cfg.tox_char_keep, "char", True),
    ]
    bases, oof = _stack(tox_fitters, ins.train_texts, t_emb, t_y, cfg, "toxicity")
    extra_names = list(TOX_EXTRAS)
    extras = stack_extras(extra_names, ins.train_texts, sentiment.predict(ins.train_texts, t_emb))
    keep = _stacker_rows(ins.train_texts, adapted)
    t_x = np.hstack([oof, *(extras[n] for n in extra_names)])[keep]
    w, b = _fit_stacker(t_x, t_y[keep])
    t_cv = _stacker_cv(t_x, t_y[keep], cfg.seed, cfg.folds)[:, 0]
    toxicity = TaskHead("toxicity", ["not_insult", "insult"], bases, w, b, "logit", extra_names)
    tv_emb = _embed(encoder, ins.val_texts, cfg, "ins-val")
    tv_extras = stack_extras(extra_names, ins.val_texts, sentiment.predict(ins.val_texts, tv_emb))
    tv_p = toxicity.predict(ins.val_texts, tv_emb, tv_extras)
    metrics["toxicity"] = {
        "val_rows": len(ins.val_texts),
        "train_rows": len(ins.train_texts),
        "roc_auc": float(roc_auc_score(ins.val_labels, tv_p)),
        "accuracy": float(accuracy_score(ins.val_labels, tv_p >= 0.5)),
        "cv_rows": int(keep.sum()),
        "cv_roc_auc": _roc_auc(t_y[keep], t_cv),
    }
    version = _version(cfg)
    meta = {
        "seed": cfg.seed,
        "validation": metrics,
        "encoder": _encoder_description(encoder),
        **cfg.meta,
    }
    tasks = {"sentiment": sentiment, "toxicity": toxicity}
    return Heads(version, tasks, meta, adapter=getattr(encoder, "adapter", None)), metrics


def _roc_auc(y: np.ndarray, scores: np.ndarray) -> float | None:
    """ROC AUC, or None when only one class is present (tiny smoke-test runs)."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, scores)) if len(np.unique(y)) == 2 else None


def _encoder_description(encoder: Any) -> str:
    adapted = " + adapter" if getattr(encoder, "adapter", None) is not None else ""
    backend = getattr(encoder, "backend", "?")
    return f"all-MiniLM-L6-v2, first {ENCODER_LAYERS} layers{adapted} ({backend})"


def _version(cfg: TrainConfig) -> str:
    tag = "" if cfg.limit is None else f"-limit{cfg.limit}"
    return f"3.1-s{cfg.seed}{tag}"


def train_and_save(cfg: TrainConfig | None = None, out_dir: Path = HEADS_DIR) -> dict:
    """Train and write the heads to ``out_dir``; returns the validation metrics."""
    heads, metrics = train_heads(cfg)
    save_heads(heads, out_dir)
    return metrics
