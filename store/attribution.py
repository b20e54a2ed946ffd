"""What attributing a case's outcome reads: the posts around it, goodwill, replies' channels,
the critic's later posts and how loud each critic is.

Id lists are read 500 at a time (``store.cases.IDS_PER_QUERY``); every mention comes with its
newest score (``store.scores.newest_score_id``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlmodel import Session, col

from store.cases import IDS_PER_QUERY
from store.models import GoodwillLedger, Mention, OutboxItem, Score, User
from store.scores import newest_score_id


class ScoredPost(NamedTuple):
    """A post with its newest score (label and sentiment None when unscored)."""

    mention_id: int
    author_id: int | None
    created_at: datetime
    text: str
    sentiment_label: str | None
    sentiment: float | None


class GoodwillRow(NamedTuple):
    """One goodwill spend on a case."""

    case_id: int
    kind: str
    amount: float
    actor: str
    at: datetime


def _chunks(ids: Iterable[int | None]) -> Iterable[list[int]]:
    unique = sorted({i for i in ids if i is not None})
    for i in range(0, len(unique), IDS_PER_QUERY):
        yield unique[i : i + IDS_PER_QUERY]


def _scored_select() -> Any:
    return (
        select(
            col(Mention.id),
            col(Mention.author_id),
            col(Mention.created_at),
            col(Mention.text),
            col(Score.sentiment_label),
            col(Score.sentiment),
        )
        .select_from(Mention)
        .outerjoin(Score, col(Score.id) == newest_score_id(col(Mention.id)))
    )


def scored_posts(session: Session, mention_ids: Iterable[int | None]) -> dict[int, ScoredPost]:
    """The posts with these ids and their newest scores, by id."""
    out: dict[int, ScoredPost] = {}
    for chunk in _chunks(mention_ids):
        rows = (
            session.connection().execute(_scored_select().where(col(Mention.id).in_(chunk))).all()
        )
        out.update({row[0]: ScoredPost(*row) for row in rows})
    return out


def posts_after(
    session: Session, author_ids: Iterable[int], since: datetime
) -> dict[int, list[ScoredPost]]:
    """Each author's posts after ``since`` (not deleted), oldest first, with newest scores."""
    out: dict[int, list[ScoredPost]] = {}
    for chunk in _chunks(author_ids):
        query = (
            _scored_select()
            .where(
                col(Mention.author_id).in_(chunk),
                col(Mention.created_at) > since,
                ~col(Mention.deleted),
            )
            .order_by(col(Mention.created_at), col(Mention.id))
        )
        for row in session.connection().execute(query).all():
            post = ScoredPost(*row)
            assert post.author_id is not None
            out.setdefault(post.author_id, []).append(post)
    return out


def post_counts(
    session: Session, author_ids: Iterable[int], since: datetime, until: datetime
) -> dict[int, int]:
    """How many posts each author wrote in ``[since, until)`` (their loudness in the window)."""
    out: dict[int, int] = {}
    for chunk in _chunks(author_ids):
        query = (
            select(col(Mention.author_id), func.count())
            .where(
                col(Mention.author_id).in_(chunk),
                col(Mention.created_at) >= since,
                col(Mention.created_at) < until,
            )
            .group_by(col(Mention.author_id))
        )
        out.update(
            {aid: n for aid, n in session.connection().execute(query).all() if aid is not None}
        )
    return out


def goodwill_for_cases(session: Session, case_ids: Iterable[int]) -> list[GoodwillRow]:
    """Every goodwill spend on these cases, oldest first."""
    out: list[GoodwillRow] = []
    for chunk in _chunks(case_ids):
        query = (
            select(
                col(GoodwillLedger.case_id),
                col(GoodwillLedger.kind),
                col(GoodwillLedger.amount),
                col(GoodwillLedger.actor),
                col(GoodwillLedger.at),
            )
            .where(col(GoodwillLedger.case_id).in_(chunk))
            .order_by(col(GoodwillLedger.at), col(GoodwillLedger.id))
        )
        out.extend(GoodwillRow(*row) for row in session.connection().execute(query).all())
    return out


def private_outbox_items(session: Session, outbox_ids: Iterable[int]) -> set[int]:
    """Which of these outbox items went as private messages."""
    out: set[int] = set()
    for chunk in _chunks(outbox_ids):
        query = select(col(OutboxItem.id)).where(
            col(OutboxItem.id).in_(chunk), col(OutboxItem.private)
        )
        out.update(i for (i,) in session.connection().execute(query).all() if i is not None)
    return out


def staff_usernames(session: Session) -> set[str]:
    """Every board account's username (active or not): their replies are theirs by name."""
    return {name for (name,) in session.connection().execute(select(col(User.username))).all()}
