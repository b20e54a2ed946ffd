"""Whether the active model can read a mention, from the language stored with it.

The scorer does not detect languages: the listener stored each mention's language once,
either the platform's own tag or the detector's guess with its confidence
(``Mention.lang`` / ``Mention.lang_confidence``). What is left here is one decision, a pure
function of (language, confidence, the model's languages):

- no language (the platform gave none and the detector could not tell, or the mention was
  stored before languages were detected): unknown, scored as usual;
- a language the model reads: scored as usual;
- another language, tagged by the platform (no confidence): flagged;
- another language, guessed with at least :data:`MIN_CONFIDENCE`: flagged; a less sure
  guess is given the benefit of the doubt (scored as usual).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

#: Platform tags that mean "no language" (undetermined, no linguistic content, media only).
_UNTAGGED = frozenset({"", "und", "zxx", "qme", "qht", "qam", "qst", "mul", "art"})

#: A guessed language must be at least this sure to flag a text as unreadable.
MIN_CONFIDENCE = 0.6


@dataclass(frozen=True)
class LanguageVerdict:
    """The language used (ISO 639-1 when known) and whether the model supports it."""

    language: str | None
    supported: bool


def language_code(tag: str | None) -> str | None:
    """The primary language of a tag (``en-GB`` -> ``en``); None for no or a non-language tag."""
    code = (tag or "").strip().lower().replace("_", "-").split("-")[0]
    return None if code in _UNTAGGED else code


def supported_languages(codes: Collection[str] | None) -> frozenset[str] | None:
    """Normalized ISO 639-1 codes a model reads; None means every language."""
    return None if codes is None else frozenset(c.strip().lower() for c in codes)


def language_verdict(
    lang: str | None, confidence: float | None, supported: frozenset[str] | None
) -> LanguageVerdict:
    """Can a model reading ``supported`` (None: every language) read a text in ``lang``?

    ``confidence`` is the detector's confidence in ``lang``; None means the platform tagged
    it (or it was stored before confidences were), which is trusted.
    """
    code = language_code(lang)
    if code is None or supported is None or code in supported:
        return LanguageVerdict(code, True)
    if confidence is not None and confidence < MIN_CONFIDENCE:
        return LanguageVerdict(code, True)
    return LanguageVerdict(code, False)
