"""Which language a mention is in, and whether the active model can read it.

The platform's own tag wins when it names a language; otherwise ``lingua`` guesses from the
text. A short or ambiguous text is given the benefit of the doubt (scored as usual): we flag a
mention as unsupported only when the guess is confident and no supported language is close.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

#: Platform tags that mean "no language" (undetermined, no linguistic content, media only).
_UNTAGGED = {"", "und", "zxx", "qme", "qht", "qam", "qst", "mul", "art"}
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_WORDS = re.compile(r"[^\W\d_][\w']*")
_NOISE = re.compile(r"https?://\S+|[@#]\w+")

#: Common English function words: two of them (or a third of the words) mean "English enough".
_ENGLISH_TEXT = (
    "the a an and or but is are was were be been am i you he she it we they me my your "
    "our their this that these those to of in on at for with from by not no do does did "
    "have has had can can't cannot will won't would should could just so what why how "
    "when where who there here all any if than then too very get got im i'm it's don't "
    "dont pls please "
)
_ENGLISH_WORDS = frozenset(_ENGLISH_TEXT.split())
#: Fewer Latin-script words than this are too little evidence to call a text foreign.
MIN_WORDS = 5

#: A guess must be at least this confident to flag a text as unsupported.
MIN_CONFIDENCE = 0.8
#: ... and the supported languages together must stay below this.
MAX_SUPPORTED_SHARE = 0.15


@dataclass(frozen=True)
class LanguageVerdict:
    """The language used (ISO 639-1 when known) and whether the model supports it."""

    language: str | None
    supported: bool


class LanguageGate:
    """Decides per text whether the model should score it or flag it honestly."""

    def __init__(self, supported: Collection[str] | None = frozenset({"en"})) -> None:
        """``supported`` holds ISO 639-1 codes; ``None`` means the model reads every language."""
        self.supported = None if supported is None else frozenset(s.lower() for s in supported)
        self._detector: Any = None
        self._lock = threading.Lock()

    def _get_detector(self) -> Any:
        with self._lock:
            if self._detector is None:
                from lingua import LanguageDetectorBuilder

                self._detector = (
                    LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()
                )
            return self._detector

    def detect(self, text: str) -> tuple[str | None, float, float]:
        """(best language code, its confidence, the supported languages' combined confidence)."""
        cleaned = _NOISE.sub(" ", text[:2000])
        if len(_LETTERS.findall(cleaned)) < 1:
            return None, 0.0, 0.0
        values = self._get_detector().compute_language_confidence_values(cleaned)
        if not values:
            return None, 0.0, 0.0
        best = values[0]
        code = best.language.iso_code_639_1.name.lower()
        share = sum(
            v.value
            for v in values
            if self.supported is None or v.language.iso_code_639_1.name.lower() in self.supported
        )
        return code, float(best.value), float(share)

    def verdict(self, text: str, tagged: str | None = None) -> LanguageVerdict:
        """The language of ``text`` (trusting a real platform tag) and whether it is supported."""
        tag = (tagged or "").strip().lower().replace("_", "-").split("-")[0]
        if tag not in _UNTAGGED:
            ok = self.supported is None or tag in self.supported
            return LanguageVerdict(tag, ok)
        if self.supported is None:
            code, _, _ = self.detect(text)
            return LanguageVerdict(code, True)
        if "en" in self.supported and looks_english(text):
            return LanguageVerdict("en", True)
        code, confidence, share = self.detect(text)
        if code is None or code in self.supported:
            return LanguageVerdict(code, True)
        words = _LETTERS.findall(_NOISE.sub(" ", text[:2000]))
        if len(words) < MIN_WORDS and all(w.isascii() for w in words):
            return LanguageVerdict(None, True)
        if confidence >= MIN_CONFIDENCE and share < MAX_SUPPORTED_SHARE:
            return LanguageVerdict(code, False)
        return LanguageVerdict(None, True)


def looks_english(text: str) -> bool:
    """Cheap first check: enough common English function words (short tweets fool n-grams)."""
    words = [w.lower() for w in _WORDS.findall(_NOISE.sub(" ", text[:2000]))]
    if not words:
        return False
    hits = sum(1 for w in words if w in _ENGLISH_WORDS)
    return hits >= 2 or (hits >= 1 and hits * 3 >= len(words))
