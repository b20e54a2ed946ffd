"""Read queries behind the board's queue and case pages.

Every query here is shaped for an index: the queue walks ``ix_case_queue`` (is_open, priority)
newest-priority first and joins authors, the latest mention and its newest score by primary key,
so a page of the queue costs the same on a thousand mentions or a million. Times are aware UTC;
``now`` is an argument so the countdowns are testable.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, true
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session

from store.models import Author, Case, CaseEvent, Mention, Score, User

log = logging.getLogger(__name__)

#: Shown in the assignee filter for cases nobody holds yet.
UNASSIGNED = "(unassigned)"
#: How much of a mention the queue shows; the case page shows all of it.
SNIPPET_CHARS = 160


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
    sla_due: datetime | None
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
class TimelineItem:
    """One line of a critic's timeline: a mention of theirs or an event on the case."""

    at: datetime
    kind: str
    actor: str
    text: str
    detail: str = ""
    mention_id: int | None = None


@dataclass(frozen=True)
class CaseDetail:
    """Everything the case page shows about one case."""

    case: Case
    author: Author
    mentions: list[Mention]
    scores: dict[int, Score]
    events: list[CaseEvent]
    timeline: list[TimelineItem] = field(default_factory=list)


def newest_score_id(mention_id: Any) -> Any:
    """A correlated subquery: the id of the newest score of ``mention_id``."""
    s2 = aliased(Score)
    return (
        select(s2.id)
        .where(s2.mention_id == mention_id)
        .order_by(s2.scored_at.desc(), s2.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def queue_statement(filters: QueueFilters, *, limit: int = 50, offset: int = 0) -> Select[Any]:
    """The queue query: open cases by priority (highest first), one page of them.

    The page of case ids is chosen first, walking ``ix_case_queue`` in order and stopping after
    ``limit`` rows; only those rows are joined to their author, mention and newest score.
    """
    page = (
        _apply_filters(select(Case.id).where(Case.is_open == true()), filters)
        .order_by(Case.priority.desc(), Case.id.desc())
        .limit(limit)
        .offset(offset)
        .subquery("page")
    )
    return (
        select(
            Case.id,
            Case.priority,
            Case.sla_due,
            Case.stage,
            Case.topic,
            Case.source,
            Case.assignee,
            Case.incident,
            Author.id.label("author_id"),
            Author.handle,
            Author.display_name,
            Author.followers,
            Mention.text,
            Score.sentiment,
            Score.sentiment_label,
            Score.troll_likelihood,
            Score.troll_reasons,
        )
        .select_from(page)
        .join(Case, Case.id == page.c.id)
        .join(Author, Author.id == Case.author_id)
        .outerjoin(Mention, Mention.id == Case.latest_mention_id)
        .outerjoin(Score, Score.id == newest_score_id(Case.latest_mention_id))
        .order_by(Case.priority.desc(), Case.id.desc())
    )


def _apply_filters(stmt: Select[Any], filters: QueueFilters) -> Select[Any]:
    if filters.sources:
        stmt = stmt.where(Case.source.in_(filters.sources))
    if filters.stages:
        stmt = stmt.where(Case.stage.in_(filters.stages))
    if filters.topics:
        stmt = stmt.where(Case.topic.in_(filters.topics))
    if filters.assignees:
        named = [a for a in filters.assignees if a != UNASSIGNED]
        cond = Case.assignee.in_(named)
        if UNASSIGNED in filters.assignees:
            cond = cond | Case.assignee.is_(None)
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
    stmt = _apply_filters(
        select(func.count()).select_from(Case).where(Case.is_open == true()), filters
    )
    return int(conn.execute(stmt).scalar_one())


def filter_options(conn: Connection) -> dict[str, list[str]]:
    """The values staff can filter the open queue by (sources, stages, topics, assignees)."""
    out: dict[str, list[str]] = {}
    for name, col in (
        ("sources", Case.source),
        ("stages", Case.stage),
        ("topics", Case.topic),
        ("assignees", Case.assignee),
    ):
        values = conn.execute(select(col).where(Case.is_open == true()).distinct()).scalars()
        out[name] = sorted(str(v) for v in values if v is not None)
    out["assignees"].insert(0, UNASSIGNED)
    return out


def fetch_case(conn: Connection, case_id: int, *, mention_limit: int = 200) -> CaseDetail | None:
    """A case with its critic, their recent mentions (with newest scores) and every event."""
    with Session(bind=conn) as session:
        case = session.get(Case, case_id)
        if case is None:
            return None
        author = session.get(Author, case.author_id)
        assert author is not None  # foreign key
        mentions = list(
            session.scalars(
                select(Mention)
                .where(Mention.author_id == case.author_id)
                .order_by(Mention.created_at.desc())
                .limit(mention_limit)
            )
        )
        scores = newest_scores(session.connection(), [m.id for m in mentions if m.id is not None])
        score_rows = {
            s.id: s for s in session.scalars(select(Score).where(Score.id.in_(scores.values())))
        }
        events = list(
            session.scalars(
                select(CaseEvent)
                .where(CaseEvent.case_id == case_id)
                .order_by(CaseEvent.at, CaseEvent.id)
            )
        )
        session.expunge_all()
    by_mention = {mid: score_rows[sid] for mid, sid in scores.items() if sid in score_rows}
    return CaseDetail(
        case=case,
        author=author,
        mentions=mentions,
        scores=by_mention,
        events=events,
        timeline=build_timeline(mentions, events, by_mention),
    )


def newest_scores(conn: Connection, mention_ids: Sequence[int]) -> dict[int, int]:
    """Map each mention id to the id of its newest score (mentions not scored are left out)."""
    if not mention_ids:
        return {}
    rows = conn.execute(
        select(Score.mention_id, Score.id, Score.scored_at)
        .where(Score.mention_id.in_(list(mention_ids)))
        .order_by(Score.mention_id, Score.scored_at, Score.id)
    ).all()
    return {r.mention_id: r.id for r in rows}  # later rows win: the newest


def build_timeline(
    mentions: Sequence[Mention], events: Sequence[CaseEvent], scores: dict[int, Score]
) -> list[TimelineItem]:
    """Mentions and events merged, oldest first; every string stays as the user wrote it."""
    items: list[TimelineItem] = []
    for m in mentions:
        s = scores.get(m.id or -1)
        detail = f"{m.source}"
        if s is not None:
            detail += (
                f" · {s.sentiment_label} ({s.sentiment:+.2f}) · troll {s.troll_likelihood:.0%}"
            )
        if m.deleted:
            detail += " · deleted on the platform"
        items.append(
            TimelineItem(
                at=m.created_at,
                kind="mention",
                actor="critic",
                text=m.text,
                detail=detail,
                mention_id=m.id,
            )
        )
    for e in events:
        parts = []
        if e.stage_from or e.stage_to:
            parts.append(f"{e.stage_from or '—'} → {e.stage_to or '—'}")
        if e.reason:
            parts.append(f"reason: {e.reason}")
        parts.extend(_event_details(e.kind, e.data or {}))
        items.append(
            TimelineItem(
                at=e.at,
                kind=e.kind,
                actor=e.actor,
                text=e.body or "",
                detail=" · ".join(parts),
                mention_id=e.mention_id,
            )
        )
    items.sort(key=lambda i: i.at)
    return items


def _event_details(kind: str, data: dict[str, Any]) -> list[str]:
    """The few ``CaseEvent.data`` fields worth a glance on the timeline."""
    if kind == "timer":
        due = str(data.get("due") or "")[:16].replace("T", " ")
        return [f"{data.get('timer') or 'no'} timer" + (f" due {due} UTC" if due else " cleared")]
    if kind == "suggestion":
        paused = " (paused: incident)" if data.get("paused") else ""
        return [f"reply suggested for {data.get('stage', '?')}{paused}"]
    out = []
    for key in ("amount", "currency", "approved_by", "assignee", "status", "to", "details"):
        if data.get(key) not in (None, "", []):
            out.append(f"{key}: {data[key]}")
    return out


def active_staff(conn: Connection, *, roles: Sequence[str] = ("agent", "lead")) -> list[str]:
    """Usernames of active staff who can hold cases, in a stable order."""
    rows = conn.execute(
        select(User.username)
        .where(User.active == true(), User.role.in_(list(roles)))
        .order_by(User.username)
    ).scalars()
    return list(rows)


def open_load(conn: Connection, usernames: Sequence[str]) -> dict[str, int]:
    """Open cases held by each of ``usernames`` (zero for those holding none)."""
    load = dict.fromkeys(usernames, 0)
    if not usernames:
        return load
    rows = conn.execute(
        select(Case.assignee, func.count())
        .where(Case.is_open == true(), Case.assignee.in_(list(usernames)))
        .group_by(Case.assignee)
    ).all()
    for assignee, n in rows:
        load[assignee] = int(n)
    return load


def unassigned_open(conn: Connection, *, limit: int) -> list[int]:
    """Ids of the highest-priority open cases that nobody holds."""
    rows = conn.execute(
        select(Case.id)
        .where(Case.is_open == true(), Case.assignee.is_(None))
        .order_by(Case.priority.desc(), Case.id.desc())
        .limit(limit)
    ).scalars()
    return list(rows)


def explain_queue(engine: Engine, filters: QueueFilters = QueueFilters()) -> list[str]:
    """SQLite's plan for the queue query (one line per step), to prove it uses indexes."""
    stmt = queue_statement(filters)
    compiled = stmt.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
    return [str(r[-1]) for r in rows]


def plan_assignments(
    case_ids: Sequence[int],
    load: dict[str, int],
    *,
    strategy: str,
    last_assignee: str | None = None,
) -> list[tuple[int, str]]:
    """Fairly share ``case_ids`` (highest priority first) among the staff in ``load``.

    ``least_loaded`` gives each case to whoever holds the fewest open cases (ties by name);
    ``round_robin`` deals them in name order, starting after ``last_assignee``.
    """
    staff = sorted(load)
    if not staff:
        return []
    plan: list[tuple[int, str]] = []
    if strategy == "round_robin":
        start = staff.index(last_assignee) + 1 if last_assignee in staff else 0
        for i, case_id in enumerate(case_ids):
            plan.append((case_id, staff[(start + i) % len(staff)]))
        return plan
    if strategy != "least_loaded":
        raise ValueError(f"unknown assignment strategy {strategy!r}")
    current = dict(load)
    for case_id in case_ids:
        who = min(staff, key=lambda u: (current[u], u))
        current[who] += 1
        plan.append((case_id, who))
    return plan


_BIG_TABLES = ("case", "mention", "score", "author", "caseevent")


def full_scans(plan: Sequence[str]) -> list[str]:
    """The steps of a query plan that read a whole big table (``SCAN t`` without an index)."""
    scans = (step for step in plan if step.startswith("SCAN ") and "INDEX" not in step)
    return [step for step in scans if step.split()[1] in _BIG_TABLES]
