"""Does a post mention the brand? Keyword and handle matching from the settings.

Text is hostile: zero-width characters are removed and the text is NFKC-normalized and
case-folded before matching, so ``Bright\u200bloop`` or a full-width ``ＢＲＩＧＨＴＬＯＯＰ``
still count, and a keyword only matches as a whole word (``brightloopy`` does not).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from core.records import MentionRecord

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"), None)


def normalize_text(text: str) -> str:
    """The form of ``text`` that matching looks at."""
    return unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).casefold()


class Matcher:
    """Matches keywords (whole words or phrases), ``@handle`` mentions and the brand's posts."""

    def __init__(self, keywords: Iterable[str], handles: Iterable[str] = ()) -> None:
        self.handles = frozenset(
            normalize_text(h.strip().lstrip("@")) for h in handles if h.strip()
        )
        terms = {normalize_text(k.strip()) for k in keywords if k.strip()}
        terms |= {"@" + h for h in self.handles}
        # Longest first so a phrase wins over a word it contains; edges are "not a word char".
        alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<![\w@#])(?:{alternatives})(?!\w)") if terms else None

    def matches_text(self, text: str) -> bool:
        """True when ``text`` names the brand."""
        return self._pattern is not None and self._pattern.search(normalize_text(text)) is not None

    def matches(self, record: MentionRecord) -> bool:
        """True when the post names the brand or the brand wrote it."""
        if normalize_text(record.author.handle.lstrip("@")) in self.handles:
            return True
        return self.matches_text(record.text)

    def is_brand(self, handle: str) -> bool:
        """True for the brand's own accounts."""
        return normalize_text(handle.lstrip("@")) in self.handles
