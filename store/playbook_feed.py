"""What the playbook stage reads next: mentions after its cursor, with their newest scores.

The cursor (:class:`FeedCursor`, stored as ``SourceCursor`` ``stage:playbook``) is a watermark
over (created_at, id) plus the highest mention id seen, so a post fetched late with an older
created_at is still picked up. The runner saves it in the transaction that writes the cases
and events of the mentions it covers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from store.models import Author, Mention, Score, SourceCursor
from store.writer import save_cursor


@dataclass
class FeedCursor:
    """How far the playbook stage got: the last (created_at, id) and the highest id seen."""

    at: datetime | None = None
    id: int = 0
    max_id: int = 0

    def dump(self) -> str:
        """The cursor as stored."""
        at = self.at.isoformat() if self.at else None
        return json.dumps({"at": at, "id": self.id, "max_id": self.max_id})

    @classmethod
    def load(cls, value: str | None) -> FeedCursor:
        """A stored cursor (None or empty: the beginning)."""
        if not value:
            return cls()
        data = json.loads(value)
        at = datetime.fromisoformat(data["at"]) if data.get("at") else None
        return cls(at=at, id=int(data.get("id", 0)), max_id=int(data.get("max_id", 0)))


def read_feed_cursor(session: Session, name: str) -> FeedCursor:
    """The cursor ``name`` as of this session's transaction."""
    stored = session.get(SourceCursor, name)
    return FeedCursor.load(stored.value if stored else None)


def save_feed_cursor(session: Session, name: str, cursor: FeedCursor, *, now: datetime) -> None:
    """Save the cursor in the session's transaction (with the work it covers)."""
    save_cursor(session.connection(), name, cursor.dump(), now=now)


def mentions_after(
    session: Session, cursor: FeedCursor, limit: int, *, until: datetime | None = None
) -> list[tuple[Mention, Author]]:
    """Up to ``limit`` mentions past ``cursor`` (posted by ``until`` when given) with their
    authors, in (created_at, id) order."""
    query = select(Mention, Author).join(Author, col(Author.id) == col(Mention.author_id))
    if until is not None:
        query = query.where(col(Mention.created_at) <= until)
    if cursor.at is not None:
        after = or_(
            col(Mention.created_at) > cursor.at,
            and_(col(Mention.created_at) == cursor.at, col(Mention.id) > cursor.id),
            col(Mention.id) > cursor.max_id,
        )
        query = query.where(after)
    query = query.order_by(col(Mention.created_at), col(Mention.id)).limit(limit)
    return [(m, a) for m, a in session.exec(query).all()]


def critic_posts_between(
    session: Session, since: datetime, until: datetime
) -> list[tuple[int, int, datetime, str]]:
    """``(mention id, author id, created_at, text)`` of every post not by the brand and not
    deleted in ``[since, until]``, oldest first: what a pile-on is looked for in."""
    rows = session.exec(
        select(Mention.id, Mention.author_id, Mention.created_at, Mention.text)
        .join(Author, col(Author.id) == col(Mention.author_id))
        .where(
            col(Mention.created_at) >= since,
            col(Mention.created_at) <= until,
            col(Mention.deleted).is_(False),
            col(Author.is_brand).is_(False),
        )
        .order_by(col(Mention.created_at), col(Mention.id))
    ).all()
    return [(int(i), int(a), at, text) for i, a, at, text in rows if i is not None and a]


def newest_scores(
    session: Session, mention_ids: Sequence[int], *, model: str | None = None
) -> dict[int, Score]:
    """Each mention's newest score (of model ``model`` when given), by mention id."""
    query = select(Score).where(col(Score.mention_id).in_(list(mention_ids)))
    if model is not None:
        query = query.where(col(Score.model_name) == model)
    newest: dict[int, Score] = {}
    for score in session.exec(query.order_by(col(Score.scored_at), col(Score.id))):
        newest[score.mention_id] = score
    return newest


def parent_post(session: Session, mention: Mention) -> Mention | None:
    """The stored post ``mention`` replies to (or its thread's root), if any."""
    ref = mention.in_reply_to or mention.thread_id
    if not ref or ref == mention.external_id:
        return None
    return session.exec(
        select(Mention).where(
            col(Mention.source) == mention.source, col(Mention.external_id) == ref
        )
    ).first()


def worst_negativity_between(
    engine: Engine, start: datetime, end: datetime
) -> list[tuple[datetime, float]]:
    """(created_at, highest p_negative of its scores) of each scored mention in [start, end)."""
    with Session(engine) as session:
        rows = session.exec(
            select(Mention.created_at, func.max(Score.p_negative))
            .join(Score, col(Score.mention_id) == col(Mention.id))
            .where(col(Mention.created_at) >= start, col(Mention.created_at) < end)
            .group_by(col(Mention.id), col(Mention.created_at))
        ).all()
    return [(at, float(p)) for at, p in rows]
