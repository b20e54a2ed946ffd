"""What the board's queue and case pages read: one page of open cases, the filter values, a
case with its critic's history, who can hold cases and how many each holds.

The queue's order follows the clock: a case stores the part of its priority that does not age
(``Case.priority``) and the weight of urgency (``Case.urgency_weight``); the query adds
``urgency_weight × (share of the SLA window used up at now)``, the same formula as
``playbooks.priority``. The page is chosen from ``ix_case_queue`` alone (it covers the filters
and every term of the order), so the query reads the open cases' index entries, never the table;
only the page chosen is joined to authors, the latest mention and its newest score by primary key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, bindparam, case, cast, func, select, true
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col

from core.clock import utcnow
from store.models import Author, Case, CaseEvent, Mention, Score
from store.scores import newest_score_id
from store.types import UTCDateTime

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


class _MinutesUntil(FunctionElement[float]):
    """Minutes from the second timestamp to the first (negative once it has passed)."""

    type = Float()
    inherit_cache = True


@compiles(_MinutesUntil, "sqlite")
def _minutes_until_sqlite(element: _MinutesUntil, compiler: SQLCompiler, **kw: Any) -> str:
    due, now = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({due}) - julianday({now})) * 1440.0)"


@compiles(_MinutesUntil)
def _minutes_until_default(element: _MinutesUntil, compiler: SQLCompiler, **kw: Any) -> str:
    due, now = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({due} - {now})) / 60.0)"


def current_priority(now: datetime) -> ColumnElement[float]:
    """A case's priority at ``now``: the stored fixed part plus urgency's weight times urgency.

    Urgency is the share of the SLA window used up (0 with no SLA running, 1 once due), as in
    ``playbooks.priority.urgency``.
    """
    due, window = col(Case.sla_due), col(Case.sla_minutes)
    left = cast(_MinutesUntil(due, bindparam("queue_now", now, type_=UTCDateTime())), Float)
    used: ColumnElement[float] = case(
        (due.is_(None), 0.0),
        (left <= 0, 1.0),
        (window.is_(None), 0.0),
        (left >= window, 0.0),
        else_=1.0 - left / window,
    )
    return col(Case.priority) + col(Case.urgency_weight) * used


def queue_statement(
    filters: QueueFilters, *, limit: int = 50, offset: int = 0, now: datetime | None = None
) -> AnySelect:
    """The queue query: open cases by their priority at ``now`` (highest first), one page.

    The page of case ids is chosen first from the covering ``ix_case_queue``; only those rows
    are joined to their author, mention and newest score.
    """
    current = current_priority(now or utcnow()).label("priority")
    page = (
        _apply_filters(select(col(Case.id), current).where(_OPEN), filters)
        .order_by(current.desc(), col(Case.id).desc())
        .limit(limit)
        .offset(offset)
        .subquery("page")
    )
    return (
        select(
            col(Case.id),
            page.c.priority,
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
        .order_by(page.c.priority.desc(), col(Case.id).desc())
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
    conn: Connection,
    filters: QueueFilters = QueueFilters(),
    *,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> list[QueueRow]:
    """One page of the open queue, highest priority at ``now`` (default: the wall clock) first."""
    stmt = queue_statement(filters, limit=limit, offset=offset, now=now)
    rows = conn.execute(stmt).all()
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


def unassigned_open(conn: Connection, *, limit: int, now: datetime | None = None) -> list[int]:
    """Ids of the open cases that nobody holds, highest priority at ``now`` first."""
    current = current_priority(now or utcnow())
    rows = conn.execute(
        select(col(Case.id))
        .where(_OPEN, col(Case.assignee).is_(None))
        .order_by(current.desc(), col(Case.id).desc())
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
