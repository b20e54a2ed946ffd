"""Language of a mention, guessed once when the platform gave none, and stored with its confidence.

This is the product's one language detector: the listener and the file importer store its
guess beside the mention (``Mention.lang`` and ``Mention.lang_confidence``), and the scorer
decides from those two columns whether its model can read the text, without detecting again.

The detector is ``lingua``, built lazily, once per process, from a short list of common
languages: all 75 lingua models take gigabytes; these take a small fraction and cover most
traffic. It reads the words a person wrote, not the platform's furniture: handles
(``@user``, ``@user@instance``, ``u/name``), subreddit names (``r/name``), URLs, the target of
a markdown link (its text is kept), hashtags (brand and campaign names, mostly) and emoji
are removed first (:func:`text_for_language`). Then two rules guard what n-grams get wrong
on short posts:

- fewer than three different Latin-script words are too little evidence: no guess
  ("lol ok" is not Indonesian, "r/madlads" is not Swedish). A short text in another script
  (Japanese, Arabic) is still guessed;
- a text with enough common English words is English (short tweets fool n-grams into
  Tagalog or Dutch); the rule is trusted over lingua, so its guess is stored with
  confidence 1.0. Words other languages write too ("a", "me", "no", "in") only count beside
  one they do not.

``tests/fixtures/language/short_posts.jsonl`` holds labelled short posts; docs/scoring.md
gives the figures measured on it and a test keeps them.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
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
#: A guess below this confidence is not stored (the language stays unknown)...
MIN_CONFIDENCE = 0.6
#: ...unless it leads the runner-up this many times over: a short sentence spreads the
#: detector's confidence over languages that share words ("de", "a", "prix"), yet its leader
#: is clear. Such a guess is stored with its share of the two best (0.47 against 0.19: 0.71).
CLEAR_LEAD = 2.0
#: Fewer different Latin-script words than this are too little evidence to guess a language.
MIN_WORDS = 3
#: The confidence stored for a text the English function-word rule recognised.
RULE_CONFIDENCE = 1.0

#: ``[text](target)``: the text is kept, the target dropped (one level of parentheses inside).
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*\)")
#: Addresses: with a scheme, from ``www.``, or a bare domain followed by a path.
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)+/\S*")
#: ``@user``, ``@user@instance.social``, ``u/name``, ``/r/name``.
_HANDLE = re.compile(r"(?<![\w/])(?:@[\w.]+(?:@[\w.-]+)?|/?[ru]/\w+)")
#: Emoji joiners and variation selectors (emoji themselves are symbols, category S*).
_EMOJI_GLUE = frozenset("\u200d\ufe0e\ufe0f\u20e3")
#: A hashtag, whole.
_HASHTAG = re.compile(r"#\w+")
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_WORDS = re.compile(r"[^\W\d_][\w']*")
#: English words other languages do not write: a third of the words (or two, and a fifth)
#: mean "English". Words other languages share (Spanish "me", "no", "a"; German "in", "so",
#: "was"; Dutch "we") count only beside at least one of these.
_ENGLISH_TEXT = (
    "the and or but is are were be been you she it they my your our their this that these "
    "those of with from by not does did have has had can can't cannot won't would should "
    "could just what why how when where who there here any if than then too very get got "
    "im i'm it's don't dont pls please about after again out up some more only really "
    "still never now ever much thank thanks"
)
_SHARED_TEXT = "a i me no in an so do on to he at am we was will for all"
_ENGLISH_WORDS = frozenset(_ENGLISH_TEXT.split())
_SHARED_WORDS = frozenset(_SHARED_TEXT.split())

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


def text_for_language(text: str) -> str:
    """The words a person wrote: no handles, subreddit names, URLs, hashtags or emoji.

    A markdown link keeps its text (``[the fix](https://…)`` reads "the fix"). Hashtags go
    whole: ``#GoogleSelfDrivingCar`` reads as Dutch, and tags rarely carry the sentence.
    """
    sample = _MARKDOWN_LINK.sub(r" \1 ", text)
    sample = _HASHTAG.sub(" ", _HANDLE.sub(" ", _URL.sub(" ", sample)))
    sample = "".join(
        " " if c in _EMOJI_GLUE or unicodedata.category(c).startswith("S") else c for c in sample
    )
    return " ".join(sample.split())


def guess_language(text: str) -> LanguageGuess | None:
    """The language of ``text`` with its confidence, or None when it is too short or unclear."""
    sample = text_for_language(text[:MAX_CHARS])
    words = {w.lower() for w in _LETTERS.findall(sample)}
    if not words:
        return None
    latin = all(_is_latin(w) for w in words)
    if len(words) < MIN_WORDS and latin:
        return None
    if looks_english(sample):
        return LanguageGuess("en", RULE_CONFIDENCE)
    values = _get_detector().compute_language_confidence_values(sample)
    if not values:
        return None
    best = values[0]
    confidence = float(best.value)
    if confidence < MIN_CONFIDENCE:
        runner_up = float(values[1].value) if len(values) > 1 else 0.0
        if confidence < CLEAR_LEAD * runner_up:
            return None
        confidence = confidence / (confidence + runner_up)
    return LanguageGuess(str(best.language.iso_code_639_1.name).lower(), confidence)


def _is_latin(word: str) -> bool:
    return all(unicodedata.name(c, "").startswith("LATIN") for c in word)


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
    """Enough common English words (short tweets fool n-grams), not only ones others share."""
    words = [w.lower() for w in _WORDS.findall(text_for_language(text))]
    if not words:
        return False
    hits = sum(1 for w in words if w in _ENGLISH_WORDS)
    if hits:
        hits += sum(1 for w in words if w in _SHARED_WORDS)
    return hits * 3 >= len(words) or (hits >= 2 and hits * 5 >= len(words))
