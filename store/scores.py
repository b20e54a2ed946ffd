"""Which score is a mention's current one, and every mention read back with its scores.

A mention may have several ``Score`` rows (one per model version, history kept); pages and
exports show the newest, by ``scored_at`` then id.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, ScalarSelect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped

from store.models import Mention, Score
from store.tables import table


def newest_score_id(mention_id: ColumnElement[Any] | Mapped[Any]) -> ScalarSelect[Any]:
    """A correlated subquery: the id of the newest score of ``mention_id`` (one index probe)."""
    s2 = table(Score).alias("s2")
    return (
        select(s2.c.id)
        .where(s2.c.mention_id == mention_id)
        .order_by(s2.c.scored_at.desc(), s2.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


class ScoredMention(NamedTuple):
    """A mention with one of its scores, as an evaluation reads them."""

    source: str
    external_id: str
    text: str
    sentiment_label: str
    troll_likelihood: float
    language_supported: bool
    troll_reasons: list[str]


def scored_mentions(conn: Connection) -> list[ScoredMention]:
    """Every scored mention, once per score row (an evaluation's whole store)."""
    m, s = table(Mention).c, table(Score).c
    rows = conn.execute(
        select(
            m.source,
            m.external_id,
            m.text,
            s.sentiment_label,
            s.troll_likelihood,
            s.language_supported,
            s.troll_reasons,
        ).join(table(Score), s.mention_id == m.id)
    ).all()
    return [ScoredMention(*row) for row in rows]
