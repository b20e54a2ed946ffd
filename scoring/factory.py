"""Build the configured scorer: the bundled default, hub models, or a mix of the two."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from scoring.base import UNSUPPORTED_PROBS, Scorer, TextInput, TextScore
from scoring.language import language_verdict, supported_languages

if TYPE_CHECKING:
    from core.config import ModelSettings
    from scoring.default import DefaultScorer
    from scoring.hub import HubClassifier

log = logging.getLogger(__name__)


class MixedScorer:
    """Sentiment and toxicity from different models (hub and/or bundled), one protocol."""

    def __init__(
        self,
        *,
        sentiment: HubClassifier | DefaultScorer,
        toxicity: HubClassifier | DefaultScorer,
    ) -> None:
        self._sent, self._tox = sentiment, toxicity
        names = [_name(sentiment), _name(toxicity)]
        self.model_name = f"sent={names[0]};tox={names[1]}"[-128:]
        versions = f"{_version(sentiment)}|{_version(toxicity)}"
        self.model_version = hashlib.sha256(versions.encode()).hexdigest()[:12]
        multilingual = all(getattr(m, "multilingual", False) for m in (sentiment, toxicity))
        self.languages = supported_languages(None if multilingual else {"en"})

    def score(self, batch: Sequence[TextInput]) -> list[TextScore]:
        """Score with both models; unsupported languages get the flat, flagged reading."""
        verdicts = [
            language_verdict(item.lang, item.lang_confidence, self.languages) for item in batch
        ]
        idx = [i for i, v in enumerate(verdicts) if v.supported]
        probs = np.tile(np.array(UNSUPPORTED_PROBS, dtype=np.float32), (len(batch), 1))
        tox = np.zeros(len(batch), dtype=np.float32)
        if idx:
            probs[idx] = _sentiment(self._sent, [batch[i].text for i in idx])
        if batch:  # toxicity is read in every language (the flag says how far to trust it)
            tox[:] = _toxicity(self._tox, [item.text for item in batch])
        return [
            TextScore(
                float(p[0]),
                float(p[1]),
                float(p[2]),
                float(t),
                v.language,
                v.supported,
                self.model_name,
                self.model_version,
            )
            for p, t, v in zip(probs, tox, verdicts, strict=True)
        ]


def _name(model: HubClassifier | DefaultScorer) -> str:
    return str(getattr(model, "name", None) or getattr(model, "model_name", "model"))


def _version(model: HubClassifier | DefaultScorer) -> str:
    version = getattr(model, "model_version", None)
    if version:
        return str(version)
    config = getattr(model, "model", None)
    return str(getattr(getattr(config, "config", None), "_commit_hash", None) or _name(model))


def _sentiment(model: HubClassifier | DefaultScorer, texts: list[str]) -> np.ndarray:
    from scoring.default import DefaultScorer

    if isinstance(model, DefaultScorer):
        return model.predict_texts(texts)[0]
    return model.sentiment(texts)


def _toxicity(model: HubClassifier | DefaultScorer, texts: list[str]) -> np.ndarray:
    from scoring.default import DefaultScorer

    if isinstance(model, DefaultScorer):
        return model.predict_texts(texts)[1]
    return model.toxicity(texts)


def load_scorer(model_settings: ModelSettings) -> Scorer:
    """The scorer the settings ask for; ``"default"`` is the bundled offline model."""
    sent_id = (model_settings.sentiment or "default").strip()
    tox_id = (model_settings.toxicity or "default").strip()
    threads = model_settings.threads
    default: DefaultScorer | None = None
    if "default" in (sent_id, tox_id):
        from scoring.default import DefaultScorer

        default = DefaultScorer(threads=threads, cache_dir=model_settings.cache_dir)
        if sent_id == tox_id == "default":
            return default
    from scoring.hub import HubClassifier

    sentiment = default if sent_id == "default" else HubClassifier(sent_id, threads=threads)
    toxicity = default if tox_id == "default" else HubClassifier(tox_id, threads=threads)
    assert sentiment is not None and toxicity is not None
    return MixedScorer(sentiment=sentiment, toxicity=toxicity)
