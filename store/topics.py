"""Discovered topics and the mentions' vectors: what topic discovery, assignment and the
Topics page read and write.

Vectors and centroids are stored as bytes (``scoring.topics.vectors`` packs them); this module
never looks inside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.engine import Connection

from store.models import Author, DiscoveredTopic, Mention, MentionTopic, Score
from store.scores import newest_score_id
from store.tables import table
from store.upsert import upsert

_T = table(DiscoveredTopic)
_MT = table(MentionTopic)


def _not_brand() -> Any:
    """A mention whose author is not one of the brand's own accounts (needs the author join)."""
    return table(Author).c.is_brand.is_not(True)


class Centroid(NamedTuple):
    """An active topic's id and packed centroid: what assignment compares a vector with."""

    topic_id: int
    centroid: bytes


class StoredVector(NamedTuple):
    """A mention's packed vector with what discovery and labelling need beside it."""

    mention_id: int
    vector: bytes
    text: str
    topic_id: int | None


class TopicRow(NamedTuple):
    """An active topic as lists and pages show it."""

    id: int
    label: str
    terms: list[str]
    examples: list[int]
    seed: str | None
    size: int
    named_by_staff: bool
    centroid: bytes


class TopicMention(NamedTuple):
    """One assigned mention's topic, time and whether its newest score reads it negative."""

    topic_id: int
    created_at: datetime
    negative: bool


@dataclass(frozen=True)
class TopicDraft:
    """A topic as discovery found it; ``id`` None for a new one."""

    id: int | None
    label: str
    terms: list[str]
    examples: list[int]
    centroid: bytes
    seed: str | None
    size: int


