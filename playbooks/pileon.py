"""Which posts make up a pile-on, and which case answers it: pure functions for the runner.

The scorer already says a post is part of a pile-on (its troll reasons end with
``core.pileon.PILEON_MARK``); here the runner finds the pile-on's other posts, so every case
in it learns which pile-on it belongs to and one case, the earliest, carries the statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.pileon import MIN_PILEON_POSTS, can_pile_on, fingerprint, is_pileon_reason


@dataclass(frozen=True, slots=True)
class PileOn:
    """The posts of one pile-on, oldest first, as ``(mention id, author id)``."""

    posts: tuple[tuple[int, int], ...]

    @property
    def first_mention_id(self) -> int:
        """The pile-on's first post: its name."""
        return self.posts[0][0]

    @property
    def accounts(self) -> int:
        """How many accounts took part."""
        return len({author for _, author in self.posts})

    def authors(self) -> list[int]:
        """The accounts in the order they joined."""
        return list(dict.fromkeys(author for _, author in self.posts))


def in_pileon(troll_reasons: Iterable[str]) -> bool:
    """Whether the scorer found the post to be part of a pile-on."""
    return any(is_pileon_reason(reason) for reason in troll_reasons)


def find_pileon(text: str, posts: Sequence[tuple[int, int, datetime, str]]) -> PileOn | None:
    """The pile-on ``text`` belongs to among ``posts`` (``(id, author id, at, text)``, oldest
    first), or None when fewer than the minimum posts or accounts share its words."""
    if not can_pile_on(text):
        return None
    words = fingerprint(text)
    same = tuple((mid, author) for mid, author, _, other in posts if fingerprint(other) == words)
    found = PileOn(same)
    if len(same) < MIN_PILEON_POSTS or found.accounts < MIN_PILEON_POSTS:
        return None
    return found
