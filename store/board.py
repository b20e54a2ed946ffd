"""What the board's queue and case pages read: one page of open cases, the filter values, a
case with its critic's history, who can hold cases and how many each holds.

Every query here is shaped for an index: the queue walks ``ix_case_queue`` (is_open, priority)
newest-priority first and joins authors, the latest mention and its newest score by primary key,
so a page of the queue costs the same on a thousand mentions or a million.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col

from store.models import Author, Case, CaseEvent, Mention, Score
from store.scores import newest_score_id

#: A select statement whatever its columns.
AnySelect = Select[*tuple[Any, ...]]
#: Shown in the assignee filter for cases nobody holds yet.
UNASSIGNED = "(unassigned)"


@dataclass(frozen=True)
class QueueFilters:
    """What staff narrowed the queue to; empty tuples mean "any"."""

    sources: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueueRow:
    """One open case as the queue shows it."""

    case_id: int
    priority: float
    sla_due: Any
    stage: str
    topic: str
    source: str
    assignee: str | None
    incident: bool
    author_id: int
    handle: str
    display_name: str | None
    followers: int | None
    text: str | None
    sentiment: float | None
    sentiment_label: str | None
    troll_likelihood: float | None
    troll_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseHistory:
    """A case as stored, with its critic, their recent mentions, newest scores and events."""

    case: Case
    author: Author
    mentions: list[Mention]
    #: The newest score of each mention, by mention id (unscored mentions are left out).
    scores: dict[int, Score]
    events: list[CaseEvent]


_OPEN = col(Case.is_open) == true()
_BY_PRIORITY = (col(Case.priority).desc(), col(Case.id).desc())


def queue_statement(filters: QueueFilters, *, limit: int = 50, offset: int = 0) -> AnySelect:
    """The queue query: open cases by priority (highest first), one page of them.

    The page of case ids is chosen first, walking ``ix_case_queue`` in order and stopping after
    ``limit`` rows; only those rows are joined to their author, mention and newest score.
    """
    page = (
        _apply_filters(select(col(Case.id)).where(_OPEN), filters)
        .order_by(*_BY_PRIORITY)
        .limit(limit)
        .offset(offset)
        .subquery("page")
    )
    return (
        select(
            col(Case.id),
            col(Case.priority),
            col(Case.sla_due),
            col(Case.stage),
            col(Case.topic),
            col(Case.source),
            col(Case.assignee),
            col(Case.incident),
            col(Author.id).label("author_id"),
            col(Author.handle),
            col(Author.display_name),
            col(Author.followers),
            col(Mention.text),
            col(Score.sentiment),
            col(Score.sentiment_label),
            col(Score.troll_likelihood),
            col(Score.troll_reasons),
        )
        .select_from(page)
        .join(Case, col(Case.id) == page.c.id)
        .join(Author, col(Author.id) == col(Case.author_id))
        .outerjoin(Mention, col(Mention.id) == col(Case.latest_mention_id))
        .outerjoin(Score, col(Score.id) == newest_score_id(col(Case.latest_mention_id)))
        .order_by(*_BY_PRIORITY)
    )


def _apply_filters(stmt: AnySelect, filters: QueueFilters) -> AnySelect:
    if filters.sources:
        stmt = stmt.where(col(Case.source).in_(filters.sources))
    if filters.stages:
        stmt = stmt.where(col(Case.stage).in_(filters.stages))
    if filters.topics:
        stmt = stmt.where(col(Case.topic).in_(filters.topics))
    if filters.assignees:
        named = [a for a in filters.assignees if a != UNASSIGNED]
        cond: ColumnElement[bool] = col(Case.assignee).in_(named)
        if UNASSIGNED in filters.assignees:
            cond = cond | col(Case.assignee).is_(None)
        stmt = stmt.where(cond)
    return stmt


def fetch_queue(
    conn: Connection, filters: QueueFilters = QueueFilters(), *, limit: int = 50, offset: int = 0
) -> list[QueueRow]:
    """One page of the open queue, highest priority first."""
    rows = conn.execute(queue_statement(filters, limit=limit, offset=offset)).all()
    return [
        QueueRow(
            case_id=r.id,
            priority=r.priority,
            sla_due=r.sla_due,
            stage=r.stage,
            topic=r.topic,
            source=r.source,
            assignee=r.assignee,
            incident=bool(r.incident),
            author_id=r.author_id,
            handle=r.handle,
            display_name=r.display_name,
            followers=r.followers,
            text=r.text,
            sentiment=r.sentiment,
            sentiment_label=r.sentiment_label,
            troll_likelihood=r.troll_likelihood,
            troll_reasons=tuple(str(x) for x in (r.troll_reasons or ())),
        )
        for r in rows
    ]


def count_open(conn: Connection, filters: QueueFilters = QueueFilters()) -> int:
    """How many open cases match the filters (for the "showing n of N" line)."""
    stmt = _apply_filters(select(func.count()).select_from(Case).where(_OPEN), filters)
    return int(conn.execute(stmt).scalar_one())


def filter_options(conn: Connection) -> dict[str, list[str]]:
    """The values staff can filter the open queue by (sources, stages, topics, assignees)."""
    out: dict[str, list[str]] = {}
    for name, column in (
        ("sources", col(Case.source)),
        ("stages", col(Case.stage)),
        ("topics", col(Case.topic)),
        ("assignees", col(Case.assignee)),
    ):
        values = conn.execute(select(column).where(_OPEN).distinct()).scalars()
        out[name] = sorted(str(v) for v in values if v is not None)
    out["assignees"].insert(0, UNASSIGNED)
    return out


def case_history(conn: Connection, case_id: int, *, mention_limit: int = 200) -> CaseHistory | None:
    """A case with its critic, their ``mention_limit`` newest mentions and every event."""
    with Session(bind=conn) as session:
        case = session.get(Case, case_id)
        if case is None:
            return None
        author = session.get(Author, case.author_id)
        if author is None:
            raise LookupError(f"case #{case_id} names a missing author")  # foreign key
        mentions = list(
            session.scalars(
                select(Mention)
                .where(col(Mention.author_id) == case.author_id)
                .order_by(col(Mention.created_at).desc())
                .limit(mention_limit)
            )
        )
        newest = newest_scores(conn, [m.id for m in mentions if m.id is not None])
        by_id = {
            s.id: s
            for s in session.scalars(select(Score).where(col(Score.id).in_(newest.values())))
        }
        events = list(
            session.scalars(
                select(CaseEvent)
                .where(col(CaseEvent.case_id) == case_id)
                .order_by(col(CaseEvent.at), col(CaseEvent.id))
            )
        )
        session.expunge_all()
    scores = {mid: by_id[sid] for mid, sid in newest.items() if sid in by_id}
    return CaseHistory(case, author, mentions, scores, events)


def newest_scores(conn: Connection, mention_ids: Sequence[int]) -> dict[int, int]:
    """Map each mention id to the id of its newest score (mentions not scored are left out)."""
    if not mention_ids:
        return {}
    rows = conn.execute(
        select(col(Score.mention_id), col(Score.id), col(Score.scored_at))
        .where(col(Score.mention_id).in_(list(mention_ids)))
        .order_by(col(Score.mention_id), col(Score.scored_at), col(Score.id))
    ).all()
    return {mid: sid for mid, sid, _ in rows if sid is not None}  # later rows win: the newest


def open_load(conn: Connection, usernames: Sequence[str]) -> dict[str, int]:
    """Open cases held by each of ``usernames`` (zero for those holding none)."""
    load = dict.fromkeys(usernames, 0)
    if not usernames:
        return load
    rows = conn.execute(
        select(col(Case.assignee), func.count())
        .where(_OPEN, col(Case.assignee).in_(list(usernames)))
        .group_by(col(Case.assignee))
    ).all()
    for assignee, n in rows:
        if assignee is not None:
            load[assignee] = int(n)
    return load


def unassigned_open(conn: Connection, *, limit: int) -> list[int]:
    """Ids of the highest-priority open cases that nobody holds."""
    rows = conn.execute(
        select(col(Case.id))
        .where(_OPEN, col(Case.assignee).is_(None))
        .order_by(*_BY_PRIORITY)
        .limit(limit)
    ).scalars()
    return [case_id for case_id in rows if case_id is not None]


def explain_queue(engine: Engine, filters: QueueFilters = QueueFilters()) -> list[str]:
    """SQLite's plan for the queue query (one line per step), to prove it uses indexes."""
    stmt = queue_statement(filters)
    compiled = stmt.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
    return [str(r[-1]) for r in rows]


_BIG_TABLES = ("case", "mention", "score", "author", "caseevent")


def full_scans(plan: Sequence[str]) -> list[str]:
    """The steps of a query plan that read a whole big table (``SCAN t`` without an index)."""
    scans = (step for step in plan if step.startswith("SCAN ") and "INDEX" not in step)
    return [step for step in scans if step.split()[1] in _BIG_TABLES]
