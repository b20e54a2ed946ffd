"""An author's behaviour as ``TrollFeatures``: pure functions over rows from ``store.behaviour``.

For each mention we look only at what was posted up to it, so a mention gets the same
features whether it is scored live or in a later backfill:

* the author's own posts in the last ``AUTHOR_WINDOW`` (count, hostile ones, last hour, bait),
  and their summed text toxicity over the longer ``HISTORY_WINDOW``,
* posts from any account in the last ``PILEON_WINDOW`` whose normalised text matches (pile-on),
* account age and follower ratio when the platform gave them.

"Near-identical" means equal after ``core.pileon.fingerprint``, which the playbook shares.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from core.pileon import MIN_PILEON_CHARS, PILEON_WINDOW, fingerprint
from scoring.troll import TrollFeatures
from store.behaviour import BehaviourWindow, behaviour_window

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

AUTHOR_WINDOW = timedelta(hours=24)
#: The longer look at the author's own posts: their summed toxicity (``hostile_history``).
HISTORY_WINDOW = timedelta(days=14)
HOSTILE_AT = 0.5
#: At most this many recent posts are read for pile-on detection per batch.
PILEON_SCAN_LIMIT = 20_000

_BAIT = re.compile(
    r"\b(answer me|reply to me|respond|why (won't|wont|don't|dont) you (answer|reply|respond)"
    r"|still waiting|ratio|prove me wrong|come at me|cry (about|more)|stay mad|cope)\b",
    re.IGNORECASE,
)


def is_bait(text: str) -> bool:
    """Reply-baiting: demands for a reply, taunts, or a wall of question/exclamation marks."""
    return bool(_BAIT.search(text)) or text.count("?") + text.count("!") >= 6


@dataclass(frozen=True)
class MentionView:
    """The fields of a mention that behaviour features need."""

    id: int
    #: None for a post whose platform did not name its author: it has no history of its own.
    author_id: int | None
    text: str
    created_at: datetime


def gather_features(
    conn: Connection,
    mentions: Sequence[MentionView],
    toxicity: dict[int, float],
    *,
    model_name: str,
    model_version: str,
) -> dict[int, TrollFeatures]:
    """Features per mention id; ``toxicity`` holds this batch's text scores by mention id.

    The one edge of this module: it reads the batch's window from the store, then
    :func:`features` does the rest without I/O.
    """
    if not mentions:
        return {}
    since, until = window_bounds(mentions)
    window = behaviour_window(
        conn,
        author_ids={m.author_id for m in mentions if m.author_id is not None},
        authors_since=since - max(AUTHOR_WINDOW, HISTORY_WINDOW),
        texts_since=since - AUTHOR_WINDOW,
        everyone_since=since - PILEON_WINDOW,
        until=until,
        model_name=model_name,
        model_version=model_version,
        recent_limit=PILEON_SCAN_LIMIT,
    )
    return features(mentions, toxicity, window)


def _accounts(posts: Sequence[tuple[int | None, datetime]]) -> int:
    """Distinct accounts among ``posts``; each post with no known author counts as its own."""
    return len({a for a, _ in posts if a is not None}) + sum(1 for a, _ in posts if a is None)


def window_bounds(mentions: Sequence[MentionView]) -> tuple[datetime, datetime]:
    """The earliest and latest post time of a non-empty batch: the windows reach back from them."""
    return min(m.created_at for m in mentions), max(m.created_at for m in mentions)


def features(
    mentions: Sequence[MentionView], toxicity: dict[int, float], window: BehaviourWindow
) -> dict[int, TrollFeatures]:
    """Troll features per mention id, from the batch's window of stored rows.

    ``window`` must reach ``AUTHOR_WINDOW`` (own posts) and ``PILEON_WINDOW`` (everyone's)
    back from the earliest mention, up to the latest; each mention then sees only the rows
    posted up to it, so its features do not depend on which batch it came in.
    """
    known_tox = dict(toxicity)
    by_author: dict[int, list[tuple[int, str, datetime]]] = defaultdict(list)
    for post in window.author_posts:
        if post.author_id is not None:
            by_author[post.author_id].append((post.id, post.text, post.created_at))
        if post.toxicity is not None and post.id not in known_tox:
            known_tox[post.id] = float(post.toxicity)

    by_print: dict[str, list[tuple[int | None, datetime]]] = defaultdict(list)
    for post in window.recent_posts:
        fp = fingerprint(post.text)
        if len(fp) >= MIN_PILEON_CHARS:
            by_print[fp].append((post.author_id, post.created_at))

    profiles = window.profiles
    out: dict[int, TrollFeatures] = {}
    for m in mentions:
        history = by_author[m.author_id] if m.author_id is not None else []
        own = [
            (mid, text)
            for mid, text, c in history
            if m.created_at - AUTHOR_WINDOW <= c <= m.created_at
        ]
        if all(mid != m.id for mid, _ in own):
            own.append((m.id, m.text))
        longer = {
            mid for mid, _, c in history if m.created_at - HISTORY_WINDOW <= c <= m.created_at
        }
        longer.add(m.id)
        last_hour = sum(
            1 for _, _, c in history if m.created_at - timedelta(hours=1) <= c <= m.created_at
        )
        fp = fingerprint(m.text)
        same = [
            (a, c)
            for a, c in by_print.get(fp, [])
            if m.created_at - PILEON_WINDOW <= c <= m.created_at
        ]
        profile = profiles.get(m.author_id) if m.author_id is not None else None
        age = None
        if profile is not None and profile.account_created is not None:
            age = (m.created_at - profile.account_created).total_seconds() / 86400
        out[m.id] = TrollFeatures(
            toxicity=toxicity.get(m.id, 0.0),
            author_posts=len(own),
            hostile_posts=sum(1 for mid, _ in own if known_tox.get(mid, 0.0) >= HOSTILE_AT),
            window_hours=AUTHOR_WINDOW.total_seconds() / 3600,
            posts_last_hour=max(1, last_hour),
            pileon_posts=len(same) if len(fp) >= MIN_PILEON_CHARS else 0,
            pileon_accounts=_accounts(same) if len(fp) >= MIN_PILEON_CHARS else 0,
            pileon_minutes=PILEON_WINDOW.total_seconds() / 60,
            bait_posts=sum(1 for _, text in own if is_bait(text)),
            account_age_days=age,
            followers=profile.followers if profile is not None else None,
            following=profile.following if profile is not None else None,
            history_posts=len(longer),
            history_toxicity=sum(known_tox.get(mid, 0.0) for mid in longer),
            history_days=HISTORY_WINDOW.total_seconds() / 86400,
        )
    return out
