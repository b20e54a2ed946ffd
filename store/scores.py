"""Which score is a mention's current one, and every mention read back with its scores.

A mention may have several ``Score`` rows (one per model version, history kept); pages and
exports show the newest, by ``scored_at`` then id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, ScalarSelect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped

from store.models import Author, Mention, Score
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


class AuthoredToxicity(NamedTuple):
    """An undeleted mention with its author's platform and handle and a score's toxicity."""

    mention_id: int
    author_id: int | None
    text: str
    created_at: datetime
    platform: str
    handle: str
    toxicity: float


def authored_toxicity(conn: Connection) -> list[AuthoredToxicity]:
    """Every undeleted, scored mention that has an author, oldest first (a fit's whole store)."""
    m, a, s = table(Mention).c, table(Author).c, table(Score).c
    rows = conn.execute(
        select(m.id, m.author_id, m.text, m.created_at, a.platform, a.handle, s.toxicity)
        .join(table(Author), a.id == m.author_id)
        .join(table(Score), s.mention_id == m.id)
        .where(m.deleted.is_(False))
        .order_by(m.created_at, m.id)
    ).all()
    return [
        AuthoredToxicity(int(r[0]), r[1], r[2] or "", r[3], r[4], r[5], float(r[6])) for r in rows
    ]
