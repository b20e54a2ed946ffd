"""Language of a mention, guessed once per post by lingua when the platform gave none.

The detector is built lazily, once per process, from a short list of common languages:
all 75 lingua models take gigabytes; these take a small fraction and cover most traffic.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)

#: ISO 639-1 codes the detector chooses between.
COMMON_LANGUAGES = (
    "en", "es", "pt", "fr", "de", "it", "nl", "pl", "tr", "ru",
    "uk", "ar", "he", "hi", "id", "ja", "ko", "zh", "sv",
)  # fmt: skip
#: Only the start of a long text is read: enough to decide, and bounded in cost.
MAX_CHARS = 1_000
_MIN_LETTERS = 3
#: A guess below this confidence is not stored: the scorer's language gate decides instead,
#: and a stored guess is trusted downstream like a platform's own tag.
MIN_CONFIDENCE = 0.6

_lock = threading.Lock()
_detector: Any = None


def _get_detector() -> Any:
    global _detector
    with _lock:
        if _detector is None:
            from lingua import IsoCode639_1, LanguageDetectorBuilder

            codes = [getattr(IsoCode639_1, c.upper()) for c in COMMON_LANGUAGES]
            _detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
            log.debug("language detector built for %d languages", len(codes))
        return _detector


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language, or None when it is too short or unclear."""
    sample = text[:MAX_CHARS]
    if sum(ch.isalpha() for ch in sample) < _MIN_LETTERS:
        return None
    values = _get_detector().compute_language_confidence_values(sample)
    if not values or values[0].value < MIN_CONFIDENCE:
        return None
    return str(values[0].language.iso_code_639_1.name).lower()
