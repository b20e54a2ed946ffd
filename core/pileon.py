"""What a pile-on is, shared by the scorer that finds one and the playbook that answers it.

A pile-on is many accounts posting the same words within an hour. "The same words" means
equal after :func:`fingerprint`: case, URLs, @handles and #tags, numbers, punctuation and emoji
removed, whitespace collapsed. That catches copy-paste campaigns with a changed handle or
link; paraphrases are out of reach by design (docs/scoring.md).
"""

from __future__ import annotations

import re
from datetime import timedelta

#: Posts this close together can belong to one pile-on.
PILEON_WINDOW = timedelta(hours=1)
#: Fewer characters than this after normalisation never count as a pile-on ("lol", "+1").
MIN_PILEON_CHARS = 12
#: At least this many posts from at least this many accounts make a pile-on.
MIN_PILEON_POSTS = 3
#: Ends the troll reason the scorer gives for a pile-on, so the playbook can recognise it.
PILEON_MARK = "(pile-on)"

_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"[@#]\w+")
_NONWORD = re.compile(r"[\W\d_]+")


def fingerprint(text: str) -> str:
    """The text reduced to its words, so copy-paste variants compare equal."""
    text = _HANDLE.sub(" ", _URL.sub(" ", text.lower()))
    return " ".join(_NONWORD.sub(" ", text).split())


def can_pile_on(text: str) -> bool:
    """Whether ``text`` is long enough, once normalised, to count towards a pile-on."""
    return len(fingerprint(text)) >= MIN_PILEON_CHARS


def is_pileon_reason(reason: str) -> bool:
    """True for the troll reason the scorer gives a post that is part of a pile-on."""
    return reason.endswith(PILEON_MARK)
