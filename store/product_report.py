"""What the product report reads: each topic's mentions over two windows, with their authors'
reach, and the fans won back per topic.

The arithmetic (volume, trend, negative share, reach, examples) is ``scoring.topics.report``'s;
this module only selects rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from store.models import Author, Case, CaseEvent, Mention, MentionTopic, Score
from store.scores import newest_score_id
from store.tables import table

_M = table(Mention)
_A = table(Author)
_S = table(Score)
_C = table(Case)
_E = table(CaseEvent)
_MT = table(MentionTopic)


class ReportMention(NamedTuple):
    """One assigned mention: its topic and similarity to it, time, tone, author and the
    author's followers."""

    mention_id: int
    topic_id: int
    similarity: float
    created_at: datetime
    negative: bool
    author_id: int | None
    followers: int | None
    text: str


def report_mentions(conn: Connection, *, since: datetime, until: datetime) -> list[ReportMention]:
    """Undeleted mentions with a topic (not the brand's own) posted in ``[since, until)``, with
    whether their newest score reads negative (none yet: not negative), oldest first."""
    rows = conn.execute(
        select(
            _M.c.id,
            _MT.c.topic_id,
            _MT.c.similarity,
            _M.c.created_at,
            _S.c.sentiment_label,
            _M.c.author_id,
            _A.c.followers,
            _M.c.text,
        )
        .select_from(_MT)
        .join(_M, _M.c.id == _MT.c.mention_id)
        .outerjoin(_A, _A.c.id == _M.c.author_id)
        .outerjoin(_S, _S.c.id == newest_score_id(_M.c.id))
        .where(
            _MT.c.topic_id.is_not(None),
            _M.c.deleted.is_(False),
            _A.c.is_brand.is_not(True),
            _M.c.created_at >= since,
            _M.c.created_at < until,
        )
        .order_by(_M.c.created_at, _M.c.id)
    )
    return [
        ReportMention(
            int(r[0]),
            int(r[1]),
            float(r[2] or 0.0),
            r[3],
            r[4] == "negative",
            None if r[5] is None else int(r[5]),
            None if r[6] is None else int(r[6]),
            r[7] or "",
        )
        for r in rows
    ]


def fans_won_back(conn: Connection, *, since: datetime, until: datetime) -> dict[int, int]:
    """Per topic, the cases closed as a fan in ``[since, until)`` with at least one of their
    mentions in that topic (a case whose mentions span two topics counts in both)."""
    rows = conn.execute(
        select(_MT.c.topic_id, func.count(func.distinct(_C.c.id)))
        .select_from(_C)
        .join(_E, _E.c.case_id == _C.c.id)
        .join(_MT, _MT.c.mention_id == _E.c.mention_id)
        .where(
            _C.c.outcome == "fan",
            _C.c.closed_at >= since,
            _C.c.closed_at < until,
            _MT.c.topic_id.is_not(None),
        )
        .group_by(_MT.c.topic_id)
    )
    return {int(r[0]): int(r[1]) for r in rows}