def save_vectors(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Store (or replace) mentions' vectors and topics: rows of ``mention_id``, ``vector``,
    ``topic_id``, ``similarity``, ``assigned_at``."""
    if rows:
        upsert(
            conn,
            MentionTopic,
            rows,
            conflict_cols=["mention_id"],
            update_cols=["vector", "topic_id", "similarity", "assigned_at"],
        )


def active_centroids(conn: Connection) -> list[Centroid]:
    """Every active topic's centroid, by id."""
    rows = conn.execute(select(_T.c.id, _T.c.centroid).where(_T.c.active).order_by(_T.c.id))
    return [Centroid(int(r[0]), bytes(r[1])) for r in rows]


def stored_vectors(conn: Connection, *, topic_id: int | None = None) -> list[StoredVector]:
    """Mentions' vectors with their texts (undeleted, not the brand's own posts), oldest first;
    one topic's only when ``topic_id`` is given."""
    m = table(Mention).c
    query = (
        select(_MT.c.mention_id, _MT.c.vector, m.text, _MT.c.topic_id)
        .join(table(Mention), m.id == _MT.c.mention_id)
        .outerjoin(table(Author), table(Author).c.id == m.author_id)
        .where(m.deleted.is_(False), _not_brand())
        .order_by(m.created_at, m.id)
    )
    if topic_id is not None:
        query = query.where(_MT.c.topic_id == topic_id)
    return [StoredVector(int(r[0]), bytes(r[1]), r[2] or "", r[3]) for r in conn.execute(query)]


def active_topics(conn: Connection) -> list[TopicRow]:
    """The active topics, largest first."""
    rows = conn.execute(
        select(
            _T.c.id,
            _T.c.label,
            _T.c.terms,
            _T.c.examples,
            _T.c.seed,
            _T.c.size,
            _T.c.named_by_staff,
            _T.c.centroid,
        )
        .where(_T.c.active)
        .order_by(_T.c.size.desc(), _T.c.id)
    )
    return [
        TopicRow(
            int(r[0]),
            r[1],
            list(r[2] or []),
            list(r[3] or []),
            r[4],
            int(r[5]),
            bool(r[6]),
            bytes(r[7]),
        )
        for r in rows
    ]


def replace_topics(
    conn: Connection,
    drafts: Sequence[TopicDraft],
    assignments: Mapping[int, tuple[int, float] | None],
    *,
    now: datetime,
) -> list[int]:
    """Write a discovery: update the drafts that keep an id (a staff label stays), insert the
    new ones, retire active topics no draft kept, then set each mention's topic.

    ``assignments`` maps a mention id to ``(index into drafts, similarity)`` or None. Returns
    the drafts' ids in order.
    """
    ids: list[int] = []
    for draft in drafts:
        values = {
            "terms": draft.terms,
            "examples": draft.examples,
            "centroid": draft.centroid,
            "seed": draft.seed,
            "size": draft.size,
            "active": True,
            "updated_at": now,
        }
        if draft.id is None:
            new_id = conn.execute(
                _T.insert().values(
                    label=draft.label, named_by_staff=False, created_at=now, **values
                )
            ).inserted_primary_key
            assert new_id is not None
            ids.append(int(new_id[0]))
        else:
            conn.execute(update(_T).where(_T.c.id == draft.id).values(**values))
            conn.execute(
                update(_T)
                .where(_T.c.id == draft.id, _T.c.named_by_staff.is_(False))
                .values(label=draft.label)
            )
            ids.append(draft.id)
    retired = update(_T).where(_T.c.active).values(active=False, updated_at=now)
    if ids:
        retired = retired.where(_T.c.id.not_in(ids))
    conn.execute(retired)
    _set_topics(
        conn, {m: (None if a is None else (ids[a[0]], a[1])) for m, a in assignments.items()}, now
    )
    return ids


def _set_topics(
    conn: Connection, topics: Mapping[int, tuple[int, float] | None], now: datetime
) -> None:
    rows = [
        {
            "m": mention_id,
            "t": None if got is None else got[0],
            "s": None if got is None else got[1],
        }
        for mention_id, got in topics.items()
    ]
    if not rows:
        return
    conn.execute(
        update(_MT)
        .where(_MT.c.mention_id == bindparam("m"))
        .values(topic_id=bindparam("t"), similarity=bindparam("s"), assigned_at=now),
        rows,
    )


def set_mention_topics(
    conn: Connection, topics: Mapping[int, tuple[int, float] | None], *, now: datetime
) -> None:
    """Set mentions' topics (``(topic id, similarity)`` or None) without touching topics."""
    _set_topics(conn, topics, now)


def rename_topic(conn: Connection, topic_id: int, label: str, *, now: datetime) -> bool:
    """Give an active topic a staff label that re-discovery keeps; False if no such topic."""
    done = conn.execute(
        update(_T)
        .where(_T.c.id == topic_id, _T.c.active)
        .values(label=label, named_by_staff=True, updated_at=now)
    )
    return bool(done.rowcount)


def retire_into(conn: Connection, source_id: int, target_id: int, *, now: datetime) -> None:
    """Retire ``source_id`` as merged into ``target_id`` and move its mentions there."""
    conn.execute(
        update(_T)
        .where(_T.c.id == source_id)
        .values(active=False, merged_into=target_id, updated_at=now)
    )
    conn.execute(
        update(_MT).where(_MT.c.topic_id == source_id).values(topic_id=target_id, assigned_at=now)
    )


def update_topic(
    conn: Connection,
    topic_id: int,
    *,
    terms: list[str],
    examples: list[int],
    centroid: bytes,
    size: int,
    now: datetime,
) -> None:
    """Store a topic's new terms, examples, centroid and size (after a merge or split)."""
    conn.execute(
        update(_T)
        .where(_T.c.id == topic_id)
        .values(terms=terms, examples=examples, centroid=centroid, size=size, updated_at=now)
    )


def add_topic(conn: Connection, draft: TopicDraft, *, now: datetime) -> int:
    """Insert one new active topic (a split's second half); returns its id."""
    new_id = conn.execute(
        _T.insert().values(
            label=draft.label,
            terms=draft.terms,
            examples=draft.examples,
            centroid=draft.centroid,
            seed=draft.seed,
            size=draft.size,
            named_by_staff=False,
            active=True,
            created_at=now,
            updated_at=now,
        )
    ).inserted_primary_key
    assert new_id is not None
    return int(new_id[0])


def topic_mentions(conn: Connection, *, since: datetime, until: datetime) -> list[TopicMention]:
    """Assigned, undeleted mentions (not the brand's own) posted in ``[since, until)`` with
    their topic and whether their newest score is negative (none yet: not negative)."""
    m, s = table(Mention).c, table(Score).c
    rows = conn.execute(
        select(_MT.c.topic_id, m.created_at, s.sentiment_label)
        .join(table(Mention), m.id == _MT.c.mention_id)
        .outerjoin(table(Author), table(Author).c.id == m.author_id)
        .outerjoin(table(Score), s.id == newest_score_id(m.id))
        .where(
            _MT.c.topic_id.is_not(None),
            m.deleted.is_(False),
            _not_brand(),
            m.created_at >= since,
            m.created_at < until,
        )
    )
    return [TopicMention(int(r[0]), r[1], r[2] == "negative") for r in rows]


def topic_totals(conn: Connection) -> dict[int, tuple[int, int]]:
    """Each topic's undeleted mentions (not the brand's own) and how many of them read
    negative, by topic id."""
    m, s = table(Mention).c, table(Score).c
    negative = func.sum(case((s.sentiment_label == "negative", 1), else_=0))
    rows = conn.execute(
        select(_MT.c.topic_id, func.count(), negative)
        .join(table(Mention), m.id == _MT.c.mention_id)
        .outerjoin(table(Author), table(Author).c.id == m.author_id)
        .outerjoin(table(Score), s.id == newest_score_id(m.id))
        .where(_MT.c.topic_id.is_not(None), m.deleted.is_(False), _not_brand())
        .group_by(_MT.c.topic_id)
    )
    return {int(r[0]): (int(r[1]), int(r[2] or 0)) for r in rows}


def mention_texts(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    """Texts of the given mentions, by id (example posts)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    m = table(Mention).c
    rows = conn.execute(select(m.id, m.text).where(m.id.in_(wanted)))
    return {int(r[0]): r[1] or "" for r in rows}


class MentionKey(NamedTuple):
    """A mention's source and external id with its topic (None: unassigned)."""

    source: str
    external_id: str
    topic_id: int | None


def mention_topic_keys(conn: Connection) -> list[MentionKey]:
    """Every mention that has a vector, by source and external id, with its topic."""
    m = table(Mention).c
    rows = conn.execute(
        select(m.source, m.external_id, _MT.c.topic_id).join(
            table(Mention), m.id == _MT.c.mention_id
        )
    )
    return [MentionKey(r[0], r[1], r[2]) for r in rows]


def clear_topics(conn: Connection) -> None:
    """Forget every topic and assignment, keeping the vectors (an evaluation's fresh start)."""
    conn.execute(update(_MT).values(topic_id=None, similarity=None))
    conn.execute(update(_T).values(merged_into=None))
    conn.execute(_T.delete())
