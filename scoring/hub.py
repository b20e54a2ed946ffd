"""Sequence-classification models from the Hugging Face hub (or a local folder), by configuration.

``settings.model.sentiment = "cardiffnlp/twitter-roberta-base-sentiment-latest"`` or
``settings.model.toxicity = "unitary/toxic-bert"`` load through one code path:
``AutoTokenizer`` + ``AutoModelForSequenceClassification``, with the label names read from
``config.id2label`` and mapped onto negative / neutral / positive (sentiment) or onto a
toxicity probability (the most toxic label wins for multi-label models like toxic-bert).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from core.errors import ScoringError
from scoring.encoder import MAX_TOKENS, fit_threads

log = logging.getLogger(__name__)

_SENTIMENT_NAMES = {
    "negative": 0,
    "neg": 0,
    "label_0": 0,
    "0": 0,
    "1 star": 0,
    "2 stars": 0,
    "neutral": 1,
    "neu": 1,
    "label_1": 1,
    "1": 1,
    "3 stars": 1,
    "positive": 2,
    "pos": 2,
    "label_2": 2,
    "2": 2,
    "4 stars": 2,
    "5 stars": 2,
}
_NON_TOXIC = re.compile(r"^(non[-_ ]?toxic|not[-_ ]?toxic|neutral|normal|label_0|0|ok|clean)$")
_MULTILINGUAL = re.compile(r"xlm|multilingual|mbert|bert-base-multilingual|mdeberta", re.I)


def sentiment_columns(id2label: dict[int, str]) -> list[int]:
    """For each model output, the sentiment class (0 neg, 1 neu, 2 pos) it stands for."""
    cols = []
    for i in sorted(id2label):
        name = str(id2label[i]).strip().lower()
        if name not in _SENTIMENT_NAMES:
            raise ScoringError(
                f"cannot map the sentiment label {id2label[i]!r} to negative/neutral/positive"
            )
        cols.append(_SENTIMENT_NAMES[name])
    if len(id2label) == 2:  # binary models: LABEL_0 / LABEL_1 mean negative / positive
        cols = [0 if c == 0 else 2 for c in cols]
    return cols


def toxic_outputs(id2label: dict[int, str]) -> list[int]:
    """The outputs that mean some kind of toxicity (all but the 'not toxic' ones)."""
    return [i for i in sorted(id2label) if not _NON_TOXIC.match(str(id2label[i]).strip().lower())]


class HubClassifier:
    """An ``AutoModelForSequenceClassification`` run in length-sorted, padded batches."""

    def __init__(self, name_or_path: str, *, threads: int = 0, batch_size: int = 32) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        torch.set_num_threads(fit_threads(threads))
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(name_or_path)
            self.model: Any = AutoModelForSequenceClassification.from_pretrained(name_or_path)
        except (OSError, ValueError) as exc:
            raise ScoringError(f"cannot load the model {name_or_path!r}: {exc}") from exc
        self.model.eval()
        self.name = name_or_path
        self.batch_size = batch_size
        config = self.model.config
        self.id2label = {int(k): str(v) for k, v in config.id2label.items()}
        self.multi_label = getattr(config, "problem_type", None) == "multi_label_classification"
        self.multilingual = bool(_MULTILINGUAL.search(name_or_path + " " + config.model_type))

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw outputs ``(n, labels)``; batches sorted by length so padding stays short."""
        import torch

        out = np.zeros((len(texts), len(self.id2label)), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                chunk = order[start : start + self.batch_size]
                enc = self.tokenizer(
                    [texts[i] or " " for i in chunk],
                    padding=True,
                    truncation=True,
                    max_length=MAX_TOKENS,
                    return_tensors="pt",
                )
                out[chunk] = self.model(**enc).logits.float().numpy()
        return out

    def sentiment(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities over negative / neutral / positive."""
        cols = sentiment_columns(self.id2label)
        z = self.logits(texts)
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        probs = np.zeros((len(texts), 3), dtype=np.float32)
        for j, c in enumerate(cols):
            probs[:, c] += p[:, j]
        return probs

    def toxicity(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of the most toxic label (sigmoid for multi-label, softmax otherwise)."""
        toxic = toxic_outputs(self.id2label)
        if not toxic:
            raise ScoringError(f"the model {self.name!r} has no toxic label in {self.id2label}")
        z = self.logits(texts)
        if self.multi_label or len(self.id2label) == 1:
            p = 1.0 / (1.0 + np.exp(-z))
            return p[:, toxic].max(axis=1)
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        return p[:, toxic].sum(axis=1)
