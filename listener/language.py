"""Language of a mention, guessed once when the platform gave none, and stored with its confidence.

This is the product's one language detector: the listener and the file importer store its
guess beside the mention (``Mention.lang`` and ``Mention.lang_confidence``), and the scorer
decides from those two columns whether its model can read the text, without detecting again.

The detector is ``lingua``, built lazily, once per process, from a short list of common
languages: all 75 lingua models take gigabytes; these take a small fraction and cover most
traffic. Two rules guard what n-grams get wrong on short posts:

- a text with enough English function words is English (short tweets fool n-grams into
  Tagalog or Dutch); the rule is trusted over lingua, so its guess is stored with
  confidence 1.0;
- a handful of Latin-script words is too little evidence: no guess ("lol ok" is not
  Indonesian). A short text in another script (Japanese, Arabic) is still guessed.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

from core.records import MentionRecord

log = logging.getLogger(__name__)

#: ISO 639-1 codes the detector chooses between.
COMMON_LANGUAGES = (
    "en", "es", "pt", "fr", "de", "it", "nl", "pl", "tr", "ru",
    "uk", "ar", "he", "hi", "id", "ja", "ko", "zh", "sv",
)  # fmt: skip
#: Only the start of a long text is read: enough to decide, and bounded in cost.
MAX_CHARS = 1_000
#: A guess below this confidence is not stored (the language stays unknown).
MIN_CONFIDENCE = 0.6
#: Fewer Latin-script words than this are too little evidence to guess a language.
MIN_WORDS = 5
#: The confidence stored for a text the English function-word rule recognised.
RULE_CONFIDENCE = 1.0

_NOISE = re.compile(r"https?://\S+|[@#]\w+")
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_WORDS = re.compile(r"[^\W\d_][\w']*")
#: Common English function words: a third of the words (or two, and a fifth) mean "English".
_ENGLISH_TEXT = (
    "the a an and or but is are was were be been am i you he she it we they me my your "
    "our their this that these those to of in on at for with from by not no do does did "
    "have has had can can't cannot will won't would should could just so what why how "
    "when where who there here all any if than then too very get got im i'm it's don't "
    "dont pls please "
)
_ENGLISH_WORDS = frozenset(_ENGLISH_TEXT.split())

_lock = threading.Lock()
_detector: Any = None


@dataclass(frozen=True)
class LanguageGuess:
    """A language (ISO 639-1 code) and how sure the detector is of it, from 0 to 1."""

    code: str
    confidence: float


def _get_detector() -> Any:
    global _detector
    with _lock:
        if _detector is None:
            from lingua import IsoCode639_1, LanguageDetectorBuilder

            codes = [getattr(IsoCode639_1, c.upper()) for c in COMMON_LANGUAGES]
            _detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
            log.debug("language detector built for %d languages", len(codes))
        return _detector


def guess_language(text: str) -> LanguageGuess | None:
    """The language of ``text`` with its confidence, or None when it is too short or unclear."""
    sample = _NOISE.sub(" ", text[:MAX_CHARS])
    words = _LETTERS.findall(sample)
    if not words:
        return None
    if looks_english(sample):
        return LanguageGuess("en", RULE_CONFIDENCE)
    if len(words) < MIN_WORDS and all(w.isascii() for w in words):
        return None
    values = _get_detector().compute_language_confidence_values(sample)
    if not values or values[0].value < MIN_CONFIDENCE:
        return None
    best = values[0]
    return LanguageGuess(str(best.language.iso_code_639_1.name).lower(), float(best.value))


def with_language(record: MentionRecord) -> MentionRecord:
    """``record`` with its language guessed (and how sure the guess is) if it has none."""
    if record.lang is not None or record.deleted:
        return record
    guess = guess_language(record.text)
    if guess is None:
        return record
    return record.model_copy(update={"lang": guess.code, "lang_confidence": guess.confidence})


def language_of(text: str) -> tuple[str | None, float | None]:
    """(language, confidence) as a mention with this text and no platform tag is stored."""
    guess = guess_language(text)
    return (guess.code, guess.confidence) if guess is not None else (None, None)


def looks_english(text: str) -> bool:
    """Enough common English function words (short tweets fool n-grams)."""
    words = [w.lower() for w in _WORDS.findall(_NOISE.sub(" ", text))]
    if not words:
        return False
    hits = sum(1 for w in words if w in _ENGLISH_WORDS)
    return hits * 3 >= len(words) or (hits >= 2 and hits * 5 >= len(words))
