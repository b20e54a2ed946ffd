"""Cleaning people's names and handles before they are shown or put into a reply.

A display name is chosen by whoever posts, so it can carry characters that change how the
text around it reads without being seen: bidirectional controls (a right-to-left override
turns ``photo<U+202E>gnp.exe`` into ``photoexe.png`` on screen) and zero-width characters
(a zero-width joiner inside ``Bright<U+200D>loop`` looks like the brand but is not). Such a
name must not reorder a suggested reply, the board or the digest, so every place that shows
a name or a handle, or writes one into a reply, passes it through :func:`clean_name`.

Mention text is left as posted (it is evidence); the board and the digest show it inert.
"""

from __future__ import annotations

import re

__all__ = ["BIDI_CONTROLS", "ZERO_WIDTH", "clean_name", "strip_invisible"]

BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # LRE RLE PDF LRO RLO
    "\u2066\u2067\u2068\u2069"  # LRI RLI FSI PDI
    "\u200e\u200f\u061c"  # LRM RLM ALM
)
"""Characters that change the direction of the text after them."""

ZERO_WIDTH = frozenset(
    "\u200b\u200c\u200d"  # zero-width space, non-joiner, joiner
    "\u2060\ufeff"  # word joiner, zero-width no-break space (BOM)
)
"""Characters that take no room on screen."""

# Other invisible format characters seen in spoofed names: invisible math operators,
# deprecated format controls, the Mongolian vowel separator, the soft hyphen, the combining
# grapheme joiner and the Hangul fillers that render as blanks.
_OTHER_INVISIBLE = "\u2061-\u2064\u206a-\u206f\u180e\u00ad\u034f\u115f\u1160\u3164\uffa0"

_INVISIBLE = re.compile("[" + "".join(sorted(BIDI_CONTROLS | ZERO_WIDTH)) + _OTHER_INVISIBLE + "]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")


def strip_invisible(text: str) -> str:
    """``text`` without bidirectional controls and zero-width or other invisible characters."""
    return _INVISIBLE.sub("", text)


def clean_name(name: str | None) -> str:
    """A name or handle fit to show or to write into a reply: invisible characters removed,
    control characters and line breaks read as spaces, runs of white space made one, and the
    ends trimmed. ``None`` becomes ``""``, so callers can fall back (``clean_name(x) or …``)."""
    if not name:
        return ""
    text = _CONTROL.sub(" ", strip_invisible(name))
    return _SPACE.sub(" ", text).strip()
