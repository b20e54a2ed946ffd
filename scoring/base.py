"""The ``Scorer`` protocol: a batch of mention texts in, one ``TextScore`` per text out.

Every scorer (the bundled offline one, a hub model, a test fake) has this one shape, so the
worker, the CLI and the benchmarks never care which model runs. Scores carry the model's name
and version so re-scoring with a new model adds rows beside the old ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

SENTIMENT_LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class TextInput:
    """One mention as the scorer sees it: its text and its stored language, when known.

    ``lang_confidence`` is the language detector's confidence in ``lang``; None when the
    platform tagged the language itself (see :mod:`scoring.language`).
    """

    text: str
    lang: str | None = None
    lang_confidence: float | None = None


@dataclass(frozen=True)
class TextScore:
    """What a model reads from one text alone (behaviour comes later, in troll fusion)."""

    p_negative: float
    p_neutral: float
    p_positive: float
    toxicity: float
    language: str | None
    language_supported: bool
    model_name: str
    model_version: str

    @property
    def sentiment(self) -> float:
        """Signed sentiment in [-1, 1]: p_positive - p_negative."""
        return self.p_positive - self.p_negative

    @property
    def sentiment_label(self) -> str:
        """The most likely of negative / neutral / positive."""
        probs = (self.p_negative, self.p_neutral, self.p_positive)
        return SENTIMENT_LABELS[max(range(3), key=probs.__getitem__)]


@runtime_checkable
class Scorer(Protocol):
    """Anything that scores a batch of texts; ``model_name`` + ``model_version`` tag its rows."""

    model_name: str
    model_version: str

    def score(self, batch: Sequence[TextInput]) -> list[TextScore]:
        """Score ``batch`` in order; never raises for odd text (empty, emoji, huge, foreign)."""
        ...


def as_inputs(batch: Sequence[TextInput | str]) -> list[TextInput]:
    """Accept plain strings where a ``TextInput`` is expected (handy in scripts and tests)."""
    return [item if isinstance(item, TextInput) else TextInput(str(item)) for item in batch]


#: What a mention in an unsupported language gets: no opinion, said honestly.
UNSUPPORTED_PROBS = (0.2, 0.6, 0.2)
