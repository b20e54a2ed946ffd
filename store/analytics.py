"""Aggregates behind the board's Overview, People and Fairness pages.

Each returns plain tuples (the pages turn them into pandas frames) and is bounded by a
``[since, until)`` window on ``Mention.created_at`` where it reads mentions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import case, func, select, true
from sqlalchemy.engine import Connection
from sqlmodel import col

from core.clock import as_utc
from store.models import Author, Case, Mention, Score
from store.scores import newest_score_id


class DayVolume(NamedTuple):
    """Mentions of one day (``YYYY-MM-DD``, UTC) from one source, with their mean sentiment."""

    day: date | str  # a date on PostgreSQL, ISO text on SQLite
    source: str
    mentions: int
    sentiment: float | None


class AuthorVolume(NamedTuple):
    """One author's mentions in a window and their mean sentiment."""

    author_id: int
    handle: str
    name: str | None
    platform: str
    followers: int | None
    mentions: int
    sentiment: float | None


class RepeatCritic(NamedTuple):
    """An author with several cases, how many are open, and when the last one opened."""

    author_id: int
    handle: str
    platform: str
    followers: int | None
    cases: int
    open: int
    last_opened: datetime


def newest_mention_time(conn: Connection) -> datetime | None:
    """When the newest stored mention was posted, aware UTC (None with no mentions)."""
    newest: datetime | str | None = conn.execute(select(func.max(col(Mention.created_at)))).scalar()
    if newest is None:
        return None
    return as_utc(datetime.fromisoformat(newest) if isinstance(newest, str) else newest)


def volume_by_day(conn: Connection, since: datetime, until: datetime) -> list[DayVolume]:
    """Mentions per day and source, with the mean sentiment of their newest scores."""
    day = func.date(col(Mention.created_at)).label("day")
    rows = conn.execute(
        select(day, col(Mention.source), func.count(), func.avg(col(Score.sentiment)))
        .select_from(Mention)
        .outerjoin(Score, col(Score.id) == newest_score_id(col(Mention.id)))
        .where(col(Mention.created_at) >= since, col(Mention.created_at) < until)
        .group_by(day, col(Mention.source))
        .order_by(day)
    ).all()
    return [DayVolume(*row) for row in rows]


def followers_by_author(conn: Connection, author_ids: Sequence[int]) -> dict[int, int]:
    """Follower counts by author id (0 where the platform gave none)."""
    ids = sorted(set(author_ids))
    out: dict[int, int] = {}
    for i in range(0, len(ids), 500):
        rows = conn.execute(
            select(col(Author.id), col(Author.followers)).where(
                col(Author.id).in_(ids[i : i + 500])
            )
        ).all()
        out.update({aid: followers or 0 for aid, followers in rows if aid is not None})
    return out


def authors_in_window(conn: Connection, since: datetime, until: datetime) -> list[AuthorVolume]:
    """Every author (not the brand) who mentioned it in the window, with volume and sentiment."""
    rows = conn.execute(
        select(
            col(Author.id),
            col(Author.handle),
            col(Author.display_name),
            col(Author.platform),
            col(Author.followers),
            func.count(col(Mention.id)),
            func.avg(col(Score.sentiment)),
        )
        .join(Mention, col(Mention.author_id) == col(Author.id))
        .outerjoin(Score, col(Score.id) == newest_score_id(col(Mention.id)))
        .where(
            col(Mention.created_at) >= since,
            col(Mention.created_at) < until,
            ~col(Author.is_brand),
        )
        .group_by(col(Author.id))
    ).all()
    return [AuthorVolume(*row) for row in rows]


def repeat_critics(conn: Connection, *, min_cases: int, limit: int) -> list[RepeatCritic]:
    """Authors with ``min_cases`` or more cases, open or closed, most cases first."""
    n_cases = func.count(col(Case.id)).label("cases")
    rows = conn.execute(
        select(
            col(Author.id),
            col(Author.handle),
            col(Author.platform),
            col(Author.followers),
            n_cases,
            func.sum(case((col(Case.is_open) == true(), 1), else_=0)),
            func.max(col(Case.opened_at)),
        )
        .join(Case, col(Case.author_id) == col(Author.id))
        .group_by(col(Author.id))
        .having(n_cases >= min_cases)
        .order_by(n_cases.desc())
        .limit(limit)
    ).all()
    return [RepeatCritic(*row) for row in rows]
