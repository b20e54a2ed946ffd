"""What a day's digest reads beyond cases and events: the day's mentions, texts, authors.

Bounded by the day (and the day before, for comparison) on ``Mention.created_at``, or by lists
of ids read 500 at a time, so the digest costs the same on a year-old database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from store.models import Author, Mention, Score

#: Ids per ``IN (…)`` list, well under every database's bound-parameter limit.
IDS_PER_QUERY = 500


@dataclass(frozen=True)
class DayMention:
    """An undeleted mention with the label and sentiment of its newest score (None: unscored)."""

    id: int
    created_at: datetime
    author_id: int | None
    text: str
    label: str | None
    sentiment: float | None


def mentions_between(session: Session, since: datetime, until: datetime) -> list[DayMention]:
    """Undeleted mentions posted in ``[since, until)``, each with its newest score, by id."""
    rows = session.exec(
        # sqlmodel's select() is typed for at most four columns; this one reads eight
        select(  # type: ignore[call-overload]
            Mention.id,
            Mention.created_at,
            Mention.author_id,
            Mention.text,
            Score.sentiment_label,
            Score.sentiment,
            Score.scored_at,
            Score.id,
        )
        .join(Score, col(Score.mention_id) == col(Mention.id), isouter=True)
        .where(col(Mention.created_at) >= since, col(Mention.created_at) < until)
        .where(col(Mention.deleted).is_(False))
        .order_by(col(Mention.id))
    ).all()
    newest: dict[int, tuple[tuple[datetime, int] | None, DayMention]] = {}
    for mid, created, author, text, label, sentiment, scored_at, score_id in rows:
        seen = newest.get(mid)
        key = (scored_at, score_id) if scored_at is not None else None
        if seen is None or (key is not None and (seen[0] is None or key > seen[0])):
            newest[mid] = (key, DayMention(mid, created, author, text, label, sentiment))
    return [mention for _, mention in newest.values()]


def mention_texts(session: Session, mention_ids: Iterable[int | None]) -> dict[int, str]:
    """The text of each mention by id (unknown ids are left out)."""
    ids = sorted({i for i in mention_ids if i is not None})
    out: dict[int, str] = {}
    for i in range(0, len(ids), IDS_PER_QUERY):
        query = select(Mention.id, Mention.text).where(
            col(Mention.id).in_(ids[i : i + IDS_PER_QUERY])
        )
        out.update((mid, text) for mid, text in session.exec(query).all() if mid is not None)
    return out


def authors_by_id(session: Session, author_ids: Iterable[int]) -> dict[int, Author]:
    """The authors with these ids, by id."""
    ids = sorted(set(author_ids))
    out: dict[int, Author] = {}
    for i in range(0, len(ids), IDS_PER_QUERY):
        query = select(Author).where(col(Author.id).in_(ids[i : i + IDS_PER_QUERY]))
        out.update({a.id: a for a in session.exec(query).all() if a.id is not None})
    return out
