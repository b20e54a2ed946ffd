"""Evaluate a scorer (or the VADER baseline) on a labelled CSV with columns ``text,label``.

Sentiment labels are negative / neutral / positive; toxicity labels are 0 / 1 and are scored
on text alone (the text part of troll likelihood: no author behaviour).
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import InputError
from scoring.base import SENTIMENT_LABELS, Scorer, TextInput

log = logging.getLogger(__name__)

TASKS = ("sentiment", "toxicity")
_TRUE = {"1", "true", "yes", "toxic", "insult"}
_FALSE = {"0", "false", "no", "clean", "not_insult"}

Predictor = Callable[[Sequence[str]], np.ndarray]
#: A text's language and the detector's confidence, as the listener would store them.
LanguageOf = Callable[[str], tuple[str | None, float | None]]


def read_labelled_csv(path: Path, task: str) -> tuple[list[str], list[int]]:
    """Read ``text,label`` rows; a bad label is an ``InputError`` naming its line."""
    if task not in TASKS:
        raise InputError(f"unknown task {task!r}: use one of {', '.join(TASKS)}")
    texts: list[str] = []
    labels: list[int] = []
    try:
        with path.open(encoding="utf-8", errors="replace", newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or not {"text", "label"} <= set(reader.fieldnames):
                raise InputError(f"{path} needs the columns text,label (found {reader.fieldnames})")
            for line, row in enumerate(reader, start=2):
                label = (row.get("label") or "").strip().lower()
                if task == "sentiment":
                    if label not in SENTIMENT_LABELS:
                        raise InputError(
                            f"sentiment label {label!r} is not one of negative/neutral/positive",
                            line=line,
                        )
                    labels.append(SENTIMENT_LABELS.index(label))
                else:
                    if label not in _TRUE | _FALSE:
                        raise InputError(f"toxicity label {label!r} is not 0 or 1", line=line)
                    labels.append(int(label in _TRUE))
                texts.append(row.get("text") or "")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    except csv.Error as exc:
        raise InputError(f"{path} is not valid CSV: {exc}") from None
    if not texts:
        raise InputError(f"{path} has no rows")
    return texts, labels


def scorer_predictor(
    scorer: Scorer, task: str, batch_size: int = 256, *, language_of: LanguageOf | None = None
) -> Predictor:
    """Sentiment probabilities ``(n, 3)`` or toxicity ``(n,)`` from a scorer.

    ``language_of`` gives each text the language a stored mention would carry, so the
    scorer flags what it would flag in production; without it every text is read.
    """

    def predict(texts: Sequence[str]) -> np.ndarray:
        rows = []
        for start in range(0, len(texts), batch_size):
            chunk = [
                TextInput(t, *(language_of(t) if language_of else (None, None)))
                for t in texts[start : start + batch_size]
            ]
            rows.extend(scorer.score(chunk))
        if task == "sentiment":
            return np.array([[s.p_negative, s.p_neutral, s.p_positive] for s in rows])
        return np.array([s.toxicity for s in rows])

    return predict


def vader_predictor(task: str) -> Predictor:
    """VADER as a baseline: compound ±0.05 for sentiment, the negative share for toxicity."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()

    def predict(texts: Sequence[str]) -> np.ndarray:
        scores = [analyzer.polarity_scores(t) for t in texts]
        if task == "toxicity":
            return np.array([s["neg"] - 0.1 * s["compound"] for s in scores])
        out = np.zeros((len(texts), 3))
        for i, s in enumerate(scores):
            c = s["compound"]
            out[i, 0 if c <= -0.05 else 2 if c >= 0.05 else 1] = 1.0
        return out

    return predict


def evaluate(
    predict: Predictor, task: str, texts: Sequence[str], labels: Sequence[int]
) -> tuple[str, dict[str, Any]]:
    """A per-class report and the headline metrics (macro-F1, accuracy; ROC AUC for toxicity)."""
    from sklearn.metrics import accuracy_score, classification_report, f1_score, roc_auc_score

    y = np.asarray(labels)
    scores = predict(texts)
    if task == "sentiment":
        pred = scores.argmax(axis=1)
        names = list(SENTIMENT_LABELS)
    else:
        pred = (scores >= 0.5).astype(int)
        names = ["0 (not toxic)", "1 (toxic)"]
    report = classification_report(
        y, pred, labels=list(range(len(names))), target_names=names, digits=3, zero_division=0
    )
    metrics: dict[str, Any] = {
        "task": task,
        "rows": len(y),
        "macro_f1": round(float(f1_score(y, pred, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(y, pred)), 4),
    }
    if task == "toxicity":
        auc = roc_auc_score(y, scores) if len(set(y.tolist())) == 2 else float("nan")
        metrics["roc_auc"] = None if np.isnan(auc) else round(float(auc), 4)
    return report, metrics
