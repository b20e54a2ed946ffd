"""Configured keywords matched as whole words: what the playbook's case topics and the
discovered topics' seeds share.

A keyword is a word or a phrase, matched case-insensitively as whole words, with a plural
``s``/``es`` allowed on its last word: ``cancel`` matches "cancel" and "cancels", never
"Cancelled two meetings". A keyword ending in ``*`` is an explicit prefix: ``throttl*``
matches "throttled" and "throttling". Phrases match across any run of whitespace.

Keywords are escaped before compiling (configuration never supplies a regular expression),
and the patterns have no nested repetition, so hostile text cannot make matching slow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["PREFIX", "compile_keyword", "compile_keywords", "count_hits", "fold"]

#: A keyword ending in this matches any word that begins with it.
PREFIX = "*"


def fold(text: str) -> str:
    """``text`` case-folded with whitespace runs as single spaces (what patterns search)."""
    return " ".join(text.casefold().split())


def compile_keyword(keyword: str) -> re.Pattern[str] | None:
    """The whole-word pattern for one keyword; None for a keyword with no words in it."""
    folded = fold(keyword)
    prefix = folded.endswith(PREFIX)
    words = folded.rstrip(PREFIX).split()
    if not words:
        return None
    body = r"\s+".join(re.escape(w) for w in words)
    tail = r"\w*" if prefix else r"(?:s|es)?(?!\w)"
    # a word boundary only where the keyword itself begins with a word character ("40%" ends
    # with none, so nothing is asked of what follows it)
    head = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    if not prefix and not re.search(r"\w$", words[-1]):
        tail = ""
    return re.compile(head + body + tail)


def compile_keywords(keywords: Iterable[str]) -> list[re.Pattern[str]]:
    """Patterns for every keyword that has words in it, in order."""
    return [p for p in (compile_keyword(k) for k in keywords) if p is not None]


def count_hits(text: str, patterns: Sequence[re.Pattern[str]]) -> int:
    """How many of ``patterns`` occur in ``text`` (each counted once)."""
    folded = fold(text)
    return sum(1 for p in patterns if p.search(folded))
