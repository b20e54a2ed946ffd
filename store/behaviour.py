"""The rows an author's behaviour is judged on: their posts, everyone's recent posts, profiles.

The troll features (``scoring.behaviour``) are computed from these rows by pure functions; this
module only reads them, for a batch of mentions at once, so a batch costs three queries
whatever its size. The windows are given as times: how long they are is scoring's business.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, literal, select
from sqlalchemy.engine import Connection
from sqlmodel import col

from store.models import Author, Mention, Score


@dataclass(frozen=True)
class PostRow:
    """One stored, undeleted post; ``toxicity`` is the chosen model's score, when it has one."""

    id: int
    #: None for a post whose platform did not name its author.
    author_id: int | None
    text: str
    created_at: datetime
    toxicity: float | None = None


@dataclass(frozen=True)
class ProfileRow:
    """What the platform told us about an account."""

    id: int
    followers: int | None
    following: int | None
    account_created: datetime | None


@dataclass(frozen=True)
class BehaviourWindow:
    """Everything the behaviour features of one batch read from the store."""

    #: The batch authors' own posts in their window, with this model's toxicity.
    author_posts: list[PostRow]
    #: Posts by anyone in the pile-on window, newest first (capped).
    recent_posts: list[PostRow]
    #: The batch authors' profiles by author id.
    profiles: dict[int, ProfileRow]


def behaviour_window(
    conn: Connection,
    *,
    author_ids: Collection[int],
    authors_since: datetime,
    everyone_since: datetime,
    until: datetime,
    model_name: str,
    model_version: str,
    recent_limit: int,
    texts_since: datetime | None = None,
) -> BehaviourWindow:
    """The authors' posts since ``authors_since``, everyone's since ``everyone_since``, profiles.

    Both windows end at ``until`` (inclusive) and skip deleted posts. Toxicity comes from the
    ``model_name`` / ``model_version`` score rows, so a re-scored history does not mix models.
    At most ``recent_limit`` of everyone's posts are read, the newest. An author's post older
    than ``texts_since`` comes back without its text ("": only its time and toxicity count),
    so a long history window does not read every old post's text.
    """
    authors = sorted(author_ids)  # may be empty: posts with no author still see everyone's
    scored = and_(
        col(Score.mention_id) == col(Mention.id),
        col(Score.model_name) == model_name,
        col(Score.model_version) == model_version,
    )
    text: Any = col(Mention.text)
    if texts_since is not None:
        text = case((col(Mention.created_at) >= texts_since, text), else_=literal(""))
    own = conn.execute(
        select(
            col(Mention.id),
            col(Mention.author_id),
            text,
            col(Mention.created_at),
            col(Score.toxicity),
        )
        .outerjoin(Score, scored)
        .where(
            col(Mention.author_id).in_(authors),
            col(Mention.deleted).is_(False),
            col(Mention.created_at) >= authors_since,
            col(Mention.created_at) <= until,
        )
    ).all()
    recent = conn.execute(
        select(col(Mention.id), col(Mention.author_id), col(Mention.text), col(Mention.created_at))
        .where(
            col(Mention.deleted).is_(False),
            col(Mention.created_at) >= everyone_since,
            col(Mention.created_at) <= until,
        )
        .order_by(col(Mention.created_at).desc())
        .limit(recent_limit)
    ).all()
    profiles = conn.execute(
        select(
            col(Author.id),
            col(Author.followers),
            col(Author.following),
            col(Author.account_created),
        ).where(col(Author.id).in_(authors))
    ).all()
    return BehaviourWindow(
        author_posts=[PostRow(_stored(m), a, t, c, tox) for m, a, t, c, tox in own],
        recent_posts=[PostRow(_stored(m), a, t, c) for m, a, t, c in recent],
        profiles={
            _stored(a): ProfileRow(_stored(a), followers, following, created)
            for a, followers, following, created in profiles
        },
    )


def _stored(key: int | None) -> int:
    """A primary key read back from the database, which is never None."""
    if key is None:
        raise ValueError("a stored row has no primary key")
    return key
